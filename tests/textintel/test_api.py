"""/api/v1/text through Django's test client."""

import pytest

from cskh.textintel.models import ModelVersion

JSON = "application/json"


@pytest.fixture(scope="module")
def warm():
    """Train the seed models once in this process, so the first request of each test is not
    slowed by training on a loaded CI machine."""
    from cskh.textintel import classifier, sentiment

    sentiment.get_model()
    for profile in classifier.PROFILES:
        classifier.default_model(profile)


@pytest.fixture
def client(api_as, agent, profile, warm):
    return api_as(agent)


def test_analyze(client):
    r = client.post(
        "/api/v1/text/analyze",
        content_type=JSON,
        data={"text": "Dây điện trước nhà bị đứt, nhà có em bé, sợ quá", "profile": "electricity"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "case_types",
        "sentiment",
        "sentiment_score",
        "complaint",
        "urgent",
        "urgency_reasons",
        "model_version",
    }
    assert body["case_types"][0]["code"] == "hazard" and len(body["case_types"]) == 3
    assert body["case_types"][0]["score"] > 0.5
    assert body["urgent"] is True and "dây điện đứt/rơi" in body["urgency_reasons"]
    assert body["sentiment"] == "negative" and body["sentiment_score"] < 0
    active = ModelVersion.objects.get(profile="electricity", is_active=True)
    assert body["model_version"] == active.version


def test_analyze_defaults_to_active_profile_and_reads_text_without_marks(client):
    r = client.post(
        "/api/v1/text/analyze", content_type=JSON, data={"text": "tien dien thang nay tang gap doi"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["case_types"][0]["code"] == "billing"


def test_batch(client):
    texts = ["mạng internet mất kết nối, đèn LOS đỏ", "wifi chậm quá, xem youtube giật"] * 300
    r = client.post(
        "/api/v1/text/analyze/batch", content_type=JSON, data={"texts": texts, "profile": "telecom"}
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == 600
    assert [i["case_types"][0]["code"] for i in items[:2]] == ["internet_down", "slow_speed"]
    assert r.json()["model_version"].startswith("telecom-")


BAD_INPUT = [
    ("/api/v1/text/analyze", {"text": "mất điện", "profile": "water"}, 400, "bad_profile"),
    ("/api/v1/text/analyze", {"text": "   ", "profile": "electricity"}, 400, "empty_text"),
    ("/api/v1/text/analyze", {"text": "x" * 5001}, 400, "too_long"),
    ("/api/v1/text/analyze", {"profile": "electricity"}, 422, "validation"),
    ("/api/v1/text/analyze", {"text": 12}, 422, "validation"),
    ("/api/v1/text/analyze/batch", {"texts": ["mất điện"] * 1001}, 413, "batch_too_large"),
    ("/api/v1/text/analyze/batch", {"texts": []}, 400, "empty_batch"),
    ("/api/v1/text/analyze/batch", {"texts": ["ok", ""]}, 400, "empty_text"),
]


def test_bad_input_4xx_in_vietnamese(client):
    for url, payload, status, code in BAD_INPUT:  # one live server for all cases
        r = client.post(url, content_type=JSON, data=payload)
        assert r.status_code == status, (payload, r.text)
        assert r.json()["code"] == code
        assert r.json()["detail"] and not r.json()["detail"].isascii()  # Vietnamese message
    assert not ModelVersion.objects.exists()  # bad input changed nothing


def test_requires_auth(api_as, profile):
    r = api_as(token="not-a-token").post(
        "/api/v1/text/analyze", content_type=JSON, data={"text": "mất điện"}
    )
    assert r.status_code in (401, 403)  # POST without a valid token also fails the CSRF check
    assert api_as(token="not-a-token").get("/api/v1/text/models").status_code == 401
    assert api_as().post(
        "/api/v1/text/analyze", content_type=JSON, data={"text": "mất điện"}
    ).status_code in (401, 403)


def test_models_list(client):
    client.post(
        "/api/v1/text/analyze", content_type=JSON, data={"text": "mất điện", "profile": "telecom"}
    )
    r = client.get("/api/v1/text/models", query_params={"profile": "telecom"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 1 and items[0]["is_active"] and items[0]["metrics"]["eval"]["n"] > 0
    assert client.get("/api/v1/text/models", query_params={"profile": "gas"}).status_code == 400
