import pytest
from django.db.models import Count

from cskh.core.compiled import CompiledQuery, run_together
from cskh.customers.models import Customer, Phone


@pytest.mark.django_db
def test_compiled_query_returns_what_the_orm_returns(customer):
    by_phone = CompiledQuery(
        lambda e164: Customer.objects.filter(phones__e164=e164).order_by("id")[:10]
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
        lambda ids: Phone.objects.filter(customer_id__in=ids).order_by("customer_id", "id")
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
        lambda name: Customer.objects.filter(full_name=name).annotate(n=Count("phones"))
    )
    [c] = counted("Nguyễn Văn An")
    assert c.n == 1 and counted._sql[(None,)] is None
    empty = CompiledQuery(lambda ids: Customer.objects.filter(id__in=ids))
    assert empty([]) == []


@pytest.mark.django_db
def test_run_together_returns_each_querys_rows_in_order(customer, django_assert_num_queries):
    from django.db import connection

    other = Customer.objects.create(code="X2", full_name="Lê Văn Cường")
    Phone.objects.create(customer=other, e164="+84922222222")
    by_code = CompiledQuery(lambda code: Customer.objects.filter(code=code)[:1])
    phones_of = CompiledQuery(lambda ids: Phone.objects.filter(customer_id__in=ids).order_by("id"))
    by_code("X2"), phones_of([other.pk])  # compiled before counting
    expected = 1 if connection.vendor == "postgresql" else 3  # one round trip on PostgreSQL
    with django_assert_num_queries(expected):
        customers, phones, none = run_together(
            (by_code, ("X2",)), (phones_of, ([other.pk, customer.pk],)), (by_code, ("NO",))
        )
    assert [c.full_name for c in customers] == ["Lê Văn Cường"]
    assert [p.e164 for p in phones] == ["+84901234567", "+84922222222"]
    assert none == []
