"""New entries of the Check and Act registers (`sms-handbook new risk|nonconformity|action`):
the next free id, the entry's fields, and the file with the entry appended as YAML text.

The entry is added at the end of its file, so every comment and the file's own layout
stay as they were (its bytes are kept, then the entry follows); a file whose list cannot
take an entry at its end (not the last top-level key, written in flow style) is refused
with :class:`Unplaceable`, never rewritten. Every value is written by the YAML emitter
(quoted where it must be), and the result is read back: it must hold the old data and
the new entry, exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import yaml

from .data.yamlio import YamlError, load_text


@dataclass(frozen=True)
class EntryType:
    """What `new TYPE` adds to which file."""

    name: str  # risk | nonconformity | action
    file: str  # the data file's name without .yml, also its list's key
    prefixes: tuple[str, ...]  # the id series continued, first found wins; the last is the default
    header: str  # a new file's text before its list key


#: The scales of a new risks.yml (its criteria block, below; the organization edits them).
DEFAULT_LIKELIHOOD = ("rare", "unlikely", "possible", "likely", "almost-certain")
DEFAULT_IMPACT = ("minor", "moderate", "major", "severe")

_RISKS_HEADER = """\
# The risk register: risks and opportunities, rated on the organization's own scales.
criteria:                         # our scales, lowest first: edit them to your own
  likelihood: [rare, unlikely, possible, likely, almost-certain]
  impact: [minor, moderate, major, severe]
  appetite: 6                     # rating = likelihood rank x impact rank (ranks from 1);
                                  # a rating above the appetite needs treatment
"""

TYPES = {
    "risk": EntryType(
        "risk", "risks", ("RSK",), _RISKS_HEADER,
    ),
    "nonconformity": EntryType(
        "nonconformity", "nonconformities", ("NC",),
        "# Nonconformities: what was found, why it happened and the actions taken.\n",
    ),
    "action": EntryType(
        "action", "actions", ("ACT",),
        "# Actions: what was decided, who does it and by when (`sms-handbook actions`).\n",
    ),
}  # fmt: skip
#: An opportunity continues the OPP series when the file has one, else the risks'.
OPPORTUNITY_PREFIXES = ("OPP", "RSK")
#: A new action is due this many days after it is raised (the owner changes it).
DUE_DAYS = 30


class Unplaceable(Exception):
    """The file cannot take an entry appended at its end; the message says why."""


# -- ids ---------------------------------------------------------------------------------


def _natural(text: str) -> list[Any]:
    """A sort key: digit runs compared as numbers (ACT-2026-010 after ACT-2026-9)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def next_id(existing: Iterable[str], prefixes: Sequence[str]) -> str:
    """The id after the highest of the first series (of `prefixes`) the ids hold: its
    last number plus one, as wide as before (ACT-2026-006 -> ACT-2026-007, RSK-009 ->
    RSK-010); `<last prefix>-001` when no id is of any series. Never an id in use."""
    used = set(existing)
    for prefix in prefixes:
        series = []
        for item in used:
            match = re.fullmatch(r"(.*?)(\d+)", item)
            if match is None:
                continue
            head = match.group(1)
            rest = head[len(prefix) :]
            if head.upper().startswith(prefix.upper()) and not rest[:1].isalpha():
                series.append(item)
        if series:
            highest = max(series, key=_natural)
            match = re.fullmatch(r"(.*?)(\d+)", highest)
            assert match is not None
            head, digits = match.group(1), match.group(2)
            number = int(digits)
            break
    else:
        head, digits, number = f"{prefixes[-1]}-", "000", 0
    while True:
        number += 1
        candidate = f"{head}{number:0{len(digits)}d}"
        if candidate not in used:
            return candidate


# -- the entries' fields -----------------------------------------------------------------


def middle(words: Sequence[str]) -> str:
    """The middle word of a scale (the lower of two middles)."""
    return words[(len(words) - 1) // 2]


def risk_entry(
    *,
    entry_id: str,
    kind: str,
    title: str,
    owner: str,
    likelihood: Sequence[str],
    impact: Sequence[str],
    today: date,
) -> dict[str, object]:
    """A new open risk or opportunity, at the middle of the scales, reviewed today:
    reduced (a risk) or exploited (an opportunity)."""
    return {
        "id": entry_id,
        "kind": kind,
        "title": title,
        "owner": owner,
        "likelihood": middle(likelihood),
        "impact": middle(impact),
        "treatment": "reduce" if kind == "risk" else "exploit",
        "reviewed_on": today,
        "status": "open",
    }


def nonconformity_entry(
    *, entry_id: str, description: str, raised_by: str, source: str, grade: str, today: date
) -> dict[str, object]:
    """A new open nonconformity, raised today."""
    return {
        "id": entry_id,
        "raised_on": today,
        "raised_by": raised_by,
        "source": source,
        "grade": grade,
        "description": description,
        "status": "open",
    }


def action_entry(
    *, entry_id: str, title: str, kind: str, owner: str, today: date
) -> dict[str, object]:
    """A new open action, raised today and due DUE_DAYS later."""
    return {
        "id": entry_id,
        "title": title,
        "kind": kind,
        "owner": owner,
        "raised_on": today,
        "due": today + timedelta(days=DUE_DAYS),
        "status": "open",
    }


# -- the file ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Addition:
    """A data file with one entry added."""

    data: bytes  # the whole file, as it is to be written
    line: int  # the 1-based line of the entry's first line
    created: bool  # whether the file is new


def entry_text(entry: Mapping[str, object], dash: int = 2, offset: int = 2) -> str:
    """One list item in block style: its dash at column `dash`, its keys `offset` columns
    further; every value as the YAML emitter writes it (quoted where it must be)."""
    dumped = yaml.safe_dump(
        [dict(entry)], sort_keys=False, allow_unicode=True, width=1_000_000,
        default_flow_style=False,
    )  # fmt: skip
    lines = dumped.splitlines()
    first = "-" + " " * (offset - 1) + lines[0][2:]
    rest = [" " * (offset - 2) + line if line else line for line in lines[1:]]
    return "".join(" " * dash + line + "\n" if line else "\n" for line in [first, *rest])


def add_entry(original: bytes | None, kind: EntryType, entry: Mapping[str, object]) -> Addition:
    """The file (`original`: its bytes, None when absent) with `entry` appended to its
    list. Unplaceable when the list cannot take it at the end of the file."""
    key = kind.file
    if original is None:
        head = f"{kind.header}{key}:\n"
        text = head + entry_text(entry)
        added = Addition(text.encode("utf-8"), head.count("\n") + 1, True)
        _check_round_trip(kind.header.encode("utf-8"), added.data, key, entry)
        return added
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        raise Unplaceable("not UTF-8 text") from None
    newline = "\r\n" if "\r\n" in text else "\n"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        raise Unplaceable("cannot be read as YAML") from None
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise Unplaceable(f"not a mapping in block style (`{key}:` on a line of its own)")
    keys = [k.value for k, _ in root.value if isinstance(k, yaml.ScalarNode)]
    if key not in keys:
        # No list yet: the key and the entry at the end (the file's other keys stay).
        prefix = "" if text.endswith(("\n", "\r")) or not text else newline
        head = f"{prefix}{key}:{newline}"
        tail = head + entry_text(entry).replace("\n", newline)
        data = original + tail.encode("utf-8")
        added = Addition(data, (text + head).count("\n") + 1, False)
        _check_round_trip(original, data, key, entry)
        return added
    key_node, value = root.value[keys.index(key)]
    if keys.index(key) != len(root.value) - 1:
        raise Unplaceable(
            f"`{key}:` is not the last top-level key, so a new entry cannot go at the end "
            f"of the file: move `{key}:` and its entries below the other keys"
        )
    if value.start_mark.index < key_node.end_mark.index:
        raise Unplaceable(f"`{key}:` is an alias; write the list out")
    after = text[value.end_mark.index :]
    if any(line.strip() and not line.lstrip().startswith("#") for line in after.splitlines()):
        raise Unplaceable(f"something follows the list `{key}:` (only comments may)")
    cut = None  # a span of the text the list replaces: an empty flow list, `[]`
    dash, offset, blank = key_node.start_mark.column + 2, 2, False
    if isinstance(value, yaml.SequenceNode) and value.flow_style:
        if value.value:
            raise Unplaceable(
                f"`{key}:` is written in flow style ([...]); write it as a block list, one "
                "`- id: ...` entry after another, to add to it"
            )
        cut = (value.start_mark.index, value.end_mark.index)
    elif isinstance(value, yaml.SequenceNode):
        dash = value.start_mark.column
        items = value.value
        if items and isinstance(items[0], yaml.MappingNode) and not items[0].flow_style:
            offset = max(items[0].start_mark.column - dash, 2)
        lines = text.splitlines()
        last_line = items[-1].start_mark.line if items else 0
        # Entries apart by a blank line when the last one is (or is the only one).
        blank = len(items) == 1 or (
            len(items) > 1 and last_line > 0 and not lines[last_line - 1].strip()
        )
    elif not (isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null")):
        raise Unplaceable(f"`{key}:` is not a list")
    if cut is not None:
        # The `[]` goes (a comment after it stays on the key's line), entries follow.
        body = text[: cut[0]].rstrip(" \t") + text[cut[1] :]
        base = body.encode("utf-8")
    else:
        body, base = text, original
    ending = "" if not body or body.endswith(("\n", "\r")) else newline
    if blank and not body.rstrip(" \t").endswith(newline * 2):
        ending += newline
    new = ending + entry_text(entry, dash, offset).replace("\n", newline)
    data = base + new.encode("utf-8")
    added = Addition(data, (body + ending).count("\n") + 1, False)
    _check_round_trip(original, data, key, entry)
    return added


def _plain(value: object) -> object:
    """A value as the handbook's loader reads it back (dates stay text)."""
    return value.isoformat() if isinstance(value, date) else value


def _check_round_trip(
    original: bytes | None, data: bytes, key: str, entry: Mapping[str, object]
) -> None:
    """The new text holds the old data and, last in its list, the entry: nothing else."""
    try:
        old = load_text(original.decode("utf-8")) if original is not None else {}
        new = load_text(data.decode("utf-8"))
    except (YamlError, UnicodeDecodeError) as exc:
        raise Unplaceable(f"could not take the new entry: {exc}") from None
    old = dict(old or {})
    listed = list(old.pop(key, None) or [])
    expected = {**old, key: [*listed, {k: _plain(v) for k, v in entry.items()}]}
    if not isinstance(new, dict) or dict(new) != expected:
        raise Unplaceable("could not take the new entry at its end, the rest unchanged")
