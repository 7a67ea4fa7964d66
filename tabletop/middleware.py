"""Requests are checked at the edge for text no database can store (tabletop.storable): a NUL
in a query parameter, a header, a cookie, the user name of HTTP basic or a form
field is refused with 400 naming the field, before any view, login or lookup sees it (a NUL
reached PostgreSQL, which refused it: a 500, while SQLite stored it). JSON bodies are checked
by the REST parser (tabletop.parsers), scenario files by their validation."""

import base64
import binascii

from django.http import HttpResponse, JsonResponse

from tabletop.clients import trusted_proxy
from tabletop.storable import UNSTORABLE, storable

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _basic_credentials(request) -> str:
    """The `user:password` an `Authorization: Basic` header carries, decoded as DRF does."""
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(credentials.strip())
    except (binascii.Error, ValueError):
        return ""
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        text = decoded.decode("latin-1")
    return text


def _named(kind: str, name: str) -> str:
    """A field's label for the message; a name that is itself unstorable is not quoted."""
    return f"{kind} '{name[:40]}'" if storable(name) else f"name of a {kind}"


def _fields(request):
    """(field label, text) for every piece of text the request carries but a JSON body."""
    for name, values in request.GET.lists():
        for text in (name, *values):
            yield _named("query parameter", name), text
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            yield f"header {key[5:].replace('_', '-').title()}", value
    for name, value in request.COOKIES.items():
        yield _named("cookie", name), name + value
    yield "user name or password (HTTP basic)", _basic_credentials(request)
    if request.method == "POST" and request.content_type in FORM_TYPES:
        for name, values in request.POST.lists():
            for text in (name, *values):
                yield _named("form field", name), text
        for name, upload in request.FILES.items():
            yield _named("form field", name), name + (upload.name or "")


def unstorable_field(request) -> str | None:
    """The first field of `request` holding text that cannot be stored, or None."""
    for field, text in _fields(request):
        if not storable(text):
            return field
    return None


def refusal(request, field: str) -> HttpResponse:
    message = f"The {field} {UNSTORABLE}. Remove it and send again."
    if request.path_info.startswith("/api/"):
        body = {"code": "invalid", "message": message, "fields": {field: UNSTORABLE}}
        return JsonResponse(body, status=400)
    return HttpResponse(message, content_type="text/plain; charset=utf-8", status=400)


class StorableInputMiddleware:
    """400 for a request holding a NUL (or a lone surrogate) anywhere but a JSON body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = unstorable_field(request)
        if field is not None:
            return refusal(request, field)
        return self.get_response(request)


class ForwardedProtoMiddleware:
    """X-Forwarded-Proto is believed only from TRUSTED_PROXIES, as X-Forwarded-For is
    (tabletop.clients): from any other peer it is dropped before SecurityMiddleware reads it,
    so a client on plain HTTP cannot claim HTTPS (skipping the redirect to HTTPS, and making
    the site's own links say https)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_FORWARDED_PROTO" in request.META and not trusted_proxy(
            request.META.get("REMOTE_ADDR", "")
        ):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)
