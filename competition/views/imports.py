"""The upload → preview → confirm page that every import of the competition app uses."""

import contextlib
import uuid
from pathlib import Path

from django.contrib import messages
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import ImportUploadForm

UNIT_IMPORT_SESSION_KEY = "competition.unit_import"
ACCOUNT_IMPORT_SESSION_KEY = "competition.account_import"


def _stash_upload(request, key: str, upload) -> str:
    """Keep an uploaded file until the person confirms (shared storage, so any web process can finish it)."""
    _discard_upload(request, key)
    token = uuid.uuid4().hex
    name = default_storage.save(f"imports/pending/{token}{Path(upload.name).suffix.lower()}", upload)
    request.session[key] = {"token": token, "name": name, "filename": upload.name}
    return token


def _pending_upload(request, key: str) -> dict | None:
    pending = request.session.get(key)
    if not pending or pending.get("token") != request.POST.get("token") or not default_storage.exists(pending["name"]):
        return None
    return pending


def _discard_upload(request, key: str) -> None:
    pending = request.session.pop(key, None)
    if pending:
        with contextlib.suppress(OSError):
            default_storage.delete(pending["name"])


def import_page(request, *, key: str, importer, template: str, context: dict, done):
    """Upload → preview (every bad row, or the counts) → confirm. Nothing is written before the confirm."""
    form = ImportUploadForm()
    if request.method == "POST" and request.POST.get("confirm"):
        pending = _pending_upload(request, key)
        if pending is None:
            messages.error(request, _("Không còn tệp chờ nhập (đã nhập hoặc đã hết hạn): hãy tải tệp lên lại."))
            return redirect(request.path)
        with default_storage.open(pending["name"], "rb") as stored:
            result = importer(stored, actor=request.user, filename=pending["filename"])
        _discard_upload(request, key)
        if result.ok:
            return done(result, pending["filename"])
        context.update(result=result, filename=pending["filename"])
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = importer(upload, actor=request.user, dry_run=True, filename=upload.name)
            if result.ok and (result.new or result.updated):
                context["token"] = _stash_upload(request, key, upload)
            else:
                _discard_upload(request, key)
            context.update(result=result, filename=upload.name)
    context["form"] = form
    return render(request, template, context)
