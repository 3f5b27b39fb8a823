"""Idempotency-Key on API POSTs: a retry returns the first answer, never a second case."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from cskh.cases.models import Case
from cskh.core.models import IdempotencyKey
from tests.conftest import make_token

JSON = "application/json"
CASE = {"phone": "0901 234 567", "type": "outage", "description": "Mất điện từ sáng"}


def _post(client, key, data=CASE):
    return client.post(
        "/api/v1/cases", content_type=JSON, data=data, headers={"Idempotency-Key": key}
    )


def test_retry_returns_the_first_answer(world, api_as):
    client = api_as(world["agent"])
    first = _post(client, "k-1")
    assert first.status_code == 201, first.content
    again = _post(client, "k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    other = _post(client, "k-2")  # a new key is a new case
    assert other.json()["number"] != first.json()["number"]
    assert Case.objects.count() == 2


def test_same_key_other_body_is_refused(world, api_as):
    client = api_as(world["agent"])
    assert _post(client, "k-1").status_code == 201
    r = _post(client, "k-1", {**CASE, "description": "Chập điện"})
    assert r.status_code == 422
    assert r.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_keys_are_per_caller_and_failures_are_not_kept(world, api_as):
    a = api_as(world["agent"])
    b = api_as(world["agent"])  # another token of the same user: another scope
    assert _post(a, "same").status_code == 201
    assert _post(b, "same").status_code == 201
    assert Case.objects.count() == 2
    bad = _post(a, "bad", {**CASE, "phone": "0999 999 999"})
    assert bad.status_code in (400, 404)
    assert not IdempotencyKey.objects.filter(key="bad").exists()
    assert _post(a, "x" * 256).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_case(world):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock race: PostgreSQL (SQLite serialises writers)")
    token = make_token(world["agent"])
    barrier = threading.Barrier(6)
    answers = []

    def send():
        client = Client(headers={"Authorization": f"Bearer {token}"})
        barrier.wait()
        try:
            r = _post(client, "race-1")
            answers.append((r.status_code, r.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [s for s, _ in answers] == [201] * 6
    assert len({body["number"] for _, body in answers}) == 1
    assert Case.objects.count() == 1
