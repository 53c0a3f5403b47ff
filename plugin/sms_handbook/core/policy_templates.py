"""Annex C policy templates: those shipped in the package, and an organization's own."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from .data.yamlio import load_trusted


@dataclass(frozen=True)
class Section:
    heading: str
    guidance: str
    skeleton: str


@dataclass(frozen=True)
class PolicyTemplate:
    """A policy template; a policy that follows it has its section headings, in order."""

    id: str
    title: str
    summary: str
    clauses: dict[str, tuple[str, ...]]  # edition -> clause numbers
    sections: tuple[Section, ...]
    origin: str = "package"  # or the organization's file, relative to the project root


def parse(data: dict, origin: str = "package") -> PolicyTemplate:
    return PolicyTemplate(
        origin=origin,
        id=str(data["id"]),
        title=str(data["title"]),
        summary=str(data.get("summary", "")),
        clauses={
            str(k): tuple(str(n) for n in v or ()) for k, v in data.get("clauses", {}).items()
        },
        sections=tuple(
            Section(str(s["heading"]), str(s.get("guidance", "")), str(s.get("skeleton", "")))
            for s in data.get("sections", ())
        ),
    )


@cache
def builtin() -> dict[str, PolicyTemplate]:
    """The templates shipped in `sms_handbook/templates/policies/`, by id."""
    folder = files("sms_handbook") / "templates" / "policies"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yml"):
            template = parse(load_trusted(entry.read_text(encoding="utf-8")))
            found[template.id] = template
    return found
