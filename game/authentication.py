"""REST authentication by staff API token: `Authorization: Bearer <token>`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from game.services.tokens import staff_token_authenticate


class StaffTokenAuthentication(BaseAuthentication):
    """A staff user's API token (created in the admin). No cookie, so no CSRF check."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.")
        try:
            token = parts[1].decode()
        except UnicodeDecodeError:
            raise AuthenticationFailed("The token is not valid.") from None
        user = staff_token_authenticate(token)
        if user is None:
            raise AuthenticationFailed("The token is unknown or revoked, or its user is not staff.")
        return user, None

    def authenticate_header(self, request):
        return "Bearer"


class StaffTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema: an HTTP bearer scheme."""

    target_class = "game.authentication.StaffTokenAuthentication"
    name = "staffToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A staff API token (created in the admin): Bearer rls_...",
        }
