"""A merged pull request's approvals as a forge's API returns them, turned into the
approval lines that `refs/notes/sms-approvals` keeps on its commit.

GitHub (the list of a pull request's reviews): each reviewer's latest review that
sets a state counts; a comment-only review changes nothing, as on GitHub itself; only
an approval is kept. GitLab (a merge request's approvals): everyone in `approved_by`.
"""

from __future__ import annotations

import json
import re
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .git import history
from .model import Organization
from .people import People
from .problems import Problem

#: Review states that set (or clear) a GitHub reviewer's verdict.
_VERDICTS = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")


@dataclass(frozen=True)
class Approval:
    person: str  # people key
    name: str
    email: str
    on: str  # ISO time as the forge gave it ("" when it gave none)
    forge: str

    def as_approval(self) -> history.Approval:
        """As the history reads it from a note (the time as given, else now)."""
        when = int(time.time())
        with suppress(ValueError):
            when = int(datetime.fromisoformat(self.on.replace("Z", "+00:00")).timestamp())
        return history.Approval(self.name, self.email, when, f"note:{self.forge}")

    @property
    def line(self) -> str:
        """As a note keeps it: `Approved-by: Name <email> on TIME via FORGE`."""
        email = f" <{self.email}>" if self.email else ""
        on = f" on {self.on}" if self.on else ""
        return f"Approved-by: {self.name}{email}{on} via {self.forge}"


class ForgeDataError(Exception):
    """The file is not what the forge's API returns."""


def parse(text: str) -> list[Any]:
    """The JSON values of a file: one value, or several one after another (what
    `gh api --paginate` writes for a list that spans pages), lists flattened. Text with
    no value at all is an error: the forge always answers something (`[]` for none),
    so an empty file is a failed download, not an answer."""
    decoder, values, i, read = json.JSONDecoder(), [], 0, 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        try:
            value, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise ForgeDataError(f"not JSON at line {exc.lineno}: {exc.msg}") from None
        except RecursionError:
            raise ForgeDataError("not the forge's answer: nested too deeply") from None
        read += 1
        values.extend(value if isinstance(value, list) else [value])
    if not read:
        raise ForgeDataError(
            "holds no JSON value; the forge answers [] when there is nothing to record, so an "
            "empty file means its answer was not saved"
        )
    return values


def from_forge(
    text: str, forge: str, organization: Organization, path: str
) -> tuple[list[Approval], list[Problem]]:
    """The approvals a forge reported, each mapped to a person; an unknown username is
    a problem located at its line of the file."""
    items = parse(text)
    users: list[tuple[str, str]] = []  # (username, time)
    if forge == "github":
        latest: dict[str, tuple[str, str, str]] = {}
        if not all(isinstance(r, dict) and isinstance(r.get("user"), dict) for r in items):
            raise ForgeDataError("expected GitHub's list of pull-request reviews")
        for review in sorted(items, key=lambda r: str(r.get("submitted_at") or "")):
            state, login = review.get("state"), review["user"].get("login")
            if isinstance(login, str) and state in _VERDICTS:  # in the order given
                latest[login.casefold()] = (login, state, str(review.get("submitted_at") or ""))
        users = [(login, when) for login, state, when in latest.values() if state == "APPROVED"]
    else:
        for answer in items:
            if not isinstance(answer, dict) or not isinstance(answer.get("approved_by"), list):
                raise ForgeDataError("expected GitLab's approvals of a merge request")
            for entry in answer["approved_by"]:
                user = entry.get("user") if isinstance(entry, dict) else None
                if isinstance(user, dict) and isinstance(user.get("username"), str):
                    users.append((user["username"], str(entry.get("approved_at") or "")))
    people, found, problems = People(organization), [], []
    for username, when in users:
        key = people.by_username(forge, username)
        if key is None:
            problems.append(
                Problem(
                    path,
                    _line_of(text, username),
                    "error",
                    "unknown-username",
                    f"{forge} user '{username}' approved, but no person in organization.yml "
                    f"gives `{forge}: {username}`; add it, then record the approvals again",
                )
            )
            continue
        person = organization.people[key]
        found.append(Approval(key, person.name, person.email, when, forge))
    return found, problems


def _line_of(text: str, username: str) -> int:
    match = re.search(rf'"(?:login|username)"\s*:\s*"{re.escape(username)}"', text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def merged_note(existing: str, approvals: list[Approval]) -> str:
    """The note's text with these approvals added (lines already there are kept)."""
    lines = [line for line in existing.splitlines() if line.strip()]
    for approval in approvals:
        if approval.line not in lines:
            lines.append(approval.line)
    return "\n".join(lines) + "\n"
