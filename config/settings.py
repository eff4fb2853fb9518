"""Groundswell's one settings file.

Every knob is an environment variable with a default that works on a laptop:
SQLite, background jobs run in-process, email printed to the console. Production
sets DATABASE_URL, REDIS_URL (or CELERY_BROKER_URL), EMAIL_URL, SECRET_KEY and
ALLOWED_HOSTS. The README documents every variable in one table.
"""

from pathlib import Path

import environ
import xstatic.pkg.leaflet as xstatic_leaflet

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The default is public: config/wsgi.py and asgi.py refuse to serve with it unless DEBUG.
SECRET_KEY = env.str("SECRET_KEY", default="groundswell-insecure-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The absolute address of the site, used in emails and share links where no
# request is at hand (background jobs, the demo generator).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Groundswell")
# Where a member's "share to Mastodon" link points: Mastodon has no central
# site, so the movement chooses the instance its members mostly use.
MASTODON_SHARE_URL = env.str("MASTODON_SHARE_URL", default="https://mastodon.social/share")
# Two-letter region used to read phone numbers written without a country code.
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="US")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "groundswell.core",
    "groundswell.people",
    "groundswell.accounts",
    "groundswell.activity",
    "groundswell.messaging",
    "groundswell.network",
    "groundswell.events",
    "groundswell.web",
    "groundswell.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "groundswell.web.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite by default; DATABASE_URL=postgres://user@host:5432/name for production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and an in-process job share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# With Redis, sessions live there (no database write per sign-in); otherwise in the database.
SESSION_ENGINE = env.str(
    "SESSION_ENGINE",
    default="django.contrib.sessions.backends.cache" if REDIS_URL else "django.contrib.sessions.backends.db",
)

# --- Background work ---------------------------------------------------------------
# With no broker configured, tasks run in-process at commit time (eager): nothing
# else to start on a laptop. Production points CELERY_BROKER_URL (or REDIS_URL) at
# Redis or RabbitMQ and runs `celery -A config worker`.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="groundswell")
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when the broker is down: fail fast, and the
# outbox sweep (below) sends what could not be queued.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE = {
    "event-reminders": {"task": "groundswell.events.tasks.send_event_reminders", "schedule": 600.0},
    "repeating-event-dates": {
        "task": "groundswell.events.tasks.extend_repeating_events",
        "schedule": 86400.0,
    },
    "requeue-stale-deliveries": {
        "task": "groundswell.messaging.tasks.requeue_stale_deliveries",
        "schedule": 300.0,
    },
}

# --- Email ----------------------------------------------------------------------
# EMAIL_URL: consolemail:// (default), smtp://user:pass@host:25, smtp+tls://…,
# smtp+ssl://…, memorymail://, dummymail://.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Groundswell <hello@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts: passwordless sign-in by an emailed code (django-allauth) --------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_request_login_code"
LOGIN_REDIRECT_URL = "network:hub"
ACCOUNT_LOGOUT_REDIRECT_URL = "web:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = env.int("LOGIN_CODE_TIMEOUT", default=15 * 60)
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "groundswell.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"request_login_code": "groundswell.accounts.forms.RequestLoginCodeForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "

# --- Static files -------------------------------------------------------------------
STATIC_URL = "/static/"
# Leaflet comes from its PyPI package (XStatic-Leaflet), served as our own static files.
STATICFILES_DIRS = [("leaflet", xstatic_leaflet.BASE_DIR)]
# Map tiles are images fetched by visitors' browsers; point this at your own tile server
# if you'd rather not send them to OpenStreetMap's. Empty: no maps, lists only.
MAP_TILES_URL = env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env.str("MAP_TILES_ATTRIBUTION", default="© OpenStreetMap contributors")
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production may choose whitenoise.storage.CompressedManifestStaticFilesStorage
    # (cache-busting names) after `groundswell collectstatic`.
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_BACKEND", default="whitenoise.storage.CompressedStaticFilesStorage")
    },
}
# Serve files straight from the apps when collectstatic has not run (laptop, tests).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -----------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Benchmarks mount a bare baseline view beside the real ones (bench/signup.py).
BENCH_VIEWS = env.bool("GROUNDSWELL_BENCH_VIEWS", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
