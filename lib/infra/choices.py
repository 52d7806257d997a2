"""One way to look a name up among the valid ones: the error names what was asked and lists what exists."""


def pick(valid, key, what: str):
    """`valid[key]` for a dict (or `key` for a tuple) after checking it; a ValueError lists the valid keys."""
    if key not in valid:
        raise ValueError(f"unknown {what} {key!r}; valid: {', '.join(map(str, valid))}")
    return valid[key] if isinstance(valid, dict) else key
