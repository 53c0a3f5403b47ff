"""Change control (ISO/IEC 20000-1 7.5.3): the rules every change to a controlled
document follows, applied to a pending change (`sms-handbook changes`) and to each
revision in the history (the change-control page, for the auditor).

A *state* is what one version of a document says about itself; the rules compare two
consecutive states. The history adds the approvals each revision carries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from . import fields, versions
from .people import People

#: The exceptions the history can show: a short label and what each means (`changes`
#: refuses the first three as problems of the same code).
EXCEPTIONS: dict[str, tuple[str, str]] = {
    "uncontrolled-change": (
        "changed without a new version",
        "the text or controlled metadata changed under the same approved version",
    ),
    "version-decreased": ("version went back", "the version went backwards"),
    "self-approval": ("self-approval", "approved by its owner, or by an author of the change"),
    "approval-by-other": (
        "not approved by the approver",
        "approved, but not by the designated approver",
    ),
    "no-approval": (
        "no approval recorded",
        "a new approved version with no approval recorded for it",
    ),
}
LABELS = {code: label for code, (label, _) in EXCEPTIONS.items()}


@dataclass(frozen=True, slots=True)
class State:
    """One version of a document, as its metadata and text said."""

    version: str | None
    status: str | None
    owner: str | None
    approver: str | None
    controlled: tuple[Any, ...]  # the values of fields.CONTROLLED
    record: bool = False  # a record series: under approval only when it names an approver

    @classmethod
    def of(cls, meta: Mapping[str, Any]) -> State:
        get = meta.get
        controlled = tuple(
            tuple(v) if isinstance(v := get(name), list) else v for name in fields.CONTROLLED
        )
        version, status, owner, approver = (
            v if isinstance(v := get(key), str) else None
            for key in ("version", "status", "owner", "approver")
        )
        return cls(version, status, owner, approver, controlled, get("type") == "record")

    @property
    def under_approval(self) -> bool:
        """Documents are approved; a record series only when it names an approver."""
        return not self.record or self.approver is not None

    @property
    def approved(self) -> bool:
        return self.status == "approved"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # a key of EXCEPTIONS
    message: str


def approver_in_force(before: State | None, after: State) -> str | None:
    """Who approves the change from `before` to `after`: the approver in force before it
    (the one the forge requires through the base's CODEOWNERS), so a change that hands
    the document to a new approver is approved by the one handing over; the new approver
    approves from the next change on. A new document's approver is the one it names."""
    if before is not None and before.under_approval and before.approver:
        return before.approver
    return after.approver


def hands_over(before: State | None, after: State) -> bool:
    """Whether the change gives the document a new approver."""
    return before is not None and bool(before.approver) and before.approver != after.approver


#: `control_since` as a commit: an abbreviated or whole object name.
_COMMIT = re.compile(r"[0-9a-fA-F]{7,40}")


@dataclass(frozen=True, slots=True)
class ControlStart:
    """Where change control begins (the `control_since` option): revisions before it
    are shown but not judged. By date (revisions that landed on or after it) or by a
    commit on the main line (it and the commits after it)."""

    on: date | None = None
    position: int | None = None  # the commit's index on the main line, oldest first

    def judges(self, position: int, landed: date) -> bool:
        """Whether the rules apply to a revision at this main-line position and date."""
        if self.position is not None:
            return position >= self.position
        return self.on is None or landed >= self.on

    @classmethod
    def parse(cls, value: object, main_line: Sequence[str]) -> ControlStart:
        """The option's value (a date, `YYYY-MM-DD`, or a commit on the main line, whose
        commits are `main_line`, oldest first). ValueError says what is wrong."""
        if value is None or value == "":
            return cls()
        if isinstance(value, date):
            return cls(on=value)
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            try:
                return cls(on=date.fromisoformat(text))
            except ValueError:
                raise ValueError(f"'{text}' is not a valid date") from None
        if not _COMMIT.fullmatch(text):
            raise ValueError(
                f"'{text}' is neither a date (YYYY-MM-DD) nor a commit (7 to 40 hex digits)"
            )
        found = [i for i, sha in enumerate(main_line) if sha.startswith(text.lower())]
        if len(found) != 1:
            raise ValueError(
                f"'{text}' is not a commit on the main line of HEAD"
                if not found
                else f"'{text}' names more than one commit; give more of its digits"
            )
        return cls(position=found[0])


#: Change control from the start of the history (no `control_since`).
FROM_THE_START = ControlStart()


def new_approved_version(before: State | None, after: State) -> bool:
    """Whether `after` makes a version approved that was not approved before."""
    return after.approved and (
        before is None or not before.approved or before.version != after.version
    )


def change_findings(
    doc_id: str,
    before: State | None,
    after: State,
    *,
    text_changed: bool,
    authors: Sequence[str] = (),
    separation: bool = True,
    names: People | None = None,
) -> list[Finding]:
    """What is wrong with one change from `before` to `after` (None: a new document).

    `authors` are the people keys of whoever made the change; `text_changed` whether
    the page's text (after its front matter) changed.
    """
    if not after.under_approval:
        return []
    found = []
    who = names.name if names is not None else (lambda key: key or "")
    if (
        before is not None
        and before.approved
        and after.approved
        and (before.version == after.version)
    ):
        what = [
            name
            for name, old, new in zip(
                fields.CONTROLLED, before.controlled, after.controlled, strict=True
            )
            if old != new
        ]
        if text_changed:
            what.insert(0, "text")
        if what:
            found.append(
                Finding(
                    "uncontrolled-change",
                    f"{doc_id}: {', '.join(what)} changed while it stayed at approved "
                    f"version {after.version}; raise the version and have it approved",
                )
            )
    if before is not None and versions.decreased(before.version, after.version):
        found.append(
            Finding(
                "version-decreased",
                f"{doc_id}: version went from {before.version} back to {after.version}",
            )
        )
    needs_approval = after.approved and (before is None or text_changed or before != after)
    if separation and after.approver and needs_approval:
        if after.approver == after.owner:
            found.append(
                Finding(
                    "self-approval", f"{doc_id}: {who(after.approver)} is both owner and approver"
                )
            )
        elif (approver := approver_in_force(before, after)) in authors:
            found.append(
                Finding(
                    "self-approval",
                    f"{doc_id}: {who(approver)} would approve a change they made",
                )
            )
    return found


@dataclass(frozen=True, slots=True)
class Evidence:
    """One approval or review of a revision, as evidence."""

    name: str
    person: str | None  # the people key it resolves to
    on: date
    source: str  # "trailer", "note", "note:github", ...
    review: bool  # a review, not an approval
    designated: bool  # the approver in force for that revision (see approver_in_force)


class Given(Protocol):
    """An approval or review as Git (a trailer, a note) or a forge gave it."""

    name: str
    email: str
    time: int  # epoch seconds
    source: str
    review: bool


def evidence_of(
    given: Iterable[Given], names: People, zone: ZoneInfo, approver: str | None
) -> tuple[Evidence, ...]:
    """Approvals and reviews as evidence: each matched to a person, dated in the
    organization's timezone, designated when by `approver` (the approver in force)."""
    return tuple(
        Evidence(
            a.name, person, datetime.fromtimestamp(a.time, zone).date(), a.source, a.review,
            designated=person is not None and person == approver,
        )
        for a in given
        for person in (names.key(a.name, a.email),)
    )


def approval_findings(
    doc_id: str,
    before: State | None,
    after: State,
    evidence: Sequence[Evidence],
    *,
    authors: Sequence[str] = (),
    separation: bool = True,
    names: People | None = None,
) -> list[Finding]:
    """What is wrong with how a revision that made a new approved version was approved.

    A document that entered the history already approved was approved before the
    handbook moved to Git: its approval is the metadata's, not a finding.
    """
    if before is None or not after.under_approval or not new_approved_version(before, after):
        return []
    who = names.name if names is not None else (lambda key: key or "")
    approvals = [e for e in evidence if not e.review]
    if not approvals:
        reviews = [e.name for e in evidence if e.review]
        reviewed = (
            f" (reviewed by {', '.join(reviews)}, which is not an approval)" if reviews else ""
        )
        return [
            Finding(
                "no-approval",
                f"{doc_id} {after.version} became approved with no approval recorded{reviewed}",
            )
        ]
    found = []
    if not any(e.designated for e in approvals):
        approver = approver_in_force(before, after)
        handing = (
            f" (the approver in force; it hands over to {who(after.approver)})"
            if hands_over(before, after)
            else ""
        )
        found.append(
            Finding(
                "approval-by-other",
                f"{doc_id} {after.version} was approved by "
                f"{', '.join(e.name for e in approvals)}, not by the designated approver "
                f"{who(approver)}{handing}",
            )
        )
    if separation:
        own = [e.name for e in approvals if e.person and e.person in (*authors, after.owner)]
        if own:
            found.append(
                Finding(
                    "self-approval",
                    f"{doc_id} {after.version}: {', '.join(own)} approved their own "
                    "document or change",
                )
            )
    return found
