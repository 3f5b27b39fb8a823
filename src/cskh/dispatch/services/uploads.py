"""Files attached to a work order (brief from the center, photos of the result).

The stored type comes from the bytes (magic numbers), never from the client's claim. Allowed
types and the size limit come from settings.CSKH_DISPATCH_UPLOAD_TYPES / CSKH_DISPATCH_MAX_UPLOAD.
"""

import logging
import os
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.dispatch.models import Attachment, WorkOrder
from cskh.dispatch.services.common import user_or_none

log = logging.getLogger("cskh.dispatch")

MAX_FILES = 10

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
    (b"WEBP", 8, "image/webp"),  # RIFF....WEBP
)


type Upload = UploadedFile[Any]  # a file of a multipart request


def _sniff(head: bytes) -> str | None:
    for magic, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return None


def validate_uploads(
    files: Iterable[Upload | None] | None,
) -> list[tuple[Upload, str, str]]:
    """Check every file before anything is written: [(file, content type, extension)].

    Raises 413 (too large) or 415 (type not allowed)."""
    present = [f for f in (files or []) if f is not None]
    if len(present) > MAX_FILES:
        raise DomainError(
            _("Tối đa %(n)s tệp mỗi lần.") % {"n": MAX_FILES}, status=400, code="too_many_files"
        )
    allowed_types: dict[str, str] = settings.CSKH_DISPATCH_UPLOAD_TYPES
    limit = int(settings.CSKH_DISPATCH_MAX_UPLOAD)
    out = []
    for f in present:
        name = os.path.basename(getattr(f, "name", "") or "tep")
        size = int(getattr(f, "size", 0) or 0)
        if size <= 0:
            raise DomainError(_("Tệp “%(n)s” rỗng.") % {"n": name}, code="empty_file")
        if size > limit:
            raise DomainError(
                _("Tệp “%(n)s” quá lớn (tối đa %(mb)s MB).")
                % {"n": name, "mb": round(limit / 1024 / 1024, 1)},
                status=413,
                code="file_too_large",
            )
        f.seek(0)
        head = f.read(16)
        f.seek(0)
        content_type = _sniff(head)
        if content_type is None or content_type not in allowed_types:
            raise DomainError(
                _("Tệp “%(n)s” không đúng định dạng cho phép (%(t)s).")
                % {
                    "n": name,
                    "t": ", ".join(sorted(v.lstrip(".") for v in allowed_types.values())),
                },
                status=415,
                code="bad_file_type",
            )
        out.append((f, content_type, allowed_types[content_type]))
    return out


def store_files(
    wo: WorkOrder,
    validated: list[tuple[Upload, str, str]],
    *,
    actor: Actor,
    purpose: str,
    now: datetime,
    stored: list[str],
) -> list[Attachment]:
    """Save validated files; their storage names are appended to `stored` for `discard`."""
    rows = []
    for f, content_type, ext in validated:
        att = Attachment(
            work_order=wo,
            stored_name=f"{uuid.uuid4().hex}{ext}",
            original_name=os.path.basename(getattr(f, "name", "") or "tep")[:200],
            content_type=content_type,
            purpose=purpose,
            size=int(f.size or 0),
            uploaded_by=user_or_none(actor),
            created_at=now,
        )
        att.file.save(att.stored_name, f, save=False)
        if att.file.name:  # set by save()
            stored.append(att.file.name)
        att.save()
        rows.append(att)
    return rows


def copy_brief(source: WorkOrder, target: WorkOrder) -> None:
    """A redispatched work order keeps the center's brief files (same stored files)."""
    for att in source.attachments.filter(purpose=Attachment.Purpose.BRIEF):
        Attachment.objects.create(
            work_order=target,
            file=att.file.name,
            stored_name=att.stored_name,
            original_name=att.original_name,
            content_type=att.content_type,
            purpose=att.purpose,
            size=att.size,
            uploaded_by=att.uploaded_by,
            created_at=att.created_at,
        )


def discard(stored: list[str]) -> None:
    """Remove files saved by a step whose transaction failed."""
    for name in stored:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("could not delete orphan upload %s", name)
