"""How every benchmark writes its record: res/bench/<name>.json (its numbers, with the commit, hardware and torch
that made them) and res/bench/<name>.md (the same for readers: a title, that provenance, then its tables)."""

from lib.infra import atomic, provenance
from lib.infra.paths import RES_DIR


def write(name: str, device, title: str, result: dict, lines: list) -> dict:
    """Write the record atomically, print it, and return the JSON part."""
    result = {**provenance.describe(device), **result}
    text = [f"# {title}", "", f"{result['hardware']}, torch {result['torch']}, commit {result['commit']}.", "", *lines]
    out = RES_DIR / "bench" / name
    atomic.write_json(out.with_suffix(".json"), result)
    atomic.write_text(out.with_suffix(".md"), "\n".join(text) + "\n")
    print("\n".join(text), f"\nwritten: {out.with_suffix('.md')}, {out.with_suffix('.json')}", sep="\n")
    return result
