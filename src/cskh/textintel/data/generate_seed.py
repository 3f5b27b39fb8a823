"""Writes the shipped seed corpora deterministically:

    .venv/bin/python -m cskh.textintel.data.generate_seed

seed_<profile>.tsv columns: text, case_type, sentiment (negative|neutral|positive),
complaint (0/1), urgent (0/1). Every hand-written message (texts_<profile>.py) appears once as
written; the rest are variants: hand-written messages and templates with slots filled
(addresses in HCMC with new and old ward/district names, customer codes, phone numbers, amounts),
wrapped in greetings/closers of different tones and rewritten the way people type (without
diacritics, teencode, lower case without punctuation, typos).
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from pathlib import Path

from cskh.textintel.data import texts_electricity, texts_telecom

HERE = Path(__file__).resolve().parent
PER_TYPE = 110
SEEDS = {"electricity": 20260601, "telecom": 20260602}
SOURCES = {"electricity": texts_electricity, "telecom": texts_telecom}

ADDRESSES = [
    "số 12 Lê Lợi, phường Bến Thành",
    "P. Tân Định Q.1",
    "hẻm 45 Nguyễn Trãi P.2 Q.5",
    "chung cư Phú Mỹ, P. Tân Phong, Q.7",
    "đường Cách Mạng Tháng 8, Q.3",
    "123/4 Lê Văn Sỹ phường 13 quận 3",
    "kp 3 P. Linh Trung, Thủ Đức",
    "ấp 2 xã Tân Thạnh Tây, Củ Chi",
    "phường Bàn Cờ",
    "phường Xuân Hòa",
    "phường Sài Gòn",
    "hẻm 88 Bùi Viện",
    "Bình Thạnh gần chợ Bà Chiểu",
    "P.10 Gò Vấp",
    "cư xá Bắc Hải Q.10",
    "56 Võ Văn Tần, phường Võ Thị Sáu",
    "lô B chung cư Nguyễn Thiện Thuật Q3",
    "đường số 7 Bình Tân",
    "Phạm Văn Đồng, Hiệp Bình Chánh",
    "hẻm 20 Trần Hưng Đạo, phường Cầu Ông Lãnh",
    "tổ 5 khu phố 2, phường Tân Hưng Thuận Q12",
    "chợ Tân Định",
    "Nguyễn Văn Cừ Q5",
    "phuong Ben Nghe quan 1",
    "p.14 q.Tan Binh",
    "đường Lý Thường Kiệt, Q.Tân Bình",
    "thị trấn Nhà Bè",
    "xã Bình Hưng, Bình Chánh",
    "Vinhomes Central Park, Bình Thạnh",
    "khu dân cư Trung Sơn",
]
SINCE = [
    "từ sáng tới giờ",
    "từ 2h chiều",
    "từ hôm qua",
    "hơn 3 tiếng rồi",
    "từ 9h tối qua",
    "từ nãy giờ",
    "cả buổi sáng",
    "được 30 phút",
    "2 ngày nay",
    "tu sang den gio",
    "từ lúc 5h sáng",
    "mấy tiếng đồng hồ",
]
VULNERABLE = ["người già", "em bé mới sinh", "bệnh nhân thở máy", "ông bà lớn tuổi", "trẻ nhỏ"]
AMOUNTS = ["1.250.000đ", "850k", "2 triệu", "3tr2", "1,5 triệu", "640.000 đồng", "2.100.000 VND"]
AMOUNTS2 = ["220k", "180.000đ", "300 nghìn", "165k"]
WALLETS = ["Momo", "ZaloPay", "VNPay", "ngân hàng Vietcombank", "app ngân hàng", "ViettelPay"]
PACKAGES = ["150Mbps", "300Mbps", "Super 500", "1Gbps", "combo 250", "gói Giga"]
DEVICES = ["ZTE F670", "Huawei HG8145", "TP-Link Archer", "modem wifi 6", "AX3000"]
CHANNELS = ["VTV3", "HTV7", "K+", "HBO", "VTV6", "Cartoon Network"]

PREFIXES = [
    "",
    "",
    "",
    "Alo, ",
    "Chào tổng đài, ",
    "Dạ cho em hỏi, ",
    "Chị ơi, ",
    "Ad ơi ",
    "Tổng đài ơi, ",
    "Xin chào, ",
    "Em chào anh chị ạ. ",
    "Cho hỏi ",
    "Mình hỏi chút, ",
    "Anh ơi ",
    "Hello shop, ",
    "Kính gửi điện lực, ",
]
SUFFIX_NEUTRAL = [
    "",
    "",
    " ạ",
    " nha",
    " giúp em với",
    ", cảm ơn",
    " thanks ad",
    ", trả lời sớm giúp mình",
]
SUFFIX_ANGRY = [
    ", làm ăn kiểu gì vậy",
    ". Bực mình quá!",
    ", quá tệ",
    ", gọi mãi không ai nghe máy",
    ", lần thứ 3 rồi đó",
    "!!! không chấp nhận được",
    ", thất vọng về dịch vụ",
    ". Tôi sẽ khiếu nại lên trên",
]
SUFFIX_POSITIVE = [
    ". Cảm ơn nhiều ạ, lần trước nhân viên hỗ trợ rất nhiệt tình",
    ", dịch vụ bên mình tốt lắm",
    ". Rất hài lòng với cách phục vụ",
]

TEEN = [
    (r"\bkhông\b", ["ko", "k", "hok", "khong", "kh"]),
    (r"\bđược\b", ["dc", "đc"]),
    (r"\bgì\b", ["j"]),
    (r"\brồi\b", ["r"]),
    (r"\bsố điện thoại\b|\bsđt\b", ["sdt"]),
    (r"\bvới\b", ["vs"]),
    (r"\bquá\b", ["wa", "qá"]),
    (r"\bnhân viên\b", ["nv"]),
    (r"\bvậy\b", ["z", "v"]),
    (r"\bbiết\b", ["bít"]),
    (r"\bEm\b", ["E", "e"]),
    (r"\bem\b", ["e"]),
    (r"\bmình\b", ["mik", "mk"]),
    (r"\bthôi\b", ["thui"]),
]


def parse(entry: str) -> tuple[str, str]:
    if " #" in entry:
        text, tags = entry.rsplit(" #", 1)
        return text, tags
    return entry, ""


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def teencode(text: str, rng: random.Random) -> str:
    for pattern, options in TEEN:
        if rng.random() < 0.8:

            def pick(_m: re.Match[str], options: list[str] = options) -> str:
                return rng.choice(options)

            text = re.sub(pattern, pick, text)
    return text


def typo(text: str, rng: random.Random) -> str:
    words = text.split()
    idx = [i for i, w in enumerate(words) if len(w) > 3 and w.isalpha()]
    if not idx:
        return text
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    if rng.random() < 0.5:
        words[i] = w[:j] + w[j + 1 :]
    else:
        words[i] = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
    return " ".join(words)


def electricity_code(rng: random.Random) -> str:
    code = rng.choice(["PE", "PE", "PB", "PA"]) + "0" + "".join(rng.choices("0123456789", k=10))
    label = rng.choice(["", "mã KH ", "ma kh ", "MKH ", "mã khách hàng "])
    return label + (code if rng.random() < 0.8 else code.lower())


def telecom_code(rng: random.Random) -> str:
    area = rng.choice(["HCM", "SGN", "SGH", "HCM"])
    svc = rng.choice(["FTTH", "FTTH", "IPTV", "NET"])
    return f"{area}-{svc}-{rng.randrange(10**7):08d}"


def phone(rng: random.Random) -> str:
    prefix = rng.choice(["090", "091", "093", "097", "098", "038", "070", "079", "086"])
    rest = "".join(rng.choices("0123456789", k=7))
    fmt = rng.randrange(4)
    if fmt == 0:
        return prefix + rest
    if fmt == 1:
        return f"{prefix[:4]} {prefix[4:]}{rest[:3]} {rest[3:]}".replace("  ", " ")
    if fmt == 2:
        return f"+84 {prefix[1:]} {rest[:3]} {rest[3:]}"
    return f"{prefix}.{rest[:3]}.{rest[3:]}"


def fill(text: str, profile: str, rng: random.Random) -> str:
    if "{" not in text:
        return text
    slots = {
        "addr": rng.choice(ADDRESSES),
        "code": electricity_code(rng) if profile == "electricity" else telecom_code(rng),
        "phone": phone(rng),
        "amount": rng.choice(AMOUNTS),
        "amount2": rng.choice(AMOUNTS2),
        "since": rng.choice(SINCE),
        "meter": f"số {rng.randrange(10**7, 10**8)}",
        "date": rng.choice(["15/6", "thứ 7 này", "ngày mai", "20/7", "chủ nhật", "thứ 2 tuần sau"]),
        "month": str(rng.randrange(1, 13)),
        "vulnerable": rng.choice(VULNERABLE),
        "wallet": rng.choice(WALLETS),
        "n": str(rng.randrange(2, 9)),
        "volt": str(rng.choice([150, 160, 170, 175, 180, 250, 260])),
        "pkg": rng.choice(PACKAGES),
        "speed": str(rng.choice([2, 5, 8, 10, 20, 30])),
        "device": rng.choice(DEVICES),
        "channel": rng.choice(CHANNELS),
    }
    return text.format(**slots)


def labels(code: str, tags: str) -> tuple[str, int, int]:
    sentiment = "negative" if "n" in tags else "positive" if "p" in tags else "neutral"
    complaint = int("c" in tags)
    urgent = int("u" in tags or code == "hazard")
    return sentiment, complaint, urgent


def variant(entry: str, code: str, profile: str, rng: random.Random):
    text, tags = parse(entry)
    text = fill(text, profile, rng)
    sentiment, complaint, urgent = labels(code, tags)
    r = rng.random()
    prefix = rng.choice(PREFIXES)
    if r < 0.15 and code not in ("hazard",):
        suffix = rng.choice(SUFFIX_ANGRY)
        sentiment, complaint = "negative", 1
    elif r < 0.20 and sentiment == "neutral":
        suffix = rng.choice(SUFFIX_POSITIVE)
        sentiment = "positive"
    else:
        suffix = rng.choice(SUFFIX_NEUTRAL)
    if prefix and text[:1].isupper() and not text.startswith(("Điện lực", "EVN")):
        text = text[0].lower() + text[1:]
    text = prefix + text + suffix
    if rng.random() < 0.30:
        text = teencode(text, rng)
    if rng.random() < 0.30:
        text = strip_marks(text)
    if rng.random() < 0.20:
        text = " ".join(re.sub(r"[^\w\s/+.-]", " ", text.lower()).split())
    if rng.random() < 0.15:
        text = typo(text, rng)
    return text, sentiment, complaint, urgent


def build(profile: str) -> list[tuple[str, str, str, int, int]]:
    rng = random.Random(SEEDS[profile])
    src = SOURCES[profile]
    rows: list[tuple[str, str, str, int, int]] = []
    for code in src.HAND:
        seen: set[str] = set()
        out = []
        for entry in src.HAND[code]:
            text, tags = parse(entry)
            text = fill(text, profile, rng)
            if text not in seen:
                seen.add(text)
                out.append((text, code, *labels(code, tags)))
        pool = list(src.HAND[code]) + list(src.TEMPLATES[code]) * 2
        attempts = 0
        while len(out) < PER_TYPE and attempts < PER_TYPE * 20:
            attempts += 1
            text, sentiment, complaint, urgent = variant(rng.choice(pool), code, profile, rng)
            text = " ".join(text.split())
            if text and text not in seen:
                seen.add(text)
                out.append((text, code, sentiment, complaint, urgent))
        rows.extend(out)
    return rows


def write(profile: str) -> Path:
    path = HERE / f"seed_{profile}.tsv"
    rows = build(profile)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(["text", "case_type", "sentiment", "complaint", "urgent"])
        writer.writerows(rows)
    return path


def main() -> None:
    for profile in SOURCES:
        path = write(profile)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
