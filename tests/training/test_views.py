"""Training pages: each role sees its share, "not yours" is 404, forms go through services."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def req(teams, version):
    from cskh.training.services import require_reading

    return require_reading(
        version=version,
        summary="Giá bậc 1 tăng",
        due_on=timezone.localdate() + timedelta(days=2),
        actor=teams["lead"],
    )


def test_pages_open_for_each_role(client, teams, req, path):
    for who in ("agent", "lead", "manager"):
        client.force_login(teams[who])
        for url in (
            "/dao-tao/",
            "/dao-tao/kem-cap/",
            f"/dao-tao/lo-trinh/{path.pk}/",
            "/qa/dashboard/",
        ):
            assert client.get(url).status_code == 200, (who, url)
    client.force_login(teams["agent"])
    assert client.get("/dao-tao/bat-buoc/").status_code == 403
    assert client.get("/dao-tao/kem-cap/moi").status_code == 403


def test_desk_badge_and_confirm_page(client, teams, req):
    client.force_login(teams["agent"])
    desk = client.get("/desk/").content.decode()
    assert 'data-testid="mandatory-badge"' in desk and "Biểu giá điện sinh hoạt mới" in desk
    page = client.get(f"/dao-tao/bat-buoc/{req.pk}/").content.decode()
    assert "1.984 đồng/kWh" in page
    client.post(f"/dao-tao/bat-buoc/{req.pk}/xac-nhan")
    assert 'data-testid="mandatory-badge"' not in client.get("/desk/").content.decode()
    # someone outside the audience who is not a lead: 404
    client.force_login(teams["lead2"])
    assert client.get(f"/dao-tao/bat-buoc/{req.pk}/").status_code == 200  # a lead
    from cskh.org.services import create_user

    other = create_user(username="tvv99", password="x", role="agent", unit=teams["t2"])
    from cskh.training.models import ReadRequirement

    ReadRequirement.objects.filter(pk=req.pk).update(unit=teams["t1"])
    client.force_login(other)
    assert client.get(f"/dao-tao/bat-buoc/{req.pk}/").status_code == 404


def test_lead_marks_a_change_and_sees_who_is_missing(client, teams, version):
    client.force_login(teams["lead"])
    page = client.get("/dao-tao/bat-buoc/").content.decode()
    assert f'value="{version.pk}"' in page
    r = client.post(
        "/dao-tao/bat-buoc/",
        {"version": version.pk, "summary": "Giá mới", "unit": "", "due_on": ""},
    )
    assert r.status_code == 302
    from cskh.training.models import ReadRequirement

    req = ReadRequirement.objects.get()
    page = client.get(f"/dao-tao/bat-buoc/{req.pk}/").content.decode()
    assert "Lê Hoa" in page  # a1 has not confirmed
    # bad input: a message, never a 500
    r = client.post("/dao-tao/bat-buoc/", {"version": "abc", "summary": ""})
    assert r.status_code == 200


def test_other_peoples_records_are_404(client, teams, path):
    from cskh.training.services import enroll, record_coaching

    e = enroll(path=path, user=teams["a1"], actor=teams["a1"])
    s = record_coaching(
        agent=teams["a1"],
        coach=teams["lead"],
        topic="T",
        actions="A",
        follow_up_on=timezone.localdate(),
    )
    client.force_login(teams["a2"])
    assert client.get(f"/dao-tao/hoc/{e.pk}/").status_code == 404
    assert client.get(f"/dao-tao/kem-cap/{s.pk}/").status_code == 404
    assert client.get(f"/dao-tao/nguoi/{teams['a1'].pk}/").status_code == 404
    client.force_login(teams["lead2"])
    assert client.get(f"/dao-tao/kem-cap/{s.pk}/").status_code == 404
    client.force_login(teams["lead"])
    assert client.get(f"/dao-tao/kem-cap/{s.pk}/").status_code == 200
    assert client.get(f"/dao-tao/nguoi/{teams['a1'].pk}/").status_code == 200
    assert client.get(f"/dao-tao/hoc/{e.pk}/").status_code == 200


def test_quiz_page_scores_and_certificate_prints(client, teams, path):
    client.force_login(teams["a1"])
    r = client.post(f"/dao-tao/lo-trinh/{path.pk}/dang-ky")
    assert r.status_code == 302
    from cskh.training.models import Enrollment

    e = Enrollment.objects.get(user=teams["a1"])
    quiz, reading = list(path.steps.all())
    assert client.get(f"/dao-tao/hoc/{e.pk}/chung-nhan").status_code == 404  # not yet
    form = {}
    for q in quiz.questions.all():
        form[f"q{q.pk}"] = str(next(c.pk for c in q.choices.all() if c.correct))
    form["q999999"] = "bad"
    client.post(f"/dao-tao/hoc/{e.pk}/bai/{quiz.pk}/", form)
    client.post(f"/dao-tao/hoc/{e.pk}/bai/{reading.pk}/", {})
    cert = client.get(f"/dao-tao/hoc/{e.pk}/chung-nhan").content.decode()
    e.refresh_from_db()
    assert e.certificate_no and e.certificate_no in cert and "Lê Hoa" in cert
    client.force_login(teams["lead"])
    results = client.get(f"/dao-tao/lo-trinh/{path.pk}/").content.decode()
    assert e.certificate_no in results


def test_assign_path_to_a_team_member(client, teams, path):
    client.force_login(teams["lead2"])
    client.post(f"/dao-tao/lo-trinh/{path.pk}/dang-ky", {"user": [teams["a2"].pk]})
    assert path.enrollments.filter(user=teams["a2"]).exists()
    r = client.post(f"/dao-tao/lo-trinh/{path.pk}/dang-ky", {"user": [teams["a1"].pk]})
    assert r.status_code == 404
    assert not path.enrollments.filter(user=teams["a1"]).exists()


def test_lead_writes_a_path_in_plain_text(client, teams):
    from cskh.training.models import LearningPath

    client.force_login(teams["lead"])
    assert client.get("/dao-tao/lo-trinh/moi").status_code == 200
    r = client.post(
        "/dao-tao/lo-trinh/moi",
        {
            "title": "Khiếu nại",
            "pass_mark": "70",
            "max_attempts": "2",
            "steps": "## Ghi nhận\n? Hứa ngoài chính sách?\n* Miễn tiền\n- Hẹn gọi lại",
        },
    )
    path = LearningPath.objects.get(title="Khiếu nại")
    assert r.status_code == 302 and (path.pass_mark, path.max_attempts) == (70, 2)
    r = client.post("/dao-tao/lo-trinh/moi", {"title": "Sai", "steps": "linh tinh"})
    assert r.status_code == 200 and not LearningPath.objects.filter(title="Sai").exists()
    client.force_login(teams["agent"])
    assert client.get("/dao-tao/lo-trinh/moi").status_code == 403
