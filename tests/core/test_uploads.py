"""core.uploads: the type comes from the bytes, limits give 4xx DomainErrors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cskh.core import uploads
from cskh.core.errors import DomainError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 16
PDF = b"%PDF-1.7\n" + b"\x00" * 16
IMAGES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (WEBP, "image/webp"),
        (PDF, "application/pdf"),
        (b"XXXXXXXXWEBP", None),  # WEBP at offset 8 without RIFF
        (b"<svg onload=alert(1)>", None),
        (b"", None),
    ],
)
def test_sniff_reads_magic_numbers(head: bytes, expected: str | None) -> None:
    assert uploads.sniff(head) == expected


def test_validate_types_from_bytes_not_names() -> None:
    disguised = SimpleUploadedFile("anh.png", PDF, content_type="image/png")
    photo = SimpleUploadedFile("x.bin", JPEG, content_type="application/octet-stream")
    ok = uploads.validate([photo, None], allowed_types=IMAGES, max_bytes=1000, max_files=3)
    assert [(ct, ext) for _, ct, ext in ok] == [("image/jpeg", ".jpg")]
    with pytest.raises(DomainError) as err:
        uploads.validate([disguised], allowed_types=IMAGES, max_bytes=1000, max_files=3)
    assert err.value.status == 415 and "anh.png" in str(err.value)


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ([SimpleUploadedFile("a.png", PNG)] * 3, 400, "too_many_files"),
        ([SimpleUploadedFile("a.png", b"")], 400, "empty_file"),
        ([SimpleUploadedFile("a.png", PNG + b"\x00" * 100)], 413, "file_too_large"),
    ],
)
def test_validate_limits(files: list, status: int, code: str) -> None:
    with pytest.raises(DomainError) as err:
        uploads.validate(files, allowed_types=IMAGES, max_bytes=100, max_files=2)
    assert (err.value.status, err.value.code) == (status, code)
