"""Built-in Vietnamese templates, used when no active Template row overrides a code/channel.

Admins edit copies in the Template table (admin → Mẫu thông báo); the code is the contract.
Variables use Django template syntax; datetimes are formatted "HH:MM dd/mm/yyyy" local time.
"""

from django.utils.translation import gettext_noop as N_

# code: (subject, body). Same text for every channel unless a channel-specific row exists.
DEFAULTS: dict[str, tuple[str, str]] = {
    "webhook_disabled": (
        N_("Webhook “{{ name }}” đã bị tắt"),
        N_(
            "cskh: webhook “{{ name }}” ({{ url }}) đã tự động tắt sau {{ failures }} lần gửi "
            "lỗi liên tiếp. Lỗi cuối: {{ error }}. Sửa địa chỉ nhận rồi bật lại trong trang "
            "quản trị hoặc qua API."
        ),
    ),
    "case_received": (
        N_("Đã tiếp nhận yêu cầu {{ case_number }}"),
        N_(
            "CSKH: Đã tiếp nhận yêu cầu {{ case_number }} ({{ case_type }}). "
            "{% if due_at %}Hẹn xử lý trước {{ due_at }}. {% endif %}Cảm ơn Quý khách."
        ),
    ),
    "case_dispatched": (
        N_("Yêu cầu {{ case_number }} đã chuyển đơn vị xử lý"),
        N_(
            "CSKH: Yêu cầu {{ case_number }} đã được chuyển {{ unit_name }} xử lý"
            "{% if expected_at %}, dự kiến hoàn thành trước {{ expected_at }}{% endif %}."
        ),
    ),
    "technician_on_way": (
        N_("Nhân viên đang đến xử lý yêu cầu {{ case_number }}"),
        N_("CSKH: Nhân viên {{ unit_name }} đang trên đường đến xử lý yêu cầu {{ case_number }}."),
    ),
    "case_resolved": (
        N_("Yêu cầu {{ case_number }} đã được giải quyết"),
        N_(
            "CSKH: Yêu cầu {{ case_number }} đã được giải quyết. {{ resolution|truncatechars:200 }}"
        ),
    ),
    "need_info": (
        N_("Cần thêm thông tin cho yêu cầu {{ case_number }}"),
        N_(
            "CSKH: Để xử lý yêu cầu {{ case_number }}, chúng tôi cần thêm thông tin"
            "{% if question %}: {{ question|truncatechars:200 }}{% endif %}. "
            "Vui lòng liên hệ tổng đài hoặc trả lời tin nhắn này."
        ),
    ),
    # incidents (unplanned): context message (the public message), area, eta, resolved_at
    # and the profile's word `outage` ("mất điện" / "gián đoạn dịch vụ"); no internal code.
    "incident_outage": (
        N_("Thông báo {{ outage }}"),
        N_(
            "CSKH: {{ message }}{% if eta %} Dự kiến khôi phục trước {{ eta }}.{% endif %} "
            "Xin lỗi Quý khách vì sự bất tiện."
        ),
    ),
    "incident_restored": (
        N_("Đã khắc phục {{ outage }}"),
        N_(
            "CSKH: {{ outage|capfirst }}{% if area %} tại {{ area }}{% endif %} đã được khắc "
            "phục{% if resolved_at %} lúc {{ resolved_at }}{% endif %}. Cảm ơn Quý khách đã "
            "thông cảm."
        ),
    ),
    # incidents (planned outages): context area, start, end, reason and the profile's words
    # `planned` ("lịch ngừng cung cấp điện" / "lịch bảo trì mạng") and `planned_stop`.
    "planned_outage_notice": (
        N_("Thông báo {{ planned }}"),
        N_(
            "CSKH: {{ planned_stop|capfirst }} theo kế hoạch tại {{ area }} từ {{ start }} đến "
            "{{ end }}{% if reason %} ({{ reason|truncatechars:120 }}){% endif %}. "
            "Mong Quý khách thông cảm."
        ),
    ),
    "planned_outage_reminder": (
        N_("Nhắc {{ planned }}"),
        N_("CSKH: Nhắc Quý khách: {{ planned_stop }} tại {{ area }} từ {{ start }} đến {{ end }}."),
    ),
    "planned_outage_changed": (
        N_("Thay đổi {{ planned }}"),
        N_(
            "CSKH: {{ planned|capfirst }} tại {{ area }} đã thay đổi: từ {{ start }} đến "
            "{{ end }}. Mong Quý khách thông cảm."
        ),
    ),
    "planned_outage_cancelled": (
        N_("Hủy {{ planned }}"),
        N_("CSKH: {{ planned|capfirst }} tại {{ area }} từ {{ start }} đã được hủy."),
    ),
    "sla_warning": (
        N_("[Cảnh báo SLA] {{ case_number }} đã dùng {{ percent }}% thời hạn"),
        N_(
            "Yêu cầu {{ case_number }} ({{ case_type }}, {{ unit_name }}) đã dùng {{ percent }}% "
            "thời hạn xử lý. Hạn: {{ due_at }}."
        ),
    ),
    "sla_breach": (
        N_("[Quá hạn SLA] {{ case_number }}"),
        N_(
            "Yêu cầu {{ case_number }} ({{ case_type }}, {{ unit_name }}) đã quá hạn xử lý "
            "({{ percent }}% thời hạn). Hạn: {{ due_at }}."
        ),
    ),
    "cx_survey": (
        N_("Quý khách hài lòng với {{ touchpoint }}?"),
        N_(
            "CSKH: Cảm ơn Quý khách đã liên hệ. Mời chấm điểm {{ touchpoint }} (1 chạm): {{ link }}"
        ),
    ),
    "cx_survey_reminder": (
        N_("Nhắc: khảo sát mức độ hài lòng"),
        N_("CSKH: Ý kiến của Quý khách giúp chúng tôi phục vụ tốt hơn. Chấm điểm: {{ link }}"),
    ),
    "cx_nps": (
        N_("Quý khách có giới thiệu chúng tôi cho người thân?"),
        N_(
            "CSKH: Quý khách sẵn lòng giới thiệu dịch vụ cho người thân, bạn bè ở mức nào "
            "(0–10)? {{ link }}"
        ),
    ),
    "cx_nps_reminder": (
        N_("Nhắc: khảo sát giới thiệu dịch vụ"),
        N_("CSKH: Mời Quý khách chấm điểm 0–10 (1 chạm): {{ link }}"),
    ),
    "cx_referral": (
        N_("Mã giới thiệu của Quý khách: {{ code }}"),
        N_(
            "CSKH: Cảm ơn Quý khách đã tin dùng dịch vụ. Giới thiệu người thân lắp mới với mã "
            "{{ code }} ({{ link }}) để nhận ưu đãi {{ reward }}đ."
        ),
    ),
    "portal_otp": (
        N_("Mã đăng nhập cổng khách hàng: {{ code }}"),
        N_(
            "CSKH: Mã đăng nhập của Quý khách là {{ code }}, hiệu lực {{ minutes }} phút. "
            "Không chia sẻ mã này cho bất kỳ ai, kể cả nhân viên."
        ),
    ),
}
