"""The desk's case logging is idempotent per rendering of the form (#20): a resent request gets
the first answer, a new rendering carries a new key, a refused input does not block the fix."""

import re

import pytest

from cskh.cases.models import Case

pytestmark = pytest.mark.django_db

KEY = re.compile(r'hx-headers=\'\{"Idempotency-Key": "([0-9a-f]{32})"\}\'')


def _form(customer, description="Mất điện cả khu phố"):
    return {"customer": customer.pk, "type": "outage", "description": description}


def test_resent_request_gets_the_first_answer_not_a_second_case(world, logged_in):
    client = logged_in(world["agent"])
    page = client.get(f"/desk/?customer={world['customer'].pk}").content.decode()
    key = KEY.search(page).group(1)
    first = client.post("/desk/log", _form(world["customer"]), headers={"Idempotency-Key": key})
    again = client.post("/desk/log", _form(world["customer"]), headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    assert Case.objects.filter(customer=world["customer"]).count() == 1
    # the answer renders the form again with a fresh key: the next case is a new request
    next_key = KEY.search(first.content.decode()).group(1)
    assert next_key != key
    client.post(
        "/desk/log", _form(world["customer"], "Lại mất điện"), headers={"Idempotency-Key": next_key}
    )
    assert Case.objects.filter(customer=world["customer"]).count() == 2


def test_same_key_with_other_content_is_refused(world, logged_in):
    client = logged_in(world["agent"])
    client.post("/desk/log", _form(world["customer"]), headers={"Idempotency-Key": "k1"})
    r = client.post(
        "/desk/log", _form(world["customer"], "khác"), headers={"Idempotency-Key": "k1"}
    )
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert Case.objects.filter(customer=world["customer"]).count() == 1


def test_other_desk_posts_are_left_alone(world, logged_in):
    """A page that redirects after success is not wrapped (its 302 is not a failure)."""
    client = logged_in(world["agent"])
    r = client.post("/desk/presence", {"state": "available"}, headers={"Idempotency-Key": "p1"})
    assert r.status_code == 302 and "Idempotent-Replayed" not in r
    from cskh.core.models import IdempotencyKey

    assert not IdempotencyKey.objects.exists()
