"""The integration API's scoring resources (issue 8 item 9): scorecards (phiếu chấm điểm), read-only.

Scorecards are read through the scoping function (a unit's clerk and head: their unit's; the board: every one) and
the ``scoring.view_scorecard`` permission. Shared pieces: ``competition/api.py``; the router: ``config/api.py``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from competition.api import (
    ScopedReadOnlyViewSet,
    TransitionsField,
    UnitBriefSerializer,
    id_filter,
    note_personal_data,
    read_only_schema,
)

from .enums import ScorecardState, Subject
from .models import Scorecard, ScoringTable


class TableBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringTable
        fields = ["id", "name", "subject"]


class ScorecardSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="table.campaign_id", read_only=True)
    table = TableBriefSerializer(read_only=True)
    unit = UnitBriefSerializer(read_only=True)
    person_is_female = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Giới tính của cá nhân là dữ liệu cá nhân (Nghị định 13/2023/NĐ-CP): chỉ trả về cho người được xem "
            "(đơn vị của phiếu, Ban Thi đua - Khen thưởng, Sở Khoa học và Công nghệ); người khác nhận giá trị rỗng."
        ),
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    allowed_transitions = TransitionsField()

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "campaign",
            "table",
            "unit",
            "person_name",
            "person_position",
            "person_is_female",
            "person_is_leader",
            "women_percent",
            "state",
            "state_label",
            "self_total",
            "final_total",
            "classification",
            "submitted_at",
            "finalized_at",
            "published_at",
            "allowed_transitions",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        # A person's gender: who reads the rankings' personal explanations, and the scorecard's own unit.
        if not (
            user.has_perm("scoring.view_ranking_personal", instance.table)
            or user.has_perm("scoring.change_scorecard", instance)
        ):
            data["person_is_female"] = None
        elif instance.person_name:  # an individual's scorecard: their gender was read
            note_personal_data(self.context, instance, data, ("person_is_female",))
        return data


class ScorecardFilters(serializers.Serializer):
    campaign = id_filter(_("Phong trào (id)."))
    table = id_filter(_("Bảng chấm điểm (id)."))
    unit = id_filter(_("Đơn vị (id)."))
    state = serializers.ChoiceField(choices=ScorecardState.choices, required=False, help_text=_("Trạng thái."))
    subject = serializers.ChoiceField(choices=Subject.choices, required=False, help_text=_("Đối tượng chấm."))


@read_only_schema(_("phiếu chấm điểm"), ScorecardSerializer, ScorecardFilters)
class ScorecardViewSet(ScopedReadOnlyViewSet):
    """Scorecards: self-scoring of a unit (or one of its people), the board's final total and class."""

    serializer_class = ScorecardSerializer
    filter_serializer = ScorecardFilters
    view_permission = "scoring.view_scorecard"

    def base_queryset(self):
        return Scorecard.objects.select_related("table", "unit")

    def apply_filters(self, queryset, params):
        if "campaign" in params:
            queryset = queryset.filter(table__campaign_id=params["campaign"])
        if "table" in params:
            queryset = queryset.filter(table_id=params["table"])
        if "unit" in params:
            queryset = queryset.filter(unit_id=params["unit"])
        if "state" in params:
            queryset = queryset.filter(state=params["state"])
        if "subject" in params:
            queryset = queryset.filter(table__subject=params["subject"])
        return queryset


ROUTES = [("scorecards", ScorecardViewSet, "scorecard")]
