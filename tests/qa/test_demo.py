"""`cskh demo` fills the QA pages: a year of weekly reviews, calibration, attitude flags."""

from io import StringIO

from django.core.management import call_command


def test_demo_adds_reviews(db, geo, client):
    from cskh.org.models import User
    from cskh.qa.models import Answer, AttitudeFlag, Review

    call_command(
        "demo",
        profile="electricity",
        customers=300,
        seed=7,
        now="2026-06-15T10:00:00+07:00",
        stdout=StringIO(),
    )
    assert Review.objects.filter(status="pending").exists()
    assert Review.objects.filter(status="acknowledged").count() > 20
    assert Review.objects.filter(status="disputed").exists()
    assert Review.objects.filter(auto_failed=True).exists()
    assert Review.objects.exclude(calibration_key="").filter(sample="calibration").exists()
    assert Answer.objects.exists() and AttitudeFlag.objects.exists()
    weeks = Review.objects.values("week").distinct().count()
    assert weeks > 40
    lead = User.objects.filter(role="shift_lead").first()
    client.force_login(lead)
    assert client.get("/qa/reviews/").status_code == 200
    r = Review.objects.exclude(calibration_key="").first()
    page = client.get(f"/qa/reviews/{r.pk}/").content.decode()
    assert 'data-testid="spread"' in page
    agent = r.agent
    client.force_login(agent)
    assert r.case.number in client.get("/qa/mine/").content.decode()
