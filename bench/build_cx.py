"""Build a CX benchmark database by bulk INSERT … SELECT (generate_series), at the size of
issue #16: 1,000,000 customers, 3,000,000 cases over a year and 1,000,000 answered surveys
(plus unanswered ones), then the rollups (cx.services.rollups.rebuild, the product code).

    createdb -h 127.0.0.1 -U postgres cskh_bench_cx
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cskh_bench_cx .venv/bin/cskh migrate
    .venv/bin/python bench/build_cx.py --database-url postgres://postgres@127.0.0.1:5432/cskh_bench_cx
    .venv/bin/python bench/run.py cx --database-url postgres://postgres@127.0.0.1:5432/cskh_bench_cx

Rows are synthetic but shaped like the demo (agents, teams, offices, channels, case types,
a year of months); only the reference rows (profile, units, agents, case types) are inserted
one by one. `--scale 0.1` builds a tenth of it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _common import django_setup  # noqa: E402

STEPS = []


def step(fn):
    STEPS.append(fn)
    return fn


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    django_setup(args.database_url)
    from django.db import connection

    n_cust = int(1_000_000 * args.scale)
    n_case = int(3_000_000 * args.scale)
    n_ans = int(1_000_000 * args.scale)
    with connection.cursor() as cur:
        for sql, params, label in _statements(n_cust, n_case, n_ans):
            t = time.perf_counter()
            cur.execute(sql, params)
            print(f"{label}: {cur.rowcount:,} rows, {time.perf_counter() - t:.1f} s", flush=True)
    from cskh.cx.services import rollups

    t = time.perf_counter()
    n = rollups.rebuild()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"rollups.rebuild: {n:,} rollup rows, {time.perf_counter() - t:.1f} s", flush=True)


def _statements(n_cust: int, n_case: int, n_ans: int):
    now = "now()"
    yield (
        "INSERT INTO catalog_profile (code, name, is_active) VALUES ('telecom', 'Viễn thông', true)"
        " ON CONFLICT DO NOTHING",
        None,
        "profile",
    )
    yield (
        """INSERT INTO catalog_casetype (code, name, name_folded, description, default_priority,
            handler_unit_kind, groups_incidents, is_complaint, is_active, sort_order, profile_id)
        SELECT 'bench_' || g, 'Loại ' || g, 'loai ' || g, '', 2, 'center', false, g % 7 = 0,
            true, g, (SELECT id FROM catalog_profile WHERE code = 'telecom')
        FROM generate_series(1, 40) g ON CONFLICT DO NOTHING""",
        None,
        "case types",
    )
    yield (
        """INSERT INTO org_unit (code, name, kind, is_default, phone, email, is_active)
        SELECT 'B' || g, 'Đơn vị ' || g, CASE WHEN g <= 20 THEN 'center' ELSE 'office' END,
            false, '', '', true
        FROM generate_series(1, 60) g ON CONFLICT DO NOTHING""",
        None,
        "units (20 teams, 40 offices)",
    )
    yield (
        """INSERT INTO org_user (password, is_superuser, username, first_name, last_name, email,
            is_staff, is_active, date_joined, role, extension, languages, unit_id)
        SELECT '!', false, 'bench' || g, 'TVV', 'Số ' || g, '', false, true, now(), 'agent',
            '', '[]'::jsonb, (SELECT id FROM org_unit WHERE code = 'B' || (1 + g % 20))
        FROM generate_series(1, 400) g ON CONFLICT DO NOTHING""",
        None,
        "agents",
    )
    yield (
        f"""INSERT INTO customers_customer (code, full_name, name_folded, email, zalo_id, segment,
            tags, address, consent_sms, consent_zalo, consent_email, consent_marketing,
            preferred_channel, created_at, updated_at)
        SELECT 'BC' || g, 'Khách ' || g, 'khach ' || g, '', '', 'residential', '[]'::jsonb, '',
            true, false, false, false, 'sms', {now}, {now}
        FROM generate_series(1, {n_cust}) g""",
        None,
        "customers",
    )
    yield (
        """INSERT INTO customers_servicepoint (code, kind, plan, status, address, feeder_code,
            transformer_code, customer_id, start_date)
        SELECT 'SP' || c.id, 'fiber', 'home',
            CASE WHEN hashint4(c.id::int) % 10 = 0 THEN 'terminated' ELSE 'active' END,
            '', '', '', c.id, current_date - (abs(hashint4(c.id::int + 7)) % 2500)
        FROM customers_customer c WHERE c.code LIKE 'BC%'""",
        None,
        "service points",
    )
    yield (
        f"""INSERT INTO cases_case (number, type_confirmed, channel, priority, status, is_open,
            subject, description, resolved_on_first_contact, resolution, sentiment, complaint,
            urgent, reopen_count, created_at, updated_at, resolved_at, due_at, case_type_id,
            customer_id, assigned_agent_id, unit_id)
        SELECT 'BX' || g, true,
            (ARRAY['phone','phone','phone','zalo','web','email','counter'])[1 + g % 7],
            2, 'resolved', false, 'Yêu cầu', '', g % 3 = 0, '', '', g % 11 = 0, false, 0,
            {now} - make_interval(secs => (abs(hashint4(g)) % 31536000)),
            {now},
            {now} - make_interval(secs => (abs(hashint4(g)) % 31536000)) + interval '5 hours',
            {now} - make_interval(secs => (abs(hashint4(g)) % 31536000)) + interval '1 day',
            (SELECT min(id) FROM catalog_casetype) + g % 40,
            (SELECT min(id) FROM customers_customer WHERE code LIKE 'BC%')
                + abs(hashint4(g + 1)) % {n_cust},
            (SELECT min(id) FROM org_user WHERE username LIKE 'bench%') + g % 400,
            (SELECT min(id) FROM org_unit WHERE code LIKE 'B%') + g % 60
        FROM generate_series(1, {n_case}) g""",
        None,
        "cases",
    )
    # one survey per case for the newest cases: 1 in 6 unanswered, the rest answered; 70 %
    # CSAT after the case, 30 % NPS; the office is set for the counter channel
    n_surveys = n_ans * 6 // 5
    yield (
        f"""INSERT INTO cx_survey (kind, touchpoint, source_key, customer_id, case_id, agent_id,
            team_id, unit_id, office_id, channel, case_type_id, status, suppress_reason,
            send_at, sent_at, sent_channel, expires_at, answered_at, score, comment,
            sentiment, topic, created_at)
        SELECT CASE WHEN c.id % 10 < 7 THEN 'csat' ELSE 'nps' END,
            CASE WHEN c.channel = 'counter' THEN 'counter'
                 WHEN c.channel = 'phone' THEN 'hotline' ELSE 'written' END,
            'bench:' || c.id, c.customer_id, c.id, c.assigned_agent_id,
            (SELECT min(id) FROM org_unit WHERE code LIKE 'B%') + c.id % 20, c.unit_id,
            CASE WHEN c.channel = 'counter'
                THEN (SELECT min(id) FROM org_unit WHERE code LIKE 'B%') + 20 + c.id % 40 END,
            c.channel, c.case_type_id,
            CASE WHEN c.id % 6 = 0 THEN 'expired' ELSE 'answered' END, '',
            c.resolved_at, c.resolved_at, 'sms', c.resolved_at + interval '7 days',
            CASE WHEN c.id % 6 <> 0 THEN c.resolved_at + interval '2 hours' END,
            CASE WHEN c.id % 6 = 0 THEN NULL
                 WHEN c.id % 10 < 7 THEN 1 + (c.id * 7919) % 5
                 ELSE (c.id * 7919) % 11 END,
            '', '', '', c.resolved_at
        FROM (SELECT * FROM cases_case WHERE number LIKE 'BX%' ORDER BY id DESC LIMIT {n_surveys}) c
        ON CONFLICT (source_key) DO NOTHING""",
        None,
        "surveys",
    )


if __name__ == "__main__":
    main()
