"""Catalogues of ISO/IEC 20000-1 editions (clause numbers and short titles) and a crosswalk."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files

from .data.yamlio import load_trusted

EDITIONS = ("iso20000-1:2018", "iso20000-1:2011", "iso20000-1:2005")

#: Organizations that must confirm a clause before it counts as verified.
MIN_CONFIRMATIONS = 2


@dataclass(frozen=True)
class Source:
    """A public outline a catalogue was checked against (defined once per catalogue file)."""

    id: str
    title: str
    url: str
    org: str = ""  # who published it; sources from one organization confirm a clause once


@dataclass(frozen=True)
class Clause:
    number: str
    title: str
    unverified: bool = False  # fewer than MIN_CONFIRMATIONS organizations confirm it
    sources: tuple[str, ...] = ()  # ids of the sources that show this number and title

    @property
    def parent(self) -> str | None:
        return self.number.rsplit(".", 1)[0] if "." in self.number else None

    @property
    def depth(self) -> int:
        return self.number.count(".") + 1


@dataclass(frozen=True)
class Standard:
    id: str
    title: str
    name: str
    clauses: tuple[Clause, ...]
    first_requirement: int  # main clause where requirements start (scope, terms come before)
    sources: tuple[Source, ...] = ()

    def source(self, id: str) -> Source:
        return next(s for s in self.sources if s.id == id)

    @cached_property  # (in the instance's __dict__: made once, never hashed)
    def by_number(self) -> dict[str, Clause]:
        return {c.number: c for c in self.clauses}

    def __contains__(self, number: object) -> bool:
        return number in self.by_number

    def is_requirement(self, clause: Clause) -> bool:
        """Whether a clause states requirements (not scope, references or terms)."""
        return int(clause.number.split(".")[0]) >= self.first_requirement


def _read(name: str) -> dict:
    text = (files("sms_handbook") / "standards" / name).read_text(encoding="utf-8")
    return load_trusted(text)


@cache
def standard(edition: str) -> Standard:
    """The catalogue of one edition, e.g. `standard("iso20000-1:2018")`."""
    if edition not in EDITIONS:
        raise KeyError(edition)
    data = _read(edition.replace(":", "-") + ".yml")
    sources = tuple(
        Source(str(id), s["title"], s["url"], s.get("org", ""))
        for id, s in (data.get("sources") or {}).items()
    )
    known = {s.id: s for s in sources}
    clauses = tuple(_clause(c, known, edition) for c in data["clauses"])
    return Standard(
        data["id"],
        data["title"],
        data.get("name", ""),
        clauses,
        int(data["first_requirement"]),
        sources,
    )


def _clause(data: dict, known: dict[str, Source], edition: str) -> Clause:
    """One catalogue entry; `unverified` when fewer than two organizations confirm it.

    An explicit `unverified: true` is still honoured (for a clause whose sources disagree).
    """
    number = str(data["number"])
    ids = tuple(str(s) for s in data.get("sources") or ())
    undefined = [s for s in ids if s not in known]
    if undefined:
        raise ValueError(f"{edition} clause {number}: undefined source(s) {', '.join(undefined)}")
    orgs = {known[s].org or s for s in ids}
    unverified = bool(data.get("unverified", False)) or len(orgs) < MIN_CONFIRMATIONS
    return Clause(number, data["title"], unverified, ids)


@dataclass(frozen=True)
class CrosswalkTopic:
    topic: str
    clauses: dict[str, tuple[str, ...]]  # edition -> clause numbers


@cache
def crosswalk() -> tuple[CrosswalkTopic, ...]:
    """Topic-level correspondences between the editions."""
    data = _read("crosswalk.yml")
    return tuple(
        CrosswalkTopic(t["topic"], {e: tuple(str(n) for n in t.get(e) or ()) for e in EDITIONS})
        for t in data["topics"]
    )


def equivalents(number: str, source: str, target: str) -> tuple[str, ...]:
    """Clauses of `target` that the crosswalk pairs with `number` of `source`.

    A clause matches a topic when it or one of its parents is listed there.
    """
    found: list[str] = []
    for topic in crosswalk():
        listed = topic.clauses[source]
        if any(number == n or number.startswith(n + ".") for n in listed):
            found.extend(n for n in topic.clauses[target] if n not in found)
    return tuple(found)
