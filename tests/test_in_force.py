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
