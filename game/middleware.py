"""Game codes named in URLs are throttled per client address, like the socket's
(game.services.limits): after CODE_MISSES_PER_MINUTE unknown codes, every page or API call
naming a code answers 429 for a while, so codes cannot be found by scanning."""

from django.http import HttpResponse, JsonResponse

from game.models import Game
from game.services import limits
from tabletop.clients import client_address


def _named_code(request, view_kwargs) -> str | None:
    code = view_kwargs.get("code")
    if code is None and request.resolver_match and request.resolver_match.url_name == "home":
        code = request.GET.get("code", "").strip() or None  # the front door's code box
    return code.upper()[:12] if isinstance(code, str) else None


class GameCodeThrottleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        code = _named_code(request, view_kwargs)
        if code is None:
            return None
        address = client_address(request)
        if limits.code_attempts_blocked(address=address):
            message = limits.code_blocked_message()
            if request.path.startswith("/api/"):
                reply = JsonResponse({"code": "too_many_attempts", "message": message}, status=429)
            else:
                reply = HttpResponse(message, content_type="text/plain; charset=utf-8", status=429)
            reply["Retry-After"] = "60"
            return reply
        if not Game.objects.filter(code=code).exists():
            limits.code_missed(address=address)
        return None
