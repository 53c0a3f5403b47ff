"""The handbook as in force on a date, from a real history: each document's version
that applied that day."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import GitRepo, HandbookDir

POLICY = "content/policies/change.md"
PROCEDURE = "content/procedures/incident.md"


def set_version(handbook: HandbookDir, page: str, version: str, status: str) -> None:
    text = handbook.read(page)
    text = re.sub(r'version: "[^"]+"', f'version: "{version}"', text)
    text = re.sub(r"status: [\w-]+", f"status: {status}", text, count=1)
    handbook.write(page, text)


@pytest.fixture
def history(minimal: HandbookDir) -> HandbookDir:
    """POL-001 1.0 from 2026-01-10, 1.1 from 2026-02-10, 1.2 in review from 2026-03-01;
    PRC-001 a draft, withdrawn on 2026-03-05."""
    repo = GitRepo(minimal.root)
    set_version(minimal, POLICY, "1.1", "approved")
    repo.commit("Change policy 1.1\n\nApproved-by: Mo Khan <mo.khan@example.org>",
                "2026-02-10T10:00:00+00:00")  # fmt: skip
    set_version(minimal, POLICY, "1.2", "in-review")
    repo.commit("Change policy 1.2 for review", "2026-03-01T10:00:00+00:00")
    minimal.replace(PROCEDURE, "status: draft", "status: withdrawn")
    repo.commit("Withdraw the incident procedure", "2026-03-05T10:00:00+00:00")
    return minimal


def on(handbook: HandbookDir, day: date):
    from sms_handbook.core import in_force
    from sms_handbook.core.site.pipeline import Pipeline
    from sms_handbook.project import open_project

    project = open_project(handbook.path("mkdocs.yml"))
    build = Pipeline().build(project.options, project.pages, environ={})
    return {f.entry.doc.id: f for f in in_force.on(build.site.with_revisions().register, day)}


def test_each_day_has_its_version_in_force(history: HandbookDir) -> None:
    before = on(history, date(2026, 1, 1))
    assert before == {}  # nothing was in the handbook yet
    january = on(history, date(2026, 2, 9))
    assert january["POL-001"].version == "1.0"
    assert january["PRC-001"].version is None and january["PRC-001"].state == "not yet approved"
    february = on(history, date(2026, 2, 10))
    assert february["POL-001"].version == "1.1"
    assert february["POL-001"].commit == GitRepo(history.root).git("rev-parse", "HEAD~2")
    # 1.2 in review does not replace 1.1 until it is approved and published.
    march = on(history, date(2026, 3, 10))
    assert march["POL-001"].version == "1.1"
    assert march["PRC-001"].state == "withdrawn"
    assert march["POL-001"].as_json() == {
        "id": "POL-001", "title": "Change management policy", "version": "1.1",
        "status": "approved", "approved_on": "2026-02-16", "commit": march["POL-001"].commit,
    }  # fmt: skip


def test_the_command_lists_the_versions_in_force(history: HandbookDir) -> None:
    import json

    done = history.cli("in-force", "--date", "2026-03-10", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [(d["id"], d["version"], d["status"]) for d in data] == [("POL-001", "1.1", "approved")]
    text = history.cli("in-force", "--date", "2026-03-10").stdout.splitlines()
    assert text[0].startswith("POL-001\tChange management policy\t1.1\tapproved 2026-02-16\t")
    assert text[1] == "PRC-001\tIncident procedure\t(withdrawn)"
    csv = history.cli("in-force", "--date", "2026-03-10", "--format", "csv").stdout
    assert csv.splitlines()[0] == "id,title,version,status,approved_on,commit"
    bad = history.cli("in-force", "--date", "10/03/2026")
    assert bad.returncode == 2 and "is not a date" in bad.stderr


def _built(history: HandbookDir) -> HandbookDir:
    done = history.build(env={"SOURCE_DATE_EPOCH": "1775000000"})  # 2026-03-31
    assert done.returncode == 0, done.stderr
    return history


def test_documents_json_carries_each_documents_time_line(history: HandbookDir) -> None:
    import json

    site = _built(history).path("site")
    documents = {d["id"]: d for d in json.loads((site / "documents.json").read_text())["documents"]}
    steps = documents["POL-001"]["in_force"]
    assert [(s["from"], s["version"], s["state"]) for s in steps] == [
        ("2026-01-10", "1.0", "in force"), ("2026-02-10", "1.1", "in force"),
    ]  # 1.2 in review changed nothing
    assert steps[1]["url"] == "documents/pol-001/1.1/index.html"
    assert (site / steps[1]["url"]).is_file()
    assert [(s["from"], s["state"]) for s in documents["PRC-001"]["in_force"]] == [
        ("2026-01-10", "not yet approved"), ("2026-03-05", "withdrawn"),
    ]  # fmt: skip
    # The page, with scripts off: the register as in force on the build day.
    page = (site / "documents/in-force/index.html").read_text(encoding="utf-8")
    row = page.split('data-id="POL-001"')[1].split("</tr>")[0]
    assert 'href="../pol-001/1.1/index.html"' in row and "2026-02-10" in row
    assert "withdrawn" in page.split('data-id="PRC-001"')[1].split("</tr>")[0]


@pytest.mark.browser
def test_a_reader_picks_a_date(history: HandbookDir) -> None:
    from browsing import chromium, serve

    site = _built(history).path("site")
    for url in serve(site):
        for browser in chromium():
            page = browser.new_page()
            page.goto(url + "documents/in-force/")
            day = page.locator("input[name=day]")
            day.wait_for(state="visible", timeout=10_000)
            day.fill("2026-02-09")
            rows = page.locator("table.smsh-in-force tbody tr")
            ids = [rows.nth(i).get_attribute("data-id") for i in range(rows.count())]
            assert {"POL-001", "PRC-001"} <= set(ids)
            assert "not yet approved" in page.locator('tr[data-id="PRC-001"]').inner_text()
            first = page.locator('tr[data-id="POL-001"] td').nth(1)
            assert first.inner_text() == "1.0"
            first.locator("a").click()
            page.wait_for_url("**/documents/pol-001/1.0/index.html")
            page.go_back()
            day.fill("2026-01-01")
            assert page.locator("table.smsh-in-force tbody tr").count() == 0
            assert "0 documents" in page.locator(".smsh-in-force-status").inner_text()


def test_render_as_of_writes_the_handbook_as_it_stood(history: HandbookDir, tmp_path) -> None:
    from conftest import run

    repo = GitRepo(history.root)
    history.replace("data/organization.yml", "name: ", "name: Renamed ")
    repo.commit("Rename the organization", "2026-03-20T10:00:00+00:00")
    out = tmp_path / "as-of"
    done = history.cli("render", "--out", str(out), "--as-of", "2026-03-10")
    assert done.returncode == 0, done.stderr
    policy = (out / "docs/policies/change.md").read_text(encoding="utf-8")
    # 1.2 was in review that day: the text in force was 1.1's.
    assert 'version: "1.1"' in policy and "status: approved" in policy
    assert "> **As in force on 2026-03-10.**" in policy
    home = (out / "docs/index.md").read_text(encoding="utf-8")
    assert "As in force on 2026-03-10" in home
    register = (out / "docs/documents/index.md").read_text(encoding="utf-8")
    assert "Testing Services Ltd" in register and "Renamed" not in register  # the data then
    # Any generator builds it, without the plugin.
    built = run("mkdocs", "build", cwd=out)
    assert built.returncode == 0, built.stderr
    february = tmp_path / "february"
    done = history.cli("render", "--out", str(february), "--as-of", "2026-02-09")
    assert done.returncode == 0, done.stderr
    assert 'version: "1.0"' in (february / "docs/policies/change.md").read_text(encoding="utf-8")
    # The project's own work tree is untouched.
    assert "Renamed" in history.read("data/organization.yml")
    assert 'version: "1.2"' in history.read(POLICY)
    early = history.cli("render", "--out", str(tmp_path / "early"), "--as-of", "2025-01-01")
    assert early.returncode != 0 and "no commit on or before 2025-01-01" in early.stderr
    bad = history.cli("render", "--out", str(tmp_path / "bad"), "--as-of", "10/03/2026")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_in_force_follows_renames_and_merges(minimal: HandbookDir) -> None:
    """A version approved on a branch applies from the day its merge lands on the main
    line, not from its approval date nor its branch commit's; a renamed page keeps its
    versions."""
    repo = GitRepo(minimal.root)
    repo.git("checkout", "-q", "-b", "jdoe/policy-1.1")
    set_version(minimal, POLICY, "1.1", "approved")
    minimal.replace(POLICY, "approved_on: 2026-02-16", "approved_on: 2026-02-02")
    repo.commit("Change policy 1.1", "2026-02-02T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "-m",
        "Merge pull request #7 from jdoe/policy-1.1\n\nApproved-by: Mo Khan <mo.khan@example.org>",
        "jdoe/policy-1.1", date="2026-02-20T09:00:00+00:00",
    )  # fmt: skip
    moved = "content/policies/change-management.md"
    repo.git("mv", POLICY, moved)
    minimal.replace("data/policies.yml", "policies/change.md", "policies/change-management.md")
    repo.commit("Rename the change policy's page", "2026-03-01T10:00:00+00:00")
    merge = repo.git("rev-parse", "HEAD~1")
    assert on(minimal, date(2026, 2, 19))["POL-001"].version == "1.0"
    february = on(minimal, date(2026, 2, 20))["POL-001"]
    assert (february.version, february.approved_on, february.commit) == ("1.1", "2026-02-02", merge)
    march = on(minimal, date(2026, 3, 2))["POL-001"]
    assert (march.version, march.commit) == ("1.1", merge)  # the rename changed nothing
