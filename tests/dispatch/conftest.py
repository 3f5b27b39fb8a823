"""Fixtures for dispatch tests: a second unit's staff, a shift lead, cases and small files."""

import io
import struct
import zlib

import pytest


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, valid PNG (so browsers and sniffers agree on its type)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def other_staff(db, other_unit):
    from cskh.org.services import create_user

    return create_user(
        username="dl_gd", password="Matkhau!2026", role="unit_staff", unit=other_unit
    )


@pytest.fixture
def stranger(db, profile, other_unit):
    """A customer in the other unit's ward."""
    from cskh.customers.services import create_customer

    ward = other_unit.wards.first()
    return create_customer(
        full_name="Trần Thị Bảy",
        phones=["0911 111 111"],
        address="7 Nguyễn Trãi",
        ward_code=ward.code,
    )


@pytest.fixture
def open_case(world):
    from cskh.cases import services
    from cskh.catalog.services import get_case_type

    def _open(customer=None, type_code: str = "outage", description: str = "Mất điện cả nhà"):
        return services.open_case(
            customer=customer or world["customer"],
            case_type=get_case_type(type_code),
            description=description,
            actor=world["agent"],
        )

    return _open


@pytest.fixture
def dispatched(world, open_case):
    """A case dispatched to the field unit, and its work order."""
    from cskh.dispatch import services

    case = open_case()
    wo = services.dispatch_case(case=case, actor=world["agent"], instructions="Mang thang dài")
    return wo


def upload(name: str, data: bytes, content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def fileobj(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
