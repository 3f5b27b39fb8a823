"""Settings come from environment variables with safe defaults (see README)."""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CSKH_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if _env_bool("CSKH_MULTI_HOST"):
        # Every host must sign sessions, CSRF tokens and links with the same key: a per-host
        # generated file would log people out (and break signed links) when the proxy moves
        # them to another host.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "CSKH_MULTI_HOST=1 needs SECRET_KEY in the environment (the same on every host); "
            "refusing to start with a key generated for this host only."
        )
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja serves the API docs (Swagger UI) from its own static files when installed
    # as an app, instead of a CDN: /api/v1/docs works offline.
    "ninja",
    "django_tasks_db",
    "axes",  # login lockout per account (and per IP under credential stuffing)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "cskh.core",
    "cskh.geo",
    "cskh.org",
    "cskh.catalog",
    "cskh.customers",
    "cskh.sla",
    "cskh.cases",
    "cskh.textintel",
    "cskh.search",
    "cskh.telephony",
    "cskh.knowledge",
    "cskh.dispatch",
    "cskh.notify",
    "cskh.incidents",
    "cskh.wfm",
    "cskh.conversations",
    "cskh.qa",
    "cskh.scheduler",
    "cskh.cx",
    "cskh.reports",
    "cskh.privacy",
    "cskh.social",
    "cskh.webhooks",
    "cskh.training",
    "cskh.counters",
    "cskh.portal",
    "cskh.desk",
    "cskh.demo",
    "cskh.api",
]

# Explicit cross-app reactions (see cskh.core.hooks), run in order inside the caller's
# transaction. A hook that needs another's result says so with "after"; a system check fails
# start-up when this order contradicts it.
CSKH_HOOKS: dict[str, list[str | dict]] = {
    "case_opening": ["cskh.sla.services.on_case_opening"],  # sla: due times, before the insert
    "case_opened": [
        "cskh.sla.services.on_case_opened",  # sla: start the clock
        {
            # textintel: sentiment/urgency; raising an urgent case recomputes the SLA clock
            "path": "cskh.textintel.services.on_case_opened",
            "after": ["cskh.sla.services.on_case_opened"],
        },
        {
            # notify: "received" message, which quotes the due time (SLA, urgency)
            "path": "cskh.notify.hooks.case_opened",
            "after": [
                "cskh.sla.services.on_case_opened",
                "cskh.textintel.services.on_case_opened",
            ],
        },
        "cskh.incidents.services.on_case_opened",  # incidents: link to / detect an outage
        # dispatch: field cases (CSKH_DISPATCH_AUTO), dispatched after commit
        "cskh.dispatch.services.on_case_opened",
        "cskh.search.hooks.case_opened",  # search: index the case
        "cskh.cx.services.retention.on_case_opened",  # cx: cancellation → save desk
        "cskh.reports.services.rollups.on_case_changed",  # reports: rollup day, wallboard
        "cskh.webhooks.hooks.on_case_opened",  # webhooks: case.opened to subscribers
    ],
    "case_transitioned": [
        "cskh.sla.services.on_case_transitioned",  # sla: pause / resume / stop
        "cskh.notify.hooks.case_transitioned",  # notify: resolved / needs your information
        "cskh.dispatch.services.on_case_transitioned",  # dispatch: withdraw WO on resolve
        "cskh.search.hooks.case_changed",  # search: resolution text
        "cskh.qa.services.on_case_transitioned",  # qa: count a resolution the check flags
        "cskh.cx.services.surveys.on_case_transitioned",  # cx: CSAT survey after resolution
        "cskh.cx.services.retention.on_case_transitioned",  # cx: cancellation → save desk
        "cskh.reports.services.rollups.on_case_changed",  # reports: rollup day, wallboard
        "cskh.webhooks.hooks.on_case_transitioned",  # webhooks: case.changed
    ],
    # dispatch: a field visit finished (before its case is resolved)
    "work_order_completed": ["cskh.cx.services.surveys.on_work_order_completed"],
    # conversations: a written conversation closed (kwargs conversation_id, customer_id,
    # channel, agent_id)
    "conversation_closed": ["cskh.cx.services.surveys.on_conversation_closed"],
    # conversations: a Messenger webhook delivery with page feed changes (kwargs payload,
    # event_id); social listening stores the posts and comments as mentions
    "facebook_page_feed": ["cskh.social.services.sources.on_facebook_page_feed"],
    # counters: a counter/office visit was served (kwargs visit_id, customer_id, office_id,
    # agent_id, case_type_id); cx sends the counter-touchpoint survey
    "counter_visit_completed": ["cskh.cx.services.surveys.on_counter_visit_completed"],
    "case_replied": [
        "cskh.sla.services.on_case_replied",  # sla: first response
        "cskh.search.hooks.case_changed",  # search: reply text
        "cskh.qa.services.on_case_replied",  # qa: count replies the attitude check flags
    ],
    "case_priority_changed": [
        "cskh.sla.services.on_case_priority_changed",  # sla: new targets
        "cskh.webhooks.hooks.on_case_priority_changed",  # webhooks: case.changed
    ],
    "case_noted": ["cskh.search.hooks.case_changed"],  # internal note added
    "case_assigned": [
        "cskh.search.hooks.case_changed",  # unit may change (access control)
        "cskh.reports.services.rollups.on_case_changed",  # reports: team/unit of the rollup
        "cskh.webhooks.hooks.on_case_assigned",  # webhooks: case.changed
    ],
    "customer_changed": ["cskh.search.hooks.customer_changed"],  # created/updated/phone added
    "article_changed": ["cskh.search.hooks.article_changed"],  # KB version approved/rejected
    "presence_changed": [
        "cskh.wfm.services.adherence.on_presence_changed",  # wfm: adherence log
        "cskh.reports.services.rollups.on_presence_changed",  # reports: wallboard push
    ],
    # telephony: an accepted PBX event (kwargs interaction, event, agent)
    "call_event": ["cskh.reports.services.rollups.on_call_event"],  # reports: rollup, wallboard
    # customers/cases API: customers' personal data read (kwargs user, customer_ids, action,
    # detail); privacy writes the access log as for the desk's card and search
    "customer_read": ["cskh.privacy.services.on_customer_read"],
    # incidents: an incident timeline entry (kwargs incident, kind, data)
    "incident_changed": ["cskh.webhooks.hooks.on_incident_changed"],  # webhooks
    # conversations: a message received or sent (kwargs message, conversation)
    "conversation_message": ["cskh.webhooks.hooks.on_conversation_message"],  # webhooks
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cskh.core.observability.RequestIdMiddleware",
    "cskh.core.middleware.BadInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cskh.core.middleware.LoginRequiredMiddleware",
    "cskh.core.idempotency.IdempotencyMiddleware",
    "cskh.org.middleware.SessionPolicyMiddleware",  # idle/absolute expiry, second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last on purpose: sync-only, so under ASGI Django runs the whole chain synchronously in one
    # thread hand-off per request (cskh.asgi) instead of switching at every middleware.
    "cskh.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "cskh.urls"
WSGI_APPLICATION = "cskh.wsgi.application"
ASGI_APPLICATION = "cskh.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cskh.catalog.context_processors.terms",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'cskh.sqlite3'}"
# `cskh serve` (ASGI) sets 0 and a pool instead: under Django's ASGI handler a connection
# belongs to one request, so persistent connections would pile up until PostgreSQL refuses
# clients; a request borrows from the process's psycopg pool and gives the connection back.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("CSKH_CONN_MAX_AGE", "60"))
    )
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;PRAGMA cache_size=-64000;"
        ),
    }
    _db["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("TEST", {})
    # Behind PgBouncer in transaction mode (docs/deploy.md): no server-side cursors, which
    # `.iterator()` outside a transaction declares WITH HOLD and reads over several.
    _db["DISABLE_SERVER_SIDE_CURSORS"] = _env_bool("CSKH_PGBOUNCER")
    if os.environ.get("CSKH_PG_SERVER_BINDING", "0") == "1":
        _db.setdefault("OPTIONS", {})["server_side_binding"] = True
    if os.environ.get("CSKH_DB_POOL_SIZE"):  # `cskh serve`: one pool a process, CSKH_THREADS + 4
        _db["CONN_MAX_AGE"] = 0
        _db["CONN_HEALTH_CHECKS"] = False
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": int(os.environ["CSKH_DB_POOL_SIZE"]),
            "timeout": 15,
        }

IS_POSTGRES = _db["ENGINE"].startswith("django.db.backends.postgresql")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis keeps one connection pool per process (the stock backend built a
            # client, a pool and a TCP connection per request context under ASGI).
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test workers (pytest-xdist) share one Redis: keep their keys apart.
            # CSKH_CACHE_PREFIX: two installations sharing one Redis keep their keys apart.
            "KEY_PREFIX": os.environ.get("CSKH_CACHE_PREFIX", "cskh")
            + os.environ.get("PYTEST_XDIST_WORKER", ""),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cskh_cache",
        }
    }

TASKS = {
    "default": {
        "BACKEND": os.environ.get("CSKH_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "notify", "scoring"],
    }
}

AUTH_USER_MODEL = "org.User"
# ModelBackend signs people in; RoleBackend gives managers and shift leads their admin
# permissions from the role (org.permissions.can_admin).
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out accounts/addresses on every login path.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend for people: integration accounts (pbx) cannot sign in to the web.
    "cskh.org.backends.PeopleModelBackend",
    "cskh.org.backends.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `cskh serve` collects the static files here when they changed (core/staticfiles.py). One
# directory may serve several installations of the same release: a deployment image built with
# its files collected, or the test run's served installations, which then collect once.
STATIC_ROOT = Path(os.environ.get("CSKH_STATIC_ROOT", VAR_DIR / "static")).resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [SRC_DIR / "static"]
# Models fitted from the shipped data (default case types, sentiment, social listening), kept
# on disk so that each process loads the first one's fit instead of fitting again
# (core/fitted.py).
CSKH_MODEL_CACHE_DIR = Path(os.environ.get("CSKH_MODEL_CACHE_DIR", VAR_DIR / "models")).resolve()
MEDIA_ROOT = Path(os.environ.get("CSKH_MEDIA_ROOT", VAR_DIR / "media")).resolve()
# Uploaded files (work-order photos, attachments, exports) must be one store for all hosts:
# a shared directory (CSKH_MEDIA_ROOT on NFS), or an S3-compatible bucket through
# django-storages (CSKH_MEDIA_BACKEND=storages.backends.s3.S3Storage, CSKH_MEDIA_OPTIONS as
# JSON; docs/deploy.md). Files are served by the app's views (permission checks), never by URL.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "CSKH_MEDIA_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ.get("CSKH_MEDIA_OPTIONS", "") or "{}"),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = DEBUG
# Source maps are fetched only by a browser's developer tools: compressing them (Swagger UI's)
# was over half of the compression work `collectstatic` repeats at every `cskh serve`.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
# one-time messages (a new webhook secret, a customer's name after an action) wait in the
# server-side session, not in Django's default cookie, which is signed but readable
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# TLS behind a proxy: CSKH_TLS=1 turns on everything `check --deploy` asks for; each setting
# can still be given on its own (README, configuration table).
CSKH_TLS = _env_bool("CSKH_TLS")
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", CSKH_TLS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # larger JSON/form bodies: 413
# multipart bodies (work-order photos) up to this size; larger: 413 before the body is read
CSKH_MAX_UPLOAD_BYTES = int(os.environ.get("CSKH_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", CSKH_TLS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if CSKH_TLS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", CSKH_TLS)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", CSKH_TLS)
# The header the TLS proxy sets (and strips from clients): "X-Forwarded-Proto".
_proxy_ssl = os.environ.get("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto" if CSKH_TLS else "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl.upper().replace("-", "_"), "https") if _proxy_ssl else None
)
# /healthz answers the load balancer over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts and styles from this site only, no inline
# script, no eval (HTMX runs with allowEval=false, includeIndicatorStyles=false: base.html),
# no framing. The API docs (Swagger UI) are served from our static files too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sessions: a desk left idle signs out after CSKH_SESSION_IDLE_SECONDS (30 min), and any
# session after CSKH_SESSION_MAX_SECONDS (8 h, a shift) from the sign-in
# (cskh.org.middleware.SessionPolicyMiddleware). 0 turns a limit off.
CSKH_SESSION_IDLE_SECONDS = int(os.environ.get("CSKH_SESSION_IDLE_SECONDS", str(30 * 60)))
CSKH_SESSION_MAX_SECONDS = int(os.environ.get("CSKH_SESSION_MAX_SECONDS", str(8 * 3600)))
SESSION_COOKIE_AGE = CSKH_SESSION_MAX_SECONDS or 14 * 24 * 3600

# Login lockout (django-axes) on every login path (desk login, /admin/login/): an account
# locks after CSKH_LOGIN_FAILURE_LIMIT wrong passwords, for CSKH_LOGIN_COOLOFF_SECONDS, doubled
# at each further lockout (at most 1 h); an address with CSKH_LOGIN_IP_FAILURE_LIMIT failures
# over any accounts (credential stuffing) locks as a whole and is logged as an alert. Client
# addresses: REMOTE_ADDR, which `cskh serve` takes from X-Forwarded-For only when the proxy is
# in FORWARDED_ALLOW_IPS.
AXES_FAILURE_LIMIT = int(os.environ.get("CSKH_LOGIN_FAILURE_LIMIT", "5"))
CSKH_LOGIN_COOLOFF_SECONDS = int(os.environ.get("CSKH_LOGIN_COOLOFF_SECONDS", "60"))
CSKH_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("CSKH_LOGIN_IP_FAILURE_LIMIT", "50"))
AXES_LOCKOUT_PARAMETERS = "cskh.org.login_policy.lockout_parameters"
AXES_COOLOFF_TIME = "cskh.org.login_policy.cool_off"
AXES_LOCKOUT_CALLABLE = "cskh.org.login_policy.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cskh.org.login_policy.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password"]
# Two-factor (django-otp, TOTP): admins and managers must enrol; every other person may.
# CSKH_2FA_ENFORCED=0 turns the requirement off (development only).
CSKH_2FA_ENFORCED = _env_bool("CSKH_2FA_ENFORCED", True)
OTP_TOTP_ISSUER = os.environ.get("CSKH_OTP_ISSUER", "cskh")
# API tokens: a revoked token or deactivated user is refused within this many seconds on every
# process, also after bulk updates that send no signals (one indexed query per token per
# process per period).
CSKH_TOKEN_RECHECK_SECONDS = float(os.environ.get("CSKH_TOKEN_RECHECK_SECONDS", "5"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Rate limits: requests per minute per client (token or IP).
CSKH_RATE_LIMITS = {
    "api": int(os.environ.get("CSKH_RATE_LIMIT_API", "6000")),
    "public": int(os.environ.get("CSKH_RATE_LIMIT_PUBLIC", "60")),
    "login": int(os.environ.get("CSKH_RATE_LIMIT_LOGIN", "20")),
    # provider webhooks (Zalo, Facebook) per sending address: a provider bursts
    "webhook": int(os.environ.get("CSKH_RATE_LIMIT_WEBHOOK", "60000")),
}
# Appointment bookings at transaction offices (/dat-lich/, the portal): per phone a day, per
# client address an hour.
CSKH_COUNTER_BOOKING_LIMITS = {
    "phone_per_day": int(os.environ.get("CSKH_COUNTER_BOOKINGS_PER_PHONE_DAY", "3")),
    "ip_per_hour": int(os.environ.get("CSKH_COUNTER_BOOKINGS_PER_IP_HOUR", "20")),
}
# observability (core/observability.py): /metrics for this token or these addresses
CSKH_METRICS_TOKEN = os.environ.get("CSKH_METRICS_TOKEN", "")
CSKH_METRICS_ALLOW_IPS = [
    ip.strip()
    for ip in os.environ.get("CSKH_METRICS_ALLOW_IPS", "127.0.0.1,::1").split(",")
    if ip.strip()
]
CSKH_READYZ_REQUIRE_WORKERS = _env_bool("CSKH_READYZ_REQUIRE_WORKERS")
CSKH_CASE_NUMBER_PREFIX = os.environ.get("CSKH_CASE_NUMBER_PREFIX", "CS")
CSKH_MAX_TEXT = 20_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "cskh.core.observability.JsonFormatter"},
    },
    "filters": {
        "no_4xx_traceback": {"()": "cskh.core.logs.NoTracebackForClientErrors"},
        "mask_phones": {"()": "cskh.core.logs.MaskPhoneNumbers"},
        "request_id": {"()": "cskh.core.observability.RequestIdFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("CSKH_LOG_FORMAT", "plain"),
            # every record, whichever logger wrote it: phones masked, the request id attached
            "filters": ["mask_phones", "request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # one INFO line per login otherwise
        "django.request": {"filters": ["no_4xx_traceback"]},
    },
}

# notify/dispatch
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cskh <no-reply@cskh.local>")
CSKH_SMTP = {  # the outbox's SMTP server (env EMAIL_HOST / EMAIL_PORT / …)
    "HOST": os.environ.get("EMAIL_HOST", "localhost"),
    "PORT": int(os.environ.get("EMAIL_PORT", "25")),
    "USER": os.environ.get("EMAIL_HOST_USER", ""),
    "PASSWORD": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "USE_TLS": _env_bool("EMAIL_USE_TLS"),
    "USE_SSL": _env_bool("EMAIL_USE_SSL"),
    "TIMEOUT": 30,
}
CSKH_NOTIFY_BACKENDS = {  # "log" (development default), "http" (JSON gateway), "smtp"
    "sms": {
        "BACKEND": os.environ.get("CSKH_SMS_BACKEND", "log"),
        "URL": os.environ.get("CSKH_SMS_GATEWAY_URL", ""),
        "TOKEN": os.environ.get("CSKH_SMS_GATEWAY_TOKEN", ""),
    },
    "zalo": {
        "BACKEND": os.environ.get("CSKH_ZALO_BACKEND", "log"),
        "URL": os.environ.get("CSKH_ZALO_GATEWAY_URL", ""),
        "TOKEN": os.environ.get("CSKH_ZALO_GATEWAY_TOKEN", ""),
    },
    "email": {
        "BACKEND": os.environ.get(
            "CSKH_EMAIL_BACKEND",
            "cskh.conversations.gateways.EmailReplyBackend"
            if os.environ.get("EMAIL_HOST")
            else "log",
        )
    },
    # conversation replies (cskh.conversations.gateways): "log" writes nothing but the outbox row
    "zalo_oa": {
        "BACKEND": os.environ.get("CSKH_ZALO_OA_BACKEND", "log"),
        "URL": os.environ.get("CSKH_ZALO_OA_URL", "https://openapi.zalo.me/v3.0/oa/message/cs"),
        "TOKEN": os.environ.get("CSKH_ZALO_OA_ACCESS_TOKEN", ""),
    },
    "facebook": {
        "BACKEND": os.environ.get("CSKH_FACEBOOK_BACKEND", "log"),
        "URL": os.environ.get("CSKH_FACEBOOK_GRAPH_URL", "https://graph.facebook.com/v21.0"),
        "TOKEN": os.environ.get("CSKH_FACEBOOK_PAGE_TOKEN", ""),
    },
    "webchat": {"BACKEND": "cskh.conversations.gateways.WebChatBackend"},
    # outgoing webhooks (cskh.webhooks): signed POST to each subscription's URL
    "webhook": {"BACKEND": "cskh.webhooks.sender.WebhookBackend"},
}
# `cskh notify_worker` polls the outbox (SKIP LOCKED), so messages need no task each; set this
# for a deployment that runs only `cskh worker`: then every message also gets a Django Task.
CSKH_NOTIFY_ENQUEUE = _env_bool("CSKH_NOTIFY_ENQUEUE", False)
CSKH_NOTIFY_LEASE_SECONDS = float(os.environ.get("CSKH_NOTIFY_LEASE_SECONDS", "15"))
CSKH_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("CSKH_NOTIFY_MAX_ATTEMPTS", "8"))
CSKH_NOTIFY_BACKOFF_BASE_SECONDS = 30  # retry n waits base * 2^(n-1) seconds, at most max
CSKH_NOTIFY_BACKOFF_MAX_SECONDS = 3600
CSKH_NOTIFY_MESSAGE_ID_DOMAIN = os.environ.get("CSKH_NOTIFY_MESSAGE_ID_DOMAIN", "cskh.local")
# On: the outbox worker's bookkeeping commits on PostgreSQL skip the WAL flush
# (synchronous_commit = off). Faster, but a crash of the database server can forget the last
# outcomes and those messages are sent again; so it is an explicit choice, off by default.
CSKH_NOTIFY_ASYNC_COMMIT = _env_bool("CSKH_NOTIFY_ASYNC_COMMIT", False)
# Outgoing webhooks (cskh.webhooks, docs/webhooks.md). Targets must be https and public
# addresses; the two switches below are for development and tests only.
CSKH_WEBHOOKS_ALLOW_HTTP = _env_bool("CSKH_WEBHOOKS_ALLOW_HTTP", False)
CSKH_WEBHOOKS_ALLOW_PRIVATE = _env_bool("CSKH_WEBHOOKS_ALLOW_PRIVATE", False)
CSKH_WEBHOOKS_TIMEOUT = float(os.environ.get("CSKH_WEBHOOKS_TIMEOUT", "10"))
# a subscription is switched off after this many failed attempts in a row (0: never)
CSKH_WEBHOOKS_DISABLE_AFTER = int(os.environ.get("CSKH_WEBHOOKS_DISABLE_AFTER", "20"))
CSKH_WEBHOOKS_SECRET_OVERLAP_HOURS = 24  # the previous secret also signs after a rotation
CSKH_WEBHOOKS_RESPONSE_EXCERPT = 1024  # characters of the receiver's answer kept in the log
CSKH_WEBHOOKS_RETENTION_DAYS = int(os.environ.get("CSKH_WEBHOOKS_RETENTION_DAYS", "30"))
# "off", "field" (every case type handled by a field unit) or type codes, e.g. "hazard,outage"
CSKH_DISPATCH_AUTO = os.environ.get("CSKH_DISPATCH_AUTO", "off")
CSKH_DISPATCH_MAX_UPLOAD = 10 * 1024 * 1024
CSKH_DISPATCH_UPLOAD_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}

# incidents
# Detection thresholds as JSON {"level": {"min_cases": …, "window_minutes": …}}; None = the
# built-in cskh.incidents.rules.DEFAULTS (rows edited in the admin override both).
_incident_rules = os.environ.get("CSKH_INCIDENT_RULES", "").strip()
CSKH_INCIDENT_RULES: dict | None = json.loads(_incident_rules) if _incident_rules else None
# Paced incident broadcasts: messages per second per channel, merged over
# cskh.incidents.services.DEFAULT_NOTIFY_RATES ({"sms": 500, "zalo": 500, "email": 200}).
CSKH_INCIDENT_NOTIFY_RATES: dict[str, float] = {}
# Planned outages starting sooner than this many days after their import/change are flagged
# short-notice (customers must be told in time).
CSKH_PLANNED_NOTICE_DAYS = int(os.environ.get("CSKH_PLANNED_NOTICE_DAYS", "5"))

# telephony: a call the PBX never ends is closed by the `telephony_tick` job (and no
# longer shown as the agent's current call): ringing and never answered after RING seconds,
# answered and never ended after CALL seconds. The timeline says it was closed this way.
CSKH_CALL_RING_TIMEOUT_SECONDS = int(os.environ.get("CSKH_CALL_RING_TIMEOUT_SECONDS", "180"))
CSKH_CALL_TIMEOUT_SECONDS = int(os.environ.get("CSKH_CALL_TIMEOUT_SECONDS", "7200"))

# desk: after-call work (wrap-up) ends by itself after this many seconds, the agent is ready
# again (the telephony_tick job; the desk counts it down). 0 = only by hand.
CSKH_ACW_SECONDS = int(os.environ.get("CSKH_ACW_SECONDS", "90"))
# reports: a call answered within this many seconds counts towards the service level
CSKH_REPORTS_SL_SECONDS = int(os.environ.get("CSKH_REPORTS_SL_SECONDS", "20"))
# reports: days before today recomputed by the nightly rollup refresh (open cases turn late)
CSKH_REPORTS_REFRESH_DAYS = int(os.environ.get("CSKH_REPORTS_REFRESH_DAYS", "35"))
# wallboard tile colours: (warn, alert); service level: below warn/alert (higher is better)
CSKH_WALLBOARD_THRESHOLDS: dict[str, tuple[float, float]] = {
    "waiting": (5, 15),
    "longest_wait": (30, 90),
    "service_level": (80, 60),
    "abandon": (5, 10),
    "written_waiting": (20, 50),
    "sla_risk": (10, 30),
    "sla_breached": (1, 10),
}
# scheduled reports are e-mailed with this Django backend over CSKH_SMTP
CSKH_REPORTS_EMAIL_BACKEND = os.environ.get(
    "CSKH_REPORTS_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
CSKH_WALLBOARD_STORM_WAITING = int(os.environ.get("CSKH_WALLBOARD_STORM_WAITING", "30"))

# telephony: click-to-call through the PBX (cskh.telephony.pbx): "log" (development: logs the
# request) or "http" (POST JSON to URL with a bearer TOKEN). Scheduled callbacks remind their
# agent this many minutes before the time the customer chose.
CSKH_PBX = {
    "BACKEND": os.environ.get("CSKH_PBX_BACKEND", "log"),
    "URL": os.environ.get("CSKH_PBX_ORIGINATE_URL", ""),
    "TOKEN": os.environ.get("CSKH_PBX_TOKEN", ""),
}
CSKH_CALLBACK_REMIND_MINUTES = int(os.environ.get("CSKH_CALLBACK_REMIND_MINUTES", "5"))

# textintel: longer texts are cut before analysis
CSKH_TEXTINTEL_MAX_CHARS = int(os.environ.get("CSKH_TEXTINTEL_MAX_CHARS", "5000"))

# Customer experience (cx): surveys, churn, save desk, referrals
CSKH_CX_PUBLIC_URL = os.environ.get("CSKH_CX_PUBLIC_URL", "http://127.0.0.1:8000")
CSKH_CX_FATIGUE_DAYS = int(os.environ.get("CSKH_CX_FATIGUE_DAYS", "14"))
CSKH_CX_QUIET_HOURS = (21, 8)  # no survey or reminder sent from 21:00 to 08:00 local time
CSKH_CX_SURVEY_DELAY_MINUTES = int(os.environ.get("CSKH_CX_SURVEY_DELAY_MINUTES", "30"))
CSKH_CX_LINK_DAYS = int(os.environ.get("CSKH_CX_LINK_DAYS", "7"))
CSKH_CX_REMINDER_HOURS = int(os.environ.get("CSKH_CX_REMINDER_HOURS", "48"))
CSKH_CX_FOLLOWUP_CASE_TYPE = "cx_followup"
CSKH_CX_AT_RISK_SCORE = float(os.environ.get("CSKH_CX_AT_RISK_SCORE", "0.5"))
CSKH_CX_HOLDOUT_SHARE = float(os.environ.get("CSKH_CX_HOLDOUT_SHARE", "0.1"))
CSKH_CX_REFERRAL_ACTIVE_DAYS = int(os.environ.get("CSKH_CX_REFERRAL_ACTIVE_DAYS", "30"))
CSKH_CX_REFERRAL_MONTHLY_CAP = int(os.environ.get("CSKH_CX_REFERRAL_MONTHLY_CAP", "5"))
CSKH_CX_REFERRAL_REWARD_VND = int(os.environ.get("CSKH_CX_REFERRAL_REWARD_VND", "100000"))
# public research datasets (`cskh churn evaluate`); never used to train shipped models
# (default: ../shared/data beside the checkout)
CSKH_SHARED_DATA = Path(os.environ.get("CSKH_SHARED_DATA", BASE_DIR.parent / "shared" / "data"))

# Social listening (cskh.social): crisis alert threshold, publishing adapter, on-call list
CSKH_SOCIAL_CRISIS_FACTOR = float(os.environ.get("CSKH_SOCIAL_CRISIS_FACTOR", "3"))
CSKH_SOCIAL_CRISIS_MIN = int(os.environ.get("CSKH_SOCIAL_CRISIS_MIN", "10"))
CSKH_SOCIAL_CRISIS_WINDOW_MINUTES = int(os.environ.get("CSKH_SOCIAL_CRISIS_WINDOW_MINUTES", "60"))
# "sms:+84901234567,email:lead@example.vn,zalo:+8490..." (on-call list for crisis alerts)
CSKH_SOCIAL_ONCALL = [
    x.strip() for x in os.environ.get("CSKH_SOCIAL_ONCALL", "").split(",") if x.strip()
]
CSKH_SOCIAL_APPROVAL_REACH = int(os.environ.get("CSKH_SOCIAL_APPROVAL_REACH", "5000"))
CSKH_SOCIAL_DUPLICATE_THRESHOLD = float(os.environ.get("CSKH_SOCIAL_DUPLICATE_THRESHOLD", "0.8"))
CSKH_SOCIAL_PAGE_API = {  # "log" (development) or "http" (Graph API style)
    "BACKEND": os.environ.get("CSKH_SOCIAL_PAGE_BACKEND", "log"),
    "URL": os.environ.get("CSKH_SOCIAL_PAGE_URL", "https://graph.facebook.com/v21.0"),
    "TOKEN": os.environ.get("CSKH_SOCIAL_PAGE_TOKEN", ""),
    "TIMEOUT": float(os.environ.get("CSKH_SOCIAL_PAGE_TIMEOUT", "10")),
}

# `cskh scheduler` (the periodic-job table is cskh.scheduler.jobs): seconds between looks at
# the table; a due job starts at most this late.
CSKH_SCHEDULER_TICK_SECONDS = float(os.environ.get("CSKH_SCHEDULER_TICK_SECONDS", "5"))

# conversations (Zalo OA, Facebook, e-mail, web chat; see cskh.conversations)
CSKH_ZALO_APP_ID = os.environ.get("CSKH_ZALO_APP_ID", "")
CSKH_ZALO_OA_SECRET = os.environ.get("CSKH_ZALO_OA_SECRET", "")
# Zalo lets an OA send free consultation messages only this long after the user's last message;
# afterwards only ZNS templates (the notify "zalo" channel) reach the user.
CSKH_ZALO_CONSULT_WINDOW_HOURS = int(os.environ.get("CSKH_ZALO_CONSULT_WINDOW_HOURS", "48"))
CSKH_FACEBOOK_VERIFY_TOKEN = os.environ.get("CSKH_FACEBOOK_VERIFY_TOKEN", "")
CSKH_FACEBOOK_APP_SECRET = os.environ.get("CSKH_FACEBOOK_APP_SECRET", "")
CSKH_FACEBOOK_REPLY_WINDOW_HOURS = int(os.environ.get("CSKH_FACEBOOK_REPLY_WINDOW_HOURS", "24"))
# above this confidence of the suggested case type a case is opened automatically
CSKH_CONVERSATION_AUTO_CASE_CONFIDENCE = float(
    os.environ.get("CSKH_CONVERSATION_AUTO_CASE_CONFIDENCE", "0.75")
)
CSKH_WEBHOOK_MAX_BYTES = 256 * 1024  # a larger webhook body is refused (413) and not stored
# per channel: business calendar (catalog code), response targets in business minutes,
# whether the Vietnamese auto-reply is sent when a conversation opens
CSKH_CONVERSATION_CHANNELS: dict[str, dict] = {
    "zalo": {"calendar": "office", "first_response": 30, "next_response": 60, "auto_reply": True},
    "facebook": {
        "calendar": "office",
        "first_response": 60,
        "next_response": 120,
        "auto_reply": True,
    },
    "email": {
        "calendar": "office",
        "first_response": 240,
        "next_response": 480,
        "auto_reply": True,
    },
    "webchat": {"calendar": "office", "first_response": 5, "next_response": 10, "auto_reply": True},
}
# inbound mailboxes polled by `cskh mail_poll` (JSON list of {"host", "port", "user",
# "password", "folder", "ssl"}); replies leave through the outbox's "email" channel
_mailboxes = os.environ.get("CSKH_MAILBOXES", "").strip()
CSKH_MAILBOXES: list[dict] = json.loads(_mailboxes) if _mailboxes else []
# our own addresses: mail from them is never answered (loop protection)
CSKH_SUPPORT_EMAIL = os.environ.get("CSKH_SUPPORT_EMAIL", "cskh@cskh.local")
CSKH_MAIL_MAX_PER_SENDER_HOUR = int(os.environ.get("CSKH_MAIL_MAX_PER_SENDER_HOUR", "20"))
CSKH_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
CSKH_ATTACHMENT_TYPES = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/pdf",
    "text/plain",
]
# web chat widget: site keys allowed to open chats ({"key": "site name"})
_chat_sites = os.environ.get("CSKH_CHAT_SITES", "").strip()
CSKH_CHAT_SITES: dict[str, str] = json.loads(_chat_sites) if _chat_sites else {"demo": "cskh"}


# Personal data (cskh.privacy; docs/privacy.md). Law 91/2025/QH15 on personal data protection
# and Decree 356/2025/ND-CP (in force 1 January 2026, replacing Decree 13/2023 and its 72 h):
# deadlines per data-subject request type, in hours (calendar). Withdrawal and restriction:
# 15 days by the decree; access, correction and erasure: see docs/privacy.md (to confirm).
CSKH_PRIVACY_REQUEST_HOURS = {
    "access": 10 * 24,
    "correction": 10 * 24,
    "restriction": 15 * 24,
    "withdrawal": 15 * 24,
    "erasure": 15 * 24,
}
# Without an answer on record, may a message of this purpose be sent? Service messages: the
# contract is the legal basis; surveys: legitimate interest with opt-out (review this before
# production: set False to require an explicit consent); marketing and referrals: opt-in.
CSKH_CONSENT_DEFAULTS = {"service": True, "survey": True, "marketing": False, "referral": False}
# The purpose of each customer message template (anything not listed: "service").
CSKH_NOTIFY_TEMPLATE_PURPOSES = {
    "cx_survey": "survey",
    "cx_survey_reminder": "survey",
    "cx_nps": "survey",
    "cx_nps_reminder": "survey",
    "cx_referral": "referral",
}
# Retention per table, in days (the purge job: privacy_purge, nightly).
CSKH_RETENTION_DAYS = {
    "recording_links": int(os.environ.get("CSKH_RETAIN_RECORDINGS_DAYS", "180")),
    "conversations": int(os.environ.get("CSKH_RETAIN_CONVERSATIONS_DAYS", str(2 * 365))),
    "audit_log": int(os.environ.get("CSKH_RETAIN_AUDIT_DAYS", str(5 * 365))),
    "outbox": int(os.environ.get("CSKH_RETAIN_OUTBOX_DAYS", "365")),
    "access_log": int(os.environ.get("CSKH_RETAIN_ACCESS_LOG_DAYS", str(2 * 365))),
    "webhook_events": int(os.environ.get("CSKH_RETAIN_WEBHOOK_DAYS", "30")),
}
# portal (customer self-service): one-time sign-in codes, sessions, uploads, reopening
CSKH_PORTAL_OTP_MINUTES = int(os.environ.get("CSKH_PORTAL_OTP_MINUTES", "5"))
CSKH_PORTAL_OTP_ATTEMPTS = int(os.environ.get("CSKH_PORTAL_OTP_ATTEMPTS", "5"))
# codes sent per phone / per client address in CSKH_PORTAL_SEND_WINDOW seconds
CSKH_PORTAL_SENDS_PER_PHONE = int(os.environ.get("CSKH_PORTAL_SENDS_PER_PHONE", "3"))
CSKH_PORTAL_SENDS_PER_IP = int(os.environ.get("CSKH_PORTAL_SENDS_PER_IP", "10"))
CSKH_PORTAL_SEND_WINDOW = 900
# code checks per client address in that window (all challenges together)
CSKH_PORTAL_VERIFY_PER_IP = int(os.environ.get("CSKH_PORTAL_VERIFY_PER_IP", "30"))
CSKH_PORTAL_SESSION_HOURS = int(os.environ.get("CSKH_PORTAL_SESSION_HOURS", "12"))
CSKH_PORTAL_REOPEN_DAYS = int(os.environ.get("CSKH_PORTAL_REOPEN_DAYS", "7"))
CSKH_PORTAL_MAX_UPLOAD = int(os.environ.get("CSKH_PORTAL_MAX_UPLOAD", str(5 * 1024 * 1024)))
CSKH_PORTAL_MAX_FILES = 5
# staff shown to customers by their given name ("Lan") instead of "Nhân viên CSKH"
CSKH_PORTAL_STAFF_FIRST_NAME = _env_bool("CSKH_PORTAL_STAFF_FIRST_NAME", False)
# case-number look-ups without signing in, per client address per minute
CSKH_PORTAL_TRACK_PER_MINUTE = int(os.environ.get("CSKH_PORTAL_TRACK_PER_MINUTE", "10"))
