"""Parse and validate a planned-outage schedule (CSV or XLSX). Pure reads: no state changes.

Columns (header names are matched without diacritics, case or punctuation; Vietnamese or English):
  ma / code                 schedule id from the utility (optional; re-importing it = a change)
  khu vuc / phuong / ward   ward name or code (required unless the feeder/transformer is known)
  tuyen day / feeder        feeder code (optional)
  tram / transformer        transformer code (optional)
  bat dau / start           start (dd/mm/yyyy HH:MM or ISO)
  ket thuc / end            end
  ly do / reason            reason shown to customers
  trang thai / status       "huy" / "cancel" cancels a previously imported schedule id
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core.errors import DomainError
from cskh.core.text import fold, nfc
from cskh.incidents.models import Feeder, Incident, Level, Transformer

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
MAX_DURATION = timedelta(days=3)

HEADERS = {
    "code": {"ma", "ma lich", "ma lich ngung", "code", "id", "schedule id"},
    "ward": {"khu vuc", "phuong", "phuong xa", "xa", "ward", "area", "dia ban"},
    "feeder": {"tuyen day", "tuyen", "xuat tuyen", "feeder", "line"},
    "transformer": {"tram", "tram bien ap", "ma tram", "transformer", "station"},
    "start": {"bat dau", "tu", "thoi gian bat dau", "start", "from", "tu luc"},
    "end": {"ket thuc", "den", "thoi gian ket thuc", "end", "to", "den luc"},
    "reason": {"ly do", "noi dung", "reason", "description"},
    "status": {"trang thai", "status", "action"},
}
CANCEL_WORDS = {"huy", "cancel", "cancelled", "da huy"}
DATE_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%H:%M %d/%m/%Y",
)
_WARD_PREFIX = re.compile(r"^(phuong|xa|dac khu|thi tran|p\.?|x\.?)\s+")


class ImportRejected(DomainError):
    def __init__(self, errors: list[dict], total: int):
        super().__init__(
            _("Tệp có %(n)s dòng không hợp lệ; không dòng nào được nhập.") % {"n": len(errors)},
            status=422,
            code="rejected_rows",
        )
        self.errors = errors
        self.total = total


@dataclass
class Row:
    line: int
    code: str
    ward_id: int | None
    area_label: str
    level: str
    scope_code: str
    start: datetime | None
    end: datetime | None
    reason: str
    cancel: bool = False
    errors: list[str] = field(default_factory=list)


def _norm_header(h) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(str(h or ""))).split())


def _read_table(data: bytes, filename: str) -> list[list]:
    if len(data) > MAX_BYTES:
        raise DomainError(_("Tệp quá lớn (tối đa 10 MB)."), status=413, code="too_large")
    if not data:
        raise DomainError(_("Tệp rỗng."), code="empty_file")
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        try:
            import openpyxl

            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            ws = wb.worksheets[0]
            table = [list(r) for r in ws.iter_rows(values_only=True)]
            wb.close()
            return table
        except Exception as exc:  # noqa: BLE001 — any corrupt workbook is bad input
            raise DomainError(_("Không đọc được tệp Excel (.xlsx)."), code="bad_file") from exc
    if name.endswith(".xls"):
        raise DomainError(
            _("Định dạng .xls cũ không được hỗ trợ; hãy lưu thành .xlsx hoặc .csv."),
            code="bad_file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(_("Tệp CSV phải mã hóa UTF-8."), code="bad_encoding") from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _parse_dt(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        parsed = _parse_text_dt(" ".join(str(value).split()))
        if parsed is None:
            return None
        dt = parsed
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt, timezone.get_default_timezone())
    return dt


def _parse_text_dt(text: str) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _raw(row: list, idx: int | None) -> object:
    """The cell as read (no text conversion), None when the column is absent or short."""
    return row[idx] if idx is not None and idx < len(row) else None


def _cell(row: list, idx: int | None) -> str:
    if idx is None or idx >= len(row) or row[idx] is None:
        return ""
    value = row[idx]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


class _WardIndex:
    """Ward lookup by code or (folded) name; ambiguous names are reported, not guessed."""

    def __init__(self):
        from cskh.geo.models import Ward

        self.by_code = {}
        self.by_name: dict[str, list] = {}
        for code, name, folded, pname in Ward.objects.values_list(
            "code", "name", "name_folded", "province__name"
        ):
            self.by_code[code] = (code, name, pname)
            core = _WARD_PREFIX.sub("", folded)
            for key in {folded, core}:
                self.by_name.setdefault(key, []).append((code, name, pname))

    def find(self, text: str) -> tuple[int | None, str, str | None]:
        text = text.strip()
        if not text:
            return None, "", None
        if text.isdigit():
            hit = self.by_code.get(int(text))
            if hit:
                return hit[0], hit[1], None
            return None, "", _("Phường/xã không tồn tại: %(w)s") % {"w": text}
        parts = [p.strip() for p in fold(text).split(",") if p.strip()]
        key = parts[0]
        candidates = self.by_name.get(key) or self.by_name.get(_WARD_PREFIX.sub("", key)) or []
        if len(candidates) > 1 and len(parts) > 1:
            province = fold(parts[-1]).replace("tp ", "").replace("thanh pho ", "")
            narrowed = [c for c in candidates if province and province in fold(c[2])]
            candidates = narrowed or candidates
        if not candidates:
            return None, "", _("Không tìm thấy phường/xã: %(w)s") % {"w": text}
        if len(candidates) > 1:
            return (
                None,
                "",
                _("Tên phường/xã “%(w)s” trùng ở nhiều tỉnh; ghi thêm tỉnh hoặc dùng mã phường.")
                % {"w": text},
            )
        return candidates[0][0], candidates[0][1], None


def parse_schedule(data: bytes, filename: str = "", *, now: datetime | None = None) -> list[Row]:
    """Returns valid rows, or raises ImportRejected listing every bad row (all-or-nothing)."""
    from cskh.customers.models import ServicePoint

    now = now or timezone.now()
    table = [r for r in _read_table(data, filename) if any(str(c or "").strip() for c in r)]
    if not table:
        raise DomainError(_("Tệp rỗng."), code="empty_file")
    header = [_norm_header(h) for h in table[0]]
    cols: dict[str, int | None] = {}
    for key, names in HEADERS.items():
        cols[key] = next((i for i, h in enumerate(header) if h in names), None)
    missing = [k for k in ("start", "end") if cols[k] is None]
    if missing or (cols["ward"] is None and cols["feeder"] is None and cols["transformer"] is None):
        raise DomainError(
            _(
                "Thiếu cột bắt buộc. Cần: khu vực/phường (hoặc tuyến dây/trạm), bắt đầu, kết thúc,"
                " lý do."
            ),
            code="missing_columns",
        )
    body = table[1:]
    if len(body) > MAX_ROWS:
        raise DomainError(
            _("Tệp quá nhiều dòng (tối đa %(n)s).") % {"n": MAX_ROWS}, code="too_many_rows"
        )
    if not body:
        raise DomainError(_("Tệp không có dòng dữ liệu."), code="empty_file")
    wards = _WardIndex()
    feeders = dict(Feeder.objects.values_list("code", "ward_id"))
    transformers = {
        c: (f, w) for c, f, w in Transformer.objects.values_list("code", "feeder_code", "ward_id")
    }
    raw_raw_codes = {_cell(r, cols["transformer"]) for r in body} | {
        _cell(r, cols["feeder"]) for r in body
    }
    sp_transformers = set(
        ServicePoint.objects.filter(transformer_code__in=raw_raw_codes)
        .values_list("transformer_code", flat=True)
        .distinct()
    )
    sp_feeders = set(
        ServicePoint.objects.filter(feeder_code__in=raw_raw_codes)
        .values_list("feeder_code", flat=True)
        .distinct()
    )
    existing_codes = set(
        Incident.objects.filter(kind=Incident.Kind.PLANNED)
        .exclude(status__in=["cancelled", "resolved"])
        .exclude(schedule_code="")
        .values_list("schedule_code", flat=True)
    )
    rows: list[Row] = []
    seen_codes: dict[str, int] = {}
    for n, raw in enumerate(body, start=2):
        errors: list[str] = []
        code = _cell(raw, cols["code"])[:64]
        ward_text = _cell(raw, cols["ward"])
        feeder = _cell(raw, cols["feeder"]).upper()
        trans = _cell(raw, cols["transformer"]).upper()
        reason = _cell(raw, cols["reason"])
        status = fold(_cell(raw, cols["status"]))
        cancel = status in CANCEL_WORDS
        if code:
            if code in seen_codes:
                errors.append(
                    _("Mã lịch %(c)s trùng với dòng %(l)s.") % {"c": code, "l": seen_codes[code]}
                )
            seen_codes[code] = n
        if cancel:
            if not code:
                errors.append(_("Hủy lịch cần mã lịch."))
            elif code not in existing_codes:
                errors.append(_("Không có lịch %(c)s để hủy.") % {"c": code})
            rows.append(Row(n, code, None, "", "", "", None, None, reason[:300], True, errors))
            continue
        if status and not cancel and status not in {"moi", "new", "cap nhat", "update"}:
            errors.append(_("Trạng thái không hợp lệ: %(s)s") % {"s": _cell(raw, cols["status"])})
        ward_id, ward_name, ward_err = wards.find(ward_text)
        if ward_err:
            errors.append(ward_err)
        level, scope_code = "", ""
        if trans:
            if trans in transformers:
                ward_id = ward_id or transformers[trans][1]
            elif trans not in sp_transformers:
                errors.append(_("Không có trạm biến áp %(c)s.") % {"c": trans})
            level, scope_code = Level.TRANSFORMER, trans
        elif feeder:
            if feeder in feeders:
                ward_id = ward_id or feeders[feeder]
            elif feeder not in sp_feeders:
                errors.append(_("Không có tuyến dây %(c)s.") % {"c": feeder})
            level, scope_code = Level.FEEDER, feeder
        elif ward_id:
            level, scope_code = Level.WARD, str(ward_id)
        elif not ward_err:
            errors.append(_("Thiếu khu vực (phường/xã, tuyến dây hoặc trạm)."))
        start = _parse_dt(_raw(raw, cols["start"]))
        end = _parse_dt(_raw(raw, cols["end"]))
        if start is None:
            errors.append(_("Thời gian bắt đầu không hợp lệ (dd/mm/yyyy HH:MM)."))
        if end is None:
            errors.append(_("Thời gian kết thúc không hợp lệ (dd/mm/yyyy HH:MM)."))
        if start and end:
            if end <= start:
                errors.append(_("Kết thúc phải sau bắt đầu."))
            elif end - start > MAX_DURATION:
                errors.append(_("Thời gian ngừng cấp điện quá dài (tối đa 3 ngày)."))
            if start <= now:
                errors.append(_("Thời gian bắt đầu đã qua."))
        if not reason:
            errors.append(_("Thiếu lý do."))
        elif len(reason) > 300:
            errors.append(_("Lý do quá dài (tối đa 300 ký tự)."))
        label = ward_name or scope_code
        if ward_name and scope_code and level != Level.WARD:
            label = f"{ward_name} ({scope_code})"
        rows.append(
            Row(n, code, ward_id, label, level, scope_code, start, end, reason, False, errors)
        )
    bad = [{"row": r.line, "errors": [str(e) for e in r.errors]} for r in rows if r.errors]
    if bad:
        raise ImportRejected(bad, len(rows))
    return rows
