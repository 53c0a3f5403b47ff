"""Change control: `sms-handbook changes` on real branches, approvals recorded from a
forge's reviews, and the rules applied to the history (revision table, change-control
page, documents.json)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import (
    EPOCH_2026_11_27,
    FIXTURES,
    PROJECT,
    BuiltPage,
    GitRepo,
    HandbookDir,
    cells,
    run,
)

POLICY = "content/policies/change.md"
ORG = "data/organization.yml"
#: Today for these builds: 2026-04-01.
ENV = {"SOURCE_DATE_EPOCH": "1775000000"}
#: A CI job's Git identity (notes are commits).
CI = {
    "GIT_AUTHOR_NAME": "CI", "GIT_AUTHOR_EMAIL": "ci@example.org",
    "GIT_COMMITTER_NAME": "CI", "GIT_COMMITTER_EMAIL": "ci@example.org",
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
}  # fmt: skip


@pytest.fixture
def branch(minimal: HandbookDir) -> tuple[HandbookDir, GitRepo]:
    """The minimal handbook committed on main, with a branch `change` checked out."""
    repo = GitRepo(minimal.root)
    repo.git("checkout", "-q", "-b", "change")
    return minimal, repo


def changes(handbook: HandbookDir, *args: str, author: str = "Jane Doe"):
    env = {
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": f"{author.split()[0].lower()}@example.org",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return handbook.cli("changes", *args, env=env)


def test_editing_an_approved_policy_without_a_new_version_fails(branch) -> None:
    handbook, repo = branch
    handbook.replace(POLICY, "Why we control changes.", "Why we sometimes control changes.")
    repo.commit("Relax the policy", "2026-03-02T10:00:00+00:00")
    done = changes(handbook, "--head", "HEAD")
    assert done.returncode == 1
    line = handbook.line_of(POLICY, 'version: "1.0"')
    assert done.stdout.splitlines() == [
        f"{POLICY}:{line}: error: uncontrolled-change: POL-001: text changed while it stayed "
        "at approved version 1.0; raise the version and have it approved"
    ]
    assert "POL-001 Change management policy (changed: text)" in done.stderr
    assert "must approve: Mo Khan" in done.stderr
    # The work tree is the default head: the same change, not committed yet, fails too.
    handbook.replace(POLICY, "Why we sometimes control changes.", "Why we rarely control changes.")
    assert changes(handbook).returncode == 1


def test_the_same_edit_with_a_new_version_and_approval_passes(branch) -> None:
    handbook, repo = branch
    handbook.replace(POLICY, "Why we control changes.", "Why and how we control changes.")
    handbook.replace(POLICY, 'version: "1.0"', 'version: "1.1"')
    handbook.replace(POLICY, "approved_on: 2026-02-16", "approved_on: 2026-03-02")
    repo.commit("Change policy 1.1", "2026-03-02T10:00:00+00:00")
    done = changes(handbook, "--head", "HEAD", "--base", "main")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""
    assert "version: 1.0 → 1.1" in done.stderr


def test_a_lowered_version_fails(branch) -> None:
    handbook, _ = branch
    handbook.replace(POLICY, 'version: "1.0"', 'version: "0.9"')
    done = changes(handbook)
    line = handbook.line_of(POLICY, 'version: "0.9"')
    assert done.returncode == 1
    assert (
        f"{POLICY}:{line}: error: version-decreased: POL-001: version went from 1.0 back to 0.9"
        in done.stdout
    )


def test_versions_compare_as_people_read_them() -> None:
    from sms_handbook.core.versions import decreased, parse

    assert not decreased("1.9", "1.10") and decreased("1.10", "1.9")
    assert not decreased("A", "B") and decreased("Rev C", "Rev B")
    assert not decreased("Issue 3", "Issue 12") and decreased("v2.1", "v2.0.1")
    assert not decreased("1.0", "1") and not decreased("2.0", "Rev B")  # other schemes
    assert parse("RevB") is None and parse("1..2") is None and parse("n/a") is None


def test_an_owner_approving_their_own_document_fails(branch) -> None:
    handbook, _ = branch
    handbook.replace(POLICY, "approver: mkhan", "approver: jdoe")
    done = changes(handbook)
    line = handbook.line_of(POLICY, "approver: jdoe")
    version = handbook.line_of(POLICY, 'version: "1.0"')
    assert done.returncode == 1
    # The change is compared whatever `check` finds: the check's own self-approval at
    # the same place is the same problem, said once.
    assert done.stdout.splitlines() == [
        f"{POLICY}:{version}: error: uncontrolled-change: POL-001: approver changed while "
        "it stayed at approved version 1.0; raise the version and have it approved",
        f"{POLICY}:{line}: error: self-approval: POL-001: Jane Doe is both owner and approver",
    ]


def test_an_approver_approving_their_own_change_fails(branch) -> None:
    handbook, repo = branch
    handbook.replace(POLICY, 'version: "1.0"', 'version: "1.1"')
    handbook.replace(POLICY, "Why we control changes.", "Why Mo controls changes.")
    repo.commit("Mo's edit", "2026-03-02T10:00:00+00:00", author="Mo Khan")
    done = changes(handbook, "--head", "HEAD")
    line = handbook.line_of(POLICY, "approver: mkhan")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{POLICY}:{line}: error: self-approval: POL-001: Mo Khan would approve a change they made"
    ]
    # Not a rule where the organization turns separation of duties off.
    handbook.write(ORG, handbook.read(ORG) + "separation_of_duties: false\n")
    assert changes(handbook, "--head", "HEAD").returncode == 1  # HEAD still has it on
    assert changes(handbook).returncode == 0, changes(handbook).stdout


def test_an_approval_dated_after_today_fails(branch) -> None:
    handbook, _ = branch
    handbook.replace(POLICY, "approved_on: 2026-02-16", "approved_on: 2099-02-16")
    done = changes(handbook)
    assert done.returncode == 1
    assert (
        ": error: approval-in-future: POL-001: approved_on 2099-02-16 is after today" in done.stdout
    )
    assert handbook.cli("check").returncode == 1  # check says so too, for every build


def test_removing_a_document_needs_withdrawing_it_first(branch) -> None:
    handbook, repo = branch
    handbook.replace("data/phases.yml", "[PRC-001, REC-001]", "[REC-001]")
    repo.commit("PRC-001 is no deliverable", "2026-03-01T10:00:00+00:00")
    handbook.path("content/procedures/incident.md").unlink()
    done = changes(handbook)
    assert done.returncode == 1
    assert done.stdout.startswith(
        "content/procedures/incident.md:4: error: document-removed: PRC-001 "
    )
    assert "withdraw or supersede it first" in done.stdout
    run("git", "checkout", "--", ".", cwd=handbook.root, check=True)
    handbook.replace("content/procedures/incident.md", "status: draft", "status: withdrawn")
    repo.commit("Withdraw PRC-001", "2026-03-02T10:00:00+00:00")
    handbook.path("content/procedures/incident.md").unlink()
    assert changes(handbook, "--base", "HEAD").returncode == 0


def test_markdown_and_json_for_the_pull_request(branch) -> None:
    handbook, _ = branch
    handbook.write(
        ORG,
        handbook.read(ORG).replace(
            "    role: Managing director\n", "    role: Managing director\n    github: mo-khan\n"
        ),
    )
    handbook.replace(POLICY, 'version: "1.0"', 'version: "1.1"')
    handbook.replace(POLICY, "status: approved", "status: in-review")
    handbook.replace(POLICY, "Why we control changes.", "Why | how <we> control changes.")
    done = changes(handbook, "--format", "markdown")
    assert done.returncode == 0, done.stdout
    table = [line for line in done.stdout.splitlines() if line.startswith("| POL-001")]
    assert table == [
        "| POL-001 Change management policy | changed: text, version, status | 1.0 → 1.1 "
        "| approved → in-review | Jane Doe | Mo Khan (@mo-khan) | not needed "
        "| review; approval before it is set to approved |"
    ]
    assert "No change-control problem found." in done.stdout
    data = json.loads(changes(handbook, "--format", "json").stdout)
    assert data["head"] is None and len(data["base"]) == 40
    (doc,) = data["documents"]
    assert doc["id"] == "POL-001" and doc["change"] == "changed"
    assert doc["before"] == {
        "version": "1.0",
        "status": "approved",
        "owner": "jdoe",
        "approver": "mkhan",
    }
    assert doc["after"]["version"] == "1.1" and doc["must_approve"] == "mkhan"
    assert data["problems"] == []
    # A problem shows in both.
    handbook.replace(POLICY, "approver: mkhan", "approver: jdoe")
    md = changes(handbook, "--format", "markdown")
    assert md.returncode == 1 and "**1 problem(s) must be fixed" in md.stdout
    assert "`self-approval`" in md.stdout
    data = json.loads(changes(handbook, "--format", "json").stdout)
    assert [p["code"] for p in data["problems"]] == ["self-approval"]


def test_no_base_found_is_a_usage_error(tmp_path: Path) -> None:
    root = tmp_path / "handbook"
    subprocess.run(["cp", "-r", str(FIXTURES / "minimal"), str(root)], check=True)
    repo = GitRepo(root)
    repo.git("init", "-q", "-b", "trunk")
    repo.commit("Initial", "2026-01-10T09:00:00+00:00")
    done = HandbookDir(root).cli("changes")
    assert done.returncode == 2
    assert "no base to compare with" in done.stderr and "--base REF" in done.stderr
    assert "Traceback" not in done.stderr
    bad = HandbookDir(root).cli("changes", "--base", "nowhere")
    assert bad.returncode == 2 and "'nowhere' does not name a commit" in bad.stderr


# --- approvals recorded from a forge, and the rules over the history --------------------


def _with_usernames(handbook: HandbookDir) -> None:
    text = handbook.read(ORG)
    text = text.replace(
        "    role: Managing director\n",
        "    role: Managing director\n    github: mo-khan\n    gitlab: mkhan\n",
    )
    handbook.write(ORG, text)


@pytest.fixture
def forge_history(minimal: HandbookDir) -> tuple[HandbookDir, GitRepo]:
    """main, then:

    1. GitHub merge of pull request #12: POL-001 1.1 by Jane Doe; reviews recorded
       afterwards with `record-approvals` (changes requested, then approved by Mo Khan).
    2. GitLab merge of !34: PRC-001 becomes 1.0 approved, `Approved-by: Mo Khan`.
    3. A direct commit: POL-001 1.2 with `Approved-by: Jane Doe` (not the approver, and
       the author of the change).
    4. A direct commit: POL-001's text changed while it stays at 1.2.
    """
    handbook = minimal
    repo = GitRepo(handbook.root)
    _with_usernames(handbook)
    repo.commit("Usernames", "2026-01-11T09:00:00+00:00")
    repo.git("checkout", "-q", "-b", "jdoe/policy-1.1")
    handbook.replace(POLICY, 'version: "1.0"', 'version: "1.1"')
    handbook.replace(POLICY, "approved_on: 2026-02-16", "approved_on: 2026-02-11")
    handbook.replace(POLICY, "Why we control changes.", "Why and how we control changes.")
    repo.commit("Change policy 1.1", "2026-02-09T08:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "-m", "Merge pull request #12 from jdoe/policy-1.1",
        "jdoe/policy-1.1", date="2026-02-12T16:00:00+00:00",
    )  # fmt: skip
    merge = repo.git("rev-parse", "HEAD")
    repo.commits.append(merge)
    repo.git("checkout", "-q", "-b", "prc")
    incident = "content/procedures/incident.md"
    handbook.replace(incident, 'version: "0.1"', 'version: "1.0"')
    handbook.replace(
        incident, "status: draft", "status: approved\n  approver: mkhan\n  approved_on: 2026-02-28"
    )
    repo.commit("Incident procedure 1.0", "2026-02-20T08:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "-m",
        "Merge branch 'prc' into 'main'\n\nIncident procedure 1.0\n\n"
        "See merge request testing/handbook!34\n\nApproved-by: Mo Khan <mo.khan@example.org>",
        "prc", date="2026-03-01T14:00:00+00:00",
    )  # fmt: skip
    handbook.replace(POLICY, 'version: "1.1"', 'version: "1.2"')
    handbook.replace(POLICY, "approved_on: 2026-02-11", "approved_on: 2026-03-05")
    handbook.replace(POLICY, "Why and how we control changes.", "We control changes.")
    repo.commit(
        "Change policy 1.2\n\nApproved-by: Jane Doe <jane.doe@example.org>",
        "2026-03-05T10:00:00+00:00",
    )
    handbook.replace(POLICY, "We control changes.", "We mostly control changes.")
    repo.commit("Quiet edit", "2026-03-10T10:00:00+00:00")
    reviews = str(FIXTURES / "forges/github-reviews.json")
    done = handbook.cli("record-approvals", "--commit", merge, "--from", reviews, env=CI)
    assert done.returncode == 0, done.stderr
    assert "recorded on" in done.stderr and "Mo Khan" in done.stderr
    return handbook, repo


def test_record_approvals_writes_the_latest_approving_reviews(forge_history) -> None:
    _, repo = forge_history
    merge = repo.commits[2]
    assert repo.git("log", "-1", "--format=%s", merge).startswith("Merge pull request #12")
    note = repo.git("notes", "--ref=refs/notes/sms-approvals", "show", merge)
    # The changes requested were superseded by the approval; the comment is no verdict.
    assert note == "Approved-by: Mo Khan on 2026-02-11T15:30:00Z via github"


def test_history_shows_approvals_and_exceptions(forge_history) -> None:
    handbook, _ = forge_history
    done = handbook.build("-d", "site", env=ENV)
    assert done.returncode == 0, done.stderr
    site = handbook.path("site")
    data = {d["id"]: d for d in json.loads((site / "documents.json").read_text())["documents"]}
    policy = data["POL-001"]["revisions"]
    assert [(r["version"], r["approved_by"], r["pull_request"]) for r in policy] == [
        ("1.2", [], None),
        ("1.2", ["Jane Doe"], None),
        ("1.1", ["Mo Khan"], 12),
        ("1.0", [], None),
    ]
    assert policy[2]["approvals"] == [
        {"name": "Mo Khan", "person": "mkhan", "date": "2026-02-11", "source": "note:github",
         "kind": "approval", "designated_approver": True},
    ]  # fmt: skip
    assert data["PRC-001"]["revisions"][0]["approved_by"] == ["Mo Khan"]
    assert data["PRC-001"]["revisions"][0]["approvals"][0]["source"] == "trailer"
    assert data["PRC-001"]["exceptions"] == []
    assert [(e["date"], e["code"]) for e in data["POL-001"]["exceptions"]] == [
        ("2026-03-10", "uncontrolled-change"),
        ("2026-03-05", "approval-by-other"),
        ("2026-03-05", "self-approval"),
    ]
    # The revision table marks them.
    page = BuiltPage.read(site / "policies/change/index.html")
    table = page.html[page.html.index('class="smsh-table smsh-history"') :].split("</table>")[0]
    rows = [cells(row) for row in table.split("<tr")[2:]]
    assert rows[0][7] == "\u26a0 changed without a new version"
    assert rows[1][4] == "Jane Doe (not the designated approver)"
    assert rows[1][7].split("\u26a0")[1:] == [" not approved by the approver", " self-approval"]
    assert rows[2][4] == "Mo Khan" and rows[2][7] == ""
    # The change-control page lists them first, then the evidence.
    control = BuiltPage.read(site / "documents/control/index.html")
    text = control.text
    assert text.index("Exceptions") < text.index("Approval evidence")
    assert "3 exceptions, newest first." in text
    assert "Jane Doe approved their own document or change" in text
    assert "was approved by Jane Doe, not by the designated approver Mo Khan" in text
    assert "Mo Khan (2026-02-11, recorded from GitHub) designated approver" in text
    assert "Approvals are not being recorded" not in text
    # The archive of 1.2 is not "the current version": its text changed since.
    archive = (site / "documents/pol-001/1.2/index.html").read_text()
    assert "This is the current version." not in archive
    assert "changed after approval without a new version" in archive
    assert "approved on 2026-03-05 by Jane Doe, published 2026-03-05" in archive


def test_unknown_usernames_are_refused(minimal: HandbookDir) -> None:
    done = minimal.cli(
        "record-approvals",
        "--commit",
        "HEAD",
        "--from",
        str(FIXTURES / "forges/github-reviews.json"),
    )
    assert done.returncode == 1
    reviews = str(FIXTURES / "forges/github-reviews.json")
    line = next(
        n for n, text in enumerate(Path(reviews).read_text().splitlines(), 1) if '"mo-khan"' in text
    )
    assert done.stdout.splitlines() == [
        f"{reviews}:{line}: error: unknown-username: github user 'mo-khan' approved, but no "
        "person in organization.yml gives `github: mo-khan`; add it, then record the "
        "approvals again"
    ]


def test_gitlab_approvals_from_the_api(minimal: HandbookDir) -> None:
    _with_usernames(minimal)
    env = CI
    done = minimal.cli(
        "record-approvals", "--commit", "HEAD", "--forge", "gitlab",
        "--from", str(FIXTURES / "forges/gitlab-approvals.json"), env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    note = GitRepo(minimal.root).git("notes", "--ref=refs/notes/sms-approvals", "show", "HEAD")
    assert note == "Approved-by: Mo Khan on 2026-02-28T09:15:00.000Z via gitlab"
    # Recording twice keeps one line.
    assert minimal.cli(
        "record-approvals", "--commit", "HEAD", "--forge", "gitlab",
        "--from", str(FIXTURES / "forges/gitlab-approvals.json"), env=env,
    ).returncode == 0  # fmt: skip
    assert (
        GitRepo(minimal.root).git("notes", "--ref=refs/notes/sms-approvals", "show", "HEAD") == note
    )


def test_pull_requests_without_recorded_approvals_are_reported(git_handbook) -> None:
    handbook, _ = git_handbook  # a merged pull request, a Reviewed-by trailer, no approval
    done = handbook.build("-d", "site", env=ENV)
    assert done.returncode == 0, done.stderr  # information, not a strict failure
    assert "approvals are not being recorded" in done.stderr
    control = BuiltPage.read(handbook.path("site/documents/control/index.html")).text
    assert "Approvals are not being recorded" in control
    assert "record-approvals" in control


def test_the_exemplar_keeps_its_own_change_control(tmp_path: Path) -> None:
    """The exemplar's history before its control_since holds changes no rule allows
    (POL-001 to POL-006 edited at 16b6fac under the same versions): shown, marked as
    before change control, never exceptions. After it, every change keeps the rules:
    any exemplar commit that breaks one fails here."""
    if run("git", "cat-file", "-e", "16b6fac^{commit}", cwd=PROJECT).returncode != 0:
        pytest.skip("the project's history is not available (shallow clone)")
    done = run(
        "mkdocs", "build", "--strict", "-d", tmp_path / "site", cwd=PROJECT,
        env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_27},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "site/documents.json").read_text())
    exceptions = {d["id"]: d["exceptions"] for d in data["documents"] if d["exceptions"]}
    assert exceptions == {}
    pol = next(d for d in data["documents"] if d["id"] == "POL-002")
    assert any(r["commit"].startswith("16b6fac") for r in pol["revisions"])
    html = (tmp_path / "site/policies/change-management/index.html").read_text()
    row = next(r for r in html.split("<tr") if "16b6fac" in r)
    assert "before change control" in cells("<tr" + row)[-1]
    control = BuiltPage.read(tmp_path / "site/documents/control/index.html").text
    assert "None: every revision" in control
