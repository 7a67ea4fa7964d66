"""Plain words for what the server writes for people (report, replay, admin): proper plurals,
and teams, levers and red lines by the scenario's own names, never by codes, keys or ids.
Pure Python, no Django; the pages' counterpart is frontend/static/frontend/js/wording.js."""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 time", "7 times", "0 commitments" ("commitment" → "commitments" unless given)."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"


def number(value) -> str:
    """A figure as a person writes it: 4, 2.5 (no trailing .0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


class Names:
    """The scenario's names for its roles, levers and red lines."""

    def __init__(self, scenario: dict):
        self.roles = {role["code"]: role["name"] for role in scenario.get("roles", [])}
        self.levers = {lever["key"]: lever for lever in scenario.get("levers", [])}
        self.lines = {line["id"]: line for line in scenario.get("red_lines", [])}

    def role(self, code) -> str:
        return self.roles.get(code, str(code))

    def audience(self, codes) -> str:
        """ "everyone", "Japan", "Japan and Korea", "the United States, Japan and Korea"."""
        if codes in (None, "all"):
            return "everyone"
        names = [self.role(code) for code in codes]
        if len(names) <= 1:
            return "".join(names)
        return f"{', '.join(names[:-1])} and {names[-1]}"

    def lever(self, key) -> str:
        lever = self.levers.get(key)
        return lever["label"] if lever else str(key)

    def amount(self, key, value) -> str:
        """A value with its lever's unit: "9%", "4 Mt/yr", "1 deal"."""
        unit = (self.levers.get(key) or {}).get("unit") or ""
        if unit in ("%", "percent"):
            return f"{number(value)}%"
        if value == 1 and unit.endswith("s") and unit.isalpha() and not unit.endswith("ss"):
            unit = unit[:-1]
        return f"{number(value)} {unit}".strip()

    def red_line(self, line_id, *, with_value: bool = True) -> str:
        """ "Russian share of LNG imports, at least 5%"; without the value (what an
        existence-level reveal shows): "Russian share of LNG imports (a floor)"."""
        line = self.lines.get(line_id)
        if line is None:
            return "a red line"
        label = self.lever(line["lever"])
        if not with_value or line.get("value") is None:
            return f"{label} ({'a floor' if line['kind'] == 'floor' else 'a ceiling'})"
        bound = "at least" if line["kind"] == "floor" else "at most"
        return f"{label}, {bound} {self.amount(line['lever'], line['value'])}"

    def term(self, term: dict) -> str:
        """ "Japan: Russian share of LNG imports at most 3% (this round)"."""
        bound = "at least" if term["op"] == ">=" else "at most"
        duration = {"round": " (this round)", "game": " (for the game)"}.get(
            term.get("duration"), ""
        )
        return (
            f"{self.role(term['by'])}: {self.lever(term['lever'])} {bound} "
            f"{self.amount(term['lever'], term['value'])}{duration}"
        )
