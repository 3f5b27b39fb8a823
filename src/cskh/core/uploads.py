"""Uploaded files: the type comes from the bytes (magic numbers), never from the file name or
the browser's claim; size and count are limited by the caller's settings. Every file is checked
before anything is written, and files saved by a step whose transaction fails are removed."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from cskh.core.errors import DomainError

log = logging.getLogger("cskh.uploads")

type Upload = UploadedFile[Any]  # a file of a multipart request

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
    (b"WEBP", 8, "image/webp"),  # RIFF....WEBP
)


def sniff(head: bytes) -> str | None:
    """The content type of a file starting with these bytes (JPEG, PNG, WebP, PDF), or None."""
    for magic, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return None


def file_name(f: Upload, default: str = "tep") -> str:
    """The client's file name without any directory part (for messages and display only)."""
    return os.path.basename(f.name or "") or default


def validate(
    files: Iterable[Upload | None] | None,
    *,
    allowed_types: Mapping[str, str],
    max_bytes: int,
    max_files: int,
) -> list[tuple[Upload, str, str]]:
    """[(file, content type, extension)] for the files given, checked before anything is
    written: 400 too many or empty, 413 too large, 415 a type not in ``allowed_types``
    (content type → extension)."""
    present = [f for f in (files or []) if f is not None and f.name]
    if len(present) > max_files:
        raise DomainError(
            _("Tối đa %(n)s tệp mỗi lần.") % {"n": max_files}, status=400, code="too_many_files"
        )
    out = []
    for f in present:
        name = file_name(f)
        size = int(f.size or 0)
        if size <= 0:
            raise DomainError(_("Tệp “%(n)s” rỗng.") % {"n": name}, code="empty_file")
        if size > max_bytes:
            raise DomainError(
                _("Tệp “%(n)s” quá lớn (tối đa %(mb)s MB).")
                % {"n": name, "mb": round(max_bytes / 1024 / 1024, 1)},
                status=413,
                code="file_too_large",
            )
        f.seek(0)
        head = f.read(16)
        f.seek(0)
        content_type = sniff(head)
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


def discard(stored: Iterable[str]) -> None:
    """Remove files saved by a step whose transaction failed."""
    for name in stored:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("could not delete orphan upload %s", name)
