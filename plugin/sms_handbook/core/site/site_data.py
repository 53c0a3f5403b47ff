"""What every page of one build shares: the validated handbook, today, publication
control and the register (with its revisions once the later stage has read them)."""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import clock
from ..control import FROM_THE_START, ControlStart
from ..git.history import History, Revision
from ..model import Handbook
from ..progress import Month, done_per_month
from ..register import Entry, build_register, is_published
from .layout import Layout


@dataclass(frozen=True)
class Recording:
    history: bool  # built with Git history
    missing: bool  # changes come by pull request, but no approval is recorded anywhere

    NOTICE = (
        "approvals are not being recorded: changes arrive by pull request but no commit "
        "carries an Approved-by: trailer or a note under refs/notes/sms-approvals. Record "
        "them with `sms-handbook record-approvals` (GitHub) or the merge commit template "
        "(GitLab), and fetch notes before building: "
        "git fetch origin 'refs/notes/*:refs/notes/*'"
    )


@dataclass
class SiteData:
    handbook: Handbook
    layout: Layout
    now: datetime
    register: list[Entry]
    history: History | None
    docs_prefix: str = ""  # docs_dir relative to the repository top
    root_prefix: str = ""  # the project root relative to the repository top
    max_classification: str = "internal"
    #: Activities done at the end of each month, from the history of phases.yml.
    months: list[Month] = dataclasses.field(default_factory=list)
    since: ControlStart = FROM_THE_START  # where change control begins

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def edition(self) -> str | None:
        """The handbook's edition: its Git tag, else the short commit; None without Git."""
        return self.history.edition if self.history is not None else None

    @property
    def edition_line(self) -> str:
        """What every page's footer says about the edition."""
        built = f"built {self.today.isoformat()}"
        return f"Handbook edition {self.edition} · {built}" if self.edition else f"Handbook {built}"

    def copyright(self, copyright: str | None) -> str:
        """The site's copyright with the edition line after it, escaped (themes print
        the copyright as HTML)."""
        edition = escape(self.edition_line)
        if copyright and edition in copyright:
            return copyright
        return f"{copyright} · {edition}" if copyright else edition

    @property
    def recording(self) -> Recording:
        """Whether the history shows approvals being recorded."""
        history = self.history
        return Recording(
            history is not None,
            history is not None and history.pull_requests and not history.approvals_recorded,
        )

    def entry(self, doc_id: str) -> Entry:
        return self._by_id[doc_id]

    def entry_for_page(self, src_uri: str) -> Entry | None:
        """The published document whose authored page this is, if any."""
        return self._by_page.get(src_uri)

    def page_history(self, src_uri: str) -> list[Revision]:
        """The revisions of a file under docs_dir (none without history)."""
        if self.history is None:
            return []
        return self.history.of(f"{self.docs_prefix}/{src_uri}" if self.docs_prefix else src_uri)

    def dates(self, revisions: list[Revision]) -> list[str]:
        """The revisions' dates (YYYY-MM-DD) in the organization's timezone."""
        zone = ZoneInfo(self.handbook.organization.timezone)
        return [datetime.fromtimestamp(r.time, zone).date().isoformat() for r in revisions]

    def texts(self, blobs: Iterable[str]) -> dict[str, str]:
        """Past versions' whole texts by blob, read in one batch (none without history)."""
        return self.history.store.texts(blobs) if self.history is not None else {}

    def with_revisions(self) -> SiteData:
        """The same site with each document's revisions and approved versions read from
        the history (the costly part: the later stage of a build)."""
        if self.history is None:
            return self
        register = build_register(
            self.handbook, self.layout, self.today,
            max_classification=self.max_classification, history=self.history,
            docs_prefix=self.docs_prefix, root_prefix=self.root_prefix, since=self.since,
        )  # fmt: skip
        return dataclasses.replace(self, register=register)

    def __post_init__(self) -> None:
        self._by_id = {e.doc.id: e for e in self.register}
        self._by_page = {e.page: e for e in self.register if e.published and e.page == e.doc.source}


def prepare(
    handbook: Handbook,
    layout: Layout,
    root: Path,
    docs_dir: Path,
    *,
    max_classification: str = "internal",
    history: History | None = None,
    environ: Mapping[str, str] | None = None,
    revisions: bool = True,
    since: ControlStart = FROM_THE_START,
) -> SiteData:
    """Today, publication control, and the register with its revisions.

    `root` is the project folder (mkdocs.yml's), against which data paths are written.
    """
    now = clock.now(handbook.organization.timezone, *(() if environ is None else (environ,)))
    hidden = frozenset(
        d.id for d in handbook.documents.values() if not is_published(d, max_classification)
    )
    layout = dataclasses.replace(layout, unpublished=hidden)
    prefixes = ("", "")
    if history is not None:
        try:
            prefixes = (_inside(docs_dir, history.toplevel), _inside(root, history.toplevel))
        except ValueError:  # outside the repository: no history to show
            history = None
    phases_file = handbook.phases[0].where.path if handbook.phases else None
    phases_path = (
        posixpath.join(prefixes[1], phases_file) if phases_file and prefixes[1] else phases_file
    )
    months = done_per_month(handbook, history, phases_path, now.date())
    register = build_register(
        handbook,
        layout,
        now.date(),
        max_classification=max_classification,
        history=history,
        docs_prefix=prefixes[0],
        root_prefix=prefixes[1],
        revisions=revisions,
        since=since,
    )
    return SiteData(
        handbook, layout, now, register, history, *prefixes, max_classification, months, since
    )  # fmt: skip


def _inside(folder: Path, toplevel: Path) -> str:
    """`folder` relative to the repository top ("" for the top itself)."""
    relative = Path(folder).resolve().relative_to(toplevel.resolve()).as_posix()
    return "" if relative == "." else relative
