"""Photos customers attach. The type comes from the bytes (magic numbers), never from the
name or the browser's claim; size and count are limited (settings.CSKH_PORTAL_MAX_UPLOAD,
CSKH_PORTAL_MAX_FILES)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from cskh.core import uploads as core_uploads
from cskh.core.uploads import Upload
from cskh.portal.models import Photo

TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def validate(files: Iterable[Upload | None] | None) -> list[tuple[Upload, str, str]]:
    """Check every photo before anything is written (core.uploads.validate with the portal's
    limits): [(file, content type, extension)]."""
    return core_uploads.validate(
        files,
        allowed_types=TYPES,
        max_bytes=int(settings.CSKH_PORTAL_MAX_UPLOAD),
        max_files=int(settings.CSKH_PORTAL_MAX_FILES),
    )


def store(
    validated: list[tuple[Upload, str, str]],
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
    for f, content_type, ext in validated:
        photo = Photo(
            case_id=case_id,
            customer_id=customer_id,
            event_id=event_id,
            original_name=core_uploads.file_name(f, "anh")[:200],
            content_type=content_type,
            size=int(f.size or 0),
            created_at=now,
        )
        photo.file.save(f"{uuid.uuid4().hex}{ext}", f, save=False)
        if photo.file.name:
            stored.append(photo.file.name)
        photo.save()
        rows.append(photo)
    return rows


discard = core_uploads.discard
