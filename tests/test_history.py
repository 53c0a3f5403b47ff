"""Revision history from a real Git repository: renames, merges of pull and merge
requests, trailers, timezones near midnight, archives, editions, and what goes wrong."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import BIN, FIXTURES, BuiltPage, GitRepo, HandbookDir, cells, run
from sms_handbook.core import cache_files

POLICY = "content/policies/change.md"
EPOCH = {"SOURCE_DATE_EPOCH": "1775000000"}  # the built site's date


@contextmanager
def plugin_option(handbook: HandbookDir, option: str) -> Iterator[None]:
    """The plugin configured with one option (`name: value`) until the block ends."""
    config = handbook.read("mkdocs.yml")
    try:
        handbook.replace("mkdocs.yml", "  - sms-handbook\n", f"  - sms-handbook:\n      {option}\n")
        yield
    finally:
        handbook.write("mkdocs.yml", config)


@pytest.fixture(scope="module")
def sydney(tmp_path_factory) -> tuple[HandbookDir, GitRepo]:
    """The minimal handbook for an organization in Sydney (UTC+11 in summer), with:

    1. 2026-01-10 09:00Z  initial handbook (20:00 in Sydney)
    2. 2026-02-01 13:30Z  direct commit, policy 1.1, `Approved-by:` trailer
       (00:30 on 2 Feb in Sydney)
    3. 2026-02-03 10:00Z  the incident procedure renamed
    4. 2026-02-10 12:59:59Z  GitHub merge of pull request #12: policy 1.2 by Ann Author,
       `Reviewed-by:` trailer on the branch commit (23:59:59 on 10 Feb in Sydney)
    5. 2026-03-01 14:00Z  GitLab merge of merge request !34: procedure 0.2 by Bob Builder,
       GitLab's `Approved-by:` in the merge message (01:00 on 2 March in Sydney)
    6. 2026-03-05 02:00Z  REC-001, whose metadata lives in documents.yml, raised to 1.1
    """
    root = tmp_path_factory.mktemp("sydney") / "handbook"
    shutil.copytree(FIXTURES / "minimal", root)
    handbook = HandbookDir(root)
    handbook.write(
        "content/procedures/é space.md",
        "---\ndocument:\n  id: WI-1\n  type: work-instruction\n  version: '1.0'\n"
        "  status: draft\n  owner: jdoe\n---\n# Odd name\n",
    )
    repo = GitRepo.init(root)
    repo.commit("Initial handbook", "2026-01-10T09:00:00+00:00")
    handbook.replace("data/organization.yml", "Europe/London", "Australia/Sydney")
    handbook.replace(POLICY, 'version: "1.0"', 'version: "1.1"')
    repo.commit(
        "Raise change policy to 1.1\n\nApproved-by: Mo Khan <mo.khan@example.org>",
        "2026-02-01T13:30:00+00:00",
    )
    repo.git("mv", "content/procedures/incident.md", "content/procedures/incident-management.md")
    repo.commit("Rename incident procedure", "2026-02-03T10:00:00+00:00", author="Mo Khan")
    repo.git("checkout", "-q", "-b", "jdoe/policy-1.2")
    handbook.replace(POLICY, 'version: "1.1"', 'version: "1.2"')
    handbook.replace(POLICY, "Why we control changes.", "We control every change.")
    repo.commit(
        "Tighten the policy\n\nReviewed-by: Mo Khan <mo.khan@example.org>",
        "2026-02-09T08:00:00+00:00",
        author="Ann Author",
    )
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "-m",
        "Merge pull request #12 from jdoe/policy-1.2\n\nTighten emergency changes",
        "jdoe/policy-1.2", date="2026-02-10T12:59:59+00:00",
    )  # fmt: skip
    repo.git("checkout", "-q", "-b", "prc")
    handbook.replace("content/procedures/incident-management.md", '"0.1"', '"0.2"')
    repo.commit("Update incident steps", "2026-02-20T08:00:00+00:00", author="Bob Builder")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "-m",
        "Merge branch 'prc' into 'main'\n\nUpdate incident steps\n\n"
        "See merge request sms/handbook!34\n\nApproved-by: Jane Doe <jane.doe@example.org>",
        "prc", date="2026-03-01T14:00:00+00:00",
    )  # fmt: skip
    handbook.replace("data/documents.yml", 'version: "1.0"', 'version: "1.1"')
    repo.commit("Incident records 1.1", "2026-03-05T02:00:00+00:00")
    repo.git("tag", "2026.1")
    return handbook, repo


@pytest.fixture(scope="module")
def built(sydney) -> Path:
    handbook, _ = sydney
    done = handbook.build("-d", "site-main", env=EPOCH)
    assert done.returncode == 0, done.stderr
    return handbook.path("site-main")


def _revisions(site: Path, doc_id: str) -> list[dict]:
    data = json.loads((site / "documents.json").read_text())
    return next(d for d in data["documents"] if d["id"] == doc_id)["revisions"]


def _short(revisions: list[dict]) -> list[tuple]:
    return [
        (r["date"], r["version"], r["author"], r["summary"], r["approved_by"], r["pull_request"])
        for r in revisions
    ]


def test_policy_revisions_in_documents_json(built: Path) -> None:
    # Reviewed-by: is a review, not an approval.
    revisions = _revisions(built, "POL-001")
    assert _short(revisions) == [
        ("2026-02-10", "1.2", "Ann Author", "Tighten emergency changes", [], 12),
        ("2026-02-02", "1.1", "Jane Doe", "Raise change policy to 1.1", ["Mo Khan"], None),
        ("2026-01-10", "1.0", "Jane Doe", "Initial handbook", [], None),
    ]
    assert [r["reviewed_by"] for r in revisions] == [["Mo Khan"], [], []]


def test_renamed_procedure_keeps_its_history(built: Path) -> None:
    assert _short(_revisions(built, "PRC-001")) == [
        ("2026-03-02", "0.2", "Bob Builder", "Update incident steps", ["Jane Doe"], 34),
        ("2026-02-03", "0.1", "Mo Khan", "Rename incident procedure", [], None),
        ("2026-01-10", "0.1", "Jane Doe", "Initial handbook", [], None),
    ]


def test_versions_held_in_a_register(built: Path) -> None:
    assert _short(_revisions(built, "REC-001")) == [
        ("2026-03-05", "1.1", "Jane Doe", "Incident records 1.1", [], None),
        ("2026-01-10", "1.0", "Jane Doe", "Initial handbook", [], None),
    ]
    assert len(_revisions(built, "POL-001")) == 3  # its register entry never changed


def test_pull_request_numbers_from_merge_messages() -> None:
    from sms_handbook.core.git.history import Commit, pull_request

    def commit(subject: str, body: str = "", parents: int = 2) -> Commit:
        return Commit("s", ("p",) * parents, 0, "A", "a@x", subject, body, (), ())

    assert pull_request(commit("Merge pull request #12 from a/b")) == 12
    assert (
        pull_request(commit("Merge branch 'x' into 'main'", "T\n\nSee merge request g/p!34\n"))
        == 34
    )
    assert pull_request(commit("Merged in feature/x (pull request #7)")) == 7
    assert pull_request(commit("Tighten the policy (#41)", parents=1)) == 41
    assert pull_request(commit("Fix typo", parents=1)) is None


def test_archives_can_be_turned_off(sydney) -> None:
    handbook, _ = sydney
    with plugin_option(handbook, "archives: false"):
        assert handbook.build("-d", "site-plain").returncode == 0
        assert not handbook.path("site-plain/documents/pol-001/1.0").exists()
        html = handbook.path("site-plain/policies/change/index.html").read_text()
        assert "Approved versions" not in html and "smsh-history" in html


def _archives(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in (site / "documents").glob("*/*/index.html")
    }


def test_archives_are_kept_between_builds(sydney, built: Path) -> None:
    """An approved version's HTML is made once: later builds read it back from the
    cache (proved by planting a mark in an entry), the site is the same as one built
    without the cache, entries no build uses are removed, and a cache that cannot be
    written is no cache."""
    handbook, _ = sydney
    cache = handbook.path(".cache/plugin/sms-handbook")
    entries = sorted(p for p in cache.iterdir() if p.name != "page-versions.json")
    # Each archive's text, and the changes of each archive with a version before it.
    archives = _archives(built)
    documents = {uri.split("/")[1] for uri in archives}
    assert len(archives) >= 3 and len(entries) == 2 * len(archives) - len(documents)
    with plugin_option(handbook, "cache: false"):
        assert handbook.build("-d", "site-uncached", env=EPOCH).returncode == 0
        assert _archives(handbook.path("site-uncached")) == archives
    text = next(e for e in entries if "We control every change." in e.read_text())
    kept = text.read_text()
    stale = cache / ("0" * 64)
    stale.write_text("left by an older build")
    os.utime(stale, (1_700_000_000, 1_700_000_000))
    try:
        # Planted as the build writes entries: sealed with this user's key.
        body = kept.split("\n", 1)[1].replace("We control every change.", "Read from the cache.")
        cache_files.write_text(text, body)
        assert handbook.build("-d", "site-cached", env=EPOCH).returncode == 0
        again = _archives(handbook.path("site-cached"))
        assert b"Read from the cache." in again["documents/pol-001/1.2/index.html"]
        assert not stale.exists() and text.exists()
    finally:
        text.write_text(kept)
    # A file where the cache folder would go: the build makes everything itself.
    with plugin_option(handbook, "cache_dir: mkdocs.yml"):
        done = handbook.build("-d", "site-no-cache", env=EPOCH)
        assert done.returncode == 0, done.stderr
        assert _archives(handbook.path("site-no-cache")) == archives


def test_odd_file_names(built: Path) -> None:
    assert len(_revisions(built, "WI-1")) == 1
    assert (built / "procedures/é space/index.html").is_file()


def test_revision_table_on_the_page(built: Path) -> None:
    page = BuiltPage.read(built / "policies/change/index.html")
    table = page.html[page.html.index('class="smsh-table smsh-history"') :].split("</table>")[0]
    rows = [cells(row) for row in table.split("<tr")[2:]]
    assert [r[:6] for r in rows] == [
        [
            "1.2",
            "2026-02-10",
            "Ann Author",
            "Tighten emergency changes",
            "reviewed by Mo Khan",
            "#12",
        ],
        ["1.1", "2026-02-02", "Jane Doe", "Raise change policy to 1.1", "Mo Khan", ""],
        ["1.0", "2026-01-10", "Jane Doe", "Initial handbook", "", ""],
    ]
    # 1.2 was merged with a review but no approval: marked, in words.
    assert [r[7] for r in rows] == ["\u26a0 no approval recorded", "", ""]
    assert 'class="smsh-exception"' in table.split("</tr>")[1]
    assert "@example.org" not in page.html  # no e-mail addresses unless enabled
    assert "Revision history" in page.text


def test_archived_versions_show_their_own_text(built: Path) -> None:
    old = (built / "documents/pol-001/1.1/index.html").read_text()
    assert "Why we control changes." in old.split("<h2>Changes from")[0]
    assert "We control every change." not in old.split("<h2>Changes from")[0]
    assert "The current version is 1.2" in old
    new = (built / "documents/pol-001/1.2/index.html").read_text()
    assert "We control every change." in new and "This is the current version." in new
    diff = new.split("<h2>Changes from version 1.1</h2>")[1]
    assert '<span class="smsh-diff-del">-Why we control changes.</span>' in diff
    assert '<span class="smsh-diff-add">+We control every change.</span>' in diff
    assert "md-nav" not in new  # cheap: no site navigation
    page = BuiltPage.read(built / "policies/change/index.html")
    assert ("a", "../../documents/pol-001/1.0/index.html") in page.links


def test_edition_on_every_page_and_in_documents_json(built: Path) -> None:
    data = json.loads((built / "documents.json").read_text())
    assert data["edition"] == "2026.1"
    for page in ("index.html", "compliance/index.html", "policies/change/index.html"):
        assert "Handbook edition 2026.1 · built 2026-04-01" in (built / page).read_text()


def test_commit_links_and_emails_when_enabled(sydney) -> None:
    handbook, repo = sydney
    config = handbook.read("mkdocs.yml")
    try:
        handbook.write(
            "mkdocs.yml",
            config + "repo_url: https://gitlab.example.org/sms/handbook\n",
        )
        handbook.replace(
            "mkdocs.yml", "  - sms-handbook\n", "  - sms-handbook:\n      show_emails: true\n"
        )
        assert handbook.build("-d", "site-links").returncode == 0
        html = handbook.path("site-links/policies/change/index.html").read_text()
        merge = repo.git("log", "-1", "--format=%H", "--grep=pull request #12")
        assert f'href="https://gitlab.example.org/sms/handbook/-/commit/{merge}"' in html
        assert 'href="https://gitlab.example.org/sms/handbook/-/merge_requests/12"' in html
        assert 'href="mailto:ann@example.org"' in html
    finally:
        handbook.write("mkdocs.yml", config)


def test_one_git_log_for_the_whole_build(sydney, built: Path, tmp_path: Path) -> None:
    handbook, _ = sydney
    calls = tmp_path / "calls.txt"
    shim = tmp_path / "bin" / "git"
    shim.parent.mkdir()
    real = shutil.which("git")
    shim.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\nexec "{real}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    path = f"{shim.parent}{os.pathsep}{os.environ['PATH']}"

    def commands(*args: str) -> list[str]:
        calls.write_text("")
        assert handbook.build(*args, env={"PATH": path}).returncode == 0
        return sorted(line.split()[6] for line in calls.read_text().splitlines())

    with plugin_option(handbook, "cache: false"):
        # The log; the data files' past versions, read as it streams; the pages' past
        # versions (approved texts among them), read in one batch by the later stage;
        # the edition; the repository: five calls, however many pages and commits.
        uncached = commands("-d", "site-shim")
    assert uncached == ["cat-file", "cat-file", "describe", "log", "rev-parse"]
    # With the cache of the builds before, no past version of a page is read at all.
    assert commands("-d", "site-shim") == ["cat-file", "describe", "log", "rev-parse"]


def test_page_versions_are_kept_between_builds(sydney, built: Path) -> None:
    """Each page version's front matter (and the digest of its text) is read from Git
    once: later builds take it from the cache (proved by planting a mark in it); a
    build without the cache, or with a file that is not one, makes the same site."""
    handbook, _ = sydney
    kept = handbook.path(".cache/plugin/sms-handbook/page-versions.json")
    original = kept.read_text()
    data = json.loads(original)
    assert len(data["versions"]) >= 6  # every page version on the main line
    fronts = [front for front, _ in data["versions"].values()]
    assert all(front.startswith("---\n") or front == "" for front in fronts)  # "": none
    try:
        planted = {
            sha: [front.replace("version: '1.0'", "version: '7.7'"), digest]
            for sha, (front, digest) in data["versions"].items()
        }
        assert planted != data["versions"]
        members = {k: v for k, v in data.items() if k not in ("format", "seal")}
        cache_files.write_json(kept, data["format"], {**members, "versions": planted})
        assert handbook.build("-d", "site-planted", env=EPOCH).returncode == 0
        assert [r["version"] for r in _revisions(handbook.path("site-planted"), "WI-1")] == ["7.7"]
        misshapen = {"format": 1, "versions": {sha: "ab" for sha in data["versions"]}}
        for n, text in enumerate(["not the cache's", json.dumps(misshapen)]):
            kept.write_text(text)
            assert handbook.build("-d", f"site-broken-{n}", env=EPOCH).returncode == 0
            broken = handbook.path(f"site-broken-{n}/documents.json").read_text()
            assert broken == (built / "documents.json").read_text()
            assert json.loads(kept.read_text())["versions"] == data["versions"]
    finally:
        kept.write_text(original)
    with plugin_option(handbook, "cache: false"):
        assert handbook.build("-d", "site-uncached-pages", env=EPOCH).returncode == 0
        uncached = handbook.path("site-uncached-pages/documents.json").read_text()
        assert uncached == (built / "documents.json").read_text()


def test_approved_text_of_a_page_whose_versions_the_register_holds(
    minimal: HandbookDir,
) -> None:
    """The page's front matter never changes, so its approved text is not the oldest
    version with that front matter: it is read in a second pass, and is the right one."""
    repo = GitRepo(minimal.root)
    page = "content/procedures/backup.md"
    minimal.write(page, "---\ntitle: Backups\n---\n# Backups\n\nFirst text.\n")
    entry = (
        "  - id: PRC-009\n    title: Backups\n    type: procedure\n    owner: jdoe\n"
        '    approver: mkhan\n    version: "1.0"\n    status: approved\n'
        "    approved_on: 2026-02-01\n    source: procedures/backup.md\n"
    )
    minimal.write("data/documents.yml", minimal.read("data/documents.yml") + entry)
    repo.commit("Backups 1.0", "2026-02-01T10:00:00+00:00")
    minimal.replace(page, "First text.", "Second text.")
    repo.commit("Reword backups", "2026-02-02T10:00:00+00:00")
    raised = entry.replace('"1.0"', '"1.1"').replace("2026-02-01", "2026-02-03")
    minimal.replace("data/documents.yml", entry, raised)
    repo.commit("Backups 1.1", "2026-02-03T10:00:00+00:00")
    minimal.replace(page, "Second text.", "Third text.")
    repo.commit("Draft the next wording", "2026-02-04T10:00:00+00:00")
    done = minimal.build(env={"SOURCE_DATE_EPOCH": "1775000000"})
    assert done.returncode == 0, done.stderr
    site = minimal.path("site/documents/prc-009")
    first = (site / "1.0/index.html").read_text().split("<h2>Changes from")[0]
    second = (site / "1.1/index.html").read_text().split("<h2>Changes from")[0]
    assert "First text." in first and "Second text." not in first
    assert "Second text." in second and "Third text." not in second


def test_shallow_clone_warns_and_fails_strict(sydney, tmp_path: Path) -> None:
    handbook, _ = sydney
    clone = tmp_path / "shallow"
    url = handbook.root.as_uri()
    assert run("git", "clone", "-q", "--depth", "1", url, clone, cwd=tmp_path).returncode == 0
    strict = HandbookDir(clone).build()
    assert strict.returncode != 0
    assert "warning: shallow-clone" in strict.stderr and "fetch-depth: 0" in strict.stderr
    assert run("mkdocs", "build", cwd=clone).returncode == 0  # still builds


def test_no_repository(minimal: HandbookDir, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(minimal.root, plain, ignore=shutil.ignore_patterns(".git"))
    handbook = HandbookDir(plain)
    done = handbook.build()
    assert done.returncode != 0
    assert "warning: no-history: the handbook is not inside a Git repository" in done.stderr
    assert "Traceback" not in done.stderr
    handbook.replace(
        "mkdocs.yml", "  - sms-handbook\n", "  - sms-handbook:\n      history: false\n"
    )
    assert handbook.build().returncode == 0


def test_no_git_binary(minimal: HandbookDir) -> None:
    done = minimal.build(env={"PATH": str(BIN)})
    assert done.returncode != 0
    assert "warning: no-history: git is not installed" in done.stderr


def test_dubious_ownership_is_explained(minimal: HandbookDir) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give the repository to another user")
    shutil.chown(minimal.root / ".git", user="nobody")
    for path in (minimal.root / ".git").rglob("*"):
        os.lchown(path, 65534, -1)
    os.lchown(minimal.root, 65534, -1)
    done = minimal.build(env={"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    assert done.returncode != 0
    assert "another user owns it" in done.stderr and "safe.directory" in done.stderr


def test_history_is_cached_by_head(sydney) -> None:
    from sms_handbook.core.git.cache import HistoryCache

    handbook, repo = sydney
    cache = HistoryCache()
    first, _ = cache.get(handbook.root, "mkdocs.yml")
    again, _ = cache.get(handbook.root, "mkdocs.yml")
    assert first is again
    repo.git("commit", "-q", "--allow-empty", "-m", "Empty", date="2026-04-01T00:00:00+00:00")
    try:
        moved, _ = cache.get(handbook.root, "mkdocs.yml")
        assert moved is not first and moved.head != first.head
    finally:
        repo.git("reset", "-q", "--hard", "HEAD~1")


def test_mike_deploys_an_edition(sydney, tmp_path: Path) -> None:
    handbook, _ = sydney
    clone = tmp_path / "clone"
    assert run("git", "clone", "-q", handbook.root.as_uri(), clone, cwd=tmp_path).returncode == 0
    site = HandbookDir(clone)
    site.write("mkdocs.yml", site.read("mkdocs.yml") + "extra:\n  version:\n    provider: mike\n")
    env = {
        "GIT_COMMITTER_NAME": "CI", "GIT_COMMITTER_EMAIL": "ci@example.org",
        "GIT_AUTHOR_NAME": "CI", "GIT_AUTHOR_EMAIL": "ci@example.org",
    }  # fmt: skip
    done = run("mike", "deploy", "2026.1", "latest", cwd=clone, env=env)
    assert done.returncode == 0, done.stderr
    versions = json.loads(run("git", "show", "gh-pages:versions.json", cwd=clone).stdout)
    assert versions[0]["version"] == "2026.1" and versions[0]["aliases"] == ["latest"]
    shown = run("git", "show", "gh-pages:2026.1/documents.json", cwd=clone).stdout
    assert json.loads(shown)["edition"] == "2026.1"


def test_odd_file_names_and_a_file_named_head(minimal: HandbookDir) -> None:
    """Names git or a shell could read as options, quotes and a file called HEAD."""
    repo = GitRepo(minimal.root)
    minimal.write("HEAD", "a file that shares its name with the revision\n")
    odd = "content/procedures/-rf 'quoted' & \"double\".md"
    minimal.write(
        odd,
        "---\ndocument:\n  id: WI-2\n  type: work-instruction\n  version: '1.0'\n"
        "  status: draft\n  owner: jdoe\n---\n# Odd names\n",
    )
    repo.commit("Add a work instruction", "2026-02-01T10:00:00+00:00")
    renamed = "content/procedures/--version.md"
    repo.git("mv", "--", odd, renamed)
    minimal.replace(renamed, "'1.0'", "'1.1'")
    repo.commit("Rename it and raise the version", "2026-02-02T10:00:00+00:00")
    done = minimal.build(env={"SOURCE_DATE_EPOCH": "1775000000"})
    assert done.returncode == 0, done.stderr
    revisions = _revisions(minimal.path("site"), "WI-2")
    assert [(r["version"], r["summary"]) for r in revisions] == [
        ("1.1", "Rename it and raise the version"),
        ("1.0", "Add a work instruction"),
    ]


def test_a_past_commit_with_an_invalid_date_does_not_break_history(minimal: HandbookDir) -> None:
    repo = GitRepo(minimal.root)
    policy = "content/policies/change.md"
    minimal.replace(policy, "approved_on: 2026-02-16", "approved_on: 2026-02-30")
    minimal.replace("data/documents.yml", "approved_on: 2026-03-01", "approved_on: 2026-02-31")
    repo.commit("Typos in two dates", "2026-02-01T10:00:00+00:00")
    minimal.replace(policy, "approved_on: 2026-02-30", "approved_on: 2026-02-16")
    minimal.replace("data/documents.yml", "approved_on: 2026-02-31", "approved_on: 2026-03-01")
    minimal.replace(policy, 'version: "1.0"', 'version: "1.1"')
    repo.commit("Fix the dates; policy 1.1", "2026-02-02T10:00:00+00:00")
    done = minimal.build(env={"SOURCE_DATE_EPOCH": "1775000000"})
    assert done.returncode == 0, done.stderr
    revisions = _revisions(minimal.path("site"), "POL-001")
    assert [r["version"] for r in revisions] == ["1.1", "1.0", "1.0"]


def test_past_versions_of_pages_can_wait_for_the_later_stage(sydney) -> None:
    """With `pages_later` (a build whose later stage runs in its forked worker) the log
    reads the data files' past versions and the pages' are read on demand, in one
    batch; they are what forget_contents frees (the data files' stay, for the months
    chart of a `mkdocs serve` rebuild). Without it, both are read with the log."""
    from sms_handbook.core.git.cache import handbook_file
    from sms_handbook.core.git.history import read_history, repo_info

    handbook, _ = sydney
    info = repo_info(handbook.root)
    eager = read_history(info, contents=handbook_file)
    assert b"We control every change." in eager.blobs[eager.of(POLICY)[0].blob]
    history = read_history(info, contents=handbook_file, pages_later=True)
    organization = history.of("data/organization.yml")[0].blob
    policy = [r.blob for r in history.of(POLICY)]
    assert organization in history.blobs and not set(policy) & history.blobs.keys()
    history.read_pages()
    assert b"We control every change." in history.blobs[policy[0]]
    history.forget_contents()
    assert organization in history.blobs and not set(policy) & history.blobs.keys()


def test_history_read_ahead_serves_only_the_build_it_was_started_for(
    sydney, minimal: HandbookDir
) -> None:
    """The MkDocs face starts reading the history at on_config; the build takes it up
    when its options are the same, reads anew when not, and leaves no thread behind
    (its worker forks next)."""
    import threading

    from sms_handbook.core.site.pipeline import Pipeline
    from sms_handbook.project import open_project

    handbook, repo = sydney
    project, other = (open_project(h.path("mkdocs.yml")) for h in (handbook, minimal))
    head = repo.git("rev-parse", "HEAD").strip()
    threads = threading.active_count()
    for started in (project, other):
        pipeline = Pipeline()
        pipeline.start(started.options)
        build = pipeline.build(project.options, project.pages)
        assert build.site.history is not None and build.site.history.head == head
        assert threading.active_count() == threads, threading.enumerate()
