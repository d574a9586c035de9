from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One event of the append-only, hash-chained timeline (architecture principle 5).

    ``body`` is the canonical text of the event (sorted-key JSON, stored as text and never re-serialised), and
    ``hash`` = SHA-256 of ``body``, which itself contains the previous event's hash. ``verify_audit`` recomputes
    both and checks that every column agrees with the body, so changing any stored byte breaks the chain.
    """

    sequence = models.PositiveBigIntegerField(_("số thứ tự"), primary_key=True)
    created_at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("người thực hiện (tên)"), max_length=150)
    action = models.CharField(_("hành động"), max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("đối tượng"), max_length=300, blank=True)
    from_state = models.CharField(_("từ trạng thái"), max_length=50, blank=True)
    to_state = models.CharField(_("đến trạng thái"), max_length=50, blank=True)
    body = models.TextField(_("nội dung chuẩn hoá"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký kiểm toán")
        indexes = [models.Index(fields=["content_type", "object_id", "sequence"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_repr}"

    @property
    def action_display(self) -> str:
        from .audit import action_label

        return action_label(self.action)

    def _state_label(self, value: str) -> str:
        # get_for_id reads ContentType's shared cache: a page of events costs no query per event.
        model = ContentType.objects.get_for_id(self.content_type_id).model_class() if self.content_type_id else None
        field_name = self.payload.get("field")
        if not value or model is None or not field_name:
            return value
        try:
            field = model._meta.get_field(field_name)
        except Exception:  # noqa: BLE001 - a renamed field must not break the history page
            return value
        return str(dict(field.flatchoices).get(value, value))

    @property
    def from_state_display(self) -> str:
        return self._state_label(self.from_state)

    @property
    def to_state_display(self) -> str:
        return self._state_label(self.to_state)

    @cached_property
    def payload(self) -> dict:
        """The event's payload, read from ``body`` once per instance (the history pages ask for it several times per
        event; ``body`` is never rewritten)."""
        import json

        return json.loads(self.body).get("payload", {})


class ChainHead(models.Model):
    """The single row whose lock serialises appends to the audit chain; it also remembers the last hash, and the
    last event that was not a record edit (``workflows.audit.RECORD_EDITS``): the outline the data cache keys lists,
    inboxes and dashboards by (workflows/datacache.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    outline_sequence = models.PositiveBigIntegerField(default=0)
    outline_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"


class WorkdayOverride(models.Model):
    """A day the board declares different from the national calendar: a swapped day off or a make-up workday."""

    class Kind(models.TextChoices):
        DAY_OFF = "off", _("Ngày nghỉ (nghỉ bù, hoán đổi)")
        WORKING_DAY = "work", _("Ngày làm việc bù")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=4, choices=Kind.choices)
    note = models.CharField(_("căn cứ / ghi chú"), max_length=300, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày điều chỉnh lịch làm việc")
        verbose_name_plural = _("lịch làm việc điều chỉnh")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


class Notification(models.Model):
    """An in-app notification for one user; its idempotency key makes sending it twice impossible."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(_("khoá chống trùng"), max_length=200, unique=True)
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("liên kết"), max_length=300, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("đã gửi thư lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class StandInQuerySet(models.QuerySet):
    def active(self, on=None):
        """Stand-ins in force on ``on`` (default today): not cancelled, and ``starts_on ≤ on ≤ ends_on``."""
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(cancelled_at__isnull=True, starts_on__lte=day, ends_on__gte=day)


class StandIn(models.Model):
    """While ``absent`` is away (leave, mission), ``stand_in`` takes their work: the tasks assigned to them show in
    the stand-in's inbox and their reminders go to the stand-in too. Named by the officer or by the board's head;
    see workflows/assignments.py."""

    absent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người vắng"), on_delete=models.CASCADE, related_name="stand_ins"
    )
    stand_in = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thay"),
        on_delete=models.CASCADE,
        related_name="standing_in_for",
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("huỷ lúc"), null=True, blank=True)

    objects = StandInQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("người làm thay")
        verbose_name_plural = _("người làm thay")

    def __str__(self) -> str:
        return f"{self.stand_in} ↔ {self.absent}"


class PersonalDataAccess(models.Model):
    """One reading of personal data (birth dates, ID numbers, gender: Decree 13/2023/NĐ-CP; domain rule 16) by one
    person: who, when, what records, which fields, for what. Written by ``workflows.privacy.record_access``
    wherever such data leaves the product for a person (the API, exports); read by the auditor. The product only
    appends to it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_label = models.CharField(_("người xem"), max_length=150)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    fields = models.JSONField(_("trường dữ liệu"), default=list)
    purpose = models.CharField(_("mục đích, kênh"), max_length=100)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("lượt xem dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký xem dữ liệu cá nhân")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.user_label} {self.at:%Y-%m-%d %H:%M} {self.purpose}"
