"""Text a database can store. PostgreSQL refuses NUL in text and JSON columns, and a lone
surrogate (which JSON escapes can carry) cannot be encoded as UTF-8 at all; SQLite stores
both. Inputs are checked where they enter (requests, socket frames, scenario files), so
both back ends refuse the same text with the same message. Pure Python."""

UNSTORABLE = "contains a character that cannot be stored (a NUL character or an unpaired surrogate)"


def storable(text: str) -> bool:
    """Can `text` be stored as it is, in every supported database?"""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def all_storable(value) -> bool:
    """Is every string in `value` (keys included, at any depth) storable? (No paths: fast.)"""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not storable(item):
                return False
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return True


def unstorable_path(value, root: str = "") -> str | None:
    """Where in `value` (strings, and lists and dicts of them at any depth) the first text
    that cannot be stored is: `terms[0].lever`, `values (a key)`, `root` itself; or None.
    The path never quotes the offending text."""
    if all_storable(value):
        return None
    pending = [(value, root)]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str):
            if not storable(item):
                return path
        elif isinstance(item, dict):
            for key in item:
                if isinstance(key, str) and not storable(key):
                    return f"{path} (a key)" if path else "(a key)"
            children = [
                (child, f"{path}.{key}" if path else str(key)) for key, child in item.items()
            ]
            pending.extend(reversed(children))  # reported in document order
        elif isinstance(item, list | tuple):
            children = [(child, f"{path}[{index}]") for index, child in enumerate(item)]
            pending.extend(reversed(children))
    return None
