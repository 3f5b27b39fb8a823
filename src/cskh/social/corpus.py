"""The social corpus: Vietnamese posts and comments about the power company and the telecom
operator, generated reproducibly (seeded) from templates and vocabulary written for cskh.

Labels per post: ``sentiment`` (negative/neutral/positive) and ``actionable`` (a customer
problem someone must answer: outage, billing dispute, complaint about staff, hazard) as opposed
to general grumbling, praise, or a question other users can answer.

Two parts written differently: ``train()`` draws on template set A only and ``heldout()`` on
template set B only (different sentence shapes, different openings, partly different vocabulary:
places, amounts, staff, hazards), so the held-out figures measure posts whose *templates* the
model never saw, not just new fillings of known templates. Half the held-out posts are typed
without diacritics; teencode, emoji, elongation and brand nicknames are mixed into both parts.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from cskh.core.text import fold

__all__ = ["Post", "train", "heldout", "SEED", "CATEGORIES"]

SEED = 20261206


class Post(NamedTuple):
    text: str
    sentiment: str
    actionable: int
    category: str
    profile: str


# category → (sentiment, actionable)
CATEGORIES: dict[str, tuple[str, int]] = {
    "outage": ("negative", 1),
    "billing": ("negative", 1),
    "staff": ("negative", 1),
    "hazard": ("negative", 1),
    "sarcasm": ("negative", 1),
    "grumble": ("negative", 0),
    "praise": ("positive", 0),
    "question": ("neutral", 0),
    "info": ("neutral", 0),
}

VOCAB: dict[str, dict[str, dict[str, list[str]]]] = {
    "A": {
        "electricity": {
            "brand": ["EVN", "điện lực", "nhà đèn", "bên điện", "EVNHCMC"],
            "obj": ["mất điện", "cúp điện", "cắt điện", "không có điện"],
            "place": [
                "phường Linh Trung",
                "hẻm 42 Nguyễn Trãi",
                "khu phố 3",
                "chung cư Sunrise",
                "xã Tân Phú",
            ],
            "dur": ["từ sáng", "3 tiếng rồi", "từ 2h chiều", "cả đêm qua"],
            "bill": ["tiền điện tháng này", "hóa đơn tháng 7", "hóa đơn điện"],
            "amount": ["2 triệu", "gấp 3 tháng trước", "1,5 triệu"],
            "staff": ["nhân viên ghi chỉ số", "chị tổng đài", "anh thợ điện"],
            "hazard": [
                "dây điện bị đứt rơi xuống đường",
                "trụ điện nghiêng sắp đổ",
                "cột điện bốc cháy",
            ],
            "q": ["lịch cắt điện ngày mai", "cách tra cứu tiền điện", "số tổng đài điện lực"],
            "grumble": [
                "giá điện lại tăng",
                "mùa hè nào cũng cắt điện",
                "tiền điện giờ như tiền nhà",
            ],
            "praise": [
                "các anh thợ đội mưa sửa điện",
                "có điện lại nhanh",
                "tổng đài hỗ trợ nhiệt tình",
                "nhân viên thân thiện chu đáo",
                "sửa xong chỉ trong 1 tiếng",
            ],
            "info": [
                "lịch bảo trì lưới điện tuần sau",
                "cách tiết kiệm điện mùa nóng",
                "bảng giá điện mới",
            ],
        },
        "telecom": {
            "brand": ["Viettel", "VNPT", "nhà mạng", "Vina", "con mạng này"],
            "obj": ["mất mạng", "rớt mạng", "mất sóng", "wifi không vào được"],
            "place": [
                "phường Linh Trung",
                "hẻm 42 Nguyễn Trãi",
                "khu phố 3",
                "chung cư Sunrise",
                "xã Tân Phú",
            ],
            "dur": ["từ sáng", "3 tiếng rồi", "từ 2h chiều", "cả đêm qua"],
            "bill": ["cước tháng này", "hóa đơn internet", "tài khoản điện thoại"],
            "amount": ["500k", "gấp đôi mọi tháng", "300 nghìn"],
            "staff": ["nhân viên cửa hàng", "tổng đài viên", "kỹ thuật viên lắp mạng"],
            "hazard": [
                "cáp quang rơi xuống đường",
                "dây cáp võng sát đầu người đi đường",
                "tủ cáp bị chập cháy",
            ],
            "q": ["gói cước 4G nào rẻ", "cách đổi mật khẩu wifi", "cách chuyển sim sang eSIM"],
            "grumble": [
                "cước 4G cứ tăng",
                "nhà mạng nào cũng như nhau",
                "mạng Việt Nam chậm thế nhỉ",
            ],
            "praise": [
                "kỹ thuật viên đến sửa nhanh",
                "mạng giờ ổn định hẳn",
                "tổng đài hỗ trợ nhiệt tình",
                "nhân viên thân thiện chu đáo",
                "sửa xong chỉ trong 1 tiếng",
            ],
            "info": [
                "gói cước mới cho sinh viên",
                "lịch nâng cấp trạm phát sóng",
                "ứng dụng My Viettel bản mới",
            ],
        },
    },
    "B": {
        "electricity": {
            "brand": ["điện lực", "ông điện", "EVN", "ngành điện", "Điện lực Thủ Đức"],
            "obj": ["mất điện", "cúp điện", "bị cắt điện", "tối thui không có điện"],
            "place": [
                "đường Lê Văn Việt",
                "thôn Đông",
                "kiệt 15 Hoàng Diệu",
                "ấp 2 Bình Chánh",
                "tổ 7 Hòa Khánh",
            ],
            "dur": ["gần 5 tiếng", "từ tối qua tới giờ", "từ 6h sáng", "suốt buổi chiều"],
            "bill": ["tiền điện tháng 8", "hóa đơn kỳ này", "tiền điện nhà em"],
            "amount": ["3 triệu 2", "850k", "tăng gấp đôi"],
            "staff": ["nhân viên thu tiền", "bạn trực tổng đài", "đội sửa chữa"],
            "hazard": ["dây điện chạm vào mái tôn", "tủ điện phát nổ", "dây điện võng sát mặt đất"],
            "q": [
                "giờ làm việc của điện lực",
                "cách đăng ký nhận hóa đơn qua Zalo",
                "thủ tục lắp công tơ mới",
            ],
            "grumble": [
                "điện thì cứ tăng giá hoài",
                "năm nào hè cũng thiếu điện",
                "sống kiểu này tốn điện quá",
            ],
            "praise": [
                "các chú điện lực làm xuyên đêm",
                "điện có lại sau 30 phút",
                "nhân viên tư vấn rất dễ thương",
            ],
            "info": [
                "giờ cao điểm giá điện",
                "chương trình tiết kiệm điện",
                "cách đọc chỉ số công tơ",
            ],
        },
        "telecom": {
            "brand": ["VNPT", "nhà mạng", "Mobi", "FPT", "mạng nhà"],
            "obj": ["rớt mạng", "mất wifi", "không gọi được", "mạng chập chờn"],
            "place": [
                "đường Lê Văn Việt",
                "thôn Đông",
                "kiệt 15 Hoàng Diệu",
                "ấp 2 Bình Chánh",
                "tổ 7 Hòa Khánh",
            ],
            "dur": ["gần 5 tiếng", "từ tối qua tới giờ", "từ 6h sáng", "suốt buổi chiều"],
            "bill": ["cước tháng 8", "hóa đơn cáp quang", "tiền cước kỳ này"],
            "amount": ["700k", "1 triệu 2", "tăng gấp đôi"],
            "staff": ["nhân viên giao dịch", "bạn trực tổng đài", "thợ lắp cáp"],
            "hazard": [
                "cột viễn thông nghiêng sắp đổ",
                "trạm phát sóng bốc khói",
                "cáp treo thấp quấn vào xe máy",
            ],
            "q": [
                "cách đăng ký gói data theo ngày",
                "cách kiểm tra tốc độ mạng",
                "cửa hàng nhà mạng gần nhất",
            ],
            "grumble": [
                "giá cước cứ tăng hoài",
                "mạng nhà nào cũng lag",
                "xài data kiểu này tốn tiền quá",
            ],
            "praise": [
                "bạn kỹ thuật đến sửa xuyên trưa",
                "mạng có lại sau 30 phút",
                "nhân viên tư vấn rất dễ thương",
            ],
            "info": [
                "chương trình khuyến mãi nạp thẻ",
                "lịch nâng cấp cáp quang",
                "gói cước gia đình mới",
            ],
        },
    },
}

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "A": {
        "outage": [
            "Tình hình là {obj} {dur} ở {place}, {brand} kiểm tra giúp nhà mình với",
            "{brand} cho hỏi {place} {obj} {dur} là bị gì vậy, chưa thấy ai sửa {neg}",
            "Lại {obj} nữa rồi, {place} {dur}, báo {brand} mấy lần vẫn chưa xử lý",
            "Nhờ {brand} xem giúp: nhà ở {place} {obj} {dur}, người già trong nhà mệt lắm",
            "{brand} ơi nhà mình ở {place} {obj} {dur} mà không ai báo gì {neg}",
            "{obj} {dur} rồi {brand} ơi, gọi tổng đài không ai nghe máy",
            "Khu {place} {obj} {dur}, bao giờ mới có lại vậy {brand}? {neg}",
            "Nhà em {obj} {dur}, đồ trong tủ lạnh hỏng hết rồi {brand} ơi",
            "Ai ở {place} cũng {obj} {dur} à? {brand} xử lý giúp với, mệt lắm rồi",
        ],
        "billing": [
            "Tháng này {bill} lên {amount}, nhà mình không dùng gì thêm, {brand} xem lại giúp",
            "Sao {brand} tính {bill} {amount} được nhỉ, mình cần được giải thích rõ {neg}",
            "Đề nghị {brand} kiểm tra {bill}, bị thu {amount} không rõ lý do",
            "{bill} nhà mình tới {amount} trong khi xài như mọi tháng, {brand} giải thích đi {neg}",
            "Ủa {brand} ơi {bill} sao lên {amount} vậy, đề nghị kiểm tra lại",
            "{bill} tính sai rồi {brand}, nhà đi vắng cả tháng mà vẫn {amount}",
            "Khiếu nại {bill}: bị tính {amount} vô lý, mong {brand} phản hồi",
        ],
        "staff": [
            "Nhờ {brand} chấn chỉnh {staff}, hôm qua đến nhà mình mà nói năng rất khó nghe",
            "{staff} {brand} làm việc tắc trách, hẹn 3 lần không tới {neg}",
            "Không chấp nhận được thái độ của {staff} bên {brand}, yêu cầu xin lỗi khách",
            "{staff} của {brand} thái độ quá tệ, quát khách như quát con {neg}",
            "Phản ánh {staff} {brand} hẹn đến rồi không đến, gọi lại còn cúp máy",
            "{staff} bên {brand} nói chuyện cộc lốc, hỏi gì cũng bảo không biết {neg}",
            "Thái độ {staff} {brand} hôm nay làm mình rất bực, đề nghị xem lại",
        ],
        "hazard": [
            "Mọi người tránh xa, {hazard} ở {place}, {brand} tới xử lý ngay đi",
            "Cực kỳ nguy hiểm: {hazard} ngay {place} mà chưa thấy {brand} tới {neg}",
            "Nguy hiểm quá {brand} ơi, ở {place} {hazard} {neg}",
            "Khẩn cấp: {hazard} ngay {place}, trẻ con đi học qua đây",
            "{brand} xử lý gấp giúp, {hazard} ở {place} từ sáng tới giờ",
        ],
        "sarcasm": [
            "Chúc mừng {brand} lại {obj} {dur}, thành tích đáng nể {sar}",
            "Giỏi thật {brand} ơi, {place} {obj} {dur} mà vẫn im re {sar}",
            "Quá đỉnh {brand}, {obj} đều như vắt chanh {sar}",
            "Cảm ơn {brand} đã cho cả xóm {place} ngồi thiền trong bóng tối {dur} {sar}",
            "Hay thật đấy {brand}, {obj} {dur} mà không một lời thông báo {sar}",
            "{brand} đỉnh thật, tháng nào cũng {obj} đều đặn như vắt chanh {sar}",
        ],
        "grumble": [
            "Thấy {grumble} mà ngán ngẩm",
            "Ở đâu cũng vậy, {grumble} thôi",
            "Cứ đà này thì {grumble}, buồn ghê {neg}",
            "Than thở chút: {grumble}",
            "{grumble}, kiểu này chắc dân mình chịu thôi",
            "{grumble}, chán thật sự {neg}",
            "Haizz {grumble}, dân mình khổ quá",
            "Nói chung là {grumble}, ai cũng than mà chả thay đổi gì",
            "{grumble} mà lương thì không tăng {neg}",
        ],
        "praise": [
            "Khen {brand} nhé, {praise} {pos}",
            "Thật sự cảm kích, {praise}, cảm ơn {brand} nhiều {pos}",
            "Rất hài lòng vì {praise}, {brand} làm tốt lắm",
            "Ủng hộ {brand}, {praise} {pos}",
            "Hôm qua {praise}, cảm ơn mọi người bên {brand} {pos}",
            "Tuyên dương {brand}: {praise} {pos}",
            "Cảm ơn {brand}, {praise} {pos}",
            "Phải khen {brand} một câu, {praise} {pos}",
            "{praise}, tuyệt vời quá {brand} ơi {pos}",
            "Hôm nay {praise}, rất hài lòng với {brand}",
        ],
        "question": [
            "Xin hỏi {q} như thế nào ạ?",
            "Ai rành {q} chỉ mình với",
            "Nhờ mọi người chỉ giúp {q} ạ",
            "Cho mình hỏi chút về {q}",
            "Mn ơi {q} làm sao vậy?",
            "Bạn nào biết {q} thì tư vấn giúp em",
            "Mọi người cho mình hỏi {q} với ạ?",
            "Có ai biết {q} không ạ, chỉ mình với",
            "Cho em hỏi {q} ở đâu vậy mn?",
        ],
        "info": [
            "Mình lưu lại {info} cho ai cần",
            "Thông báo: {info}",
            "Tin mới: {info}, mọi người đọc nhé",
            "Gửi cả nhà {info} tham khảo",
            "Đọc được bài về {info}, chia sẻ lại",
            "Chia sẻ cho mọi người {info} nhé",
            "{brand} vừa đăng thông tin về {info}, mọi người tham khảo",
            "Tổng hợp {info} cho bà con cùng xem",
        ],
    },
    "B": {
        "outage": [
            "Ở {place} {obj} {dur}, {brand} có ai trực không vậy? {neg}",
            "Gửi {brand}: gia đình tôi tại {place} {obj} {dur}, đề nghị khắc phục sớm",
            "{dur} rồi mà {place} vẫn {obj}, con nhỏ khóc suốt, {brand} làm ơn sửa giúp",
            "Báo {brand}: {obj} ở {place} {dur}, hàng xóm cũng bị",
        ],
        "billing": [
            "Xin hỏi {brand} tại sao {bill} lại {amount}? Nhà chỉ có 2 người, yêu cầu kiểm tra",
            "{brand} thu {bill} {amount} là sao, tôi không đồng ý với số này {neg}",
            "Bị trừ tiền vô cớ, {bill} thành {amount}, {brand} trả lời giúp",
        ],
        "staff": [
            "Tôi muốn phản ánh {staff} của {brand}: đến nhà làm việc rất thiếu tôn trọng khách",
            "{staff} {brand} hứa gọi lại mà 3 ngày không thấy đâu, làm ăn vậy à {neg}",
            "Gặp {staff} của {brand} mà bực mình, hỏi gì cũng gắt {neg}",
        ],
        "hazard": [
            "Báo khẩn: {place} đang có {hazard}, {brand} cử người tới ngay",
            "Ai có số {brand} báo giùm, {hazard} ở {place}, rất nguy hiểm {neg}",
            "{hazard} trước cổng trường ở {place}, sợ quá {brand} ơi",
        ],
        "sarcasm": [
            "Xuất sắc thật {brand}, {obj} {dur} đúng lúc nóng nhất {sar}",
            "10 điểm cho {brand}, {place} {obj} {dur} luôn {sar}",
            "Tuyệt vời ông mặt trời {brand} ơi, {obj} {dur} {sar}",
        ],
        "grumble": [
            "Đúng là {grumble} {neg}",
            "Thời buổi này {grumble}, biết làm sao được",
            "{grumble}, nghĩ mà nản",
        ],
        "praise": [
            "Rất cảm ơn {brand} vì {praise} {pos}",
            "Like mạnh cho {brand}: {praise} {pos}",
            "Lần đầu thấy {praise}, {brand} làm tốt lắm",
        ],
        "question": [
            "Bạn nào rành chỉ giúp mình {q} với",
            "Hỏi ngu chút: {q} là sao mọi người?",
            "Nhờ cả nhà tư vấn {q} ạ",
        ],
        "info": [
            "Lưu lại {info} để khi cần",
            "Thông tin về {info} đây mọi người ơi",
            "Mình tóm tắt {info} như sau",
        ],
    },
}

EMO = {
    "neg": ["", "😡", "😤", "😭", ":(", "🤬", "!!!", "-_-", "😩"],
    "pos": ["", "👍", "❤️", "😍", ":)", "🙏", "👏👏"],
    "sar": ["🙂", "🙃", "=))", ":v", "👏", ""],
}
# teencode rewrites applied word by word (accented source → chat form)
TEEN = {
    "không": ["ko", "k", "hok", "khum"],
    "được": ["dc", "đc"],
    "gì": ["j"],
    "rồi": ["r", "rùi"],
    "mọi người": ["mn", "mng"],
    "quá": ["wá", "qá"],
    "biết": ["bik", "bít"],
    "vậy": ["v", "z", "zậy"],
    "mình": ["mk", "mik"],
    "với": ["vs"],
    "bao giờ": ["bh"],
    "cũng": ["cx"],
}


def _fill(template: str, vocab: dict[str, list[str]], rng: random.Random) -> str:
    values = {k: rng.choice(v) for k, v in vocab.items()}
    values.update({k: rng.choice(v) for k, v in EMO.items()})
    return " ".join(template.format(**values).split())


def _teen(text: str, rng: random.Random) -> str:
    for word, forms in TEEN.items():
        if word in text and rng.random() < 0.6:
            text = text.replace(word, rng.choice(forms))
    return text


def _elongate(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 3:
        i = rng.randrange(len(words))
        w = words[i]
        if w.isalpha():
            words[i] = w + w[-1] * rng.randint(2, 4)
    return " ".join(words)


def _variant(text: str, rng: random.Random, *, plain: bool) -> str:
    if rng.random() < 0.35:
        text = _teen(text, rng)
    if rng.random() < 0.15:
        text = _elongate(text, rng)
    if rng.random() < 0.1:
        text = text.lower()
    if plain:
        text = fold(text) if rng.random() < 0.5 else fold(text).lower()
    return text


def _generate(part: str, per_template: int, seed: int) -> list[Post]:
    rng = random.Random(f"{seed}:{part}")
    out: list[Post] = []
    for profile in ("electricity", "telecom"):
        vocab = VOCAB[part][profile]
        for category, templates in TEMPLATES[part].items():
            sentiment, actionable = CATEGORIES[category]
            for template in templates:
                seen: set[str] = set()
                for i in range(per_template * 4):
                    if len(seen) >= per_template:
                        break
                    text = _variant(_fill(template, vocab, rng), rng, plain=i % 2 == 1)
                    if text in seen:
                        continue
                    seen.add(text)
                    out.append(Post(text, sentiment, actionable, category, profile))
    rng.shuffle(out)
    return out


def train(per_template: int = 25, seed: int = SEED) -> list[Post]:
    """Template set A: about 2,500 posts, both profiles, half without diacritics."""
    return _generate("A", per_template, seed)


def heldout(per_template: int = 6, seed: int = SEED) -> list[Post]:
    """Template set B (never used for training): about 350 posts, half without diacritics."""
    return _generate("B", per_template, seed + 1)
