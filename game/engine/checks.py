"""Payload checks shared by the command handlers: each returns the clean value or raises
Rejected with a message that names the offending field."""

from game.engine.errors import Rejected
from game.engine.scenario import find_lever, role_codes
from game.engine.state import is_number

STEP_TOLERANCE = 1e-9


def fmt(value) -> str:
    """A number as a person writes it: 5 rather than 5.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field(command: dict, key: str):
    if key not in command:
        raise Rejected("invalid", f"The field '{key}' is required.")
    return command[key]


def text(value, where: str, *, max_length: int, min_length: int = 1) -> str:
    """A string, stripped, of min_length..max_length characters."""
    if not isinstance(value, str):
        raise Rejected("invalid", f"'{where}' must be text.")
    value = value.strip()
    if len(value) < min_length:
        raise Rejected("invalid", f"'{where}' must not be empty.")
    if len(value) > max_length:
        raise Rejected("invalid", f"'{where}' is too long: at most {max_length} characters.")
    return value


def optional_text(command: dict, key: str, *, max_length: int) -> str:
    value = command.get(key)
    if value is None:
        return ""
    return text(value, key, max_length=max_length, min_length=0)


def number(value, where: str):
    if not is_number(value):
        raise Rejected("invalid", f"'{where}' must be a number.")
    return value


def integer(value, where: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Rejected("invalid", f"'{where}' must be a whole number.")
    if not low <= value <= high:
        raise Rejected("out_of_range", f"'{where}' must be between {low} and {high}.")
    return value


def choice(value, where: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(f"'{option}'" for option in options)
        raise Rejected("invalid", f"'{where}' must be one of {listed}.")
    return value


def role(scenario: dict, value, where: str) -> str:
    if not isinstance(value, str):
        raise Rejected("invalid", f"'{where}' must be a role code.")
    if value not in role_codes(scenario):
        known = ", ".join(role_codes(scenario))
        raise Rejected("unknown_role", f"'{where}': there is no role '{value}' (roles: {known}).")
    return value


def role_list(scenario: dict, value, where: str, *, allow_empty: bool = False) -> list[str]:
    """A list of distinct role codes, returned in scenario order."""
    if not isinstance(value, list):
        raise Rejected("invalid", f"'{where}' must be a list of role codes.")
    if not value and not allow_empty:
        raise Rejected("invalid", f"'{where}' must name at least one role.")
    codes = [role(scenario, item, f"{where}[{index}]") for index, item in enumerate(value)]
    if len(set(codes)) != len(codes):
        raise Rejected("invalid", f"'{where}' names a role twice.")
    return [code for code in role_codes(scenario) if code in codes]


def recipients(scenario: dict, value, where: str, *, sender: str) -> str | list[str]:
    """ "all" or a list of other roles (used for reveals)."""
    if value == "all":
        return "all"
    codes = role_list(scenario, value, where)
    if sender in codes:
        raise Rejected("invalid", f"'{where}': you cannot address your own role.")
    return codes


def lever(scenario: dict, value, where: str) -> dict:
    if not isinstance(value, str):
        raise Rejected("invalid", f"'{where}' must be a lever key.")
    found = find_lever(scenario, value)
    if found is None:
        raise Rejected("unknown_lever", f"'{where}': there is no lever '{value}'.")
    return found


def held_lever(scenario: dict, value, where: str, *, holder: str) -> dict:
    found = lever(scenario, value, where)
    if holder not in found["holders"]:
        raise Rejected(
            "not_your_lever", f"'{where}': {holder} does not hold the lever '{found['label']}'."
        )
    return found


def lever_value(lever_: dict, value, where: str):
    """A value within the lever's range and on its step grid."""
    number(value, where)
    low, high, step = lever_["min"], lever_["max"], lever_["step"]
    if not low - STEP_TOLERANCE <= value <= high + STEP_TOLERANCE:
        raise Rejected(
            "out_of_range",
            f"'{where}': {fmt(value)} is outside the range of '{lever_['label']}' "
            f"({fmt(low)} to {fmt(high)}).",
        )
    steps = (value - low) / step
    if abs(steps - round(steps)) > STEP_TOLERANCE * max(1.0, abs(steps)):
        raise Rejected(
            "off_step",
            f"'{where}': {fmt(value)} is not a valid setting of '{lever_['label']}', which "
            f"moves in steps of {fmt(step)} from {fmt(low)}.",
        )
    return value


def dict_of(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise Rejected("invalid", f"'{where}' must be an object.")
    return value


def list_of(value, where: str, *, max_items: int, min_items: int = 0) -> list:
    if not isinstance(value, list):
        raise Rejected("invalid", f"'{where}' must be a list.")
    if len(value) < min_items:
        items = "one item" if min_items == 1 else f"{min_items} items"
        raise Rejected("invalid", f"'{where}' must have at least {items}.")
    if len(value) > max_items:
        raise Rejected("invalid", f"'{where}' has too many items: at most {max_items}.")
    return value
