"""The integration API (issue 8 item 9): the pieces every app's ``api.py`` shares, and the competition resources
(campaigns, units, indicators, progress reports). The router and the schema are in ``config/api.py``.

Thin, like the views (architecture principles 4, 6 and 7): every queryset goes through
:func:`competition.scoping.scope`, every object through the ``rules`` view permission of its app (a refusal is a
404, as for an object out of scope: nobody learns that a record exists), every change of state through the service
the web page calls (``workflows.transition`` inside). Query parameters are checked by a plain serializer; a value
that is not valid is a 400 with the parameter's errors.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated

from accounts.permissions import PasswordChanged
from workflows.door import allowed_transitions, permission_name, transition_label
from workflows.privacy import record_access

from .enums import CampaignLevel, CampaignState, UnitKind
from .models import Campaign, Indicator, ProgressReport, Unit
from .scoping import scope

# The largest id a filter accepts: beyond it no row exists, and SQLite cannot even compare it.
MAX_ID = 2**63 - 1


# --- Shared pieces -------------------------------------------------------------------------------------------------


class ApiPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (50 by default, at most 200: a larger size gives 200). A page size that is not
    a positive whole number (or a page that is not) is a 400, not silently the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()  # a page is a number

    def _check_positive(self, request, name: str) -> None:
        raw = request.query_params.get(name)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise ValidationError({name: [_("Hãy nhập một số nguyên dương.")]})

    def get_page_number(self, request, paginator):
        self._check_positive(request, self.page_query_param)
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        self._check_positive(request, self.page_size_query_param)
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


class ViewPermission(BasePermission):
    """The object's ``rules`` view permission (``view.view_permission``, checked on ``view.permission_target(obj)``);
    a refusal is a 404, never a 403, so that an object outside the user's reach is indistinguishable from none."""

    def has_object_permission(self, request, view, obj) -> bool:
        if not request.user.has_perm(view.view_permission, view.permission_target(obj)):
            raise NotFound
        return True


def note_personal_data(context: dict, obj: Model, data: dict, fields) -> None:
    """Remember that a serializer returned the personal ``fields`` of ``obj`` (those not empty in ``data``), so
    that the view records the reading (``workflows.privacy.record_access``; domain rule 16)."""
    shown = tuple(sorted(name for name in fields if data.get(name) not in (None, "")))
    if shown and "personal_data_shown" in context:
        context["personal_data_shown"].setdefault(shown, []).append(obj)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("Thông báo lỗi (tiếng Việt)."))


class RefusalSerializer(serializers.Serializer):
    """A refusal of the rules (``TransitionRefused``) or a conflict (``ConflictError``): 409."""

    detail = serializers.CharField(help_text=_("Thông báo của nghiệp vụ (tiếng Việt)."))
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text=_("Từng điều kiện chưa đáp ứng (có thể rỗng).")
    )


ERROR_RESPONSES = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT, description=_("Dữ liệu hoặc tham số không hợp lệ: lỗi theo từng trường.")
    ),
    401: OpenApiResponse(ErrorSerializer, description=_("Chưa xác thực, hoặc mã truy cập (token) không hợp lệ.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Không có quyền thực hiện thao tác này.")),
    404: OpenApiResponse(ErrorSerializer, description=_("Không tìm thấy, hoặc nằm ngoài phạm vi được xem.")),
    405: OpenApiResponse(ErrorSerializer, description=_("Phương thức không được hỗ trợ.")),
    406: OpenApiResponse(ErrorSerializer, description=_("Định dạng trả về không được hỗ trợ (chỉ JSON).")),
    409: OpenApiResponse(
        RefusalSerializer, description=_("Nghiệp vụ từ chối, hoặc hồ sơ vừa được người khác thay đổi.")
    ),
    415: OpenApiResponse(ErrorSerializer, description=_("Kiểu nội dung gửi lên không được hỗ trợ (chỉ JSON).")),
    429: OpenApiResponse(ErrorSerializer, description=_("Vượt giới hạn số yêu cầu; thử lại sau.")),
}
READ_ERRORS = (400, 401, 403, 404, 405, 406, 429)
WRITE_ERRORS = (400, 401, 403, 404, 405, 406, 409, 415, 429)


def responses(ok: dict, errors=READ_ERRORS) -> dict:
    """``ok`` (status → serializer) with the error responses ``errors`` for ``extend_schema``."""
    return {**ok, **{code: ERROR_RESPONSES[code] for code in errors}}


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Tên thao tác chuyển trạng thái."))
    label = serializers.CharField(help_text=_("Tên thao tác bằng tiếng Việt."))


def transitions_for(obj: Model, user, *, only=None) -> list[dict]:
    """The transitions ``user`` may perform now on ``obj`` (the door's :func:`allowed_transitions`: state, conditions
    and permission), each with its Vietnamese label; ``only``: keep these names only.

    The door evaluates conditions (some query the database) before permissions; when the user holds the permission
    of no transition leaving the current state the answer is empty anyway, and the door is not asked."""
    candidates = []
    for field in obj._meta.fields:
        if hasattr(field, "get_all_transitions"):
            state = getattr(obj, field.attname)
            candidates += [t.name for t in field.get_all_transitions(obj.__class__) if t.source in (state, "*", "+")]
    if only is not None:
        candidates = [name for name in candidates if name in only]
    if not any(user.has_perm(permission_name(obj.__class__, name), obj) for name in candidates):
        return []
    return [
        {"name": name, "label": transition_label(getattr(obj, name))}
        for name in allowed_transitions(obj, user)
        if only is None or name in only
    ]


@extend_schema_field(TransitionSerializer(many=True))
class TransitionsField(serializers.Field):
    """``allowed_transitions`` of the record for the user of the request (read-only)."""

    def __init__(self, only=None, **kwargs):
        self.only = only
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", _("Các thao tác chuyển trạng thái người gọi được thực hiện lúc này."))
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return transitions_for(obj, self.context["request"].user, only=self.only)


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id of a ``model`` record the user of the request sees (the scoping function); any other is "not found"."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self):
        return scope(self.context["request"].user, self.model._default_manager.all())


def id_filter(help_text) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=help_text)


class ScopedViewSet(viewsets.GenericViewSet):
    """A resource read through the scoping function, paginated, with its query parameters checked by
    ``filter_serializer`` and applied by :meth:`apply_filters` (on lists only)."""

    pagination_class = ApiPagination
    permission_classes = [IsAuthenticated, PasswordChanged, ViewPermission]
    view_permission: str = ""
    filter_serializer: type[serializers.Serializer] | None = None

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return scope(self.request.user, self.base_queryset())

    def permission_target(self, obj: Model) -> Model:
        return obj

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action != "list" or self.filter_serializer is None:
            return queryset
        query = self.request.query_params
        params = self.filter_serializer(data=query)
        # A parameter given empty is an error too (the serializer would take it as absent).
        blank = {name: [_("Giá trị không được để trống.")] for name in params.fields if query.get(name) == ""}
        if blank or not params.is_valid():
            raise ValidationError(blank or params.errors)
        return self.apply_filters(queryset, {k: v for k, v in params.validated_data.items() if v not in (None, "")})

    def apply_filters(self, queryset: QuerySet, params: dict) -> QuerySet:
        return queryset

    # Personal data (domain rule 16): what the serializers showed is recorded once the response is ready.
    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["personal_data_shown"] = self.personal_data_shown
        return context

    @property
    def personal_data_shown(self) -> dict[tuple[str, ...], list[Model]]:
        if not hasattr(self, "_personal_data_shown"):
            self._personal_data_shown = {}
        return self._personal_data_shown

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code < 400:
            for fields, objects in self.personal_data_shown.items():
                record_access(request.user, objects, fields=fields, purpose=f"api:{self.basename}")
        return super().finalize_response(request, response, *args, **kwargs)


class ScopedReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    pass


def read_only_schema(name: str, serializer, filters=None):
    """``extend_schema_view`` for a read-only resource: its list (with the filters) and retrieve operations."""
    return extend_schema_view(
        list=extend_schema(
            summary=format_lazy("{}: {}", _("Danh sách"), name),
            parameters=[filters] if filters else None,
            responses=responses({200: serializer(many=True)}),
        ),
        retrieve=extend_schema(
            summary=format_lazy("{}: {}", _("Chi tiết"), name),
            responses=responses({200: serializer}),
        ),
    )


# --- Serializers -----------------------------------------------------------------------------------------------------


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent", "path", "head_title", "dissolved_on", "successor"]


class CampaignSerializer(serializers.ModelSerializer):
    rule_set = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    award_type_codes = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("Mã các hình thức khen thưởng của phong trào.")
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    allowed_transitions = TransitionsField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "code",
            "name",
            "level",
            "is_thematic",
            "issuing_body",
            "plan_number",
            "plan_date",
            "plan_summary",
            "start_date",
            "end_date",
            "plan_deadline",
            "interim_review_date",
            "self_scoring_deadline",
            "nomination_deadline",
            "summary_date",
            "award_type_codes",
            "rule_set",
            "state",
            "state_label",
            "launched_at",
            "allowed_transitions",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    applies_to = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("Loại đơn vị áp dụng; rỗng: mọi đơn vị.")
    )

    class Meta:
        model = Indicator
        fields = [
            "id",
            "campaign",
            "code",
            "name",
            "numerator_label",
            "denominator_label",
            "target_percent",
            "parent",
            "applies_to",
            "order",
        ]


class PeriodBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    due = serializers.DateField()


class IndicatorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name"]


class ProgressReportSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="period.campaign_id", read_only=True)
    period = PeriodBriefSerializer(read_only=True)
    unit = UnitBriefSerializer(read_only=True)
    indicator = IndicatorBriefSerializer(read_only=True)
    percent = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text=_("Tử số / mẫu số × 100, làm tròn 0,1; rỗng khi mẫu số bằng 0."),
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "campaign",
            "period",
            "unit",
            "indicator",
            "numerator",
            "denominator",
            "percent",
            "evidence",
            "reported_at",
        ]


# --- Query parameters --------------------------------------------------------------------------------------------


class CampaignFilters(serializers.Serializer):
    state = serializers.ChoiceField(choices=CampaignState.choices, required=False, help_text=_("Trạng thái."))
    level = serializers.ChoiceField(choices=CampaignLevel.choices, required=False, help_text=_("Cấp phát động."))
    unit = id_filter(_("Chỉ các phong trào có đơn vị này tham gia (id đơn vị)."))


class UnitFilters(serializers.Serializer):
    campaign = id_filter(_("Chỉ các đơn vị tham gia phong trào này (id phong trào)."))
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False, help_text=_("Loại đơn vị."))
    parent = id_filter(_("Chỉ các đơn vị trực thuộc đơn vị này (id đơn vị)."))


class IndicatorFilters(serializers.Serializer):
    campaign = id_filter(_("Chỉ tiêu của phong trào này (id phong trào)."))


class ProgressFilters(serializers.Serializer):
    campaign = id_filter(_("Phong trào (id)."))
    period = id_filter(_("Kỳ báo cáo (id)."))
    unit = id_filter(_("Đơn vị (id)."))
    indicator = id_filter(_("Chỉ tiêu (id)."))


# --- Viewsets --------------------------------------------------------------------------------------------------------


@read_only_schema(_("phong trào thi đua"), CampaignSerializer, CampaignFilters)
class CampaignViewSet(ScopedReadOnlyViewSet):
    """Campaigns (phong trào thi đua) the user sees: a unit's clerk and head, those their unit takes part in, once
    launched; the board, every one."""

    serializer_class = CampaignSerializer
    filter_serializer = CampaignFilters
    view_permission = "competition.view_campaign"

    def base_queryset(self):
        return Campaign.objects.select_related("rule_set")

    def apply_filters(self, queryset, params):
        if "state" in params:
            queryset = queryset.filter(state=params["state"])
        if "level" in params:
            queryset = queryset.filter(level=params["level"])
        if "unit" in params:
            queryset = queryset.filter(pk__in=Campaign.objects.filter(enrolments__unit_id=params["unit"]).values("pk"))
        return queryset


@read_only_schema(_("đơn vị"), UnitSerializer, UnitFilters)
class UnitViewSet(ScopedReadOnlyViewSet):
    """Units (đơn vị) the user sees: a unit's clerk and head, their unit and its sub-units."""

    serializer_class = UnitSerializer
    filter_serializer = UnitFilters
    view_permission = "competition.view_unit"

    def base_queryset(self):
        return Unit.objects.all()

    def apply_filters(self, queryset, params):
        if "campaign" in params:
            queryset = queryset.filter(
                pk__in=Unit.objects.filter(enrolments__campaign_id=params["campaign"]).values("pk")
            )
        if "kind" in params:
            queryset = queryset.filter(kind=params["kind"])
        if "parent" in params:
            queryset = queryset.filter(parent_id=params["parent"])
        return queryset


@read_only_schema(_("chỉ tiêu"), IndicatorSerializer, IndicatorFilters)
class IndicatorViewSet(ScopedReadOnlyViewSet):
    """The indicators (chỉ tiêu) of the campaigns the user sees; their values are the progress reports."""

    serializer_class = IndicatorSerializer
    filter_serializer = IndicatorFilters
    view_permission = "competition.view_campaign"

    def base_queryset(self):
        return Indicator.objects.all()

    def get_queryset(self):
        # An indicator belongs to its campaign: it is seen with the campaign (the scoping function decides which).
        return self.base_queryset().filter(campaign__in=scope(self.request.user, Campaign.objects.all()))

    def permission_target(self, obj):
        return obj.campaign

    def apply_filters(self, queryset, params):
        if "campaign" in params:
            queryset = queryset.filter(campaign_id=params["campaign"])
        return queryset


@read_only_schema(_("báo cáo tiến độ chỉ tiêu"), ProgressReportSerializer, ProgressFilters)
class ProgressReportViewSet(ScopedReadOnlyViewSet):
    """A unit's value on one indicator for one period (báo cáo tiến độ): numerator, denominator and percentage."""

    serializer_class = ProgressReportSerializer
    filter_serializer = ProgressFilters
    view_permission = "competition.view_unit_progress"

    def base_queryset(self):
        return ProgressReport.objects.select_related("period", "unit", "indicator")

    def permission_target(self, obj):
        return obj.unit

    def apply_filters(self, queryset, params):
        if "campaign" in params:
            queryset = queryset.filter(period__campaign_id=params["campaign"])
        for name in ("period", "unit", "indicator"):
            if name in params:
                queryset = queryset.filter(**{f"{name}_id": params[name]})
        return queryset


ROUTES = [
    ("campaigns", CampaignViewSet, "campaign"),
    ("units", UnitViewSet, "unit"),
    ("indicators", IndicatorViewSet, "indicator"),
    ("progress-reports", ProgressReportViewSet, "progress-report"),
]
