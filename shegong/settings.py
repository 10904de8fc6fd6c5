"""Django settings. Every value that differs between machines comes from the environment (see shegong.env)."""

import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shegong.env import env_bool, env_int, env_key, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("SHEGONG_VAR_DIR", str(REPO_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("Environment variable SECRET_KEY must be at least 32 characters long.")
FIELD_ENCRYPTION_KEY = env_key("FIELD_ENCRYPTION_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Order matters: `shegong demo load` runs each app's demo.py in this order.
    "shegong.core",
    "shegong.regions",
    "shegong.refdata",
    "shegong.policies",
    "shegong.agencies",
    "shegong.accounts",
    "shegong.workers",
    "shegong.registration",
    "shegong.talent",
    "shegong.recruitment",
    "shegong.stations",
    "shegong.projects",
    "shegong.evaluations",
    "shegong.inspections",
    "shegong.recipients",
    "shegong.inbox",
    "shegong.persontimes",
    "shegong.casework",
    "shegong.groupwork",
    "shegong.referrals",
    "shegong.servicerequests",
    "shegong.volunteers",
    "shegong.volunteering",
    "shegong.timebank",
    "shegong.charity",
    "shegong.analytics",  # after every app it counts: its demo rebuilds the aggregates from their records
    "shegong.tabular",
    "shegong.audit",
    "shegong.web",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs' own static files (no CDN, no inline script: the CSP allows it)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shegong.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shegong.accounts.middleware.PasswordChangeRequiredMiddleware",
    "shegong.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shegong.urls"
WSGI_APPLICATION = "shegong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shegong.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shegong.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"Environment variable DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # IMMEDIATE transactions take the write lock at BEGIN, so two concurrent writers queue instead of failing with
    # "database is locked" half way through; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions: the database by default so web processes stay stateless; Redis when REDIS_URL is set. ----
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "shegong_cache"},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Accounts and security (等保 2.0 level 3) -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["shegong.accounts.backends.RoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "shegong.accounts.passwords.CharacterClassValidator", "OPTIONS": {"required_classes": 3}},
    {"NAME": "shegong.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"remember": 5}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
# Idle timeout: the cookie's age is renewed on every request, so it runs out only after that long without one.
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything the pages need is served from our own origin (vendored assets), so the policy can be this strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
# The client address used for audit rows and rate limits; behind a proxy, the proxy's X-Forwarded-For is trusted.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# --- Language and time ----------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files (vendored: no Node needed to run) ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Background tasks: thread (in the web process, default), worker (`shegong worker` processes), immediate (in place).
TASKS_MODE = env_str("TASKS_MODE", "thread")
# Outside channels for alerts (dotted paths of classes, see shegong/inbox/channels.py); none: alerts stay in the inbox.
NOTIFICATION_CHANNELS = env_list("NOTIFICATION_CHANNELS", [])
if TASKS_MODE not in {"thread", "worker", "immediate"}:
    raise ImproperlyConfigured("Environment variable TASKS_MODE must be thread, worker or immediate.")
# Indicator aggregates: a write queues its contribution change (outbox) in its own transaction; "commit" applies the
# queue right after each commit in the same process, "worker" leaves it to `shegong analytics drain --loop` (batched:
# the cheapest writes). Dashboards apply what is queued before they read, so figures are current either way.
ANALYTICS_DRAIN = env_str("ANALYTICS_DRAIN", "commit")
if ANALYTICS_DRAIN not in {"commit", "worker"}:
    raise ImproperlyConfigured("Environment variable ANALYTICS_DRAIN must be commit or worker.")
# Excel imports: the largest upload accepted and the most data rows in one workbook.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000, minimum=1)
# Evidence, photos and other files attached to records (credit records, evaluation scores, inspections, rectification).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)

# Scheme and host of the public site that QR codes point to (https://sg.example.gov.cn); empty: the request's host.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "").rstrip("/")
if PUBLIC_BASE_URL and not re.fullmatch(r"https?://[^/\s]+", PUBLIC_BASE_URL):
    raise ImproperlyConfigured(
        "Environment variable PUBLIC_BASE_URL must be a scheme and host, e.g. https://sg.example.gov.cn."
    )

# API tokens: personal access tokens expire after at most this many days.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)
