from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import ClusterKind, UnitKind


class Unit(models.Model):
    """An organisation in the province's tree: the province, departments, communes and wards, organisations,
    enterprises, and bodies within them. ``code`` is the official code and the natural key of imports."""

    code = models.CharField(_("mã đơn vị"), max_length=32, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of codes ("/19/05443/"): the scoping function selects a unit and its sub-units by prefix.
    path = models.CharField(max_length=1000, db_index=True, editable=False)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    head_title = models.CharField(_("chức danh thủ trưởng"), max_length=150, blank=True)
    dissolved_on = models.DateField(_("ngày giải thể, sáp nhập"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return self.name

    @property
    def is_dissolved(self) -> bool:
        return self.dissolved_on is not None

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)

    def compute_path(self) -> str:
        return f"{self.parent.path if self.parent_id else '/'}{self.code}/"


class Cluster(models.Model):
    """An emulation cluster (cụm) or bloc (khối): units ranked against each other."""

    code = models.CharField(_("mã cụm, khối"), max_length=32, unique=True)
    name = models.CharField(_("tên cụm, khối"), max_length=255)
    kind = models.CharField(_("loại"), max_length=10, choices=ClusterKind.choices, default=ClusterKind.CLUSTER)
    units = models.ManyToManyField(Unit, verbose_name=_("đơn vị thành viên"), related_name="clusters", blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("cụm, khối thi đua")
        verbose_name_plural = _("cụm, khối thi đua")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """The unit a user belongs to."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="memberships")

    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("thành viên đơn vị")
        verbose_name_plural = _("thành viên đơn vị")

    def __str__(self) -> str:
        return f"{self.user} — {self.unit}"
