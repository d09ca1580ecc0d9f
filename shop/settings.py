"""Settings for the shop: one module, every value from the environment.

Each default works on a laptop with nothing installed (SQLite in ``var/``,
eager tasks, a local-memory cache, console email, the test payment gateway and
table shipping rates). Production sets ``DEBUG=0``, a real ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL``; see docs/configuration.md.
"""

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

# Lets the typed generics of django-stubs (ModelAdmin[Model], ...) run.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=True)
# The default key is deliberately marked insecure: `check --deploy` rejects it.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-key-not-for-production-use")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
SHOP_NAME = env.str("SHOP_NAME", default="Shop")
# Where shoppers reach the shop: links in emails; `migrate` writes its host
# (and SHOP_NAME) into the Sites framework's Site, which allauth reads.
SHOP_URL = env.str("SHOP_URL", default="http://127.0.0.1:8000")
if not (urlsplit(SHOP_URL).scheme in {"http", "https"} and urlsplit(SHOP_URL).netloc):
    raise ImproperlyConfigured(
        f"SHOP_URL must be an http(s) address such as https://shop.example.com, not {SHOP_URL!r}"
    )
SHOP_CURRENCY = env.str("SHOP_CURRENCY", default="EUR")
# The seller on invoices (orders/invoices.py). Empty by default: a laptop's demo
# invoices say nothing false; a real shop must set both (lines split on ";").
SHOP_ADDRESS = env.str("SHOP_ADDRESS", default="")
SHOP_VAT_ID = env.str("SHOP_VAT_ID", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "phonenumber_field",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.facebook",
    "django.contrib.postgres",
    "anymail",
    "shop",
    "notifications",
    "accounts",
    "catalog",
    "cart",
    "payments",
    "promotions",
    "shipping",
    "reviews",
    "wishlists",
    "orders",
    "analytics",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shop.middleware.NulRefusedMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

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
                "shop.context_processors.shop",
                "catalog.page_cache.csrf_placeholder",
                "cart.context_processors.cart",
                "wishlists.context_processors.hearts",
                "notifications.context_processors.notices",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'shop.sqlite3'}"),
}
# Persistent connections: a bare view serves ~8x the requests per second.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Typo-tolerant search (catalog/search.py): how alike a title must look to
    # a query, per connection, so that pg_trgm's operator (and its index) use it.
    # 0.25 lets one swap of letters through ("jakcet" finds "Jacket").
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        filter(None, [_options.get("options"), "-c pg_trgm.word_similarity_threshold=0.25"])
    )
# Read-heavy reports read the rollups from a PostgreSQL replica when there is
# one (analytics/routers.py); in tests the alias mirrors the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["analytics.routers.ReportsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Redis is an accelerator: while it is unreachable the cache answers as an
# empty one (shop/cache.py), every page still serves and sessions come from
# the database. After a failure Redis is left alone this long; the outage is
# logged at most once per CACHE_REDIS_LOG_SECONDS per process.
CACHE_REDIS_RETRY_SECONDS = env.float("CACHE_REDIS_RETRY_SECONDS", default=5.0)
CACHE_REDIS_LOG_SECONDS = env.float("CACHE_REDIS_LOG_SECONDS", default=60.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "shop.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="shop"),
            # A Redis that hangs costs a page at most this, once per retry window.
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_REDIS_TIMEOUT_SECONDS", default=0.5),
                "socket_timeout": env.float("CACHE_REDIS_TIMEOUT_SECONDS", default=0.5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Any web process can serve any request: sessions live in the cache, backed
# by the database so that losing the cache loses no session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Uploaded media (product images): local files under MEDIA_ROOT by default,
# which only runserver serves (DEBUG). With MEDIA_S3_BUCKET, an S3-compatible
# object store (django-storages, boto3) holds them and browsers fetch them from
# it: objects are public (the bucket allows anonymous reads), their URLs plain
# and stable under MEDIA_URL, never signed, so cached pages stay valid.
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
_media_s3_endpoint = env.str("MEDIA_S3_ENDPOINT_URL", default="").rstrip("/")
_media_s3_region = env.str("MEDIA_S3_REGION", default="us-east-1")
if not MEDIA_S3_BUCKET:
    _media_url_default = "/media/"
elif _media_s3_endpoint:  # MinIO, SeaweedFS, moto: the bucket as a path
    _media_url_default = f"{_media_s3_endpoint}/{MEDIA_S3_BUCKET}/"
else:
    _media_url_default = f"https://{MEDIA_S3_BUCKET}.s3.{_media_s3_region}.amazonaws.com/"
MEDIA_URL = env.str("MEDIA_URL", default=_media_url_default)
_media_storage: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if MEDIA_S3_BUCKET:
    _media_public = urlsplit(MEDIA_URL)
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": _media_s3_endpoint or None,
            "region_name": _media_s3_region,
            # Unset keys: boto3's own chain (an instance or task role).
            "access_key": env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": "path" if _media_s3_endpoint else None,
            # Public URLs are MEDIA_URL + name: no request to the store, no signature.
            "custom_domain": f"{_media_public.netloc}{_media_public.path}".rstrip("/"),
            "url_protocol": f"{_media_public.scheme or 'https'}:",
            "querystring_auth": False,
            # As on local disk, a new upload never replaces another image's file
            # (django-storages' default would overwrite a same-named object).
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }
# Product image uploads: larger files or more pixels (decompression bombs)
# are refused; WebP thumbnails are made once, at these widths, never upscaled.
CATALOG_IMAGE_MAX_BYTES = env.int("CATALOG_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
CATALOG_IMAGE_MAX_PIXELS = env.int("CATALOG_IMAGE_MAX_PIXELS", default=40_000_000)
CATALOG_IMAGE_WIDTHS = env.list("CATALOG_IMAGE_WIDTHS", cast=int, default=[320, 640, 1024])
# Catalog pages rendered for anonymous shoppers are cached this long (any
# catalog change makes them stale at once; 0 turns the cache off).
CATALOG_PAGE_CACHE_SECONDS = env.int("CATALOG_PAGE_CACHE_SECONDS", default=300)
# Product cards (the bulk of a listing's rendering) are cached the same way,
# for everyone, so a search nobody made before still reuses them.
CATALOG_CARD_CACHE_SECONDS = env.int("CATALOG_CARD_CACHE_SECONDS", default=300)
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATIC_URL = "/static/"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
# Browser libraries installed with npm (package.json "dependencies", `npm ci`),
# served from node_modules under a prefix: no copied files, no CDN. Without
# them (a machine without npm) the shop still starts and the analytics
# dashboard shows its tables without charts.
_chart_js_dist = BASE_DIR / "node_modules" / "chart.js" / "dist"
if _chart_js_dist.is_dir():
    STATICFILES_DIRS.append(("vendor/chart.js", _chart_js_dist))
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged after it ran, and given back if its worker dies, so a
# crash never loses work; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Slow or unreliable work goes to its own queue so it never delays the rest.
# Keys are registered task names (tests/shop/test_celery.py checks each one
# matches a task, and that every task sending email is on "email").
CELERY_TASK_ROUTES = {
    "notifications.notification_send": {"queue": "email"},
    "shipping.*": {"queue": "carriers"},
    # Tracking is the carriers' work; orders follow it in the same task.
    "orders.shipment_tracking_refresh": {"queue": "carriers"},
    "orders.shipments_tracking_poll": {"queue": "carriers"},
    "analytics.*": {"queue": "reports"},
}
# Periodic tasks are added here by the apps that own them.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # The outbox (notifications): emails owed for 30 minutes are queued again,
    # notifications older than 90 days deleted.
    "notifications-resend": {"task": "notifications.notifications_resend", "schedule": 600},
}
CELERY_TIMEZONE = "UTC"

# --- Email ------------------------------------------------------------------


def _mailer_from_url(url: str) -> dict[str, Any]:
    """EMAIL_URL (smtp://user:pass@host:587/?tls=True, consolemail://,
    filemail:///path, memorymail://) as a Django 6.1 mailer."""
    config = environ.Env.email_url_config(url)
    keys = {
        "EMAIL_HOST": "host",
        "EMAIL_PORT": "port",
        "EMAIL_HOST_USER": "username",
        "EMAIL_HOST_PASSWORD": "password",
        "EMAIL_USE_TLS": "use_tls",
        "EMAIL_USE_SSL": "use_ssl",
        "EMAIL_FILE_PATH": "file_path",
    }
    backend = config["EMAIL_BACKEND"]
    if backend.endswith("smtp.EmailBackend"):
        keys.pop("EMAIL_FILE_PATH")
    elif backend.endswith("filebased.EmailBackend"):
        keys = {"EMAIL_FILE_PATH": "file_path"}
    else:
        keys = {}
    options = {option: config[key] for key, option in keys.items() if config.get(key) not in (None, "")}
    return {"BACKEND": backend, "OPTIONS": options}


ANYMAIL_ESP = env.str("ANYMAIL_ESP", default="")
# The provider's tracking webhook (/anymail/<esp>/tracking/: bounces and
# complaints) authenticates by basic auth with "user:password"
# (ANYMAIL_WEBHOOK_SECRET). Unset, a random one nobody knows keeps it shut:
# anymail would otherwise accept any caller's events.
ANYMAIL = {
    "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="") or f"closed:{secrets.token_urlsafe(32)}",
    **env.json("ANYMAIL", default={}),
}
if ANYMAIL_ESP:
    # e.g. ANYMAIL_ESP=postmark ANYMAIL='{"POSTMARK_SERVER_TOKEN": "..."}'
    MAILERS = {"default": {"BACKEND": f"anymail.backends.{ANYMAIL_ESP}.EmailBackend", "OPTIONS": {}}}
else:
    MAILERS = {"default": _mailer_from_url(env.str("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Shop <shop@example.com>")
# Links made clickable in HTML emails (urlize) default to https (Django 7's default).
URLIZE_ASSUME_HTTPS = True
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The logo at the top of every email (an absolute address of a PNG: mail
# clients show no SVG); by default the shop's static/img/logo.png.
EMAIL_LOGO_URL = env.str("EMAIL_LOGO_URL", default="")

# --- Integrations chosen by later apps ----------------------------------------

PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="test")
SHIPPING_CARRIERS = env.list("SHIPPING_CARRIERS", default=["table"])

# --- Payments -----------------------------------------------------------------

# PAYMENT_GATEWAY (above) is "test" (simulated cards, no network, marked TEST
# MODE in the page) or "stripe", which needs these three keys: a system check
# (payments/checks.py) refuses to start without them.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Where Stripe's API and Stripe.js live: settings, so that tests and the demo
# can point them at a local fake Stripe (localstripe).
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
# The payment methods Stripe may offer; cards settle at once and can be
# captured later. Empty: whatever the Stripe dashboard enables.
STRIPE_PAYMENT_METHOD_TYPES = env.list("STRIPE_PAYMENT_METHOD_TYPES", default=["card"])
# Bounds each call to Stripe, so a slow Stripe cannot hold a page for long.
STRIPE_TIMEOUT_SECONDS = env.int("STRIPE_TIMEOUT_SECONDS", default=20)
# "automatic": the money is taken when the shopper pays; "manual": the card is
# only authorised then, and the payment captured at shipment.
PAYMENT_CAPTURE = env.str("PAYMENT_CAPTURE", default="automatic")
# Webhook deliveries signed longer ago than this (no replays), or dated
# further than this into the future, are refused.
PAYMENT_WEBHOOK_TOLERANCE_SECONDS = env.int("PAYMENT_WEBHOOK_TOLERANCE_SECONDS", default=300)

# --- Shipping -----------------------------------------------------------------

# Box and filling added to every parcel's weight.
SHIPPING_PACKAGING_GRAMS = env.int("SHIPPING_PACKAGING_GRAMS", default=250)
# Where parcels leave from (address book field names), for live carrier
# quotes and labels; a live carrier stays unused until it is complete.
SHIPPING_ORIGIN: dict[str, str] = env.json("SHIPPING_ORIGIN", default={})
# A page waits at most this long for live carrier rates, then shows table rates.
SHIPPING_LIVE_QUOTE_WAIT_SECONDS = env.int("SHIPPING_LIVE_QUOTE_WAIT_SECONDS", default=2)
# Live rates per destination and parcel are reused this long.
SHIPPING_QUOTE_CACHE_SECONDS = env.int("SHIPPING_QUOTE_CACHE_SECONDS", default=900)
# After a carrier failed, pages use table rates without asking it for this
# long, and the failure is logged once per such window.
SHIPPING_CARRIER_RETRY_SECONDS = env.int("SHIPPING_CARRIER_RETRY_SECONDS", default=60)
# How often tracking is polled for carriers that send no webhooks.
SHIPPING_TRACKING_POLL_SECONDS = env.int("SHIPPING_TRACKING_POLL_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["shipping-tracking-poll"] = {
    "task": "orders.shipments_tracking_poll",
    "schedule": SHIPPING_TRACKING_POLL_SECONDS,
}
# EasyPost (enabled by adding "easypost" to SHIPPING_CARRIERS). The base URL
# is a setting so tests can point it at a local stand-in; the timeout bounds
# each connect and each read; without a webhook secret tracking is polled.
EASYPOST_API_KEY = env.str("EASYPOST_API_KEY", default="")
EASYPOST_API_BASE = env.str("EASYPOST_API_BASE", default="https://api.easypost.com/v2")
EASYPOST_WEBHOOK_SECRET = env.str("EASYPOST_WEBHOOK_SECRET", default="")
EASYPOST_TIMEOUT_SECONDS = env.int("EASYPOST_TIMEOUT_SECONDS", default=5)

# --- Cart, tax and promotions -------------------------------------------------

# Whether catalog prices are entered with tax included (EU style) or without
# it (US style, tax added at checkout).
PRICES_INCLUDE_TAX = env.bool("PRICES_INCLUDE_TAX", default=True)
# Where tax is reckoned until the shopper gives an address (ISO country code,
# optional region as in the address book, e.g. "US", "CA").
TAX_DEFAULT_COUNTRY = env.str("TAX_DEFAULT_COUNTRY", default="DE")
TAX_DEFAULT_REGION = env.str("TAX_DEFAULT_REGION", default="")
# At most this many units of one variant per order.
CART_MAX_QUANTITY = env.int("CART_MAX_QUANTITY", default=20)
# Guest carts untouched this long are deleted by a periodic task.
CART_GUEST_MAX_AGE_DAYS = env.int("CART_GUEST_MAX_AGE_DAYS", default=30)
# A cart left with items this long gets one reminder (to people who opted in
# to hearing from the shop); carts idle for longer than the second setting
# are left alone (orders/reminders.py). Beat looks every 15 minutes.
# Reviews (reviews/): verified buyers publish at once unless their text
# holds a link; others wait for a moderator. REVIEWS_REQUIRE_PURCHASE lets
# only verified buyers write at all.
REVIEWS_PUBLISH_VERIFIED = env.bool("REVIEWS_PUBLISH_VERIFIED", default=True)
REVIEWS_REQUIRE_PURCHASE = env.bool("REVIEWS_REQUIRE_PURCHASE", default=False)
REVIEWS_PER_DAY = env.int("REVIEWS_PER_DAY", default=5)  # reviews written or edited per person
REVIEWS_REPORTS_PER_DAY = env.int("REVIEWS_REPORTS_PER_DAY", default=20)
REVIEWS_REPORTS_TO_HOLD = env.int("REVIEWS_REPORTS_TO_HOLD", default=3)  # reports that unpublish
REVIEWS_PAGE_SIZE = env.int("REVIEWS_PAGE_SIZE", default=10)
REVIEWS_PHOTOS_MAX = env.int("REVIEWS_PHOTOS_MAX", default=4)
# "Top rated" ranks by a Bayesian average: each product's reviews plus
# REVIEWS_RANK_PRIOR_COUNT imaginary ones of REVIEWS_RANK_PRIOR_MEAN stars.
REVIEWS_RANK_PRIOR_COUNT = env.int("REVIEWS_RANK_PRIOR_COUNT", default=5)
REVIEWS_RANK_PRIOR_MEAN = env.str("REVIEWS_RANK_PRIOR_MEAN", default="3.5")

CART_REMINDER_AFTER_HOURS = env.int("CART_REMINDER_AFTER_HOURS", default=4)
CART_REMINDER_WITHIN_DAYS = env.int("CART_REMINDER_WITHIN_DAYS", default=3)
CELERY_BEAT_SCHEDULE["cart-guests-purge"] = {
    "task": "cart.cart_guests_purge",
    "schedule": 24 * 3600,
}
# The automatic promotions the cart reads on every page are cached at most
# this long (saving a promotion replaces them at once; start and end times
# are checked on every read).
PROMOTIONS_CACHE_SECONDS = env.int("PROMOTIONS_CACHE_SECONDS", default=300)
# How often sale prices on product and listing pages follow promotions that
# start or end and catalog changes (the task skips the work when none did).
PROMOTIONS_SALE_PRICES_REFRESH_SECONDS = env.int("PROMOTIONS_SALE_PRICES_REFRESH_SECONDS", default=120)
CELERY_BEAT_SCHEDULE["promotions-sale-prices-refresh"] = {
    "task": "promotions.tasks.promotion_sale_prices_refresh",
    "schedule": PROMOTIONS_SALE_PRICES_REFRESH_SECONDS,
}

# --- Wishlists' alerts -------------------------------------------------------

# Back in stock (wishlists/alerts.py): beat looks every minute, and each unit
# that came back tells this many of the people waiting (first come first);
# the others wait for more stock.
WISHLIST_STOCK_ALERT_FACTOR = env.int("WISHLIST_STOCK_ALERT_FACTOR", default=2)
# Guests' back-in-stock subscriptions per client in an hour (each may email a
# confirmation to the address given).
WISHLIST_STOCK_ALERT_GUEST_PER_HOUR = env.int("WISHLIST_STOCK_ALERT_GUEST_PER_HOUR", default=10)
# A wished item whose price fell at least this many percent (a promotion's
# sale price counts) owes its owner one alert; beat looks hourly.
WISHLIST_PRICE_DROP_PERCENT = env.int("WISHLIST_PRICE_DROP_PERCENT", default=10)
CELERY_BEAT_SCHEDULE["wishlists-stock-alerts-send"] = {"task": "wishlists.stock_alerts_send", "schedule": 60}
CELERY_BEAT_SCHEDULE["wishlists-guests-purge"] = {
    "task": "wishlists.wishlists_guests_purge",
    "schedule": 24 * 3600,
}
CELERY_BEAT_SCHEDULE["wishlists-price-drops-alert"] = {
    "task": "wishlists.price_drops_alert",
    "schedule": 3600,
}

# --- Checkout and orders -----------------------------------------------------

# Stock is held this long for a shopper who reached payment; unpaid orders
# are cancelled after it by a periodic task.
CHECKOUT_RESERVATION_MINUTES = env.int("CHECKOUT_RESERVATION_MINUTES", default=15)
# A delivered order may be returned for this many days after its delivery
# (30: what shoppers expect in the EU, beyond the 14 days the law requires).
RETURN_WINDOW_DAYS = env.int("RETURN_WINDOW_DAYS", default=30)
CELERY_BEAT_SCHEDULE["orders-unpaid-expire"] = {"task": "orders.orders_unpaid_expire", "schedule": 60}
# Delivered orders become completed once their return window closed.
CELERY_BEAT_SCHEDULE["orders-complete"] = {"task": "orders.orders_complete", "schedule": 3600}
# Staff announcements go out in batches; one whose next batch was lost goes on.
CELERY_BEAT_SCHEDULE["orders-announcements-resume"] = {"task": "orders.announcements_resume", "schedule": 300}
# Analytics (analytics/): what shoppers do, as pseudonymous events
# (analytics/events.py says what is never recorded). Events are kept 13
# months, the longest the CNIL allows audience measurement without consent.
ANALYTICS_ENABLED = env.bool("ANALYTICS_ENABLED", default=True)
ANALYTICS_CONSENT_COOKIE = env.str("ANALYTICS_CONSENT_COOKIE", default="shop_analytics")
ANALYTICS_RETENTION_DAYS = env.int("ANALYTICS_RETENTION_DAYS", default=395)
CELERY_BEAT_SCHEDULE["analytics-events-purge"] = {"task": "analytics.events_purge", "schedule": 24 * 3600}
# The daily rollups of today and the two days before, recomputed every 15
# minutes: the dashboard is that fresh, and late refunds land in their day.
CELERY_BEAT_SCHEDULE["analytics-rollups-refresh"] = {"task": "analytics.rollups_refresh", "schedule": 15 * 60}
# Scheduled report emails (analytics.ReportSchedule): the first run of a day
# owes the day's (and on Mondays the week's) reports; later runs find them sent.
CELERY_BEAT_SCHEDULE["analytics-scheduled-reports-send"] = {
    "task": "analytics.scheduled_reports_send",
    "schedule": 3600,
}

# A delivered order asks for reviews once its customer has tried what came.
REVIEW_REQUEST_AFTER_DAYS = env.int("REVIEW_REQUEST_AFTER_DAYS", default=5)
REVIEW_REQUEST_WITHIN_DAYS = env.int("REVIEW_REQUEST_WITHIN_DAYS", default=14)
CELERY_BEAT_SCHEDULE["orders-review-requests-send"] = {
    "task": "orders.review_requests_send",
    "schedule": 3600,
}
CELERY_BEAT_SCHEDULE["orders-carts-abandoned-remind"] = {
    "task": "orders.carts_abandoned_remind",
    "schedule": 900,
}

# --- Accounts ---------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Length over composition rules (NIST SP 800-63B): no "one digit, one symbol".
# Predictable passwords (sequences, repeats, dates, keyboard walks, common
# words) are refused by zxcvbn's estimate (docs/decisions.md): at strength 3
# a password resists an offline attack on a copy of the database.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django_zxcvbn_password_validator.ZxcvbnPasswordValidator"},
]
PASSWORD_MINIMAL_STRENGTH = 3
PASSWORD_EXTRA_DICTIONARY = [SHOP_NAME]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int("ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", default=3)
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SHOP_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS = {
    # Five wrong passwords per account in five minutes, then refused.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Behind a reverse proxy the client's IP is in X-Forwarded-For; without this,
# per-IP limits would count every visitor as the proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_ENCRYPTION_KEY = env.str("MFA_ENCRYPTION_KEY", default="")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SHOP_NAME
# Staff must have two-factor authentication to use the admin; `make run`
# relaxes this for the demo only.
ADMIN_REQUIRE_MFA = env.bool("ADMIN_REQUIRE_MFA", default=True)

SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False


def _social_apps(provider: str) -> list[dict[str, str]]:
    """A provider gets an app (and so a button) only when its keys are set."""
    client_id = env.str(f"{provider.upper()}_CLIENT_ID", default="")
    secret = env.str(f"{provider.upper()}_CLIENT_SECRET", default="")
    return [{"client_id": client_id, "secret": secret}] if client_id and secret else []


SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "APPS": _social_apps("google"),
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
        "OAUTH_PKCE_ENABLED": True,
    },
    "github": {"APPS": _social_apps("github"), "SCOPE": ["user:email"]},
    "facebook": {"APPS": _social_apps("facebook"), "SCOPE": ["email"], "METHOD": "oauth2"},
}

PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="DE")
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# --- Security ---------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if urlsplit(MEDIA_URL).netloc:  # media from the object store's (or a CDN's) host
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], "{0.scheme}://{0.netloc}".format(urlsplit(MEDIA_URL))]
if PAYMENT_GATEWAY == "stripe":
    # Stripe.js comes from its host, shows the card fields and 3-D Secure in
    # frames and talks to Stripe's API (Stripe's CSP guide); with a local fake
    # Stripe, its host serves all three.
    _stripe_js = "{0.scheme}://{0.netloc}".format(urlsplit(STRIPE_JS_URL))
    _stripe_api = "{0.scheme}://{0.netloc}".format(urlsplit(STRIPE_API_BASE))
    _stripe_hosts = ["https://*.js.stripe.com"] if _stripe_js == "https://js.stripe.com" else []
    SECURE_CSP["script-src"] = [*SECURE_CSP["script-src"], _stripe_js, *_stripe_hosts]
    SECURE_CSP["frame-src"] = [CSP.SELF, _stripe_js, *_stripe_hosts, "https://hooks.stripe.com"]
    SECURE_CSP["connect-src"] = [*SECURE_CSP["connect-src"], *dict.fromkeys([_stripe_api, _stripe_js])]

# --- Locale -----------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # An expected 4xx (a NUL in the URL, a customer on the admin login) is one line, no traceback.
    "filters": {"client_errors": {"()": "shop.log.ClientErrorWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # At DEBUG the Stripe library logs request and response bodies
        # (client secrets among them); its warnings are enough.
        "stripe": {"level": "WARNING"},
    },
}

# --- The JSON API (api/) ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ScopePermission"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.PerClient",
        "api.throttling.PerPerson",
        "api.throttling.Named",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_RATE_ANON", default="120/min"),
        "user": env.str("API_RATE_USER", default="600/min"),
        "checkout": env.str("API_RATE_CHECKOUT", default="20/min"),
        "promo": env.str("API_RATE_PROMO", default="10/min"),
    },
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),  # X-Forwarded-For hops to trust for the client address
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SHOP_NAME} API",
    "DESCRIPTION": "The shop's JSON API: catalog, cart, checkout, account and staff. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses",
    ],
}
# Personal access tokens: the longest life, and how many live ones a person may hold.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
API_TOKEN_LIVE_MAX = env.int("API_TOKEN_LIVE_MAX", default=20)
