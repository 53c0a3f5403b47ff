"""`sms-handbook render --as-of DATE`: the whole handbook as it stood on a day, as a
plain folder any generator builds (see render.py).

The repository is cloned, in a temporary folder, at the last main-line commit of that
day (in the organization's timezone): the data, the generated pages and the history are
what they were then. Each controlled document's page then holds the text of its version
in force that day (a version in review then is not yet in force: its approved
predecessor's text takes its place), "today" is that day, and every page opens with a
banner saying so. The project's own work tree is never touched.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from . import render
from .core import in_force
from .core.data import frontmatter
from .core.data.loader import HandbookLoader
from .core.git import repository
from .core.git.command import GitError, run_git
from .core.site.pipeline import Build, Pipeline
from .project import Project, ProjectError, open_project


def banner(day: date) -> str:
    """The note every page of an as-of folder opens with."""
    return (
        f"> **As in force on {day.isoformat()}.** This is the handbook as it stood that day, "
        "each document at the version in force then; the current handbook may differ.\n\n"
    )


def main_line_commit(top: Path, day: date, timezone: str) -> str | None:
    """The last commit on the main line (first parents from HEAD) made on or before
    `day` ends in the organization's timezone; None when there is none."""
    end = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(timezone))
    out = run_git(
        ["rev-list", "-1", "--first-parent", f"--before=@{int(end.timestamp()) - 1}", "HEAD"],
        top,
    )
    return out.decode().strip() or None


def render_as_of(project: Project, out: Path, day: date) -> Build:
    """Write the handbook as in force on `day` to `out` (RenderError when it cannot be)."""
    options = project.options
    top = repository.top(options.root)
    where = repository.from_top(options.root, top)
    config = repository.from_top(project.config_file, top)
    if where is None or config is None:
        raise render.RenderError("the project is not in a Git repository: no past to render")
    loaded = HandbookLoader(
        options.root, options.data_dir, options.docs_dir, options.templates_dir
    ).load(project.pages)
    handbook = loaded.handbook
    timezone = handbook.organization.timezone if handbook is not None else "UTC"
    try:
        commit = main_line_commit(top, day, timezone)
    except GitError as exc:
        raise render.RenderError(f"cannot read the history: {exc}") from None
    if commit is None:
        raise render.RenderError(f"the repository has no commit on or before {day.isoformat()}")
    with tempfile.TemporaryDirectory(prefix="sms-handbook-as-of-") as scratch:
        clone = Path(scratch) / "repository"
        try:
            run_git(["clone", "--quiet", "--shared", "--no-checkout", str(top), str(clone)], top)
            run_git(["checkout", "--quiet", "--detach", commit], clone)
        except GitError as exc:
            raise render.RenderError(f"cannot check out {commit[:12]}: {exc}") from None
        try:
            then = open_project(clone / config)
        except ProjectError as exc:
            raise render.RenderError(f"as of {day.isoformat()}: {exc}") from None
        _in_force_texts(then, clone, day)
        environ = {**os.environ, **_on(day)}
        made = render.render(then, out, environ=environ)
    _add_banners(out / "docs", day)
    return made


def _on(day: date) -> dict[str, str]:
    """The environment in which "today" is `day` (noon UTC)."""
    noon = datetime.combine(day, time(12), ZoneInfo("UTC"))
    return {"SOURCE_DATE_EPOCH": str(int(noon.timestamp()))}


def _in_force_texts(project: Project, clone: Path, day: date) -> None:
    """Each controlled page of the clone given the text of its version in force."""
    build = Pipeline().build(project.options, project.pages, environ=_on(day))
    docs_dir = project.options.docs_dir
    for found in in_force.on(build.site.with_revisions().register, day):
        doc = found.entry.doc
        if found.version is None or doc.source is None or not doc.source.endswith(".md"):
            continue
        approved = found.approved
        if approved is None or approved.blob is None:
            continue
        text = run_git(["cat-file", "blob", approved.blob], clone)
        (docs_dir / doc.source).write_bytes(text)


def _add_banners(docs: Path, day: date) -> None:
    """The as-of banner at the top of every Markdown page, after its front matter."""
    for page in sorted(docs.rglob("*.md")):
        data, note = page.read_bytes(), banner(day).encode("utf-8")
        end = frontmatter.front_matter_end(data)
        if end is None:
            page.write_bytes(note + data)
            continue
        cut = data.index(b"\n", end) + 1  # after the closing line
        page.write_bytes(data[:cut] + b"\n" + note + data[cut:])
