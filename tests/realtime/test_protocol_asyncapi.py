"""docs/asyncapi.yaml and docs/protocol.md against the server.

A short game is played over WebsocketCommunicator; every frame the server really sent, and
every frame the test sent, must validate against the AsyncAPI schema of its `type` (a type
without a schema fails). The documents must name every engine command a client may send,
every session frame, every server frame and every error code.
"""

import re
from pathlib import Path

import pytest
import yaml
from channels.db import database_sync_to_async
from django.test import Client
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from game import engine
from game.engine.testing import term
from game.realtime import protocol

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI = ROOT / "docs" / "asyncapi.yaml"
PROTOCOL_MD = ROOT / "docs" / "protocol.md"
SPEC_URI = "urn:redlines:asyncapi"
CLIENT_COMMANDS = sorted(set(engine.COMMAND_TYPES) - set(engine.SYSTEM_COMMAND_TYPES))


class Spec:
    """The AsyncAPI document, with a validator per message and message lists by type."""

    def __init__(self, path: Path):
        self.document = yaml.safe_load(path.read_text())
        resource = Resource.from_contents(self.document, default_specification=DRAFT7)
        self.registry = Registry().with_resource(SPEC_URI, resource)
        self.client = self._messages("receiveClientFrames")
        self.server = self._messages("sendServerFrames")

    def resolve(self, ref: str):
        assert ref.startswith("#/"), ref
        node = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            node = self.resolve(node["$ref"])
        return node

    def validator(self, ref: str) -> Draft7Validator:
        return Draft7Validator({"$ref": f"{SPEC_URI}{ref}"}, registry=self.registry)

    def type_consts(self, schema) -> set[str]:
        """The `type` constants a payload schema admits (through $ref, allOf and oneOf)."""
        schema = self.deref(schema)
        found = set()
        const = self.deref(schema.get("properties", {}).get("type", {})).get("const")
        if const is not None:
            found.add(const)
        for key in ("allOf", "oneOf", "anyOf"):
            for part in schema.get(key, []):
                found |= self.type_consts(part)
        return found

    def _messages(self, operation: str) -> dict[str, list[tuple[str, Draft7Validator]]]:
        by_type: dict[str, list[tuple[str, Draft7Validator]]] = {}
        for ref in self.document["operations"][operation]["messages"]:
            message = self.deref(ref)
            payload_ref = message["payload"]["$ref"]
            for kind in self.type_consts(message["payload"]):
                by_type.setdefault(kind, []).append((payload_ref, self.validator(payload_ref)))
        return by_type

    def check(self, frame: dict, side: str) -> None:
        """`frame` must validate against one of the schemas of its type on that side."""
        messages = self.client if side == "client" else self.server
        candidates = messages.get(frame.get("type"))
        assert candidates, f"no {side} schema for frame type {frame.get('type')!r}: {frame}"
        problems = []
        for ref, validator in candidates:
            errors = sorted(validator.iter_errors(frame), key=lambda e: list(e.absolute_path))
            if not errors:
                return
            problems += [f"{ref} {list(e.absolute_path)}: {e.message}" for e in errors[:5]]
        raise AssertionError(
            f"{side} frame does not match its schema:\n{frame}\n" + "\n".join(problems)
        )


@pytest.fixture(scope="module")
def spec() -> Spec:
    return Spec(ASYNCAPI)


# -- the document itself ------------------------------------------------------------------------


def test_the_document_is_asyncapi_3(spec):
    document = spec.document
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["version"] == str(protocol.PROTOCOL_VERSION)
    assert document["channels"]["game"]["address"] == "/ws/games/{code}/"
    assert {op["action"] for op in document["operations"].values()} == {"send", "receive"}


def test_every_reference_resolves(spec):
    def refs(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(spec.document):
        assert spec.resolve(ref) is not None, ref


def test_every_channel_message_is_in_an_operation(spec):
    channel = set(spec.document["channels"]["game"]["messages"])
    used = {
        ref["$ref"].rsplit("/", 1)[-1]
        for operation in spec.document["operations"].values()
        for ref in operation["messages"]
    }
    assert channel == used


def test_every_message_example_validates(spec):
    for side, operation in (("client", "receiveClientFrames"), ("server", "sendServerFrames")):
        for ref in spec.document["operations"][operation]["messages"]:
            message = spec.deref(ref)
            assert message.get("examples"), f"{message['name']} has no example"
            validator = spec.validator(message["payload"]["$ref"])
            for example in message["examples"]:
                errors = [e.message for e in validator.iter_errors(example["payload"])]
                assert not errors, (side, message["name"], example, errors)


def test_every_client_command_and_session_frame_has_a_schema(spec):
    assert set(spec.client) == set(CLIENT_COMMANDS) | set(protocol.SESSION_TYPES)
    assert not set(spec.client) & set(engine.SYSTEM_COMMAND_TYPES)
    assert set(spec.server) == set(protocol.SERVER_TYPES)
    # `resume` is both the catch-up frame (v1 name of `catch_up`) and the engine command.
    assert len(spec.client["resume"]) == 2


def test_every_error_code_and_event_kind_is_in_the_schema(spec):
    codes = spec.deref({"$ref": "#/components/schemas/errorCode"})["enum"]
    assert sorted(codes) == sorted({*protocol.SESSION_ERROR_CODES, *engine.ERROR_CODES})
    kinds = spec.deref({"$ref": "#/components/schemas/eventKind"})["enum"]
    assert sorted(kinds) == sorted(engine.EVENT_KINDS)
    conditional = {
        rule["if"]["properties"]["kind"]["const"]
        for rule in spec.deref({"$ref": "#/components/schemas/event"})["allOf"]
    }
    assert conditional == set(engine.EVENT_KINDS)


def test_schemas_refuse_frames_the_server_refuses(spec):
    """Spot checks that the schemas are not vacuous."""
    bad_client = [
        {"type": "chat", "channel": "all", "text": "no id"},
        {"type": "extend", "id": "e", "seconds": 0},
        {"type": "resume", "id": "r", "seq": -1},
        {"type": "decision_set", "id": "d", "values": {"sanctions": "high"}},
        {"type": "offer_propose", "id": "o", "to": ["R2"], "terms": []},
    ]
    for frame in bad_client:
        with pytest.raises(AssertionError):
            spec.check(frame, "client")
    bad_server = [
        {"type": "ack", "id": "x"},
        {"type": "error", "id": None, "code": "no_such_code", "message": "?"},
        {"type": "events", "seq_from": 1, "seq": 1, "events": [{"kind": "game_started"}]},
        {"type": "pong", "id": None, "seq": 1, "extra": True},
    ]
    for frame in bad_server:
        with pytest.raises(AssertionError):
            spec.check(frame, "server")


# -- docs/protocol.md ---------------------------------------------------------------------------


def test_protocol_md_documents_every_frame_command_and_error_code():
    text = PROTOCOL_MD.read_text()
    headings = set(re.findall(r"^#+ .*?`([a-z_]+)`", text, flags=re.MULTILINE))
    for kind in [*CLIENT_COMMANDS, *protocol.SESSION_TYPES, *protocol.SERVER_TYPES]:
        assert kind in headings, f"docs/protocol.md has no heading for `{kind}`"
    table_codes = set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))
    for code in [*protocol.SESSION_ERROR_CODES, *engine.ERROR_CODES]:
        assert code in table_codes, f"docs/protocol.md has no table row for error `{code}`"
    for number in (4401, 4403, 4404, protocol.MAX_FRAME_BYTES, protocol.CLIENT_ID_MAX_LENGTH):
        assert str(number) in text
    assert f"{protocol.RATE_PER_SECOND} frames a second" in text
    assert f"bursts of {protocol.RATE_BURST}" in text
    for system in engine.SYSTEM_COMMAND_TYPES:
        assert f"`{system}`" in text  # named as forbidden


# -- a real game, every frame checked -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_every_frame_of_a_played_game_matches_the_schema(
    spec, table, sockets, staff_cookie, frame_recorder
):
    facilitator = await sockets(table.code, cookie=staff_cookie)
    # Every way of following views: patches (R1), patches inside events (R2), whole (R3).
    r1 = await sockets(table.code, token=table.seat("R1").token, query="views=2")
    r2 = await sockets(table.code, token=table.seat("R2").token, hello_extra={"views": 3})
    r3 = await sockets(table.code, token=table.seat("R3").token, hello_extra={"views": True})
    watch_key = await database_sync_to_async(
        lambda: table.game.__class__.objects.get(pk=table.game.pk).watch_key
    )()
    observer = await sockets(table.code, query=f"watch={watch_key}&views=1")
    refused = await observer.command("chat", channel="all", text="Observers only watch.")
    assert refused["code"] == "read_only"

    # A fourth player joins over REST; its browser session authenticates its socket.
    browser = Client()
    joined = await database_sync_to_async(browser.post)(
        f"/api/games/{table.code}/join", {"name": "Spare", "team": "R3"},
        content_type="application/json",
    )  # fmt: skip
    spare = await sockets(table.code, client=browser)
    spare_id = joined.json()["player_id"]

    await facilitator.ok("start")
    await r1.ping()
    await r2.send({"type": "sync", "id": "sync-1"})
    await r2.next("snapshot")
    for kind, payload in [("pause", {}), ("extend", {"seconds": 30}), ("resume", {})]:
        await facilitator.ok(kind, **payload)
    await facilitator.ok("advance")  # disclosure

    await r1.ok(
        "disclosure_set", choices=[{"red_line": "R1-sanctions", "to": "all", "level": "existence"}]
    )
    await r2.ok(
        "disclosure_set", choices=[{"red_line": "R2-energy", "to": ["R1"], "level": "full"}]
    )
    await facilitator.ok("advance")  # negotiation: the disclosures are published

    await r3.ok("reveal", red_line="R3-energy", to="all", level="existence")
    await r1.send({"type": "preview", "id": "pv-1", "terms": [term("R1", "aid_R1", ">=", 10)]})
    assert (await r1.next(lambda f: f.get("id") == "pv-1"))["type"] == "preview"
    await r1.ok("offer_propose", to=["R2"], terms=[term("R1", "aid_R1", ">=", 10)], note="Aid")
    await r2.ok("offer_accept", offer="o1")
    await r1.ok("offer_propose", to=["R2"], terms=[term("R2", "sanctions", ">=", 50)])
    await r2.ok("offer_accept", offer="o2")
    await r3.ok("offer_propose", to=["R1"], terms=[term("R3", "aid_R3", ">=", 4)])
    await r1.ok("offer_reject", offer="o3")
    await r3.ok("offer_propose", to=["R2"], terms=[term("R3", "aid_R3", ">=", 2)])
    await r3.ok("offer_withdraw", offer="o4")
    await r2.ok("offer_propose", to=["R3"], terms=[term("R2", "aid_R2", ">=", 2, "game")])
    await r3.ok("offer_counter", offer="o5", to=["R2"], terms=[term("R2", "aid_R2", ">=", 4)])
    await r1.ok("chat", channel="all", text="Shall we align on sanctions?")
    await r2.ok("chat", channel="team", text="Keep energy at 2.")
    await r3.ok("chat", channel=["R1", "R3"], text="Aid for energy?")
    await facilitator.ok("chat", channel="all", text="Ten minutes left.")
    await facilitator.ok("inject", title="Leak", body="A memo leaks.", audience=["R2"])
    await facilitator.ok("note", text="R3 is isolated.")
    refused = await r1.command("decision_set", values={"sanctions": 50})
    assert refused["code"] == "wrong_phase"
    await r1.send({"type": "resume", "id": "catch-up", "seq": r1.welcome["seq"]})
    assert (await r1.next(lambda f: f.get("id") == "catch-up"))["type"] == "events"
    await r1.send({"type": "catch_up", "id": "catch-up-2", "seq": r1.welcome["seq"]})
    assert (await r1.next(lambda f: f.get("id") == "catch-up-2"))["type"] == "events"
    await r1.send({"type": "history", "id": "h-1", "kinds": "chat", "limit": 2})
    page = await r1.next(lambda f: f.get("id") == "h-1")
    assert page["type"] == "history" and len(page["events"]) == 2 and page["more"] is True
    await facilitator.ok("advance")  # decision: o6 expires

    await r1.send({"type": "preview", "id": "pv-2", "decision": {"sanctions": 85}})
    assert (await r1.next(lambda f: f.get("id") == "pv-2"))["type"] == "preview"
    await r1.ok("decision_set", values={"sanctions": 85, "aid_R1": 10})
    await r1.ok("decision_lock")
    await r1.ok("decision_unlock")
    await r1.ok("decision_lock")
    await r2.ok("decision_set", values={"sanctions": 20, "energy": 2})
    await r2.ok("decision_lock")
    await r3.ok("decision_set", values={"energy": 2})
    await r3.ok("decision_lock")
    mark = await table.seq()
    await facilitator.ok("advance")  # results
    await facilitator.ok("adjust_score", role="R2", round=1, delta=-5, reason="Broke o2.")

    await facilitator.ok("player_move", player_id=spare_id, role="R1")
    await spare.next("snapshot")
    await facilitator.ok("player_remove", player_id=spare_id)
    await spare.expect_close(protocol.CLOSE_REMOVED)

    back = await sockets(table.code, token=table.seat("R2").token, hello_extra={"last_seq": mark})
    assert back.welcome["resumed"] is True
    await back.next("events")

    await facilitator.ok("advance")  # round 2
    await facilitator.ok("reveal_chat", reveal=True)
    last = await facilitator.ok("end")
    for socket in (facilitator, r1, r2, r3, back, observer):
        await socket.events_until(last["seq"])
        await socket.drain(0.05)

    # Every frame, both ways, against its schema.
    assert len(frame_recorder.sent) > 40 and len(frame_recorder.received) > 100
    for frame in frame_recorder.sent:
        spec.check(frame, "client")
    for frame in frame_recorder.received:
        spec.check(frame, "server")

    received_types = {frame["type"] for frame in frame_recorder.received}
    assert received_types == set(protocol.SERVER_TYPES)
    views = [frame for frame in frame_recorder.received if frame["type"] == "view"]
    assert any("base" in frame for frame in views) and any("base" not in f for f in views)
    carried = [f["view"] for f in frame_recorder.received if f["type"] == "events" and "view" in f]
    assert any("items" in view for view in carried)  # offers changed, as items
    sent_types = {frame["type"] for frame in frame_recorder.sent}
    assert sent_types == set(CLIENT_COMMANDS) - {"player_join"} | set(protocol.SESSION_TYPES)
    kinds = {
        event["kind"]
        for frame in frame_recorder.received
        if frame["type"] == "events"
        for event in frame["events"]
    }
    assert kinds == set(engine.EVENT_KINDS)
