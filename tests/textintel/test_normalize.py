"""cskh.textintel.normalize: the one normalization module (real Vietnamese examples)."""

import unicodedata

import pytest

from cskh.textintel import normalize as n


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Mất điện", "mat dien"),
        ("  MẤT   ĐIỆN  ", "mat dien"),
        ("Đường Điện Biên Phủ, P.Đa Kao", "duong dien bien phu, p.da kao"),
        ("Nguyễn Thị Thuỷ", "nguyen thi thuy"),
        ("Hóa đơn tháng 6", "hoa don thang 6"),
        ("hoá đơn tháng 6", "hoa don thang 6"),
        ("Phường Bến Nghé, Quận 1", "phuong ben nghe, quan 1"),
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert n.fold(text) == folded


def test_fold_accepts_nfd_input_and_keeps_other_scripts():
    nfd = unicodedata.normalize("NFD", "Điện lực Sài Gòn")
    assert nfd != "Điện lực Sài Gòn"
    assert n.fold(nfd) == "dien luc sai gon"
    assert n.nfc(nfd) == "Điện lực Sài Gòn"
    assert n.fold("Cúp điện 😡 电") == "cup dien 😡 电"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoá đơn", "hóa đơn"),
        ("HOÁ ĐƠN", "HÓA ĐƠN"),
        ("Nguyễn Thị Thuý", "Nguyễn Thị Thúy"),
        ("hoà mạng", "hòa mạng"),
        ("uỷ ban nhân dân", "ủy ban nhân dân"),
        ("sức khoẻ", "sức khỏe"),
        ("toà nhà", "tòa nhà"),
        ("quý khách", "quý khách"),  # qu + y is not the ambiguous diphthong
        ("hoạt động", "hoạt động"),  # final consonant: unchanged
        ("mất điện", "mất điện"),
    ],
)
def test_tone_placement_unified(old, new):
    assert n.normalize_tone_placement(old) == new


def test_tone_placement_both_spellings_match_after_normalizing():
    a = n.normalize_tone_placement(unicodedata.normalize("NFD", "Thuý hoà"))
    assert a == n.normalize_tone_placement("Thúy hòa") == "Thúy hòa"


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("e ko dc nhận hđ", "em không được nhận hđ"),
        ("nhà e k có điện", "nhà em không có điện"),
        ("Cho e hỏi. e bị mất điện", "Cho em hỏi. em bị mất điện"),
        ("sdt của mình là 0901234567", "số điện thoại của mình là 0901234567"),
        ("nv thái độ wa tệ", "nhân viên thái độ quá tệ"),
        ("mã KH PE01000123456", "mã khách hàng PE01000123456"),
        ("ma kh cua toi", "ma khách hàng cua toi"),
        ("mạng lag wa, ntn z", "mạng lag quá, như thế nào vậy"),
        # not expanded: "a" (anh/à/ạ), "hd" (hóa đơn/hợp đồng), vitamin e, amounts like 50k
        ("a ơi hd tháng này", "a ơi hd tháng này"),
        ("vitamin e", "vitamin e"),
        ("nạp 50k", "nạp 50k"),
        ("Q.1 k", "Q.1 không"),
    ],
)
def test_expand_abbreviations(text, expanded):
    assert n.expand_abbreviations(text) == expanded


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("sdt em 0909123456 nha", ["+84909123456"]),
        ("gọi +84 90 123 4567 hoặc 0912.345.678", ["+84901234567", "+84912345678"]),
        ("số bàn (028) 3822 1234", ["+842838221234"]),
        ("84.901.234.567", ["+84901234567"]),
        ("tiền điện 1.250.000đ, mã PE01000123456", []),
        ("0901234567 và lại 090 123 4567", ["+84901234567"]),
    ],
)
def test_extract_phones(text, phones):
    assert n.extract_phones(text) == phones


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("mã KH pe01000123456 ạ", ["PE01000123456"]),
        ("MKH: PB 01000998877", ["PB01000998877"]),
        ("hợp đồng HCM-FTTH-00012345", ["HCM-FTTH-00012345"]),
        ("hd sgn_iptv_1234567 bị lỗi", ["SGN-IPTV-1234567"]),
        ("gọi 0901234567 giúp em", []),
    ],
)
def test_extract_customer_codes(text, codes):
    assert n.extract_customer_codes(text) == codes


def test_prepare_replaces_entities_and_folds():
    p = n.prepare("Mã KH PE01000123456, sđt 0901 234 567, e ko dc nhận hoá đơn 1.250.000đ!!")
    assert p.marked is True
    assert p.model == ("ma khach hang makh so dien thoai sodt em khong duoc nhan hoa don sotien")
    assert "hóa đơn" in p.view
    assert n.normalize_for_model("MAT DIEN 3 ngay roi") == "mat dien 0 ngay roi"
    assert n.prepare("mat dien").marked is False
    assert n.prepare("") == ("", "", "", False)


def test_with_and_without_diacritics_give_the_same_model_text():
    assert n.normalize_for_model("Nhà tôi mất điện, không có điện từ sáng") == (
        n.normalize_for_model("nha toi mat dien, ko co dien tu sang")
    )


def test_segment_words_uses_underthesea_offline():
    tokens = n.segment_words("Công ty điện lực thành phố Hồ Chí Minh thông báo lịch cắt điện")
    assert tokens[:4] == ["Công_ty", "điện_lực", "thành_phố", "Hồ_Chí_Minh"]
    assert n.segment_words(unicodedata.normalize("NFD", "điện lực")) == ["điện_lực"]
    assert n.tokenize("Mất điện!") == ["mat", "dien"]
