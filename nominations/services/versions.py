"""Versions of a dossier (issue 6): what the unit sent at each submission, and what changed since the one before.

A version is recorded inside the submission's transaction (``submit_dossier``). It holds the title and letter, each
nominee (by canonical key: name, kind, position, unit, direct work, a digest of the achievement summary and of the
personal data, never the values: domain rule 16) and each file (its item, name and SHA-256). The changes are
computed against the previous version as short Vietnamese sentences, and the returns it answers are marked
resolved by it. A nominee whose content changed after a return during appraisal goes back to "not appraised".
"""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..enums import AppraisalResult, NomineeKind
from ..models import Dossier, DossierReturn, DossierVersion, Nominee
from .composition import composition

# Nominee fields compared between versions, with their labels (personal fields only through their digest).
_COMPARED = {
    "name": gettext_lazy("họ tên / tên tập thể"),
    "kind": gettext_lazy("loại"),
    "position": gettext_lazy("chức vụ"),
    "work_unit": gettext_lazy("đơn vị công tác"),
    "direct_worker": gettext_lazy("trực tiếp lao động, công tác"),
    "achievement": gettext_lazy("tóm tắt thành tích"),
    "personal": gettext_lazy("thông tin cá nhân (ngày sinh, giới tính, số định danh)"),
}


def _digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p or "") for p in parts).encode("utf-8")).hexdigest()[:16]


def _nominee_snapshot(nominee: Nominee) -> dict:
    return {
        "id": nominee.pk,
        "key": _digest(nominee.canonical_key),  # the key holds the birth date or ID number
        "name": nominee.name,
        "kind": nominee.kind,
        "position": nominee.position,
        "work_unit": nominee.work_unit,
        "direct_worker": nominee.direct_worker,
        "achievement": _digest(nominee.achievement),
        "personal": _digest(nominee.birth_date, nominee.gender, nominee.id_number),
    }


def snapshot(dossier: Dossier) -> dict:
    nominees = list(dossier.nominees.order_by("order", "pk"))
    by_pk = {n.pk: n for n in nominees}
    files = []
    for item in composition(dossier, nominees=nominees):
        if item.document is not None:
            nominee = by_pk.get(item.document.nominee_id)
            files.append(
                {
                    "target": item.target,
                    "label": item.label,
                    "nominee_key": _digest(nominee.canonical_key) if nominee else "",
                    "name": item.document.name,
                    "sha256": item.document.sha256,
                }
            )
    return {
        "title": dossier.title,
        "letter": f"{dossier.letter_number} {dossier.letter_date or ''}".strip(),
        "nominees": [_nominee_snapshot(n) for n in nominees],
        "files": files,
    }


def _label(field: str) -> str:
    return str(_COMPARED[field])


def changes_between(before: dict, after: dict) -> list[dict]:
    """What changed from ``before`` to ``after`` (two snapshots), as ``{"kind", "what"}`` with Vietnamese text."""
    changes: list[dict] = []

    def add(kind: str, what: str) -> None:
        changes.append({"kind": kind, "what": what})

    if before.get("title") != after.get("title"):
        add("changed", _("Trích yếu: “%(a)s” → “%(b)s”") % {"a": before.get("title"), "b": after.get("title")})
    if before.get("letter") != after.get("letter"):
        add("changed", _("Số, ngày tờ trình của đơn vị đã sửa"))
    old = {n["id"]: n for n in before.get("nominees", [])}
    new = {n["id"]: n for n in after.get("nominees", [])}
    for pk, nominee in new.items():
        if pk not in old:
            add("added", _("Thêm %(kind)s “%(name)s”") % {"kind": _kind(nominee["kind"]), "name": nominee["name"]})
            continue
        fields = [f for f in _COMPARED if old[pk].get(f) != nominee.get(f)]
        if fields:
            add(
                "changed",
                _("Sửa “%(name)s”: %(fields)s")
                % {"name": nominee["name"], "fields": ", ".join(_label(f) for f in fields)},
            )
    for pk, nominee in old.items():
        if pk not in new:
            add("removed", _("Bỏ “%(name)s”") % {"name": nominee["name"]})
    old_files = {f["target"]: f for f in before.get("files", [])}
    new_files = {f["target"]: f for f in after.get("files", [])}
    for target, file in new_files.items():
        previous = old_files.get(target)
        if previous is None:
            add("added", _("Nộp “%(item)s”: %(file)s") % {"item": file["label"], "file": file["name"]})
        elif previous["sha256"] != file["sha256"]:
            add("changed", _("Thay “%(item)s”: %(file)s") % {"item": file["label"], "file": file["name"]})
    for target, file in old_files.items():
        if target not in new_files:
            add("removed", _("Rút “%(item)s”: %(file)s") % {"item": file["label"], "file": file["name"]})
    return changes


def _kind(kind: str) -> str:
    return str(NomineeKind(kind).label).lower() if kind in NomineeKind.values else kind


def record_version(dossier: Dossier, *, actor, at) -> DossierVersion:
    """Record what ``dossier`` holds as its next version (inside the submission's transaction): its changes since
    the previous version, the open returns marked resolved by it, and nominees changed since a return during
    appraisal put back to "not appraised"."""
    previous = dossier.versions.order_by("-number").first()
    current = snapshot(dossier)
    changes = changes_between(previous.snapshot, current) if previous else []
    version = DossierVersion.objects.create(
        dossier=dossier,
        number=(previous.number + 1) if previous else 1,
        submitted_by=None if getattr(actor, "is_system", False) else actor,
        submitted_at=at,
        snapshot=current,
        changes=changes,
    )
    DossierReturn.objects.filter(dossier=dossier, resolved_by_version__isnull=True).update(resolved_by_version=version)
    if previous is not None:
        before = {n["id"]: n for n in previous.snapshot.get("nominees", [])}
        changed = [n["id"] for n in current["nominees"] if before.get(n["id"]) != n]
        if changed:
            dossier.nominees.filter(pk__in=changed).exclude(appraisal_result=AppraisalResult.PENDING).update(
                appraisal_result=AppraisalResult.PENDING, appraisal_note=""
            )
    return version
