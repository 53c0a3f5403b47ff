"""Problems found in a handbook's data: one line each, `PATH:LINE: severity: CODE: message`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

#: Every problem code, with what it means. The README's reference table is built from this.
CODES: dict[str, str] = {
    "missing-file": "a required data file does not exist",
    "file-too-large": "a data file is larger than the loader accepts",
    "not-utf8": "a file is not valid UTF-8",
    "bom": "a data file starts with a byte-order mark",
    "empty-file": "a data file holds no data",
    "yaml-syntax": "the YAML cannot be parsed",
    "yaml-duplicate-key": "a mapping gives the same key twice",
    "yaml-too-complex": "aliases or nesting expand beyond what the loader accepts",
    "wrong-shape": "the top level of a file is not what the contract expects",
    "unknown-key": "a key the contract does not define (did-you-mean offered)",
    "missing-key": "a required key is absent",
    "wrong-type": "a value has the wrong type",
    "invalid-value": "a value is not one of those allowed (did-you-mean offered)",
    "invalid-date": "a date is not a valid YYYY-MM-DD date",
    "invalid-range": "an end date comes before its start date",
    "invalid-timezone": "the timezone is not an IANA zone name",
    "duplicate-id": "an id is declared twice",
    "unknown-person": "an owner or approver is not a key under people",
    "unknown-clause": "a clause number is not in the organization's standard edition",
    "unknown-phase": "a phase id does not resolve",
    "unknown-document": "a document id does not resolve",
    "unknown-template": "a policy template id does not resolve",
    "conflict": "register and front matter give different values for a field",
    "source-missing": "a document's source page does not exist",
    "source-outside": "a document's source points outside docs_dir",
    "source-and-location": "a document gives both a source and a location",
    "no-location": "an approved document has neither a source nor a location",
    "missing-field": "a document lacks a field it needs once register and front matter merge",
    "not-a-policy": "a policy register entry declares a type other than policy",
    "missing-approval": "an approved document lacks its approver or approval date",
    "missing-retention": "a record does not say how long it is kept",
    "review-before-approval": "next_review comes before approved_on",
    "missing-heading": "a page lacks a section heading of the template it follows",
    "heading-order": "a page has a template's section heading out of order",
    "placeholder": "a document in review or approved still holds a template's placeholder "
    "or guidance comment",
    "unknown-action": "an action id does not resolve to an action in actions.yml",
    "unknown-assessment": "a nonconformity's source looks like an id but is no assessment",
    "cannot-close": "a nonconformity is closed without a root cause, or with an action not "
    "done or a corrective one not verified effective",
    "date-without-status": "done_on or closed_on is given while the status is not done or "
    "closed",
    "date-in-future": "a date that records something done (raised, done, closed, verified) "
    "is after today",
    "misplaced-verification": "effectiveness is given for an action that is not corrective, "
    "or not done",
    "no-nonconformity": "an assessment found a clause nonconforming and no nonconformity "
    "was raised from it for that clause",
    "acceptance-missing": "a risk above the appetite is accepted with nobody recorded as "
    "accepting it",
    "review-not-held": "a management review planned after today already gives its inputs",
    "duplicate-username": "two people give the same GitHub or GitLab username",
    "self-approval": "a document's approver is its owner, or the author of the change "
    "(while separation_of_duties is on)",
    "approval-in-future": "approved_on is after today",
    "control-character": "a value holds a control character (such as ESC); only tab and "
    "line breaks are allowed",
    "outside-repository": "a page or data file is a symbolic link that leads outside the "
    "repository",
    "not-a-file": "a page or data file is not a regular file (a folder, a FIFO, a device)",
    # Found by `changes`, comparing the handbook before and after a change:
    "uncontrolled-change": "an approved document's text or controlled metadata changed "
    "while its version and approved status stayed the same",
    "version-decreased": "a document's version went backwards",
    "document-removed": "a controlled document was removed without being withdrawn or "
    "superseded first",
    "approval-by-other": "a change was approved, but not by the approver in force (the "
    "document's approver before the change)",
    # Found in the history (the strict gate, strict_change_control, makes them warnings):
    "no-approval": "a new approved version with no approval recorded for it",
    "control-since": "the control_since option is neither a date nor a main-line commit",
    "pdf-engine": "the pdf option is on, but WeasyPrint (the pdf extra) is not installed",
    "withheld-include": "a published page includes a withheld page (macros' include, "
    "snippets' --8<--), which would publish its text",
    # Found while building rather than in the data:
    "unreadable-approval": "a commit's Approved-by: or Reviewed-by: line cannot be read as "
    "Name <email> (warning: it is not counted)",
    "no-history": "Git history cannot be read (no repository, no git, unsafe ownership)",
    "shallow-clone": "the repository is a shallow clone, so history is incomplete",
    "review-overdue": "a document's review date has passed (check --fail-on-overdue)",
    "macro": "render: a macro in a page cannot be expanded without mkdocs-macros",
    "unknown-username": "record-approvals: a forge username is not given for any person",
    "no-username": "codeowners: an approver or the SMS manager has no username on the forge",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, positioned at a file and a 1-based line."""

    path: str
    line: int
    severity: Severity
    code: str
    message: str

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered problem code {self.code!r}")

    def __str__(self) -> str:
        """One line, whatever the file name or the quoted data hold."""
        return escape(f"{self.path}:{self.line}: {self.severity}: {self.code}: {self.message}")


#: Characters that would break the line (or the terminal) if printed as they are.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape(text: str) -> str:
    """`text` safe to print on one line of a terminal: every control character (tab and
    line breaks too) written as Python would write it in a string, e.g. `\\x1b`."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


def did_you_mean(value: object, choices: Iterable[object]) -> str:
    """Return ` (did you mean 'x'?)` for the closest choice, or an empty string."""
    if not isinstance(value, str):
        return ""
    names = [str(c) for c in choices]
    close = difflib.get_close_matches(value, names, n=1, cutoff=0.6)
    if not close:
        lowered = {n.lower(): n for n in names}
        if value.lower() in lowered:
            close = [lowered[value.lower()]]
    return f" (did you mean '{close[0]}'?)" if close else ""


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that are errors."""
    return [p for p in problems if p.severity == "error"]


def excerpt(value: object, limit: int = 80) -> str:
    """A value as a problem may quote it: one line, control characters escaped, at most
    `limit` characters."""
    text = escape(str(value).replace("\n", " "))
    return text if len(text) <= limit else text[: limit - 1] + "…"
