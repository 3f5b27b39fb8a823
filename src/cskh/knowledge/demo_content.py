"""Demo knowledge content per industry profile: approved articles and canned answers.

Loaded by ``cskh.knowledge.services.install_demo_content`` (called at the end of ``cskh demo``).

``ARTICLES[profile]``: ``(slug, case type code or None, topic, title, body)``; topics are
``cskh.knowledge.models.Topic`` values.
``CANNED[profile]``: ``(case type code or None, title ≤ 120 chars, body)``. Bodies use the
variables of ``cskh.knowledge.selectors.render`` / ``cskh.desk.services``, written without inner
spaces: ``{{ten_khach_hang}}``, ``{{ma_khach_hang}}``, ``{{ten_tu_van_vien}}`` (filled when the
answer is offered) and ``{{so_vu_viec}}``, ``{{han_xu_ly}}`` (filled once the case exists).

Electricity figures follow the rules in force for EVN retail customers in 2025: household tariff
of Decision 1279/QĐ-BCT (effective 10/5/2025, prices before VAT), payment and notice periods of
the electricity-sale regulations (Circular 16/2014/TT-BCT as amended, Circular 22/2020/TT-BCT on
planned outages) and the low-voltage connection commitment used by the catalog's SLA
(``connection_3_5d``). Telecom texts describe a generic FTTH/IPTV operator; fees and commitment
periods are written as "theo chính sách hiện hành" because they differ between operators.
"""

from __future__ import annotations

Article = tuple[str, str | None, str, str, str]
Canned = tuple[str | None, str, str]

_ELECTRICITY_ARTICLES: list[Article] = [
    (
        "bieu-gia-dien-sinh-hoat-bac-thang",
        "billing",
        "tariff",
        "Biểu giá bán lẻ điện sinh hoạt bậc thang (6 bậc)",
        """Áp dụng cho khách hàng sử dụng điện cho mục đích sinh hoạt, từ ngày 10/5/2025 \
(Quyết định 1279/QĐ-BCT). Giá chưa bao gồm thuế giá trị gia tăng (GTGT).

| Bậc | Sản lượng trong kỳ | Giá (đồng/kWh) |
|---|---|---|
| Bậc 1 | 0 – 50 kWh | 1.984 |
| Bậc 2 | 51 – 100 kWh | 2.050 |
| Bậc 3 | 101 – 200 kWh | 2.380 |
| Bậc 4 | 201 – 300 kWh | 2.998 |
| Bậc 5 | 301 – 400 kWh | 3.350 |
| Bậc 6 | Từ 401 kWh trở lên | 3.460 |

Cách tính: sản lượng được chia lần lượt vào từng bậc; mỗi bậc nhân với giá của bậc đó rồi cộng \
lại, sau đó cộng thuế GTGT theo thuế suất hiện hành.

Ví dụ 250 kWh/tháng (tiền điện trước thuế):
- 50 kWh × 1.984 = 99.200 đ
- 50 kWh × 2.050 = 102.500 đ
- 100 kWh × 2.380 = 238.000 đ
- 50 kWh × 2.998 = 149.900 đ
- Cộng: 589.600 đ (chưa gồm thuế GTGT)

Lưu ý khi tư vấn:
- Khi kỳ ghi chỉ số không trọn một tháng (ví dụ đổi ngày ghi chỉ số, điều chỉnh giá giữa kỳ), \
định mức từng bậc được tính theo số ngày thực tế của kỳ; sản lượng trước và sau ngày điều chỉnh \
giá được tính theo tỷ lệ số ngày.
- Hóa đơn tăng đột biến thường do thời tiết nóng (tháng 4–6), thêm thiết bị (máy lạnh, bình \
nóng lạnh) hoặc kỳ ghi dài hơn bình thường; kiểm tra số ngày của kỳ và chỉ số cũ/mới trước khi \
hướng dẫn khách hàng đề nghị kiểm tra công tơ.
- Giá có thể được điều chỉnh theo cơ chế của Chính phủ; luôn đối chiếu bài viết có hiệu lực mới \
nhất.""",
    ),
    (
        "dinh-muc-cho-nguoi-thue-nha",
        "contract_change",
        "tariff",
        "Đăng ký định mức giá điện cho người thuê nhà, sinh viên, người lao động",
        """Mục đích: người thuê nhà để ở được tính giá điện sinh hoạt bậc thang như hộ gia đình, \
không bị tính toàn bộ theo giá bậc cao.

Nguyên tắc:
- Hợp đồng thuê nhà từ 12 tháng trở lên, chủ nhà không sử dụng chung: người thuê (có đăng ký \
tạm trú) có thể trực tiếp ký hợp đồng mua điện hoặc chủ nhà làm đại diện ký.
- Thuê dưới 12 tháng hoặc nhiều người thuê chung một công tơ: chủ nhà đăng ký số người thuê; cứ \
04 người (căn cứ đăng ký tạm trú) được tính là 01 hộ sử dụng điện để tính định mức. Ví dụ 10 người \
thuê → 2,5 định mức.
- Khi số người thuê thay đổi, chủ nhà cập nhật danh sách; định mức áp dụng từ kỳ hóa đơn kế tiếp.

Hồ sơ: giấy đề nghị (mẫu của Điện lực), căn cước công dân của bên mua điện, xác nhận tạm trú hoặc \
danh sách người thuê (có thể tra cứu qua dữ liệu dân cư / VNeID), hợp đồng thuê nhà (nếu người \
thuê trực tiếp ký).

Kênh tiếp nhận: ứng dụng CSKH, trang web chăm sóc khách hàng, tổng đài hoặc phòng giao dịch Điện \
lực quản lý địa bàn. Tạo yêu cầu loại «Thay đổi hợp đồng» để chuyển Điện lực xử lý.""",
    ),
    (
        "thu-tuc-cap-dien-moi-sinh-hoat",
        "new_connection",
        "procedure",
        "Thủ tục cấp điện mới (lưới hạ áp, mục đích sinh hoạt)",
        """Các bước:
1. Khách hàng gửi yêu cầu cấp điện qua ứng dụng CSKH, trang web, Cổng Dịch vụ công quốc gia, \
tổng đài hoặc tại phòng giao dịch Điện lực quản lý địa bàn.
2. Điện lực liên hệ hẹn lịch, khảo sát vị trí lắp công tơ và phương án cấp điện (không thu phí \
khảo sát).
3. Ký hợp đồng mua bán điện (có thể ký điện tử).
4. Lắp đặt công tơ, đóng điện và nghiệm thu; khách hàng ký biên bản treo tháo công tơ.

Thời hạn (cam kết chất lượng dịch vụ): không quá 03 ngày làm việc ở khu vực thành thị, 05 ngày \
làm việc ở khu vực nông thôn, tính từ khi nhận đủ hồ sơ hợp lệ và ký hợp đồng đến khi đóng điện, \
khi đã có lưới điện hạ áp đến khu vực. Trường hợp phải xây dựng mới lưới điện, Điện lực thông báo \
thời gian dự kiến cho khách hàng.

Chi phí: Điện lực đầu tư công tơ và đường dây từ lưới đến công tơ; khách hàng tự đầu tư dây dẫn \
và thiết bị sau công tơ (cầu dao, aptomat trong nhà).

Hồ sơ cần có: xem bài «Hồ sơ đề nghị cấp điện mới».""",
    ),
    (
        "ho-so-cap-dien-moi",
        "new_connection",
        "documents",
        "Hồ sơ đề nghị cấp điện mới",
        """Khách hàng sinh hoạt (hộ gia đình, cá nhân):
- Giấy đề nghị mua điện (theo mẫu; có thể khai trực tuyến).
- Căn cước công dân / căn cước của người đứng tên (không cần bản sao nếu đã xác thực qua VNeID \
hoặc Cổng Dịch vụ công).
- Một trong các giấy tờ chứng minh quyền sử dụng hoặc quyền sở hữu nơi sử dụng điện: Giấy chứng \
nhận quyền sử dụng đất / quyền sở hữu nhà ở, hợp đồng mua bán nhà, giấy phép xây dựng, quyết định \
giao đất/cấp nhà, hợp đồng thuê nhà có thời hạn từ 12 tháng trở lên, hoặc xác nhận của Ủy ban nhân \
dân phường/xã về địa chỉ thường trú, tạm trú.

Khách hàng ngoài sinh hoạt (tổ chức, hộ kinh doanh):
- Giấy đề nghị mua điện; Giấy chứng nhận đăng ký doanh nghiệp / hộ kinh doanh hoặc quyết định \
thành lập; giấy tờ về địa điểm sử dụng điện; danh sách thiết bị và công suất dự kiến.
- Giấy ủy quyền nếu người ký không phải người đại diện theo pháp luật.

Lưu ý: không yêu cầu khách hàng nộp lại giấy tờ mà cơ quan nhà nước đã có trong cơ sở dữ liệu \
quốc gia về dân cư.""",
    ),
    (
        "xu-ly-mat-dien",
        "outage",
        "procedure",
        "Tiếp nhận và xử lý báo mất điện",
        """Hỏi nhanh khách hàng (dưới 1 phút):
1. Mất điện cả nhà hay một phần? Một phần: thường do aptomat/cầu dao trong nhà; hướng dẫn kiểm \
tra và đóng lại, nếu nhảy lại ngay thì ngắt bớt thiết bị và gọi thợ điện.
2. Nhà bên cạnh có điện không? Cả khu vực mất điện: kiểm tra lịch ngừng cấp điện có kế hoạch và \
sự cố đang mở trong khu vực (cùng trạm biến áp / tuyến dây). Nếu đã có sự cố đang xử lý, gắn vụ \
việc vào sự cố và báo thời gian dự kiến có điện lại.
3. Có dấu hiệu nguy hiểm (dây đứt, cháy nổ, trụ nghiêng, cây đè dây)? Chuyển ngay sang quy trình \
«Sự cố nguy hiểm về điện», ưu tiên khẩn.
4. Công tơ còn sáng không? Riêng nhà mình mất điện, công tơ không sáng: chuyển Điện lực kiểm tra \
dây sau trạm/công tơ.

Mục tiêu khôi phục: 2 giờ kể từ khi tiếp nhận (SLA «Khôi phục cấp điện trong 2 giờ»). Thông báo \
số yêu cầu cho khách hàng và nhắn tin khi có điện lại.

Tuyệt đối không hướng dẫn khách hàng tự mở tủ điện, leo trụ hoặc chạm vào dây dẫn của ngành điện.""",
    ),
    (
        "lich-ngung-cap-dien-co-ke-hoach",
        "planned_outage",
        "time_limit",
        "Ngừng, giảm cung cấp điện theo kế hoạch: thông báo và tra cứu",
        """- Ngành điện thông báo cho khách hàng bị ảnh hưởng ít nhất 05 ngày trước ngày ngừng, giảm \
cung cấp điện theo kế hoạch (bảo trì, sửa chữa, đấu nối lưới), qua tin nhắn SMS/Zalo, ứng dụng \
CSKH, trang web và phương tiện thông tin đại chúng.
- Nội dung thông báo: thời gian bắt đầu, thời gian dự kiến đóng điện lại, khu vực/trạm biến áp \
ảnh hưởng.
- Trường hợp khẩn cấp (sự cố, nguy cơ mất an toàn) ngành điện được ngừng cấp điện ngay và thông \
báo sau.
- Khách hàng hỏi lịch: tra cứu theo mã khách hàng hoặc địa chỉ; nếu đã quá giờ dự kiến mà chưa có \
điện, tạo yêu cầu «Mất điện» và ghi rõ «quá giờ cắt điện kế hoạch».
- Khách hàng sản xuất có yêu cầu đặc biệt (lò ấp, y tế tại nhà) được ghi chú để Điện lực cân \
nhắc khi lập kế hoạch.""",
    ),
    (
        "kenh-thanh-toan-tien-dien",
        "payment",
        "procedure",
        "Các kênh thanh toán tiền điện",
        """Không dùng tiền mặt (khuyến khích):
- Ứng dụng CSKH của Điện lực, trang web chăm sóc khách hàng (thanh toán qua thẻ ngân hàng/QR).
- Ngân hàng: Internet Banking, Mobile Banking, đăng ký trích nợ tự động (ủy nhiệm thu).
- Ví điện tử và trung gian thanh toán: MoMo, ZaloPay, VNPay, ShopeePay, Viettel Money, Payoo…
- Quét mã VietQR in trên thông báo tiền điện.

Tiền mặt: tại phòng giao dịch Điện lực, điểm thu hộ (bưu điện, cửa hàng tiện lợi có dịch vụ thu \
hộ).

Thời hạn: thanh toán trong vòng 07 ngày kể từ ngày nhận thông báo thanh toán tiền điện lần đầu. \
Quá hạn, Điện lực gửi thông báo nhắc; nếu vẫn chưa thanh toán, Điện lực có thể ngừng cấp điện \
sau khi đã thông báo trước theo quy định. Sau khi thanh toán đủ, điện được cấp lại trong ngày.

Đã thanh toán nhưng vẫn nhận nhắc nợ: xin mã giao dịch/ảnh biên lai, tạo yêu cầu «Thanh toán» để \
đối soát (thường do thanh toán sau thời điểm chốt dữ liệu của kênh thu hộ).""",
    ),
    (
        "hoa-don-dien-tu-va-tra-cuu",
        "billing",
        "general",
        "Hóa đơn điện tử, ngày ghi chỉ số và tra cứu tiền điện",
        """- Hóa đơn tiền điện là hóa đơn điện tử; khách hàng nhận thông báo qua Zalo, SMS, email hoặc \
ứng dụng CSKH và tải bản PDF trên trang web/ứng dụng.
- Ngày ghi chỉ số cố định theo lộ trình ghi điện của từng khu vực (in trên hóa đơn); công tơ điện \
tử đo xa được chốt tự động.
- Tra cứu: mã khách hàng (PE + 11 chữ số, in trên hóa đơn), lịch sử sản lượng 12 tháng, chỉ số cũ/\
mới, số ngày của kỳ.
- Khách hàng thắc mắc tiền điện tăng: so sánh sản lượng với cùng kỳ và tháng trước; kiểm tra số ngày \
của kỳ; giải thích biểu giá bậc thang (bài «Biểu giá bán lẻ điện sinh hoạt bậc thang»). Nếu nghi \
ngờ ghi sai chỉ số hoặc công tơ chạy sai, tạo yêu cầu «Hóa đơn, tiền điện» hoặc «Công tơ điện» để \
Điện lực kiểm tra tại chỗ.
- Đổi thông tin xuất hóa đơn (mã số thuế, tên đơn vị): cần giấy đăng ký doanh nghiệp, áp dụng từ \
kỳ hóa đơn kế tiếp.""",
    ),
    (
        "kiem-dinh-cong-to",
        "meter",
        "time_limit",
        "Kiểm tra, kiểm định công tơ theo đề nghị của khách hàng",
        """- Khách hàng có quyền đề nghị kiểm tra, kiểm định công tơ khi nghi ngờ công tơ chạy không \
chính xác.
- Trong vòng 03 ngày làm việc kể từ khi nhận đề nghị, Điện lực phải kiểm tra, thay thế công tơ \
và mời khách hàng chứng kiến việc niêm phong, treo tháo.
- Kiểm định do tổ chức kiểm định được công nhận thực hiện. Nếu công tơ chạy đúng (sai số trong \
giới hạn cho phép), khách hàng thanh toán chi phí kiểm định theo quy định; nếu công tơ chạy sai, \
Điện lực chịu chi phí và hoàn trả/truy thu phần chênh lệch theo kết quả kiểm định.
- Công tơ cháy, vỡ, mất niêm chì: tạo yêu cầu «Công tơ điện», mức ưu tiên cao; nhắc khách hàng \
không tự ý sửa chữa.""",
    ),
    (
        "su-co-nguy-hiem-ve-dien",
        "hazard",
        "safety",
        "Sự cố nguy hiểm về điện: hướng dẫn an toàn cho khách hàng",
        """Ưu tiên khẩn (SLA có mặt xử lý trong 1 giờ). Trong lúc chờ, hướng dẫn khách hàng:
- Tránh xa dây điện bị đứt, rơi xuống đất hoặc chạm vào mái tôn, hàng rào: giữ khoảng cách ít \
nhất 10 m, không cho người và xe đi qua, cảnh báo người xung quanh.
- Không dùng tay, cây, vật dụng để gỡ dây hay cành cây đang đè lên đường dây.
- Khi có cháy thiết bị điện: ngắt aptomat tổng nếu làm được an toàn; không dùng nước dập lửa \
thiết bị đang mang điện; gọi 114.
- Người bị điện giật: không chạm trực tiếp vào nạn nhân khi chưa cắt nguồn điện; gọi 115.
- Khu vực ngập nước: ngắt điện trong nhà trước khi nước dâng tới ổ cắm; không lội qua vùng ngập \
gần trụ điện, tủ điện.

Ghi nhận: địa chỉ chính xác, mốc nhận biết (số trụ, tên trạm trên trụ nếu đọc được an toàn), số \
điện thoại liên hệ tại chỗ.""",
    ),
    (
        "chat-luong-dien-ap",
        "power_quality",
        "general",
        "Điện áp yếu, chập chờn: tiêu chuẩn và cách xử lý",
        """- Điện áp danh định lưới hạ áp sinh hoạt là 220 V (một pha); trong chế độ vận hành bình \
thường, điện áp tại điểm đấu nối được phép dao động trong phạm vi ±5 % điện áp danh định.
- Dấu hiệu: đèn chớp tắt, máy lạnh không khởi động, thiết bị báo lỗi điện áp, đặc biệt giờ cao \
điểm buổi tối.
- Hỏi khách hàng: hiện tượng xảy ra cả khu vực hay riêng nhà mình, vào giờ nào; nhà có dùng ổn áp \
không; dây dẫn sau công tơ có dài/nhỏ không.
- Tạo yêu cầu «Chất lượng điện áp» để Điện lực đo kiểm tại công tơ. Nếu điện áp tại công tơ đạt \
chuẩn, hướng dẫn khách hàng kiểm tra hệ thống dây trong nhà (trách nhiệm của khách hàng).""",
    ),
    (
        "khieu-nai-thai-do-nhan-vien",
        "staff_complaint",
        "procedure",
        "Tiếp nhận khiếu nại về thái độ, tác phong nhân viên",
        """- Lắng nghe, ghi nhận đầy đủ: thời gian, địa điểm, tên hoặc đặc điểm nhân viên, nội dung \
sự việc, mong muốn của khách hàng. Không tranh luận, không hứa kết quả xử lý kỷ luật.
- Xin lỗi khách hàng về trải nghiệm chưa tốt và thông báo số yêu cầu.
- Yêu cầu được chuyển Tổ Giải quyết khiếu nại; trả lời khách hàng trong 02 ngày làm việc.
- Nếu khách hàng phản ánh hành vi tiêu cực (gợi ý bồi dưỡng, thu tiền ngoài quy định), đánh dấu \
khiếu nại và báo ngay trưởng ca.""",
    ),
    (
        "thay-doi-hop-dong-mua-ban-dien",
        "contract_change",
        "documents",
        "Thay đổi hợp đồng mua bán điện: chủ thể, mục đích sử dụng, công suất",
        """Các trường hợp thường gặp và hồ sơ:
- Thay đổi chủ thể (mua bán, thừa kế nhà): giấy đề nghị, căn cước của chủ thể mới, giấy tờ chứng \
minh quyền sử dụng nhà/đất hoặc hợp đồng thuê; hai bên thanh toán dứt điểm tiền điện đến ngày \
chuyển đổi.
- Thay đổi mục đích sử dụng (sinh hoạt ↔ kinh doanh, sản xuất): Điện lực kiểm tra thực tế để áp \
giá đúng đối tượng; giá kinh doanh/sản xuất áp dụng theo giờ (bình thường, cao điểm, thấp điểm) \
khi dùng công tơ nhiều biểu giá.
- Tăng công suất, chuyển 1 pha sang 3 pha: khảo sát và có thể phát sinh chi phí nâng cấp phần \
sau công tơ.
- Thay đổi thông tin liên lạc (số điện thoại, email nhận hóa đơn): làm trực tuyến, không cần hồ sơ.

Thời hạn giải quyết: trong 03 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ (05 ngày nếu cần khảo \
sát tại chỗ).""",
    ),
    (
        "tong-dai-va-kenh-ho-tro",
        None,
        "general",
        "Tổng đài và các kênh hỗ trợ khách hàng",
        """- Tổng đài chăm sóc khách hàng: 1900 545454, hoạt động 24/7 (báo mất điện, sự cố nguy hiểm \
luôn được ưu tiên).
- Ứng dụng CSKH, trang web chăm sóc khách hàng, Zalo Official Account, email: tiếp nhận yêu cầu \
dịch vụ, tra cứu hóa đơn, lịch ngừng cấp điện, tiến độ giải quyết.
- Phòng giao dịch khách hàng tại các Công ty Điện lực: giờ hành chính thứ Hai đến thứ Bảy \
(7:30–11:30, 13:00–17:00).
- Mọi yêu cầu đều được cấp số yêu cầu dạng CS-NĂM-SỐ để khách hàng theo dõi; khi khách hàng gọi \
lại, tra theo số điện thoại hoặc số yêu cầu.
- Nhân viên ngành điện đến nhà luôn mặc đồng phục và có thẻ nhân viên; khách hàng có thể gọi tổng \
đài để xác minh.""",
    ),
]

_TELECOM_ARTICLES: list[Article] = [
    (
        "khac-phuc-mat-ket-noi-internet-cap-quang",
        "internet_down",
        "procedure",
        "Khắc phục mất kết nối Internet cáp quang (FTTH)",
        """Hướng dẫn khách hàng kiểm tra theo thứ tự, trong lúc giữ máy:
1. Đèn trên modem quang (ONT):
   - PON/GPON tắt hoặc nhấp nháy, LOS đỏ: tín hiệu quang không tới (đứt cáp, gập dây nhảy quang, \
lỏng đầu nối). Không tự cắt nối cáp quang; kiểm tra dây quang vào modem có bị gập, kéo căng \
không rồi tạo yêu cầu cho kỹ thuật.
   - PON xanh, Internet tắt: modem chưa xác thực; kiểm tra nợ cước, khởi động lại modem.
2. Tắt nguồn modem 30 giây rồi bật lại, chờ 2–3 phút.
3. Thử bằng máy tính cắm dây LAN để phân biệt lỗi Wi-Fi với lỗi đường truyền.
4. Kiểm tra thuê bao có đang tạm ngưng do nợ cước, hoặc khu vực đang có sự cố chung (cùng OLT/bộ \
chia) — nếu có, gắn yêu cầu vào sự cố và báo thời gian dự kiến.

Không khắc phục được từ xa: tạo yêu cầu «Mất kết nối Internet», hẹn khung giờ kỹ thuật đến nhà. \
Mục tiêu khắc phục: trong 24 giờ.""",
    ),
    (
        "internet-cham-wifi-yeu",
        "slow_speed",
        "procedure",
        "Internet chậm, Wi-Fi yếu: kiểm tra và tư vấn",
        """- Đo tốc độ bằng máy tính cắm dây LAN trực tiếp vào modem (speedtest), tắt các thiết bị \
khác đang tải. Kết quả qua dây đạt khoảng gói cước: đường truyền bình thường, vấn đề nằm ở Wi-Fi.
- Wi-Fi: băng tần 5 GHz nhanh nhưng xuyên tường kém, 2,4 GHz đi xa nhưng chậm; đặt modem nơi cao, \
thoáng, giữa nhà; nhà nhiều tầng nên dùng thêm thiết bị Mesh/bộ kích sóng (tư vấn gói có kèm \
Mesh).
- Nhiều thiết bị dùng đồng thời (camera, TV 4K, học trực tuyến) cần gói cước phù hợp.
- Chỉ chậm khi vào một số trang/dịch vụ quốc tế: kiểm tra thông báo sự cố cáp quang biển.
- Đo qua dây vẫn thấp hơn nhiều so với gói cước: tạo yêu cầu «Internet chậm» kèm kết quả đo \
(ảnh chụp), kỹ thuật kiểm tra suy hao quang và cấu hình.""",
    ),
    (
        "truyen-hinh-khong-vao-duoc",
        "tv_service",
        "procedure",
        "Truyền hình (IPTV) mất tín hiệu, giật, không vào được kênh",
        """1. Kiểm tra Internet trên cùng modem: nếu Internet cũng mất, xử lý theo bài «Khắc phục mất \
kết nối Internet cáp quang».
2. Khởi động lại đầu thu (set-top box) và modem; kiểm tra dây LAN/HDMI.
3. TV báo «không có tín hiệu»: chọn đúng nguồn HDMI trên TV.
4. Chỉ một số kênh không xem được: có thể do gói kênh hoặc kênh đang bảo trì bản quyền; kiểm tra \
gói kênh của thuê bao.
5. Hình ảnh giật, đứng hình: ưu tiên cắm dây LAN cho đầu thu thay vì Wi-Fi.

Không khắc phục được: tạo yêu cầu «Truyền hình», ghi mã lỗi trên màn hình.""",
    ),
    (
        "chuyen-dia-diem-su-dung-dich-vu",
        "relocation",
        "procedure",
        "Chuyển địa điểm lắp đặt (dời Internet/truyền hình sang địa chỉ mới)",
        """Điều kiện: chủ hợp đồng yêu cầu; địa chỉ mới trong vùng phủ cáp quang; không nợ cước.

Hồ sơ: căn cước của chủ hợp đồng (hoặc giấy ủy quyền kèm căn cước người được ủy quyền), số hợp \
đồng, địa chỉ mới và số điện thoại liên hệ tại địa chỉ mới.

Quy trình:
1. Kiểm tra vùng phủ tại địa chỉ mới (theo phường/xã và tên đường).
2. Thông báo phí chuyển địa điểm theo chính sách hiện hành (có thể miễn phí trong chương trình ưu \
đãi hoặc khi còn cam kết) và thời gian gián đoạn dịch vụ.
3. Hẹn lịch; kỹ thuật thu hồi tại địa chỉ cũ và lắp đặt tại địa chỉ mới, giữ nguyên số hợp đồng, \
gói cước và thời hạn cam kết.

Thời hạn: thường trong 2–3 ngày làm việc kể từ khi khách hàng xác nhận, nếu địa chỉ mới đã có hạ \
tầng.""",
    ),
    (
        "cham-dut-hop-dong-dich-vu",
        "cancellation",
        "procedure",
        "Chấm dứt (thanh lý) hợp đồng dịch vụ Internet/truyền hình",
        """- Chỉ chủ hợp đồng (hoặc người được ủy quyền hợp lệ) được yêu cầu chấm dứt hợp đồng, kèm \
căn cước.
- Trước khi tiếp nhận, hỏi lý do và tư vấn giữ chân (chuyển gói, tạm ngưng, chuyển địa điểm). Ghi \
lý do vào yêu cầu để phòng Khách hàng theo dõi.
- Khách hàng thanh toán cước đến thời điểm chấm dứt; nếu còn trong thời gian cam kết sử dụng, \
thông báo khoản bồi hoàn ưu đãi theo hợp đồng đã ký.
- Thiết bị cho mượn (modem, đầu thu, thiết bị Mesh) phải hoàn trả hoặc bồi thường theo biên bản \
bàn giao.
- Cước trả trước còn dư được hoàn lại theo chính sách hiện hành.
- Muốn tạm ngưng thay vì chấm dứt: có thể tạm ngưng có thời hạn (thường tối đa vài tháng), giữ số \
hợp đồng.""",
    ),
    (
        "ho-so-dang-ky-dich-vu-moi",
        "new_service",
        "documents",
        "Hồ sơ và thời gian đăng ký lắp đặt dịch vụ mới",
        """Cá nhân: căn cước (thông tin được đối chiếu với cơ sở dữ liệu quốc gia về dân cư), số điện \
thoại liên hệ, địa chỉ lắp đặt. Ký hợp đồng điện tử hoặc tại nhà khi lắp đặt.

Tổ chức, doanh nghiệp: giấy chứng nhận đăng ký doanh nghiệp, căn cước người đại diện hoặc giấy \
giới thiệu/ủy quyền, thông tin xuất hóa đơn.

Thời gian: khảo sát và lắp đặt thường trong 24–48 giờ kể từ khi ký hợp đồng ở khu vực đã có hạ \
tầng. Tư vấn gói cước theo nhu cầu (số người dùng, số thiết bị, nhu cầu xem truyền hình, camera).""",
    ),
    (
        "cuoc-va-thanh-toan-vien-thong",
        "billing",
        "tariff",
        "Cước dịch vụ, hóa đơn và kênh thanh toán",
        """- Cước trả sau tính theo tháng dương lịch; hóa đơn điện tử phát hành đầu tháng, gửi qua \
email/Zalo/SMS và ứng dụng.
- Tháng đầu tiên và tháng chấm dứt tính theo số ngày sử dụng thực tế.
- Trả trước nhiều tháng thường được tặng thêm tháng sử dụng theo chương trình khuyến mãi.
- Kênh thanh toán: ứng dụng của nhà mạng, ngân hàng (Internet/Mobile Banking, trích nợ tự động), \
ví điện tử (MoMo, ZaloPay, VNPay…), điểm giao dịch, thu cước tại nhà.
- Nợ cước quá hạn: hệ thống nhắc nợ và có thể tạm ngưng dịch vụ một chiều; sau khi thanh toán, \
dịch vụ được mở lại tự động trong vòng vài giờ.
- Khiếu nại cước: ghi kỳ cước, số tiền chênh lệch; trả lời trong 2 ngày làm việc.""",
    ),
    (
        "thiet-bi-modem-dau-thu",
        "equipment",
        "general",
        "Thiết bị đầu cuối: modem, đầu thu, Mesh — bảo hành và đổi thiết bị",
        """- Thiết bị cho mượn trong thời gian sử dụng dịch vụ được đổi miễn phí khi hỏng do lỗi kỹ \
thuật; hỏng do va đập, vào nước, cháy nổ do sét/nguồn điện có thể phải bồi thường theo chính sách.
- Đổi mật khẩu Wi-Fi: qua ứng dụng của nhà mạng hoặc trang quản trị modem; tổng đài viên có thể hỗ \
trợ từ xa sau khi xác minh chủ hợp đồng.
- Modem nóng, tự khởi động lại: đặt nơi thoáng, không chồng thiết bị lên nhau; nếu lặp lại, tạo \
yêu cầu «Thiết bị» để đổi.
- Không tự ý reset cứng modem quang khi chưa được hướng dẫn: có thể mất cấu hình kết nối.""",
    ),
    (
        "tong-dai-ho-tro-vien-thong",
        None,
        "general",
        "Tổng đài và kênh hỗ trợ khách hàng viễn thông",
        """- Tổng đài 1800 1091 (miễn phí, 24/7): báo hỏng, tư vấn, khiếu nại.
- Ứng dụng và trang web chăm sóc khách hàng, Zalo Official Account: kiểm tra cước, báo hỏng, theo \
dõi tiến độ.
- Điểm giao dịch: giờ hành chính từ thứ Hai đến thứ Bảy.
- Mỗi yêu cầu được cấp số yêu cầu dạng CS-NĂM-SỐ; kỹ thuật viên đến nhà có thẻ nhân viên và gọi \
trước khi đến.""",
    ),
]

_ELECTRICITY_CANNED: list[Canned] = [
    (
        None,
        "Chào hỏi và xác nhận tiếp nhận",
        "Kính chào Quý khách {{ten_khach_hang}}. Tôi là {{ten_tu_van_vien}}, tổng đài chăm sóc khách "
        "hàng ngành điện. Yêu cầu của Quý khách đã được ghi nhận với số yêu cầu {{so_vu_viec}}; "
        "thời hạn xử lý dự kiến trước {{han_xu_ly}}. Quý khách vui lòng giữ số yêu cầu để tiện theo "
        "dõi. Trân trọng cảm ơn.",
    ),
    (
        None,
        "Đề nghị bổ sung thông tin",
        "Kính gửi Quý khách {{ten_khach_hang}}, để xử lý yêu cầu {{so_vu_viec}}, Quý khách vui lòng "
        "cung cấp thêm: địa chỉ chính xác, mã khách hàng (in trên hóa đơn) và số điện thoại liên hệ "
        "tại chỗ. Yêu cầu đang tạm chờ thông tin từ Quý khách.",
    ),
    (
        "outage",
        "Mất điện: đã chuyển Điện lực",
        "Kính chào Quý khách {{ten_khach_hang}}. Thông tin mất điện tại địa chỉ của Quý khách đã "
        "được chuyển Điện lực khu vực kiểm tra với số yêu cầu {{so_vu_viec}}. Thời gian dự kiến có "
        "điện lại trước {{han_xu_ly}}. Vì an toàn, Quý khách vui lòng không tự ý mở tủ điện hoặc "
        "chạm vào dây dẫn. Xin lỗi Quý khách vì sự bất tiện.",
    ),
    (
        "outage",
        "Mất điện: sự cố chung khu vực",
        "Kính chào Quý khách {{ten_khach_hang}}. Khu vực của Quý khách đang bị mất điện do sự cố "
        "lưới điện, Điện lực đã cử đội sửa chữa đến hiện trường. Thời gian dự kiến có điện lại "
        "trước {{han_xu_ly}}. Phản ánh của Quý khách được ghi nhận với số yêu cầu {{so_vu_viec}}; "
        "chúng tôi sẽ nhắn tin khi cấp điện trở lại.",
    ),
    (
        "planned_outage",
        "Lịch ngừng cấp điện có kế hoạch",
        "Kính chào Quý khách {{ten_khach_hang}}. Khu vực của Quý khách có lịch ngừng cung cấp điện "
        "để bảo trì, sửa chữa lưới điện theo thông báo của Điện lực. Lịch ngừng cấp điện được thông "
        "báo trước ít nhất 5 ngày qua tin nhắn và ứng dụng CSKH. Nếu quá giờ dự kiến mà chưa có "
        "điện, Quý khách vui lòng gọi lại và cung cấp số yêu cầu {{so_vu_viec}}.",
    ),
    (
        "billing",
        "Giải thích tiền điện tăng",
        "Kính chào Quý khách {{ten_khach_hang}} (mã KH {{ma_khach_hang}}). Tiền điện kỳ này tăng "
        "chủ yếu do sản lượng tăng; giá điện sinh hoạt tính theo 6 bậc nên phần sản lượng vượt 200 "
        "kWh chịu giá bậc 4 trở lên. Chúng tôi đã chuyển Điện lực kiểm tra lại chỉ số công tơ (vụ "
        "việc {{so_vu_viec}}), kết quả sẽ được thông báo trước {{han_xu_ly}}.",
    ),
    (
        "payment",
        "Hướng dẫn thanh toán tiền điện",
        "Kính chào Quý khách {{ten_khach_hang}}. Quý khách có thể thanh toán tiền điện (mã KH "
        "{{ma_khach_hang}}) qua ứng dụng CSKH, Internet/Mobile Banking, ví điện tử (MoMo, ZaloPay, "
        "VNPay…), quét mã VietQR trên thông báo, hoặc tại điểm thu hộ. Thời hạn thanh toán là 7 ngày "
        "kể từ ngày nhận thông báo tiền điện lần đầu.",
    ),
    (
        "payment",
        "Đã thanh toán nhưng nhận nhắc nợ",
        "Kính chào Quý khách {{ten_khach_hang}}. Chúng tôi đã ghi nhận giao dịch thanh toán Quý khách "
        "cung cấp và chuyển bộ phận đối soát (yêu cầu {{so_vu_viec}}). Kết quả sẽ được thông báo "
        "trước {{han_xu_ly}}; trong thời gian này điện của Quý khách không bị ngừng cấp vì lý do nợ.",
    ),
    (
        "meter",
        "Tiếp nhận đề nghị kiểm tra công tơ",
        "Kính chào Quý khách {{ten_khach_hang}}. Đề nghị kiểm tra công tơ của Quý khách đã được "
        "tiếp nhận (yêu cầu {{so_vu_viec}}). Điện lực sẽ liên hệ hẹn lịch và kiểm tra trong vòng 3 "
        "ngày làm việc; Quý khách vui lòng có mặt để chứng kiến việc kiểm tra, niêm phong.",
    ),
    (
        "new_connection",
        "Hướng dẫn hồ sơ cấp điện mới",
        "Kính chào Quý khách {{ten_khach_hang}}. Hồ sơ cấp điện mới gồm: giấy đề nghị mua điện, căn "
        "cước của người đứng tên và một giấy tờ chứng minh quyền sử dụng nơi dùng điện (giấy chứng "
        "nhận quyền sử dụng đất, hợp đồng mua bán hoặc thuê nhà từ 12 tháng…). Yêu cầu của Quý "
        "khách có số {{so_vu_viec}}; Điện lực sẽ liên hệ khảo sát và đóng điện trong 3 ngày làm "
        "việc (khu vực nông thôn 5 ngày) sau khi ký hợp đồng.",
    ),
    (
        "contract_change",
        "Tiếp nhận thay đổi hợp đồng",
        "Kính chào Quý khách {{ten_khach_hang}}. Yêu cầu thay đổi hợp đồng mua bán điện (mã KH "
        "{{ma_khach_hang}}) đã được chuyển Điện lực với số yêu cầu {{so_vu_viec}}, hạn giải quyết "
        "trước {{han_xu_ly}}. Thay đổi được áp dụng từ kỳ hóa đơn kế tiếp.",
    ),
    (
        "hazard",
        "Sự cố nguy hiểm: hướng dẫn an toàn",
        "Kính chào Quý khách {{ten_khach_hang}}. Điện lực đã được báo khẩn để xử lý (yêu cầu "
        "{{so_vu_viec}}). Trong lúc chờ, Quý khách vui lòng tránh xa dây điện ít nhất 10 m, không "
        "chạm vào dây hoặc vật đang tiếp xúc với dây và cảnh báo người xung quanh. Nếu có cháy, gọi "
        "114; có người bị điện giật, gọi 115.",
    ),
    (
        "power_quality",
        "Tiếp nhận phản ánh điện áp",
        "Kính chào Quý khách {{ten_khach_hang}}. Phản ánh điện áp yếu/chập chờn đã được chuyển "
        "Điện lực đo kiểm tại công tơ (yêu cầu {{so_vu_viec}}), hạn xử lý trước {{han_xu_ly}}. Trong "
        "thời gian này Quý khách nên hạn chế dùng đồng thời các thiết bị công suất lớn.",
    ),
    (
        "staff_complaint",
        "Tiếp nhận khiếu nại nhân viên",
        "Kính gửi Quý khách {{ten_khach_hang}}. Chúng tôi thành thật xin lỗi về trải nghiệm chưa tốt "
        "của Quý khách. Khiếu nại đã được chuyển Tổ Giải quyết khiếu nại với số {{so_vu_viec}}; kết "
        "quả xác minh sẽ được trả lời trước {{han_xu_ly}}.",
    ),
    (
        "general",
        "Đã giải đáp",
        "Kính chào Quý khách {{ten_khach_hang}}. Cảm ơn Quý khách đã liên hệ. Nội dung Quý khách "
        "hỏi đã được giải đáp (yêu cầu {{so_vu_viec}}). Nếu cần hỗ trợ thêm, Quý khách vui lòng gọi "
        "1900 545454 hoặc dùng ứng dụng CSKH.",
    ),
]

_TELECOM_CANNED: list[Canned] = [
    (
        None,
        "Chào hỏi và xác nhận tiếp nhận",
        "Kính chào Quý khách {{ten_khach_hang}}. Tôi là {{ten_tu_van_vien}}. Yêu cầu của Quý khách "
        "đã được ghi nhận với số {{so_vu_viec}}, thời hạn xử lý dự kiến trước {{han_xu_ly}}. Trân "
        "trọng cảm ơn Quý khách.",
    ),
    (
        "internet_down",
        "Mất kết nối: hẹn kỹ thuật",
        "Kính chào Quý khách {{ten_khach_hang}}. Sự cố mất kết nối Internet (hợp đồng "
        "{{ma_khach_hang}}) đã được chuyển bộ phận kỹ thuật với số {{so_vu_viec}}. Kỹ thuật viên sẽ "
        "gọi trước khi đến; thời gian khắc phục dự kiến trước {{han_xu_ly}}.",
    ),
    (
        "internet_down",
        "Mất kết nối: sự cố chung khu vực",
        "Kính chào Quý khách {{ten_khach_hang}}. Khu vực của Quý khách đang có sự cố đường truyền "
        "cáp quang, kỹ thuật đang khắc phục. Dịch vụ dự kiến hoạt động lại trước {{han_xu_ly}}; "
        "phản ánh của Quý khách được ghi nhận với số {{so_vu_viec}}.",
    ),
    (
        "slow_speed",
        "Internet chậm: hướng dẫn kiểm tra",
        "Kính chào Quý khách {{ten_khach_hang}}. Để kiểm tra tốc độ, Quý khách vui lòng cắm dây LAN "
        "từ máy tính vào modem và đo tốc độ, rồi gửi ảnh kết quả cho chúng tôi. Yêu cầu của Quý "
        "khách có số {{so_vu_viec}}.",
    ),
    (
        "tv_service",
        "Truyền hình: đã chuyển kỹ thuật",
        "Kính chào Quý khách {{ten_khach_hang}}. Lỗi truyền hình đã được chuyển kỹ thuật xử lý với "
        "số {{so_vu_viec}}, dự kiến hoàn thành trước {{han_xu_ly}}.",
    ),
    (
        "billing",
        "Giải đáp cước",
        "Kính chào Quý khách {{ten_khach_hang}}. Cước tháng đầu và tháng chấm dứt được tính theo số "
        "ngày sử dụng thực tế. Chúng tôi đã chuyển bộ phận cước đối soát chi tiết (số "
        "{{so_vu_viec}}), kết quả sẽ được thông báo trước {{han_xu_ly}}.",
    ),
    (
        "new_service",
        "Đăng ký lắp đặt mới",
        "Kính chào Quý khách {{ten_khach_hang}}. Yêu cầu lắp đặt của Quý khách đã được ghi nhận (số "
        "{{so_vu_viec}}). Nhân viên sẽ liên hệ khảo sát và lắp đặt trong 24–48 giờ; Quý khách vui "
        "lòng chuẩn bị căn cước để ký hợp đồng.",
    ),
    (
        "relocation",
        "Chuyển địa điểm: xác nhận lịch",
        "Kính chào Quý khách {{ten_khach_hang}}. Yêu cầu chuyển địa điểm sử dụng dịch vụ (hợp đồng "
        "{{ma_khach_hang}}) đã được tiếp nhận với số {{so_vu_viec}}. Kỹ thuật sẽ liên hệ hẹn lịch "
        "thu hồi và lắp đặt tại địa chỉ mới, dự kiến hoàn thành trước {{han_xu_ly}}.",
    ),
    (
        "cancellation",
        "Tiếp nhận yêu cầu chấm dứt hợp đồng",
        "Kính chào Quý khách {{ten_khach_hang}}. Yêu cầu chấm dứt hợp đồng {{ma_khach_hang}} đã "
        "được chuyển phòng Khách hàng (số {{so_vu_viec}}). Quý khách vui lòng thanh toán cước đến "
        "ngày chấm dứt và hoàn trả thiết bị cho mượn theo biên bản bàn giao.",
    ),
    (
        "equipment",
        "Đổi thiết bị",
        "Kính chào Quý khách {{ten_khach_hang}}. Yêu cầu kiểm tra, đổi thiết bị đã được tiếp nhận "
        "(số {{so_vu_viec}}); kỹ thuật viên sẽ mang thiết bị thay thế đến trước {{han_xu_ly}}.",
    ),
    (
        "staff_complaint",
        "Tiếp nhận khiếu nại nhân viên",
        "Kính gửi Quý khách {{ten_khach_hang}}. Chúng tôi thành thật xin lỗi về trải nghiệm chưa tốt "
        "của Quý khách. Khiếu nại đã được ghi nhận với số {{so_vu_viec}} và sẽ được trả lời trước "
        "{{han_xu_ly}}.",
    ),
    (
        "general",
        "Đã giải đáp",
        "Kính chào Quý khách {{ten_khach_hang}}. Cảm ơn Quý khách đã liên hệ, nội dung Quý khách hỏi "
        "đã được giải đáp (số {{so_vu_viec}}). Tổng đài 1800 1091 hỗ trợ 24/7.",
    ),
]

ARTICLES: dict[str, list[Article]] = {
    "electricity": _ELECTRICITY_ARTICLES,
    "telecom": _TELECOM_ARTICLES,
}
CANNED: dict[str, list[Canned]] = {
    "electricity": _ELECTRICITY_CANNED,
    "telecom": _TELECOM_CANNED,
}
