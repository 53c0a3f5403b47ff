"""One commit of the log as Git recorded it: its changes, its approvals and reviews
(`Approved-by:` / `Reviewed-by:` trailers, and the same lines in Git notes under
`refs/notes/sms-approvals`), the lines of those that cannot be read, and the pull
request it landed."""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

#: Where `record-approvals` keeps approvals recorded from a forge.
NOTES_REF = "refs/notes/sms-approvals"
#: A commit's approval and review trailers, one a line (\x1d between them).
TRAILERS = "%(trailers:key=Approved-by,key=Reviewed-by,separator=%x1d)"
_GITHUB = re.compile(r"^Merge pull request #(\d+) from ")
GITLAB = re.compile(r"^See merge request \S*!(\d+)\s*$", re.MULTILINE)
_BITBUCKET = re.compile(r"\(pull request #(\d+)\)")
_SQUASHED = re.compile(r"\(#(\d+)\)\s*$")
#: An approval or review line of a trailer or a note: `Approved-by: Name <email>`,
#: in notes optionally followed by ` on <ISO time>` and ` via <forge>`.
_APPROVAL_LINE = re.compile(
    r"^(?P<key>Approved-by|Reviewed-by):[ \t]*(?P<name>[^<\n]*?)[ \t]*(?:<(?P<email>[^<>\n]*)>)?"
    r"(?:[ \t]+on[ \t]+(?P<on>\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:?\d\d)?))?"
    r"(?:[ \t]+via[ \t]+(?P<via>[\w.-]+))?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_APPROVAL_KEY = re.compile(r"^[ \t]*(?:Approved-by|Reviewed-by)[ \t]*:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Change:
    status: str  # A, M, D, R, C, T
    path: str
    old_path: str | None
    blob: str  # the file's blob after the change (zeros when deleted)


@dataclass(frozen=True, slots=True)
class Approval:
    """Someone's approval (or review) of a change, and where it was found."""

    name: str
    email: str
    time: int  # epoch seconds: when it was given, or the commit's time when unknown
    source: str  # "trailer", or "note" (recorded from a forge: "note:github")
    review: bool = False  # a `Reviewed-by:`: a review, not an approval


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    time: int  # committer time, epoch seconds
    author: str
    email: str
    subject: str
    body: str
    approvals: tuple[Approval, ...]  # from trailers and notes, reviews too
    changes: tuple[Change, ...]
    unreadable: tuple[str, ...] = ()  # approval or review lines that cannot be read


def approvals_in(text: str, time: int, source: str) -> list[Approval]:
    """The `Approved-by:` / `Reviewed-by:` lines of a commit's trailers or of a note."""
    found = []
    for match in _APPROVAL_LINE.finditer(text):
        name, email = match["name"].strip(), (match["email"] or "").strip()
        if not (name or email):
            continue
        when = time
        if match["on"]:
            with suppress(ValueError):
                when = int(datetime.fromisoformat(match["on"].replace("Z", "+00:00")).timestamp())
        via = f"{source}:{match['via'].lower()}" if match["via"] else source
        review = match["key"].lower() == "reviewed-by"
        found.append(Approval(name or email, email, when, via, review))
    return found


def unreadable_in(text: str) -> list[str]:
    """The lines that say `Approved-by:` or `Reviewed-by:` (in any case, as Git reads
    trailer keys) but cannot be read as `Name <email>`."""
    found = []
    for line in text.splitlines():
        if _APPROVAL_KEY.match(line):
            match = _APPROVAL_LINE.fullmatch(line.strip())
            if match is None or not (match["name"].strip() or match["email"]):
                found.append(line.strip())
    return found


def parse_commit(record: bytes) -> Commit:
    """One commit of the log: its fields, then its raw changes (NUL-separated)."""
    parts = record.split(b"\x1f", 9)
    sha, parents, time, author, email, subject, trailers, note, body = (
        p.decode("utf-8", "replace") for p in parts[:9]
    )
    changes = []
    tokens = parts[9].split(b"\0")
    i = 0
    while i < len(tokens):
        meta = tokens[i].lstrip(b"\n")
        if not meta.startswith(b":"):
            i += 1
            continue
        fields = meta.decode("ascii", "replace").split()
        status, blob = fields[4][0], fields[3]
        if status in "RC":
            old, new = tokens[i + 1].decode(), tokens[i + 2].decode()
            changes.append(Change(status, new, old, blob))
            i += 3
        else:
            changes.append(Change(status, tokens[i + 1].decode(), None, blob))
            i += 2
    seconds = int(time)
    trailers = trailers.replace("\x1d", "\n")
    approvals = (
        *approvals_in(trailers, seconds, "trailer"),
        *(approvals_in(note, seconds, "note") if note else ()),
    )
    return Commit(
        sha, tuple(parents.split()), seconds, author, email, subject, body, approvals,
        tuple(changes), (*unreadable_in(trailers), *unreadable_in(note)),
    )  # fmt: skip


def pull_request(commit: Commit) -> int | None:
    """The pull/merge request a main-line commit landed, from its message."""
    for pattern, text in (
        (_GITHUB, commit.subject),
        (GITLAB, commit.body),
        (_BITBUCKET, commit.subject),
        (_SQUASHED, commit.subject),
    ):
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None
