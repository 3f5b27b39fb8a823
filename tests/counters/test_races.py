"""Concurrency on PostgreSQL: two counters calling at once never take the same ticket, two
kiosks never print the same number, a slot is never booked past its capacity."""

import threading

import pytest
from django.db import connection, connections

from cskh.core.errors import DomainError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]


def _run(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except DomainError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def test_concurrent_call_next_never_shares_a_ticket(office, svc, officer):
    from cskh.counters import services
    from cskh.counters.models import Counter

    assert connection.vendor == "postgresql"
    for _i in range(12):
        services.issue_ticket(office=office, service=svc["A"])
    counters = []
    for n in range(10, 18):
        c = Counter.objects.create(office=office, number=n)
        c.services.set([svc["A"]])
        counters.append(c)

    def call(i):
        got = []
        for _round in range(3):
            t = services.call_next(counter=counters[i], actor=officer)
            if t is None:
                break
            got.append(t.number)
            services.finish(ticket=t, counter=counters[i], actor=officer)
        return got

    results, errors = _run(len(counters), call)
    numbers = [n for got in results for n in got]
    assert errors == []
    assert len(numbers) == 12 and len(set(numbers)) == 12


def test_concurrent_kiosks_never_share_a_number(office, svc):
    from cskh.counters import services

    results, errors = _run(
        8, lambda i: services.issue_ticket(office=office, service=svc["A"]).number
    )
    assert errors == []
    assert sorted(results) == [f"A{i:03d}" for i in range(1, 9)]


def test_concurrent_bookings_respect_capacity(office, svc):
    from cskh.counters import selectors, services
    from cskh.counters.models import Appointment

    service = svc["A"]  # capacity 2
    start = selectors.free_slots(service=service)[0]["start"]
    results, errors = _run(
        6,
        lambda i: (
            services.book_appointment(
                service=service, start=start, full_name=f"Khách {i}", phone=f"091234560{i}"
            ).code
        ),
    )
    assert len(results) == 2 and len(errors) == 4
    assert all(e.status == 409 for e in errors)
    assert Appointment.objects.filter(service=service, start=start).count() == 2
