import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import Role
from workflows.web import perform, require_perm

from ..models import Membership
from ..scoping import scope
from ..services.people import ACCOUNT_COLUMNS, accounts_csv, deactivate_user, import_accounts, reset_password
from .imports import ACCOUNT_IMPORT_SESSION_KEY, import_page

# --- Accounts, kept by the administrator ------------------------------------------------------------------


def _managed_users(user):
    """The accounts the administrator manages: members of the units in scope, and accounts without a unit."""
    memberships = scope(user, Membership.objects.all())
    return (
        get_user_model()
        .objects.filter(Q(membership__in=memberships) | Q(membership__isnull=True))
        .select_related("membership__unit")
    )


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@login_required
def user_list(request):
    require_perm(request.user, "accounts.manage_accounts")
    users = _managed_users(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(full_name__icontains=q)
            | Q(membership__unit__code__iexact=q)
            | Q(membership__unit__name__icontains=q)
        )
    return render(request, "competition/user_list.html", {"users": users[:500], "total": users.count(), "q": q})


@login_required
def user_import(request):
    require_perm(request.user, "accounts.manage_accounts")

    def done(result, filename):
        csv_uri = "data:text/csv;charset=utf-8;base64," + base64.b64encode(accounts_csv(result.accounts)).decode()
        response = render(
            request,
            "competition/user_import_done.html",
            {"result": result, "filename": filename, "csv_uri": csv_uri},
        )
        return _no_store(response)

    return import_page(
        request,
        key=ACCOUNT_IMPORT_SESSION_KEY,
        importer=import_accounts,
        template="competition/user_import.html",
        context={"columns": ACCOUNT_COLUMNS, "roles": Role.choices, "max_bytes": settings.THIDUA_MAX_UPLOAD_BYTES},
        done=done,
    )


@login_required
@require_POST
def user_reset_password(request, pk):
    require_perm(request.user, "accounts.manage_accounts")
    target = get_object_or_404(_managed_users(request.user), pk=pk)
    try:
        password = reset_password(target, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
        return redirect("competition:user_list")
    return _no_store(render(request, "competition/user_password.html", {"target": target, "password": password}))


@login_required
@require_POST
def user_deactivate(request, pk):
    require_perm(request.user, "accounts.manage_accounts")
    target = get_object_or_404(_managed_users(request.user), pk=pk)
    perform(
        request,
        lambda: deactivate_user(target, actor=request.user),
        success=_("Đã khoá tài khoản “%(u)s”.") % {"u": target.get_username()},
    )
    return redirect("competition:user_list")
