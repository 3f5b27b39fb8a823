"""Built-in industry profiles. Codes are a contract: integrations and reports rely on them."""

from typing import TypedDict

from django.utils.translation import gettext_noop as N_


class CalendarSpec(TypedDict):
    name: str
    always_open: bool
    hours: dict[str, list[list[str]]]


# code, name, description, priority, SLA policy, handler, groups, complaint
CaseTypeRow = tuple[str, str, str, int, str, str, bool, bool]


class ProfileTerms(TypedDict):
    """The words a profile's users and customers read (lower case; templates use capfirst).

    `work_order`: what a dispatch ticket is called. Not "phiếu công tác": in the power industry
    that is the electrical-safety work permit (PCT), a field crew would misread it.
    `case`: one word for a case everywhere, in the UI and in customer messages."""

    case: str
    work_order: str
    outage: str  # what customers lose: "mất điện", "gián đoạn dịch vụ"
    suspected_title: str  # auto-detected incident, %(w)s = where
    confirmed_title: str  # the same after a lead confirms it
    public_message: str  # what customers are told about an unplanned outage
    planned: str  # the planned-maintenance schedule (page title, notices)
    planned_stop: str  # the verb phrase in a planned notice: "ngừng cung cấp điện"
    public_path: str  # the public schedule page, no login: /<public_path>/
    network_feeder: str  # "tuyến dây %(c)s" / "OLT %(c)s"
    network_transformer: str  # "trạm %(c)s" / "splitter %(c)s"
    network_levels: str  # a column header: "tuyến dây / trạm"


class ProfileSpec(TypedDict):
    name: str
    terms: ProfileTerms
    case_types: list[CaseTypeRow]


WORKING_HOURS = {str(d): [["07:30", "11:30"], ["13:00", "17:00"]] for d in range(6)}  # Mon–Sat

CALENDARS: dict[str, CalendarSpec] = {
    "24x7": {"name": N_("24/7"), "always_open": True, "hours": {}},
    "office": {
        "name": N_("Giờ hành chính T2–T7 (7:30–17:00)"),
        "always_open": False,
        "hours": WORKING_HOURS,
    },
}

DAY = 8 * 60  # one working day in working minutes

# code: name, calendar, first response (min), resolution (min), rural resolution, description
SLA_POLICIES = {
    "restore_2h": (
        N_("Khôi phục cấp điện trong 2 giờ"),
        "24x7",
        15,
        120,
        None,
        N_("Khôi phục cấp điện sau sự cố trong vòng 2 giờ."),
    ),
    "hazard_1h": (
        N_("Xử lý nguy hiểm điện trong 1 giờ"),
        "24x7",
        10,
        60,
        None,
        N_("Có mặt xử lý nguy cơ mất an toàn điện."),
    ),
    "connection_3_5d": (
        N_("Cấp điện mới hạ áp: 3 ngày làm việc (thành thị), 5 (nông thôn)"),
        "office",
        4 * 60,
        3 * DAY,
        5 * DAY,
        N_("Cấp điện mới lưới hạ áp trong 3 ngày làm việc ở thành phố, 5 ngày ở nông thôn."),
    ),
    "office_2d": (
        N_("Trả lời trong 2 ngày làm việc"),
        "office",
        4 * 60,
        2 * DAY,
        None,
        N_("Trả lời bằng văn bản khiếu nại trong 2 ngày làm việc."),
    ),
    "office_3d": (N_("Giải quyết trong 3 ngày làm việc"), "office", 4 * 60, 3 * DAY, None, ""),
    "office_5d": (N_("Giải quyết trong 5 ngày làm việc"), "office", 8 * 60, 5 * DAY, None, ""),
    "net_24h": (N_("Khắc phục sự cố mạng trong 24 giờ"), "24x7", 30, 24 * 60, None, ""),
    "info_1d": (N_("Giải đáp trong 1 ngày làm việc"), "office", 2 * 60, DAY, None, ""),
    "callback_1d": (
        N_("Gọi lại khách hàng chưa hài lòng trong 1 ngày làm việc"),
        "office",
        DAY,
        DAY,
        None,
        "",
    ),
}

# code: name, description, default priority, sla, handler unit kind, groups incidents, complaint
# Case types staff open for their own follow-up (the call-back after a low survey score):
# customers never describe them, so the text classifier's seed corpus does not cover them.
STAFF_ONLY_TYPES = frozenset({"cx_followup"})

PROFILES: dict[str, ProfileSpec] = {
    "electricity": {
        "name": N_("Điện lực"),
        "terms": {
            "case": N_("yêu cầu"),
            "work_order": N_("phiếu giao việc"),
            "outage": N_("mất điện"),
            "suspected_title": N_("Nghi mất điện diện rộng: %(w)s"),
            "confirmed_title": N_("Mất điện diện rộng: %(w)s"),
            "public_message": N_(
                "Khu vực của Quý khách đang bị mất điện. Chúng tôi đang khắc phục."
            ),
            "planned": N_("lịch ngừng cung cấp điện"),
            "planned_stop": N_("ngừng cung cấp điện"),
            "public_path": "lich-ngung-cung-cap-dien",
            "network_feeder": N_("tuyến dây %(c)s"),
            "network_transformer": N_("trạm %(c)s"),
            "network_levels": N_("tuyến dây / trạm"),
        },
        "case_types": [
            (
                "outage",
                N_("Mất điện"),
                N_("Khách hàng báo mất điện tại nhà hoặc khu vực."),
                2,
                "restore_2h",
                "field",
                True,
                False,
            ),
            (
                "planned_outage",
                N_("Lịch ngừng cung cấp điện"),
                N_("Hỏi về lịch cắt điện theo kế hoạch."),
                3,
                "info_1d",
                "center",
                False,
                False,
            ),
            (
                "billing",
                N_("Hóa đơn tiền điện"),
                N_("Thắc mắc hóa đơn, tiền điện tăng cao."),
                3,
                "office_3d",
                "field",
                False,
                False,
            ),
            (
                "payment",
                N_("Thanh toán tiền điện"),
                N_("Đã thanh toán nhưng vẫn báo nợ, kênh thanh toán."),
                3,
                "office_2d",
                "center",
                False,
                False,
            ),
            (
                "meter",
                N_("Công tơ điện"),
                N_("Công tơ chạy nhanh, hỏng, kiểm định công tơ."),
                3,
                "office_3d",
                "field",
                False,
                False,
            ),
            (
                "new_connection",
                N_("Cấp điện mới"),
                N_("Đăng ký lắp đặt, cấp điện mới hạ áp."),
                3,
                "connection_3_5d",
                "field",
                False,
                False,
            ),
            (
                "contract_change",
                N_("Thay đổi hợp đồng"),
                N_("Sang tên, thay đổi mục đích sử dụng, định mức."),
                3,
                "office_5d",
                "field",
                False,
                False,
            ),
            (
                "hazard",
                N_("Nguy hiểm điện"),
                N_("Dây điện đứt, cháy nổ, điện giật, cột nghiêng."),
                1,
                "hazard_1h",
                "field",
                False,
                False,
            ),
            (
                "power_quality",
                N_("Chất lượng điện áp"),
                N_("Điện yếu, chập chờn, điện áp thấp hoặc cao."),
                2,
                "restore_2h",
                "field",
                True,
                False,
            ),
            (
                "staff_complaint",
                N_("Khiếu nại nhân viên"),
                N_("Thái độ, hành vi của nhân viên điện lực."),
                2,
                "office_2d",
                "center",
                False,
                True,
            ),
            (
                "general",
                N_("Thông tin chung"),
                N_("Hỏi đáp thông tin chung."),
                4,
                "info_1d",
                "center",
                False,
                False,
            ),
            (
                "cx_followup",
                N_("Gọi lại sau khảo sát"),
                N_("Khách hàng chấm điểm thấp: gọi lại, ghi nhận kết quả."),
                2,
                "callback_1d",
                "center",
                False,
                False,
            ),
        ],
    },
    "telecom": {
        "name": N_("Viễn thông"),
        "terms": {
            "case": N_("yêu cầu"),
            "work_order": N_("phiếu giao việc"),
            "outage": N_("gián đoạn dịch vụ"),
            "suspected_title": N_("Nghi gián đoạn dịch vụ diện rộng: %(w)s"),
            "confirmed_title": N_("Gián đoạn dịch vụ Internet/truyền hình: %(w)s"),
            "public_message": N_(
                "Dịch vụ Internet/truyền hình tại khu vực của Quý khách đang bị gián đoạn. "
                "Chúng tôi đang khắc phục."
            ),
            "planned": N_("lịch bảo trì mạng"),
            "planned_stop": N_("tạm ngừng dịch vụ Internet/truyền hình để bảo trì"),
            "public_path": "lich-bao-tri-mang",
            "network_feeder": N_("OLT %(c)s"),
            "network_transformer": N_("splitter %(c)s"),
            "network_levels": N_("OLT / splitter"),
        },
        "case_types": [
            (
                "internet_down",
                N_("Mất kết nối Internet"),
                N_("Mất mạng, đèn LOS đỏ."),
                2,
                "net_24h",
                "field",
                True,
                False,
            ),
            (
                "slow_speed",
                N_("Mạng chậm"),
                N_("Tốc độ chậm, wifi yếu, giật lag."),
                3,
                "net_24h",
                "field",
                True,
                False,
            ),
            (
                "tv_service",
                N_("Truyền hình"),
                N_("Mất kênh, lỗi đầu thu truyền hình."),
                3,
                "net_24h",
                "field",
                True,
                False,
            ),
            (
                "billing",
                N_("Cước và hóa đơn"),
                N_("Thắc mắc cước, trừ tiền."),
                3,
                "office_2d",
                "center",
                False,
                False,
            ),
            (
                "new_service",
                N_("Đăng ký dịch vụ mới"),
                N_("Lắp mới, nâng cấp gói cước."),
                3,
                "office_3d",
                "field",
                False,
                False,
            ),
            (
                "relocation",
                N_("Chuyển địa điểm"),
                N_("Dời dịch vụ sang địa chỉ mới."),
                3,
                "office_5d",
                "field",
                False,
                False,
            ),
            (
                "cancellation",
                N_("Hủy dịch vụ"),
                N_("Yêu cầu hủy, cắt hợp đồng."),
                2,
                "office_2d",
                "center",
                False,
                False,
            ),
            (
                "equipment",
                N_("Thiết bị"),
                N_("Modem, router, đầu thu hỏng hoặc cần đổi."),
                3,
                "office_3d",
                "field",
                False,
                False,
            ),
            (
                "staff_complaint",
                N_("Khiếu nại nhân viên"),
                N_("Thái độ, hẹn không đến của nhân viên."),
                2,
                "office_2d",
                "center",
                False,
                True,
            ),
            (
                "general",
                N_("Thông tin chung"),
                N_("Hỏi đáp thông tin chung."),
                4,
                "info_1d",
                "center",
                False,
                False,
            ),
            (
                "cx_followup",
                N_("Gọi lại sau khảo sát"),
                N_("Khách hàng chấm điểm thấp: gọi lại, ghi nhận kết quả."),
                2,
                "callback_1d",
                "center",
                False,
                False,
            ),
        ],
    },
}
