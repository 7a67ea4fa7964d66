import copy

import pytest

MINI_DOCUMENT = {
    "format": "redlines.scenario/1",
    "slug": "mini-crisis",
    "title": "Mini crisis",
    "summary": "Three allies, three levers, one winter.",
    "background": "A *small* scenario for tests.",
    "learning_objectives": ["Discover a partner's red line", "Trade LNG for sanctions"],
    "scoring": {"alignment_weight": 0.6},
    "roles": [
        {
            "code": "US",
            "name": "United States",
            "color": "#1f4e99",
            "weight": 3,
            "public_brief": "Lead the coalition.",
            "private_brief": "You can ship more LNG than you admit.",
            "objectives": ["Keep the coalition together"],
        },
        {"code": "JP", "name": "Japan", "color": "#c8102e", "weight": 2},
        {"code": "ROK", "name": "Republic of Korea", "weight": 1},
    ],
    "levers": [
        {
            "key": "sanctions",
            "label": "Autonomous sanctions",
            "unit": "index",
            "min": 0,
            "max": 100,
            "step": 5,
            "pressure": "up",
            "weight": 2,
            "holders": {
                "US": {"start": 90, "cost": 0.1},
                "JP": {"start": 50, "cost": 0.3},
                "ROK": {"start": 40, "cost": 0.4},
            },
        },
        {
            "key": "russian_lng_share",
            "label": "Russian LNG share",
            "unit": "%",
            "min": 0,
            "max": 20,
            "step": 1,
            "pressure": "down",
            "holders": {"ROK": {"start": 6, "cost": 1.5}, "JP": {"start": 9, "cost": 2}},
        },
        {
            "key": "us_lng_to_allies",
            "label": "US LNG to allies",
            "unit": "bcm",
            "min": 0,
            "max": 10,
            "step": 0.5,
            "pressure": "up",
            "description": "Long-term contracts offered to Japan and Korea.",
            "holders": {"US": {"start": 2}},
        },
    ],
    "red_lines": [
        {
            "id": "jp-sakhalin",
            "role": "JP",
            "lever": "russian_lng_share",
            "kind": "floor",
            "value": 5,
            "penalty": 25,
            "statement": "Japan will not give up Sakhalin-2 LNG below 5%.",
            "unless": [{"role": "US", "lever": "us_lng_to_allies", "op": ">=", "value": 4}],
        },
        {
            "id": "us-sanctions",
            "role": "US",
            "lever": "sanctions",
            "kind": "floor",
            "value": 80,
            "penalty": 15,
            "statement": "The US will not ease sanctions below 80.",
        },
    ],
    "rounds": [
        {
            "title": "Invasion",
            "briefing": "Tanks cross the border.",
            "phase_seconds": {"briefing": 60, "negotiation": 300},
            "injects": [
                {
                    "title": "Gas price spike",
                    "body": "Spot LNG doubles.",
                    "audience": ["JP", "ROK"],
                    "effects": [
                        {"role": "JP", "lever": "russian_lng_share", "cost_multiplier": 1.5}
                    ],
                },
                {"title": "UN vote"},
            ],
            "questions": ["Which red line surprised you?"],
        },
        {"title": "Winter", "weight": 2},
    ],
}


@pytest.fixture
def document():
    """A small valid scenario document (a fresh copy for each test)."""
    return copy.deepcopy(MINI_DOCUMENT)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users need no strong hashing; it would dominate the admin tests' run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
