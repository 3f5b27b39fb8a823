"""Photos customers attach. The type comes from the bytes (magic numbers), never from the
name or the browser's claim; size and count are limited (settings.CSKH_PORTAL_MAX_UPLOAD,
CSKH_PORTAL_MAX_FILES)."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core.errors import DomainError
from cskh.portal.models import Photo

log = logging.getLogger("cskh.portal")

type Upload = UploadedFile[Any]

TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def sniff(head: bytes) -> str | None:
    """The image type of these first bytes, or None (not a JPEG, PNG or WebP)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def validate(files: Iterable[Upload | None] | None) -> list[tuple[Upload, str]]:
    """Check every file before anything is written: [(file, content type)]. 413 too large,
    415 not a photo, 400 too many or empty."""
    present = [f for f in (files or []) if f is not None and f.name]
    limit = int(settings.CSKH_PORTAL_MAX_UPLOAD)
    if len(present) > settings.CSKH_PORTAL_MAX_FILES:
        raise DomainError(
            _("Tối đa %(n)s ảnh mỗi lần.") % {"n": settings.CSKH_PORTAL_MAX_FILES},
            code="too_many_files",
        )
    out = []
    for f in present:
        name = os.path.basename(f.name or "anh")
        size = int(f.size or 0)
        if size <= 0:
            raise DomainError(_("Ảnh “%(n)s” rỗng.") % {"n": name}, code="empty_file")
        if size > limit:
            raise DomainError(
                _("Ảnh “%(n)s” quá lớn (tối đa %(mb)s MB).")
                % {"n": name, "mb": round(limit / 1024 / 1024, 1)},
                status=413,
                code="file_too_large",
            )
        f.seek(0)
        head = f.read(16)
        f.seek(0)
        content_type = sniff(head)
        if content_type is None:
            raise DomainError(
                _("Tệp “%(n)s” không phải ảnh JPEG, PNG hoặc WebP.") % {"n": name},
                status=415,
                code="bad_file_type",
            )
        out.append((f, content_type))
    return out


def store(
    validated: list[tuple[Upload, str]],
    *,
    case_id: int,
    customer_id: int,
    event_id: int | None,
    stored: list[str],
) -> list[Photo]:
    """Save validated photos (inside the caller's transaction); their storage names are
    appended to ``stored`` so that a failed transaction can remove them (``discard``)."""
    now = timezone.now()
    rows = []
    for f, content_type in validated:
        photo = Photo(
            case_id=case_id,
            customer_id=customer_id,
            event_id=event_id,
            original_name=os.path.basename(f.name or "anh")[:200],
            content_type=content_type,
            size=int(f.size or 0),
            created_at=now,
        )
        photo.file.save(f"{uuid.uuid4().hex}{TYPES[content_type]}", f, save=False)
        if photo.file.name:
            stored.append(photo.file.name)
        photo.save()
        rows.append(photo)
    return rows


def discard(stored: list[str]) -> None:
    for name in stored:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("could not delete orphan upload %s", name)
