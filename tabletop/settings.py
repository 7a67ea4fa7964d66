"""Settings for Red Lines, read from the environment (see README "Configuration").

Defaults give the embedded set-up: a SQLite file and the in-memory channel layer, so the
quick start needs no service. DEBUG is off unless set (production is the default); then a
real SECRET_KEY is required. bin/demo and the test settings (tabletop.settings_test) turn
DEBUG on, which allows the development key.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-insecure-red-lines-secret-key-change-me-in-production-0123456789"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key but DEBUG is off. Set SECRET_KEY to a long random "
        'value, e.g. python -c "import secrets; print(secrets.token_urlsafe(50))", or for '
        "development set DEBUG=true (bin/demo does)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "scenarios",
    "game",
    "frontend",
]

MIDDLEWARE = [
    # X-Forwarded-Proto only from TRUSTED_PROXIES (SECURE_PROXY_SSL_HEADER reads it).
    "tabletop.middleware.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the request: refuses text no database can store (a NUL).
    "tabletop.middleware.StorableInputMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A quick 503 while the database cannot be reached (tabletop.dbdown).
    "tabletop.dbdown.DatabaseDownMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "game.middleware.GameCodeThrottleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Content-Security-Policy (Django's own): pages load scripts and styles only from this site's
# files (no inline script anywhere; the admin's few inline styles carry the request's nonce).
# The API docs page relaxes styles and images for Swagger UI (tabletop/urls.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF],
    "connect-src": [CSP.SELF],  # the game socket: same host (ws: and wss: under CSP 3)
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

ROOT_URLCONF = "tabletop.urls"
ASGI_APPLICATION = "tabletop.asgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if SQLITE:
    # WAL and a busy timeout let the daphne process and management commands share the file.
    # SQLite's own page cache (per connection, 2 MiB by default) holds pages the kernel's
    # file cache holds too. 256 KiB holds a workshop's few tables: no throughput lost, ~5 KiB
    # less per socket; ~0.7 ms more latency at 50 tables (docs/performance.md, round 11).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                f"PRAGMA cache_size=-{env.int('SQLITE_CACHE_KIB', default=256)};"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
    # Persistent: opening and closing the file around every command was ~30% of a command's
    # time (docs/performance.md). Each database thread keeps its own connection.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=None)
elif env.bool("DATABASE_POOL", default=True):
    # A connection pool (psycopg_pool): under ASGI every command runs in a worker thread, and
    # opening a PostgreSQL connection per command cost ~3x the throughput (measured with two
    # processes: 20 vs 56 commands/s). Django advises pooling, not CONN_MAX_AGE, under ASGI.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=1),
        "max_size": env.int("DATABASE_POOL_MAX", default=20),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))

REDIS_URL = env.str("REDIS_URL", default="")
CHANNEL_PREFIX = env.str("CHANNEL_PREFIX", default="redlines")
# Channel layer: deliberate choices, each covered by tests/e2e (README "Scaling").
# - channels-redis's PubSub layer, not its core layer: the core layer silently drops group
#   messages for a consumer whose queue holds `capacity` (100) messages, which a burst of
#   commands reaches; the PubSub layer's per-consumer queues are unbounded. (Consumers also
#   heal any gap by re-reading the event log, so a lost broadcast never reaches a client.)
# - socket_timeout: redis-py >= 8 defaults it to 5 s, the same as the core layer's blocking
#   BZPOPMIN, which kills idle consumers ("Timeout reading from ...", channels_redis#422).
#   The PubSub layer reads with its own 0.1 s polls, so here the timeout only bounds
#   commands (PUBLISH, SUBSCRIBE); it stays finite so that a hung Redis cannot block a
#   process's broadcasts (and its database thread, which sends them) forever, and above
#   5 s so that switching to the core layer stays safe. Every key of a `hosts` entry but
#   `address` is passed to redis-py's ConnectionPool.from_url, so these reach the layer.
# - health_check_interval: the subscriber connection PINGs when idle for that long, so a
#   half-open connection (Redis failover without a reset) is noticed and re-established.
# - max_connections: the pool allows 100; the PubSub layer uses at most two per process
#   and event loop (one subscriber, one publisher under a lock), so the default is ample.
# - Messages are small: broadcasts carry pre-serialised text frames (game.services.broadcast),
#   so neither msgpack (Redis) nor the in-memory layer's per-message deepcopy costs much.
REDIS_SOCKET_TIMEOUT = 15
REDIS_HEALTH_CHECK_INTERVAL = 30
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "game.realtime.layers.TolerantRedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": REDIS_SOCKET_TIMEOUT,
                        "socket_connect_timeout": 5,
                        "health_check_interval": REDIS_HEALTH_CHECK_INTERVAL,
                    }
                ],
                "prefix": CHANNEL_PREFIX,
            },
        }
    }
else:
    # One process only: the in-memory layer cannot reach other processes.
    # Channels' in-memory layer, sized for a workshop and without its per-message sweep; a
    # full queue is logged, and its socket healed from the log (game/realtime/layers.py).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "game.realtime.layers.WorkshopChannelLayer",
            "CONFIG": {"capacity": env.int("CHANNEL_CAPACITY", default=10_000)},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password logins (admin form, HTTP basic) go through a failed-login throttle (tabletop.auth).
AUTHENTICATION_BACKENDS = ["tabletop.auth.ThrottledModelBackend"]
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=10)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=900)  # seconds

LANGUAGE_CODE = "en"
# Languages with a complete catalogue (docs/frontend.md says how to add Japanese and Korean:
# every page string is marked for translation).
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/admin/login/"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The session first: its (absent) WWW-Authenticate keeps unauthenticated answers at 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
        "game.authentication.StaffTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": [
        "tabletop.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Red Lines API",
    "DESCRIPTION": "Scenarios and games of the Red Lines tabletop negotiation server.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served by the app itself, not from a CDN (works on a closed workshop network).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Development serves static files straight from the apps; production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# bench/perf.py only: route the bare relay consumer (the benchmark's same-run baseline).
BENCH_RELAY = env.bool("BENCH_RELAY", default=False)

# Threads that run game commands (game/realtime/dbthreads.py), beside Channels' one database
# thread for everything else: a game always uses the same one (its commands stay in order in
# the process; the row lock serialises processes), different games run side by side. SQLite
# has one writer at a time, so one thread there.
GAME_DB_THREADS = env.int("GAME_DB_THREADS", default=1 if SQLITE else 4)

# Each server process runs a loop that advances timed phases whose deadline has passed.
GAME_TIMER_LOOP = env.bool("GAME_TIMER_LOOP", default=True)
GAME_TIMER_INTERVAL = env.float("GAME_TIMER_INTERVAL", default=0.5)

# The cache holds rate-limit counters (joins); shared through Redis when there is one, under
# the channel prefix, so deployments (or test runs) sharing a Redis do not share counters.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CHANNEL_PREFIX,
            # Counters are tiny: a Redis that does not answer within a second is treated as
            # down (limits fail open), so a hung Redis cannot hold up a join or a login.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
JOIN_RATE_LIMIT = env.int("JOIN_RATE_LIMIT", default=20)  # join attempts per minute per address
# Flood limits (game.services.limits, docs/operations.md "Security"). Sockets are counted in
# the Connection table across processes; the rates in the cache (failing open).
SOCKETS_PER_PLAYER = env.int("SOCKETS_PER_PLAYER", default=5)
SOCKETS_PER_ADDRESS = env.int("SOCKETS_PER_ADDRESS", default=50)
COMMAND_RATE_PER_PLAYER = env.int("COMMAND_RATE_PER_PLAYER", default=20)  # a second, all sockets
CHAT_PER_MINUTE = env.int("CHAT_PER_MINUTE", default=30)  # chat messages per player
CODE_MISSES_PER_MINUTE = env.int("CODE_MISSES_PER_MINUTE", default=10)  # unknown codes, per address
CODE_MISS_BLOCK_SECONDS = env.int("CODE_MISS_BLOCK_SECONDS", default=300)
# Report and replay pages per client (address + seat or staff account) a minute (429 beyond).
REPORT_REQUESTS_PER_MINUTE = env.int("REPORT_REQUESTS_PER_MINUTE", default=30)
# Addresses or networks of reverse proxies whose X-Forwarded-For is believed (tabletop.clients);
# empty: the peer's address is the client's (X-Forwarded-For ignored).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
