"""cskh.core.writebehind: held inserts go out with the next statement, in order, or not at all
when the transaction rolls back."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cskh.cases.models import CaseEvent
from cskh.cases.services import open_case
from cskh.core import fastinsert, writebehind
from cskh.core.models import AuditLog

pg = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statements are held on PostgreSQL only"
)


def _log(n: int) -> AuditLog:
    return AuditLog(action=f"test.wb.{n}", object_type="x", object_id=str(n))


@pytest.mark.django_db
def test_outside_a_batch_the_row_is_stored_at_once():
    row = _log(1)
    fastinsert.insert_later(row)
    assert row.pk is not None
    assert AuditLog.objects.get(pk=row.pk).action == "test.wb.1"


@pytest.mark.django_db
@pg
def test_held_rows_ride_with_the_next_statement(django_assert_num_queries):
    with transaction.atomic(), CaptureQueriesContext(connection) as at_end:
        with writebehind.batch():
            a, b = _log(1), _log(2)
            with django_assert_num_queries(0):
                fastinsert.insert_later(a)
                fastinsert.insert_later(b)
            assert a.pk is None and not a._state.adding  # numbered when it goes out
            with django_assert_num_queries(1):  # the two inserts and the read: one round trip
                actions = list(
                    AuditLog.objects.filter(action__startswith="test.wb.")
                    .order_by("id")
                    .values_list("action", flat=True)
                )
            assert actions == ["test.wb.1", "test.wb.2"]  # the read sees them
            assert a.pk is not None and b.pk == a.pk + 1
            c = _log(3)
            fastinsert.insert_later(c)
            fastinsert.insert_later(_log(4))
            before_end = len(at_end.captured_queries)
        assert len(at_end.captured_queries) == before_end + 1  # the end sends the rest at once
    assert AuditLog.objects.filter(action__startswith="test.wb.").count() == 4
    assert c.pk == b.pk + 1


@pytest.mark.django_db
@pg
def test_statement_without_parameters_keeps_its_percent_signs():
    with transaction.atomic(), writebehind.batch():
        fastinsert.insert_later(_log(1))
        with connection.cursor() as cursor:
            cursor.execute("SELECT '100%'")
            assert cursor.fetchone() == ("100%",)
            cursor.execute("SELECT %s || '%%'", ["50"])
            assert cursor.fetchone() == ("50%",)
    assert AuditLog.objects.filter(action="test.wb.1").exists()


@pytest.mark.django_db
@pg
def test_executemany_sends_the_held_rows_first():
    with transaction.atomic(), writebehind.batch():
        first = _log(1)
        fastinsert.insert_later(first)
        AuditLog.objects.bulk_create([_log(2), _log(3)])
        assert first.pk is not None
    ids = list(
        AuditLog.objects.filter(action__startswith="test.wb.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert ids == ["test.wb.1", "test.wb.2", "test.wb.3"]


@pytest.mark.django_db
def test_an_error_in_the_block_stores_nothing():
    with pytest.raises(RuntimeError), transaction.atomic(), writebehind.batch():
        fastinsert.insert_later(_log(1))
        raise RuntimeError("boom")
    assert not AuditLog.objects.filter(action="test.wb.1").exists()
    # nothing left held on the connection for the next transaction
    with transaction.atomic():
        AuditLog.objects.count()
    assert not AuditLog.objects.filter(action="test.wb.1").exists()
    assert writebehind._wrapper not in connection.execute_wrappers


@pytest.mark.django_db
def test_rows_held_in_a_rolled_back_savepoint_are_dropped():
    from django.db import DatabaseError

    with transaction.atomic(), writebehind.batch():
        fastinsert.insert_later(_log(1))
        with pytest.raises(ValueError), transaction.atomic():  # SAVEPOINT sends log 1
            fastinsert.insert_later(_log(2))
            raise ValueError("bỏ")
        with pytest.raises(DatabaseError), transaction.atomic():
            fastinsert.insert_later(_log(3))
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT * FROM no_such_table")  # log 3 fails with it
            finally:  # held in an aborted transaction: must not be sent, only dropped
                fastinsert.insert_later(_log(5))
        fastinsert.insert_later(_log(4))  # after the rollback the block carries on
    kept = AuditLog.objects.filter(action__startswith="test.wb.").values_list("action", flat=True)
    assert sorted(kept) == ["test.wb.1", "test.wb.4"]


@pytest.mark.django_db
def test_an_error_leaving_the_block_dooms_the_transaction():
    from django.db.transaction import TransactionManagementError

    with transaction.atomic():
        with pytest.raises(RuntimeError), writebehind.batch():
            fastinsert.insert_later(_log(1))
            raise RuntimeError("boom")
        with pytest.raises(TransactionManagementError):  # nothing half-done can commit
            AuditLog.objects.count()
    assert not AuditLog.objects.filter(action="test.wb.1").exists()


@pytest.mark.django_db
@pg
def test_a_row_that_cannot_be_quoted_is_not_lost_by_catching_the_error():
    from django.db import DataError

    bad = AuditLog(action="test.wb.bad", object_type="x", object_id="a\x00b")  # NUL: no text
    with pytest.raises(DataError), transaction.atomic(), writebehind.batch():
        fastinsert.insert_later(_log(1))
        fastinsert.insert_later(bad)
        with pytest.raises(DataError):  # quoting fails before anything reaches the server
            AuditLog.objects.count()
        # caught here, but the rows are still held: the block cannot end as if they were stored
    assert not AuditLog.objects.filter(action__startswith="test.wb.").exists()


@pytest.mark.django_db
def test_a_failing_held_row_fails_the_transaction(customer):
    from django.db import IntegrityError

    bad = CaseEvent(case_id=999_999_999, kind="note", body="x")
    with pytest.raises(IntegrityError), transaction.atomic(), writebehind.batch():
        fastinsert.insert_later(bad)
        AuditLog.objects.count()  # on PostgreSQL the held insert goes out here and fails
        connection.check_constraints()  # SQLite checks foreign keys at commit otherwise
    assert not CaseEvent.objects.filter(body="x").exists()


@pytest.mark.django_db
def test_opening_a_case_stores_every_row_in_few_round_trips(customer, profile, agent, field_unit):
    from cskh.catalog.models import CaseType

    billing = CaseType.objects.get(profile__code="electricity", code="billing")
    open_case(customer=customer, case_type=billing, description="Lần đầu", actor=agent)
    with CaptureQueriesContext(connection) as ctx:
        case = open_case(
            customer=customer,
            case_type=billing,
            description="Hóa đơn tháng này cao gấp đôi",
            actor=agent,
        )
    sql = "\n".join(q["sql"] for q in ctx.captured_queries)
    for table in ("cases_caseevent", "sla_slaclock", "textintel_inboundanalysis", "core_auditlog"):
        assert f"INSERT INTO {connection.ops.quote_name(table)}" in sql
    inserts = [q for q in ctx.captured_queries if q["sql"].lstrip().startswith("INSERT")]
    if connection.vendor == "postgresql":  # the SLA clock and search document: plain writes
        assert len(inserts) <= 6
    else:
        assert len(inserts) >= 7
    assert case.events.filter(kind="created").count() == 1
    assert AuditLog.objects.filter(action="case.open", object_id=str(case.pk)).exists()
    from cskh.sla.models import SlaClock
    from cskh.textintel.models import InboundAnalysis

    assert SlaClock.objects.filter(case=case).exists()
    assert InboundAnalysis.objects.filter(case=case).count() == 1
