"""Tables with a row per revision, as HTML built here rather than in a template: each
document's revision history, and the change-control page's exceptions and approval
evidence.

A long history has thousands of rows, and a template's macro calls for each cell cost
more than all the rest of its page. Every value is escaped, as the
templates' autoescaping would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from markupsafe import Markup, escape

from ..control import Finding
from ..register import Entry, RevisionEntry


def revision_rows(
    revisions: Sequence[RevisionEntry],
    *,
    show_emails: bool,
    commit_url: str | None,
    pull_request_url: str | None,
    labels: Mapping[str, str],
) -> Markup:
    """The table rows (`<tr>`), newest first as given, one per line.

    `labels`: the short name of each change-control finding, by code.
    """
    out = []
    for r in revisions:
        version = escape(r.version or "")
        if r.status and r.status != "approved":
            version += Markup(" ") + badge("doc", r.status)
        if show_emails:
            people = ", ".join(
                f'<a href="mailto:{escape(email)}">{escape(name)}</a>' for name, email in r.people
            )
        else:
            people = escape(r.author)
        out.append(
            f"{_row(r)}<td>{version}</td>"
            f'<td class="smsh-date">{r.date.isoformat()}</td><td>{people}</td>'
            f"<td>{escape(r.summary)}</td><td>{_evidence(r)}</td>"
            f"<td>{pull_request_cell(r, pull_request_url)}</td>"
            f"<td>{commit_cell(r, commit_url)}</td>"
            f"<td>{_findings(r, labels)}</td></tr>\n"
        )
    return Markup("".join(out))


def badge(kind: str, value: str, label: str | None = None) -> Markup:
    """A status badge (the templates' `badge` macro is this)."""
    kind, value = escape(kind), escape(value)
    return Markup(f'<span class="smsh-badge smsh-{kind}-{value}">{escape(label or value)}</span>')


def _row(r: RevisionEntry) -> str:
    """A row's start: marked when the revision broke a change-control rule."""
    return '<tr class="smsh-exception">' if r.findings else "<tr>"


def _not_designated(r: RevisionEntry, brackets: bool) -> str:
    """Beside an approval by someone other than the approver in force: flagged as a rule
    broken exactly when the revision is an exception for it (an approval the rules did
    not need, or one beside the designated approver's, is only noted)."""
    words = "(not the designated approver)" if brackets else "not the designated approver"
    broken = any(f.code == "approval-by-other" for f in r.findings)
    return f' <span class="{"smsh-flag" if broken else "smsh-note"}">{words}</span>'


def _evidence(r: RevisionEntry) -> str:
    """Who approved (flagged when not the designated approver), then who reviewed."""
    approvals = ", ".join(
        f"{escape(e.name)}{'' if e.designated else _not_designated(r, True)}"
        for e in r.evidence
        if not e.review
    )
    reviews = [escape(e.name) for e in r.evidence if e.review]
    if not reviews:
        return approvals
    return approvals + ("; " if r.approved_by else "") + "reviewed by " + ", ".join(reviews)


def pull_request_cell(r: RevisionEntry, url: str | None) -> Markup:
    """The revision's pull request, linked when the forge's URL is known."""
    if not r.pull_request:
        return Markup("")
    if url:
        return Markup(
            f'<a href="{escape(url.format(number=r.pull_request))}">#{r.pull_request}</a>'
        )
    return Markup(f"#{r.pull_request}")


def commit_cell(r: RevisionEntry, url: str | None) -> Markup:
    """The revision's short commit, linked when the forge's URL is known."""
    short = escape(r.commit[:8])
    if url:
        return Markup(f'<code><a href="{escape(url.format(sha=r.commit))}">{short}</a></code>')
    return Markup(f"<code>{short}</code>")


def _findings(r: RevisionEntry, labels: Mapping[str, str]) -> str:
    """The change-control rules the revision broke: a mark readable without colour."""
    if not r.controlled:
        return '<span class="smsh-note">before change control</span>'
    return "<br>".join(
        f'<span class="smsh-flag" title="{escape(f.message)}">'
        f"&#9888; {escape(labels[f.code])}</span>"
        for f in r.findings
    )


def exception_rows(
    exceptions: Iterable[tuple[Entry, RevisionEntry, Finding]],
    *,
    link: Callable[[str], str],
    commit_url: str | None,
    labels: Mapping[str, str],
) -> Markup:
    """The change-control page's exceptions: one row per rule a revision broke."""
    return Markup(
        "".join(
            f'<tr data-exception="{escape(f.code)}"><td class="smsh-date">{r.date.isoformat()}'
            f"</td><td>{_document_link(e, link)}</td><td>{escape(r.version or '')}</td>"
            f'<td><span class="smsh-flag">&#9888; {escape(labels[f.code])}</span></td>'
            f"<td>{escape(f.message)}</td><td>{commit_cell(r, commit_url)}</td></tr>\n"
            for e, r, f in exceptions
        )
    )


def evidence_rows(
    approvals: Iterable[tuple[Entry, RevisionEntry]],
    *,
    link: Callable[[str], str],
    person: Callable[[str | None], str],
    commit_url: str | None,
    pull_request_url: str | None,
) -> Markup:
    """The change-control page's approval evidence: who approved each revision, when,
    and where that was found; who reviewed it."""
    out = []
    for e, r in approvals:
        approved = "<br>".join(
            f"{escape(a.name)} ({a.on.isoformat()}, {escape(source_label(a.source))})"
            + (" designated approver" if a.designated else _not_designated(r, False))
            for a in r.evidence
            if not a.review
        )
        if not approved and r.needs_approval:
            approved = '<span class="smsh-flag">&#9888; none recorded</span>'
        reviews = ", ".join(escape(a.name) for a in r.evidence if a.review)
        out.append(
            f'{_row(r)}<td class="smsh-date">{r.date.isoformat()}</td>'
            f"<td>{_document_link(e, link)}</td><td>{escape(r.version or '')}</td>"
            f"<td>{escape(person(r.approver))}</td><td>{approved}</td><td>{reviews}</td>"
            f"<td>{pull_request_cell(r, pull_request_url)}</td>"
            f"<td>{commit_cell(r, commit_url)}</td></tr>\n"
        )
    return Markup("".join(out))


_FORGES = {"github": "GitHub", "gitlab": "GitLab"}


def source_label(source: str) -> str:
    """Where an approval was found, in words."""
    kind, _, forge = source.partition(":")
    if kind == "note":
        return f"recorded from {_FORGES.get(forge, forge)}" if forge else "recorded in a note"
    return "commit trailer"


def _document_link(e: Entry, link: Callable[[str], str]) -> str:
    return f'<a href="{escape(link(e.page))}">{escape(e.doc.id)} {escape(e.doc.title)}</a>'
