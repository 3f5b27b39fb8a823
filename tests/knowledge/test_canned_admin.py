"""Canned answers managed in the app (#21): written by center staff, versioned, approved by a
shift lead other than the author; the desk offers only approved text."""

import pytest

pytestmark = pytest.mark.django_db


def desk_titles(world, type_code="billing"):
    from cskh.knowledge.selectors import canned_for

    return [a["text"] for a in canned_for(type_code=type_code, customer=world["customer"])]


def test_new_canned_answer_waits_for_approval_then_reaches_the_desk(world, lead, client):
    from cskh.knowledge.models import CannedAnswerVersion

    client.force_login(world["agent"])
    r = client.post(
        "/kb/canned/new",
        {
            "case_type": "billing",
            "title": "Giải thích tiền điện",
            "body": "Dạ {{ten_khach_hang}} ơi",
        },
    )
    assert r.status_code == 302
    assert desk_titles(world) == []  # not on the desk before approval
    version = CannedAnswerVersion.objects.get()
    # the author cannot approve (and an agent is not a lead): 403
    assert (
        client.post(f"/kb/canned/versions/{version.pk}/decide", {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(lead)
    page = client.get("/kb/canned/").content.decode()
    assert f'data-canned-draft="{version.pk}"' in page
    client.post(f"/kb/canned/versions/{version.pk}/decide", {"decision": "approve"})
    assert desk_titles(world) == ["Dạ Nguyễn Văn An ơi"]


def test_an_edit_is_a_new_version_the_approved_text_stays_until_approved(world, lead, client):
    from cskh.knowledge import services
    from cskh.knowledge.models import CannedAnswerVersion

    v1 = services.propose_canned_answer(
        author=world["agent"], title="Mẫu", body="Bản một", case_type=None
    )
    services.approve_canned_version(version=v1, approver=lead)
    client.force_login(world["agent"])
    r = client.post(f"/kb/canned/{v1.answer_id}/edit", {"title": "Mẫu", "body": "Bản hai"})
    assert r.status_code == 302
    assert desk_titles(world) == ["Bản một"]
    v2 = CannedAnswerVersion.objects.get(number=2)
    client.force_login(lead)
    client.post(f"/kb/canned/versions/{v2.pk}/decide", {"decision": "reject"})
    assert desk_titles(world) == ["Bản một"]
    v3 = services.propose_canned_answer(
        author=world["agent"], title="Mẫu", body="Bản ba", answer=v1.answer
    )
    services.approve_canned_version(version=v3, approver=lead)
    assert desk_titles(world) == ["Bản ba"]
    assert list(v1.answer.versions.values_list("number", "status")) == [
        (3, "approved"),
        (2, "rejected"),
        (1, "approved"),
    ]


def test_empty_text_is_refused_with_a_message(world, client):
    client.force_login(world["agent"])
    r = client.post("/kb/canned/new", {"title": "", "body": ""})
    assert r.status_code == 400
    assert 'role="alert"' in r.content.decode()
