"""Django settings. Everything that differs between machines comes from the environment."""
from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("DUBAN_DATA_DIR", PROJECT_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# --- secret key (duban.audit, security) ---
# No built-in key outside DEBUG: a published key would let anyone forge sessions. `make run` keeps one in data/secret_key.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY 未设置。DEBUG 关闭时必须在环境变量 SECRET_KEY 中设置一个随机长字符串，例如 "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))' 的输出（开发时可设 DEBUG=1）。"
            " / SECRET_KEY is not set: with DEBUG off, set it to a long random string (or DEBUG=1 for development)."
        )
    SECRET_KEY = "dev-only-insecure-key-debug-mode-only"
# --- end secret key ---
# --- demo clock (duban.workcal.clock) ---
# DUBAN_TODAY=2021-09-30 makes every "today" of the app that date (a demo or training instance), with a banner on
# every page. Never on a production instance: refused unless DEBUG is on or DUBAN_DEMO=1 says it is a demo.
DUBAN_DEMO = env_bool("DUBAN_DEMO", False)
try:
    from duban.workcal.clock import parse_demo_date

    DUBAN_TODAY = parse_demo_date(os.environ.get("DUBAN_TODAY", ""))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None
if DUBAN_TODAY is not None and not (DEBUG or DUBAN_DEMO):
    raise ImproperlyConfigured(
        "DUBAN_TODAY（演示时钟）只能用于演示或培训：请同时设置 DUBAN_DEMO=1（或 DEBUG=1）；正式环境不要设置 DUBAN_TODAY。"
        " / DUBAN_TODAY is for demo instances only: set DUBAN_DEMO=1 as well, or unset it in production."
    )
# --- end demo clock ---
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "duban.accounts.apps.DubanAdminConfig",  # the admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "duban.directory",
    "duban.accounts",
    "duban.plans",
    "duban.workcal",
    "duban.notify",
    "duban.progress",
    "duban.reminders",
    "duban.instructions",
    "duban.assessment",
    "duban.exports",
    "duban.audit",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the Swagger UI's files, served from our own static (no CDN)
    "duban.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "duban.audit.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "duban.audit.middleware.SessionTimeoutMiddleware",
    "duban.audit.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "duban.urls"
WSGI_APPLICATION = "duban.wsgi.application"

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
                "duban.plans.context.nav",
                "duban.workcal.clock.context",
                "duban.notify.context.unread",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'duban.sqlite3'}"
# A server database keeps each process's connection for a minute (checked before reuse) rather than opening one
# per request: a new PostgreSQL connection is a new server process with cold catalog caches, which cost the
# 1M page bench a third of its throughput (20 → 28 requests a second with 4 clients). SQLite opens a file: 0.
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0" if _database_url.startswith("sqlite") else "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under load: WAL lets pages read while someone writes; a write transaction takes
    # the write lock when it begins (IMMEDIATE), so it waits for the lock — up to the busy timeout — rather
    # than failing with "database is locked" when a read inside it turns into a write.
    SQLITE_BUSY_TIMEOUT = int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20"))  # seconds
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """DUBAN_CACHE_URL → a CACHES entry: locmem:// (the default: each process its own), redis://host:6379/0
    (shared by the workers; the redis package), db://table_name (after `duban createcachetable`),
    file:///path, dummy:// (none)."""
    scheme, _, rest = url.partition("://")
    backends = {"locmem": "locmem.LocMemCache", "redis": "redis.RedisCache", "rediss": "redis.RedisCache",
                "db": "db.DatabaseCache", "file": "filebased.FileBasedCache", "dummy": "dummy.DummyCache"}
    if scheme not in backends:
        raise ImproperlyConfigured(f"DUBAN_CACHE_URL: unknown cache {scheme!r} (one of {', '.join(backends)})")
    location = url if scheme.startswith("redis") else rest
    return {"BACKEND": f"django.core.cache.backends.{backends[scheme]}", "LOCATION": location}


# The cache holds the facts of the plans' figure pages (duban.assessment.factscache) and the API's rate counters.
CACHES = {"default": cache_from_url(os.environ.get("DUBAN_CACHE_URL", "locmem://duban"))}

# --- the units' steps (issue 11): 签收 within this many working days of being assigned, else 领办逾期;
# extension requests also approved by a leader after the coordinator when on ---
DUBAN_ACK_WORKING_DAYS = int(os.environ.get("DUBAN_ACK_WORKING_DAYS", "2"))
DUBAN_EXTENSION_LEADER_APPROVAL = env_bool("DUBAN_EXTENSION_LEADER_APPROVAL", False)

# --- passwords and logins (duban.audit) ---
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "duban.audit.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},  # Chinese message
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout backend comes first: it refuses a locked account or address whatever the password.
# The OIDC backend answers only the 统一身份认证 callback, and only when configured (below).
AUTHENTICATION_BACKENDS = ["duban.audit.lockout.LockoutBackend", "django.contrib.auth.backends.ModelBackend",
                           "duban.accounts.oidc.Backend"]
DUBAN_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("DUBAN_LOGIN_FAILURES_PER_ACCOUNT", "5"))
DUBAN_LOGIN_FAILURES_PER_IP = int(os.environ.get("DUBAN_LOGIN_FAILURES_PER_IP", "20"))
DUBAN_LOGIN_WINDOW_MINUTES = int(os.environ.get("DUBAN_LOGIN_WINDOW_MINUTES", "15"))
DUBAN_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("DUBAN_LOGIN_LOCKOUT_MINUTES", "15"))
# Django's own messages (password rules, form errors) in Chinese whatever language the browser asks for.
LANGUAGES = [("zh-hans", "简体中文")]
# --- end passwords and logins ---

# --- 统一身份认证: sign-in through the organisation's OpenID Connect provider (duban.accounts.oidc) ---
# Off unless a client id and the issuer (or the three endpoints) are set; local passwords always remain.
DUBAN_OIDC_ISSUER = os.environ.get("DUBAN_OIDC_ISSUER", "")  # its /.well-known/openid-configuration gives the endpoints
DUBAN_OIDC_AUTHORIZATION_ENDPOINT = os.environ.get("DUBAN_OIDC_AUTHORIZATION_ENDPOINT", "")  # or each one given
DUBAN_OIDC_TOKEN_ENDPOINT = os.environ.get("DUBAN_OIDC_TOKEN_ENDPOINT", "")
DUBAN_OIDC_USERINFO_ENDPOINT = os.environ.get("DUBAN_OIDC_USERINFO_ENDPOINT", "")
DUBAN_OIDC_JWKS_ENDPOINT = os.environ.get("DUBAN_OIDC_JWKS_ENDPOINT", "")
DUBAN_OIDC_CLIENT_ID = os.environ.get("DUBAN_OIDC_CLIENT_ID", "")
DUBAN_OIDC_CLIENT_SECRET = os.environ.get("DUBAN_OIDC_CLIENT_SECRET", "")
DUBAN_OIDC_SCOPES = os.environ.get("DUBAN_OIDC_SCOPES", "openid profile")
DUBAN_OIDC_SIGN_ALGO = os.environ.get("DUBAN_OIDC_SIGN_ALGO", "RS256")
DUBAN_OIDC_TOKEN_BASIC_AUTH = env_bool("DUBAN_OIDC_TOKEN_BASIC_AUTH", False)  # client secret by HTTP Basic
# The claim that names the person, matched to the 统一身份标识 the coordinator sets on the account.
DUBAN_OIDC_CLAIM = os.environ.get("DUBAN_OIDC_CLAIM", "sub")
# --- end 统一身份认证 ---

LANGUAGE_CODE = "zh-hans"
# Django's wording of the messages Django REST framework also translates differently (see the .po there).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Files served at the site's root by WhiteNoise (no view, no session): /favicon.ico, which browsers ask for
# on their own (e.g. for a downloaded file or the API's JSON) even when a page links its icon.
WHITENOISE_ROOT = BASE_DIR / "root"

# Uploaded plans and evidence live outside the web root and are served only through views that check access.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "files"))
MEDIA_URL = None


# --- files in an S3-compatible bucket (django-storages) instead of MEDIA_ROOT ---
def s3_storage(bucket: str, endpoint_url: str = "", region: str = "", prefix: str = "", addressing_style: str = "") -> dict:
    """STORAGES["default"] for a bucket. Objects are written without an ACL, so they are as private as the
    bucket (AWS refuses any ACL but the owner's on buckets with ACLs disabled); no URL of the bucket is ever
    given out, signed or not: files are read only by Duban's download views, which check access. The keys
    come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or boto3's other usual places)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,  # MinIO, Ceph, a cloud's object storage; none: AWS
            "region_name": region or None,
            "addressing_style": addressing_style or None,  # "path" or "virtual"; none: boto3 chooses
            "location": prefix.strip("/"),  # a folder inside the bucket, e.g. "duban"
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,  # like the local disk: a second file of the same name gets a new name
            "max_memory_size": 2 * 1024 * 1024,  # a file read back past this size waits in a temporary file, not memory
        },
    }


DUBAN_S3_BUCKET = os.environ.get("DUBAN_S3_BUCKET", "")
if DUBAN_S3_BUCKET:
    STORAGES["default"] = s3_storage(
        DUBAN_S3_BUCKET, os.environ.get("DUBAN_S3_ENDPOINT_URL", ""), os.environ.get("DUBAN_S3_REGION", ""),
        os.environ.get("DUBAN_S3_PREFIX", ""), os.environ.get("DUBAN_S3_ADDRESSING_STYLE", ""),
    )
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(30 * 1024 * 1024)))
# An uploaded plan is parsed in a child process limited to this much memory (MB) and time (seconds).
PARSE_MEMORY_MB = int(os.environ.get("PARSE_MEMORY_MB", "1024"))
PARSE_TIMEOUT = int(os.environ.get("PARSE_TIMEOUT", "300"))
# On: the web server starts a thread for each new import or export job (one machine, no worker needed). Off:
# it only queues them, and `duban worker` processes (any number, on any machine) do the work.
DUBAN_WEB_RUNS_JOBS = env_bool("DUBAN_WEB_RUNS_JOBS", True)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# E-mail: real SMTP, configured by the environment.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "duban@localhost")

# Quiet hours (duban.notify.hours): e-mail and robot messages go out only in these hours of a working day
# (duban.workcal); outside them they wait for the next working morning. The in-site inbox is always at once.
# Empty: at any hour.
DUBAN_WORKING_HOURS = os.environ.get("DUBAN_WORKING_HOURS", "08:30-18:00")
# 企业微信/钉钉 robots accept at most 20 messages a minute each; stay below it.
DUBAN_ROBOT_PER_MINUTE = int(os.environ.get("DUBAN_ROBOT_PER_MINUTE", "18"))
# Outgoing calls (event webhooks, robots, 企业微信/钉钉 apps; duban.notify.outbound) refuse addresses on
# loopback/private/link-local/reserved networks (SSRF) unless this is 1, or the address lies in one of the
# comma-separated networks of DUBAN_WEBHOOK_ALLOW_NETWORKS (e.g. an intranet robot gateway: 10.20.30.40/32).
DUBAN_WEBHOOK_ALLOW_PRIVATE = env_bool("DUBAN_WEBHOOK_ALLOW_PRIVATE", False)
DUBAN_WEBHOOK_ALLOW_NETWORKS = [str(ipaddress.ip_network(n.strip(), strict=False))  # a bad value stops the start
                                for n in os.environ.get("DUBAN_WEBHOOK_ALLOW_NETWORKS", "").split(",") if n.strip()]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

FILE_UPLOAD_HANDLERS = [
    "duban.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]


# --- sessions, HTTPS and headers (duban.audit) ---
# Idle timeout and absolute lifetime, enforced by duban.audit.middleware.SessionTimeoutMiddleware.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script here reads the CSRF cookie; forms carry the token
# HTTPS: on by default in production (DEBUG off). `make run` serves http://127.0.0.1:8000 with DUBAN_HTTPS=0.
DUBAN_HTTPS = env_bool("DUBAN_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = DUBAN_HTTPS
SECURE_SSL_REDIRECT = DUBAN_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if DUBAN_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = DUBAN_HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto, and take the client's address
# from the last X-Forwarded-For entry (for the login lockout and the audit trail).
DUBAN_BEHIND_PROXY = env_bool("DUBAN_BEHIND_PROXY", False)
# 督办通报 .docx: lay it out once with LibreOffice (when installed) to put the 版记 on an even last page.
DUBAN_PAGINATE_WITH_LIBREOFFICE = env_bool("DUBAN_PAGINATE_WITH_LIBREOFFICE", True)
if DUBAN_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Preloading HSTS into browsers is a decision for the site's owner (SECURE_HSTS_PRELOAD=1), not a default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# --- end sessions, HTTPS and headers ---

# --- the REST API (duban.api) ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "duban.api.authentication.ApiTokenAuthentication",  # Authorization: Token <key>, from /accounts/tokens/
        "rest_framework.authentication.SessionAuthentication",  # the signed-in browser, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["duban.api.permissions.OfficeUser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "duban.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle", "rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("DUBAN_API_RATE", "1000/hour"),
        "anon": os.environ.get("DUBAN_API_ANON_RATE", "100/hour"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "duban.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "督办数据接口",
    "DESCRIPTION": "政务公开工作要点分工方案的方案、任务分工、进展报送与审核、统计数据、单位。"
                   "认证：请求头 Authorization: Token <令牌>（在“接口令牌”页面生成），或已登录的浏览器会话。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "duban.api.schema.drop_column_limits"],
}
# --- end REST API ---
