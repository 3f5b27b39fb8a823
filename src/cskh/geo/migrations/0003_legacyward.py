from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("geo", "0002_load_admin_units")]

    operations = [
        migrations.CreateModel(
            name="LegacyWard",
            fields=[
                ("code", models.PositiveIntegerField(primary_key=True, serialize=False, verbose_name="mã")),
                ("name", models.CharField(max_length=100, verbose_name="tên")),
                ("district_code", models.PositiveIntegerField(db_index=True, verbose_name="mã quận/huyện")),
                ("district_name", models.CharField(max_length=100, verbose_name="quận/huyện")),
                ("province_code", models.PositiveIntegerField(verbose_name="mã tỉnh cũ")),
                ("province_name", models.CharField(max_length=100, verbose_name="tỉnh/thành phố cũ")),
                ("ward_codes", models.JSONField(default=list, verbose_name="phường/xã hiện nay")),
                ("derived", models.BooleanField(default=False, verbose_name="suy ra (không có trong bảng chuyển đổi)")),
            ],
            options={
                "verbose_name": "phường/xã cũ",
                "verbose_name_plural": "phường/xã cũ",
                "ordering": ["code"],
            },
        ),
    ]
