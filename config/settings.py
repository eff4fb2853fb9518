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
# The default is public: with DEBUG off every process (web, worker, beat, `groundswell`
# commands) refuses to start with it (config/safety.py).
SECRET_KEY = env.str("SECRET_KEY", default="groundswell-insecure-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The absolute address of the site, used in emails and share links where no
# request is at hand (background jobs, the demo generator). Unset, it is the laptop's
# address, which with DEBUG off every process refuses (config/safety.py): a worker
# would otherwise mail out links to 127.0.0.1.
SITE_URL_SET = bool(env.str("SITE_URL", default="").strip())
SITE_URL = (env.str("SITE_URL", default="").strip() or "http://127.0.0.1:8000").rstrip("/")
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
    # htmx, served from this package's static files (no CDN): `{% htmx_script %}`.
    "django_htmx",
    # Before allauth: the first app holding a template wins, and our sign-in pages
    # (web/templates/account/, allauth/layouts/) must replace allauth's own.
    "groundswell.web",
    "allauth",
    "allauth.account",
    "groundswell.core",
    "groundswell.people",
    "groundswell.accounts",
    "groundswell.activity",
    "groundswell.messaging",
    "groundswell.network",
    "groundswell.events",
    "groundswell.advocacy",
    "groundswell.groups",
    "groundswell.conversations",
    "groundswell.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "groundswell.web.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that reads the database (sessions, sign-in, views): a request that
    # lost its database connection is retried once or answered with a 503, never a 500.
    "groundswell.web.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # `request.htmx`: a host's check-in tap answers with the row alone, not the page.
    "django_htmx.middleware.HtmxMiddleware",
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
                "groundswell.web.context_processors.navigation",
                "groundswell.web.context_processors.viewer_time_zone",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite by default; DATABASE_URL=postgres://user@host:5432/name for production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and an in-process job share the file.
    # IMMEDIATE: every atomic block takes the write lock at BEGIN, waiting up to `timeout`
    # for it. A DEFERRED transaction that reads and then writes cannot wait: SQLite fails
    # it at once with "database is locked" when another writer got in between (the busy
    # timeout never applies to that upgrade), which lost 44 of 50 concurrent joins.
    # Measured with tests/test_burst_sqlite.py: with IMMEDIATE, 400 concurrent joins and
    # RSVPs all land in ~8 s, with no retry needed (autocommit writes outside atomic()
    # already wait on the busy timeout, as a fresh statement may).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Nothing on a join's path may need Redis up: this backend answers a miss (and lets
    # rate limits through) while Redis is unreachable, where Django's raises.
    CACHES = {"default": {"BACKEND": "groundswell.core.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in the database, with or without Redis: with sessions in Redis every join
# failed with a 500 while Redis was down (100 of 100 in a fault test); in the database all
# were kept. A cache that fails open cannot hold them either: a logout it failed to record
# would come back with Redis.
# (Django's database sessions, telling an unreachable database from a deleted session.)
SESSION_ENGINE = env.str("SESSION_ENGINE", default="groundswell.web.sessions")

# --- Background work ---------------------------------------------------------------
# With no broker configured, tasks run in-process at commit time (eager): nothing
# else to start on a laptop. Production points CELERY_BROKER_URL (or REDIS_URL) at
# Redis or RabbitMQ and runs `celery -A config worker`.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it has run, not when a worker takes it: a worker killed
# mid-batch leaves its message to be handed to another (tasks are safe to run twice).
CELERY_TASK_ACKS_LATE = True
# ...including when a pool process dies under the worker (OOM, a kill), not only the worker.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time: a message waiting in a busy worker's prefetch is not acknowledged
# either, and would be handed to a second worker when the visibility timeout ran out.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="groundswell")
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis broker: a message taken but not acknowledged within the visibility timeout goes back
# to the queue, so a batch whose worker was killed is picked up by another about two minutes
# later (checked every ten seconds). A batch running longer than that is handed out twice,
# which per-delivery claims make harmless; retries wait at most 30 s (messaging/tasks.py),
# well inside it. Publishing must not hang a web request when the broker is down: fail fast
# (short socket timeouts, one retry), and the outbox sweep sends what could not be queued.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=120),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
CELERY_TASK_PUBLISH_RETRY = False
# The outbox sweep (messaging.services.requeue_stale) runs every minute; a delivery a worker
# took (each is claimed just before its own send) and left "sending" this many seconds is
# taken to be abandoned and sent again. Long past any one send; the tests shorten both.
DELIVERY_SWEEP_EVERY = env.float("DELIVERY_SWEEP_EVERY", default=60.0)
DELIVERY_STUCK_AFTER = env.int("DELIVERY_STUCK_AFTER", default=120)
CELERY_BEAT_SCHEDULE = {
    "event-reminders": {"task": "groundswell.events.tasks.send_event_reminders", "schedule": 600.0},
    "repeating-event-dates": {
        "task": "groundswell.events.tasks.extend_repeating_events",
        "schedule": 86400.0,
    },
    "remove-expired-data-exports": {
        "task": "groundswell.accounts.tasks.remove_expired_data_exports",
        "schedule": 86400.0,
    },
    # Always yesterday's posts: the hour it runs does not matter, and a repeat sends nothing.
    "daily-digests": {
        "task": "groundswell.conversations.notifications.send_daily_digests",
        "schedule": 86400.0,
    },
    "leaderless-groups": {"task": "groundswell.groups.tasks.tell_of_leaderless_groups", "schedule": 86400.0},
    "requeue-stale-deliveries": {
        "task": "groundswell.messaging.tasks.requeue_stale_deliveries",
        "schedule": DELIVERY_SWEEP_EVERY,
    },
}

# --- Email ----------------------------------------------------------------------
# EMAIL_URL: consolemail:// (default), smtp://user:pass@host:25, smtp+tls://…,
# smtp+ssl://…, memorymail://, dummymail://.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Groundswell <hello@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A send that hangs must fail well before the sweep reclaims its delivery (two minutes),
# or the mail would go out twice.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

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
# No passwords: config/urls.py sends allauth's password, signup and address pages to the
# code sign-in. A code takes three wrong tries, then a new one must be asked for.
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# Asking for a code counts against the visitor's IP, the address typed ("key") and, in our
# RequestLoginCodeForm, the account the address leads to (one person may have several).
# Per IP it leaves room for a meeting's worth of people signing in on one wifi network;
# per address, three a minute and ten an hour are more than anyone waiting for an email
# needs, and cap what a stranger can make us send to someone's inbox. The account's limit
# equals the address's, so for any one address it is never the one that bites first and
# cannot tell a prober whether the address has an account.
ACCOUNT_RATE_LIMITS = {
    "request_login_code": "20/m/ip,100/h/ip,3/m/key,10/h/key",
    "request_login_code_account": "3/m/key,10/h/key",
}

# --- Rate limits of our own (groundswell.core.ratelimit) -------------------------------
# "amount/window/per", as allauth writes them; per "ip" (the visitor's address, IPv6 by
# its /64) or "person"; several joined with commas; an empty value turns a scope off.
# Per-IP limits are generous because many people share one address (a venue's wifi, a
# phone network's NAT): they stop a script, not a sign-up table at a rally.
GROUNDSWELL_RATE_LIMITS = {
    # A join emails a welcome to whatever address is typed: one a minute from one IP keeps a
    # busy sign-up table going, and a script gets at most 300 welcome emails out a day.
    "join": env.str("RATE_LIMIT_JOIN", default="60/h/ip,300/d/ip"),
    # A guest RSVP also emails the address typed. A member booking a series' dates one by
    # one does a dozen in a sitting; twenty an hour is past any honest need.
    "rsvp": env.str("RATE_LIMIT_RSVP", default="60/h/ip,300/d/ip,20/h/person"),
    # A new event may go to organizers for review: five a day by one member is a busy host;
    # staff hosting a day of action's events are not limited (the caller skips them).
    "host_event": env.str("RATE_LIMIT_HOST_EVENT", default="20/d/ip,5/d/person"),
    # A host's message goes to everyone coming from the organization's address: three an
    # hour covers a correction to a correction (HOST_MESSAGES_PER_DAY caps the day).
    "member_mail": env.str("RATE_LIMIT_MEMBER_MAIL", default="3/h/person"),
    # Writing to an event's host through its page: a few questions an hour is plenty for a
    # person; per address it stops a script from mailing hosts.
    "contact_host": env.str("RATE_LIMIT_CONTACT_HOST", default="20/h/ip,60/d/ip,5/h/person,20/d/person"),
    # "Who represents me" from a street address asks the geocoder (someone else's service,
    # with its own limits): a household looks up a few addresses, a script many.
    "geocode": env.str("RATE_LIMIT_GEOCODE", default="30/h/ip,200/d/ip,20/h/person"),
    # Signing a petition or logging a call through the public forms: a phone bank's room
    # shares one address; a person signs each petition once and calls a few offices.
    "sign": env.str("RATE_LIMIT_SIGN", default="120/h/ip,600/d/ip,30/h/person"),
    "outreach": env.str("RATE_LIMIT_OUTREACH", default="120/h/ip,600/d/ip,30/h/person"),
    # A member's district pick (each one remembered and logged): a few changes are plenty.
    "pick_district": env.str("RATE_LIMIT_PICK_DISTRICT", default="120/h/ip,20/h/person,60/d/person"),
    # Starting a campaign or petition (a member's go to organizers for review).
    "start_campaign": env.str("RATE_LIMIT_START_CAMPAIGN", default="20/d/ip,5/d/person"),
    # Starting a group (an organizer may have to approve it): a couple a day is plenty.
    "start_group": env.str("RATE_LIMIT_START_GROUP", default="10/d/ip,3/d/person"),
    # Joining or asking to join groups: a member joins a handful; a script joins hundreds.
    "join_group": env.str("RATE_LIMIT_JOIN_GROUP", default="60/h/ip,30/h/person"),
    # A leader's email invitations: a sign-up sheet's worth at a meeting, not a mailing list.
    "group_invite": env.str("RATE_LIMIT_GROUP_INVITE", default="60/h/person,200/d/person"),
    # Posting and replying: a lively thread, not a flood.
    "post": env.str("RATE_LIMIT_POST", default="120/h/ip,30/h/person,200/d/person"),
    # Flags: enough to report a spam wave, not enough to bury a group's moderators.
    "flag": env.str("RATE_LIMIT_FLAG", default="60/h/ip,20/h/person"),
}

# --- Groups and conversations --------------------------------------------------------
# New groups wait for an organizer's approval (off: members start groups freely).
GROUPS_NEED_APPROVAL = env.bool("GROUPS_NEED_APPROVAL", default=False)
# A group with no leader this many days tells its core members and organizers, once.
GROUP_LEADERLESS_DAYS = env.int("GROUP_LEADERLESS_DAYS", default=30)
# Addresses one person may invite to groups in a day (staff too): invitations reach people
# not on our list, so a new account cannot turn them into a mass mailing.
GROUP_INVITES_PER_DAY = env.int("GROUP_INVITES_PER_DAY", default=100)
# A new member's first post waits for a moderator (off by default: let go, moderate after).
HOLD_FIRST_POSTS = env.bool("HOLD_FIRST_POSTS", default=False)
# How long after writing a member may edit their post (minutes); "edited" shows after.
POST_EDIT_MINUTES = env.int("POST_EDIT_MINUTES", default=60)
# "address:port" pairs the link-card fetcher lets through although they are local (its SSRF
# guard refuses private, loopback and link-local addresses): for tests serving their own
# pages only. Never set in production.
LINKCARD_ALLOWED_LOCAL: list[str] = []

# --- Static files -------------------------------------------------------------------
STATIC_URL = "/static/"
# Leaflet comes from its PyPI package (XStatic-Leaflet), served as our own static files.
STATICFILES_DIRS = [("leaflet", xstatic_leaflet.BASE_DIR)]
# Map tiles are images fetched by visitors' browsers; point this at your own tile server
# if you'd rather not send them to OpenStreetMap's. Empty: no maps, lists only.
MAP_TILES_URL = env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
# Where targets' photos may load from (the Content-Security-Policy's img-src): the
# congress-legislators project's photos by default. A photo from another host shows as its
# alternative text until its host is listed here.
PHOTO_HOSTS = env.list("PHOTO_HOSTS", default=["https://theunitedstates.io"])

# "Who represents me" from a street address: a geopy geocoder by name ("nominatim",
# "photon", …), off by default (no network is needed to run Groundswell), with its options
# as JSON (e.g. {"user_agent": "our-movement"}). Needs the optional extra `geocoding`.
GEOCODER = env.str("GEOCODER", default="")
GEOCODER_OPTIONS = env.json("GEOCODER_OPTIONS", default={})
MAP_TILES_ATTRIBUTION = env.str("MAP_TILES_ATTRIBUTION", default="© OpenStreetMap contributors")
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Files the site makes or receives (members' data archives). Never served as static files:
# each is downloaded only through the view that checks who asks. In production point this
# at a private disk or switch STORAGES["default"] to a private bucket.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
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
# BEHIND_TLS_PROXY: one TLS-terminating proxy of ours stands in front of the app and sets
# X-Forwarded-Proto and appends to X-Forwarded-For. Only then are those headers believed.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# allauth's visitor IP (its rate limits): the last X-Forwarded-For entry, the one our proxy
# added; earlier entries are the client's to forge. core.ratelimit.client_ip agrees.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_TLS_PROXY else 0
# Behind TLS, plain HTTP is redirected to HTTPS and browsers are told to come back only
# over HTTPS for a year (HSTS; Django sends it on HTTPS responses only). Covering
# subdomains or joining the browsers' preload list binds every other site on the domain
# too, so that is the operator's choice.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=BEHIND_TLS_PROXY)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 86400 if BEHIND_TLS_PROXY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=BEHIND_TLS_PROXY)
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

# --- Hosts ----------------------------------------------------------------------------
# How many messages a host (not staff) may send to their attendees in a day: member-written
# mail goes out from the organization's address, so it is kept to what a host needs.
HOST_MESSAGES_PER_DAY = env.int("HOST_MESSAGES_PER_DAY", default=5)
