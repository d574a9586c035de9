"""The composition of a nomination dossier (thành phần hồ sơ, Law 06/2022/QH15 Art. 84; domain rule 7): the
documents the award form's rule set requires (``RequiredDocument``: the submission letter with the list, an
achievement report per nominee, the minutes of the unit's council, certifications), the files the unit uploads for
them, and the completeness gate before appraisal.

- Files are Word (DOCX) or PDF, checked by their content, not their name, and by size
  (``THIDUA_MAX_UPLOAD_BYTES``), and must be readable: a PDF must end with its ``%%EOF`` marker (a cut-off upload
  does not), a DOCX must be an intact zip archive holding ``word/document.xml``.
- A new file for the same item supersedes the old one, which is kept: each version of the dossier names the files it
  held (services/versions.py).
- The gate: the unit head cannot submit, and the appraising office cannot receive, a dossier that lacks a required
  document (:func:`missing_documents`); the ``receive`` transition carries the same check as a condition, so even
  the system actor cannot pass it.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.models import RequiredDocument
from competition.services.plans import KIND_LABELS, PDF, check_document
from competition.services.rulesets import rule_set_in_force
from workflows import audit
from workflows.datacache import cached, key_part
from workflows.exceptions import TransitionRefused
from workflows.uploads import zip_problem

from ..models import Dossier, DossierDocument, Nominee


def rule_set_of(dossier: Dossier):
    """The rule set whose required documents apply: the one the dossier pinned at its first submission, else the one
    in force today, else the campaign's."""
    return dossier.rule_set or rule_set_in_force(timezone.localdate()) or dossier.campaign.rule_set


def required_documents(dossier: Dossier) -> list[RequiredDocument]:
    """The documents the dossier's award form requires under its rule set, in order (kept in the data cache: rule
    sets change through audited services only)."""
    rule_set = rule_set_of(dossier)
    if rule_set is None:
        return []
    code = dossier.award_type_code
    return cached(
        f"required:{rule_set.pk}:{key_part(code)}",
        lambda: list(
            RequiredDocument.objects.filter(award_type__rule_set=rule_set, award_type__code=code).order_by(
                "order", "pk"
            )
        ),
        outline=True,
    )


def award_type_of(dossier: Dossier):
    """``dossier.award_type`` (the award form under the dossier's or the campaign's rule set), kept in the data
    cache."""
    rule_set_id = dossier.rule_set_id or dossier.campaign.rule_set_id
    return cached(f"award:{rule_set_id}:{key_part(dossier.award_type_code)}", lambda: dossier.award_type, outline=True)


def target_of(code: str, nominee_pk: int | None = None) -> str:
    """The name of one item of the composition, as a return for supplementation refers to it."""
    return f"document:{code}:{nominee_pk}" if nominee_pk else f"document:{code}"


@dataclass
class Item:
    """One line of the composition: a required document, for the dossier or for one of its nominees."""

    required: RequiredDocument
    nominee: Nominee | None = None
    document: DossierDocument | None = None
    history: list[DossierDocument] = field(default_factory=list)  # superseded files, newest first

    @property
    def target(self) -> str:
        return target_of(self.required.code, self.nominee.pk if self.nominee else None)

    @property
    def label(self) -> str:
        if self.nominee is None:
            return self.required.name
        return _("%(doc)s: %(name)s") % {"doc": self.required.name, "name": self.nominee.name}

    @property
    def formats(self) -> list[str]:
        return allowed_formats(self.required)

    @property
    def present(self) -> bool:
        return self.document is not None


def allowed_formats(required: RequiredDocument) -> list[str]:
    return [f.strip().lower() for f in (required.formats or "docx,pdf").split(",") if f.strip()]


def composition(dossier: Dossier, *, nominees=None) -> list[Item]:
    """Every item the dossier must hold, in the rule set's order, with its current file (three queries)."""
    required = required_documents(dossier)
    if not required:
        return []
    nominees = list(nominees if nominees is not None else dossier.nominees.order_by("order", "pk"))
    current: dict[tuple[str, int | None], DossierDocument] = {}
    history: dict[tuple[str, int | None], list[DossierDocument]] = {}
    for document in dossier.documents.order_by("-uploaded_at", "-pk"):
        key = (document.code, document.nominee_id)
        if document.superseded_at is None and key not in current:
            current[key] = document
        else:
            history.setdefault(key, []).append(document)
    items = []
    for doc in required:
        for nominee in nominees if doc.per_nominee else [None]:
            key = (doc.code, nominee.pk if nominee else None)
            items.append(Item(doc, nominee, current.get(key), history.get(key, [])))
    return items


def missing_documents(dossier: Dossier) -> list[str]:
    """The required documents the dossier lacks, as Vietnamese sentences (empty when complete)."""
    return [
        _("Thiếu “%(item)s” (Luật Thi đua, khen thưởng 2022, Điều 84).") % {"item": item.label}
        for item in composition(dossier)
        if not item.present and item.required.mandatory
    ]


def is_complete(dossier: Dossier) -> bool:
    return not missing_documents(dossier)


# --- Uploads ---------------------------------------------------------------------------------------------------


def readable_problem(name: str, content: bytes, kind: str) -> str | None:
    """Why a PDF or DOCX whose kind was recognised cannot be read (cut off, damaged), or None."""
    if kind == PDF:
        if b"%%EOF" not in content[-2048:]:
            return _("Tệp “%(name)s” không đọc được: tệp PDF bị cắt hoặc hỏng (không có dấu kết thúc %%EOF).") % {
                "name": name
            }
        return None
    bomb = zip_problem(content, name)
    if bomb:
        return bomb
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if archive.testzip() is not None:
                raise zipfile.BadZipFile
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        return _("Tệp “%(name)s” không đọc được: tệp Word (DOCX) bị hỏng.") % {"name": name}
    return None


def check_file(upload, required: RequiredDocument) -> tuple[str, bytes, str]:
    """Read and check one upload for ``required``: content PDF or DOCX (whatever its name says) and allowed for
    that document, size within the limit, readable. Returns (file name, content, kind)."""
    name, content, kind = check_document(upload)
    allowed = allowed_formats(required)
    if kind not in allowed:
        raise TransitionRefused(
            _("Tệp “%(name)s” là %(kind)s; “%(doc)s” chỉ nhận: %(allowed)s.")
            % {
                "name": name,
                "kind": KIND_LABELS[kind],
                "doc": required.name,
                "allowed": ", ".join(KIND_LABELS.get(f, f.upper()) for f in allowed),
            }
        )
    problem = readable_problem(name, content, kind)
    if problem:
        raise TransitionRefused(problem)
    return name, content, kind


def attach_document(dossier: Dossier, *, code: str, upload, actor, nominee: Nominee | None = None) -> DossierDocument:
    """The unit's clerk uploads the file of one required document (for ``nominee`` when the document is one per
    nominee) while the dossier is with the unit (draft or returned). A file already there for the same item is
    superseded, not deleted.

    Side effects: one ``DossierDocument`` and its file in storage; the previous file marked superseded; one audit
    event ``nominations.document.attach`` with the file's name, size and SHA-256.
    """
    from .dossiers import _locked, _require_changeable

    with transaction.atomic():
        locked = _locked(dossier)
        _require_changeable(locked, actor)
        required = next((r for r in required_documents(locked) if r.code == code), None)
        if required is None:
            raise TransitionRefused(
                _("“%(code)s” không thuộc thành phần hồ sơ của hình thức khen thưởng này.") % {"code": code}
            )
        if required.per_nominee and nominee is None:
            raise TransitionRefused(
                _("“%(doc)s” nộp riêng cho từng người, tập thể: hãy chọn người, tập thể.") % {"doc": required.name}
            )
        if not required.per_nominee:
            nominee = None
        elif nominee.dossier_id != locked.pk:
            raise TransitionRefused(_("“%(n)s” không thuộc hồ sơ này.") % {"n": nominee.name})
        name, content, kind = check_file(upload, required)
        now = timezone.now()
        DossierDocument.objects.filter(dossier=locked, code=code, nominee=nominee, superseded_at__isnull=True).update(
            superseded_at=now
        )
        document = DossierDocument(
            dossier=locked,
            code=code,
            nominee=nominee,
            name=name,
            kind=kind,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=None if getattr(actor, "is_system", False) else actor,
            uploaded_at=now,
        )
        document.file.save(name, ContentFile(content), save=False)
        document.save()
        audit.record(
            actor=actor,
            action="nominations.document.attach",
            obj=locked,
            payload={
                "document": document.pk,
                "code": code,
                "nominee": nominee.pk if nominee else None,
                "name": name,
                "size": document.size,
                "sha256": document.sha256,
            },
        )
    return document


def remove_document(document: DossierDocument, *, actor) -> None:
    """Take a file out of the dossier (it is kept, superseded) while the dossier is with its unit. Audited."""
    from .dossiers import _locked, _require_changeable

    with transaction.atomic():
        locked = _locked(document.dossier)
        _require_changeable(locked, actor)
        fresh = DossierDocument.objects.get(pk=document.pk, dossier=locked)
        if fresh.superseded_at is not None:
            return
        fresh.superseded_at = timezone.now()
        fresh.save(update_fields=["superseded_at"])
        audit.record(
            actor=actor,
            action="nominations.document.remove",
            obj=locked,
            payload={"document": fresh.pk, "code": fresh.code, "name": fresh.name, "sha256": fresh.sha256},
        )
