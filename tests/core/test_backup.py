"""Restore drill: back up, change the data, restore, and compare row counts and checksums of
every table (SQLite online backup; PostgreSQL pg_dump/pg_restore)."""

import pytest
from django.core.management import call_command

from cskh.core.backup import snapshot


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_back_the_same_data(world, tmp_path):
    from cskh.cases.models import Case
    from cskh.customers.models import Customer
    from cskh.customers.services import create_customer

    before = snapshot()
    assert before["customers_customer"][0] == 1
    path = tmp_path / "cskh.backup"
    call_command("backup", str(path))
    assert path.stat().st_size > 0

    create_customer(full_name="Phạm Thị Thu", phones=["0903555666"])
    Case.objects.all().delete()
    changed = snapshot()
    assert changed != before and changed["customers_customer"][0] == 2

    call_command("restore", str(path), "--yes")
    after = snapshot()
    assert after == before
    assert Customer.objects.get().full_name == world["customer"].full_name
