"""The one table of periodic work. `cskh scheduler` runs it; nothing else schedules anything.

Each job names a Django Task (dotted path). When a job is due, the scheduler enqueues its task
and `cskh worker` runs it, so a slow job never delays the others. Every task listed here must
be idempotent: a crash between the lease update and the enqueue skips one run, and the next run
catches up.

Add a job: append a `Job` below (a new name gets its lease row on the next tick), and document
it in README.md ("Periodic jobs"). Schedules:

- `Every(seconds)` — fixed interval on a grid that does not drift; after a pause (no scheduler
  running) the job runs once, not once per missed slot.
- `DailyAt(hour, minute)` — once a day at that local time (settings.TIME_ZONE).

Rollups from later issues go here as further `Job` rows.
"""

from __future__ import annotations

from cskh.scheduler.schedules import DailyAt, Every, Job

JOBS: tuple[Job, ...] = (
    Job(
        name="sla_escalation_scan",
        schedule=Every(60),
        task="cskh.sla.tasks.escalation_scan",
        doc="SLA warnings (75 %), breaches (100 %) and manager escalations (150 %).",
    ),
    Job(
        name="incidents_tick",
        schedule=Every(60),
        task="cskh.incidents.tasks.deliver_planned_notices",
        doc=(
            "Planned outages: notices, change notices, day-before reminders, start/end of the "
            "outage; pending incident cascades; paced notification batches that are due."
        ),
    ),
    Job(
        name="telephony_tick",
        schedule=Every(30),
        task="cskh.telephony.tasks.tick",
        doc=(
            "Close calls the PBX never ended (timeouts in settings), agents leave 'on call'; "
            "after-call work past CSKH_ACW_SECONDS returns agents to 'ready'."
        ),
    ),
    Job(
        name="conversations_webhook_sweep",
        schedule=Every(60),
        task="cskh.conversations.tasks.process_pending_webhooks",
        doc="Webhook deliveries stored but not processed (a lost task): processed now.",
    ),
    Job(
        name="textintel_retrain",
        schedule=DailyAt(2, 30),
        task="cskh.textintel.tasks.retrain",
        doc=(
            "Nightly retraining of the case-type classifier of the active profile; the new "
            "version is activated only if it is not worse."
        ),
    ),
    Job(
        name="wfm_forecast",
        schedule=DailyAt(1, 30),
        task="cskh.wfm.tasks.nightly_forecast",
        doc="Contacts per half-hour for the next 4 weeks, per staffing queue (method by backtest).",
    ),
    Job(
        name="cx_tick",
        schedule=Every(60),
        task="cskh.cx.tasks.tick",
        doc=(
            "Surveys: send the due ones outside quiet hours, one reminder, expire old links; "
            "feed running NPS campaigns (throttled); accrue referral rewards."
        ),
    ),
    Job(
        name="cx_churn_scoring",
        schedule=DailyAt(3, 30),
        task="cskh.cx.tasks.churn_nightly",
        doc="Churn risk of every customer with the active model; queue those at risk.",
    ),
    Job(
        name="reports_refresh",
        schedule=Every(60),
        task="cskh.reports.tasks.refresh",
        doc="Rollups of today and of the days marked dirty by hooks; pushes the wallboard.",
    ),
    Job(
        name="reports_nightly",
        schedule=DailyAt(1, 15),
        task="cskh.reports.tasks.nightly_refresh",
        doc="Rollups of the last CSKH_REPORTS_REFRESH_DAYS days (open cases turn late).",
    ),
    Job(
        name="reports_subscriptions",
        schedule=DailyAt(6, 30),
        task="cskh.reports.tasks.send_subscriptions",
        doc="Scheduled reports by e-mail (XLSX attached): daily ones, weekly ones on Monday.",
    ),
    Job(
        name="privacy_purge",
        schedule=DailyAt(4, 15),
        task="cskh.privacy.tasks.purge",
        doc=(
            "Retention (settings.CSKH_RETENTION_DAYS): recording links, closed conversations, "
            "raw webhooks, finished outbox rows, audit trail and access log past their limit."
        ),
    ),
    Job(
        name="social_tick",
        schedule=Every(60),
        task="cskh.social.tasks.tick",
        doc=(
            "Social listening: poll due RSS/Atom feeds (conditional GET); crisis check of "
            "negative actionable mentions against the 4-week baseline, alerts to leads."
        ),
    ),
    Job(
        name="webhooks_purge",
        schedule=DailyAt(4, 30),
        task="cskh.webhooks.tasks.purge",
        doc="Finished webhook deliveries and their log older than CSKH_WEBHOOKS_RETENTION_DAYS.",
    ),
    Job(
        name="core_idempotency_purge",
        schedule=Every(3600),
        task="cskh.core.tasks.purge_idempotency_keys",
        doc="Forget Idempotency-Key answers older than 24 hours.",
    ),
    Job(
        name="training_reminders",
        schedule=DailyAt(8, 0),
        task="cskh.training.tasks.remind_overdue",
        doc="Mandatory knowledge changes past their due date: remind who has not confirmed.",
    ),
    Job(
        name="portal_codes_purge",
        schedule=DailyAt(4, 15),
        task="cskh.portal.tasks.purge_expired_codes",
        doc="Portal one-time sign-in codes more than a day past their expiry.",
    ),
)
