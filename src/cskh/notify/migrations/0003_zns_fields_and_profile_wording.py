"""Zalo ZNS fields on the outbox row, and the built-in texts of issue #21.

Rows still holding the previous built-in text of an incident, planned-outage or SLA template are
moved to the new one (no internal incident code, the ETA, the profile's words, "yêu cầu" for a
case); rows an admin edited are left alone."""

from django.db import migrations, models

OLD = {
    "incident_outage": (
        "Thông báo sự cố {{ incident_number }}",
        "CSKH: Khu vực của Quý khách đang bị ảnh hưởng bởi sự cố {{ incident_number }}. "
        "{% if eta %}Dự kiến khôi phục trước {{ eta }}. {% endif %}Xin lỗi vì sự bất tiện.",
    ),
    "incident_restored": (
        "Sự cố {{ incident_number }} đã được khắc phục",
        "CSKH: Sự cố {{ incident_number }} đã được khắc phục. Cảm ơn Quý khách.",
    ),
    "planned_outage_notice": (
        "Lịch ngừng cung cấp điện {{ incident_number }}",
        "CSKH: Ngừng cung cấp điện theo kế hoạch tại {{ area }} từ {{ start }} đến {{ end }}"
        "{% if reason %} ({{ reason|truncatechars:120 }}){% endif %}. Mong Quý khách thông cảm.",
    ),
    "planned_outage_reminder": (
        "Nhắc lịch ngừng cung cấp điện {{ incident_number }}",
        "CSKH: Nhắc Quý khách: ngừng cung cấp điện tại {{ area }} từ {{ start }} đến {{ end }}.",
    ),
    "planned_outage_changed": (
        "Thay đổi lịch ngừng cung cấp điện {{ incident_number }}",
        "CSKH: Lịch ngừng cung cấp điện tại {{ area }} đã thay đổi: từ {{ start }} đến "
        "{{ end }}. Mong Quý khách thông cảm.",
    ),
    "planned_outage_cancelled": (
        "Hủy lịch ngừng cung cấp điện {{ incident_number }}",
        "CSKH: Lịch ngừng cung cấp điện tại {{ area }} từ {{ start }} đã được hủy.",
    ),
    "sla_warning": (
        "[Cảnh báo SLA] {{ case_number }} đã dùng {{ percent }}% thời hạn",
        "Vụ việc {{ case_number }} ({{ case_type }}, {{ unit_name }}) đã dùng {{ percent }}% "
        "thời hạn xử lý. Hạn: {{ due_at }}.",
    ),
    "sla_breach": (
        "[Quá hạn SLA] {{ case_number }}",
        "Vụ việc {{ case_number }} ({{ case_type }}, {{ unit_name }}) đã quá hạn xử lý "
        "({{ percent }}% thời hạn). Hạn: {{ due_at }}.",
    ),
}


def update_builtin_texts(apps, schema_editor):
    from cskh.notify.defaults import DEFAULTS

    Template = apps.get_model("notify", "Template")
    for code, (old_subject, old_body) in OLD.items():
        new_subject, new_body = DEFAULTS[code]
        Template.objects.filter(code=code, body=old_body).update(body=new_body)
        Template.objects.filter(code=code, subject=old_subject).update(subject=new_subject)


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_seed_templates")]
    operations = [
        migrations.AddField(
            model_name="notification",
            name="zns_template_id",
            field=models.CharField(blank=True, max_length=32, verbose_name="mã mẫu ZNS"),
        ),
        migrations.AddField(
            model_name="notification",
            name="template_data",
            field=models.JSONField(blank=True, default=dict, verbose_name="tham số mẫu ZNS"),
        ),
        migrations.RunPython(update_builtin_texts, migrations.RunPython.noop),
    ]
