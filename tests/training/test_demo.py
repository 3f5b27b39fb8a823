"""`cskh demo` fills the training pages: mandatory changes (some unconfirmed), learning paths
with attempts and certificates, coaching linked to QA reviews."""

from io import StringIO

from django.core.management import call_command


def test_demo_fills_training(db, geo, client):
    from cskh.org.models import User
    from cskh.training.models import (
        CoachingSession,
        Enrollment,
        LearningPath,
        QuizAttempt,
        ReadRequirement,
    )
    from cskh.training.selectors import requirements_overview

    call_command(
        "demo",
        profile="electricity",
        customers=300,
        seed=7,
        now="2026-06-15T10:00:00+07:00",
        stdout=StringIO(),
    )
    assert LearningPath.objects.count() == 3
    assert Enrollment.objects.exclude(certificate_no="").exists()
    assert Enrollment.objects.filter(completed_at__isnull=True).exists()
    assert QuizAttempt.objects.filter(passed=False).exists()
    assert ReadRequirement.objects.count() >= 3
    overview = requirements_overview(None)
    assert any(o["missing"] for o in overview) and any(o["confirmed"] for o in overview)
    sessions = CoachingSession.objects.all()
    assert sessions.exists() and sessions.filter(reviews__isnull=False).exists()
    assert sessions.filter(followed_up_at__isnull=False).exists()
    lead = User.objects.filter(role="shift_lead").first()
    client.force_login(lead)
    for url in ("/dao-tao/", "/dao-tao/bat-buoc/", "/dao-tao/kem-cap/", "/qa/dashboard/"):
        assert client.get(url).status_code == 200, url
    page = client.get("/qa/dashboard/?weeks=52").content.decode()
    assert "<svg" in page and "polyline" in page
