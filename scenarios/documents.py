"""Scenario rows ⇄ scenario documents.

``ScenarioDraft`` holds a scenario's rows — saved ones from the database, or unsaved ones an
admin page is about to save — and builds the document from them. ``Scenario.to_document()``
uses it on saved rows; the admin uses it on the submitted rows, so both are checked by the
same validator. ``write_document`` creates the rows of a document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from scenarios.models import (
    DebriefQuestion,
    Inject,
    InjectEffect,
    Lever,
    LeverHolder,
    RedLine,
    RedLineCondition,
    Role,
    Round,
    Scenario,
)
from scenarios.validation import FORMAT, PHASES, normalize_number

# Where each document field of an entry is edited: document field → model (form) field.
# "" stands for the entry itself (a holder is named by its role; a question is its text).
FORM_FIELDS: dict[type[models.Model], dict[str, str]] = {
    Scenario: {
        **{name: name for name in ("slug", "title", "summary", "background")},
        "learning_objectives": "learning_objectives",
        "scoring.alignment_weight": "alignment_weight",
        "scoring.coalition_weight": "coalition_weight",
        "scoring.broken_commitment_penalty": "broken_commitment_penalty",
    },
    Role: {
        name: name for name in ("code", "name", "color", "weight", "public_brief", "private_brief")
    }
    | {"objectives": "objectives"},
    Lever: {
        **{name: name for name in ("key", "label", "unit", "step", "pressure", "weight")},
        "min": "min_value",
        "max": "max_value",
        "description": "description",
    },
    LeverHolder: {"": "role", "start": "start", "cost": "cost"},
    RedLine: {
        "id": "key",
        **{name: name for name in ("role", "lever", "kind", "value", "penalty", "statement")},
    },
    RedLineCondition: {name: name for name in ("role", "lever", "op", "value")},
    Round: {
        **{name: name for name in ("title", "briefing", "weight")},
        **{f"phase_seconds.{phase}": f"{phase}_seconds" for phase in PHASES},
    },
    Inject: {name: name for name in ("title", "body", "audience")},
    InjectEffect: {name: name for name in ("role", "lever", "cost_multiplier")},
    DebriefQuestion: {"": "text"},
}


@dataclass
class DraftItem:
    """One row of a draft, the form it was submitted with (if any) and its child rows."""

    obj: models.Model
    form: object = None
    children: dict[str, list[DraftItem]] = field(default_factory=dict)


@dataclass
class ScenarioDraft:
    """A scenario's rows as they are, or as an admin page would leave them."""

    scenario: Scenario
    form: object = None
    roles: list[DraftItem] = field(default_factory=list)
    levers: list[DraftItem] = field(default_factory=list)  # children: holders
    red_lines: list[DraftItem] = field(default_factory=list)  # children: conditions
    rounds: list[DraftItem] = field(default_factory=list)  # children: injects (effects), questions
    renamed_roles: dict[str, str] = field(default_factory=dict)  # old code → new code

    @classmethod
    def from_db(cls, scenario: Scenario) -> ScenarioDraft:
        draft = cls(scenario=scenario)
        if scenario.pk is None:
            return draft
        draft.roles = [DraftItem(role) for role in scenario.roles.all()]
        draft.levers = [
            DraftItem(lever, children={"holders": [DraftItem(h) for h in lever.holders.all()]})
            for lever in scenario.levers.prefetch_related("holders")
        ]
        draft.red_lines = [
            DraftItem(
                red_line, children={"conditions": [DraftItem(c) for c in red_line.conditions.all()]}
            )
            for red_line in scenario.red_lines.prefetch_related("conditions")
        ]
        draft.rounds = [
            DraftItem(
                round_,
                children={
                    "injects": [
                        DraftItem(
                            inject,
                            children={"effects": [DraftItem(e) for e in inject.effects.all()]},
                        )
                        for inject in round_.injects.all()
                    ],
                    "questions": [DraftItem(q) for q in round_.questions.all()],
                },
            )
            for round_ in scenario.rounds.prefetch_related("injects__effects", "questions")
        ]
        return draft

    def to_document(self) -> dict:
        return self.build()[0]

    def build(self) -> tuple[dict, dict[tuple, DraftItem]]:
        """The document, and the draft item each entry of it came from (keyed by path)."""
        sources: dict[tuple, DraftItem] = {(): DraftItem(self.scenario, self.form)}
        scenario = self.scenario
        codes: dict[int, str] = {}
        roles = []
        for index, item in enumerate(self.roles):
            role = item.obj
            if role.pk is not None:
                codes[role.pk] = role.code
            sources["roles", index] = item
            roles.append(
                {
                    "code": role.code,
                    "name": role.name,
                    "color": role.color,
                    "weight": normalize_number(role.weight),
                    "public_brief": role.public_brief,
                    "private_brief": role.private_brief,
                    "objectives": list(role.objectives),
                }
            )
        role_order = {role["code"]: index for index, role in enumerate(roles)}
        keys: dict[int, str] = {
            item.obj.pk: item.obj.key for item in self.levers if item.obj.pk is not None
        }
        levers = []
        for index, item in enumerate(self.levers):
            lever = item.obj
            sources["levers", index] = item
            holders = {}
            for holder_item in item.children.get("holders", []):
                code = codes.get(holder_item.obj.role_id)
                if code is not None:  # None: its role is being deleted
                    holders[code] = holder_item
            holders = dict(sorted(holders.items(), key=lambda pair: role_order[pair[0]]))
            for code, holder_item in holders.items():
                sources["levers", index, "holders", code] = holder_item
            levers.append(
                {
                    "key": lever.key,
                    "label": lever.label,
                    "unit": lever.unit,
                    "min": normalize_number(lever.min_value),
                    "max": normalize_number(lever.max_value),
                    "step": normalize_number(lever.step),
                    "pressure": lever.pressure,
                    "weight": normalize_number(lever.weight),
                    "description": lever.description,
                    "holders": {
                        code: {
                            "start": normalize_number(holder.obj.start),
                            "cost": normalize_number(holder.obj.cost),
                        }
                        for code, holder in holders.items()
                    },
                }
            )

        def reference(obj) -> dict | None:
            role, lever = codes.get(obj.role_id), keys.get(obj.lever_id)
            return None if role is None or lever is None else {"role": role, "lever": lever}

        red_lines = []
        for item in self.red_lines:
            red_line = item.obj
            target = reference(red_line)
            if target is None:
                continue
            index = len(red_lines)
            sources["red_lines", index] = item
            unless = []
            for condition_item in item.children.get("conditions", []):
                condition = condition_item.obj
                if (condition_target := reference(condition)) is not None:
                    sources["red_lines", index, "unless", len(unless)] = condition_item
                    value = normalize_number(condition.value)
                    unless.append({**condition_target, "op": condition.op, "value": value})
            red_lines.append(
                {
                    "id": red_line.key,
                    **target,
                    "kind": red_line.kind,
                    "value": normalize_number(red_line.value),
                    "penalty": normalize_number(red_line.penalty),
                    "statement": red_line.statement,
                    "unless": unless,
                }
            )
        rounds = []
        for index, item in enumerate(self.rounds):
            round_ = item.obj
            sources["rounds", index] = item
            injects = []
            for position, inject_item in enumerate(item.children.get("injects", [])):
                inject = inject_item.obj
                sources["rounds", index, "injects", position] = inject_item
                effects = []
                for effect_item in inject_item.children.get("effects", []):
                    effect = effect_item.obj
                    if (target := reference(effect)) is not None:
                        path = ("rounds", index, "injects", position, "effects", len(effects))
                        sources[path] = effect_item
                        multiplier = normalize_number(effect.cost_multiplier)
                        effects.append({**target, "cost_multiplier": multiplier})
                audience = inject.audience
                if isinstance(audience, list):
                    audience = [self.renamed_roles.get(code, code) for code in audience]
                injects.append(
                    {
                        "title": inject.title,
                        "body": inject.body,
                        "audience": audience,
                        "effects": effects,
                    }
                )
            questions = item.children.get("questions", [])
            for position, question_item in enumerate(questions):
                sources["rounds", index, "questions", position] = question_item
            rounds.append(
                {
                    "title": round_.title,
                    "briefing": round_.briefing,
                    "weight": normalize_number(round_.weight),
                    "phase_seconds": {
                        phase: getattr(round_, f"{phase}_seconds") for phase in PHASES
                    },
                    "injects": injects,
                    "questions": [question.obj.text for question in questions],
                }
            )
        document = {
            "format": FORMAT,
            "slug": scenario.slug,
            "title": scenario.title,
            "summary": scenario.summary,
            "background": scenario.background,
            "learning_objectives": list(scenario.learning_objectives),
            "scoring": {
                "alignment_weight": normalize_number(scenario.alignment_weight),
                "coalition_weight": normalize_number(scenario.coalition_weight),
                "broken_commitment_penalty": normalize_number(scenario.broken_commitment_penalty),
            },
            "roles": roles,
            "levers": levers,
            "red_lines": red_lines,
            "rounds": rounds,
        }
        return document, sources


def describe_path(path: tuple, document: dict) -> str:
    """A reader's name for a document path, e.g. ``Red line 'jp-sakhalin', condition 1, value``."""
    words: list[str] = []
    node: object = document
    parent = None
    for position, part in enumerate(path):
        child = _child(node, part)
        names_an_entry = part in _ENTRY_NAMES and position + 1 < len(path)
        if isinstance(part, int):
            words.append(_entry_name(parent, part, child))
        elif parent == "holders":
            words.append(f"holder {part}")
        elif not names_an_entry and part != "holders":
            words.append(part.replace("_", " "))
        parent, node = part, child
    text = ", ".join(word for word in words if word)
    return text[:1].upper() + text[1:] if text else "The scenario"


def _child(node: object, part: object) -> object:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return None


_ENTRY_NAMES = {
    "roles": "role {code}",
    "levers": "lever '{key}'",
    "red_lines": "red line '{id}'",
    "unless": "condition {number}",
    "rounds": "round {number}",
    "injects": "inject '{title}'",
    "effects": "cost effect {number}",
    "questions": "question {number}",
}


def _entry_name(collection: object, index: int, entry: object) -> str:
    if collection == "audience":
        return ""  # the message names the code
    fields = entry if isinstance(entry, dict) else {}
    template = _ENTRY_NAMES.get(collection, "entry {number}")
    values = {"code": "?", "key": "?", "id": "?", "title": "?", **fields, "number": index + 1}
    return template.format_map(values)


def write_document(scenario: Scenario, document: dict) -> Scenario:
    """Save ``scenario`` with the fields and child rows of ``document`` (which has no children
    yet in the database). ``document`` must be normalized; it need not be valid (a draft)."""
    scoring = document["scoring"]
    scenario.slug = document["slug"]
    scenario.title = document["title"]
    scenario.summary = document["summary"]
    scenario.background = document["background"]
    scenario.learning_objectives = list(document["learning_objectives"])
    scenario.alignment_weight = scoring["alignment_weight"]
    scenario.coalition_weight = scoring["coalition_weight"]
    scenario.broken_commitment_penalty = scoring["broken_commitment_penalty"]
    scenario.save()
    roles = {}
    for order, role in enumerate(document["roles"]):
        roles[role["code"]] = Role.objects.create(
            scenario=scenario, order=order, **{**role, "objectives": list(role["objectives"])}
        )
    levers = {}
    for order, data in enumerate(document["levers"]):
        lever = Lever.objects.create(
            scenario=scenario,
            order=order,
            key=data["key"],
            label=data["label"],
            unit=data["unit"],
            min_value=data["min"],
            max_value=data["max"],
            step=data["step"],
            pressure=data["pressure"],
            weight=data["weight"],
            description=data["description"],
        )
        levers[lever.key] = lever
        LeverHolder.objects.bulk_create(
            LeverHolder(lever=lever, role=roles[code], start=holder["start"], cost=holder["cost"])
            for code, holder in data["holders"].items()
        )
    for order, data in enumerate(document["red_lines"]):
        red_line = RedLine.objects.create(
            scenario=scenario,
            order=order,
            key=data["id"],
            role=roles[data["role"]],
            lever=levers[data["lever"]],
            kind=data["kind"],
            value=data["value"],
            penalty=data["penalty"],
            statement=data["statement"],
        )
        RedLineCondition.objects.bulk_create(
            RedLineCondition(
                red_line=red_line,
                order=position,
                role=roles[condition["role"]],
                lever=levers[condition["lever"]],
                op=condition["op"],
                value=condition["value"],
            )
            for position, condition in enumerate(data["unless"])
        )
    for order, data in enumerate(document["rounds"]):
        round_ = Round.objects.create(
            scenario=scenario,
            order=order,
            title=data["title"],
            briefing=data["briefing"],
            weight=data["weight"],
            **{f"{phase}_seconds": data["phase_seconds"][phase] for phase in PHASES},
        )
        for position, inject_data in enumerate(data["injects"]):
            audience = inject_data["audience"]
            inject = Inject.objects.create(
                round=round_,
                order=position,
                title=inject_data["title"],
                body=inject_data["body"],
                audience=list(audience) if isinstance(audience, list) else audience,
            )
            InjectEffect.objects.bulk_create(
                InjectEffect(
                    inject=inject,
                    order=number,
                    role=roles[effect["role"]],
                    lever=levers[effect["lever"]],
                    cost_multiplier=effect["cost_multiplier"],
                )
                for number, effect in enumerate(inject_data["effects"])
            )
        DebriefQuestion.objects.bulk_create(
            DebriefQuestion(round=round_, order=position, text=text)
            for position, text in enumerate(data["questions"])
        )
    return scenario
