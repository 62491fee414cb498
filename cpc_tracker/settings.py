"""Settings for CPC Tracker, read from the environment (django-environ).

DEBUG is off unless the environment turns it on; `make run` does, for local work.
With no DATABASE_URL the app uses a SQLite file, the zero-set-up default of `make run`.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    SESSION_COOKIE_AGE=(int, 60 * 60 * 8),
    EMAIL_BACKEND=(str, "django.core.mail.backends.console.EmailBackend"),
    DEFAULT_FROM_EMAIL=(str, "cpc-tracker@localhost"),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only")
else:
    SECRET_KEY = env("SECRET_KEY")

ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.syndication",
    "crispy_forms",
    "crispy_forms_gds",
    "simple_history",
    "django_filters",
    "import_export",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "cpc_tracker",  # site-wide template tags (pagination, charts) for every app's templates; no models
    "recommendations",
    "reviews",
    "reports",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "cpc_tracker.middleware.RequestLogMiddleware",  # first: times every request, ids every log line
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "cpc_tracker.middleware.SecurityHeadersMiddleware",  # Permissions-Policy; Cache-Control for signed-in users
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): signed in with a second factor
    "cpc_tracker.two_factor.TwoFactorMiddleware",  # coordinators and staff go no further until verified
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cpc_tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recommendations.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "cpc_tracker.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Keep database connections open between requests (about 40% more requests a second under load).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "recommendations:start"  # on to the page for the user's role (recommendations.dashboard_views)
LOGOUT_REDIRECT_URL = "home"

# Two-factor sign-in (django-otp, cpc_tracker/two_factor.py): an authenticator app's 6-digit code
# (TOTP) or a single-use backup code after the password. Required of staff, superusers and anyone
# with these permissions (coordinators of any council); optional for everyone else. Wrong codes
# are throttled per device: each failure doubles the wait before the next try (1, 2, 4... seconds).
TWO_FACTOR_REQUIRED_PERMISSIONS = ["recommendations.manage_some_plan"]
OTP_TOTP_ISSUER = "CPC Tracker"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Sessions expire after a working day, and when the browser closes.
SESSION_COOKIE_AGE = env("SESSION_COOKIE_AGE")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Repeated failed sign-ins are throttled (django-axes, cpc_tracker/sign_in_throttle.py): five
# failures lock the username from that address for 15 minutes, and 30 failures from one address,
# whatever the usernames, refuse every sign-in from it for 15 minutes. The address is the
# client's (cpc_tracker/client_address.py): behind N proxies of your own, set TRUSTED_PROXY_COUNT=N.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "cpc_tracker.sign_in_throttle.SignInThrottle"
AXES_CLIENT_IP_CALLABLE = "cpc_tracker.client_address.client_address"
SIGN_IN_ADDRESS_FAILURE_LIMIT = 30
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Invitations (recommendations/invitations.py) work for this many days; password reset links for
# this many seconds, and once (Django's token generator).
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files (after collectstatic) when DEBUG is off; tests turn it off.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Evidence files on progress updates (recommendations/evidence.py), stored through Django's storage
# API: in MEDIA_ROOT by default, or in an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set
# (django-storages; credentials from boto3's usual places: AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the server's role). They are never served from a public URL: only
# recommendations.evidence_views serves them, to the people allowed to read each. There is no MEDIA_URL.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,  # another S3-compatible store
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "location": env.str("AWS_STORAGE_LOCATION", default=""),  # a folder in the bucket
            "default_acl": None,  # the bucket's own: keep it private, with public access blocked
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# The largest evidence file taken (20 MB by default; each update takes up to 3). Stored files are
# readable by the app's user and group only. Uploads over 2.5 MB go to a temporary file, and a
# file's bytes beyond EVIDENCE_MAX_BYTES are not written at all (it is refused as too big); limit the
# whole request at your proxy to at least 3 x EVIDENCE_MAX_BYTES + 1 MB.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "recommendations.evidence.SizeLimitedUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

EMAIL_BACKEND = env("EMAIL_BACKEND")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")

# Work that takes seconds (PDFs) or talks to another server (e-mail) never runs in a request: it is
# queued as a task (django-tasks) in the database and run by the worker, `manage.py db_worker`
# (`make run` starts one; README: Background tasks). The queue is the `django_tasks_db` tables.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Safe defaults when DEBUG is off (`manage.py check --deploy`).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# /healthz and /readyz answer a load balancer's plain-HTTP probe (cpc_tracker/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
CSRF_FAILURE_VIEW = "cpc_tracker.views.csrf_failure"

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only; no
# inline script, style or style="" attribute; data: images only (the empty favicon); no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page uses, switched off (cpc_tracker.middleware.SecurityHeadersMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

SITE_NAME = "CPC Tracker"
# The site's address, for links that leave it (the reminder emails); no trailing slash needed.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Logs go to stdout: one JSON object a line (LOG_FORMAT=json, the default when DEBUG is off), or
# readable text (LOG_FORMAT=text, the default when DEBUG is on). Every request logs one line
# (cpc_tracker.middleware.RequestLogMiddleware); every line carries the request's id.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "cpc_tracker.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"redact_secret_links": {"()": "cpc_tracker.logging.RedactSecretLinks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["redact_secret_links"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},  # to the root's handler only, not Django's own as well
        "cpc_tracker.requests": {"level": "INFO"},
    },
}

# Errors to Sentry when SENTRY_DSN is set: no personal data (no cookies, user names, addresses,
# request bodies or query strings).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    from .logging import sentry_before_send

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        send_default_pii=False,
        max_request_body_size="never",
        before_send=sentry_before_send,
        integrations=[DjangoIntegration()],
    )
