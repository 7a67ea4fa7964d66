"""Every page carries a Content-Security-Policy: scripts and styles from this site only."""

import re

import pytest
from django.test import Client


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/admin/login/", "/healthz"])
def test_pages_allow_only_own_scripts_and_styles(path):
    directives = policy(Client().get(path))
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"][0] == "'self'"
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_join_page_has_no_inline_script(make_game_for_csp):
    page = Client().get(f"/join/{make_game_for_csp}/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"<[^>]+\son[a-z]+=", page)  # no inline event handlers


@pytest.fixture
def make_game_for_csp(db):
    from game.engine import testing
    from game.services import game_create

    return game_create(snapshot=testing.coalition(3, rounds=1)).code


@pytest.mark.django_db
def test_api_docs_run_swagger_from_files():
    response = Client().get("/api/docs/")
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    init = Client().get("/api/docs/?script=")
    assert init.status_code == 200
    assert "SwaggerUIBundle" in init.content.decode()
