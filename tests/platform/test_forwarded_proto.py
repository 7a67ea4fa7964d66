"""X-Forwarded-Proto is believed only from a configured proxy (TRUSTED_PROXIES), as
X-Forwarded-For is: a client on plain HTTP cannot claim HTTPS to skip the redirect."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def production_https(settings):
    """The production settings' HTTPS handling (the test settings run with DEBUG on)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.parametrize(
    ("trusted", "peer", "redirected"),
    [
        ([], "203.0.113.9", True),  # no proxy configured: the header is ignored
        ([PROXY], "203.0.113.9", True),  # not from the proxy: ignored
        ([PROXY], PROXY, False),  # from the proxy: believed
        (["10.0.0.0/8"], "10.9.8.7", False),
    ],
)
def test_forwarded_proto_counts_only_from_trusted_proxies(settings, trusted, peer, redirected):
    settings.TRUSTED_PROXIES = trusted
    response = Client(REMOTE_ADDR=peer).get("/", headers={"X-Forwarded-Proto": "https"})
    if redirected:
        assert response.status_code == 301
        assert response["Location"].startswith("https://")
    else:
        assert response.status_code == 200


def test_a_trusted_proxys_plain_http_is_redirected(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    response = Client(REMOTE_ADDR=PROXY).get("/", headers={"X-Forwarded-Proto": "http"})
    assert response.status_code == 301
