"""Writing scenario documents as JSON or YAML files (reading is ``validation.parse_document``)."""

import json

import yaml

FORMATS = ("json", "yaml")
CONTENT_TYPES = {"json": "application/json", "yaml": "application/yaml"}


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as literal blocks, so briefs stay readable and editable."""


def _represent_text(dumper: yaml.SafeDumper, text: str):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_document(document: dict, *, fmt: str = "json") -> str:
    """The text of a scenario file in ``fmt`` ("json" or "yaml"), ending with a newline."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    raise ValueError(f"unknown scenario file format {fmt!r}; use one of {', '.join(FORMATS)}")


def format_for_filename(filename: str | None, default: str = "json") -> str:
    """``yaml`` for a .yaml/.yml name, ``json`` for .json, else ``default``."""
    suffix = (filename or "").rsplit(".", 1)[-1].lower() if filename and "." in filename else ""
    return {"json": "json", "yaml": "yaml", "yml": "yaml"}.get(suffix, default)
