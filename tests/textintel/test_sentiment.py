"""Sentiment, complaint and urgency (pure functions, no database)."""

import pytest

from cskh.textintel import sentiment


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Dây điện trước nhà bị đứt rơi xuống đường, nguy hiểm quá", "dây điện đứt/rơi"),
        ("day dien bi dut nam duoi duong hem 12", "dây điện đứt/rơi"),
        ("Con tôi chạm vào tủ lạnh bị điện giật", "điện giật/rò điện"),
        ("cot dien truoc nha bi ro dien, te tay", "điện giật/rò điện"),
        ("Trạm biến áp đầu hẻm đang bốc cháy", "cháy/khói"),
        ("có mùi khét và khói bay ra từ công tơ", "cháy/khói"),
        ("Nghe tiếng nổ lớn ở trụ điện rồi mất điện", "cháy nổ"),
        ("Mất điện từ hôm qua tới giờ chưa có", "mất điện kéo dài"),
        ("nha toi mat dien 5 tieng roi", "mất điện kéo dài"),
        ("Mất điện, nhà có ông bà lớn tuổi", "người già"),
        ("cup dien ma nha co em be so sinh", "trẻ nhỏ/em bé"),
        ("Mất điện, nhà có bệnh nhân thở máy", "bệnh nhân/thiết bị y tế"),
        ("Cột điện đầu hẻm bị nghiêng sắp đổ", "cột điện nghiêng/gãy/đổ"),
    ],
)
def test_urgency_cues_with_reasons(text, reason):
    urgent, reasons = sentiment.urgency(text)
    assert urgent and reason in reasons


@pytest.mark.parametrize(
    "text",
    [
        "Cho hỏi lịch cắt điện ngày mai ở phường Bến Thành",
        "Tiền điện tháng này cao quá",
        "nha toi co nguoi gia, muon dang ky sang ten hop dong",  # vulnerable but no outage
        "xe chạy ngang làm rung cửa",  # "chạy" folds like "cháy": no fire
        "con nợ tiền điện tháng trước không",  # "nợ" folds like "nổ": no explosion
        "wifi giật lag khi xem phim",  # "giật" lag is not an electric shock
    ],
)
def test_not_urgent(text):
    assert sentiment.urgency(text) == (False, [])


@pytest.mark.parametrize(
    ("text", "label", "complaint"),
    [
        ("Nhân viên thái độ quá tệ, tôi muốn khiếu nại", "negative", True),
        ("nv cộc cằn, gọi tổng đài mãi không ai nghe, thất vọng", "negative", True),
        ("Cảm ơn anh kỹ thuật hỗ trợ rất nhiệt tình", "positive", False),
        ("cam on tong dai tu van nhiet tinh, rat hai long", "positive", False),
        ("Cho em hỏi thủ tục sang tên hợp đồng điện", "neutral", False),
    ],
)
def test_sentiment_and_complaint(text, label, complaint):
    result = sentiment.analyze_sentiment(text)
    assert result["sentiment"] == label
    assert result["complaint"] is complaint
    if label == "negative":
        assert result["sentiment_score"] < 0
    if label == "positive":
        assert result["sentiment_score"] > 0


def test_negation_flips_lexicon():
    assert sentiment.lexicon_hits("dịch vụ không tốt")["neg_pos"] == 1
    assert sentiment.lexicon_hits("dich vu khong tot")["neg_pos"] == 1
    assert sentiment.lexicon_hits("cũng không tệ lắm")["neg_neg"] == 1
    assert sentiment.lexicon_hits("rất tốt, cảm ơn")["pos"] == 2


def test_analyze_batch_shape_and_order():
    texts = ["Dây điện đứt trước nhà", "cảm ơn điện lực nhiều", "tiền điện tăng gấp đôi vô lý"]
    out = sentiment.analyze_batch(texts, "electricity")
    assert [r["case_types"][0]["code"] for r in out] == ["hazard", "general", "billing"]
    assert set(out[0]) == {
        "case_types",
        "sentiment",
        "sentiment_score",
        "complaint",
        "urgent",
        "urgency_reasons",
        "model_version",
    }
    assert out[0]["urgent"] and not out[1]["urgent"]
    assert len(out[0]["case_types"]) == 3
    assert sentiment.analyze_batch([], "electricity") == []
