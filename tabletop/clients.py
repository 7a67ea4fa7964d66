"""The client's address, for rate limits: REMOTE_ADDR, or behind trusted proxies the
rightmost hop of X-Forwarded-For that is not one of them (docs/operations.md, "Security").

Only a configured proxy's X-Forwarded-For is believed: a client can write any first hop, but
each trusted proxy appends the address it saw, so the rightmost address no trusted proxy
vouches for is the client's.
"""

import functools
import ipaddress

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def trusted_proxy(address: str) -> bool:
    """Is `address` (a peer's) one of the TRUSTED_PROXIES, whose forwarded headers count?"""
    return _trusted(address, _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address_from(remote: str, forwarded_for: str = "") -> str:
    """The client address given the peer's address and the X-Forwarded-For header (also for
    sockets: pass the ASGI scope's client host and its x-forwarded-for header)."""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(remote, networks):
        return remote or "unknown"
    client = remote
    for hop in reversed([hop.strip() for hop in forwarded_for.split(",") if hop.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return client  # garbage where an address belongs: the last proxy is all we know
        client = hop
        if not _trusted(hop, networks):
            return hop
    return client


def client_address(request) -> str:
    return client_address_from(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", "")
    )
