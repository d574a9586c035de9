from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workflows.audit import events_for
from workflows.web import perform, require_perm

from ..forms import DissolveForm
from ..models import Cluster, Unit
from ..scoping import scope
from ..services.units import UNIT_COLUMNS, import_units, mark_dissolved, units_template_xlsx
from .imports import UNIT_IMPORT_SESSION_KEY, import_page

# --- Units: import from a file, detail, dissolution; clusters ---------------------------------------------


@login_required
def unit_import(request):
    require_perm(request.user, "competition.import_units")

    def done(result, filename):
        messages.success(
            request,
            _("Đã nhập “%(f)s”: %(new)s đơn vị mới, %(updated)s cập nhật, %(unchanged)s không đổi.")
            % {"f": filename, "new": result.new, "updated": result.updated, "unchanged": result.unchanged},
        )
        return redirect("competition:unit_list")

    return import_page(
        request,
        key=UNIT_IMPORT_SESSION_KEY,
        importer=import_units,
        template="competition/unit_import.html",
        context={"columns": UNIT_COLUMNS, "max_bytes": settings.THIDUA_MAX_UPLOAD_BYTES},
        done=done,
    )


@login_required
def unit_import_template(request):
    require_perm(request.user, "competition.import_units")
    response = HttpResponse(
        units_template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-don-vi.xlsx"'
    return response


@login_required
def unit_detail(request, pk):
    require_perm(request.user, "competition.view_unit")
    unit = get_object_or_404(scope(request.user, Unit.objects.select_related("parent", "successor")), pk=pk)
    can_change = request.user.has_perm("competition.change_unit", unit)
    form = DissolveForm(initial={"successor_code": unit.successor.code if unit.successor_id else ""})
    if request.method == "POST":
        require_perm(request.user, "competition.change_unit", unit)
        form = DissolveForm(request.POST)
        if form.is_valid():
            code = form.cleaned_data["successor_code"].strip()
            successor = scope(request.user, Unit.objects.all()).filter(code=code).first()
            if successor is None:
                form.add_error("successor_code", _("Không có đơn vị mã “%(code)s”.") % {"code": code})
            elif perform(
                request,
                lambda: mark_dissolved(unit, actor=request.user, on=form.cleaned_data["on"], successor=successor),
                success=_("Đã ghi nhận “%(unit)s” giải thể; đơn vị kế thừa: %(s)s.") % {"unit": unit, "s": successor},
            ):
                return redirect("competition:unit_detail", unit.pk)
    return render(
        request,
        "competition/unit_detail.html",
        {
            "unit": unit,
            "children": scope(request.user, unit.children.all()),
            "predecessors": scope(request.user, unit.predecessors.all()),
            "clusters": unit.clusters.all(),
            "can_change": can_change,
            "form": form if can_change else None,
            "events": events_for(unit) if request.user.has_perm("workflows.view_auditevent") else [],
        },
    )


@login_required
def cluster_list(request):
    """Clusters and blocs with their member units: a unit's people see the clusters their unit is in."""
    require_perm(request.user, "competition.view_unit")
    visible = scope(request.user, Unit.objects.all())
    clusters = Cluster.objects.prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("path")))
    if request.user.is_unit_user:
        clusters = clusters.filter(units__in=visible).distinct()
    elif not visible.exists():
        clusters = clusters.none()
    return render(
        request,
        "competition/cluster_list.html",
        {"clusters": clusters, "visible_ids": set(visible.values_list("id", flat=True))},
    )


@login_required
def unit_list(request):
    require_perm(request.user, "competition.view_unit")
    units = scope(request.user, Unit.objects.select_related("parent", "successor"))
    q = request.GET.get("q", "").strip()
    if q:
        units = units.filter(name__icontains=q) | units.filter(code__iexact=q)
    kind = request.GET.get("kind")
    if kind:
        units = units.filter(kind=kind)
    return render(
        request,
        "competition/unit_list.html",
        {
            "units": units[:500],
            "total": units.count(),
            "q": q,
            "kind": kind,
            "kinds": Unit._meta.get_field("kind").choices,
            "can_import": request.user.has_perm("competition.import_units"),
        },
    )
