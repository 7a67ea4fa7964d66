"""The client address comes from X-Forwarded-For only through a configured trusted proxy."""

import pytest

from tabletop.clients import client_address_from

PROXY = "10.0.0.5"


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        ([], "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy configured: header ignored
        ([PROXY], "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from the proxy: ignored
        ([PROXY], PROXY, "198.51.100.1", "198.51.100.1"),
        ([PROXY], PROXY, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a spoofed first hop
        (["10.0.0.0/8"], PROXY, "198.51.100.1, 10.0.0.7", "198.51.100.1"),  # two proxies
        ([PROXY], PROXY, "", PROXY),  # the proxy sent nothing: it is all we know
        ([PROXY], PROXY, "not-an-ip", PROXY),
        (["10.0.0.0/8", "2001:db8::/32"], "2001:db8::1", "2001:db8::2, 2001:db9::5", "2001:db9::5"),
    ],
)
def test_rightmost_untrusted_hop(settings, trusted, remote, forwarded, client):
    settings.TRUSTED_PROXIES = trusted
    assert client_address_from(remote, forwarded) == client
