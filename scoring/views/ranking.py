"""Views of the scoring app: ranking (issue 5, item 6) and its exports (item 5).

The board, the coordinating department and auditors read every table's ranking, province-wide or per cluster or
bloc, and download the exports; the board records its order of rows still tied after the cascade. A unit's clerk
or head reads the ranking of a cluster or bloc of its unit once every ranked scorecard there is published. Campaigns
come through the scoping function; a person's gender appears in explanations for campaign-wide roles only."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competition.models import Campaign, Cluster
from competition.scoping import scope, user_unit
from workflows.web import perform, require_perm

from ..enums import ScorecardState
from ..models import Scorecard, ScoringTable
from ..services.exports import (
    XLSX_TYPE,
    cluster_ranking_xlsx,
    export_filename,
    matrix_xlsx,
    quota_text,
    scorecard_sheet_xlsx,
)
from ..services.ranking import (
    BOUNDARY,
    OUTSIDE,
    RANKED_STATES,
    WITHIN,
    preload_breakdowns,
    quota_guidance,
    rank,
    record_tie_decision,
)

PAGE_SIZE = 100
TIE_GROUP_LIMIT = 50  # tied groups offered for a decision on one page


@dataclass
class Access:
    whole: bool  # every row of every scope (board, coordinating department, auditors)
    personal: bool  # may read a person's gender in the explanations
    can_decide: bool  # may record the order of a tied group
    clusters: list[Cluster] = field(default_factory=list)  # the scopes offered besides the province


def _campaign(request, pk) -> Campaign:
    return get_object_or_404(scope(request.user, Campaign.objects.all()), pk=pk)


def _table(request, pk) -> ScoringTable:
    return get_object_or_404(
        ScoringTable.objects.select_related("campaign"),
        pk=pk,
        campaign__in=scope(request.user, Campaign.objects.all()),
    )


def _access(user, table: ScoringTable | None = None) -> Access:
    if user.has_perm("scoring.view_ranking", table):
        clusters = Cluster.objects.order_by("kind", "code")
        if table is not None:
            clusters = clusters.filter(
                units__scorecards__table=table, units__scorecards__state__in=RANKED_STATES
            ).distinct()
        return Access(
            whole=True,
            personal=user.has_perm("scoring.view_ranking_personal", table),
            can_decide=user.has_perm("scoring.decide_tie", table),
            clusters=list(clusters),
        )
    if getattr(user, "is_unit_user", False):
        unit = user_unit(user)
        clusters = list(Cluster.objects.filter(units=unit).order_by("kind", "code")) if unit else []
        return Access(whole=False, personal=False, can_decide=False, clusters=clusters)
    raise PermissionDenied


def _cluster(raw: str | None) -> Cluster | None:
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(Cluster, pk=int(raw))


def _ranking_url(table: ScoringTable, cluster: Cluster | None) -> str:
    url = reverse("scoring:ranking_table", args=[table.pk])
    return f"{url}?cluster={cluster.pk}" if cluster is not None else url


@login_required
def ranking_campaign(request, pk):
    """The campaign's scoring tables, each with a link to its ranking."""
    campaign = _campaign(request, pk)
    access = _access(request.user)
    tables = campaign.scoring_tables.order_by("subject", "pk")
    return render(request, "scoring/ranking_campaign.html", {"campaign": campaign, "tables": tables, "access": access})


@login_required
def ranking_table(request, pk):
    """One table's ranking in a scope: rank, subject, total, class and explanation per row, the quota line, the
    tied groups (with the board's form to order each), the downloads."""
    table = _table(request, pk)
    user = request.user
    access = _access(user, table)
    cluster = _cluster(request.GET.get("cluster"))
    if not access.whole:
        if cluster is None:
            if not access.clusters:
                return render(
                    request,
                    "scoring/ranking_table.html",
                    {"table": table, "campaign": table.campaign, "access": access, "no_cluster": True},
                )
            cluster = access.clusters[0]
        require_perm(user, "scoring.view_published_ranking", cluster)
    rows = rank(table, cluster=cluster)
    published = bool(rows) and all(row.state == ScorecardState.PUBLISHED for row in rows)
    if not access.whole and not published:
        rows = []
    guidance = quota_guidance(table, cluster=cluster, rows=rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    preload_breakdowns(page)
    own = user_unit(user) if not access.whole else None
    badges = {WITHIN: _("trong hạn mức"), BOUNDARY: _("đồng hạng ở ranh giới hạn mức"), OUTSIDE: ""}
    lines = [
        {
            "row": row,
            "lines": [row.breakdown_text + ".", *row.separation_texts(personal=access.personal)],
            "quota": badges.get(guidance.statuses[row.scorecard_id], ""),
            "own": own is not None and row.unit_id == own.pk,
        }
        for row in page
    ]
    groups: dict[int, list] = {}
    if access.can_decide:
        for row in rows:
            if row.tied_pending:
                groups.setdefault(row.rank, []).append(row)
    tie_groups = list(groups.values())
    return render(
        request,
        "scoring/ranking_table.html",
        {
            "table": table,
            "campaign": table.campaign,
            "access": access,
            "cluster": cluster,
            "page": page,
            "lines": lines,
            "published": published,
            "guidance": guidance,
            "quota_text": quota_text(table, guidance.limit) if rows else "",
            "tied_count": sum(1 for row in rows if row.tied_pending),
            "tie_groups": tie_groups[:TIE_GROUP_LIMIT],
            "more_tie_groups": max(len(tie_groups) - TIE_GROUP_LIMIT, 0),
            "cluster_query": f"?cluster={cluster.pk}" if cluster is not None else "",
        },
    )


@login_required
@require_POST
def ranking_tie(request, pk):
    """The board's order of one tied group: ``scorecard`` (the group's ids), ``position-<id>`` (1 = first),
    ``reason``, ``cluster`` (empty: the province)."""
    table = _table(request, pk)
    require_perm(request.user, "scoring.decide_tie", table)
    cluster = _cluster(request.POST.get("cluster"))
    target = redirect(_ranking_url(table, cluster))
    ids = request.POST.getlist("scorecard")
    if not ids or not all(pk.isdigit() for pk in ids):
        raise Http404
    positions = {}
    for scorecard_id in ids:
        raw = (request.POST.get(f"position-{scorecard_id}") or "").strip()
        positions[int(scorecard_id)] = int(raw) if raw.isdigit() else None
    if sorted(p for p in positions.values() if p is not None) != list(range(1, len(ids) + 1)):
        messages.error(
            request,
            _("Thứ tự phải là các số từ 1 đến %(n)s, mỗi số một lần (1 là xếp trên cùng).") % {"n": len(ids)},
        )
        return target
    order = sorted(positions, key=positions.get)
    perform(
        request,
        lambda: record_tie_decision(table, cluster, order, request.POST.get("reason", ""), actor=request.user),
        success=_("Đã ghi quyết định thứ tự của Ban."),
    )
    return target


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def ranking_export_cluster(request, pk):
    """The ranking of one scope as XLSX (``?cluster=``; empty: the province)."""
    table = _table(request, pk)
    require_perm(request.user, "scoring.view_ranking", table)
    cluster = _cluster(request.GET.get("cluster"))
    data = cluster_ranking_xlsx(
        table, cluster=cluster, personal=request.user.has_perm("scoring.view_ranking_personal", table)
    )
    scope_code = cluster.code if cluster is not None else "toan-tinh"
    return _xlsx(data, export_filename(table, f"xep-hang-{scope_code}"))


@login_required
def ranking_export_matrix(request, pk):
    table = _table(request, pk)
    require_perm(request.user, "scoring.view_ranking", table)
    data = matrix_xlsx(table, scorecards=scope(request.user, Scorecard.objects.all()))
    return _xlsx(data, export_filename(table, "ma-tran-diem"))


@login_required
def ranking_export_scorecard(request, pk):
    """One scorecard's score sheet (criterion, base, self, each assessor, board, settled) as XLSX."""
    scorecard = get_object_or_404(
        scope(request.user, Scorecard.objects.select_related("table__campaign", "unit")),
        pk=pk,
        table__campaign__in=scope(request.user, Campaign.objects.all()),
    )
    require_perm(request.user, "scoring.view_ranking", scorecard.table)
    code = f"{scorecard.unit.code}-{scorecard.pk}"
    return _xlsx(scorecard_sheet_xlsx(scorecard), export_filename(scorecard.table, f"phieu-diem-{code}"))


urlpatterns = [
    path("ranking/campaign/<int:pk>/", ranking_campaign, name="ranking_campaign"),
    path("ranking/<int:pk>/", ranking_table, name="ranking_table"),
    path("ranking/<int:pk>/tie/", ranking_tie, name="ranking_tie"),
    path("ranking/<int:pk>/ranking.xlsx", ranking_export_cluster, name="ranking_export_cluster"),
    path("ranking/<int:pk>/matrix.xlsx", ranking_export_matrix, name="ranking_export_matrix"),
    path("ranking/scorecard/<int:pk>.xlsx", ranking_export_scorecard, name="ranking_export_scorecard"),
]
