import importlib
from pathlib import Path

import pytest
from django.db.models import Count, OuterRef, Subquery

import cskh
from cskh.core.compiled import REGISTRY, CompiledQuery
from cskh.customers.models import Customer, Phone


def _production_queries() -> list[CompiledQuery]:
    """Every CompiledQuery the code defines: each module that makes one is imported (which
    registers its queries), so a new one is checked without being listed here."""
    root = Path(cskh.__file__).parent
    for path in sorted(root.rglob("*.py")):
        if path.name != "compiled.py" and "CompiledQuery(" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(root.parent).with_suffix("").parts
            importlib.import_module(".".join(parts))
    return [q for q in REGISTRY if q.build.__module__.startswith("cskh.")]


@pytest.mark.django_db
def test_every_production_compiled_query_compiles(customer, caplog):
    """On each database the suite runs on: a Django upgrade that changes the compiler must fail
    here, not quietly send the look-up path back through the ORM."""
    queries = _production_queries()
    assert len(queries) >= 4, queries  # at least the customer look-ups
    for query in queries:
        assert query.compiles(*query.example), query
        orm = [obj.pk for obj in query.build(*query.example)]
        assert [obj.pk for obj in query(*query.example)] == orm, query
    assert "does not compile" not in caplog.text


def test_a_query_that_does_not_compile_says_so(caplog):
    counted = CompiledQuery(
        lambda name: Customer.objects.filter(full_name=name).annotate(n=Count("phones")),
        example=("",),
    )
    assert not counted.compiles("x")
    assert "does not compile" in caplog.text


@pytest.mark.django_db
def test_compiled_query_returns_what_the_orm_returns(customer):
    by_phone = CompiledQuery(
        lambda e164: Customer.objects.filter(phones__e164=e164).order_by("id")[:10],
        example=("+84901234567",),
    )
    for _ in range(2):  # compiled on the first call, reused on the second
        [found] = by_phone("+84901234567")
        orm = Customer.objects.get(pk=customer.pk)
        assert found.pk == customer.pk and found.full_name == "Nguyễn Văn An"
        assert found.created_at == orm.created_at  # converters applied (aware datetimes)
        assert found.ward_id == orm.ward_id and not found._state.adding
    assert by_phone("+84900000000") == []


@pytest.mark.django_db
def test_list_arguments_compile_once_per_length(customer):
    other = Customer.objects.create(code="X1", full_name="Trần Thị Bình")
    Phone.objects.create(customer=other, e164="+84911111111")
    phones_of = CompiledQuery(
        lambda ids: Phone.objects.filter(customer_id__in=ids).order_by("customer_id", "id"),
        example=([1],),
    )
    assert [p.e164 for p in phones_of([customer.pk])] == ["+84901234567"]
    assert [p.e164 for p in phones_of([customer.pk, other.pk])] == [
        "+84901234567",
        "+84911111111",
    ]
    assert [p.e164 for p in phones_of([other.pk])] == ["+84911111111"]
    assert len(phones_of._sql) == 2


@pytest.mark.django_db
def test_what_does_not_fit_runs_through_the_orm(customer):
    counted = CompiledQuery(
        lambda name: Customer.objects.filter(full_name=name).annotate(n=Count("phones")),
        example=("",),
    )
    [c] = counted("Nguyễn Văn An")
    assert c.n == 1 and not counted.compiles("Nguyễn Văn An")
    empty = CompiledQuery(lambda ids: Customer.objects.filter(id__in=ids), example=([],))
    assert empty([]) == []


@pytest.mark.django_db
def test_annotations_compile_and_become_attributes(customer):
    """A Subquery annotation (the intake look-up's primary phone) runs compiled: its value is
    an attribute of each instance, as the ORM sets it."""
    first_phone = Phone.objects.filter(customer=OuterRef("pk")).order_by("id").values("e164")
    with_phone = CompiledQuery(
        lambda pk: Customer.objects.filter(id=pk).annotate(e164=Subquery(first_phone[:1])),
        example=(1,),
    )
    bare = Customer.objects.create(code="X2", full_name="Lê Văn Cường")
    assert with_phone.compiles(customer.pk)
    [found] = with_phone(customer.pk)
    assert found.pk == customer.pk and found.e164 == "+84901234567"
    assert found.created_at == Customer.objects.get(pk=customer.pk).created_at
    [alone] = with_phone(bare.pk)
    assert alone.e164 is None
