"""Staff API tokens: created in the admin, stored hashed, revocable (docs/operations.md)."""

import secrets
from datetime import timedelta

from django.utils import timezone

from game.models import StaffToken
from game.services.lifecycle import token_hash

TOKEN_PREFIX = "rls_"  # recognisable in logs and secret scanners
LAST_USED_PRECISION = timedelta(minutes=1)  # at most one write a minute per token


def staff_token_create(*, user, name: str) -> tuple[StaffToken, str]:
    """A new token for `user`; returns the row and the token, which is never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = StaffToken.objects.create(
        user=user, name=name, prefix=token[:10], token_hash=token_hash(token)
    )
    return row, token


def staff_token_authenticate(token: str):
    """The active staff user a token belongs to, or None (unknown, revoked, user inactive or
    no longer staff). The socket's `hello` should call this as REST does."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        StaffToken.objects.select_related("user")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not (row.user.is_active and row.user.is_staff):
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
        StaffToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def staff_token_revoke(*, token: StaffToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
