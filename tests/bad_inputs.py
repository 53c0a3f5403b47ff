"""The bad-input cases: each breaks the minimal handbook (tests/fixtures/minimal) in one way.

A case names the problem code it must raise, the file and a text on the line where it
must be reported (after the edit), and the edit itself. `test_validation.py` runs them
through the core; `test_bad_input.py` through `sms-handbook check` and `mkdocs build`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from conftest import HandbookDir
from sms_handbook.core import policy_templates, scaffold


@dataclass
class Case:
    code: str
    path: str  # where the problem must be reported
    needle: str  # text on the expected line (after the edit)
    edit: Callable[[HandbookDir], None]
    message: str = ""  # text the message must contain
    severity: str = "error"


def sub(rel: str, old: str, new: str) -> Callable[[HandbookDir], None]:
    return lambda h: h.replace(rel, old, new)


def append(rel: str, text: str) -> Callable[[HandbookDir], None]:
    return lambda h: h.write(rel, h.read(rel) + text)


ORG, PHASES, DISPOSALS = "data/organization.yml", "data/phases.yml", "data/disposals.yml"
POLICIES, DOCS = "data/policies.yml", "data/documents.yml"
POLICY, PROC = "content/policies/change.md", "content/procedures/incident.md"

DISPOSAL = """disposals:
  - record: REC-001
    date: 2026-02-01
    what: Incident records 2019
    method: destroy
    authorised_by: mkhan
"""

#: The guidance `new` writes under the change-management template's first heading.
GUIDANCE = scaffold.comment(policy_templates.builtin()["change-management"].sections[0].guidance)

ASSESSMENTS, PROJECT = "data/assessments.yml", "data/project.yml"
ASSESSMENT = """assessments:
  - id: GA-1
    date: 2026-01-20
    kind: baseline
    title: Baseline gap analysis
    assessor: mkhan
    results:
      - clause: "8.5.1"
        conformity: partial
        evidence: [POL-001, "https://desk.example/report/17"]
"""
PLAN = """sponsor: mkhan
business_case:
  decision: {by: mkhan, on: 2025-11-20, outcome: approved}
team:
  - {person: jdoe, role: Project manager, allocation: 50%}
gates:
  - phase: P1
    criteria: [Policies approved]
    decision: {by: mkhan, on: 2026-04-30, outcome: passed}
scope_changes:
  - {date: 2026-06-01, change: Added the service desk, reason: Customer demand, approved_by: mkhan}
"""

EXTRA_DOC = """  - id: DOC-9
    title: Extra
    type: plan
    owner: jdoe
    version: "1.0"
    status: draft
"""


# Check and Act: a corrective action done and verified, a nonconformity it answers, a
# risk above the appetite being reduced and a management review held. The nonconformity
# names the action, so `check_act` writes both (each case may change either).
ACTIONS, NCS = "data/actions.yml", "data/nonconformities.yml"
RISKS, REVIEWS = "data/risks.yml", "data/management-reviews.yml"
ACTION = """actions:
  - id: ACT-1
    title: Agree closure with the customer
    kind: corrective
    owner: jdoe
    raised_on: 2026-02-01
    due: 2026-02-28
    status: done
    done_on: 2026-02-20
    effectiveness: {verified_by: mkhan, on: 2026-03-01, effective: true}
"""
VERIFIED = "    effectiveness: {verified_by: mkhan, on: 2026-03-01, effective: true}\n"
NONCONFORMITY = """nonconformities:
  - id: NC-1
    raised_on: 2026-02-01
    raised_by: mkhan
    source: a customer complaint
    grade: minor
    clauses: ["8.6.1"]
    documents: [PRC-001]
    description: An incident was closed before the customer agreed.
    root_cause: Nobody asked the customer.
    actions: [ACT-1]
    status: open
"""
CLOSED = NONCONFORMITY.replace("status: open\n", "status: closed\n    closed_on: 2026-03-01\n")
RISK = """criteria:
  likelihood: [rare, possible, likely]
  impact: [minor, major]
  appetite: 3
risks:
  - id: RSK-1
    kind: risk
    title: The service desk tool fails
    owner: jdoe
    clauses: ["6.1"]
    likelihood: likely
    impact: major
    treatment: reduce
    residual: {likelihood: rare, impact: major}
    reviewed_on: 2026-02-01
    status: open
"""
REVIEW = """management_reviews:
  - id: MR-1
    date: 2026-02-10
    chair: mkhan
    attendees: [mkhan, jdoe]
    inputs:
      - topic: audit-results
        summary: No audit yet.
      - topic: resources
    decisions: Run the first internal audit in May.
    minutes: REC-001
"""
#: An internal audit that found 8.5.1 nonconforming.
AUDIT = ASSESSMENT.replace("baseline", "internal-audit").replace("partial", "nonconforming")


def check_act(
    nonconformities: str = NONCONFORMITY, actions: str = ACTION
) -> Callable[[HandbookDir], None]:
    """Write nonconformities.yml and actions.yml."""

    def edit(h: HandbookDir) -> None:
        h.write(NCS, nonconformities)
        h.write(ACTIONS, actions)

    return edit


def again(text: str, key: str, old: str) -> str:
    """`text` with its one item listed twice under `key`, the second's id `old # again`."""
    item = text.split(f"{key}:\n", 1)[1]
    return text + item.replace(f"id: {old}", f"id: {old} # again")


# One case a line reads best as a table.
# fmt: off
CASES: dict[str, Case] = {
    # --- reading files ---------------------------------------------------------------
    "yaml syntax": Case("yaml-syntax", ORG, "email: jane", sub(ORG, "role: SMS manager", "role: [SMS manager"), "from line 11"),
    "duplicate key": Case("yaml-duplicate-key", ORG, "name: Again", append(ORG, "name: Again\n"), "given twice"),
    "not utf-8": Case("not-utf8", ORG, "Caf", lambda h: h.write(ORG, h.read(ORG).encode() + b"# Caf\xe9\n")),
    "byte-order mark": Case("bom", ORG, "name: Testing", lambda h: h.write(ORG, b"\xef\xbb\xbf" + h.read(ORG).encode())),
    "empty file": Case("empty-file", PHASES, "", lambda h: h.write(PHASES, "# nothing yet\n")),
    "missing file": Case("missing-file", ORG, "", lambda h: h.path(ORG).unlink()),
    "10 MB file": Case("file-too-large", DOCS, "", lambda h: h.write(DOCS, h.read(DOCS) + "# padding\n" * (1024 * 1024))),
    "deeply nested": Case("yaml-too-complex", DOCS, "", lambda h: h.write(DOCS, "documents: " + "[" * 200 + "]" * 200 + "\n"), "nesting"),
    "tab indentation": Case("yaml-syntax", PHASES, "title: Foundations", sub(PHASES, "    title: Foundations", "\ttitle: Foundations")),
    "unclosed quote": Case("yaml-syntax", DOCS, "clauses:", sub(DOCS, 'version: "1.0"', 'version: "1.0')),
    "scalar top level": Case("wrong-shape", PHASES, "just text", lambda h: h.write(PHASES, "just text\n")),
    "register is a list": Case("wrong-shape", DOCS, "- id: REC-001", lambda h: h.write(DOCS, "- id: REC-001\n  title: Incident records\n")),
    "page not utf-8": Case("not-utf8", PROC, "Caf", lambda h: h.write(PROC, h.read(PROC).encode() + b"\nCaf\xe9\n")),
    "alias bomb": Case(
        "yaml-too-complex", DOCS, "f: &f",
        lambda h: h.write(DOCS, "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        )),
    ),
    "wrong top level": Case("wrong-shape", PHASES, "- id: P1", lambda h: h.write(PHASES, "- id: P1\n")),
    "front matter syntax": Case("yaml-syntax", PROC, "owner: jdoe", sub(PROC, "status: draft", "status: [draft"), "from line 7"),
    "front matter not a mapping": Case("wrong-shape", PROC, "document: PRC-001", sub(PROC, "document:\n", "document: PRC-001\nold:\n")),
    # --- schema: keys, types, values -------------------------------------------------
    "unknown key": Case("unknown-key", PHASES, "objectiv:", sub(PHASES, "objective:", "objectiv:"), "did you mean 'objective'"),
    "unknown key in front matter": Case("unknown-key", POLICY, "aprover:", sub(POLICY, "approver:", "aprover:"), "did you mean 'approver'"),
    "unknown key in register": Case("unknown-key", DOCS, "titel:", sub(DOCS, "title: Incident records", "titel: Incident records"), "did you mean 'title'"),
    "unknown key in activity": Case("unknown-key", PHASES, "deliverable:", sub(PHASES, "deliverables: [POL-001]", "deliverable: [POL-001]"), "did you mean 'deliverables'"),
    "unknown key in person": Case("unknown-key", ORG, "mail:", sub(ORG, "email:", "mail:"), "did you mean 'email'"),
    "missing key": Case("missing-key", PHASES, "- id: P1", sub(PHASES, "    title: Foundations\n", ""), "'title'"),
    "number for text": Case("wrong-type", DOCS, "version: 1.0", sub(DOCS, 'version: "1.0"', "version: 1.0"), 'quotes: "1.0"'),
    "text for number": Case("wrong-type", ORG, "review_interval_months", sub(ORG, "review_interval_months: 12", "review_interval_months: twelve")),
    "null title": Case("wrong-type", DOCS, "title:", sub(DOCS, "title: Incident records", "title:")),
    "list expected": Case("wrong-type", PHASES, 'clauses: "9.2"', sub(PHASES, 'clauses: ["9.2"]', 'clauses: "9.2"')),
    "status misspelt": Case("invalid-value", PHASES, "status: planed", sub(PHASES, "status: planned", "status: planed"), "did you mean 'planned'"),
    "document type": Case("invalid-value", DOCS, "type: recrod", sub(DOCS, "type: record", "type: recrod"), "did you mean 'record'"),
    "classification": Case("invalid-value", DOCS, "classification: secret", append(DOCS, "    classification: secret\n")),
    "standard edition": Case("invalid-value", ORG, "standard:", sub(ORG, "iso20000-1:2018", "iso20000-1:2019"), "did you mean"),
    "retention format": Case("invalid-value", DOCS, "retention:", sub(DOCS, "retention: 3 years", "retention: three years")),
    "review interval": Case("invalid-value", ORG, "review_interval_months", sub(ORG, "review_interval_months: 12", "review_interval_months: 0")),
    "people key": Case("invalid-value", ORG, "j doe:", sub(ORG, "  jdoe:", "  j doe:")),
    "empty title": Case("invalid-value", PHASES, 'title: ""', sub(PHASES, "title: Build out", 'title: ""')),
    "duplicate clause": Case("invalid-value", PHASES, '["8.6.1", "8.6.1"]', sub(PHASES, '["8.6.1"]', '["8.6.1", "8.6.1"]'), "twice"),
    "invalid date": Case("invalid-date", PHASES, "due: 2026-02-30", sub(PHASES, "due: 2026-02-15", "due: 2026-02-30")),
    "date format": Case("invalid-date", POLICY, "approved_on: 16/02/2026", sub(POLICY, "approved_on: 2026-02-16", "approved_on: 16/02/2026")),
    "date with time": Case("invalid-date", DOCS, "approved_on: 2026-03-01 10:00", sub(DOCS, "approved_on: 2026-03-01", "approved_on: 2026-03-01 10:00")),
    "email": Case("invalid-value", ORG, "email: jane", sub(ORG, "email: jane.doe@example.org", "email: jane")),
    # --- rules across files ----------------------------------------------------------
    "timezone": Case("invalid-timezone", ORG, "timezone:", sub(ORG, "Europe/London", "Europe/Londn"), "did you mean 'Europe/London'"),
    "phase end before start": Case("invalid-range", PHASES, "end: 2025-12-31", sub(PHASES, "end: 2026-04-30", "end: 2025-12-31")),
    "duplicate phase": Case("duplicate-id", PHASES, "id: P1 # again", sub(PHASES, "id: P2", "id: P1 # again"), "data/phases.yml:2"),
    "duplicate activity": Case("duplicate-id", PHASES, "id: P1.01 # again", sub(PHASES, "id: P2.01", "id: P1.01 # again")),
    "duplicate document in registers": Case("duplicate-id", DOCS, "id: POL-001", sub(DOCS, "id: REC-001", "id: POL-001")),
    "duplicate document in pages": Case("duplicate-id", PROC, "id: POL-001", sub(PROC, "id: PRC-001", "id: POL-001"), "content/policies/change.md"),
    "activity owner": Case("unknown-person", PHASES, "owner: mkahn", sub(PHASES, "owner: mkhan", "owner: mkahn"), "did you mean 'mkhan'"),
    "document owner": Case("unknown-person", DOCS, "owner: nobody", sub(DOCS, "owner: jdoe", "owner: nobody")),
    "document approver": Case("unknown-person", POLICY, "approver: nobody", sub(POLICY, "approver: mkhan", "approver: nobody")),
    "sms manager": Case("unknown-person", ORG, "sms_manager: jdeo", sub(ORG, "sms_manager: jdoe", "sms_manager: jdeo"), "did you mean 'jdoe'"),
    "username twice": Case("duplicate-username", ORG, "github: mo-k", lambda h: h.replace(ORG, "    email: jane.doe@example.org\n", "    email: jane.doe@example.org\n    github: Mo-K\n") or append(ORG, "    github: mo-k\n")(h), "jdoe and mkhan"),
    "bad username": Case("invalid-value", ORG, "github: not a name", append(ORG, "    github: not a name\n")),
    "own approver": Case("self-approval", POLICY, "approver: jdoe", sub(POLICY, "approver: mkhan", "approver: jdoe"), "both owner and approver"),
    "version in no scheme": Case("invalid-value", POLICY, 'version: "1..2"', sub(POLICY, 'version: "1.0"', 'version: "1..2"'), 'fits no version scheme; write it as "1.2", "2.0.1", "A", "Rev B"'),
    "record version in no scheme": Case("invalid-value", DOCS, 'version: "none"', sub(DOCS, 'version: "1.0"', 'version: "none"'), 'or "n/a" for a record'),
    "disposal of unknown series": Case("unknown-document", DISPOSALS, "record: REC-01", lambda h: h.write(DISPOSALS, DISPOSAL.replace("REC-001", "REC-01")), "did you mean 'REC-001'"),
    "disposal of a policy": Case("unknown-document", DISPOSALS, "record: POL-001", lambda h: h.write(DISPOSALS, DISPOSAL.replace("REC-001", "POL-001")), "is not a record series"),
    "disposal by unknown person": Case("unknown-person", DISPOSALS, "authorised_by: mkahn", lambda h: h.write(DISPOSALS, DISPOSAL.replace("by: mkhan", "by: mkahn")), "did you mean 'mkhan'"),
    "disposal bad date": Case("invalid-date", DISPOSALS, "date: 2026-02-30", lambda h: h.write(DISPOSALS, DISPOSAL.replace("2026-02-01", "2026-02-30"))),
    "disposal unknown key": Case("unknown-key", DISPOSALS, "how: shred", lambda h: h.write(DISPOSALS, DISPOSAL + "    how: shred\n")),
    "disposal without method": Case("missing-key", DISPOSALS, "- record: REC-001", lambda h: h.write(DISPOSALS, DISPOSAL.replace("    method: destroy\n", ""))),
    "assessment unknown clause": Case("unknown-clause", ASSESSMENTS, 'clause: "8.5.9"', lambda h: h.write(ASSESSMENTS, ASSESSMENT.replace('"8.5.1"', '"8.5.9"'))),
    "assessment unknown assessor": Case("unknown-person", ASSESSMENTS, "assessor: mkahn", lambda h: h.write(ASSESSMENTS, ASSESSMENT.replace("assessor: mkhan", "assessor: mkahn")), "did you mean 'mkhan'"),
    "assessment unknown evidence": Case("unknown-document", ASSESSMENTS, "POL-01,", lambda h: h.write(ASSESSMENTS, ASSESSMENT.replace("[POL-001,", "[POL-01,")), "did you mean 'POL-001'"),
    "assessment bad verdict": Case("invalid-value", ASSESSMENTS, "conformity: partly", lambda h: h.write(ASSESSMENTS, ASSESSMENT.replace("conformity: partial", "conformity: partly"))),
    "assessment bad date": Case("invalid-date", ASSESSMENTS, "date: 2026-13-20", lambda h: h.write(ASSESSMENTS, ASSESSMENT.replace("2026-01-20", "2026-13-20"))),
    "assessment results not a list": Case("wrong-type", ASSESSMENTS, "results: none", lambda h: h.write(ASSESSMENTS, ASSESSMENT.split("    results:")[0] + "    results: none\n")),
    "clause assessed twice": Case("duplicate-id", ASSESSMENTS, "clause: '8.5.1'", lambda h: h.write(ASSESSMENTS, ASSESSMENT + "      - clause: '8.5.1'\n        conformity: conforming\n"), "assessed twice"),
    "project unknown sponsor": Case("unknown-person", PROJECT, "sponsor: mkahn", lambda h: h.write(PROJECT, PLAN.replace("sponsor: mkhan", "sponsor: mkahn"))),
    "project unknown gate phase": Case("unknown-phase", PROJECT, "phase: P9", lambda h: h.write(PROJECT, PLAN.replace("phase: P1", "phase: P9"))),
    "project unknown team member": Case("unknown-person", PROJECT, "person: jdeo", lambda h: h.write(PROJECT, PLAN.replace("person: jdoe", "person: jdeo")), "did you mean 'jdoe'"),
    "project bad gate outcome": Case("invalid-value", PROJECT, "outcome: ok", lambda h: h.write(PROJECT, PLAN.replace("outcome: passed", "outcome: ok"))),
    "project bad scope date": Case("invalid-date", PROJECT, "date: 2026-06-31", lambda h: h.write(PROJECT, PLAN.replace("2026-06-01", "2026-06-31"))),
    "project unknown key": Case("unknown-key", PROJECT, "budget: 10k", lambda h: h.write(PROJECT, PLAN + "budget: 10k\n")),
    "raci unknown person": Case("unknown-person", PHASES, "responsible: [jdoe, zed]", sub(PHASES, "        status: planned", "        status: planned\n        responsible: [jdoe, zed]")),
    "approved in future": Case("approval-in-future", POLICY, "approved_on: 2099", sub(POLICY, "approved_on: 2026-02-16", "approved_on: 2099-02-16"), "after today"),
    "activity clause": Case("unknown-clause", PHASES, '"9.9"', sub(PHASES, '["9.2"]', '["9.9"]')),
    "document clause": Case("unknown-clause", PROC, "8.6.9", sub(PROC, '["8.6.1"]', '["8.6.9"]'), "did you mean '8.6."),
    "document phase": Case("unknown-phase", DOCS, "phase: P7", sub(DOCS, "phase: P1", "phase: P7")),
    "deliverable": Case("unknown-document", PHASES, "POL-002", sub(PHASES, "[POL-001]", "[POL-002]"), "did you mean 'POL-001'"),
    "template": Case("unknown-template", POLICIES, "template:", sub(POLICIES, "change-management", "change-mgmt"), "available:"),
    "register vs front matter": Case(
        "conflict", POLICY, "version:", append(POLICIES, '    version: "2.0"\n'), "data/policies.yml:8",
    ),
    "register source vs page": Case(
        "conflict", POLICIES, "source:", sub(POLICIES, "policies/change.md", "procedures/incident.md"), "PRC-001",
    ),
    "source missing": Case(
        "source-missing", DOCS, "source: plans/none.md", append(DOCS, EXTRA_DOC + "    source: plans/none.md\n"),
    ),
    "source outside": Case(
        "source-outside", DOCS, "source: ../mkdocs.yml", append(DOCS, EXTRA_DOC + "    source: ../mkdocs.yml\n"),
    ),
    "source absolute": Case(
        "source-outside", DOCS, "source: /etc/passwd", append(DOCS, EXTRA_DOC + "    source: /etc/passwd\n"),
    ),
    "source through symlink": Case(
        "source-outside", DOCS, "source: escape.md",
        lambda h: (
            h.write("outside.md", "# secret\n"),
            os.symlink(h.path("outside.md"), h.path("content/escape.md")),
            append(DOCS, EXTRA_DOC + "    source: escape.md\n")(h),
        ),
        "symbolic link",
    ),
    "source and location": Case(
        "source-and-location", DOCS, "location: ITSM", append(DOCS, "    source: index.md\n"),
    ),
    "approved without date": Case("missing-approval", POLICY, "status: approved", sub(POLICY, "  approved_on: 2026-02-16\n", ""), "approved_on"),
    "approved without place": Case("no-location", DOCS, "- id: REC-001", sub(DOCS, "    location: ITSM tool, Incidents module\n", "")),
    "missing owner": Case("missing-field", PROC, "id: PRC-001", sub(PROC, "  owner: jdoe\n", ""), "no owner"),
    "policy of another type": Case("not-a-policy", POLICIES, "type: plan", append(POLICIES, "    type: plan\n")),
    "record without retention": Case(
        "missing-retention", DOCS, "type: record", sub(DOCS, "    retention: 3 years\n", ""), severity="warning",
    ),
    "missing template heading": Case(
        "missing-heading", POLICY, "## Policy statements", sub(POLICY, "## Scope\n\nAll changes to the hosting service.\n\n", ""), "'Scope'",
    ),
    "template heading out of order": Case(
        "heading-order", POLICY, "## Scope", sub(POLICY, "## Purpose\n\nWhy we control changes.\n\n## Scope\n\nAll changes to the hosting service.\n", "## Scope\n\nAll changes to the hosting service.\n\n## Purpose\n\nWhy we control changes.\n"), "after 'Purpose'",
    ),
    "placeholder left": Case(
        "placeholder", POLICY, "- [PRC-ID]", sub(POLICY, "- PRC-001 Incident", "- [PRC-ID] Incident"), 'POL-001 is approved but still holds the template placeholder "[PRC-ID]"',
    ),
    "guidance comment left in review": Case(
        "placeholder", POLICY, "<!-- Explain", lambda h: (sub(POLICY, "status: approved", "status: in-review")(h), sub(POLICY, "Why we control changes.", GUIDANCE)(h)), "is in review but still holds the guidance comment",
    ),
    "organization template": Case(
        "unknown-key", "templates/ours.yml", "headline:", lambda h: h.write("templates/ours.yml", "id: ours\ntitle: Ours\nsections:\n  - headline: Purpose\n"),
    ),
    "review before approval": Case(
        "review-before-approval", DOCS, "next_review:", append(DOCS, "    next_review: 2026-01-01\n"),
    ),
    # --- Check and Act: risks, nonconformities, actions, management reviews ---------
    "action unknown key": Case("unknown-key", ACTIONS, "note: Agreed", check_act(actions=ACTION + "    note: Agreed by phone.\n"), "did you mean 'notes'"),
    "action without due date": Case("missing-key", ACTIONS, "- id: ACT-1", check_act(actions=ACTION.replace("    due: 2026-02-28\n", "")), "'due'"),
    "action kind misspelt": Case("invalid-value", ACTIONS, "kind: corective", check_act(actions=ACTION.replace("kind: corrective", "kind: corective")), "did you mean 'corrective'"),
    "action status misspelt": Case("invalid-value", ACTIONS, "status: don", check_act(actions=ACTION.replace("status: done", "status: don")), "did you mean 'done'"),
    "action not verified by a boolean": Case("wrong-type", ACTIONS, "effectiveness:", check_act(actions=ACTION.replace("effective: true", "effective: mostly"))),
    "action bad due date": Case("invalid-date", ACTIONS, "due: 2026-02-30", check_act(actions=ACTION.replace("due: 2026-02-28", "due: 2026-02-30"))),
    "action due before raised": Case("invalid-range", ACTIONS, "due: 2026-01-15", check_act(actions=ACTION.replace("due: 2026-02-28", "due: 2026-01-15")), "before raised_on 2026-02-01"),
    "action unknown owner": Case("unknown-person", ACTIONS, "owner: jdeo", check_act(actions=ACTION.replace("owner: jdoe", "owner: jdeo")), "did you mean 'jdoe'"),
    "action unknown verifier": Case("unknown-person", ACTIONS, "verified_by: mkahn", check_act(actions=ACTION.replace("verified_by: mkhan", "verified_by: mkahn")), "did you mean 'mkhan'"),
    "duplicate action": Case("duplicate-id", ACTIONS, "id: ACT-1 # again", check_act(actions=again(ACTION, "actions", "ACT-1")), "data/actions.yml:2"),
    "action done without done_on": Case("missing-key", ACTIONS, "status: done", check_act(actions=ACTION.replace("    done_on: 2026-02-20\n", "")), "give done_on"),
    "action done_on while open": Case("date-without-status", ACTIONS, "done_on:", check_act(actions=ACTION.replace("status: done", "status: open").replace(VERIFIED, "")), "not done"),
    "action raised in future": Case("date-in-future", ACTIONS, "raised_on: 2099", check_act(actions=ACTION.replace("raised_on: 2026-02-01", "raised_on: 2099-02-01").replace("due: 2026-02-28", "due: 2099-02-28")), "raised_on 2099-02-01 is after today"),
    "action done in future": Case("date-in-future", ACTIONS, "done_on: 2099", check_act(actions=ACTION.replace("2026-02-20", "2099-02-20").replace("on: 2026-03-01", "on: 2099-03-01")), "after today"),
    "action verified in future": Case("date-in-future", ACTIONS, "on: 2099-03-01", check_act(actions=ACTION.replace("on: 2026-03-01", "on: 2099-03-01")), "after today"),
    "action verified before done": Case("invalid-range", ACTIONS, "on: 2026-02-10", check_act(actions=ACTION.replace("on: 2026-03-01", "on: 2026-02-10")), "before the action was done"),
    "improvement action verified": Case("misplaced-verification", ACTIONS, "effectiveness:", check_act(actions=ACTION.replace("kind: corrective", "kind: improvement")), "corrective actions only"),
    "action verified before done status": Case("misplaced-verification", ACTIONS, "effectiveness:", check_act(actions=ACTION.replace("status: done", "status: in-progress").replace("    done_on: 2026-02-20\n", "")), "once the action is done"),
    "control character in an action": Case("control-character", ACTIONS, 'title: "Agree', check_act(actions=ACTION.replace("title: Agree closure with the customer", 'title: "Agree\\x1b[2J closure"')), "title holds the control character \\x1b (U+001B)"),
    "nonconformity unknown key": Case("unknown-key", NCS, "rootcause:", check_act(NONCONFORMITY.replace("root_cause:", "rootcause:")), "did you mean 'root_cause'"),
    "nonconformity without description": Case("missing-key", NCS, "- id: NC-1", check_act(NONCONFORMITY.replace("    description: An incident was closed before the customer agreed.\n", "")), "'description'"),
    "nonconformity grade misspelt": Case("invalid-value", NCS, "grade: minr", check_act(NONCONFORMITY.replace("grade: minor", "grade: minr")), "did you mean 'minor'"),
    "nonconformity unknown raiser": Case("unknown-person", NCS, "raised_by: mkahn", check_act(NONCONFORMITY.replace("raised_by: mkhan", "raised_by: mkahn")), "did you mean 'mkhan'"),
    "nonconformity unknown clause": Case("unknown-clause", NCS, '"8.6.9"', check_act(NONCONFORMITY.replace('"8.6.1"', '"8.6.9"'))),
    "nonconformity unknown document": Case("unknown-document", NCS, "PRC-01]", check_act(NONCONFORMITY.replace("[PRC-001]", "[PRC-01]")), "did you mean 'PRC-001'"),
    "nonconformity unknown action": Case("unknown-action", NCS, "ACT-2]", check_act(NONCONFORMITY.replace("[ACT-1]", "[ACT-1, ACT-2]")), "action ACT-2 is not in actions.yml"),
    "nonconformity unknown assessment": Case("unknown-assessment", NCS, "source: GA-2", lambda h: (h.write(ASSESSMENTS, ASSESSMENT), check_act(NONCONFORMITY.replace("source: a customer complaint", "source: GA-2"))(h)), "did you mean 'GA-1'"),
    "duplicate nonconformity": Case("duplicate-id", NCS, "id: NC-1 # again", check_act(again(NONCONFORMITY, "nonconformities", "NC-1")), "data/nonconformities.yml:2"),
    "nonconformity raised in future": Case("date-in-future", NCS, "raised_on: 2099", check_act(NONCONFORMITY.replace("raised_on: 2026-02-01", "raised_on: 2099-02-01")), "after today"),
    "nonconformity closed_on while open": Case("date-without-status", NCS, "closed_on:", check_act(CLOSED.replace("status: closed", "status: open")), "not closed"),
    "nonconformity closed without closed_on": Case("missing-key", NCS, "status: closed", check_act(CLOSED.replace("    closed_on: 2026-03-01\n", "")), "give closed_on"),
    "nonconformity closed before raised": Case("invalid-range", NCS, "closed_on: 2026-01-10", check_act(CLOSED.replace("closed_on: 2026-03-01", "closed_on: 2026-01-10"))),
    "closed without root cause": Case("cannot-close", NCS, "status: closed", check_act(CLOSED.replace("    root_cause: Nobody asked the customer.\n", "")), "without a root_cause"),
    "closed with an action in progress": Case("cannot-close", NCS, "status: closed", check_act(CLOSED, ACTION.replace("status: done", "status: in-progress").replace("    done_on: 2026-02-20\n", "").replace(VERIFIED, "")), "its action ACT-1 is in-progress"),
    "closed with a corrective action unverified": Case("cannot-close", NCS, "status: closed", check_act(CLOSED, ACTION.replace(VERIFIED, "")), "not verified effective"),
    "closed with a corrective action ineffective": Case("cannot-close", NCS, "status: closed", check_act(CLOSED, ACTION.replace("effective: true", "effective: false")), "not verified effective"),
    "control character in a nonconformity": Case("control-character", NCS, "description: An incident", check_act(NONCONFORMITY.replace("was closed", "was\x07 closed")), "U+0007"),
    "audit finding not raised": Case("no-nonconformity", ASSESSMENTS, "conformity: nonconforming", lambda h: (h.write(ASSESSMENTS, AUDIT), check_act()(h)), "GA-1 found clause 8.5.1 nonconforming", "warning"),
    "risk unknown key": Case("unknown-key", RISKS, "apetite:", lambda h: h.write(RISKS, RISK.replace("appetite:", "apetite:")), "did you mean 'appetite'"),
    "risk without review date": Case("missing-key", RISKS, "- id: RSK-1", lambda h: h.write(RISKS, RISK.replace("    reviewed_on: 2026-02-01\n", "")), "'reviewed_on'"),
    "risk treatment misspelt": Case("invalid-value", RISKS, "treatment: mitigate", lambda h: h.write(RISKS, RISK.replace("treatment: reduce", "treatment: mitigate"))),
    "risk kind misspelt": Case("invalid-value", RISKS, "kind: threat", lambda h: h.write(RISKS, RISK.replace("kind: risk", "kind: threat"))),
    "risk appetite not a number": Case("wrong-type", RISKS, "appetite: high", lambda h: h.write(RISKS, RISK.replace("appetite: 3", "appetite: high"))),
    "likelihood outside criteria": Case("invalid-value", RISKS, "likelihood: certain", lambda h: h.write(RISKS, RISK.replace("likelihood: likely", "likelihood: certain")), "is not in criteria.likelihood (rare, possible, likely)"),
    "residual impact outside criteria": Case("invalid-value", RISKS, "residual:", lambda h: h.write(RISKS, RISK.replace("impact: major}", "impact: majr}")), "did you mean 'major'"),
    "treatment unfit for an opportunity": Case("invalid-value", RISKS, "treatment: reduce", lambda h: h.write(RISKS, RISK.replace("kind: risk", "kind: opportunity")), "does not fit an opportunity: use one of accept, exploit, enhance"),
    "risk unknown owner": Case("unknown-person", RISKS, "owner: jdeo", lambda h: h.write(RISKS, RISK.replace("owner: jdoe", "owner: jdeo")), "did you mean 'jdoe'"),
    "risk unknown clause": Case("unknown-clause", RISKS, '"6.9"', lambda h: h.write(RISKS, RISK.replace('"6.1"', '"6.9"'))),
    "risk unknown action": Case("unknown-action", RISKS, "actions: [ACT-9]", lambda h: h.write(RISKS, RISK.replace("    residual:", "    actions: [ACT-9]\n    residual:")), "is not in actions.yml"),
    "risk acceptance by unknown person": Case("unknown-person", RISKS, "acceptance: {by: mkahn", lambda h: h.write(RISKS, RISK.replace("    reviewed_on:", "    acceptance: {by: mkahn, on: 2026-02-01}\n    reviewed_on:")), "did you mean 'mkhan'"),
    "duplicate risk": Case("duplicate-id", RISKS, "id: RSK-1 # again", lambda h: h.write(RISKS, again(RISK, "risks", "RSK-1")), "data/risks.yml:6"),
    "risk accepted above appetite": Case("acceptance-missing", RISKS, "treatment: accept", lambda h: h.write(RISKS, RISK.replace("treatment: reduce", "treatment: accept").replace("status: open", "status: accepted")), "rated 6, above the appetite of 3", "warning"),
    "review unknown key": Case("unknown-key", REVIEWS, "decision:", lambda h: h.write(REVIEWS, REVIEW.replace("decisions:", "decision:")), "did you mean 'decisions'"),
    "review without chair": Case("missing-key", REVIEWS, "- id: MR-1", lambda h: h.write(REVIEWS, REVIEW.replace("    chair: mkhan\n", "")), "'chair'"),
    "review topic misspelt": Case("invalid-value", REVIEWS, "topic: audit-result", lambda h: h.write(REVIEWS, REVIEW.replace("topic: audit-results", "topic: audit-result")), "did you mean 'audit-results'"),
    "review topic twice": Case("duplicate-id", REVIEWS, "topic: resources # again", lambda h: h.write(REVIEWS, REVIEW.replace("      - topic: resources\n", "      - topic: resources\n      - topic: resources # again\n")), "given twice (first at line 9)"),
    "review unknown chair": Case("unknown-person", REVIEWS, "chair: mkahn", lambda h: h.write(REVIEWS, REVIEW.replace("chair: mkhan", "chair: mkahn")), "did you mean 'mkhan'"),
    "review unknown attendee": Case("unknown-person", REVIEWS, "attendees: [mkhan, jdeo]", lambda h: h.write(REVIEWS, REVIEW.replace("[mkhan, jdoe]", "[mkhan, jdeo]")), "did you mean 'jdoe'"),
    "review unknown minutes": Case("unknown-document", REVIEWS, "minutes: REC-01", lambda h: h.write(REVIEWS, REVIEW.replace("REC-001", "REC-01")), "did you mean 'REC-001'"),
    "review unknown action": Case("unknown-action", REVIEWS, "actions: [ACT-1]", lambda h: h.write(REVIEWS, REVIEW + "    actions: [ACT-1]\n")),
    "duplicate review": Case("duplicate-id", REVIEWS, "id: MR-1 # again", lambda h: h.write(REVIEWS, again(REVIEW, "management_reviews", "MR-1")), "data/management-reviews.yml:2"),
    "review planned with inputs": Case("review-not-held", REVIEWS, "date: 2099-02-10", lambda h: h.write(REVIEWS, REVIEW.replace("date: 2026-02-10", "date: 2099-02-10")), "after today", "warning"),
    "management review interval": Case("invalid-value", ORG, "management_review_interval_months", append(ORG, "management_review_interval_months: 0\n")),
    "audit cycle": Case("wrong-type", ORG, "audit_cycle_months", append(ORG, "audit_cycle_months: three years\n")),
    # Values read within bounds: what `check` passes, the build can build.
    "date after 2999": Case("invalid-date", PHASES, "due: 9999-12-31", sub(PHASES, "due: 2026-02-15", "due: 9999-12-31"), "due: 9999-12-31 is out of range; dates run from 1900-01-01 to 2999-12-31"),
    "date before 1900": Case("invalid-date", POLICY, "approved_on: 1899-12-31", sub(POLICY, "approved_on: 2026-02-16", "approved_on: 1899-12-31"), "out of range"),
    "number of 5,000 digits": Case("invalid-value", ORG, "review_interval_months", sub(ORG, "review_interval_months: 12", "review_interval_months: " + "9" * 5000), "a number of 5,000 characters"),
    "whole number written 12.0": Case("wrong-type", ORG, "review_interval_months", sub(ORG, "review_interval_months: 12", "review_interval_months: 12.0"), "must be a whole number, not the number 12.0"),
    "warning window too long": Case("invalid-value", ORG, "review_warning_days", sub(ORG, "review_warning_days: 30", "review_warning_days: 4000"), "at most 366"),
    # Control characters: escaped in a value, and written as they are.
    "control character in a title": Case("control-character", PHASES, 'title: "Found\\x1b', sub(PHASES, "title: Foundations", 'title: "Found\\x1b]0;pwned\\x07ations"'), "title holds the control character \\x1b (U+001B)"),
    "control character in front matter": Case("control-character", PROC, "owner: jdoe", sub(PROC, "owner: jdoe", "owner: jdoe\x1b[31m"), "the control character \\x1b (U+001B) is not allowed"),
    "control character in a page title": Case("control-character", PROC, "title: ", sub(PROC, "title: Incident procedure", 'title: "Incident \\e[31mprocedure"'), "title holds the control character"),
    "C1 control in a person's name": Case("control-character", ORG, 'name: "Jane', sub(ORG, "name: Jane Doe", 'name: "Jane\\x9bDoe"'), "U+009B"),
    # Files that are not the repository's own, or not files.
    "data file links outside": Case("outside-repository", PHASES, "", lambda h: (h.path(PHASES).unlink(), os.symlink("/etc/passwd", h.path(PHASES))), "symbolic link that leads outside the repository"),
    "page links outside": Case("outside-repository", "content/leak.md", "", lambda h: (h.write("../secret.md", "# Salaries\n"), os.symlink(h.path("../secret.md"), h.path("content/leak.md")))),
    "data file is a FIFO": Case("not-a-file", PHASES, "", lambda h: (h.path(PHASES).unlink(), os.mkfifo(h.path(PHASES))), "phases.yml is a FIFO (named pipe)"),
    "data file is a folder": Case("not-a-file", DOCS, "", lambda h: (h.path(DOCS).unlink(), h.path(DOCS).mkdir()), "documents.yml is a folder"),
    "page is a FIFO": Case("not-a-file", "content/pipe.md", "", lambda h: os.mkfifo(h.path("content/pipe.md"))),
}
# fmt: on
