"""django-import-export resources of the competition app.

The unit file's columns (see docs/import-units.md): ``code`` (mã đơn vị, the natural key), ``name``, ``kind``,
``parent_code``, ``email``, ``phone``, ``dissolved_on``, ``successor_code``, ``cluster_code``. The service
(:mod:`competition.services.units`) maps the headers a person types (Vietnamese, with or without diacritics) to
these keys, validates every row before any write, and hands the resource only the rows that are new or changed.
The resource writes the unit's own columns in bulk; the tree (parent, successor, path) and cluster membership
need the whole file and are linked by the service afterwards, in the same transaction.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from .enums import UnitKind
from .models import Unit


def fold(text: object) -> str:
    """Lower case, without diacritics (đ → d), punctuation and runs of spaces collapsed to one space.

    ``fold("Sở, ban, ngành") == "so ban nganh"``; used to match kinds, roles and headers as people type them.
    """
    value = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    value = "".join(ch for ch in value if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", value).split())


def choice_lookup(choices: type) -> dict[str, str]:
    """Folded value and label (Vietnamese source and the active language) → the stored value."""
    return _choice_lookup(choices, translation.get_language() or "vi")


@functools.cache
def _choice_lookup(choices: type, active: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for language in ("vi", active):
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(fold(value), value)
                lookup.setdefault(fold(label), value)
    return lookup


class KindWidget(widgets.Widget):
    """A unit kind: the stored value (``commune``) or its label (``Xã``, ``xa``, ``SỞ, BAN, NGÀNH``)."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        kind = choice_lookup(UnitKind).get(fold(value))
        if kind is None:
            with translation.override("vi"):
                labels = "; ".join(str(label) for _value, label in UnitKind.choices)
            raise ValueError(
                _("Loại đơn vị không có trong danh mục. Hãy dùng một trong: %(labels)s.") % {"labels": labels}
            )
        return kind

    def render(self, value, obj=None, **kwargs):
        return str(UnitKind(value).label) if value else ""


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


class VietnameseDateWidget(widgets.Widget):
    """A date as ``dd/mm/yyyy`` or ``yyyy-mm-dd`` text, or a date cell of a spreadsheet."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("Ngày không hợp lệ: hãy ghi theo dạng ngày/tháng/năm (31/12/2025) hoặc 2025-12-31."))

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class UnitResource(resources.ModelResource):
    """Units keyed by their official code. Bulk mode: the service has validated every row beforehand."""

    code = fields.Field(attribute="code", column_name="code", widget=widgets.CharWidget())
    name = fields.Field(attribute="name", column_name="name", widget=widgets.CharWidget())
    kind = fields.Field(attribute="kind", column_name="kind", widget=KindWidget())
    email = fields.Field(attribute="email", column_name="email", widget=widgets.CharWidget())
    phone = fields.Field(attribute="phone", column_name="phone", widget=widgets.CharWidget())
    dissolved_on = fields.Field(
        attribute="dissolved_on", column_name="dissolved_on", widget=VietnameseDateWidget(), saves_null_values=True
    )
    # Export-only columns: the service links the tree and clusters once every unit of the file exists.
    parent_code = fields.Field(column_name="parent_code", readonly=True)
    successor_code = fields.Field(column_name="successor_code", readonly=True)
    cluster_code = fields.Field(column_name="cluster_code", readonly=True)

    # The model columns bulk_update writes (the export-only columns above are not model fields).
    WRITABLE = ("name", "kind", "email", "phone", "dissolved_on")

    class Meta:
        model = Unit
        import_id_fields = ["code"]
        fields = (
            "code",
            "name",
            "kind",
            "parent_code",
            "email",
            "phone",
            "dissolved_on",
            "successor_code",
            "cluster_code",
        )
        use_bulk = True
        batch_size = 1000
        skip_diff = True  # the service classifies new / updated / unchanged itself, without per-row diffs
        skip_unchanged = False  # unchanged rows never reach the resource
        report_skipped = False
        instance_loader_class = CachedInstanceLoader  # one query for the existing units of the whole file
        clean_model_instances = True
        use_transactions = False  # the service holds the one transaction

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The code's uniqueness and the tree (parent, successor, path) were checked for the whole file before the
        # import; per-row queries would only slow the bulk import down.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=[*errors, "parent", "successor", "path"], validate_unique=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def get_bulk_update_fields(self):
        return list(self.WRITABLE)

    # Collect, then write. django-import-export builds, loads and cleans every row outside any transaction; the
    # service then calls write_pending() inside its one short transaction, so SQLite's write lock is held for the
    # inserts and updates only (architecture field notes: web writes wait at most 20 s).

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending_create: list[Unit] = []
        self.pending_update: list[Unit] = []

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not dry_run:
            self.pending_create.extend(self.create_instances)
        self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not dry_run:
            self.pending_update.extend(self.update_instances)
        self.update_instances.clear()

    def write_pending(self) -> None:
        """Insert and update the collected units; call inside the caller's transaction."""
        Unit.objects.bulk_create(self.pending_create, batch_size=self._meta.batch_size)
        if self.pending_update:
            # One prepared UPDATE run for every row: bulk_update's CASE WHEN is slow on thousands of rows.
            fields = [Unit._meta.get_field(name) for name in self.WRITABLE]
            quote = connection.ops.quote_name
            sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            sql = f"UPDATE {quote(Unit._meta.db_table)} SET {sets} WHERE {quote(Unit._meta.pk.column)} = %s"
            params = [
                [field.get_db_prep_save(getattr(unit, field.attname), connection) for field in fields] + [unit.pk]
                for unit in self.pending_update
            ]
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)
        self.pending_create, self.pending_update = [], []

    def dehydrate_parent_code(self, unit: Unit) -> str:
        return unit.parent.code if unit.parent_id else ""

    def dehydrate_successor_code(self, unit: Unit) -> str:
        return unit.successor.code if unit.successor_id else ""

    def dehydrate_cluster_code(self, unit: Unit) -> str:
        return "; ".join(cluster.code for cluster in unit.clusters.all())
