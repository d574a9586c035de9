"""The integration API's nomination resources (issue 8 item 9): dossiers with their nominees, award decisions with
their lines; drafting a dossier, adding a nominee, the dossier's transitions and signing a decision.

Thin (architecture principles 4 and 6): each write calls the service the web page calls —
``create_dossier``, ``add_nominee``, the web's own map of transitions (``nominations.views.STEPS``, and
``return_dossier`` for a return, as the web's return does), ``sign_decision`` — and every change of state goes
through the door there. Refusals become 403 (``TransitionForbidden``) or 409 (``TransitionRefused``,
``ConflictError``) with the service's Vietnamese message (``config/api.py``).

Personal data (domain rule 16, Decree 13/2023/NĐ-CP): a nominee's birth date, ID number and gender are returned
only to holders of ``nominations.view_personal_data_nominee`` on that nominee; others get null. Award lines never
carry them.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from competition.api import (
    WRITE_ERRORS,
    ScopedPrimaryKeyField,
    ScopedViewSet,
    TransitionsField,
    UnitBriefSerializer,
    id_filter,
    note_personal_data,
    read_only_schema,
    responses,
)
from competition.models import Campaign, Unit
from competition.scoping import scope, user_unit

from .enums import DecisionState, DossierState, Gender, NomineeKind
from .models import Award, AwardDecision, Dossier, Nominee
from .services import decisions as decision_services
from .services import dossiers as dossier_services
from .views import STEPS

PERSONAL_FIELDS = tuple(sorted(dossier_services.PERSONAL_FIELDS))
PERSONAL_PERM = "nominations.view_personal_data_nominee"
# Returns for supplementation: both names go to ``return_dossier``, which applies the one the dossier's state takes
# (at receipt or during appraisal), as the web's return does.
RETURNS = ("send_back", "send_back_in_appraisal")
# The transitions a client performs here: the web's map, and the returns. "council_review" follows the council's
# session, "decide" the signing of the decision (POST /decisions/{id}/sign/).
API_TRANSITIONS = (*STEPS, *RETURNS)


# --- Serializers ---------------------------------------------------------------------------------------------------


class NomineeSerializer(serializers.ModelSerializer):
    gender = serializers.ChoiceField(
        choices=Gender.choices,
        allow_blank=True,
        allow_null=True,
        read_only=True,
        help_text=_("Dữ liệu cá nhân: rỗng (null) với người không được xem."),
    )
    birth_date = serializers.DateField(
        allow_null=True, read_only=True, help_text=_("Dữ liệu cá nhân: rỗng (null) với người không được xem.")
    )
    id_number = serializers.CharField(
        allow_null=True,
        allow_blank=True,
        read_only=True,
        help_text=_("Dữ liệu cá nhân: rỗng (null) với người không được xem."),
    )

    class Meta:
        model = Nominee
        fields = [
            "id",
            "kind",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "position",
            "work_unit",
            "collective_unit",
            "direct_worker",
            "achievement",
            "appraisal_result",
            "appraisal_note",
            "council_result",
            "order",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._may_see_personal_data(instance):
            for name in PERSONAL_FIELDS:
                data[name] = None
        else:
            note_personal_data(self.context, instance, data, PERSONAL_FIELDS)
        return data

    def _may_see_personal_data(self, nominee: Nominee) -> bool:
        # The permission depends on the nominee's dossier only: asked once per dossier of the response.
        cache = self.context.setdefault("personal_data_by_dossier", {})
        if nominee.dossier_id not in cache:
            cache[nominee.dossier_id] = self.context["request"].user.has_perm(PERSONAL_PERM, nominee)
        return cache[nominee.dossier_id]


class DossierSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    deciding_unit = UnitBriefSerializer(read_only=True)
    rule_set = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    nominees = NomineeSerializer(many=True, read_only=True)
    allowed_transitions = TransitionsField(
        only=API_TRANSITIONS,
        help_text=_(
            "Các thao tác người gọi được thực hiện lúc này qua POST /api/v1/dossiers/{id}/transitions/{name}/."
        ),
    )

    class Meta:
        model = Dossier
        fields = [
            "id",
            "campaign",
            "unit",
            "deciding_unit",
            "award_type_code",
            "rule_set",
            "title",
            "letter_number",
            "letter_date",
            "state",
            "state_label",
            "return_reason",
            "submitted_at",
            "received_at",
            "appraised_at",
            "proposed_at",
            "decided_at",
            "decision",
            "created_at",
            "nominees",
            "allowed_transitions",
        ]
        read_only_fields = fields


class DossierCreateSerializer(serializers.Serializer):
    """A new dossier of the user's own unit (``create_dossier``)."""

    campaign = ScopedPrimaryKeyField(Campaign, help_text=_("Phong trào (id), đang nhận hồ sơ, có đơn vị tham gia."))
    award_type_code = serializers.CharField(
        max_length=50, help_text=_("Mã hình thức khen thưởng, thuộc các hình thức của phong trào.")
    )
    title = serializers.CharField(max_length=300, help_text=_("Trích yếu."))
    letter_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text=_("Số tờ trình của đơn vị.")
    )
    letter_date = serializers.DateField(required=False, allow_null=True, help_text=_("Ngày tờ trình."))


class NomineeCreateSerializer(serializers.Serializer):
    """A person, collective or household added to a dossier (``add_nominee``)."""

    kind = serializers.ChoiceField(choices=NomineeKind.choices, help_text=_("Loại."))
    name = serializers.CharField(max_length=255, help_text=_("Họ tên / tên tập thể."))
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("Cá nhân: ngày sinh hoặc số định danh (để kiểm tra trùng lặp).")
    )
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    position = serializers.CharField(max_length=255, required=False, allow_blank=True)
    work_unit = serializers.CharField(max_length=255, required=False, allow_blank=True)
    collective_unit = ScopedPrimaryKeyField(
        Unit, required=False, allow_null=True, help_text=_("Tập thể là một đơn vị (id).")
    )
    direct_worker = serializers.BooleanField(required=False)
    achievement = serializers.CharField(required=False, allow_blank=True)


class ReturnItemSerializer(serializers.Serializer):
    target = serializers.CharField(
        max_length=200, help_text=_("“document:<mã>”, “document:<mã>:<id người>” hoặc “nominee:<id>”.")
    )
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class TransitionRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text=_("Lý do (bắt buộc khi trả lại hồ sơ để bổ sung, nếu không ghi theo từng mục)."),
    )
    items = ReturnItemSerializer(many=True, required=False, help_text=_("Khi trả lại: lý do theo từng mục của hồ sơ."))


class AwardLineSerializer(serializers.ModelSerializer):
    """One line of the annexed list: never a birth date, ID number or gender."""

    payment_state_label = serializers.CharField(source="get_payment_state_display", read_only=True)
    allowed_transitions = TransitionsField(help_text=_("Các thao tác chi trả người gọi được thực hiện lúc này."))

    class Meta:
        model = Award
        fields = [
            "id",
            "nominee",
            "subject_kind",
            "name",
            "title_and_unit",
            "coefficient",
            "base_salary",
            "amount",
            "order",
            "certificate_code",
            "payment_state",
            "payment_state_label",
            "allowed_transitions",
        ]
        read_only_fields = fields


class AwardTypeBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DecisionSerializer(serializers.ModelSerializer):
    issuing_unit = UnitBriefSerializer(read_only=True)
    award_type = AwardTypeBriefSerializer(read_only=True)
    rule_set = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    total = serializers.SerializerMethodField(help_text=_("Tổng tiền thưởng (đồng)."))
    awards = AwardLineSerializer(many=True, read_only=True)
    allowed_transitions = TransitionsField()

    class Meta:
        model = AwardDecision
        fields = [
            "id",
            "campaign",
            "issuing_unit",
            "authority",
            "award_type",
            "rule_set",
            "number",
            "year",
            "symbol",
            "issued_on",
            "place",
            "signer_name",
            "signer_authority",
            "submission_letter_number",
            "submission_letter_date",
            "state",
            "state_label",
            "signed_at",
            "published_at",
            "verification_code",
            "audit_head_hash",
            "total",
            "awards",
            "allowed_transitions",
        ]
        read_only_fields = fields

    def get_total(self, obj) -> int:
        return sum(a.amount for a in obj.awards.all())


# --- Query parameters --------------------------------------------------------------------------------------------


class DossierFilters(serializers.Serializer):
    campaign = id_filter(_("Phong trào (id)."))
    state = serializers.ChoiceField(choices=DossierState.choices, required=False, help_text=_("Trạng thái."))
    unit = id_filter(_("Đơn vị đề nghị (id)."))


class DecisionFilters(serializers.Serializer):
    campaign = id_filter(_("Phong trào (id)."))
    state = serializers.ChoiceField(choices=DecisionState.choices, required=False, help_text=_("Trạng thái."))
    unit = id_filter(_("Cơ quan ban hành (id đơn vị)."))


def _valid(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return serializer.validated_data


# --- Viewsets --------------------------------------------------------------------------------------------------------


@read_only_schema(_("hồ sơ đề nghị khen thưởng"), DossierSerializer, DossierFilters)
class DossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Nomination dossiers (hồ sơ đề nghị khen thưởng) with their nominees."""

    serializer_class = DossierSerializer
    filter_serializer = DossierFilters
    view_permission = "nominations.view_dossier"

    def base_queryset(self):
        return Dossier.objects.select_related("campaign", "unit", "deciding_unit", "rule_set", "decision")

    def get_queryset(self):
        nominees = scope(self.request.user, Nominee.objects.order_by("order", "pk"))
        return super().get_queryset().prefetch_related(Prefetch("nominees", queryset=nominees))

    def apply_filters(self, queryset, params):
        if "campaign" in params:
            queryset = queryset.filter(campaign_id=params["campaign"])
        if "state" in params:
            queryset = queryset.filter(state=params["state"])
        if "unit" in params:
            queryset = queryset.filter(unit_id=params["unit"])
        return queryset

    def _out(self, pk: int, **kwargs) -> Response:
        """The dossier as the caller now sees it (after a change it may have left their scope: then as it is)."""
        dossier = self.get_queryset().filter(pk=pk).first() or self.base_queryset().get(pk=pk)
        return Response(self.get_serializer(dossier).data, **kwargs)

    @extend_schema(
        summary=_("Lập hồ sơ đề nghị khen thưởng của đơn vị mình"),
        request=DossierCreateSerializer,
        responses=responses({201: DossierSerializer}, WRITE_ERRORS),
    )
    def create(self, request):
        data = dict(_valid(DossierCreateSerializer, request))
        campaign = data.pop("campaign")
        dossier = dossier_services.create_dossier(campaign, unit=user_unit(request.user), actor=request.user, **data)
        return self._out(dossier.pk, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Thêm người, tập thể được đề nghị"),
        request=NomineeCreateSerializer,
        responses=responses({201: NomineeSerializer}, WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def nominees(self, request, pk=None):
        dossier = self.get_object()
        nominee = dossier_services.add_nominee(dossier, actor=request.user, **_valid(NomineeCreateSerializer, request))
        data = NomineeSerializer(nominee, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Chuyển trạng thái hồ sơ"),
        parameters=[
            OpenApiParameter(
                "name",
                str,
                OpenApiParameter.PATH,
                enum=list(API_TRANSITIONS),
                description=_(
                    "submit: gửi (thủ trưởng đơn vị); receive: tiếp nhận; send_back, send_back_in_appraisal: "
                    "trả lại để bổ sung (cần lý do); appraise: hoàn thành thẩm định."
                ),
            )
        ],
        request=TransitionRequestSerializer,
        responses=responses({200: DossierSerializer}, WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[^/.]+)")
    def transitions(self, request, pk=None, name=None):
        if name not in API_TRANSITIONS:
            raise NotFound
        dossier = self.get_object()
        data = _valid(TransitionRequestSerializer, request)
        if name in RETURNS:
            dossier_services.return_dossier(
                dossier, actor=request.user, reason=data.get("reason", ""), items=data.get("items", ())
            )
        else:
            STEPS[name](dossier, actor=request.user)
        return self._out(dossier.pk)


@read_only_schema(_("quyết định khen thưởng"), DecisionSerializer, DecisionFilters)
class DecisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Award decisions (quyết định khen thưởng) with their annexed list and money."""

    serializer_class = DecisionSerializer
    filter_serializer = DecisionFilters
    view_permission = "nominations.view_awarddecision"

    def base_queryset(self):
        return AwardDecision.objects.select_related("campaign", "issuing_unit", "award_type", "rule_set")

    def get_queryset(self):
        lines = scope(self.request.user, Award.objects.order_by("subject_kind", "order", "pk"))
        return super().get_queryset().prefetch_related(Prefetch("awards", queryset=lines))

    def apply_filters(self, queryset, params):
        if "campaign" in params:
            queryset = queryset.filter(campaign_id=params["campaign"])
        if "state" in params:
            queryset = queryset.filter(state=params["state"])
        if "unit" in params:
            queryset = queryset.filter(issuing_unit_id=params["unit"])
        return queryset

    @extend_schema(
        summary=_("Ký quyết định khen thưởng"),
        request=None,
        responses=responses({200: DecisionSerializer}, WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        decision = self.get_object()
        decision_services.sign_decision(decision, actor=request.user)
        fresh = self.get_queryset().filter(pk=decision.pk).first() or self.base_queryset().get(pk=decision.pk)
        return Response(self.get_serializer(fresh).data)


ROUTES = [
    ("dossiers", DossierViewSet, "dossier"),
    ("decisions", DecisionViewSet, "decision"),
]
