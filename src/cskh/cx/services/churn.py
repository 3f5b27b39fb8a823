"""Churn risk from cskh's own history plus the imported contract/billing attributes:
features, training (`cskh churn train`), scoring every customer with Vietnamese reasons.

Features are aggregates computed in the database (one GROUP BY per source table), so scoring
1,000,000 customers is a few scans plus a vectorised prediction."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cskh.core.errors import DomainError
from cskh.cx.churn_model import ChurnEstimator, cross_validate
from cskh.cx.models import ChurnModel, ChurnScore, ContractAttributes, RetentionEntry, Survey

log = logging.getLogger("cskh.cx.churn")

OUTAGE_TYPES = ("internet_down", "slow_speed", "tv_service", "outage")
BILLING_TYPES = ("billing", "payment")
CONTRACTS = ("month", "one_year", "two_year")


def _days(n: float) -> str:
    return ngettext("%(n)d ngày", "%(n)d ngày", int(n)) % {"n": int(n)}


@dataclass(frozen=True)
class Feature:
    code: str
    # the Vietnamese reason for a customer's value, or None when the value is no reason
    reason: Callable[[float], str | None]


def _count(template: str) -> Callable[[float], str | None]:
    return lambda v: _(template) % {"n": int(v)} if v >= 1 else None


FEATURES: tuple[Feature, ...] = (
    Feature(
        "tenure_months",
        lambda v: _("mới dùng dịch vụ %(n)d tháng") % {"n": int(v)} if v < 12 else None,
    ),
    Feature("active_services", lambda v: _("chỉ còn 1 dịch vụ") if v == 1 else None),
    Feature("cases_90", _count("%(n)d yêu cầu trong 90 ngày")),
    Feature("outage_30", _count("%(n)d lần báo mất mạng trong 30 ngày")),
    Feature("billing_90", _count("%(n)d lần thắc mắc cước trong 90 ngày")),
    Feature("complaints_365", _count("%(n)d khiếu nại trong năm")),
    Feature("repeat_30", _count("gọi lại %(n)d lần về cùng vấn đề trong 30 ngày")),
    Feature("breaches_365", _count("%(n)d yêu cầu bị trễ hạn trong năm")),
    Feature("reopens_365", _count("%(n)d yêu cầu phải mở lại")),
    Feature("cancel_intent_90", lambda v: _("đã nói đến việc hủy hoặc hạ gói") if v >= 1 else None),
    Feature(
        "csat_min", lambda v: _("chấm hài lòng %(n)d/5") % {"n": int(v)} if 0 < v <= 2 else None
    ),
    Feature("csat_low_count", _count("%(n)d lần chấm điểm thấp")),
    Feature("nps_last", lambda v: _("chấm NPS %(n)d/10") % {"n": int(v)} if 0 <= v <= 6 else None),
    Feature("no_survey", lambda v: None),
    Feature("contract_month", lambda v: _("hợp đồng theo tháng") if v else None),
    Feature("contract_two_year", lambda v: None),
    Feature(
        "days_to_contract_end",
        lambda v: _("hợp đồng hết hạn sau %(d)s") % {"d": _days(v)} if 0 <= v <= 60 else None,
    ),
    Feature("monthly_charge", lambda v: None),
    Feature("late_payments_6m", _count("%(n)d lần chậm thanh toán trong 6 tháng")),
    Feature("paperless", lambda v: None),
)
FEATURE_CODES = tuple(f.code for f in FEATURES)
NO_END = 9999.0  # no known contract end


def _aggregate_cases(now: datetime) -> dict[int, dict[str, float]]:
    from cskh.cases.models import Case

    d30, d90, d365 = (now - timedelta(days=n) for n in (30, 90, 365))
    rows = (
        Case.objects.filter(created_at__gte=d365)
        .values("customer_id")
        .annotate(
            cases_90=Count("id", filter=Q(created_at__gte=d90)),
            cases_30=Count("id", filter=Q(created_at__gte=d30)),
            types_30=Count("case_type_id", filter=Q(created_at__gte=d30), distinct=True),
            outage_30=Count("id", filter=Q(created_at__gte=d30, case_type__code__in=OUTAGE_TYPES)),
            billing_90=Count(
                "id", filter=Q(created_at__gte=d90, case_type__code__in=BILLING_TYPES)
            ),
            complaints_365=Count("id", filter=Q(complaint=True) | Q(case_type__is_complaint=True)),
            breaches_365=Count("id", filter=Q(resolved_at__gt=F("due_at"))),
            reopens_365=Sum("reopen_count"),
        )
    )
    out: dict[int, dict[str, float]] = {}
    for row in rows.iterator(chunk_size=20_000):
        r: dict[str, Any] = dict(row)
        cid = int(r.pop("customer_id"))
        r["repeat_30"] = max(0, r.pop("cases_30") - r.pop("types_30"))
        out[cid] = {k: float(v or 0) for k, v in r.items()}
    return out


def _aggregate_surveys(now: datetime) -> dict[int, dict[str, float]]:
    since = now - timedelta(days=365)
    out: dict[int, dict[str, float]] = {}
    csat = (
        Survey.objects.filter(kind="csat", status="answered", answered_at__gte=since)
        .values("customer_id")
        .annotate(m=Min("score"), low=Count("id", filter=Q(score__lte=2)))
    )
    for r in csat.iterator(chunk_size=20_000):
        out[r["customer_id"]] = {"csat_min": float(r["m"]), "csat_low_count": float(r["low"])}
    nps = (
        Survey.objects.filter(kind="nps", status="answered", answered_at__gte=since)
        .values("customer_id")
        .annotate(last=Max("answered_at"))
    )
    last_at = {r["customer_id"]: r["last"] for r in nps.iterator(chunk_size=20_000)}
    if last_at:
        for cid, score, at in (
            Survey.objects.filter(kind="nps", status="answered", answered_at__gte=since)
            .values_list("customer_id", "score", "answered_at")
            .iterator(chunk_size=20_000)
        ):
            if last_at.get(cid) == at:
                out.setdefault(cid, {})["nps_last"] = float(score or 0)
    return out


def _aggregate_services(today: date) -> dict[int, tuple[float, float]]:
    from cskh.customers.models import ServicePoint

    rows = ServicePoint.objects.values("customer_id").annotate(
        first=Min("start_date"), active=Count("id", filter=Q(status="active"))
    )
    out = {}
    for r in rows.iterator(chunk_size=20_000):
        tenure = (today - r["first"]).days / 30.4 if r["first"] else 0.0
        out[r["customer_id"]] = (round(tenure, 1), float(r["active"] or 0))
    return out


def build_matrix(
    now: datetime | None = None, customer_ids: Iterable[int] | None = None
) -> tuple[np.ndarray, np.ndarray, dict[int, bool]]:
    """(customer ids, feature matrix in FEATURE_CODES order, known labels by customer)."""
    from cskh.customers.models import Customer

    now = now or timezone.now()
    today = timezone.localdate(now)
    cases = _aggregate_cases(now)
    answers = _aggregate_surveys(now)
    services = _aggregate_services(today)
    intent = set(
        RetentionEntry.objects.filter(
            reason="cancellation", created_at__gte=now - timedelta(days=90)
        ).values_list("customer_id", flat=True)
    )
    attrs = {
        a[0]: a[1:]
        for a in ContractAttributes.objects.values_list(
            "customer_id",
            "contract_type",
            "contract_end",
            "monthly_charge",
            "late_payments_6m",
            "paperless",
            "churned",
        ).iterator(chunk_size=20_000)
    }
    ids = (
        np.fromiter(customer_ids, dtype=np.int64)
        if customer_ids is not None
        else np.fromiter(
            Customer.objects.order_by("pk")
            .values_list("pk", flat=True)
            .iterator(chunk_size=50_000),
            dtype=np.int64,
        )
    )
    X = np.zeros((len(ids), len(FEATURE_CODES)), dtype=np.float64)
    col = {c: i for i, c in enumerate(FEATURE_CODES)}
    labels: dict[int, bool] = {}
    empty: dict[str, float] = {}
    for row, cid in enumerate(ids.tolist()):
        x = X[row]
        tenure, active = services.get(cid, (0.0, 0.0))
        x[col["tenure_months"]] = tenure
        x[col["active_services"]] = active
        for k, v in cases.get(cid, empty).items():
            x[col[k]] = v
        a = answers.get(cid, empty)
        x[col["csat_min"]] = a.get("csat_min", 0.0)
        x[col["csat_low_count"]] = a.get("csat_low_count", 0.0)
        x[col["nps_last"]] = a.get("nps_last", -1.0)
        x[col["no_survey"]] = float(not a)
        x[col["cancel_intent_90"]] = float(cid in intent)
        at = attrs.get(cid)
        x[col["days_to_contract_end"]] = NO_END
        if at is not None:
            contract, end, charge, late, paperless, churned = at
            x[col["contract_month"]] = float(contract == "month")
            x[col["contract_two_year"]] = float(contract == "two_year")
            if end is not None:
                x[col["days_to_contract_end"]] = max(-1.0, float((end - today).days))
            x[col["monthly_charge"]] = charge
            x[col["late_payments_6m"]] = late
            x[col["paperless"]] = float(paperless)
            if churned is not None:
                labels[cid] = bool(churned)
        if cid not in labels and active == 0 and cid in services:
            labels[cid] = True  # every service terminated
    # the linear part reads "soon" better than a raw count of days
    X[:, col["days_to_contract_end"]] = np.minimum(X[:, col["days_to_contract_end"]], 400.0)
    return ids, X, labels


def reasons_for(x: np.ndarray, contrib: np.ndarray, k: int = 3) -> list[dict[str, Any]]:
    """The top-k features pushing this customer towards churn that have a reason to show."""
    out: list[dict[str, Any]] = []
    for i in np.argsort(-contrib):
        if contrib[i] <= 0 or len(out) >= k:
            break
        text = FEATURES[i].reason(float(x[i]))
        if text:
            out.append(
                {"code": FEATURES[i].code, "text": text, "weight": round(float(contrib[i]), 3)}
            )
    return out


def train(
    *, profile: str, now: datetime | None = None, seed: int = 0, folds: int = 5
) -> ChurnModel:
    """Fit on customers whose outcome is known (imported `churned`, or every service
    terminated); cross-validated metrics are stored with the version."""
    now = now or timezone.now()
    ids, X, labels = build_matrix(now)
    known = np.array([int(c) in labels for c in ids.tolist()])
    y = np.array([labels.get(int(c), False) for c in ids.tolist()], dtype=int)[known]
    Xk = X[known]
    if len(y) < 50 or y.sum() < 10 or (len(y) - y.sum()) < 10:
        raise DomainError(
            _("Chưa đủ dữ liệu để huấn luyện (cần ít nhất 10 khách rời bỏ và 10 ở lại)."),
            code="not_enough_data",
        )
    metrics = cross_validate(Xk, y, folds=min(folds, int(y.sum())), seed=seed)
    model = ChurnEstimator(seed=seed).fit(Xk, y)
    version = (ChurnModel.objects.filter(profile=profile).aggregate(v=Max("version"))["v"] or 0) + 1
    with transaction.atomic():
        ChurnModel.objects.filter(profile=profile, is_active=True).update(is_active=False)
        row = ChurnModel.objects.create(
            profile=profile,
            version=version,
            algorithm="logreg+hgb",
            features=list(FEATURE_CODES),
            metrics={**metrics, "rows": int(len(y)), "churned": int(y.sum())},
            blob=model.dumps(),
            is_active=True,
            created_at=now,
        )
    return row


def active_model(profile: str) -> tuple[ChurnModel, ChurnEstimator]:
    row = ChurnModel.objects.filter(profile=profile, is_active=True).order_by("-version").first()
    if row is None:
        raise DomainError(_("Chưa có mô hình rời bỏ: chạy `cskh churn train`."), code="no_model")
    return row, ChurnEstimator.loads(bytes(row.blob))


def score_all(*, profile: str, now: datetime | None = None, batch: int = 5000) -> int:
    """Score every customer; the table is replaced in one transaction."""
    now = now or timezone.now()
    row, model = active_model(profile)
    ids, X, _labels = build_matrix(now)
    proba = model.predict_proba(X)
    contrib = model.contributions(X)
    with transaction.atomic():
        ChurnScore.objects.all().delete()
        for start in range(0, len(ids), batch):
            stop = start + batch
            ChurnScore.objects.bulk_create(
                [
                    ChurnScore(
                        customer_id=int(cid),
                        score=round(float(p), 4),
                        reasons=reasons_for(X[start + j], contrib[start + j]) if p >= 0.2 else [],
                        model_version=row.version,
                        scored_at=now,
                    )
                    for j, (cid, p) in enumerate(
                        zip(ids[start:stop], proba[start:stop], strict=True)
                    )
                ],
                batch_size=batch,
            )
    return len(ids)


# ----------------------------------------------------------------------------- import

IMPORT_COLUMNS = (
    "customer_code",
    "contract_type",
    "contract_end",
    "monthly_charge",
    "total_charges",
    "payment_method",
    "paperless",
    "late_payments_6m",
    "national_id",
    "churned",
)


def _bool(text: str) -> bool | None:
    t = (text or "").strip().lower()
    if t in ("1", "true", "yes", "co", "có", "x"):
        return True
    if t in ("0", "false", "no", "khong", "không"):
        return False
    return None


def import_contracts(data: bytes, *, now: datetime | None = None) -> dict[str, Any]:
    """CSV (UTF-8, header row, columns IMPORT_COLUMNS; only customer_code required; dates
    YYYY-MM-DD; contract_type month|one_year|two_year). All or nothing: a bad row rejects the
    file with its line number."""
    from cskh.customers.models import Customer
    from cskh.cx.services.referrals import id_hash

    now = now or timezone.now()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(_("Tệp phải là CSV mã hóa UTF-8."), code="encoding") from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "customer_code" not in reader.fieldnames:
        raise DomainError(_("Thiếu cột customer_code."), code="missing_column")
    unknown = set(reader.fieldnames) - set(IMPORT_COLUMNS)
    if unknown:
        raise DomainError(
            _("Cột không hợp lệ: %(c)s") % {"c": ", ".join(sorted(unknown))}, code="bad_column"
        )
    rows = list(reader)
    codes = {r["customer_code"].strip() for r in rows}
    ids = dict(Customer.objects.filter(code__in=codes).values_list("code", "pk"))
    objs = []
    for line, r in enumerate(rows, start=2):
        code = r["customer_code"].strip()
        if code not in ids:
            raise DomainError(_("Dòng %(l)d: không có khách hàng %(c)s.") % {"l": line, "c": code})
        contract = (r.get("contract_type") or "").strip()
        if contract and contract not in CONTRACTS:
            raise DomainError(_("Dòng %(l)d: loại hợp đồng không hợp lệ.") % {"l": line})
        try:
            end = (
                date.fromisoformat(r["contract_end"].strip())
                if r.get("contract_end", "").strip()
                else None
            )
            charge = float(r.get("monthly_charge") or 0)
            total = float(r.get("total_charges") or 0)
            late = int(r.get("late_payments_6m") or 0)
        except ValueError as exc:
            raise DomainError(_("Dòng %(l)d: giá trị không hợp lệ.") % {"l": line}) from exc
        objs.append(
            ContractAttributes(
                customer_id=ids[code],
                contract_type=contract,
                contract_end=end,
                monthly_charge=charge,
                total_charges=total,
                payment_method=(r.get("payment_method") or "").strip()[:24],
                paperless=bool(_bool(r.get("paperless", ""))),
                late_payments_6m=max(0, min(late, 32767)),
                national_id_hash=id_hash(r.get("national_id") or ""),
                churned=_bool(r.get("churned", "")),
                imported_at=now,
            )
        )
    with transaction.atomic():
        ContractAttributes.objects.bulk_create(
            objs,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["customer"],
            update_fields=[
                "contract_type",
                "contract_end",
                "monthly_charge",
                "total_charges",
                "payment_method",
                "paperless",
                "late_payments_6m",
                "national_id_hash",
                "churned",
                "imported_at",
            ],
        )
    return {"rows": len(objs)}
