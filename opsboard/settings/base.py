"""Settings shared by every environment, read from the environment with typed defaults.

Without any environment the site runs on a SQLite file and a broker folder under
``var/``, so ``make run`` needs no server. Production sets ``DATABASE_URL``,
``CELERY_BROKER_URL`` and ``EMAIL_URL`` (see README.md, Configuration).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("OPSBOARD_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEVELOPMENT_SECRET_KEY = "django-insecure-opsboard-development-only"  # noqa: S105

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
# Fernet keys for the secrets stored in the database (chat webhook addresses and
# signing secrets, opsboard/encryption.py): the first encrypts, all decrypt.
# The development key lets `make run` start with no setup; production refuses it.
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "VsFypZLflJYubbHp4eAxWcOoNE_prDS_Ld1wex1_JkE="
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=[DEVELOPMENT_FIELD_ENCRYPTION_KEY]
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The address people reach the site at; links in emails are built from it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Where the development server records the address it serves at (see development.py).
SITE_URL_FILE = VAR_DIR / "site-url"

INSTALLED_APPS = [
    "opsboard.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    "axes",
    "csp",
    # Accounts: sign-in, password reset and change, two-factor sign-in (opsboard/accounts/adapter.py).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on: the organisations' OpenID Connect providers (opsboard/tenancy/single_sign_on.py).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "opsboard.tenancy",
    "opsboard.notify",
    "opsboard.search",
    "projects",
    "kanban",
    "raci",
    "intake",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, which serves static files precompressed at collectstatic;
    # above everything that writes the body. See opsboard/compression.py.
    "opsboard.compression.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The person with their memberships in one query, before anything asks for request.user.
    "opsboard.tenancy.middleware.MembershipsMiddleware",
    "opsboard.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Where a sign-in stands between its steps (password, then the two-factor code).
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts and stylesheets only from our own
# static files, no inline script and no eval, so injected markup cannot run.
# Style attributes stay allowed: bar widths, label colours and the emails shown
# in the digest preview carry their values in them, and they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        # Swagger UI's and Pico's stylesheets draw their icons from data: URLs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

ROOT_URLCONF = "opsboard.urls"
WSGI_APPLICATION = "opsboard.wsgi.application"
ASGI_APPLICATION = "opsboard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "projects.context_processors.organization",
                "opsboard.notify.context_processors.unread",
            ],
            # |day, |day_weekday, |full_date, |zone, |age, |day_range: every template's.
            "builtins": ["opsboard.dates"],
        },
    },
]

# Databases: no DATABASE_URL means a SQLite file, so the site runs on a bare machine.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'opsboard.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat write to the same file: WAL and
    # immediate transactions keep them from failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A form's model choices are read with QuerySet.iterator(), which on PostgreSQL is a
    # server-side cursor: DECLARE, FETCH and CLOSE, three round trips (and WITH HOLD, a
    # copy of the rows, outside a transaction) for a few dozen options. The board's filter
    # bar reads four such lists on every page; nothing of ours streams a large iterator().
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign-in by email, and the sign-ins of single sign-on (allauth).
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a day, in seconds

# Sign-in throttling: five wrong passwords for one address from one client lock
# that pair out for a quarter of an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"  # the sign-in form field, which holds the email
AXES_USERNAME_CALLABLE = "opsboard.accounts.forms.throttle_key"
AXES_LOCKOUT_CALLABLE = "opsboard.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

# Accounts on django-allauth: sign-in by email and password, no username, and no
# sign-up of one's own (people join through their organisation's invitations).
# The organisation's rule on single sign-on wraps the accounts' adapter (tenancy is above accounts).
ACCOUNT_ADAPTER = "opsboard.tenancy.single_sign_on.SignInAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Invitations prove the address; allauth sends no verification email of its own.
ACCOUNT_EMAIL_VERIFICATION = "none"
# Sessions last as Django's do; the sign-in form asks nothing about it.
ACCOUNT_SESSION_REMEMBER = True
# A reset asked for an unknown address sends nothing, and says the same as for a known one.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL
ACCOUNT_FORMS = {
    "login": "opsboard.accounts.forms.SignInForm",
    "reset_password": "opsboard.accounts.forms.PasswordResetForm",
    "reset_password_from_key": "opsboard.accounts.forms.NewPasswordForm",
    "change_password": "opsboard.accounts.forms.PasswordChangeForm",
    "set_password": "opsboard.accounts.forms.PasswordSetForm",
    "reauthenticate": "opsboard.accounts.forms.ConfirmPasswordForm",
}
# django-axes is the one throttle of wrong passwords (per address and client, above; the
# adapter leaves them to it). allauth's own limits stay on for the rest: wrong two-factor
# codes ("login_failed", per person), password resets, reauthentication.
ACCOUNT_RATE_LIMITS = {"login": None}
# Two-factor sign-in: an authenticator app's codes (TOTP), with recovery codes.
MFA_ADAPTER = "opsboard.accounts.adapter.TwoFactorAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Recovery codes are shown once, when made (with a file to download): after that only a
# new set can be made, as a leaked page must not give them away.
MFA_RECOVERY_CODES_SHOW_ONCE = True
MFA_FORMS = {
    "authenticate": "opsboard.accounts.forms.TwoFactorCodeForm",
    "reauthenticate": "opsboard.accounts.forms.TwoFactorConfirmForm",
    "activate_totp": "opsboard.accounts.forms.TurnOnTwoFactorForm",
    "deactivate_totp": "opsboard.accounts.forms.TurnOffTwoFactorForm",
    "generate_recovery_codes": "opsboard.accounts.forms.NewRecoveryCodesForm",
}
# Single sign-on: each organisation's OpenID Connect providers (tenancy.IdentityProvider)
# and connected apps people may sign in with (notify.ConnectedApp),
# handed to allauth by the adapter; none is configured in settings.
SOCIALACCOUNT_ADAPTER = "opsboard.notify.sign_in.adapter.ChatSignInAdapter"
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {}
# An address the provider vouches for never signs in to the account that has it: the
# person proves the account with its password and links the provider from the profile.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
# The providers' tokens are not kept: Opsboard only needs to know who signed in.
SOCIALACCOUNT_STORE_TOKENS = False

# Invitations stay valid this many days.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers per language (opsboard/formats/<lang>/formats.py), ahead of Django's.
FORMAT_MODULE_PATH = ["opsboard.formats"]
# Only the server reads the language cookie; production adds Secure.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (attachments on cards and comments) go through Django's storage API: a
# folder under MEDIA_ROOT by default, or an S3-compatible bucket when S3_BUCKET is set
# (django-storages, the "s3" extra; README.md, Files). There is no MEDIA_URL on purpose:
# files are served only through the app, to members of their organisation
# (kanban.views.attachment_file), never from a public address.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
if env.str("S3_BUCKET", default=""):
    FILE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("S3_PREFIX", default=""),
            # Private objects, never overwritten, read by the app and streamed to members.
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "addressing_style": env.str("S3_ADDRESSING_STYLE", default="") or None,
        },
    }
else:
    FILE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": FILE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Attachments: the largest file, and all of an organisation's files together (kanban.attachments).
MEGABYTE = 1024 * 1024
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_MB", default=25) * MEGABYTE
ATTACHMENT_QUOTA_BYTES = env.int("ORGANIZATION_FILES_QUOTA_MB", default=1024) * MEGABYTE
# Uploads above this are written to a temporary file as they arrive, not held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * MEGABYTE

# The product's name as emails and chat posts carry it ("[Opsboard] …", 「【Opsboard】…」):
# in a group chat where many bots post, the title says whose message it is.
PRODUCT_NAME = "Opsboard"

# Email: written to files under var/mail by default, SMTP when EMAIL_URL is set
# (smtp://user:password@host:587 or smtp+tls://..., smtp+ssl://...).
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Opsboard <opsboard@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Chat webhooks: seconds to wait for the service, and hosts allowed besides the
# services' own (none in production: an address elsewhere is refused).
CHAT_WEBHOOK_TIMEOUT = env.float("CHAT_WEBHOOK_TIMEOUT", default=10.0)
CHAT_WEBHOOK_EXTRA_HOSTS: list[str] = env.list("CHAT_WEBHOOK_EXTRA_HOSTS", default=[])
# Direct messages through an organisation's connected app (opsboard/notify/direct.py): each
# service's API address (tests point them at loopback) and seconds to wait for an answer.
DIRECT_FEISHU_API = env.str("DIRECT_FEISHU_API", default="https://open.feishu.cn")
DIRECT_DINGTALK_API = env.str("DIRECT_DINGTALK_API", default="https://oapi.dingtalk.com")
DIRECT_WECOM_API = env.str("DIRECT_WECOM_API", default="https://qyapi.weixin.qq.com")
DIRECT_MESSAGE_TIMEOUT = env.float("DIRECT_MESSAGE_TIMEOUT", default=10.0)
# Signing in through a connected app (opsboard.notify.sign_in): the pages the browser is
# sent to and DingTalk's newer API; Feishu's and WeCom's are the addresses above.
SIGN_IN_DINGTALK_LOGIN = env.str("SIGN_IN_DINGTALK_LOGIN", default="https://login.dingtalk.com")
SIGN_IN_DINGTALK_API = env.str("SIGN_IN_DINGTALK_API", default="https://api.dingtalk.com")
SIGN_IN_WECOM_LOGIN = env.str(
    "SIGN_IN_WECOM_LOGIN", default="https://login.work.weixin.qq.com/wwlogin/sso/login"
)

# The cache: Redis at CACHE_URL (production: the API's throttles count there for every web
# process), else each process's own memory.
if CACHE_URL := env.str("CACHE_URL", default=""):
    CACHES = {"default": {"BACKEND": "opsboard.cache.RedisCache", "LOCATION": CACHE_URL}}
else:
    # Room for the tiles of a few big boards in two languages (kanban/tiles.py): the
    # default of 300 entries would drop them before a 500-card board is drawn again.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Sessions read from the cache, written through to the database: every signed-in request,
# and an open board's poll every few seconds, saves a query (a flushed cache costs one).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Celery. No CELERY_BROKER_URL means kombu's filesystem transport in var/broker,
# which a real worker and beat can use with no server running.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "broker-control"),
    }
    for _folder in CELERY_BROKER_TRANSPORT_OPTIONS.values():
        Path(_folder).mkdir(parents=True, exist_ok=True)
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://", "sentinel://")):
    # Redis emulates acknowledgements: a task a worker took and never acknowledged
    # (the worker killed, its machine lost) goes back to the queue once it has been
    # out this long, when a worker starts or at a running worker's check (every
    # ~100 s). Keep it above the longest countdown, retry_backoff_max (1800 s) of
    # deliver_notification, or a waiting retry would run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
# A pending notification this long past its due moment, or taken this long by a
# worker, was lost (its worker died): the sweep enqueues it again. Keep it above
# the longest delivery (EMAIL_TIMEOUT, CHAT_WEBHOOK_TIMEOUT per step).
NOTIFICATION_STALE_AFTER = timedelta(
    seconds=env.int("NOTIFICATION_STALE_AFTER_SECONDS", default=5 * 60)
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into the database schedule when beat starts; ops managers edit them in the admin.
CELERY_BEAT_SCHEDULE = {
    "record-kpis-nightly": {
        "task": "metrics.tasks.record_kpis",
        "schedule": crontab(hour=1, minute=5),
    },
    # Each looks for whoever has reached their hour in their own time zone.
    "send-deadline-reminders": {
        "task": "raci.tasks.send_deadline_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "send-weekly-digests": {
        "task": "metrics.tasks.send_weekly_digests",
        "schedule": crontab(minute="*/15"),
    },
    # The ledger is the truth: pending notifications a dead worker left go out again.
    "requeue-lost-notifications": {
        "task": "opsboard.notify.tasks.requeue_lost_notifications",
        "schedule": crontab(minute="*/2"),
    },
    # Each person's hourly or daily email of the activity on the cards they follow.
    "send-activity-bundles": {
        "task": "kanban.tasks.send_activity_bundles",
        "schedule": crontab(minute="*/15"),
    },
    # Response clocks at 75% of a target, or past it: read off two partial indexes.
    "scan-response-clocks": {
        "task": "intake.tasks.scan_response_clocks",
        "schedule": crontab(minute="*/5"),
    },
    "build-retrospectives-hourly": {
        "task": "metrics.tasks.build_retrospectives",
        "schedule": crontab(minute=20),
    },
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How long /healthz waits for the broker before calling it down.
HEALTHZ_BROKER_TIMEOUT = env.float("HEALTHZ_BROKER_TIMEOUT", default=2.0)

REST_FRAMEWORK = {
    # Token first: DRF answers a request without credentials with the first class's
    # challenge, so it is 401 with "WWW-Authenticate: Token" (a session has no challenge).
    # Keys are stored hashed (opsboard.accounts.models.ApiKey), made on the profile page.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "opsboard.accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "opsboard.api.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Every list a page at a time, {count, next, previous, results} (opsboard.api_lists.ListApi).
    "DEFAULT_PAGINATION_CLASS": "opsboard.api.PagePagination",
    # A board polled every 4 seconds is 15 requests a minute a person; thirty people on one
    # account (a wall screen's token) or behind one address make 450. The throttles count
    # in the default cache: Redis at CACHE_URL, shared by every web process.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="600/minute"),
        "user": env.str("API_THROTTLE_USER", default="600/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Opsboard API",
    "DESCRIPTION": (
        "Organisations, teams, people, projects, SMART goals and check-ins. "
        "Authenticate with a session or with `Authorization: Token <key>` "
        "(create a key on your profile page). Everything is scoped to your organisations. "
        "Lists come a page at a time, `{count, next, previous, results}`: follow `next` "
        "until it is null. Past the request rate the answer is 429, with `Retry-After`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "opsboard.api.document_errors",
    ],
    # The API docs page loads Swagger UI from the vendored copy, never a CDN.
    "SWAGGER_UI_DIST": f"/{STATIC_URL}vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": f"/{STATIC_URL}vendor/swagger-ui/favicon-32x32.png",
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "GoalStatusEnum": "projects.goals.GoalStatus",
        "GoalStateEnum": "projects.models.GoalState",
        "ColumnKindEnum": "kanban.models.ColumnKind",
        "CardEventKindEnum": "kanban.models.EventKind",
        "RaciRoleEnum": "raci.models.RaciRole",
        "MembershipRoleEnum": "opsboard.tenancy.models.Role",
        "KpiSourceEnum": "metrics.models.Source",
        "RetrospectiveStateEnum": "metrics.models.RetrospectiveState",
        "KpiDirectionEnum": "metrics.models.KPI_DIRECTIONS",
        "GoalDirectionEnum": "projects.models.Direction",
        "RequestFieldKindEnum": "intake.models.FieldKind",
        "RequestStateEnum": "intake.models.RequestState",
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
