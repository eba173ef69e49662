"""Settings for the cable archive, read from the environment.

SQLite is the default so that `runserver` just works; set DATABASE_URL for PostgreSQL.
Every value comes through a small typed helper that fails loudly on a bad value.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None


def env_rate(name: str, default: str) -> str:
    """A request rate as django-ratelimit reads it: a count per period, e.g. 120/m or 10/5m."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip()
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a rate (a count per s, m, h or d, e.g. 120/m or 10/5m)."
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key; set SECRET_KEY in the environment for production."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "cables",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cablearchive.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # The archive's 404 and 500 pages, also under DEBUG (inside CommonMiddleware, which still
    # redirects /cables to /cables/).
    "cablearchive.error_pages.ArchiveErrorPagesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every login against its failure records before the model backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "cablearchive.urls"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "cablearchive.wsgi.application"

SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "var" / "cablearchive.sqlite3")))
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets readers go on while ingest writes; IMMEDIATE avoids lock upgrades.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# WhiteNoise scans STATIC_ROOT at start-up; before collectstatic it is simply empty.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Cable text is untrusted: no inline script or style anywhere.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS=1: the site is served over HTTPS behind a reverse proxy that terminates TLS and sets
# X-Forwarded-Proto (README, Production). Everything `check --deploy` asks for, in one switch.
HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # A load balancer's or docker-compose's health check asks over plain HTTP, from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# The client's address: REMOTE_ADDR, or behind a reverse proxy the header it sets to the real
# peer (CLIENT_IP_HEADER=HTTP_X_REAL_IP with nginx's `proxy_set_header X-Real-IP`). Used by the
# login throttling and the rate limits alike (cablearchive/clients.py).
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "REMOTE_ADDR")

# --- Login throttling (django-axes) -------------------------------------------------------
# AXES_FAILURE_LIMIT failed logins for one username from one address lock that pair out for
# AXES_COOLOFF_MINUTES; `manage.py axes_reset_username NAME` (or axes_reset) unlocks at once.
# Failures are counted in the database (django-axes's database handler), which every worker
# process and application server shares, on the primary (cablearchive/routers.py).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The admin's lockout page for the admin, the reading room's for readers' sign-in.
AXES_LOCKOUT_CALLABLE = "cables.collections.accounts.lockout"
AXES_CLIENT_IP_CALLABLE = "cablearchive.clients.client_ip"
AXES_VERBOSE = False  # no start-up banner from every process; failures are still logged

# --- Readers' accounts and collections (cables/collections/) ------------------------------
# Accounts are created by the admin; OPEN_REGISTRATION=1 lets anyone sign up at
# /accounts/signup/ (sign-in goes through django-axes like the admin's).
OPEN_REGISTRATION = env_bool("OPEN_REGISTRATION", False)
LOGIN_URL = "collections:login"
LOGIN_REDIRECT_URL = "collections:list"
LOGOUT_REDIRECT_URL = "cables:home"

# --- Rate limits of the API and the exports (cables/lib/rate_limits.py) -----------------------------
# Per client address, counted in the database (table cables_ratecount, one atomic upsert per
# request on the primary): every gunicorn worker and every application server counts in the
# same place. RATELIMIT_ENABLE=0 turns them off (load tests).
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
API_RATE = env_rate("API_RATE", "120/m")
EXPORT_RATE = env_rate("EXPORT_RATE", "10/m")
# The search box's suggestions (/api/suggest/): a request per pause in typing, on its own count
# so that typing never uses up a client's API budget.
SUGGEST_RATE = env_rate("SUGGEST_RATE", "300/m")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# The rank index (cables/search/rank_index.py): a tantivy index of the paragraphs that gives
# relevance order, one directory per database under RANK_INDEX_DIR, in immutable generations
# published by the writers (cables/search/index_store.py); a generation is removed once
# RANK_INDEX_KEEP_GENERATIONS newer ones are published.
RANK_INDEX_DIR = Path(env_str("RANK_INDEX_DIR", str(BASE_DIR / "var" / "rank-index")))
RANK_INDEX_KEEP_GENERATIONS = env_int("RANK_INDEX_KEEP_GENERATIONS", 3)
# Archive-wide counts (cables/lib/summaries.py) made stale by a change are counted again in a
# background thread while the stored ones are served; the tests count them in line.
SUMMARIES_IN_BACKGROUND = env_bool("SUMMARIES_IN_BACKGROUND", True)

# HTTP caching of anonymous reads (cables/lib/http_cache.py): seconds a proxy or browser may reuse
# a page without asking again; after that a conditional GET costs one primary-key read.
CACHE_MAX_AGE = env_int("CACHE_MAX_AGE", 60)
# Seconds the server keeps an anonymous page it rendered, for the next reader asking for it in
# the same archive version (0: off). Each process keeps at most PAGE_CACHE_ENTRIES pages.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_ENTRIES", 2000)},
    },
}
# Exports (cables/search/exports_files.py): one of EXPORT_STREAMS slots per process while an export
# streams from the database (503 + Retry-After past them); an export of at least
# EXPORT_FILE_MIN_BYTES is kept in EXPORT_DIR for its archive version and served from there
# with Content-Length and byte ranges.
EXPORT_DIR = Path(env_str("EXPORT_DIR", str(BASE_DIR / "var" / "exports")))
EXPORT_STREAMS = env_int("EXPORT_STREAMS", 1)
EXPORT_FILE_MIN_BYTES = env_int("EXPORT_FILE_MIN_BYTES", 256 * 1024)
# Seconds a search may take before it is stopped with "too broad" (cables/search/budget.py).
SEARCH_TIME_BUDGET = env_int("SEARCH_TIME_BUDGET", 5)

# Where the sample corpus bundled with the project lives.
SAMPLE_CORPUS_DIR = BASE_DIR / "sample_corpus"

# --- Scale: read replicas and connection pooling (docs/scaling.md) -----------------------------
# DATABASE_REPLICA_URLS: comma-separated PostgreSQL URLs of streaming replicas. Reads go to them,
# writes and the admin to the primary (cablearchive/routers.py). DB_POOL=1 uses psycopg 3's
# connection pool in each process instead of persistent connections (CONN_MAX_AGE).
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 10)
if DATABASE_REPLICA_URLS and not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs DATABASE_URL (the primary).")
for _index, _url in enumerate(DATABASE_REPLICA_URLS, 1):
    DATABASES[f"replica{_index}"] = {
        **dj_database_url.parse(
            _url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        ),
        # Tests read the replica through the test primary: no second test database.
        "TEST": {"MIRROR": "default"},
    }
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["cablearchive.routers.ReplicaRouter"]
    # Outermost, so that sessions and authentication already see the pin.
    MIDDLEWARE.insert(0, "cablearchive.routers.PrimaryPinMiddleware")
if env_bool("DB_POOL", False):
    if not DATABASE_URL:
        raise ImproperlyConfigured("DB_POOL=1 needs DATABASE_URL (PostgreSQL).")
    for _database in DATABASES.values():
        # Django's pool replaces persistent connections: CONN_MAX_AGE must be 0 with it.
        _database["CONN_MAX_AGE"] = 0
        _database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 2),
            "max_size": env_int("DB_POOL_MAX_SIZE", 10),
            "timeout": env_int("DB_POOL_TIMEOUT", 10),
        }
