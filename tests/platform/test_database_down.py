"""tabletop.dbdown: which errors mean the database is out of reach, and how long a process
holds it for down (a real server against a closed port: tests/e2e/test_e2e_database_down.py)."""

from types import SimpleNamespace

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from tabletop import dbdown

pytestmark = pytest.mark.django_db


class PoolTimeout(Exception):
    """Named as psycopg_pool's."""


def wrapped(cause: BaseException) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def with_sqlstate(sqlstate):
    return SimpleNamespace(sqlstate=sqlstate)


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch):
    monkeypatch.setattr(dbdown, "_down_since", None)
    monkeypatch.setattr(dbdown, "_next_probe", 0.0)


@pytest.fixture
def postgresql(monkeypatch):
    """dbdown sees a PostgreSQL connection (it holds only a database server for down)."""
    monkeypatch.setattr(dbdown, "connection", SimpleNamespace(vendor="postgresql"))


@pytest.mark.parametrize(
    ("error", "lost"),
    [
        (wrapped(PoolTimeout("couldn't get a connection after 10.00 sec")), True),
        (InterfaceError("connection already closed"), True),
        (wrapped(Exception("connection refused")), True),  # no SQLSTATE: the connection failed
        (OperationalError("x"), True),
        (ValueError("not a database error"), False),
    ],
)
def test_which_errors_are_an_outage(postgresql, error, lost):
    assert dbdown.connection_lost(error) is lost


@pytest.mark.parametrize(
    ("sqlstate", "lost"),
    [("08006", True), ("57P01", True), ("57P03", True), ("40001", False), ("57014", False)],
)
def test_query_errors_are_not_an_outage(postgresql, sqlstate, lost):
    """A serialization failure or a cancelled statement is the query's own error."""
    error = OperationalError("x")
    error.__cause__ = Exception("x")
    error.__cause__.sqlstate = sqlstate
    assert dbdown.connection_lost(error) is lost


def test_sqlites_own_errors_are_not_an_outage(monkeypatch):
    monkeypatch.setattr(dbdown, "connection", SimpleNamespace(vendor="sqlite"))
    assert not dbdown.connection_lost(wrapped(Exception("database is locked")))


def test_held_down_until_a_probe_connects(postgresql, monkeypatch):
    probes = []
    answers = iter([False, True])
    monkeypatch.setattr(dbdown, "_probe", lambda: probes.append(1) or next(answers))
    monkeypatch.setattr(dbdown, "PROBE_SECONDS", 3600)
    assert not dbdown.database_down()
    dbdown.database_failed()
    assert dbdown.database_down() and probes == []  # no probe before PROBE_SECONDS
    monkeypatch.setattr(dbdown, "_next_probe", 0.0)
    assert dbdown.database_down() and probes == [1]  # the probe failed: still down
    monkeypatch.setattr(dbdown, "_next_probe", 0.0)
    assert not dbdown.database_down() and probes == [1, 1]  # it connected
    assert not dbdown.database_down() and probes == [1, 1]


def test_while_down_requests_get_503_at_once_but_healthz_checks(postgresql, monkeypatch):
    monkeypatch.setattr(dbdown, "_probe", lambda: False)
    dbdown.database_failed()
    api = Client().get("/api/games/")
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    assert api.json()["code"] == "database_unavailable" and api["Retry-After"]
    page = Client().get("/")
    assert page.status_code == 503 and b"database cannot be reached" in page.content
    assert Client().get("/healthz").status_code == 200  # asks the database itself


def test_a_view_that_loses_the_database_answers_503(postgresql, monkeypatch):
    def lost(*args, **kwargs):
        raise wrapped(PoolTimeout("couldn't get a connection after 10.00 sec"))

    monkeypatch.setattr("scenarios.apis.ScenarioListApi.get", lost)
    response = Client().get("/api/scenarios/")
    assert response.status_code == 503 and response.json()["code"] == "database_unavailable"
    assert dbdown._down_since is not None


def test_sqlite_is_never_held_down(monkeypatch):
    monkeypatch.setattr(dbdown, "connection", SimpleNamespace(vendor="sqlite"))
    dbdown.database_failed()
    assert dbdown._down_since is None
