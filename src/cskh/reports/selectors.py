"""Reads of the reports app: the standard reports (over the rollup tables only, never a
scan of cases or calls), the wallboard's live figures, and the case list for export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cskh.cases import selectors as case_selectors
from cskh.cases.models import Case, Channel, Interaction
from cskh.catalog.models import CaseType
from cskh.conversations import selectors as conv_selectors
from cskh.conversations.models import Conversation
from cskh.core.exports import Column
from cskh.cx import selectors as cx_selectors
from cskh.incidents import selectors as incident_selectors
from cskh.org.models import Unit, User
from cskh.org.selectors import visible_unit_ids
from cskh.reports.models import CallInterval, CaseDay, CaseHour, CaseMonth
from cskh.sla import selectors as sla_selectors
from cskh.telephony import selectors as tel_selectors
from cskh.telephony.models import Presence

# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    unit_id: int | None = None
    team_id: int | None = None
    channel: str | None = None
    case_type_id: int | None = None
    unit_ids: frozenset[int] | None = None  # visibility: None = every unit

    def as_params(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "unit": self.unit_id,
            "team": self.team_id,
            "channel": self.channel,
            "type": self.case_type_id,
        }


def filters_for(
    user: User,
    *,
    start: date | None = None,
    end: date | None = None,
    unit_id: int | None = None,
    team_id: int | None = None,
    channel: str | None = None,
    case_type_id: int | None = None,
) -> Filters:
    """Filters with the user's unit visibility; defaults: the last 30 days."""
    end = end or timezone.localdate()
    start = start or end - timedelta(days=29)
    if start > end:
        start, end = end, start
    units = visible_unit_ids(user)
    return Filters(
        start=start,
        end=end,
        unit_id=unit_id,
        team_id=team_id,
        channel=channel or None,
        case_type_id=case_type_id,
        unit_ids=frozenset(units) if units is not None else None,
    )


def _hours(f: Filters) -> QuerySet[CaseHour]:
    """The hour-of-day table: channel filter only (unit and type are CaseDay's)."""
    qs = CaseHour.objects.filter(day__gte=f.start, day__lte=f.end)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    return qs


def _dims(qs: QuerySet[Any], f: Filters) -> QuerySet[Any]:
    if f.unit_ids is not None:
        qs = qs.filter(unit_id__in=f.unit_ids)
    if f.unit_id:
        qs = qs.filter(unit_id=f.unit_id)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.case_type_id:
        qs = qs.filter(case_type_id=f.case_type_id)
    return qs


def _cases(f: Filters, start: date | None = None, end: date | None = None) -> QuerySet[CaseDay]:
    qs = _dims(CaseDay.objects.filter(day__gte=start or f.start, day__lte=end or f.end), f)
    if f.team_id:
        qs = qs.filter(team_id=f.team_id)
    return qs


def _split(
    f: Filters, *, months_before: date | None = None
) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """Day ranges to read from CaseDay and the [first, last) whole months to read from
    CaseMonth (none with a team filter: the month table has no team)."""
    if f.team_id:
        return [(f.start, f.end)], None
    m0 = f.start if f.start.day == 1 else (f.start + timedelta(days=32)).replace(day=1)
    m1 = (f.end + timedelta(days=1)).replace(day=1)
    if months_before is not None:
        m1 = min(m1, months_before.replace(day=1))
    if m0 >= m1:
        return [(f.start, f.end)], None
    return [(f.start, m0 - timedelta(days=1)), (m1, f.end)], (m0, m1)


def _sum(
    f: Filters, group: list[str], measures: list[str], *, months_before: date | None = None
) -> dict[tuple[Any, ...], list[float]]:
    """Sums of `measures` by `group` over the range: whole months from CaseMonth, the edges
    from CaseDay (a year reads ~12 months of month rows plus at most ~60 days of day rows)."""
    totals: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0] * len(measures))
    day_ranges, month_range = _split(f, months_before=months_before)
    parts: list[QuerySet[Any]] = [_cases(f, a, b) for a, b in day_ranges if a <= b]
    if month_range is not None:
        parts.append(
            _dims(CaseMonth.objects.filter(month__gte=month_range[0], month__lt=month_range[1]), f)
        )
    for qs in parts:
        grouped = qs.values_list(*group).annotate(*[Sum(m) for m in measures]).order_by()
        for row in grouped:
            acc = totals[tuple(row[: len(group)])]
            for i, v in enumerate(row[len(group) :]):
                acc[i] += v or 0
    return totals


def _calls(f: Filters) -> QuerySet[CallInterval]:
    qs = CallInterval.objects.filter(day__gte=f.start, day__lte=f.end)
    if f.unit_ids is not None:
        qs = qs.filter(Q(unit_id__in=f.unit_ids) | Q(team_id__in=f.unit_ids))
    if f.unit_id:
        qs = qs.filter(Q(unit_id=f.unit_id) | Q(team_id=f.unit_id))
    if f.team_id:
        qs = qs.filter(team_id=f.team_id)
    return qs


# --------------------------------------------------------------------------- labels


def unit_names() -> dict[int, str]:
    return dict(Unit.objects.values_list("id", "name"))


def type_names() -> dict[int, str]:
    return dict(CaseType.objects.values_list("id", "name"))


def channel_names() -> dict[str, str]:
    return {k: str(v) for k, v in Channel.choices}


def filter_choices(user: User) -> dict[str, Any]:
    units = Unit.objects.filter(is_active=True).order_by("code")
    visible = visible_unit_ids(user)
    if visible is not None:
        units = units.filter(id__in=visible)
    return {
        "units": [(u.pk, u.name) for u in units if u.kind != Unit.Kind.TEAM],
        "teams": [(u.pk, u.name) for u in units if u.kind in (Unit.Kind.TEAM, Unit.Kind.CENTER)],
        "channels": Channel.choices,
        "types": list(CaseType.objects.order_by("name").values_list("id", "name")),
    }


def _pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


# --------------------------------------------------------------------------- reports


@dataclass
class Report:
    code: str
    title: str | Promise
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: str = "bar"  # bar | line
    x: str = "label"
    y: str = "value"
    unit: str = ""
    note: str | Promise = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _contacts(f: Filters, by: str) -> Report:
    if by == "hour":
        per_hour: dict[int, int] = {}
        if f.unit_ids is None:  # the hour table has no unit: not shown to unit staff
            per_hour = dict(
                _hours(f).values_list("hour").annotate(n=Sum("opened")).order_by("hour")
            )
        rows = [{"label": f"{h:02d}:00", "value": per_hour.get(h, 0)} for h in range(24)]
        title = _("Liên hệ theo giờ trong ngày")
        head = _("Giờ")
    elif by == "day":
        rows = [
            {"label": d, "value": n}
            for d, n in _cases(f).values_list("day").annotate(n=Sum("opened")).order_by("day")
        ]
        title, head = _("Liên hệ theo ngày"), _("Ngày")
        return Report(
            "contacts_day",
            title,
            [Column("label", head, "date"), Column("value", _("Số liên hệ"))],
            rows,
            chart="line",
        )
    else:
        key = "channel" if by == "channel" else "case_type_id"
        names: dict[Any, str] = channel_names() if by == "channel" else dict(type_names())
        sums = _sum(f, [key], ["opened"])
        grouped = sorted(((k[0], int(v[0])) for k, v in sums.items()), key=lambda kv: -kv[1])
        rows = [{"label": names.get(k, str(k) or "—"), "value": n} for k, n in grouped]
        title = _("Liên hệ theo kênh") if by == "channel" else _("Liên hệ theo loại yêu cầu")
        head = _("Kênh") if by == "channel" else _("Loại yêu cầu")
    return Report(
        f"contacts_{by}",
        title,
        [Column("label", head, "text"), Column("value", _("Số liên hệ"))],
        rows,
        note=_("Theo giờ: toàn trung tâm, chỉ lọc theo kênh.") if by == "hour" else "",
    )


def _per_day_ratio(
    f: Filters, code: str, title: Any, part: str, part_label: Any, value_label: Any
) -> Report:
    grouped = _cases(f).values_list("day").annotate(n=Sum("opened"), p=Sum(part)).order_by("day")
    rows = [{"label": d, "total": n, "part": p, "value": _pct(p, n)} for d, n, p in grouped]
    return Report(
        code,
        title,
        [
            Column("label", _("Ngày"), "date"),
            Column("total", _("Số yêu cầu")),
            Column("part", part_label),
            Column("value", value_label, "pct"),
        ],
        rows,
        chart="line",
        unit="%",
    )


def _aht(f: Filters) -> Report:
    grouped = (
        _calls(f)
        .values_list("day")
        .annotate(n=Sum("answered"), t=Sum("talk_seconds"), w=Sum("wrap_seconds"))
        .order_by("day")
    )
    rows = [
        {
            "label": d,
            "answered": n,
            "talk": round(t / n) if n else None,
            "wrap": round(w / n) if n else None,
            "value": round((t + w) / n) if n else None,
        }
        for d, n, t, w in grouped
    ]
    return Report(
        "aht",
        _("Thời gian xử lý trung bình (AHT)"),
        [
            Column("label", _("Ngày"), "date"),
            Column("answered", _("Cuộc gọi trả lời")),
            Column("talk", _("Đàm thoại TB (giây)")),
            Column("wrap", _("Sau cuộc gọi TB (giây)")),
            Column("value", _("AHT (giây)")),
        ],
        rows,
        chart="line",
        unit="s",
        note=_("Cuộc gọi vào; bộ lọc kênh và loại yêu cầu không áp dụng."),
    )


def _service_level(f: Filters) -> Report:
    grouped = (
        _calls(f)
        .values_list("hour")
        .annotate(o=Sum("offered"), a=Sum("answered"), s=Sum("answered_in_sl"), ab=Sum("abandoned"))
        .order_by("hour")
    )
    by_hour = {h: (o, a, s, ab) for h, o, a, s, ab in grouped}
    rows = []
    for h in range(24):
        o, a, s, ab = by_hour.get(h, (0, 0, 0, 0))
        if not o:
            continue
        rows.append(
            {
                "label": f"{h:02d}:00",
                "offered": o,
                "answered": a,
                "in_sl": s,
                "value": _pct(s, o),
                "abandoned": ab,
                "abandon_rate": _pct(ab, o),
            }
        )
    sl = getattr(settings, "CSKH_REPORTS_SL_SECONDS", 20)
    return Report(
        "service_level",
        _("Mức phục vụ và tỷ lệ bỏ cuộc theo khung giờ"),
        [
            Column("label", _("Khung giờ"), "text"),
            Column("offered", _("Cuộc gọi đến")),
            Column("answered", _("Đã trả lời")),
            Column("in_sl", _("Trả lời trong ngưỡng")),
            Column("value", _("Mức phục vụ (%)"), "pct"),
            Column("abandoned", _("Bỏ cuộc")),
            Column("abandon_rate", _("Tỷ lệ bỏ cuộc (%)"), "pct"),
        ],
        rows,
        unit="%",
        note=_("Mức phục vụ: trả lời trong %(s)s giây.") % {"s": sl},
    )


def _sla(f: Filters) -> Report:
    units, types = unit_names(), type_names()
    sums = _sum(f, ["unit_id", "case_type_id"], ["sla_met", "sla_breached"])
    grouped = [(k[0], k[1], int(v[0]), int(v[1])) for k, v in sorted(sums.items())]
    rows = [
        {
            "label": f"{units.get(u, '—')} · {types.get(t, '—')}",
            "unit": units.get(u, "—"),
            "type": types.get(t, "—"),
            "met": m,
            "breached": b,
            "value": _pct(m, m + b),
        }
        for u, t, m, b in grouped
        if m or b
    ]
    rows.sort(key=lambda r: (r["value"] is None, r["value"] or 0))
    return Report(
        "sla",
        _("Tỷ lệ đạt SLA theo đơn vị và loại yêu cầu"),
        [
            Column("unit", _("Đơn vị"), "text"),
            Column("type", _("Loại yêu cầu"), "text"),
            Column("met", _("Đúng hạn")),
            Column("breached", _("Trễ hạn")),
            Column("value", _("Tỷ lệ đạt (%)"), "pct"),
        ],
        rows,
        unit="%",
    )


AGE_BUCKETS: list[tuple[int, int | None, Any]] = [
    (0, 1, _("Dưới 1 ngày")),
    (1, 3, _("1–3 ngày")),
    (3, 7, _("3–7 ngày")),
    (7, 30, _("7–30 ngày")),
    (30, None, _("Trên 30 ngày")),
]


def _backlog(f: Filters) -> Report:
    """Open cases today by age. Ages are as of today whatever the range: the range only
    bounds the opening day (a long range shows the old backlog)."""
    today = timezone.localdate()
    # months ending more than 30 days ago are all in the last bucket: read them by month
    old = today - timedelta(days=AGE_BUCKETS[-1][0])
    per_day: dict[date, int] = {}
    totals = [0] * len(AGE_BUCKETS)
    day_ranges, month_range = _split(f, months_before=old)
    for a, b in day_ranges:
        if a <= b:
            for d, n in _cases(f, a, b).values_list("day").annotate(n=Sum("open_now")).order_by():
                per_day[d] = per_day.get(d, 0) + (n or 0)
    if month_range is not None:
        totals[-1] += (
            _dims(
                CaseMonth.objects.filter(month__gte=month_range[0], month__lt=month_range[1]), f
            ).aggregate(n=Sum("open_now"))["n"]
            or 0
        )
    for d, n in per_day.items():
        age = (today - d).days
        for i, (lo, hi, _label) in enumerate(AGE_BUCKETS):
            if age >= lo and (hi is None or age < hi):
                totals[i] += n or 0
                break
    rows = [{"label": str(b[2]), "value": totals[i]} for i, b in enumerate(AGE_BUCKETS)]
    return Report(
        "backlog",
        _("Tồn đọng theo tuổi"),
        [Column("label", _("Tuổi"), "text"), Column("value", _("Yêu cầu đang mở"))],
        rows,
    )


def _incidents(user: User, f: Filters) -> Report:
    start = timezone.make_aware(datetime.combine(f.start, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(f.end + timedelta(days=1), datetime.min.time()))
    now = timezone.now()
    qs = (
        incident_selectors.visible_incidents(user)
        .filter(started_at__lt=end, merged_into__isnull=True)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
        .annotate(linked=Count("links"))
        .order_by("-started_at")[:500]
    )
    rows: list[dict[str, Any]] = []
    for inc in qs:
        stop = inc.resolved_at or min(now, inc.ends_at or now)
        minutes = max(0, round((stop - inc.started_at).total_seconds() / 60))
        customers = max(inc.notify_total, inc.linked)
        rows.append(
            {
                "label": inc.title,
                "started": timezone.localtime(inc.started_at).replace(tzinfo=None),
                "minutes": minutes,
                "customers": customers,
                "value": customers * minutes,
            }
        )
    rows.sort(key=lambda r: -r["value"])
    return Report(
        "incidents",
        _("Ảnh hưởng của sự cố (khách hàng × phút)"),
        [
            Column("label", _("Sự cố"), "text"),
            Column("started", _("Bắt đầu"), "date"),
            Column("minutes", _("Thời lượng (phút)")),
            Column("customers", _("Khách hàng bị ảnh hưởng")),
            Column("value", _("Khách hàng × phút")),
        ],
        rows,
    )


def _satisfaction(f: Filters) -> Report:
    items = cx_selectors.results(kind="csat", group_by="month", start=f.start, end=f.end)
    rows = [
        {
            "label": it["label"],
            "responses": it["responses"],
            "value": it["score"],
            "ci": f"{it['ci_low']} – {it['ci_high']}",
        }
        for it in items
    ]
    return Report(
        "satisfaction",
        _("Mức hài lòng (CSAT) theo tháng"),
        [
            Column("label", _("Tháng"), "text"),
            Column("responses", _("Số trả lời")),
            Column("value", _("CSAT (%)"), "pct"),
            Column("ci", _("Khoảng tin cậy 95%"), "text"),
        ],
        rows,
        chart="line",
        unit="%",
        note=_("Từ bảng tổng hợp khảo sát của CX; bộ lọc đơn vị/kênh không áp dụng."),
    )


REPORTS: dict[str, tuple[Any, Callable[[User, Filters], Report]]] = {
    "contacts_channel": (_("Liên hệ theo kênh"), lambda u, f: _contacts(f, "channel")),
    "contacts_type": (_("Liên hệ theo loại yêu cầu"), lambda u, f: _contacts(f, "type")),
    "contacts_hour": (_("Liên hệ theo giờ"), lambda u, f: _contacts(f, "hour")),
    "contacts_day": (_("Liên hệ theo ngày"), lambda u, f: _contacts(f, "day")),
    "fcr": (
        _("Giải quyết ngay lần đầu (FCR)"),
        lambda u, f: _per_day_ratio(
            f,
            "fcr",
            _("Giải quyết ngay lần đầu (FCR)"),
            "first_contact",
            _("Giải quyết ngay"),
            _("FCR (%)"),
        ),
    ),
    "aht": (_("Thời gian xử lý trung bình (AHT)"), lambda u, f: _aht(f)),
    "service_level": (_("Mức phục vụ và bỏ cuộc"), lambda u, f: _service_level(f)),
    "sla": (_("Tỷ lệ đạt SLA"), lambda u, f: _sla(f)),
    "backlog": (_("Tồn đọng theo tuổi"), lambda u, f: _backlog(f)),
    "repeat": (
        _("Liên hệ lặp lại trong 7 ngày"),
        lambda u, f: _per_day_ratio(
            f,
            "repeat",
            _("Liên hệ lặp lại trong 7 ngày"),
            "repeat_7d",
            _("Lặp lại"),
            _("Tỷ lệ lặp lại (%)"),
        ),
    ),
    "incidents": (_("Ảnh hưởng của sự cố"), _incidents),
    "satisfaction": (_("Mức hài lòng (CSAT)"), lambda u, f: _satisfaction(f)),
}


def report(code: str, *, user: User, filters: Filters) -> Report:
    """One standard report (KeyError for an unknown code: the view answers 404)."""
    _title, fn = REPORTS[code]
    return fn(user, filters)


# --------------------------------------------------------------------------- case list


CASE_COLUMNS: list[Column] = [
    Column("number", _("Số yêu cầu"), "text"),
    Column("created_at", _("Tạo lúc"), "date"),
    Column("channel", _("Kênh"), "text"),
    Column("case_type", _("Loại yêu cầu"), "text"),
    Column("unit", _("Đơn vị"), "text"),
    Column("status", _("Trạng thái"), "text"),
    Column("subject", _("Tiêu đề"), "text"),
    Column("customer", _("Khách hàng"), "text"),
    Column("due_at", _("Hạn giải quyết"), "date"),
    Column("resolved_at", _("Giải quyết lúc"), "date"),
]


def case_list(user: User, f: Filters) -> QuerySet[Case]:
    """The cases behind the reports, for export: the user's units only, opened in range."""
    qs = case_selectors.visible_cases(user)
    start = timezone.make_aware(datetime.combine(f.start, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(f.end + timedelta(days=1), datetime.min.time()))
    qs = qs.filter(created_at__gte=start, created_at__lt=end)
    if f.unit_ids is not None:
        qs = qs.filter(unit_id__in=f.unit_ids)
    if f.unit_id:
        qs = qs.filter(unit_id=f.unit_id)
    if f.team_id:
        qs = qs.filter(assigned_agent__unit_id=f.team_id)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.case_type_id:
        qs = qs.filter(case_type_id=f.case_type_id)
    return qs.order_by("created_at", "id")


def case_rows(qs: QuerySet[Case]) -> Iterator[dict[str, Any]]:
    units, types, channels = unit_names(), type_names(), channel_names()
    values = qs.values_list(
        "number",
        "created_at",
        "channel",
        "case_type_id",
        "unit_id",
        "status",
        "subject",
        "customer__full_name",
        "due_at",
        "resolved_at",
    )
    for num, created, ch, ct, unit, status, subject, cust, due, resolved in values.iterator(
        chunk_size=2000
    ):
        yield {
            "number": num,
            "created_at": created,
            "channel": channels.get(ch, ch),
            "case_type": types.get(ct or 0, ""),
            "unit": units.get(unit or 0, ""),
            "status": status,
            "subject": subject,
            "customer": cust or "",
            "due_at": due,
            "resolved_at": resolved,
        }


# --------------------------------------------------------------------------- wallboard


def thresholds() -> dict[str, tuple[float, float]]:
    """(warn, alert) per tile, from settings.CSKH_WALLBOARD_THRESHOLDS."""
    return {k: (float(v[0]), float(v[1])) for k, v in settings.CSKH_WALLBOARD_THRESHOLDS.items()}


def _level(key: str, value: float | None, *, higher_is_better: bool = False) -> str:
    t = thresholds().get(key)
    if t is None or value is None:
        return "ok"
    warn, alert = t
    if higher_is_better:
        return "alert" if value < alert else "warn" if value < warn else "ok"
    return "alert" if value >= alert else "warn" if value >= warn else "ok"


def wallboard(user: User, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything the wall shows, read now (small indexed queries; no rollup lag)."""
    now = now or timezone.now()
    today0 = timezone.make_aware(
        datetime.combine(timezone.localtime(now).date(), datetime.min.time())
    )
    units = visible_unit_ids(user)
    phone_in = Interaction.objects.filter(channel="phone", direction="in")
    waiting = phone_in.filter(
        state=Interaction.State.RINGING, started_at__gte=now - timedelta(hours=1)
    ).aggregate(n=Count("pk"), oldest=Min("started_at"))
    longest = int((now - waiting["oldest"]).total_seconds()) if waiting["oldest"] else 0
    limit = timedelta(seconds=int(getattr(settings, "CSKH_REPORTS_SL_SECONDS", 20)))
    wait = ExpressionWrapper(F("answered_at") - F("started_at"), output_field=DurationField())
    today = (
        phone_in.filter(started_at__gte=today0, started_at__lte=now)
        .annotate(wait=wait)
        .aggregate(
            offered=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            in_sl=Count("pk", filter=Q(answered_at__isnull=False, wait__lte=limit)),
            abandoned=Count(
                "pk",
                filter=Q(answered_at__isnull=True, state__in=["missed", "ended"]),
            ),
        )
    )
    sl = _pct(today["in_sl"], today["offered"])
    abandon = _pct(today["abandoned"], today["offered"])
    agents = tel_selectors.team_presence(units)
    by_state: dict[str, int] = defaultdict(int)
    for a in agents:
        by_state[a["state"]] += 1
    conv = (
        conv_selectors.visible(user)
        .filter(status=Conversation.Status.OPEN, waiting_on=Conversation.Waiting.US)
        .aggregate(n=Count("pk"), oldest=Min("last_message_at"))
    )
    risk = sla_selectors.risk_counts(unit_ids=units, now=now)
    incidents = [
        {
            "incident": inc,
            "customers": max(inc.notify_total, incident_selectors.case_counts(inc)["linked"]),
        }
        for inc in incident_selectors.live_incidents(now=now, limit=6)
        if units is None or inc.unit_id in units
    ]
    alerts: list[str] = []
    storm = settings.CSKH_WALLBOARD_STORM_WAITING
    if waiting["n"] >= storm:
        alerts.append(
            str(
                _("Bão cuộc gọi: %(n)s cuộc đang chờ (ngưỡng %(t)s).")
                % {"n": waiting["n"], "t": storm}
            )
        )
    for item in incidents:
        alerts.append(str(_("Sự cố đang diễn ra: %(t)s") % {"t": item["incident"].title}))
    if risk["breached"]:
        alerts.append(str(_("%(n)s yêu cầu đã quá hạn SLA.") % {"n": risk["breached"]}))
    states = [
        (s, str(label), by_state.get(s, 0), _level(f"agents_{s}", by_state.get(s, 0)))
        for s, label in Presence.choices
    ]
    return {
        "now": now,
        "tiles": [
            ("waiting", _("Cuộc gọi đang chờ"), waiting["n"], "", _level("waiting", waiting["n"])),
            ("longest", _("Chờ lâu nhất"), longest, "s", _level("longest_wait", longest)),
            (
                "sl",
                _("Mức phục vụ hôm nay"),
                sl if sl is not None else "—",
                "%" if sl is not None else "",
                _level("service_level", sl, higher_is_better=True),
            ),
            (
                "abandon",
                _("Bỏ cuộc hôm nay"),
                abandon if abandon is not None else "—",
                "%" if abandon is not None else "",
                _level("abandon", abandon),
            ),
            (
                "written",
                _("Tin nhắn đang chờ"),
                conv["n"],
                "",
                _level("written_waiting", conv["n"]),
            ),
            ("risk", _("Sắp trễ SLA (75%)"), risk["risk"], "", _level("sla_risk", risk["risk"])),
            (
                "breached",
                _("Đã trễ SLA"),
                risk["breached"],
                "",
                _level("sla_breached", risk["breached"]),
            ),
        ],
        "today": today,
        "states": states,
        "agents": agents,
        "incidents": incidents,
        "alerts": alerts,
    }
