from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, permission or None): the main menu, filtered by what the user may do.
NAV = [
    ("home", _("Trang chủ"), None),
    ("competition:campaign_list", _("Phong trào"), None),
    ("nominations:dossier_list", _("Hồ sơ khen thưởng"), None),
    ("nominations:council_list", _("Hội đồng"), "nominations.list_councilsession"),
    ("nominations:decision_list", _("Quyết định"), None),
    ("nominations:revocation_list", _("Thu hồi"), "nominations.view_revocation_list"),
    ("nominations:fund", _("Quỹ TĐKT"), "nominations.view_fund"),
    ("nominations:statistics", _("Thống kê"), "nominations.view_statistics"),
    ("scoring:assessment_queue", _("Chấm điểm"), "scoring.view_assessment"),
    ("competition:unit_list", _("Đơn vị"), "competition.view_unit"),
    ("competition:cluster_list", _("Cụm, khối"), "competition.view_unit"),
    ("competition:ruleset_list", _("Căn cứ pháp lý"), "competition.view_ruleset"),
    ("workflows:calendar", _("Lịch làm việc"), "workflows.change_workdayoverride"),
    ("competition:user_list", _("Tài khoản"), "accounts.manage_accounts"),
    ("workflows:audit_log", _("Nhật ký"), "workflows.view_auditevent"),
]


def _menu(user) -> list[tuple[str, str, bool]]:
    """The menu's entries the user may see: (address, label in the current language, whether it is the home page,
    active only on itself rather than on every address below it)."""
    items = []
    for name, label, perm in NAV:
        if perm and not user.has_perm(perm):
            continue
        try:
            items.append((reverse(name), str(label), name == "home"))
        except NoReverseMatch:
            continue
    return items


def site(request):
    """Values every page's layout needs: the source link (AGPL-3.0 §13), the link to the guide's section on this
    page for the reader's role (config/guide.py), the menu, unread notifications."""
    from .guide import guide_url

    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    context = {"SOURCE_URL": settings.SOURCE_URL, "guide_url": guide_url(user, match.view_name if match else None)}
    if user is None or not user.is_authenticated:
        return context
    # What the menu holds depends on the user's role and unit only: kept in the data cache (workflows.datacache),
    # so the permissions are not evaluated and the names not reversed on every page.
    from workflows.datacache import cached

    items = []
    for url, label, exact in cached(f"nav:{user.pk}", lambda: _menu(user), outline=True):
        active = request.path == url if exact else request.path.startswith(url)
        items.append({"url": url, "label": label, "active": active})
    from workflows.notifications import unread_count

    context["nav_items"] = items
    context["unread_notifications"] = unread_count(user)
    return context
