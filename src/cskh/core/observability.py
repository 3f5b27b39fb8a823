"""Request ids, structured logs, Prometheus metrics, health and readiness.

- ``RequestIdMiddleware``: every request gets an id (the caller's ``X-Request-ID`` when it is a
  sane token, else a new one), echoed in the response header and put on every log record made
  while the request runs (``RequestIdFilter``; ``JsonFormatter`` writes one JSON object per
  line when ``CSKH_LOG_FORMAT=json``). It also times the request per view for
  ``cskh_http_request_duration_seconds``.
- ``/metrics`` (Prometheus text format; ``prometheus-client``): request latency per view,
  outbox depth and lag (read from the database at scrape time), SLA scan duration. Allowed
  for ``CSKH_METRICS_TOKEN`` (``Authorization: Bearer``) or a client address in
  ``CSKH_METRICS_ALLOW_IPS``. With several ``cskh serve`` worker processes, set
  ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode) to add them up.
- ``/healthz``: the process answers (no database). ``/readyz``: the database answers, Redis
  when configured, and the outbox worker's heartbeat is recent (required only with
  ``CSKH_READYZ_REQUIRE_WORKERS``; reported always).
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import REGISTRY, Collector

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

REQUEST_LATENCY = Histogram(
    "cskh_http_request_duration_seconds",
    "Time to answer a request, per view (URL name) and status class",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SLA_SCAN_SECONDS = Histogram(
    "cskh_sla_scan_duration_seconds",
    "Duration of one SLA escalation scan",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unresolved"
        REQUEST_LATENCY.labels(
            view, request.method or "", f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            out["status"] = status
        return json.dumps(out, ensure_ascii=False)


#: Collectors that read state at scrape time (e.g. the outbox's), registered by their apps.
_extra_collectors: list[Collector] = []


def register_collector(collector: Collector) -> None:
    """For an app's ``AppConfig.ready``: a collector that reads the database when scraped."""
    _extra_collectors.append(collector)
    REGISTRY.register(collector)


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.CSKH_METRICS_TOKEN
    if token and request.headers.get("Authorization", "") == f"Bearer {token}":
        return True
    return request.META.get("REMOTE_ADDR", "") in settings.CSKH_METRICS_ALLOW_IPS


@login_not_required
def metrics(request: HttpRequest) -> HttpResponse:
    if not _metrics_allowed(request):
        return HttpResponse(status=404)  # not advertised to strangers
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        for collector in _extra_collectors:
            registry.register(collector)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and serving (no dependency checked: restarting the process would
    not fix a database outage)."""
    return JsonResponse({"status": "ok"})


@login_not_required
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers, Redis answers when configured, and (reported,
    required with CSKH_READYZ_REQUIRE_WORKERS) an outbox worker beat within 60 s."""
    from django.core.cache import cache
    from django.db import connection

    checks: dict[str, str] = {}
    ok = True
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
        ok = False
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc.__class__.__name__}"
            ok = False
    try:
        beat = cache.get("notify:worker:last_beat")
    except Exception:
        beat = None
    if beat is not None and time.time() - float(beat) < 60:
        checks["notify_worker"] = "ok"
    else:
        checks["notify_worker"] = "no heartbeat in 60 s"
        if settings.CSKH_READYZ_REQUIRE_WORKERS:
            ok = False
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )
