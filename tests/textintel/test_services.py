"""Versioned models in the database, retraining, the case_opened hook and its selectors."""

import pytest
from django.core.management import call_command

from cskh.cases import services as cases
from cskh.cases.models import CaseEvent
from cskh.catalog.services import get_case_type
from cskh.core.errors import DomainError
from cskh.textintel import selectors, services
from cskh.textintel.models import InboundAnalysis, ModelVersion


def test_first_use_installs_the_seed_model_as_active_version(db):
    assert not ModelVersion.objects.exists()
    result = services.analyze_text("Dây điện đứt trước nhà", "electricity")
    row = ModelVersion.objects.get(profile="electricity")
    assert row.is_active and row.version == result["model_version"]
    assert row.version.startswith("electricity-seed-") and row.corpus_digest
    assert row.metrics["eval"]["accuracy"] > 0.9 and row.size_bytes == len(bytes(row.model))
    assert result["case_types"][0]["code"] == "hazard" and result["urgent"]
    # second use: same version, nothing new stored
    services.analyze_text("mất điện", "electricity")
    assert ModelVersion.objects.count() == 1


def test_bad_input_is_rejected_in_vietnamese(db):
    with pytest.raises(DomainError) as exc:
        services.analyze_text("mất điện", "water")
    assert exc.value.code == "bad_profile" and "Ngành không hợp lệ" in str(exc.value)
    with pytest.raises(DomainError, match="trống"):
        services.analyze_text("   ", "electricity")
    with pytest.raises(DomainError, match="quá dài"):
        services.analyze_text("mất điện " * 1000, "electricity")
    with pytest.raises(DomainError) as exc:
        services.analyze_texts(["a"] * 1001, "electricity")
    assert exc.value.status == 413
    assert not ModelVersion.objects.exists()  # bad input changes nothing


def _confirmed_cases(world, texts_and_types):
    for text, code in texts_and_types:
        cases.open_case(customer=world["customer"], case_type=get_case_type(code), description=text)


def test_retrain_with_confirmed_cases_activates_when_not_worse(world):
    first = services.active_model("electricity")
    _confirmed_cases(
        world,
        [(f"Công tơ nhà em {i} nhảy số liên tục dù tắt hết thiết bị", "meter") for i in range(6)]
        + [
            (f"muốn đổi tên chủ hộ trên hợp đồng điện lần {i}", "contract_change") for i in range(6)
        ],
    )
    result = services.train_model("electricity")
    assert result["metrics"]["n_extra"] == 12
    assert result["previous"] == first.version
    new = ModelVersion.objects.get(version=result["candidate"])
    assert result["activated"] is (result["reason"] == "better_or_equal")
    assert new.metrics["previous"]["version"] == first.version
    if result["activated"]:
        assert services.active_model("electricity").version == new.version
        assert ModelVersion.objects.filter(profile="electricity", is_active=True).count() == 1
    # retraining again on the same data changes nothing
    assert services.train_model("electricity")["reason"] in (
        "unchanged",
        "better_or_equal",
        "worse",
    )


def test_worse_model_is_stored_but_not_activated(db):
    first = services.active_model("telecom")
    # agents "confirmed" hundreds of messages under wrong types: the candidate gets worse
    from cskh.textintel import classifier

    seed = classifier.load_seed("telecom")
    codes = sorted({c for _, c in seed})
    wrong = [(t + " nhé", codes[(codes.index(c) + 1) % len(codes)]) for t, c in seed[::3]]
    result = services.train_model("telecom", extra=wrong)
    assert result["reason"] == "worse" and not result["activated"]
    assert services.active_model("telecom").version == first.version
    assert not ModelVersion.objects.get(version=result["candidate"]).is_active


def test_train_command(db, capsys):
    call_command("train", profile="telecom")
    out = capsys.readouterr().out
    assert '"profile": "telecom"' in out and '"candidate"' in out
    assert ModelVersion.objects.filter(profile="telecom", is_active=True).count() == 1
    # the scheduled form (Django task) does the same
    from cskh.textintel.tasks import retrain

    result = retrain.call(profile="telecom")
    assert result["profile"] == "telecom" and result["metrics"]["eval"]["n"] > 0


def test_urgent_case_is_raised_and_analysis_stored(world):
    case = cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("outage"),
        description="Mất điện từ hôm qua tới giờ, nhà có ông bà lớn tuổi, nóng quá",
    )
    assert case.priority == 1
    analysis = selectors.analysis_for_case(case)
    assert analysis.urgent and "người già" in analysis.urgency_reasons
    assert "mất điện kéo dài" in analysis.urgency_reasons
    assert analysis.sentiment == "negative" and analysis.model_version
    event = case.events.get(kind=CaseEvent.Kind.ESCALATION)
    assert event.data == {"priority": [2, 1]} and "người già" in event.body
    case.refresh_from_db()
    assert case.priority == 1


def test_calm_case_keeps_priority_and_complaint_is_flagged(world):
    calm = cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="Cho em hỏi sao hóa đơn tháng này lại tăng ạ",
    )
    assert calm.priority == 3
    a = selectors.analysis_for_case(calm)
    assert not a.urgent and a.urgency_reasons == [] and not a.complaint
    angry = cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("staff_complaint"),
        description="Nhân viên ghi chỉ số thái độ cộc cằn, quá tệ, tôi khiếu nại",
    )
    b = selectors.analysis_for_case(angry)
    assert b.complaint and b.sentiment == "negative"
    mood = selectors.customer_mood(world["customer"])
    assert mood["cases"] == 2 and mood["complaints"] >= 1
    cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("outage"),
        description="Lại cúp điện nữa rồi, làm ăn kiểu gì vậy, bực mình quá",
    )
    assert selectors.customer_mood(world["customer"])["angry_repeat"] is True
    assert InboundAnalysis.objects.filter(case__customer=world["customer"]).count() == 3
