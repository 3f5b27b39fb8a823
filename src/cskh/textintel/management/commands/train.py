import json
import time

from django.core.management.base import BaseCommand, CommandError

from cskh.core.errors import DomainError
from cskh.textintel.classifier import PROFILES


class Command(BaseCommand):
    help = (
        "Huấn luyện lại mô hình gợi ý loại yêu cầu từ dữ liệu mẫu + yêu cầu đã được nhân viên "
        "xác nhận loại; chỉ kích hoạt nếu không kém mô hình đang dùng. "
        "Lịch hằng đêm: `cskh scheduler`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=PROFILES, help="mặc định: ngành đang dùng")
        parser.add_argument("--all", action="store_true", help="mọi ngành")
        parser.add_argument("--no-activate", action="store_true")

    def handle(self, *args, profile, all, no_activate, **opts):
        from cskh.textintel.services import check_profile, train_model

        try:
            profiles = list(PROFILES) if all else [check_profile(profile)]
            for code in profiles:
                started = time.perf_counter()
                result = train_model(code, activate=not no_activate)
                result["seconds"] = round(time.perf_counter() - started, 2)
                self.stdout.write(json.dumps(result, ensure_ascii=False))
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
