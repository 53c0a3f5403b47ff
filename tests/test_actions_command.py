"""`sms-handbook actions` and `sms-handbook new risk|nonconformity|action`, run as users run
them, on a copy of the minimal handbook on 2026-11-27; and the entries appended as YAML
text (core/entries.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import EPOCH_2026_11_27, HandbookDir
from sms_handbook.core import entries

TODAY = {"SOURCE_DATE_EPOCH": EPOCH_2026_11_27}

ACTIONS = """\
# Our actions: the SMS manager keeps this list.
actions:
  - id: ACT-2026-001
    title: Test fail-over to the second site
    kind: risk-treatment
    owner: mkhan
    raised_on: 2026-06-01
    due: 2026-11-20
    status: in-progress

  - id: ACT-2026-002
    title: Register the external standards
    kind: corrective
    owner: jdoe
    raised_on: 2026-10-01
    due: 2026-11-30
    status: done
    done_on: 2026-11-25

  - id: ACT-2026-003
    title: Publish the knowledge base
    kind: improvement
    owner: jdoe
    raised_on: 2026-10-01
    due: 2027-01-31
    status: open

  - id: ACT-2026-004
    title: Train a second CAB chair
    kind: improvement
    owner: mkhan
    raised_on: 2026-01-01
    due: 2026-03-01
    status: done
    done_on: 2026-02-20

  - id: ACT-2026-005
    title: Move the backups offsite
    kind: improvement
    owner: jdoe
    raised_on: 2026-01-01
    due: 2026-03-01
    status: cancelled

  - id: ACT-2026-006
    title: Rotate the vault keys
    kind: improvement
    owner: jdoe
    raised_on: 2026-11-01
    due: 2026-12-15
    status: open
    classification: confidential
# Closed actions stay here: the history of improvement.
"""

RISKS = """\
criteria:
  likelihood: [rare, unlikely, possible, likely, almost-certain]
  impact: [minor, moderate, major, severe]
  appetite: 6
risks:
  - id: RSK-001
    kind: risk
    title: Loss of the first site
    owner: mkhan
    likelihood: unlikely
    impact: severe
    treatment: reduce
    actions: [ACT-2026-001]
    reviewed_on: 2026-11-20
    status: open
"""

NONCONFORMITIES = """\
nonconformities:
  - id: NC-001
    raised_on: 2026-10-01
    raised_by: jdoe
    source: internal audit of October
    grade: minor
    description: The external standards were not registered.
    actions: [ACT-2026-002]
    status: open
"""


@pytest.fixture
def tracked(minimal: HandbookDir) -> HandbookDir:
    """The minimal handbook with actions, a risk and a nonconformity naming two of them."""
    minimal.write("data/actions.yml", ACTIONS)
    minimal.write("data/risks.yml", RISKS)
    minimal.write("data/nonconformities.yml", NONCONFORMITIES)
    done = minimal.cli("check", env=TODAY)
    assert done.returncode == 0, done.stdout + done.stderr
    return minimal


def actions(handbook: HandbookDir, *args: str):
    return handbook.cli("actions", *args, env=TODAY)


def new(handbook: HandbookDir, *args: str):
    return handbook.cli("new", *args, env=TODAY)


# -- actions ------------------------------------------------------------------------------


def test_text_lists_what_is_not_settled_attention_first(tracked: HandbookDir) -> None:
    done = actions(tracked)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATE", "DATE", "OWNER", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == [
        "ACT-2026-001", "ACT-2026-002", "ACT-2026-006", "ACT-2026-003",
    ]  # fmt: skip
    assert lines[1] == (
        "ACT-2026-001  overdue                due 2026-11-20   Mo Khan   "
        "Test fail-over to the second site  (risk RSK-001)"
    )
    assert lines[2].startswith("ACT-2026-002  awaiting-verification  done 2026-11-25  Jane Doe")
    assert lines[2].endswith("Register the external standards  (nonconformity NC-001)")
    # Aligned: every title starts in the same column.
    starts = zip(lines[:3], ("TITLE", "Test", "Register"), strict=True)
    assert len({line.index(title) for line, title in starts}) == 1
    # Withheld from the site, shown here, and marked.
    assert lines[3].endswith("Rotate the vault keys  [withheld: confidential]")
    assert "4 action(s) not closed or cancelled on 2026-11-27" in done.stderr


def test_all_and_state_choose_the_states(tracked: HandbookDir) -> None:
    every = actions(tracked, "--all")
    assert every.returncode == 0
    listed = [line.split()[:2] for line in every.stdout.splitlines()[1:]]
    assert listed[-2:] == [["ACT-2026-004", "closed"], ["ACT-2026-005", "cancelled"]]
    assert len(listed) == 6
    some = actions(tracked, "--state", "closed", "--state", "overdue")
    assert [line.split()[0] for line in some.stdout.splitlines()[1:]] == [
        "ACT-2026-001", "ACT-2026-004",
    ]  # fmt: skip
    both = actions(tracked, "--all", "--overdue")
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_json(tracked: HandbookDir) -> None:
    done = actions(tracked, "--format", "json", "--all")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert [a["id"] for a in listed][:2] == ["ACT-2026-001", "ACT-2026-002"]
    assert listed[0] == {
        "id": "ACT-2026-001",
        "title": "Test fail-over to the second site",
        "kind": "risk-treatment",
        "owner": "mkhan",
        "owner_name": "Mo Khan",
        "due": "2026-11-20",
        "status": "in-progress",
        "state": "overdue",
        "done_on": None,
        "classification": "internal",
        "origins": [{"kind": "risk", "id": "RSK-001"}],
    }
    second = listed[1]
    assert second["done_on"] == "2026-11-25" and second["state"] == "awaiting-verification"
    assert second["origins"] == [{"kind": "nonconformity", "id": "NC-001"}]
    assert {a["state"] for a in listed} == {
        "overdue", "awaiting-verification", "open", "closed", "cancelled",
    }  # fmt: skip


def test_overdue_exits_1_when_any_is(tracked: HandbookDir) -> None:
    late = actions(tracked, "--overdue")
    assert late.returncode == 1
    assert [line.split()[0] for line in late.stdout.splitlines()[1:]] == ["ACT-2026-001"]
    assert "1 action(s) overdue" in late.stderr
    mine = actions(tracked, "--overdue", "--owner", "jdoe")
    assert mine.returncode == 0 and mine.stdout == ""
    assert "0 action(s) of jdoe overdue" in mine.stderr
    tracked.replace("data/actions.yml", "    due: 2026-11-20\n", "    due: 2026-12-20\n")
    assert actions(tracked, "--overdue").returncode == 0
    assert json.loads(actions(tracked, "--overdue", "--format", "json").stdout) == []


def test_owner_filters_and_an_unknown_owner_is_a_usage_error(tracked: HandbookDir) -> None:
    done = actions(tracked, "--owner", "mkhan", "--all", "--format", "json")
    assert [a["id"] for a in json.loads(done.stdout)] == ["ACT-2026-001", "ACT-2026-004"]
    unknown = actions(tracked, "--owner", "mkahn")
    assert unknown.returncode == 2
    assert "--owner 'mkahn' is not a key under people (did you mean 'mkhan'?)" in unknown.stderr
    assert unknown.stdout == "" and "Traceback" not in unknown.stderr


def test_no_actions_file(minimal: HandbookDir) -> None:
    text = actions(minimal)
    assert text.returncode == 0 and text.stdout == ""
    assert "no actions.yml" in text.stderr
    assert json.loads(actions(minimal, "--format", "json").stdout) == []
    assert actions(minimal, "--overdue").returncode == 0


def test_a_handbook_with_errors_exits_1_as_check_does(tracked: HandbookDir) -> None:
    tracked.replace("data/actions.yml", "owner: mkhan", "owner: mkahn")
    done = actions(tracked)
    assert done.returncode == 1
    assert ": error: unknown-person: " in done.stdout
    assert "1 error(s)" in done.stderr and "Traceback" not in done.stderr


def test_help_says_withheld_actions_are_listed(minimal: HandbookDir) -> None:
    done = minimal.cli("actions", "--help")
    assert done.returncode == 0
    assert "withheld" in done.stdout and "never publish" in done.stdout


# -- new risk | nonconformity | action ---------------------------------------------------------


def test_new_action_twice_gives_consecutive_ids(minimal: HandbookDir) -> None:
    first = new(minimal, "action", "--title", "Write the backup procedure")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "data/actions.yml:3"
    assert "due 2026-12-27: 30 days from today" in first.stderr
    assert "note: owner set to 'jdoe'" in first.stderr
    second = new(
        minimal, "action", "--title", "Test it", "--kind", "improvement", "--owner", "mkhan"
    )
    assert second.returncode == 0, second.stderr
    loaded = minimal.load()
    assert loaded.handbook is not None and loaded.problems == []
    (one, two) = loaded.handbook.actions
    assert (one.id, two.id) == ("ACT-001", "ACT-002")
    assert (one.kind, one.owner, one.raised_on, one.due, one.status) == (
        "corrective", "jdoe", date(2026, 11, 27), date(2026, 12, 27), "open",
    )  # fmt: skip
    assert (two.kind, two.owner) == ("improvement", "mkhan")
    assert minimal.cli("check", env=TODAY).returncode == 0


def test_new_action_continues_the_series_and_keeps_the_file(tracked: HandbookDir) -> None:
    before = tracked.path("data/actions.yml").read_bytes()
    done = new(tracked, "action", "--title", "Check the restore")
    assert done.returncode == 0, done.stderr
    after = tracked.path("data/actions.yml").read_bytes()
    assert after.startswith(before)  # every comment, every byte kept
    assert after[len(before) :].decode() == (
        "\n  - id: ACT-2026-007\n    title: Check the restore\n    kind: corrective\n"
        "    owner: jdoe\n    raised_on: 2026-11-27\n    due: 2026-12-27\n    status: open\n"
    )
    first_line = len(before.splitlines()) + 2  # after a blank line
    assert done.stdout.strip() == f"data/actions.yml:{first_line}"
    assert tracked.cli("check", env=TODAY).returncode == 0
    listed = json.loads(actions(tracked, "--format", "json").stdout)
    assert "ACT-2026-007" in [a["id"] for a in listed]


NASTY = [
    "Fix: the #1 issue",
    "- starts with a dash",
    "* a star",
    "&anchor and *alias",
    "'single' and \"double\" quotes",
    "Ünïcödé — ✓ 日本語",
    "yes",
    "null",
    "~",
    "2026-11-27",
    "1.10",
    "@at %percent `tick` {brace} [bracket] |pipe >gt !bang ? ,",
    "  leading and trailing spaces  ",
    "a # not a comment",
    "tab\there",
]


def test_nasty_titles_round_trip_exactly(minimal: HandbookDir) -> None:
    for title in NASTY:
        done = new(minimal, "action", "--title", title)
        assert done.returncode == 0, (title, done.stderr)
    loaded = minimal.load()
    assert loaded.handbook is not None and loaded.problems == [], loaded.problems
    assert [a.title for a in loaded.handbook.actions] == NASTY


def test_refused_flow_style_and_the_list_not_last(tracked: HandbookDir) -> None:
    flow = (
        "actions: [{id: ACT-1, title: T, kind: improvement, owner: jdoe, "
        "raised_on: 2026-11-01, due: 2026-12-01, status: open}]\n"
    )
    tracked.write("data/actions.yml", flow)
    tracked.replace("data/risks.yml", "actions: [ACT-2026-001]", "actions: [ACT-1]")
    tracked.replace("data/nonconformities.yml", "    actions: [ACT-2026-002]\n", "")
    assert tracked.cli("check", env=TODAY).returncode == 0
    done = new(tracked, "action", "--title", "T2")
    assert done.returncode == 1
    assert "flow style" in done.stderr and "nothing was written" in done.stderr
    assert tracked.read("data/actions.yml") == flow

    risks = tracked.read("data/risks.yml")
    criteria, listed = risks.split("risks:\n")
    last_not_list = "risks:\n" + listed + criteria
    tracked.write("data/risks.yml", last_not_list)
    assert tracked.cli("check", env=TODAY).returncode == 0
    done = new(tracked, "risk", "--title", "Another")
    assert done.returncode == 1 and "not the last top-level key" in done.stderr
    assert "Traceback" not in done.stderr
    assert tracked.read("data/risks.yml") == last_not_list


def test_refused_an_id_in_use_and_an_entry_that_would_not_validate(tracked: HandbookDir) -> None:
    before = tracked.path("data/nonconformities.yml").read_bytes()
    used = new(tracked, "nonconformity", "--id", "NC-001", "--title", "X", "--source", "a review")
    assert used.returncode == 1
    assert "nonconformity id NC-001 is already used at data/nonconformities.yml:2" in used.stderr
    # An id-like source that is no assessment fails validation: the file is restored.
    bad = new(tracked, "nonconformity", "--title", "Records missing", "--source", "A-99")
    assert bad.returncode == 1
    assert "would not validate" in bad.stderr and "unknown-assessment" in bad.stderr
    assert tracked.path("data/nonconformities.yml").read_bytes() == before
    # ... and a file it created is removed again.
    tracked.path("data/nonconformities.yml").unlink()
    again = new(tracked, "nonconformity", "--title", "Records missing", "--source", "A-99")
    assert again.returncode == 1
    assert not tracked.path("data/nonconformities.yml").exists()
    assert list(tracked.root.rglob("*.tmp")) == []


def test_new_risk_on_an_absent_file(minimal: HandbookDir) -> None:
    risk = new(minimal, "risk", "--title", "Loss of the only site", "--owner", "mkhan")
    assert risk.returncode == 0, risk.stderr
    assert "likelihood possible and impact moderate" in risk.stderr
    chance = new(minimal, "risk", "--title", "Sell hosting to schools", "--kind", "opportunity")
    assert chance.returncode == 0, chance.stderr
    text = minimal.read("data/risks.yml")
    assert text.startswith("# The risk register") and "\ncriteria:" in text
    loaded = minimal.load()
    assert loaded.handbook is not None and loaded.problems == [], loaded.problems
    first, second = loaded.handbook.risks
    assert (first.id, first.kind, first.treatment, first.owner) == (
        "RSK-001", "risk", "reduce", "mkhan",
    )  # fmt: skip
    assert (second.id, second.kind, second.treatment) == ("RSK-002", "opportunity", "exploit")
    assert first.reviewed_on == date(2026, 11, 27) and first.status == "open"
    assert minimal.cli("check", env=TODAY).returncode == 0


def test_new_nonconformity(minimal: HandbookDir) -> None:
    no_source = new(minimal, "nonconformity", "--title", "Records missing")
    assert no_source.returncode == 2 and "needs --source" in no_source.stderr
    assert not minimal.path("data/nonconformities.yml").exists()
    done = new(
        minimal, "nonconformity", "--title", "Records: missing\n\nfor March",
        "--source", "complaint from a customer", "--grade", "major",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "note: raised_by set to 'jdoe'" in done.stderr
    loaded = minimal.load()
    assert loaded.handbook is not None and loaded.problems == [], loaded.problems
    (found,) = loaded.handbook.nonconformities
    assert (found.id, found.grade, found.raised_by, found.status) == (
        "NC-001",
        "major",
        "jdoe",
        "open",
    )
    assert found.description == "Records: missing\n\nfor March"
    assert found.source == "complaint from a customer"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("action", "--title", "T", "--kind", "corective"), "did you mean 'corrective'"),
        (("action", "--title", "T", "--grade", "major"), "--grade: not an option of a new action"),
        (("risk", "--title", "T", "--template", "x"), "--template: not an option of a new risk"),
        (("nonconformity", "--title", "T", "--source", "s", "--kind", "risk"), "--kind: not an"),
        (("policy", "--title", "T"), "a new policy needs --id"),
        (("policy", "--title", "T", "--id", "P-1", "--kind", "risk"), "--kind: not an option"),
        (("action", "--title", " "), "--title is empty"),
        (("action", "--title", "T", "--id", "bad id"), "--id 'bad id'"),
        (("action", "--title", "T", "--owner", "jdo"), "did you mean 'jdoe'"),
    ],
)
def test_bad_arguments_exit_2(minimal: HandbookDir, args, message) -> None:
    done = new(minimal, *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not minimal.path("data/actions.yml").exists()


# -- core/entries.py ----------------------------------------------------------------------

ENTRY = entries.action_entry(
    entry_id="ACT-9", title="T: x", kind="corrective", owner="jdoe", today=date(2026, 11, 27)
)


def test_next_id() -> None:
    assert entries.next_id([], ("ACT",)) == "ACT-001"
    assert entries.next_id(["ACT-2026-006", "ACT-2026-010", "ACT-001"], ("ACT",)) == "ACT-2026-011"
    assert entries.next_id(["RSK-009", "ACTION-5"], ("RSK",)) == "RSK-010"
    assert entries.next_id(["RSK-009"], entries.OPPORTUNITY_PREFIXES) == "RSK-010"
    assert entries.next_id(["RSK-009", "OPP-001"], entries.OPPORTUNITY_PREFIXES) == "OPP-002"
    assert entries.next_id(["A-1"], ("NC",)) == "NC-001"


@pytest.mark.parametrize(
    ("original", "expected_end", "line"),
    [
        # No indentation before the dashes, and no blank line between entries: kept.
        (
            "actions:\n- id: A\n  x: 1\n- id: B\n  x: 2\n",
            "  x: 2\n- id: ACT-9\n  title: 'T: x'\n",
            6,
        ),
        # An empty flow list becomes a block list; the comment after it stays.
        ("actions: []  # none yet\n", "actions:  # none yet\n  - id: ACT-9\n", 2),
        # Windows line endings stay Windows line endings.
        ("actions:\r\n  - id: A\r\n", "  - id: A\r\n\r\n  - id: ACT-9\r\n    title: 'T: x'\r\n", 4),
        # No list yet (nor a final line break): the key and the entry follow.
        ("# ours\nother: 1", "other: 1\nactions:\n  - id: ACT-9\n", 4),
        ("actions:\n", "actions:\n  - id: ACT-9\n", 2),
        # No final line break.
        ("actions:\n  - id: A\n# end", "# end\n\n  - id: ACT-9\n", 5),
    ],
)
def test_add_entry_follows_the_file(original: str, expected_end: str, line: int) -> None:
    added = entries.add_entry(original.encode(), entries.TYPES["action"], ENTRY)
    text = added.data.decode()
    assert expected_end in text and text.endswith(
        "status: open" + ("\r\n" if "\r" in original else "\n")
    )
    assert added.line == line
    assert text.splitlines()[line - 1].lstrip().startswith("- id: ACT-9")


@pytest.mark.parametrize(
    ("original", "why"),
    [
        ("actions: [{id: A}]\n", "flow style"),
        ("{actions: []}\n", "block style"),
        ("actions:\n  - id: A\n...\n", "something follows"),
        ("actions: 3\n", "not a list"),
        ("actions: [\n", "cannot be read as YAML"),
    ],
)
def test_add_entry_refuses(original: str, why: str) -> None:
    with pytest.raises(entries.Unplaceable, match=why):
        entries.add_entry(original.encode(), entries.TYPES["action"], ENTRY)
