"""scenarios.validation: every rule of the format, one broken document per rule.

Each case starts from the small valid fixture (conftest.MINI_DOCUMENT), breaks one thing and
expects an error at the right path with a message that says what is wrong.
"""

import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import MINI_DOCUMENT

from scenarios.validation import (
    DEFAULT_COLORS,
    PATTERN_MESSAGES,
    ROOT,
    SCHEMA_PATH,
    ScenarioInvalid,
    ScenarioSyntaxError,
    format_path,
    load_document,
    load_schema,
    parse_document,
    split_path,
    validate_document,
)

REPO = Path(__file__).resolve().parents[2]


def invalid_of(document) -> ScenarioInvalid:
    with pytest.raises(ScenarioInvalid) as caught:
        validate_document(document)
    return caught.value


def errors_of(document) -> list[tuple[str, str]]:
    return invalid_of(document).errors


def lever(document, key):
    return next(item for item in document["levers"] if item["key"] == key)


def set_(path, value):
    """A mutation that sets the value at ``path`` (a document path string)."""

    def mutate(document):
        *parents, last = split_path(path)
        node = document
        for part in parents:
            node = node[part]
        node[last] = value

    return mutate


def delete(path):
    def mutate(document):
        *parents, last = split_path(path)
        node = document
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


def ten_roles(document):
    document["roles"] = [{"code": f"R{i}", "name": f"Role {i}"} for i in range(9)]


def role_without_lever(document):
    for item in document["levers"]:
        item["holders"].pop("ROK", None)


def no_shared_lever(document):
    document["levers"] = [
        {
            "key": "a",
            "label": "A",
            "min": 0,
            "max": 1,
            "pressure": "up",
            "holders": {"US": {"start": 0}},
        },
        {
            "key": "b",
            "label": "B",
            "min": 0,
            "max": 1,
            "pressure": "up",
            "holders": {"JP": {"start": 0}},
        },
        {
            "key": "c",
            "label": "C",
            "min": 0,
            "max": 1,
            "pressure": "up",
            "holders": {"ROK": {"start": 0}},
        },
    ]
    document["red_lines"] = []
    document["rounds"][0]["injects"][0]["effects"] = []


def duplicate_lever_key(document):
    document["levers"][1]["key"] = "sanctions"


def duplicate_red_line_id(document):
    document["red_lines"][1]["id"] = "jp-sakhalin"


def twenty_one_rounds(document):
    document["rounds"] = [{"title": f"Round {i}"} for i in range(21)]


# (mutation, path, a phrase the message must contain)
CASES = {
    # top level
    "format": (set_("format", "redlines.scenario/2"), "format", "must be 'redlines.scenario/1'"),
    "unknown top-level key": (set_("author", "me"), "author", "unknown field 'author'"),
    "misspelt top-level key": (set_("titel", "x"), "titel", "did you mean 'title'?"),
    "slug missing": (delete("slug"), "slug", "is required"),
    "slug format": (set_("slug", "Mini Crisis"), "slug", "lowercase letters and digits"),
    "slug too long": (set_("slug", "a" * 51), "slug", "too long"),
    "title missing": (delete("title"), "title", "is required"),
    "title empty": (set_("title", ""), "title", "must not be empty"),
    "title blank": (set_("title", "   "), "title", "must not be blank"),
    "summary not text": (set_("summary", 3), "summary", "must be a string, got a number (3)"),
    "learning objectives not a list": (
        set_("learning_objectives", "learn"),
        "learning_objectives",
        "must be a list",
    ),
    "learning objective not text": (
        set_("learning_objectives[0]", ["x"]),
        "learning_objectives[0]",
        "must be a string",
    ),
    "scoring unknown key": (set_("scoring.beta", 1), "scoring.beta", "unknown field 'beta'"),
    "alignment weight above 1": (
        set_("scoring.alignment_weight", 1.5),
        "scoring.alignment_weight",
        "must be at most 1, got 1.5",
    ),
    "coalition weight below 0": (
        set_("scoring.coalition_weight", -0.1),
        "scoring.coalition_weight",
        "must be at least 0",
    ),
    "broken commitment penalty negative": (
        set_("scoring.broken_commitment_penalty", -1),
        "scoring.broken_commitment_penalty",
        "must be at least 0",
    ),
    "scoring weight is a boolean": (
        set_("scoring.alignment_weight", True),
        "scoring.alignment_weight",
        "must be a number, got a boolean (true)",
    ),
    # roles
    "one role": (lambda d: d.update(roles=d["roles"][:1]), "roles", "at least 2 entries"),
    "nine roles": (ten_roles, "roles", "at most 8 entries, has 9"),
    "duplicate role code": (
        set_("roles[1].code", "US"),
        "roles[1].code",
        "duplicate role code 'US' (also roles[0])",
    ),
    "role code lowercase": (set_("roles[0].code", "us"), "roles[0].code", "capital letters"),
    "role code too long": (set_("roles[0].code", "ABCDEFGHI"), "roles[0].code", "1 to 8"),
    "role code a YAML boolean": (
        set_("roles[0].code", False),
        "roles[0].code",
        "quote words like NO",
    ),
    "role name missing": (delete("roles[2].name"), "roles[2].name", "is required"),
    "role weight zero": (set_("roles[0].weight", 0), "roles[0].weight", "greater than 0, got 0"),
    "role weight negative": (set_("roles[1].weight", -2), "roles[1].weight", "greater than 0"),
    "role weight text": (set_("roles[1].weight", "2"), "roles[1].weight", "must be a number"),
    "role colour not #rrggbb": (set_("roles[0].color", "blue"), "roles[0].color", "#rrggbb"),
    "role colour short form": (set_("roles[0].color", "#fff"), "roles[0].color", "#rrggbb"),
    "role unknown field": (
        set_("roles[0].colour", "#ffffff"),
        "roles[0].colour",
        "did you mean 'color'",
    ),
    "role objectives not a list": (
        set_("roles[0].objectives", "win"),
        "roles[0].objectives",
        "list",
    ),
    "role holds no lever": (role_without_lever, "roles[2]", "role 'ROK' holds no lever"),
    # levers
    "no levers": (set_("levers", []), "levers", "at least 1 entry"),
    "duplicate lever key": (
        duplicate_lever_key,
        "levers[1].key",
        "duplicate lever key 'sanctions'",
    ),
    "lever key format": (set_("levers[0].key", "Sanctions"), "levers[0].key", "lowercase letters"),
    "lever label missing": (delete("levers[0].label"), "levers[0].label", "is required"),
    "lever min equals max": (set_("levers[0].max", 0), "levers[0].max", "greater than min (0)"),
    "lever min above max": (set_("levers[0].min", 200), "levers[0].max", "greater than min (200)"),
    "lever min is text": (set_("levers[0].min", "0"), "levers[0].min", "must be a number"),
    "lever max is a boolean": (set_("levers[0].max", True), "levers[0].max", "got a boolean"),
    "lever step zero": (set_("levers[0].step", 0), "levers[0].step", "greater than 0"),
    "lever step negative": (set_("levers[0].step", -5), "levers[0].step", "greater than 0"),
    "lever pressure": (
        set_("levers[0].pressure", "sideways"),
        "levers[0].pressure",
        "must be one of 'up', 'down', got a string ('sideways')",
    ),
    "lever weight zero": (set_("levers[0].weight", 0), "levers[0].weight", "greater than 0"),
    "lever unit not text": (set_("levers[0].unit", 5), "levers[0].unit", "must be a string"),
    "lever holders not a mapping": (
        set_("levers[0].holders", ["US"]),
        "levers[0].holders",
        "mapping",
    ),
    "lever held by nobody": (set_("levers[2].holders", {}), "levers[2].holders", "no role holds"),
    "holder unknown role": (
        set_("levers[0].holders.XX", {"start": 0}),
        "levers[0].holders.XX",
        "unknown role 'XX'",
    ),
    "holder start missing": (
        delete("levers[0].holders.US.start"),
        "levers[0].holders.US.start",
        "is required",
    ),
    "holder start above range": (
        set_("levers[0].holders.US.start", 105),
        "levers[0].holders.US.start",
        "105 is outside the range of lever 'sanctions' (0 to 100)",
    ),
    "holder start below range": (
        set_("levers[1].holders.JP.start", -1),
        "levers[1].holders.JP.start",
        "outside the range",
    ),
    "holder start off step": (
        set_("levers[0].holders.US.start", 92),
        "levers[0].holders.US.start",
        "92 is not on the step of lever 'sanctions' (values go from 0 in steps of 5)",
    ),
    "holder start off a fractional step": (
        set_("levers[2].holders.US.start", 2.25),
        "levers[2].holders.US.start",
        "not on the step",
    ),
    "holder cost negative": (
        set_("levers[0].holders.US.cost", -0.1),
        "levers[0].holders.US.cost",
        "must be at least 0",
    ),
    "holder unknown field": (
        set_("levers[0].holders.US.costs", 1),
        "levers[0].holders.US.costs",
        "did you mean 'cost'",
    ),
    "no shared lever": (no_shared_lever, "levers", "at least one pair of roles must share a lever"),
    # red lines
    "duplicate red line id": (
        duplicate_red_line_id,
        "red_lines[1].id",
        "duplicate red line id 'jp-sakhalin' (also red_lines[0])",
    ),
    "red line id format": (
        set_("red_lines[0].id", "jp sakhalin"),
        "red_lines[0].id",
        "e.g. 'jp-sakhalin'",
    ),
    "red line unknown role": (
        set_("red_lines[0].role", "KP"),
        "red_lines[0].role",
        "unknown role 'KP'",
    ),
    "red line unknown lever": (
        set_("red_lines[0].lever", "lng"),
        "red_lines[0].lever",
        "unknown lever 'lng'",
    ),
    "red line on a lever its role does not hold": (
        set_("red_lines[1].lever", "russian_lng_share"),
        "red_lines[1].lever",
        "role 'US' does not hold lever 'russian_lng_share'",
    ),
    "red line kind": (set_("red_lines[0].kind", "wall"), "red_lines[0].kind", "'floor', 'ceiling'"),
    "red line value out of range": (
        set_("red_lines[0].value", 21),
        "red_lines[0].value",
        "21 is outside the range of lever 'russian_lng_share' (0 to 20)",
    ),
    "red line value off step": (
        set_("red_lines[1].value", 82),
        "red_lines[1].value",
        "not on the step",
    ),
    "red line value missing": (delete("red_lines[0].value"), "red_lines[0].value", "is required"),
    "red line penalty negative": (
        set_("red_lines[0].penalty", -5),
        "red_lines[0].penalty",
        "at least 0",
    ),
    "red line statement empty": (
        set_("red_lines[0].statement", ""),
        "red_lines[0].statement",
        "empty",
    ),
    "red line unless not a list": (
        set_("red_lines[0].unless", {}),
        "red_lines[0].unless",
        "a list",
    ),
    "condition unknown role": (
        set_("red_lines[0].unless[0].role", "KP"),
        "red_lines[0].unless[0].role",
        "unknown role 'KP'",
    ),
    "condition unknown lever": (
        set_("red_lines[0].unless[0].lever", "lng"),
        "red_lines[0].unless[0].lever",
        "unknown lever 'lng'",
    ),
    "condition lever not held by its role": (
        set_("red_lines[0].unless[0].role", "JP"),
        "red_lines[0].unless[0].lever",
        "role 'JP' does not hold lever 'us_lng_to_allies'",
    ),
    "condition operator": (
        set_("red_lines[0].unless[0].op", "=="),
        "red_lines[0].unless[0].op",
        "'>=', '<='",
    ),
    "condition value out of range": (
        set_("red_lines[0].unless[0].value", 11),
        "red_lines[0].unless[0].value",
        "outside the range",
    ),
    "condition value off step": (
        set_("red_lines[0].unless[0].value", 4.2),
        "red_lines[0].unless[0].value",
        "not on the step",
    ),
    "condition value missing": (
        delete("red_lines[0].unless[0].value"),
        "red_lines[0].unless[0].value",
        "is required",
    ),
    # rounds
    "no rounds": (set_("rounds", []), "rounds", "at least 1 entry"),
    "rounds missing": (delete("rounds"), "rounds", "is required"),
    "twenty-one rounds": (twenty_one_rounds, "rounds", "at most 20 entries, has 21"),
    "round title missing": (delete("rounds[1].title"), "rounds[1].title", "is required"),
    "round weight zero": (set_("rounds[1].weight", 0), "rounds[1].weight", "greater than 0"),
    "phase seconds negative": (
        set_("rounds[0].phase_seconds.briefing", -1),
        "rounds[0].phase_seconds.briefing",
        "at least 0",
    ),
    "phase seconds fractional": (
        set_("rounds[0].phase_seconds.negotiation", 1.5),
        "rounds[0].phase_seconds.negotiation",
        "must be a whole number",
    ),
    "phase seconds a boolean": (
        set_("rounds[0].phase_seconds.decision", True),
        "rounds[0].phase_seconds.decision",
        "got a boolean",
    ),
    "unknown phase": (
        set_("rounds[0].phase_seconds.debate", 60),
        "rounds[0].phase_seconds.debate",
        "unknown field 'debate'",
    ),
    "inject title missing": (
        delete("rounds[0].injects[1].title"),
        "rounds[0].injects[1].title",
        "is required",
    ),
    "inject audience a word": (
        set_("rounds[0].injects[0].audience", "everyone"),
        "rounds[0].injects[0].audience",
        'must be "all" or a list of role codes',
    ),
    "inject audience empty": (
        set_("rounds[0].injects[0].audience", []),
        "rounds[0].injects[0].audience",
        "at least one role code",
    ),
    "inject audience unknown role": (
        set_("rounds[0].injects[0].audience[1]", "KP"),
        "rounds[0].injects[0].audience[1]",
        "unknown role 'KP'",
    ),
    "inject audience repeats a role": (
        set_("rounds[0].injects[0].audience[1]", "JP"),
        "rounds[0].injects[0].audience[1]",
        "listed twice",
    ),
    "inject audience a number": (
        set_("rounds[0].injects[0].audience", 3),
        "rounds[0].injects[0].audience",
        "must be a string or a list",
    ),
    "effect unknown role": (
        set_("rounds[0].injects[0].effects[0].role", "KP"),
        "rounds[0].injects[0].effects[0].role",
        "unknown role 'KP'",
    ),
    "effect on a lever its role does not hold": (
        set_("rounds[0].injects[0].effects[0].lever", "us_lng_to_allies"),
        "rounds[0].injects[0].effects[0].lever",
        "role 'JP' does not hold lever 'us_lng_to_allies'",
    ),
    "effect multiplier zero": (
        set_("rounds[0].injects[0].effects[0].cost_multiplier", 0),
        "rounds[0].injects[0].effects[0].cost_multiplier",
        "greater than 0",
    ),
    "effect multiplier missing": (
        delete("rounds[0].injects[0].effects[0].cost_multiplier"),
        "rounds[0].injects[0].effects[0].cost_multiplier",
        "is required",
    ),
    "question not text": (set_("rounds[0].questions[0]", 1), "rounds[0].questions[0]", "a string"),
    "round unknown field": (
        set_("rounds[0].inject", []),
        "rounds[0].inject",
        "did you mean 'injects'",
    ),
    "number not finite": (set_("levers[0].weight", math.inf), "levers[0].weight", "finite number"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_rule_reports_its_path_and_message(document, case):
    """A document broken in one place fails with an error at that place saying what is wrong."""
    mutate, path, phrase = case
    mutate(document)
    errors = errors_of(document)
    messages = [message for where, message in errors if where == path]
    assert messages, f"no error at {path}; got {errors}"
    assert any(phrase in message for message in messages), messages


def test_the_fixture_is_valid(document):
    """The fixture the cases start from passes, so each failure comes from its mutation."""
    validate_document(document)


def test_brief_example_message(document):
    """The example of DESIGN §4 reads exactly as documented."""
    document["red_lines"][0]["unless"][0]["lever"] = "lng"
    invalid = invalid_of(document)
    assert "red_lines[0].unless[0].lever: unknown lever 'lng'" in str(invalid).splitlines()


def test_all_errors_are_collected_in_document_order(document):
    """Every problem is reported at once, ordered like the document, not just the first."""
    document["rounds"][0]["injects"][0]["audience"] = ["KP"]
    document["red_lines"][0]["value"] = 50
    document["levers"][0]["step"] = 0
    document["roles"][0]["color"] = "red"
    document["slug"] = "Bad Slug"
    document["extra"] = True
    paths = [path for path, _ in errors_of(document)]
    assert paths == [
        "slug",
        "roles[0].color",
        "levers[0].step",
        "red_lines[0].value",
        "rounds[0].injects[0].audience[0]",
        "extra",
    ]


def test_str_lists_every_error_as_path_colon_message(document):
    document["roles"][0]["weight"] = 0
    document["red_lines"][0]["role"] = "KP"
    invalid = invalid_of(document)
    assert str(invalid).splitlines() == [
        "roles[0].weight: must be greater than 0, got 0",
        "red_lines[0].role: unknown role 'KP'",
    ]
    assert invalid.as_dicts()[1] == {"path": "red_lines[0].role", "message": "unknown role 'KP'"}


def test_incomplete_problems_are_flagged_for_drafts(document):
    """Problems that only say "not finished yet" are listed in ``incomplete`` (drafts may have
    them); value errors are not."""
    document["roles"] = document["roles"][:1]
    document["rounds"] = []
    document["red_lines"][1]["value"] = 81
    invalid = invalid_of(document)
    assert ("roles", "needs at least 2 entries, has 1") in invalid.incomplete
    assert ("rounds", "needs at least 1 entry, has 0") in invalid.incomplete
    assert not any(path.startswith("red_lines[1]") for path, _ in invalid.incomplete)


def test_not_a_mapping():
    assert errors_of(["roles"]) == [(ROOT, "must be a mapping of scenario fields, got a list")]


def test_keys_must_be_text(document):
    document["levers"][0]["holders"][1] = {"start": 0}
    assert ('levers[0].holders["1"]', "keys must be text, got a number (1)") in errors_of(document)


def test_structurally_broken_document_still_reports_without_crashing():
    """Cross-field checks survive anything the schema pass rejects."""
    broken = {
        "format": "redlines.scenario/1",
        "slug": "x",
        "title": "X",
        "roles": [None, {"code": 1}, "US"],
        "levers": [{"key": "a", "min": "0", "max": None, "holders": []}, 7],
        "red_lines": [{"unless": [None, {"lever": 3}]}],
        "rounds": [{"injects": [{"audience": [1], "effects": [{}]}]}],
    }
    errors = errors_of(broken)
    assert ("roles[0]", "must be a mapping, got nothing (null)") in errors
    assert len(errors) > 10


# Normalization -----------------------------------------------------------------------------


def test_normalized_document_has_every_default(document):
    normalized = validate_document(document)
    assert normalized["scoring"] == {
        "alignment_weight": 0.6,
        "coalition_weight": 0.5,
        "broken_commitment_penalty": 10,
    }
    jp, rok = normalized["roles"][1], normalized["roles"][2]
    assert jp == {
        "code": "JP",
        "name": "Japan",
        "color": "#c8102e",
        "weight": 2,
        "public_brief": "",
        "private_brief": "",
        "objectives": [],
    }
    assert rok["color"] == DEFAULT_COLORS[2]
    lng = lever(normalized, "us_lng_to_allies")
    assert (lng["weight"], lng["holders"]["US"]) == (1, {"start": 2, "cost": 0})
    assert lever(normalized, "russian_lng_share")["description"] == ""
    assert normalized["red_lines"][1]["unless"] == []
    first, second = normalized["rounds"]
    assert first["weight"] == 1
    assert first["phase_seconds"] == {
        "briefing": 60,
        "disclosure": 0,
        "negotiation": 300,
        "decision": 0,
    }
    assert first["injects"][1] == {"title": "UN vote", "body": "", "audience": "all", "effects": []}
    assert second == {
        "title": "Winter",
        "briefing": "",
        "weight": 2,
        "phase_seconds": {"briefing": 0, "disclosure": 0, "negotiation": 0, "decision": 0},
        "injects": [],
        "questions": [],
    }


def test_minimal_document_gets_all_optional_fields():
    minimal = {
        "format": "redlines.scenario/1",
        "slug": "tiny",
        "title": "Tiny",
        "roles": [{"code": "A", "name": "A"}, {"code": "B", "name": "B"}],
        "levers": [
            {
                "key": "x",
                "label": "X",
                "min": 0,
                "max": 10,
                "pressure": "up",
                "holders": {"A": {"start": 0}, "B": {"start": 10}},
            }
        ],
        "rounds": [{"title": "Only round"}],
    }
    normalized = validate_document(minimal)
    assert list(normalized) == [
        "format",
        "slug",
        "title",
        "summary",
        "background",
        "learning_objectives",
        "scoring",
        "roles",
        "levers",
        "red_lines",
        "rounds",
    ]
    assert (normalized["summary"], normalized["background"], normalized["red_lines"]) == (
        "",
        "",
        [],
    )
    assert normalized["learning_objectives"] == []
    assert normalized["levers"][0]["step"] == 1
    assert normalized["levers"][0]["unit"] == ""


def test_normalization_is_idempotent_and_leaves_the_input_alone(document):
    before = copy.deepcopy(document)
    normalized = validate_document(document)
    assert document == before
    assert validate_document(copy.deepcopy(normalized)) == normalized


def test_holders_follow_role_order_and_whole_floats_become_ints(document):
    document["levers"][0]["min"] = 0.0
    document["levers"][0]["holders"]["US"]["start"] = 90.0
    normalized = validate_document(document)
    assert list(lever(normalized, "russian_lng_share")["holders"]) == ["JP", "ROK"]
    assert type(normalized["levers"][0]["min"]) is int
    assert type(normalized["levers"][0]["holders"]["US"]["start"]) is int
    assert normalized["levers"][2]["step"] == 0.5


def test_fractional_steps_are_exact_enough(document):
    document["levers"][2].update(min=0, max=1, step=0.1)
    document["levers"][2]["holders"]["US"]["start"] = 0.7
    document["red_lines"][0]["unless"][0]["value"] = 0.3
    validate_document(document)


# Paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parts",
    [
        (),
        ("slug",),
        ("red_lines", 2, "unless", 0, "lever"),
        ("levers", 0, "holders", "U S", "start"),
    ],
)
def test_paths_round_trip(parts):
    assert split_path(format_path(parts)) == parts


def test_path_text():
    assert format_path(("red_lines", 2, "unless", 0, "lever")) == "red_lines[2].unless[0].lever"


# Parsing -----------------------------------------------------------------------------------


def syntax_error(text, filename=None) -> tuple[str, str]:
    with pytest.raises(ScenarioSyntaxError) as caught:
        parse_document(text, filename=filename)
    [error] = caught.value.errors
    return error


def test_parse_json_and_yaml_give_the_same_document():
    as_json = json.dumps(MINI_DOCUMENT)
    import yaml

    as_yaml = yaml.safe_dump(MINI_DOCUMENT, sort_keys=False)
    assert parse_document(as_json, filename="a.json") == MINI_DOCUMENT
    assert parse_document(as_yaml, filename="a.yaml") == MINI_DOCUMENT
    assert parse_document(as_json) == MINI_DOCUMENT  # sniffed: starts with "{"
    assert parse_document(as_yaml) == MINI_DOCUMENT


def test_json_syntax_error_names_file_line_and_column():
    where, message = syntax_error('{\n  "slug": "x",\n  "title": \n}', filename="bad.json")
    assert where == "bad.json"
    assert message.startswith("invalid JSON at line 4, column 1:")


def test_yaml_syntax_error_names_line_and_column():
    where, message = syntax_error("slug: x\ntitle: [unclosed\n", filename="bad.yaml")
    assert where == "bad.yaml"
    assert message.startswith("invalid YAML at line 3, column 1")


def test_unquoted_yaml_operator_gets_a_hint():
    _, message = syntax_error("unless:\n  - role: US\n    op: >=\n    value: 4\n", filename="s.yml")
    assert "line 3" in message
    assert "op: '>='" in message


@pytest.mark.parametrize(
    ("text", "filename"),
    [('{"slug": "a", "slug": "b"}', "dup.json"), ("slug: a\nslug: b\n", "dup.yaml")],
)
def test_duplicate_keys_are_refused(text, filename):
    _, message = syntax_error(text, filename=filename)
    assert "duplicate key 'slug'" in message


def test_json_nan_is_refused():
    _, message = syntax_error('{"x": NaN}', filename="nan.json")
    assert "NaN" in message


def test_yaml_nan_is_reported_by_the_validator(document):
    document["levers"][0]["weight"] = float("nan")
    assert ("levers[0].weight", "must be a finite number, got nan") in errors_of(document)


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_file(text):
    where, message = syntax_error(text, filename="empty.yaml")
    assert where == "empty.yaml"
    assert "empty" in message or "got nothing" in message


def test_top_level_must_be_a_mapping():
    assert syntax_error("- a\n- b\n") == (ROOT, "must be a mapping of scenario fields, got a list")


def test_yaml_dates_are_reported_with_a_hint(document, tmp_path):
    import yaml

    document["title"] = "placeholder"
    text = yaml.safe_dump(document, sort_keys=False).replace(
        "title: placeholder", "title: 2022-02-24"
    )
    parsed = parse_document(text, filename="d.yaml")
    assert ("title", "must be a string, got a date (2022-02-24; quote it in YAML)") in errors_of(
        parsed
    )


def test_load_document_accepts_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(MINI_DOCUMENT).encode())
    assert load_document(path) == MINI_DOCUMENT


def test_load_document_refuses_non_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ScenarioSyntaxError) as caught:
        load_document(path)
    assert caught.value.errors[0][0] == "latin.yaml"
    assert "UTF-8" in caught.value.errors[0][1]


# The schema file ---------------------------------------------------------------------------


def test_schema_file_is_a_valid_json_schema():
    assert SCHEMA_PATH == REPO / "docs" / "scenario.schema.json"
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_every_schema_pattern_has_a_readable_message():
    patterns = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(load_schema())
    assert patterns == set(PATTERN_MESSAGES)


def test_normalized_documents_satisfy_the_schema(document):
    jsonschema.validate(validate_document(document), load_schema())


def test_validation_imports_without_django():
    """The engine's tests use the validator, so it must not need Django."""
    code = "import sys; sys.modules['django'] = None; import scenarios.validation"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
