"""Views of the scoring app: tables. A campaign's scoring tables (one per subject, created empty or from the QĐ 987
template), one table's page (the tree of criteria with their points and formulas in words, the classes, the
tie-break cascade, the history), the board's edit forms while the table is not locked, and the XLSX download and
upload (upload → check → confirm).

Thin: records are read through the scoping function; every rule is in ``scoring/services/tables.py`` and
``scoring/services/table_io.py``; refusals become messages or form errors. The forms live here: they only turn
what was typed into values for the services.
"""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from competition.forms import ImportUploadForm
from competition.models import Campaign
from competition.scoping import scope
from competition.views.imports import _discard_upload, _pending_upload, _stash_upload
from workflows.audit import events_for
from workflows.web import perform, require_perm

from ..data import demo
from ..enums import Aggregation, CriterionKind, Formula, Subject, TieBreak
from ..models import ClassThreshold, Criterion, ScoringTable, TieBreakStep
from ..services import table_io
from ..services import tables as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Forms ---------------------------------------------------------------------------------------------------


class PointsField(forms.CharField):
    """A number of points as people type it (2,5 or 2.5), read by the service's own parser."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return services.parse_number(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class StepsField(forms.CharField):
    def clean(self, value):
        text = super().clean(value)
        try:
            return services.parse_steps(text or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class CreateTableForm(forms.Form):
    subject = forms.ChoiceField(
        label=gettext_lazy("Đối tượng chấm"), choices=Subject.choices, widget=forms.HiddenInput
    )
    template = forms.ChoiceField(
        label=gettext_lazy("Tạo từ"),
        widget=forms.RadioSelect,
        initial=demo.TEMPLATE_QD987,
        choices=[
            (demo.TEMPLATE_QD987, gettext_lazy("Mẫu theo mục IV Kế hoạch 987/QĐ-UBND (Bình dân học AI), sửa sau")),
            ("", gettext_lazy("Bảng trống: chỉ có các mức xếp loại và bước phân định mặc định")),
        ],
        required=False,
    )
    name = forms.CharField(
        label=gettext_lazy("Tên bảng điểm"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Để trống: tên theo mẫu."),
    )


class TableSettingsForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên bảng điểm"), max_length=255)
    aggregation = forms.ChoiceField(label=gettext_lazy("Cách tổng hợp điểm của Ban"), choices=Aggregation.choices)
    tolerance = PointsField(label=gettext_lazy("Mức chênh lệch cho phép giữa các thành viên chấm (điểm)"))
    min_assessors = forms.IntegerField(label=gettext_lazy("Số thành viên chấm tối thiểu"), min_value=1, max_value=50)
    bonus_cap = PointsField(label=gettext_lazy("Điểm thưởng tối đa"))
    penalty_cap = PointsField(label=gettext_lazy("Điểm trừ tối đa"))
    quota_percent = PointsField(
        label=gettext_lazy("Tỷ lệ tối đa được đề nghị khen thưởng (%)"),
        required=False,
        help_text=gettext_lazy(
            "Ví dụ 10: không quá 10 phần trăm số tập thể được xếp hạng; để trống nếu không giới hạn."
        ),
    )
    indicator_period = forms.ModelChoiceField(
        label=gettext_lazy("Kỳ lấy số liệu chỉ tiêu"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Kỳ báo cáo gần nhất"),
    )

    def __init__(self, *args, table: ScoringTable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator_period"].queryset = table.campaign.periods.all()


class CriterionForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã"), max_length=services.CODE_MAX, help_text=gettext_lazy("Ví dụ 1, 1.2, T1, P1.")
    )
    name = forms.CharField(
        label=gettext_lazy("Tên tiêu chí"), max_length=services.NAME_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Thuộc tiêu chí (nhóm)"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— Tiêu chí lớn —"),
        help_text=gettext_lazy("Điểm của nhóm là tổng điểm các tiêu chí con, tối đa bằng điểm chuẩn của nhóm."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=CriterionKind.choices)
    base_points = PointsField(label=gettext_lazy("Điểm chuẩn"))
    formula = forms.ChoiceField(
        label=gettext_lazy("Cách tính"),
        choices=Formula.choices,
        help_text=gettext_lazy("Tiêu chí có tiêu chí con (nhóm) để cách tính người chấm cho điểm."),
    )
    indicator = forms.ModelChoiceField(
        label=gettext_lazy("Chỉ tiêu lấy số liệu"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("Chỉ với cách tính theo tỷ lệ hoặc theo bậc."),
    )
    steps = StepsField(
        label=gettext_lazy("Các bậc"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "Chỉ với cách tính theo bậc: “tỷ lệ đạt so với mục tiêu (%): điểm”, cách nhau bởi dấu chấm phẩy, "
            "ví dụ “100:20; 80:14; 50:8”."
        ),
    )
    points_per_item = PointsField(
        label=gettext_lazy("Điểm mỗi lần"),
        required=False,
        help_text=gettext_lazy("Chỉ với cách tính mỗi lần một số điểm (sáng kiến, mô hình…)."),
    )
    cap = PointsField(
        label=gettext_lazy("Điểm tối đa"),
        required=False,
        help_text=gettext_lazy("Không bắt buộc: mức tối đa thấp hơn điểm chuẩn."),
    )
    evidence_required = forms.BooleanField(
        label=gettext_lazy("Bắt buộc có minh chứng (thiếu minh chứng thì 0 điểm)"), required=False
    )
    guidance = forms.CharField(
        label=gettext_lazy("Hướng dẫn chấm"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    order = forms.IntegerField(
        label=gettext_lazy("Thứ tự"),
        required=False,
        min_value=0,
        max_value=32767,
        help_text=gettext_lazy("Số nhỏ đứng trước; để trống: xếp cuối."),
    )

    def __init__(self, *args, table: ScoringTable, criterion: Criterion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = table.criteria.order_by("order", "pk")
        if criterion is not None:
            parents = parents.exclude(pk__in=[criterion.pk, *(c.pk for c in services.descendants(criterion))])
        self.fields["parent"].queryset = parents
        self.fields["indicator"].queryset = table.campaign.indicators.all()

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("guidance", "name", "code"):
            data[key] = data.get(key) or ""
        return data


class ClassForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã"), max_length=30, help_text=gettext_lazy("Chữ không dấu, ví dụ xuat_sac.")
    )
    label = forms.CharField(label=gettext_lazy("Xếp loại"), max_length=100)
    min_total = PointsField(label=gettext_lazy("Tổng điểm từ"))
    no_zero = forms.BooleanField(label=gettext_lazy("Hạ một mức nếu có tiêu chí bị 0 điểm"), required=False)
    max_penalty = PointsField(
        label=gettext_lazy("Hạ một mức nếu điểm trừ nhiều hơn"),
        required=False,
        help_text=gettext_lazy("Để trống nếu không áp dụng."),
    )


class TieBreakForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Cách phân định"), choices=TieBreak.choices)
    criterion = forms.ModelChoiceField(
        label=gettext_lazy("Tiêu chí ưu tiên"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("Với bước theo tiêu chí ưu tiên."),
    )
    threshold = PointsField(
        label=gettext_lazy("Ngưỡng tỷ lệ nữ của tập thể (%)"),
        required=False,
        initial="70",
        help_text=gettext_lazy("Với bước theo tỷ lệ nữ."),
    )

    def __init__(self, *args, table: ScoringTable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = table.criteria.order_by("order", "pk")
        if table.subject != Subject.INDIVIDUAL:
            self.fields["kind"].choices = [(v, label) for v, label in TieBreak.choices if v != TieBreak.NON_LEADER]


class TableUploadForm(ImportUploadForm):
    """The workbook downloaded from the table's page: .xlsx only (it has several sheets), size as every import."""

    file = forms.FileField(label=gettext_lazy("Tệp .xlsx của bảng điểm"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() != ".xlsx":
            raise ValidationError(
                _("Tệp “%(f)s”: bảng điểm nhập từ tệp .xlsx (nhiều trang) tải về từ trang bảng điểm.")
                % {"f": upload.name}
            )
        return super().clean_file()


# --- Helpers -------------------------------------------------------------------------------------------------


def _campaign(request, pk) -> Campaign:
    campaign = get_object_or_404(scope(request.user, Campaign.objects.all()), pk=pk)
    require_perm(request.user, "scoring.view_scoringtable", campaign)
    return campaign


def _table(request, pk, *, change: bool = False) -> ScoringTable:
    campaigns = scope(request.user, Campaign.objects.all())
    table = get_object_or_404(ScoringTable.objects.select_related("campaign"), pk=pk, campaign__in=campaigns)
    require_perm(request.user, "scoring.view_scoringtable", table)
    if change:
        require_perm(request.user, "scoring.change_scoringtable", table)
    return table


def _locked_redirect(request, table: ScoringTable):
    """While the table is locked its edit pages send back to the table, saying why."""
    if services.is_locked(table):
        messages.error(request, services.locked_message(table))
        return redirect("scoring:table_detail", table.pk)
    return None


def _save(request, form: forms.Form, action, *, success: str) -> bool:
    """Run a service call; its ``ValidationError`` lands on the form's fields, a refusal becomes a message."""
    try:
        return perform(request, action, success=success)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for key, errors in exc.error_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return False


def _back(table: ScoringTable, anchor: str = ""):
    response = redirect("scoring:table_detail", table.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _form_page(request, table, form, *, title: str, intro: str = "", submit: str = ""):
    return render(
        request,
        "scoring/table_form.html",
        {"table": table, "form": form, "title": title, "intro": intro, "submit": submit or _("Lưu")},
    )


# --- The campaign's tables -----------------------------------------------------------------------------------


@login_required
def table_list(request, pk):
    """The campaign's tables, one per subject; the board creates a missing one (from the template or empty)."""
    campaign = _campaign(request, pk)
    tables = {t.subject: t for t in campaign.scoring_tables.all()}
    can_change = request.user.has_perm("scoring.change_scoringtable", campaign)
    subjects = []
    for value, label in Subject.choices:
        table = tables.get(value)
        subjects.append(
            {
                "value": value,
                "label": label,
                "table": table,
                "summary": services.table_summary(table) if table else None,
                "form": CreateTableForm(initial={"subject": value}, auto_id=f"id_{value}_%s")
                if can_change and not table
                else None,
            }
        )
    return render(
        request,
        "scoring/table_list.html",
        {"campaign": campaign, "subjects": subjects, "can_change": can_change},
    )


@login_required
@require_POST
def table_create(request, pk):
    campaign = _campaign(request, pk)
    require_perm(request.user, "scoring.change_scoringtable", campaign)
    form = CreateTableForm(request.POST)
    created = {}
    if form.is_valid():
        data = form.cleaned_data

        def create():
            created["table"] = services.create_table(
                campaign, data["subject"], actor=request.user, name=data["name"], template=data["template"]
            )

        if _save(request, form, create, success=_("Đã tạo bảng chấm điểm.")):
            return redirect("scoring:table_detail", created["table"].pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("scoring:table_list", campaign.pk)


# --- One table -----------------------------------------------------------------------------------------------


@login_required
def table_detail(request, pk):
    table = _table(request, pk)
    summary = services.table_summary(table)
    can_change = request.user.has_perm("scoring.change_scoringtable", table)
    return render(
        request,
        "scoring/table_detail.html",
        {
            "table": table,
            "campaign": table.campaign,
            "tree": services.criteria_tree(table),
            "classes": table.classes.order_by("-min_total", "order", "pk"),
            "tie_breaks": table.tie_breaks.select_related("criterion").order_by("order", "pk"),
            "summary": summary,
            "can_change": can_change,
            "editable": can_change and not summary.locked,
            "events": events_for(table),
        },
    )


@login_required
def table_settings(request, pk):
    table = _table(request, pk, change=True)
    if response := _locked_redirect(request, table):
        return response
    initial = {key: getattr(table, key) for key in services.TABLE_FIELDS}
    for key in ("tolerance", "bonus_cap", "penalty_cap", "quota_percent"):
        initial[key] = services.fmt(initial[key])
    form = TableSettingsForm(request.POST or None, initial=initial, table=table)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(
            request,
            form,
            lambda: services.update_table(table, actor=request.user, **data),
            success=_("Đã lưu thông tin bảng điểm."),
        ):
            return _back(table)
    return _form_page(request, table, form, title=_("Thông tin bảng điểm"))


def _criterion_initial(criterion: Criterion) -> dict:
    return {
        "code": criterion.code,
        "name": criterion.name,
        "parent": criterion.parent_id,
        "kind": criterion.kind,
        "base_points": services.fmt(criterion.base_points),
        "formula": criterion.formula,
        "indicator": criterion.indicator_id,
        "steps": services.format_steps(criterion.steps),
        "points_per_item": services.fmt(criterion.points_per_item),
        "cap": services.fmt(criterion.cap),
        "evidence_required": criterion.evidence_required,
        "guidance": criterion.guidance,
        "order": criterion.order,
    }


@login_required
def table_criterion(request, pk, item=None):
    """Add a criterion (``?parent=`` starts it under a group) or edit one."""
    table = _table(request, pk, change=True)
    if response := _locked_redirect(request, table):
        return response
    criterion = get_object_or_404(table.criteria, pk=item) if item else None
    if criterion:
        initial = _criterion_initial(criterion)
    else:
        initial = {"parent": request.GET.get("parent") or None}
        parent = (
            table.criteria.filter(pk=initial["parent"]).first() if str(initial["parent"] or "").isdigit() else None
        )
        if parent is not None:
            initial["kind"] = parent.kind
    form = CriterionForm(request.POST or None, initial=initial, table=table, criterion=criterion)
    if request.method == "POST" and form.is_valid():
        data = form.values()
        if criterion is None:
            action = lambda: services.add_criterion(table, actor=request.user, **data)  # noqa: E731
            success = _("Đã thêm tiêu chí “%(code)s”.") % {"code": data["code"]}
        else:
            if data["order"] is None:
                data.pop("order")
            action = lambda: services.update_criterion(criterion, actor=request.user, **data)  # noqa: E731
            success = _("Đã lưu tiêu chí “%(code)s”.") % {"code": data["code"]}
        if _save(request, form, action, success=success):
            return _back(table, "tieu-chi")
    title = _("Sửa tiêu chí “%(code)s”") % {"code": criterion.code} if criterion else _("Thêm tiêu chí")
    return _form_page(request, table, form, title=title)


@login_required
def table_class(request, pk, item=None):
    table = _table(request, pk, change=True)
    if response := _locked_redirect(request, table):
        return response
    threshold = get_object_or_404(table.classes, pk=item) if item else None
    initial = {}
    if threshold:
        initial = {
            "code": threshold.code,
            "label": threshold.label,
            "min_total": services.fmt(threshold.min_total),
            "no_zero": threshold.no_zero,
            "max_penalty": services.fmt(threshold.max_penalty),
        }
    form = ClassForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if threshold is None:
            action = lambda: services.add_class(table, actor=request.user, **data)  # noqa: E731
        else:
            action = lambda: services.update_class(threshold, actor=request.user, **data)  # noqa: E731
        if _save(request, form, action, success=_("Đã lưu mức xếp loại “%(l)s”.") % {"l": data["label"]}):
            return _back(table, "xep-loai")
    title = _("Sửa mức xếp loại “%(l)s”") % {"l": threshold.label} if threshold else _("Thêm mức xếp loại")
    return _form_page(request, table, form, title=title)


@login_required
def table_tie_break(request, pk):
    table = _table(request, pk, change=True)
    if response := _locked_redirect(request, table):
        return response
    form = TieBreakForm(request.POST or None, table=table)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(
            request,
            form,
            lambda: services.add_tie_break(table, actor=request.user, **data),
            success=_("Đã thêm bước phân định."),
        ):
            return _back(table, "phan-dinh")
    return _form_page(
        request,
        table,
        form,
        title=_("Thêm bước phân định khi bằng điểm"),
        intro=_(
            "Các bước được xét lần lượt cho những phiếu cùng tổng điểm; bước mới xếp cuối, đổi thứ tự ở trang "
            "bảng điểm."
        ),
    )


@login_required
@require_POST
def table_tie_break_move(request, pk, item):
    table = _table(request, pk, change=True)
    step = get_object_or_404(table.tie_breaks, pk=item)
    steps = list(table.tie_breaks.order_by("order", "pk"))
    position = steps.index(step) + 1 + (-1 if request.POST.get("direction") == "up" else 1)
    perform(
        request,
        lambda: services.move_tie_break(step, actor=request.user, position=position),
        success=_("Đã đổi thứ tự bước phân định."),
    )
    return _back(table, "phan-dinh")


DELETABLE = {
    "criterion": (Criterion, "criteria"),
    "class": (ClassThreshold, "classes"),
    "tie_break": (TieBreakStep, "tie_breaks"),
}


@login_required
def table_delete(request, pk, what, item):
    """Confirm, then delete a criterion (with its sub-criteria), a class or a tie-break step."""
    table = _table(request, pk, change=True)
    if what not in DELETABLE:
        raise Http404
    if response := _locked_redirect(request, table):
        return response
    _model, related = DELETABLE[what]
    obj = get_object_or_404(getattr(table, related), pk=item)
    consequences = []
    if what == "criterion":
        consequences = [str(c) for c in services.descendants(obj)]
        label = str(obj)
        action = lambda: services.delete_criterion(obj, actor=request.user)  # noqa: E731
    elif what == "class":
        label = obj.label
        action = lambda: services.delete_class(obj, actor=request.user)  # noqa: E731
    else:
        label = f"{obj.get_kind_display()}{f' ({obj.criterion.code})' if obj.criterion_id else ''}"
        action = lambda: services.delete_tie_break(obj, actor=request.user)  # noqa: E731
    if request.method == "POST":
        try:
            perform(request, action, success=_("Đã xoá “%(l)s”.") % {"l": label})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return _back(table)
    return render(
        request,
        "scoring/table_confirm_delete.html",
        {"table": table, "label": label, "consequences": consequences, "what": what},
    )


# --- XLSX ----------------------------------------------------------------------------------------------------


@login_required
def table_export(request, pk):
    table = _table(request, pk)
    response = HttpResponse(table_io.table_xlsx(table), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bang-diem-{table.campaign.code}-{table.subject}.xlsx"'
    return response


@login_required
def table_import(request, pk):
    """Upload → check (every bad cell, or what would change) → confirm. Nothing is written before the confirm."""
    table = _table(request, pk, change=True)
    if response := _locked_redirect(request, table):
        return response
    key = f"scoring.table_import.{table.pk}"
    form = TableUploadForm()
    context = {"table": table, "campaign": table.campaign, "columns": table_io.COLUMNS_BY_SHEET}
    if request.method == "POST" and request.POST.get("confirm"):
        pending = _pending_upload(request, key)
        if pending is None:
            messages.error(request, _("Không còn tệp chờ nhập (đã nhập hoặc đã hết hạn): hãy tải tệp lên lại."))
            return redirect(request.path)
        with default_storage.open(pending["name"], "rb") as stored:
            result = table_io.import_table_xlsx(table, stored, actor=request.user, filename=pending["filename"])
        _discard_upload(request, key)
        if result.ok:
            messages.success(
                request,
                _("Đã nhập tệp “%(f)s”: %(n)s mới, %(u)s thay đổi, %(d)s xoá.")
                % {"f": pending["filename"], "n": result.new, "u": result.updated, "d": result.deleted},
            )
            return _back(table)
        context.update(result=result, filename=pending["filename"])
    elif request.method == "POST":
        form = TableUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = table_io.import_table_xlsx(table, upload, actor=request.user, dry_run=True, filename=upload.name)
            if result.ok and result.changed:
                context["token"] = _stash_upload(request, key, upload)
            else:
                _discard_upload(request, key)
            context.update(result=result, filename=upload.name)
    context.update(form=form, max_bytes=settings.THIDUA_MAX_UPLOAD_BYTES)
    return render(request, "scoring/table_import.html", context)


urlpatterns = [
    path("campaigns/<int:pk>/tables/", table_list, name="table_list"),
    path("campaigns/<int:pk>/tables/new/", table_create, name="table_create"),
    path("tables/<int:pk>/", table_detail, name="table_detail"),
    path("tables/<int:pk>/settings/", table_settings, name="table_settings"),
    path("tables/<int:pk>/criteria/new/", table_criterion, name="table_criterion_add"),
    path("tables/<int:pk>/criteria/<int:item>/", table_criterion, name="table_criterion_edit"),
    path("tables/<int:pk>/classes/new/", table_class, name="table_class_add"),
    path("tables/<int:pk>/classes/<int:item>/", table_class, name="table_class_edit"),
    path("tables/<int:pk>/tie-breaks/new/", table_tie_break, name="table_tie_break_add"),
    path("tables/<int:pk>/tie-breaks/<int:item>/move/", table_tie_break_move, name="table_tie_break_move"),
    path("tables/<int:pk>/<slug:what>/<int:item>/delete/", table_delete, name="table_delete"),
    path("tables/<int:pk>/table.xlsx", table_export, name="table_export"),
    path("tables/<int:pk>/import/", table_import, name="table_import"),
]
