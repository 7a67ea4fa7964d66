"""The API documentation pages."""

import pytest


@pytest.mark.django_db
def test_api_docs_are_served_without_a_cdn(client):
    """Swagger UI's assets come from the app's own static files, so /api/docs/ works on a
    workshop network without internet access."""
    page = client.get("/api/docs/").content.decode()
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200
