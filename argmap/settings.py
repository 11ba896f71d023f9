"""Argmap settings, all from the environment.

With an empty environment everything runs in development mode: SQLite under the project folder
(WAL mode), DEBUG on, a development secret generated once into `.dev-secret`.

`ARGMAP_PRODUCTION=1` is the production switch: DEBUG off, and the process refuses to start
without `ARGMAP_SECRET_KEY` and `ARGMAP_ALLOWED_HOSTS`. `DATABASE_URL=postgres://...` selects
PostgreSQL in either mode.
"""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a yes/no flag such as 1 or 0, not {value!r}")


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def development_secret() -> str:
    """A random secret kept in a git-ignored file, so sessions survive restarts in development."""
    path = BASE_DIR / ".dev-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


PRODUCTION = env_flag("ARGMAP_PRODUCTION")
DEBUG = not PRODUCTION and env_flag("ARGMAP_DEBUG", default=True)

if PRODUCTION:
    SECRET_KEY = os.environ.get("ARGMAP_SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("ARGMAP_PRODUCTION needs ARGMAP_SECRET_KEY (50 characters or more).")
    ALLOWED_HOSTS = env_list("ARGMAP_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ARGMAP_PRODUCTION needs ARGMAP_ALLOWED_HOSTS (comma separated).")
    CSRF_TRUSTED_ORIGINS = env_list("ARGMAP_CSRF_TRUSTED_ORIGINS")
    SECURE_SSL_REDIRECT = env_flag("ARGMAP_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
else:
    SECRET_KEY = os.environ.get("ARGMAP_SECRET_KEY") or development_secret()
    ALLOWED_HOSTS = env_list("ARGMAP_ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "argmap",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After the session, the user and htmx: it reads all three.
    "argmap.classroom.middleware.PasswordSetupMiddleware",
]

ROOT_URLCONF = "argmap.urls"
WSGI_APPLICATION = "argmap.wsgi.application"

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
            ],
        },
    }
]


def database_settings() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the start
        # of each transaction, so concurrent writers queue on the busy timeout instead of failing
        # with "database is locked" when a read lock cannot be upgraded.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        # Tests use a file too: an in-memory database shared between threads locks differently
        # from the real thing, and the concurrency tests must see the real behaviour.
        # One file per test process, so two runs at once never share it.
        config["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"argmap-test-{os.getpid()}.sqlite3")}
    return config


DATABASES = {"default": database_settings()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first: new passwords get it, and older hashes (PBKDF2) are re-made with it at the next
# log-in. The others stay so those older hashes still check (docs/security.md).
PASSWORD_HASHERS = [
    "argmap.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "map-list"
LOGOUT_REDIRECT_URL = "map-list"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("ARGMAP_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production, serve static files straight from the finders (no collectstatic needed,
# also under the test live server); production serves the collected, hashed, compressed files.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG and not PRODUCTION

# No inline scripts or styles anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The site's own address, used where exports need absolute IRIs.
ARGMAP_SITE_URL = os.environ.get("ARGMAP_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Above this many tree rows "expand all" is refused: it would render a page nobody can read.
ARGMAP_EXPAND_ALL_LIMIT = 400
# Children shown per level before a "show all" button, so a very wide node stays fast to open.
ARGMAP_CHILDREN_PAGE = 60
# The reader lists every quoted passage beside the text up to this many; above it, a click on a
# highlight lists the quotes at that point.
ARGMAP_READER_LIST_LIMIT = 150
# Map imports (manage.py import_map, /maps/import/) refuse bigger files before reading them.
ARGMAP_IMPORT_MAX_BYTES = 20 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# No cache server: the database holds the cache (login limits, throttles). Its table is made by a migration.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "argmap_cache",
        # Login locks live here: a small cache would let someone flush them with failed logins under
        # many usernames, so keep many entries (expired ones are culled first).
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}
