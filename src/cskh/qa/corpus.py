"""The attitude corpus: agent replies to customers, polite and impolite, electricity and
telecom, with and without diacritics, generated reproducibly from the phrase lists below.

Two parts written differently: ``train`` draws on set A (its own templates and phrases) and
``heldout`` on set B (other templates, other rude words, other domain facts), so the held-out
figures in ``bench/bench_qa.py`` measure replies the model never saw in any form. Labels:
1 = impolite (what the desk should warn about), 0 = polite.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from cskh.core.text import fold

__all__ = ["Reply", "train", "heldout", "SEED"]

SEED = 20261206


class Reply(NamedTuple):
    text: str
    impolite: int
    domain: str


# --------------------------------------------------------------------------- set A (training)

A = {
    "address": ["anh", "chị", "anh/chị", "quý khách", "anh chị", "cô", "chú"],
    "electricity": [
        "điện khu vực mình đang mất do sự cố đường dây",
        "đội kỹ thuật sẽ đến kiểm tra công tơ trong hôm nay",
        "hóa đơn tiền điện tháng này đã được ghi nhận",
        "lịch cắt điện bảo trì là từ 7 giờ đến 11 giờ sáng mai",
        "yêu cầu cấp điện mới của mình đã được tiếp nhận",
        "chỉ số công tơ sẽ được kiểm tra lại",
    ],
    "telecom": [
        "đường truyền internet nhà mình đang được kiểm tra",
        "gói cước mới đã được đăng ký thành công",
        "kỹ thuật viên sẽ liên hệ để sửa modem trong hôm nay",
        "tín hiệu di động khu vực này đang bị gián đoạn",
        "cước tháng này đã được đối soát lại",
        "sim của mình đã được khóa tạm thời để bảo vệ",
    ],
    "electricity_action": ["kiểm tra lại aptomat", "đọc mã khách hàng", "chụp ảnh công tơ"],
    "telecom_action": ["khởi động lại modem", "đọc số hợp đồng", "cài lại ứng dụng"],
    "polite": [
        "Dạ em chào {a}, {fact}. Em cảm ơn {a} đã kiên nhẫn chờ ạ.",
        "Dạ, {fact} ạ. {A} vui lòng {act} giúp em nhé.",
        "Em xin lỗi {a} vì sự bất tiện này, {fact}. Em sẽ theo dõi và báo lại {a} ạ.",
        "Dạ vâng, em đã ghi nhận phản ánh của {a}. {Fact} ạ.",
        "Cảm ơn {a} đã liên hệ tổng đài. {Fact}, {a} yên tâm giúp em ạ.",
        "Dạ {a} ơi, {fact}. Nếu cần hỗ trợ thêm {a} cứ gọi lại cho em ạ.",
        "Dạ, em rất hiểu sự sốt ruột của {a}. {Fact} ạ.",
        "Để hỗ trợ nhanh hơn, {a} vui lòng {act} giúp em ạ. {Fact}.",
    ],
    "impolite": [
        "Không biết, {a} hỏi chỗ khác đi.",
        "Tự {act} đi, việc đó đâu phải của tôi.",
        "Tại {a} không chịu {act} nên mới bị thế.",
        "Đã nói rồi mà, {fact}. Hỏi mãi.",
        "Mày tự {act} đi, tao bận lắm.",
        "{FACT_UP} RỒI, NÓI MÃI KHÔNG HIỂU À!!!",
        "ko bik, dc chưa, {a} tự {act} đi nha",
        "{Fact}, thế thôi, chờ đi.",
        "Lỗi của {a} chứ đâu phải lỗi bên tôi, {fact}.",
        "Hỏi gì mà lắm thế, {fact}.",
        "Ngu thế, {act} mà cũng không biết.",
        "{Fact}. Chịu, không làm được gì đâu.",
        "Ai bảo {a} không {act}, giờ tự chịu.",
        "{Fact}, muốn thì chờ không thì thôi.",
        "ko dc, phải {act} r mới xử lý dc",
        "{fact}",
        "Kệ {a}, bên tôi không giải quyết.",
        "Sao {a} phiền thế, {fact} rồi còn gì.",
    ],
}

# --------------------------------------------------------------------------- set B (held out)

B = {
    "address": ["anh", "chị", "quý khách", "bác", "ông", "bà", "anh ạ"],
    "electricity": [
        "trạm biến áp khu vực đang được sửa chữa",
        "nhân viên điện lực sẽ thay công tơ vào thứ bảy",
        "số tiền điện kỳ này là 450.000 đồng",
        "đường dây hạ thế đã được khôi phục lúc 14 giờ",
        "hồ sơ đổi tên hợp đồng mua bán điện đang chờ duyệt",
        "đội ngũ kỹ thuật đang xử lý sự cố tại khu vực",
    ],
    "telecom": [
        "cáp quang khu vực bị đứt và đang được hàn nối",
        "gói data 4G của mình còn 2GB sử dụng",
        "yêu cầu chuyển đổi eSIM đang được xử lý",
        "tốc độ mạng sẽ ổn định lại sau khi tạo lại cấu hình",
        "số thuê bao đã được mở lại chiều nay",
        "máy chủ thanh toán đang bảo trì đến 22 giờ",
    ],
    "electricity_action": [
        "ngắt cầu dao tổng",
        "cung cấp số điện thoại đăng ký",
        "gửi ảnh hóa đơn",
    ],
    "telecom_action": ["rút nguồn bộ phát wifi", "nhắn tin theo cú pháp", "cập nhật ứng dụng"],
    "polite": [
        "Kính chào {a}, {fact}. Chúng em xin lỗi vì đã để {a} chờ lâu ạ.",
        "Thưa {a}, {fact}. Rất mong {a} thông cảm ạ.",
        "Dạ em hiểu ạ. {Fact}, em sẽ gọi lại cho {a} ngay khi có kết quả.",
        "{A} thông cảm giúp em, {fact}. Em xin phép kiểm tra thêm và phản hồi {a} sớm ạ.",
        "Dạ cảm ơn {a} đã báo. Mời {a} {act} để bên em hỗ trợ tiếp ạ.",
        "Vâng ạ, {fact}. Chúc {a} một ngày tốt lành.",
    ],
    "impolite": [
        "Biết sao được, {fact}. Ráng chịu đi.",
        "Im đi, để tôi nói. {Fact}.",
        "Cái đó thì tự đi mà {act}.",
        "{A} điên à, {fact} mà cứ gọi hoài.",
        "tao nói rồi, {act} đi rồi gọi lại",
        "Làm sao tôi biết được, {a} đi mà hỏi người khác.",
        "CHỜ ĐI, ĐANG XỬ LÝ, GỌI LẮM THẾ",
        "Nói bao nhiêu lần rồi, {fact}.",
        "k bít, hỏi j hỏi hoài, {act} r tính",
        "Việc đó không phải chuyện của tôi, {fact}.",
        "Do {a} dùng sai cách chứ hệ thống không lỗi, {fact}.",
        "Ừ, {fact}. Thế nhé.",
        "Rảnh quá nhỉ, {fact} mà cũng gọi.",
        "{Fact}. Còn hỏi nữa thì tôi cúp máy.",
    ],
}


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _fill(template: str, parts: dict[str, list[str]], domain: str, rnd: random.Random) -> str:
    a = rnd.choice(parts["address"])
    fact = rnd.choice(parts[domain])
    act = rnd.choice(parts[f"{domain}_action"])
    return template.format(
        a=a, A=_cap(a), fact=fact, Fact=_cap(fact), act=act, FACT_UP=fact.upper()
    )


def _generate(parts: dict[str, list[str]], n: int, seed: int) -> list[Reply]:
    rnd = random.Random(seed)
    out: list[Reply] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < n and attempts < n * 50:
        attempts += 1
        impolite = rnd.random() < 0.5
        domain = rnd.choice(["electricity", "telecom"])
        template = rnd.choice(parts["impolite" if impolite else "polite"])
        text = _fill(template, parts, domain, rnd)
        if rnd.random() < 0.4:  # typed without diacritics (Telex off, SMS habit)
            text = fold(text) if not text.isupper() else fold(text).upper()
        if text in seen:
            continue
        seen.add(text)
        out.append(Reply(text, int(impolite), domain))
    return out


def train(n: int = 600) -> list[Reply]:
    return _generate(A, n, SEED)


def heldout(n: int = 300) -> list[Reply]:
    return _generate(B, n, SEED + 1)
