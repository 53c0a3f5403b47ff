"""Shared fixtures: a small real handbook in tmp_path, real Git repositories, real builds.

What is tested: the working tree's plugin/sms_handbook, in this process and in every
command the tests run (`sms-handbook`, `mkdocs build`: PYTHONPATH leads to it), so a plain
`.venv/bin/python -m pytest` tests your edits. The commands themselves and the MkDocs
entry point still come from the installed distribution's metadata (`scripts/setup-env`
installs it). With SMS_HANDBOOK_TEST_INSTALLED=1 (scripts/test sets it) the installed
copy is tested instead, as users get it.

Markers: `browser` on every test that uses a fixture named `browser` (Debian's chromium
through Playwright; tests/browsing.py), `slow` on the tests in SLOW below. Deselect
either: `pytest -m "not browser"`, `pytest -m "not slow and not browser"`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PLUGIN = PROJECT / "plugin"
#: Test the installed copy (site-packages), not the working tree's plugin/.
TEST_INSTALLED = os.environ.get("SMS_HANDBOOK_TEST_INSTALLED", "") not in ("", "0")
if not TEST_INSTALLED:
    sys.path.insert(0, str(PLUGIN))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(PLUGIN), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    )

from sms_handbook.core.data.loader import HandbookLoader, LoadResult  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BIN = Path(sys.executable).parent


def run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None, check: bool = False):
    """Run a command; return the CompletedProcess with text output."""
    exe = str(cmd[0])
    if (BIN / exe).exists():
        exe = str(BIN / exe)
    return subprocess.run(
        [exe, *map(str, cmd[1:])],
        cwd=cwd,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})},
        capture_output=True,
        text=True,
        check=check,
        timeout=600,
    )


@dataclass
class HandbookDir:
    """A handbook on disk, with helpers to edit it, check it and build it."""

    root: Path

    def path(self, rel: str) -> Path:
        return self.root / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str | bytes) -> Path:
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def replace(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def line_of(self, rel: str, needle: str) -> int:
        """1-based line of the first line containing `needle`."""
        text = self.path(rel).read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if needle in line:
                return number
        raise AssertionError(f"{needle!r} not in {rel}")

    def load(self) -> LoadResult:
        """Load with the core alone: data/, content/ and (if present) templates/."""
        templates = self.root / "templates"
        return HandbookLoader(
            self.root, self.root / "data", self.root / "content", templates
        ).load()

    def cli(self, *args: str, env: dict[str, str] | None = None):
        return run("sms-handbook", *args, cwd=self.root, env=env)

    def build(self, *args: str, env: dict[str, str] | None = None):
        return run("mkdocs", "build", "--strict", *args, cwd=self.root, env=env)


def committed(handbook: HandbookDir) -> HandbookDir:
    """Make the handbook a Git repository with one commit on 2026-01-10 09:00 UTC."""
    GitRepo.init(handbook.root).commit("Initial handbook", "2026-01-10T09:00:00+00:00")
    return handbook


@pytest.fixture
def minimal(tmp_path: Path) -> HandbookDir:
    """A copy of tests/fixtures/minimal (a small but complete handbook), committed."""
    root = tmp_path / "handbook"
    shutil.copytree(FIXTURES / "minimal", root)
    return committed(HandbookDir(root))


#: The exemplar's option that makes its controlled copies (about 5 s a build).
EXEMPLAR_PDF = "      pdf: true\n"


def copy_exemplar(root: Path, *, pdf: bool = False) -> HandbookDir:
    """Copy the repository's own exemplar handbook (Fernhill IT Services) to `root`;
    without `pdf`, with its controlled copies (PDFs) turned off, so that only the tests
    about them pay for making them (tests/test_exemplar.py builds it as it is)."""
    root.mkdir()
    for name in ("mkdocs.yml", "content", "data", "overrides"):
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    handbook = HandbookDir(root)
    if not pdf:
        handbook.replace("mkdocs.yml", EXEMPLAR_PDF, "      pdf: false\n")
    return handbook


@pytest.fixture
def exemplar(tmp_path: Path) -> HandbookDir:
    """A copy of the exemplar handbook, committed."""
    return committed(copy_exemplar(tmp_path / "exemplar"))


#: 2026-11-27 12:00 UTC: the exemplar's story is set in late November 2026.
EPOCH_2026_11_27 = "1795780800"


def built_with_print_site(root: Path) -> HandbookDir:
    """The exemplar, committed, built with mkdocs-print-site-plugin (its page of all
    pages at print_page/) on 2026-11-27."""
    handbook = committed(copy_exemplar(root))
    last = "\nmarkdown_extensions:"
    handbook.replace("mkdocs.yml", last, "  - print-site\n" + last)
    done = handbook.build(env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_27})
    assert done.returncode == 0, done.stderr
    return handbook


@dataclass
class GitRepo:
    """A real Git repository whose commits carry fixed author and committer dates."""

    root: Path
    commits: list[str] = field(default_factory=list)

    @classmethod
    def init(cls, root: Path) -> GitRepo:
        repo = cls(root)
        repo.git("init", "-q", "-b", "main")
        return repo

    def git(self, *args: str, date: str | None = None, author: str = "Jane Doe") -> str:
        env = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": f"{author.split()[0].lower()}@example.org",
            "GIT_COMMITTER_NAME": "Merge Bot",
            "GIT_COMMITTER_EMAIL": "bot@example.org",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        if date:
            env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        done = run("git", *args, cwd=self.root, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def commit(self, message: str, date: str, author: str = "Jane Doe") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=date, author=author)
        sha = self.git("rev-parse", "HEAD")
        self.commits.append(sha)
        return sha


@pytest.fixture
def git_handbook(minimal: HandbookDir) -> tuple[HandbookDir, GitRepo]:
    """The minimal handbook with a real history: fixed dates, a rename and a merged PR.

    1. 2026-01-10 09:00 UTC  initial handbook (the `minimal` fixture)
    2. 2026-02-01 23:30 UTC  change policy edited (late evening, near midnight UTC)
    3. 2026-02-03 10:00 UTC  incident procedure renamed (git mv)
    4. 2026-02-10 14:00 UTC  on branch jdoe/policy-v1.1: version bumped, Reviewed-by trailer
    5. 2026-02-12 16:00 UTC  merge commit "Merge pull request #12 from jdoe/policy-v1.1"
    """
    repo = GitRepo(minimal.root)
    repo.commits.append(repo.git("rev-parse", "HEAD"))
    minimal.replace("content/policies/change.md", "Why we control changes.", "Why and how.")
    repo.commit("Clarify purpose of change policy", "2026-02-01T23:30:00+00:00")
    repo.git("mv", "content/procedures/incident.md", "content/procedures/incident-management.md")
    repo.commit("Rename incident procedure", "2026-02-03T10:00:00+00:00", author="Mo Khan")
    repo.git("checkout", "-q", "-b", "jdoe/policy-v1.1")
    minimal.replace("content/policies/change.md", 'version: "1.0"', 'version: "1.1"')
    repo.commit(
        "Raise change policy to 1.1\n\nReviewed-by: Mo Khan <mo.khan@example.org>",
        "2026-02-10T14:00:00+00:00",
    )
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "-m", "Merge pull request #12 from jdoe/policy-v1.1",
        "jdoe/policy-v1.1", date="2026-02-12T16:00:00+00:00",
    )  # fmt: skip
    repo.commits.append(repo.git("rev-parse", "HEAD"))
    return minimal, repo


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.links.append((tag, value))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@dataclass
class BuiltPage:
    """One HTML page of a built site, parsed."""

    path: Path
    html: str
    ids: set[str]
    links: list[tuple[str, str]]
    text: str

    @classmethod
    def read(cls, path: Path) -> BuiltPage:
        html = path.read_text(encoding="utf-8")
        parser = _Links()
        parser.feed(html)
        return cls(path, html, parser.ids, parser.links, " ".join(parser.text))

    def resolve(self, url: str, site: Path) -> Path | None:
        """The file a relative link points to, or None for other hosts and fragments."""
        parsed = urlsplit(url)
        if parsed.scheme or parsed.netloc or not parsed.path:
            return None
        target = (self.path.parent / unquote(parsed.path)).resolve()
        if url.split("#")[0].endswith("/") or target.is_dir():
            target = target / "index.html"
        assert site.resolve() in target.parents or target == site, url
        return target


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th"):
            self.cells.append("")
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth and self.cells:
            self.cells[-1] += data


def cells(row_html: str) -> list[str]:
    """The text of each cell of an HTML table row."""
    parser = _Cells()
    parser.feed(row_html)
    return [c.strip() for c in parser.cells]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (for screenshots of failed browser tests)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


#: Tests that take more than about 5 s each on 2 cores (`pytest --durations`), by node id
#: prefix: a file, or a test with any of its parameters. Measured: the whole suite took
#: 5 minutes; only these two took about 5 s or more (13 s, 5 s); most time is many short
#: tests (tests/test_bad_input.py: 113 cases, 78 s) and the browser tests (42, 75 s).
SLOW: tuple[str, ...] = (
    "tests/test_print.py::test_print_site_sheets_carry_their_own_documents_header",
    "tests/test_properties.py::test_any_text_keeps_the_html_structure",
)


def pytest_report_header(config) -> str:
    import sms_handbook

    where = Path(sms_handbook.__file__).resolve().parent
    mode = "the installed copy"
    if not TEST_INSTALLED:
        mode = "the working tree; SMS_HANDBOOK_TEST_INSTALLED=1 tests the installed copy"
    return f"sms_handbook: {where} ({mode})"


def pytest_collection_modifyitems(config, items) -> None:
    """Mark the browser tests (any that uses a `browser` fixture) and the slow ones."""
    installed_only = pytest.mark.skip(
        reason="the working tree is tested; SMS_HANDBOOK_TEST_INSTALLED=1 (scripts/test) "
        "tests the installed copy"
    )
    for item in items:
        if not TEST_INSTALLED and item.name == "test_tests_run_against_an_installed_package":
            item.add_marker(installed_only)
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
