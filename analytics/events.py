"""``track()``: the one way any view records what a shopper did.

The one exception to the layering (ARCHITECTURE.md): views of every app may
import this module, so it imports nothing of the shop's apps (only
``analytics.models``). A call is one INSERT (one round trip to the database
outside a transaction), after the checks that decide nothing is recorded at
all:

- the visitor asked not to be tracked: ``DNT: 1``, ``Sec-GPC: 1`` (Global
  Privacy Control), or the shop's own choice cookie (``ANALYTICS_CONSENT_COOKIE``
  set to ``off``, from the privacy page);
- a bot or a script (its user agent says so, or it sends none);
- staff (they click around the shop all day);
- ``ANALYTICS_ENABLED`` is off.

The visitor is a pseudonym: for a signed-in person a keyed hash of the
account (the same on every day and device), for anyone else a keyed hash of
the address and browser under a random key of the day that is deleted the
day after (``VisitorSalt``), so nothing links a visitor across days and no
address is stored. No cookie is set, so tracking changes no page's caching.
"""

import hashlib
import hmac
import logging
import re
import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from analytics.models import Event, VisitorSalt

logger = logging.getLogger(__name__)

# Crawlers, link previewers, uptime checks and command-line clients.
_BOT = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|monitor|pingdom|headlesschrome|"
    r"python-requests|curl|wget|httpclient|go-http|java/|libwww|scrapy|lighthouse",
    re.IGNORECASE,
)
_salts: dict[date, str] = {}  # this process's copy of the day's key
# What a person may type into the search box that names them: an email
# address or a phone number is kept out of the events (and so the reports).
_PERSONAL = re.compile(r"\S+@\S+|\+?\d[\d /().-]{6,}\d")

Name = Event.Name


def tracking_allowed(request: HttpRequest) -> bool:
    """Whether this request may be recorded at all (see the module's list)."""
    if not settings.ANALYTICS_ENABLED:
        return False
    if request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1":
        return False
    if request.COOKIES.get(settings.ANALYTICS_CONSENT_COOKIE) == "off":
        return False
    agent = request.headers.get("User-Agent", "")
    if not agent or _BOT.search(agent):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated and user.is_staff)


def _day_salt(day: date) -> str:
    salt = _salts.get(day)
    if salt is None:
        try:
            with transaction.atomic():
                salt = VisitorSalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})[
                    0
                ].salt
        except IntegrityError:  # made at the same moment by another process
            salt = VisitorSalt.objects.get(day=day).salt
        _salts.clear()
        _salts[day] = salt
    return salt


def visitor_of(request: HttpRequest) -> str:
    """The request's pseudonym (32 hex characters)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        message = f"user:{user.pk}"
        key = settings.SECRET_KEY
    else:
        address = request.META.get("REMOTE_ADDR", "")
        message = f"{address}|{request.headers.get('User-Agent', '')}"
        key = _day_salt(timezone.localdate())
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def track(
    request: HttpRequest,
    name: str,
    *,
    product_id: int | None = None,
    slug: str = "",
    reference: str = "",
    quantity: int | None = None,
    value: Decimal | None = None,
    query: str = "",
    results: int | None = None,
    step: str = "",
    source: str = "",
    user: Any = None,
) -> bool:
    """Record that the visitor did ``name`` (an ``Event.Name``); False when
    the request may not be recorded. ``user`` names the account when the
    request does not know it yet (a sign-up). Never raises: losing an event
    must not cost the shopper the page."""
    if not tracking_allowed(request):
        return False
    user = user or getattr(request, "user", None)
    row = {
        "name": name,
        "occurred_at": timezone.now(),
        "visitor": visitor_of(request),
        "user_id": user.pk if user is not None and user.is_authenticated else None,
        "product_id": product_id,
        "slug": slug[:220],
        "reference": reference[:40],
        "quantity": quantity,
        "value": value,
        "query": _PERSONAL.sub("…", " ".join(query.lower().split()))[:200],
        "results": results,
        "step": step[:20],
        "source": source[:40],
    }
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint: a failed insert leaves the caller's transaction alone
                _insert(row)
        else:
            _insert(row)  # one statement in autocommit: atomic by itself, one round trip
    except DatabaseError:
        logger.exception("analytics: an event was not recorded")
        return False
    return True


def _insert(row: dict[str, Any]) -> None:
    """One INSERT of an event, without the ORM's save machinery: tracking
    runs on every page, and ``Model.save`` (with its own transaction) cost
    twice as much as the row itself (benchmarks/analytics-results.md)."""
    ops = connection.ops
    values = dict(row)
    values["occurred_at"] = ops.adapt_datetimefield_value(row["occurred_at"])
    if row["value"] is not None:
        values["value"] = ops.adapt_decimalfield_value(row["value"], 12, 2)
    columns = ", ".join(ops.quote_name(column) for column in values)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ops.quote_name(Event._meta.db_table)} ({columns}) VALUES ({marks})",  # noqa: S608 -- names from the model
            list(values.values()),
        )


def campaign_source(request: HttpRequest) -> str:
    """The ``utm_source`` a shared link or a campaign brought the visitor
    with ("" without one): letters, digits, dot, dash and underscore only."""
    source = request.GET.get("utm_source", "")
    return source[:40] if re.fullmatch(r"[\w.-]{1,40}", source) else ""


def track_page(request: HttpRequest, name: str, **fields: Any) -> None:
    """A page view (``name``), and the campaign visit its link came with."""
    track(request, name, **fields)
    source = campaign_source(request)
    if source:
        track(request, Name.CAMPAIGN_VISIT, source=source, slug=request.path[:220])


# --- An account's events: "Download my data" and "Delete my account" ------------------
# Here, beside track(), so that the privacy flow (orders, below analytics)
# may call them under the same exception.


def events_export(*, user_id: int) -> list[dict[str, Any]]:
    """The account's events, oldest first, as JSON-able rows."""
    fields = (
        "name",
        "occurred_at",
        "slug",
        "reference",
        "quantity",
        "value",
        "query",
        "results",
        "step",
        "source",
    )
    rows = Event.objects.filter(user_id=user_id).order_by("occurred_at", "pk").values(*fields)
    return [{key: _plain(value) for key, value in row.items() if value not in ("", None)} for row in rows]


def _plain(value: Any) -> Any:
    """A value as JSON takes it: a time as ISO 8601, an amount as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def events_erase(*, user_id: int) -> int:
    """Delete the account's events; returns how many."""
    deleted, _kinds = Event.objects.filter(user_id=user_id).delete()
    return deleted
