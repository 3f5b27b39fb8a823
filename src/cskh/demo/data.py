"""Static vocabularies for the demo data: Vietnamese names, HCMC streets, case texts.

Family-name shares follow published surveys of Vietnamese surnames (Nguyễn ≈ 38 %, Trần ≈ 11 %,
Lê ≈ 9.5 %, …), with the southern spellings (Huỳnh, Võ) favoured because the demo city is
Ho Chi Minh City.
"""

# (family name, weight in ‰)
FAMILY_NAMES = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Huỳnh", 35),
    ("Hoàng", 16),
    ("Phan", 45),
    ("Võ", 28),
    ("Vũ", 11),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Trương", 9),
    ("Đào", 5),
    ("Đoàn", 5),
    ("Lâm", 5),
    ("Mai", 4),
    ("Tô", 3),
    ("Lưu", 3),
    ("Châu", 3),
    ("Cao", 3),
    ("Hà", 3),
    ("Tạ", 2),
    ("Thái", 2),
    ("La", 2),
    ("Quách", 2),
    ("Vương", 2),
    ("Triệu", 1),
    ("Kiều", 1),
    ("Lương", 2),
    ("Trịnh", 3),
    ("Tăng", 1),
    ("Diệp", 1),
    ("Mạc", 1),
]

MIDDLE_MALE = [
    ("Văn", 30),
    ("Hữu", 8),
    ("Đức", 8),
    ("Minh", 12),
    ("Quốc", 8),
    ("Thanh", 8),
    ("Công", 5),
    ("Ngọc", 4),
    ("Hoàng", 5),
    ("Gia", 4),
    ("Tấn", 5),
    ("Trọng", 3),
    ("Xuân", 3),
    ("Đình", 3),
    ("Nhật", 3),
    ("Anh", 3),
    ("Thành", 3),
    ("Bảo", 3),
]
MIDDLE_FEMALE = [
    ("Thị", 40),
    ("Ngọc", 12),
    ("Thanh", 8),
    ("Thu", 6),
    ("Kim", 6),
    ("Mỹ", 5),
    ("Hồng", 4),
    ("Phương", 4),
    ("Bảo", 4),
    ("Thùy", 4),
    ("Diệu", 2),
    ("Minh", 4),
    ("Khánh", 3),
    ("Hoài", 2),
    ("Quỳnh", 2),
    ("Tuyết", 2),
]
GIVEN_MALE = (
    "An Anh Bảo Bình Cường Dũng Duy Dương Đạt Đông Đức Hải Hào Hậu Hiếu Hiển Hòa Hoàng Hùng Huy "
    "Hưng Khang Khánh Khoa Kiên Lâm Lộc Long Luân Minh Nam Nghĩa Nhân Nhật Phát Phong Phúc Phước "
    "Quang Quân Sang Sơn Tài Tâm Tân Thắng Thanh Thành Thiện Thịnh Thông Tiến Toàn Trí Trung "
    "Tuấn Tùng Việt Vinh Vũ Khôi Lợi Hiệp Tú Triết Sỹ Quý Thái Trọng"
).split()
GIVEN_FEMALE = (
    "An Anh Ánh Bích Châu Chi Diễm Dung Duyên Giang Hà Hạnh Hằng Hiền Hoa Hồng Huệ Hương "
    "Hường Lan Liên Linh Loan Mai Ngân Ngọc Nhi Nhung Oanh Phương Phượng Quyên Quỳnh Tâm "
    "Thảo Thanh Thu Thúy Thủy Thư Tiên Trâm Trang Trinh Tuyết Uyên Vân Vy Xuân Yến Hạnh "
    "Diệp Khuê My Như Nga Nhàn Thơ Vi"
).split()

COMPANY_KINDS = [
    "Công ty TNHH",
    "Công ty TNHH MTV",
    "Công ty Cổ phần",
    "Doanh nghiệp tư nhân",
    "Hộ kinh doanh",
    "Cửa hàng",
]
COMPANY_WORDS = (
    "Thương mại Dịch vụ|Sản xuất Thương mại|Xây dựng|Vận tải|Thực phẩm|Cơ khí|May mặc|In ấn|"
    "Điện máy|Nhựa|Bao bì|Dược phẩm|Nhà hàng|Khách sạn|Địa ốc|Giáo dục|Công nghệ|Điện tử"
).split("|")
COMPANY_NAMES = (
    "Phú Thịnh|Thành Công|Hoàng Long|Minh Phát|Tân Phát|Đại Việt|Sài Gòn Xanh|Phương Nam|"
    "Hưng Thịnh|Việt Tiến|An Khang|Kim Ngân|Bình Minh|Nam Việt|Trường Sơn|Ánh Dương|Vạn Lộc|"
    "Thiên Phú|Đông Á|Mekong|Hòa Bình|Gia Phát|Phú Mỹ|Tân Tiến|Sao Mai|Hồng Phúc"
).split("|")
GOVERNMENT_NAMES = [
    "Ủy ban nhân dân {ward}",
    "Trường Tiểu học {ward}",
    "Trường THCS {ward}",
    "Trạm Y tế {ward}",
    "Công an {ward}",
    "Nhà Văn hóa {ward}",
]

STREETS = (
    "Lê Lợi|Nguyễn Huệ|Hai Bà Trưng|Pasteur|Điện Biên Phủ|Cách Mạng Tháng Tám|Võ Văn Tần|"
    "Nguyễn Thị Minh Khai|Trần Hưng Đạo|Lý Thường Kiệt|Nguyễn Trãi|Lê Văn Sỹ|Hoàng Văn Thụ|"
    "Phan Đình Phùng|Nguyễn Văn Trỗi|Xô Viết Nghệ Tĩnh|Bạch Đằng|Phan Văn Trị|Quang Trung|"
    "Nguyễn Oanh|Lê Đức Thọ|Phạm Văn Đồng|Kha Vạn Cân|Võ Văn Ngân|Lê Văn Việt|Đỗ Xuân Hợp|"
    "Nguyễn Duy Trinh|Mai Chí Thọ|Nguyễn Thị Định|Huỳnh Tấn Phát|Nguyễn Văn Linh|Nguyễn Hữu Thọ|"
    "Lê Văn Lương|Nguyễn Thị Thập|Phạm Hùng|Tạ Quang Bửu|Âu Dương Lân|Dương Bá Trạc|Hậu Giang|"
    "Kinh Dương Vương|Hồng Bàng|Châu Văn Liêm|Nguyễn Tri Phương|Ba Tháng Hai|Lý Thái Tổ|"
    "Sư Vạn Hạnh|Thành Thái|Tô Hiến Thành|Lạc Long Quân|Âu Cơ|Lũy Bán Bích|Tân Kỳ Tân Quý|"
    "Tân Hương|Trường Chinh|Cộng Hòa|Bàu Cát|Phạm Văn Hai|Tân Sơn Nhì|Lê Trọng Tấn|Tây Thạnh|"
    "Bình Long|Mã Lò|Tên Lửa|Kinh Dương Vương|An Dương Vương|Hương Lộ 2|Tỉnh Lộ 10|"
    "Quốc lộ 1A|Quốc lộ 22|Tô Ký|Lê Văn Khương|Hà Huy Giáp|Nguyễn Ảnh Thủ|Trần Thị Bảy|"
    "Đặng Thúc Vịnh|Bà Điểm|Phan Văn Hớn|Vĩnh Lộc|Trần Văn Giàu|Nguyễn Văn Bứa|Bùi Thanh Khiết|"
    "Lê Minh Xuân|Rừng Sác|Duyên Hải|Nguyễn Văn Tạo|Lê Văn Thịnh|Nguyễn Xiển|Lò Lu|Man Thiện|"
    "Nguyễn Kiệm|Phan Đăng Lưu|Nơ Trang Long|Đinh Bộ Lĩnh|Chu Văn An|Bùi Đình Túy|Ung Văn Khiêm|"
    "Nguyễn Gia Trí|Phan Xích Long|Huỳnh Văn Bánh|Trần Huy Liệu|Nguyễn Văn Đậu|Lê Quang Định|"
    "Thống Nhất|Nguyễn Văn Lượng|Dương Quảng Hàm|Phạm Văn Chiêu|Lê Đức Thọ|Bến Vân Đồn|"
    "Khánh Hội|Tôn Đản|Hoàng Diệu|Đoàn Văn Bơ|Vĩnh Khánh|Bình Thới|Lạc Long Quân|Lãnh Binh Thăng|"
    "Minh Phụng|Hòa Bình|Hồng Lạc|Phú Thọ Hòa|Thoại Ngọc Hầu|Lê Thúc Hoạch|Văn Cao|Gò Dầu|"
    "Đại lộ Bình Dương|Yersin|Phú Lợi|Nguyễn Văn Tiết|Thích Quảng Đức|Trần Văn Ơn|Ba Cu|"
    "Hoàng Hoa Thám|Thùy Vân|Võ Thị Sáu|Lê Hồng Phong|Nguyễn An Ninh|Đường 30 Tháng 4"
).split("|")
HAMLETS = (
    "Ấp 1|Ấp 2|Ấp 3|Ấp 4|Ấp 5|Ấp Chánh|Ấp Mới|Ấp Bàu Tre|Ấp Cây Sộp|Ấp Xóm Mới|Ấp Tân Lập".split(
        "|"
    )
)

EMAIL_DOMAINS = [
    ("gmail.com", 70),
    ("yahoo.com", 8),
    ("outlook.com", 6),
    ("hotmail.com", 4),
    ("icloud.com", 3),
    ("vnn.vn", 2),
    ("fpt.vn", 2),
]

# Mobile prefixes in service (after the 2018 renumbering), by carrier share (%).
MOBILE_PREFIXES = [
    # Viettel
    ("032", 3),
    ("033", 4),
    ("034", 4),
    ("035", 4),
    ("036", 4),
    ("037", 4),
    ("038", 4),
    ("039", 4),
    ("086", 4),
    ("096", 5),
    ("097", 6),
    ("098", 6),
    # Vinaphone
    ("081", 2),
    ("082", 2),
    ("083", 2),
    ("084", 2),
    ("085", 2),
    ("088", 2),
    ("091", 4),
    ("094", 4),
    # MobiFone
    ("070", 2),
    ("076", 2),
    ("077", 2),
    ("078", 2),
    ("079", 2),
    ("089", 2),
    ("090", 5),
    ("093", 4),
    # Vietnamobile / Gmobile
    ("056", 1),
    ("058", 1),
    ("059", 1),
]

# ---------------------------------------------------------------- org

# Electricity: EVNHCMC-style district power companies, keyed by the pre-2025 district that the
# ward's legacy names point to. Wards of the former Bình Dương and Bà Rịa–Vũng Tàu provinces
# (merged into Ho Chi Minh City in 2025) go to their own power companies.
ELECTRICITY_UNITS = [
    # code, name, abbreviation (network codes), phone
    ("PC-SG", "Công ty Điện lực Sài Gòn", "SG", "028 3822 1234"),
    ("PC-BT", "Công ty Điện lực Bến Thành", "BT", "028 3829 5555"),
    ("PC-CL", "Công ty Điện lực Chợ Lớn", "CL", "028 3855 3333"),
    ("PC-GD", "Công ty Điện lực Gia Định", "GD", "028 3841 2222"),
    ("PC-TD", "Công ty Điện lực Thủ Đức", "TD", "028 3896 1111"),
    ("PC-TT", "Công ty Điện lực Thủ Thiêm", "TTM", "028 3742 2222"),
    ("PC-TTH", "Công ty Điện lực Tân Thuận", "TTH", "028 3872 3333"),
    ("PC-PT", "Công ty Điện lực Phú Thọ", "PT", "028 3865 4444"),
    ("PC-BP", "Công ty Điện lực Bình Phú", "BP", "028 3751 5555"),
    ("PC-TB", "Công ty Điện lực Tân Bình", "TB", "028 3811 6666"),
    ("PC-TP", "Công ty Điện lực Tân Phú", "TP", "028 3816 7777"),
    ("PC-GV", "Công ty Điện lực Gò Vấp", "GV", "028 3894 8888"),
    ("PC-HM", "Công ty Điện lực Hóc Môn", "HM", "028 3891 9999"),
    ("PC-CC", "Công ty Điện lực Củ Chi", "CC", "028 3792 1111"),
    ("PC-BC", "Công ty Điện lực Bình Chánh", "BCH", "028 3760 2222"),
    ("PC-DH", "Công ty Điện lực Duyên Hải", "DH", "028 3874 3333"),
    ("PC-TDM", "Công ty Điện lực Thủ Dầu Một", "TDM", "0274 382 2222"),
    ("PC-DA", "Công ty Điện lực Dĩ An", "DA", "0274 373 3333"),
    ("PC-VT", "Công ty Điện lực Vũng Tàu", "VT", "0254 385 4444"),
    ("PC-BR", "Công ty Điện lực Bà Rịa", "BR", "0254 382 5555"),
]

# Telecom: branches of the same footprint, fewer and larger.
TELECOM_UNITS = [
    ("CN-Q1", "Chi nhánh Viễn thông Quận 1 – Quận 3", "Q1", "028 3823 0001"),
    ("CN-CL", "Chi nhánh Viễn thông Chợ Lớn", "CL", "028 3855 0002"),
    ("CN-GD", "Chi nhánh Viễn thông Gia Định", "GD", "028 3841 0003"),
    ("CN-TD", "Chi nhánh Viễn thông Thủ Đức", "TD", "028 3896 0004"),
    ("CN-NSG", "Chi nhánh Viễn thông Nam Sài Gòn", "NSG", "028 3872 0005"),
    ("CN-TB", "Chi nhánh Viễn thông Tân Bình – Tân Phú", "TB", "028 3811 0006"),
    ("CN-BT", "Chi nhánh Viễn thông Bình Tân", "BTN", "028 3751 0007"),
    ("CN-BHM", "Chi nhánh Viễn thông Bắc Sài Gòn", "BSG", "028 3891 0008"),
    ("CN-BD", "Chi nhánh Viễn thông Bình Dương", "BD", "0274 382 0009"),
    ("CN-VT", "Chi nhánh Viễn thông Vũng Tàu", "VT", "0254 385 0010"),
]

# Pre-2025 district (as written in geo.Ward.legacy_names) → unit code per profile.
DISTRICT_UNITS = {
    "Quận 1": ("PC-BT", "CN-Q1"),
    "Quận 3": ("PC-SG", "CN-Q1"),
    "Quận 4": ("PC-TTH", "CN-NSG"),
    "Quận 5": ("PC-CL", "CN-CL"),
    "Quận 6": ("PC-BP", "CN-CL"),
    "Quận 7": ("PC-TTH", "CN-NSG"),
    "Quận 8": ("PC-CL", "CN-NSG"),
    "Quận 10": ("PC-PT", "CN-CL"),
    "Quận 11": ("PC-PT", "CN-CL"),
    "Quận 12": ("PC-HM", "CN-BHM"),
    "Quận Bình Thạnh": ("PC-GD", "CN-GD"),
    "Quận Phú Nhuận": ("PC-GD", "CN-GD"),
    "Quận Gò Vấp": ("PC-GV", "CN-GD"),
    "Quận Tân Bình": ("PC-TB", "CN-TB"),
    "Quận Tân Phú": ("PC-TP", "CN-TB"),
    "Quận Bình Tân": ("PC-BP", "CN-BT"),
    "Thành phố Thủ Đức": ("PC-TD", "CN-TD"),
    "Huyện Củ Chi": ("PC-CC", "CN-BHM"),
    "Huyện Hóc Môn": ("PC-HM", "CN-BHM"),
    "Huyện Bình Chánh": ("PC-BC", "CN-BT"),
    "Huyện Nhà Bè": ("PC-TTH", "CN-NSG"),
    "Huyện Cần Giờ": ("PC-DH", "CN-NSG"),
    "Thành phố Thủ Dầu Một": ("PC-TDM", "CN-BD"),
    "Thành phố Bến Cát": ("PC-TDM", "CN-BD"),
    "Huyện Dầu Tiếng": ("PC-TDM", "CN-BD"),
    "Huyện Bàu Bàng": ("PC-TDM", "CN-BD"),
    "Huyện Phú Giáo": ("PC-TDM", "CN-BD"),
    "Thành phố Tân Uyên": ("PC-DA", "CN-BD"),
    "Huyện Bắc Tân Uyên": ("PC-DA", "CN-BD"),
    "Thành phố Dĩ An": ("PC-DA", "CN-BD"),
    "Thành phố Thuận An": ("PC-DA", "CN-BD"),
    "Thành phố Vũng Tàu": ("PC-VT", "CN-VT"),
    "Thành phố Bà Rịa": ("PC-BR", "CN-VT"),
    "Huyện Châu Đức": ("PC-BR", "CN-VT"),
    "Huyện Xuyên Mộc": ("PC-BR", "CN-VT"),
    "Huyện Long Đất": ("PC-BR", "CN-VT"),
    "Thị xã Phú Mỹ": ("PC-BR", "CN-VT"),
}
# Ward-level exceptions (ward name → unit code per profile).
WARD_UNITS = {
    "Phường Tân Định": ("PC-SG", "CN-Q1"),
    "Phường Sài Gòn": ("PC-SG", "CN-Q1"),
    "Phường An Khánh": ("PC-TT", "CN-TD"),
    "Phường Bình Trưng": ("PC-TT", "CN-TD"),
    "Phường Cát Lái": ("PC-TT", "CN-TD"),
    "Phường Long Bình": ("PC-TT", "CN-TD"),
    "Phường Tăng Nhơn Phú": ("PC-TT", "CN-TD"),
    "Phường Phước Long": ("PC-TT", "CN-TD"),
    "Phường Long Phước": ("PC-TT", "CN-TD"),
    "Phường Long Trường": ("PC-TT", "CN-TD"),
    "Đặc khu Côn Đảo": ("PC-VT", "CN-VT"),
}

DEMO_PASSWORD = "Cskh@2026"

# ---------------------------------------------------------------- cases

# Base share of each case type (%), before seasonal factors.
ELECTRICITY_MIX = {
    "outage": 30,
    "planned_outage": 8,
    "billing": 18,
    "payment": 8,
    "meter": 6,
    "new_connection": 5,
    "contract_change": 5,
    "hazard": 2,
    "power_quality": 6,
    "staff_complaint": 1.5,
    "general": 10.5,
}
TELECOM_MIX = {
    "internet_down": 28,
    "slow_speed": 18,
    "tv_service": 8,
    "billing": 15,
    "new_service": 8,
    "relocation": 4,
    "cancellation": 4,
    "equipment": 6,
    "staff_complaint": 1.5,
    "general": 7.5,
}
# Types whose volume rises in the rainy season (May–October in southern Vietnam).
RAINY_TYPES = {"outage", "hazard", "power_quality", "internet_down", "tv_service"}
BILLING_TYPES = {"billing", "payment"}

CHANNEL_MIX = [
    ("phone", 58),
    ("zalo", 14),
    ("web", 9),
    ("chat", 6),
    ("email", 4),
    ("social", 3),
    ("counter", 4),
    ("api", 2),
]

ELECTRICITY_TEXTS = {
    "outage": [
        "Nhà tôi ở {addr} bị mất điện từ {hour} giờ, cả xóm cũng mất.",
        "Mất điện khu vực {street} từ sáng đến giờ chưa có lại, nhờ kiểm tra giúp.",
        "Cúp điện đột ngột, nghe tiếng nổ ở trạm biến áp đầu hẻm.",
        "Nhà mất điện một mình, hàng xóm vẫn có điện, CB không nhảy.",
        "Mưa lớn xong thì mất điện luôn, khu {street} tối om.",
        "Điện mất rồi có lại chập chờn mấy lần, giờ mất hẳn.",
    ],
    "planned_outage": [
        "Cho hỏi lịch cắt điện khu vực {street} tuần này.",
        "Tôi nghe nói ngày mai cúp điện bảo trì, mấy giờ có điện lại?",
        "Xin lịch ngừng cung cấp điện phường {ward} tháng này.",
    ],
    "billing": [
        "Hóa đơn tháng này {amount} đồng, tăng gấp đôi tháng trước dù dùng như cũ.",
        "Tiền điện tháng này cao bất thường, nhờ kiểm tra lại chỉ số.",
        "Chưa nhận được hóa đơn tiền điện tháng này qua Zalo.",
        "Hóa đơn ghi chỉ số cũ sai, xin đối chiếu lại.",
        "Nhà có 4 người mà tính định mức cho 2 người, xin điều chỉnh.",
    ],
    "payment": [
        "Đã thanh toán {amount} đồng qua ví điện tử nhưng vẫn nhận tin nhắn nhắc nợ.",
        "Chuyển khoản tiền điện bị trừ tiền mà hóa đơn vẫn báo chưa thanh toán.",
        "Cho hỏi các kênh thanh toán tiền điện không mất phí.",
        "Nhận thông báo ngừng cấp điện do nợ nhưng tôi đã đóng rồi.",
    ],
    "meter": [
        "Công tơ quay nhanh bất thường dù đã tắt hết thiết bị.",
        "Công tơ bị hỏng màn hình, không đọc được chỉ số.",
        "Đề nghị kiểm định lại công tơ, nghi chạy sai.",
        "Thùng công tơ bị bể nắp, sợ mưa vô nước.",
    ],
    "new_connection": [
        "Đăng ký gắn điện kế mới cho nhà xây ở {addr}.",
        "Xin cấp điện mới cho phòng trọ, cần chuẩn bị giấy tờ gì?",
        "Đã nộp hồ sơ cấp điện 3 ngày chưa thấy ai liên hệ.",
    ],
    "contract_change": [
        "Xin sang tên hợp đồng mua bán điện do đã mua lại nhà.",
        "Đổi mục đích sử dụng điện từ sinh hoạt sang kinh doanh.",
        "Cập nhật số điện thoại nhận tin nhắn trên hợp đồng.",
        "Đăng ký thêm định mức cho người thuê trọ.",
    ],
    "hazard": [
        "Dây điện bị đứt rơi xuống đường {street}, rất nguy hiểm.",
        "Cột điện nghiêng sau cơn mưa, sợ ngã vào nhà dân.",
        "Trụ điện đầu hẻm bốc khói, có tia lửa.",
        "Cây đổ đè lên dây điện trước nhà số {house}.",
    ],
    "power_quality": [
        "Điện yếu, đèn chớp tắt liên tục, máy lạnh không chạy được.",
        "Điện áp lúc tối rất thấp, tủ lạnh kêu to.",
        "Điện chập chờn mấy ngày nay ở khu {street}.",
    ],
    "staff_complaint": [
        "Nhân viên ghi chỉ số không đến mà vẫn tính tiền ước.",
        "Nhân viên hẹn đến sửa nhưng không đến, gọi không bắt máy.",
        "Thái độ nhân viên tại quầy giao dịch không lịch sự.",
    ],
    "general": [
        "Cho hỏi giá điện bậc thang hiện nay.",
        "Hướng dẫn cài ứng dụng CSKH để tra cứu hóa đơn.",
        "Cho hỏi số tổng đài điện lực khu vực {ward}.",
        "Tư vấn tiết kiệm điện mùa nắng nóng.",
    ],
}
ELECTRICITY_RESOLUTIONS = {
    "outage": [
        "Đã thay dây chì, cấp điện lại.",
        "Đã xử lý sự cố trạm biến áp, có điện lại.",
        "Sự cố sau công tơ, đã hướng dẫn khách kiểm tra CB trong nhà.",
    ],
    "hazard": ["Đã cắt điện an toàn và khắc phục dây đứt.", "Đã dựng lại cột, đảm bảo an toàn."],
    "billing": [
        "Đã đối chiếu chỉ số, hóa đơn đúng do sử dụng tăng mùa nóng.",
        "Đã điều chỉnh hóa đơn do ghi sai chỉ số.",
        "Đã gửi lại hóa đơn điện tử qua Zalo.",
    ],
    "payment": ["Đã đối soát giao dịch, cập nhật trạng thái đã thanh toán."],
    "meter": ["Đã thay công tơ mới.", "Đã kiểm định, công tơ hoạt động đúng."],
    "_": ["Đã giải đáp cho khách hàng.", "Đã xử lý xong, khách hàng đồng ý.", "Đã hoàn tất."],
}

TELECOM_TEXTS = {
    "internet_down": [
        "Mất mạng từ {hour} giờ, đèn LOS trên modem đỏ.",
        "Wifi không vào được mạng, đã khởi động lại modem vẫn vậy.",
        "Cả khu {street} mất mạng sau trận mưa.",
        "Mạng rớt liên tục, đứt hẳn từ sáng.",
    ],
    "slow_speed": [
        "Mạng chậm quá, đăng ký 150Mbps mà đo được 10Mbps.",
        "Buổi tối xem phim bị giật lag, chơi game ping cao.",
        "Wifi yếu ở tầng 2, nhờ tư vấn lắp thêm bộ phát.",
    ],
    "tv_service": [
        "Truyền hình mất tín hiệu nhiều kênh.",
        "Đầu thu báo lỗi, không xem được truyền hình.",
        "Không xem được kênh thể thao đã đăng ký.",
    ],
    "billing": [
        "Cước tháng này {amount} đồng, cao hơn gói đã đăng ký.",
        "Bị trừ tiền dịch vụ giá trị gia tăng không đăng ký.",
        "Chưa nhận được hóa đơn điện tử tháng này.",
    ],
    "new_service": [
        "Đăng ký lắp internet cáp quang tại {addr}.",
        "Muốn nâng cấp gói cước lên 300Mbps.",
        "Đăng ký thêm gói truyền hình cho nhà.",
    ],
    "relocation": [
        "Chuyển nhà sang {addr}, xin dời dịch vụ internet.",
        "Xin chuyển địa điểm lắp đặt sang phòng khác.",
    ],
    "cancellation": [
        "Xin hủy hợp đồng internet do chuyển đi nơi khác.",
        "Muốn cắt dịch vụ truyền hình từ tháng sau.",
    ],
    "equipment": [
        "Modem bị chết nguồn, xin đổi thiết bị.",
        "Đầu thu truyền hình hỏng remote.",
        "Router wifi nóng và tự khởi động lại.",
    ],
    "staff_complaint": [
        "Kỹ thuật hẹn đến lắp đặt nhưng không đến.",
        "Nhân viên thu cước thái độ không tốt.",
    ],
    "general": [
        "Cho hỏi các gói cước internet hiện có.",
        "Hướng dẫn đổi mật khẩu wifi.",
        "Cho hỏi cửa hàng giao dịch gần phường {ward}.",
    ],
}
TELECOM_RESOLUTIONS = {
    "internet_down": [
        "Đã hàn lại cáp quang, kết nối ổn định.",
        "Đã thay splitter, khách có mạng lại.",
    ],
    "slow_speed": ["Đã đổi kênh wifi, tốc độ đạt gói cước.", "Đã lắp thêm bộ mở rộng wifi."],
    "equipment": ["Đã đổi modem mới."],
    "_": ["Đã giải đáp cho khách hàng.", "Đã xử lý xong, khách hàng đồng ý.", "Đã hoàn tất."],
}

ELECTRICITY_PLANS = {
    "residential": "Sinh hoạt bậc thang",
    "business": "Kinh doanh",
    "government": "Hành chính sự nghiệp",
    "vip": "Kinh doanh",
}
TELECOM_PLANS = [
    ("Internet Home 1 – 150 Mbps", 40),
    ("Internet Home 2 – 300 Mbps", 30),
    ("Internet Home 3 – 500 Mbps", 10),
    ("Combo Internet + Truyền hình", 15),
    ("Doanh nghiệp – 1 Gbps", 5),
]
