"""Filters for the after-action report template: numbers, missing figures, dict lookups."""

from django import template

register = template.Library()
MISSING = "—"


@register.filter
def num(value, digits=1):
    """A number with `digits` decimals (whole numbers without); "—" for a missing figure."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if float(value).is_integer() and int(digits) <= 1:
        return f"{int(value)}"
    return f"{value:.{int(digits)}f}"


@register.filter
def signed(value, digits=1):
    """Like num, with an explicit sign (for gains and adjustments)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return MISSING
    return f"{value:+.{int(digits)}f}"


@register.filter
def get(mapping, key):
    if not isinstance(mapping, dict):
        return None
    return mapping.get(key, mapping.get(str(key)))


@register.filter
def roles_text(value):
    """An audience or recipient list: "all" or role codes joined."""
    if value in (None, "all"):
        return "all"
    if isinstance(value, list | tuple):
        return ", ".join(value)
    return str(value)


@register.filter
def negative(value, digits=1):
    """A cost or penalty as the points it takes off: "−7.50", "0.00"; "—" when missing."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return MISSING
    return f"−{value:.{int(digits)}f}" if value else f"{0:.{int(digits)}f}"


@register.filter
def percent(share):
    """A share of 1 as a percentage: 0.5 → "50%"."""
    if isinstance(share, bool) or not isinstance(share, int | float):
        return MISSING
    return f"{share * 100:g}%"


@register.filter
def rest_percent(share):
    """What is left of 1 after `share`, as a percentage: 0.5 → "50%"."""
    if isinstance(share, bool) or not isinstance(share, int | float):
        return MISSING
    return percent(1 - share)
