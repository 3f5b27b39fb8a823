"""Files attached to a work order (brief from the center, photos of the result).

The stored type comes from the bytes (magic numbers), never from the client's claim. Allowed
types and the size limit come from settings.CSKH_DISPATCH_UPLOAD_TYPES / CSKH_DISPATCH_MAX_UPLOAD.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings

from cskh.core import uploads as core_uploads
from cskh.core.types import Actor
from cskh.core.uploads import Upload
from cskh.dispatch.models import Attachment, WorkOrder
from cskh.dispatch.services.common import user_or_none

MAX_FILES = 10


def validate_uploads(files: Iterable[Upload | None] | None) -> list[tuple[Upload, str, str]]:
    """Check every file before anything is written (core.uploads.validate with the dispatch
    limits): [(file, content type, extension)]."""
    return core_uploads.validate(
        files,
        allowed_types=settings.CSKH_DISPATCH_UPLOAD_TYPES,
        max_bytes=int(settings.CSKH_DISPATCH_MAX_UPLOAD),
        max_files=MAX_FILES,
    )


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
            original_name=core_uploads.file_name(f)[:200],
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


discard = core_uploads.discard
