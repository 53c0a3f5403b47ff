"""Template placeholders and guidance comments may stay in a draft, never in a document
in review or approved: `sms-handbook check` and `mkdocs build` refuse them, located."""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import PROJECT, HandbookDir, run
from sms_handbook.core import placeholders, policy_templates, scaffold
from sms_handbook.core.model import Organization

PAGE = "content/policies/change-control.md"
TEMPLATE = policy_templates.builtin()["change-management"]
APPROVED = "  status: approved\n  approver: mkhan\n  approved_on: 2026-02-16\n"
FINISHED = {"approved": APPROVED, "in-review": "  status: in-review\n"}


def _new_policy(handbook: HandbookDir) -> None:
    done = handbook.cli(
        "new", "policy", "--id", "POL-009", "--title", "Change control",
        "--template", "change-management", "--owner", "jdoe",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _problems(done: subprocess.CompletedProcess, code: str = "placeholder") -> list[str]:
    """The problem lines of a command's output with this code (any code: "")."""
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    return [line for line in output.splitlines() if re.search(rf": (error|warning): {code}", line)]


def _finished(handbook: HandbookDir) -> None:
    """Every placeholder replaced (brackets dropped) and every guidance comment deleted."""
    text = handbook.read(PAGE)
    end = text.index("\n---\n", 4) + 5
    body = re.sub(r"<!--.*?-->\n\n", "", text[end:], flags=re.DOTALL)
    handbook.write(PAGE, text[:end] + body.replace("[", "").replace("]", ""))


@pytest.mark.parametrize("status", FINISHED)
def test_check_refuses_placeholders_once_finished(minimal: HandbookDir, status: str) -> None:
    _new_policy(minimal)
    draft = minimal.cli("check")
    assert draft.returncode == 0, draft.stdout + draft.stderr
    assert _problems(draft) == []

    minimal.replace(PAGE, "  status: draft\n", FINISHED[status])
    done = minimal.cli("check")
    assert done.returncode == 1
    said = _problems(done)
    shown = status.replace("-", " ")
    line = minimal.line_of(PAGE, "[PRC-ID]")
    assert (
        f"{PAGE}:{line}: error: placeholder: POL-009 is {shown} but still holds the template "
        'placeholder "[PRC-ID]"; replace it, or keep the document a draft'
    ) in said
    line = minimal.line_of(PAGE, "[CMDB / configuration register]")
    assert any(
        s.startswith(f"{PAGE}:{line}:") and '"[CMDB / configuration register]"' in s for s in said
    )
    line = minimal.line_of(PAGE, "<!-- Explain why changes are controlled")
    assert any(s.startswith(f"{PAGE}:{line}:") and "guidance comment" in s for s in said)
    # Each line of the body with a bracket or a comment is reported, and nothing else.
    lines = minimal.read(PAGE).split("\n")
    body = lines.index("---", 1) + 1
    expected = {n for n, text in enumerate(lines[body:], body + 1) if "[" in text or "<!--" in text}
    assert {int(s.split(":")[1]) for s in said} == expected
    assert len(_problems(done, "")) == len(said)

    _finished(minimal)
    clean = minimal.cli("check")
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_strict_build_fails_on_a_placeholder(minimal: HandbookDir) -> None:
    _new_policy(minimal)
    minimal.replace(PAGE, "  status: draft\n", APPROVED)
    built = minimal.build()
    assert built.returncode == 1
    line = minimal.line_of(PAGE, "[PRC-ID]")
    said = f"{PAGE}:{line}: error: placeholder: POL-009 is approved but still holds the template "
    assert said + 'placeholder "[PRC-ID]"' in built.stderr
    assert "Traceback" not in built.stderr
    _finished(minimal)
    assert minimal.build().returncode == 0


@pytest.mark.parametrize("status", ["superseded", "withdrawn"])
def test_past_documents_are_not_checked(minimal: HandbookDir, status: str) -> None:
    _new_policy(minimal)
    minimal.replace(PAGE, "  status: draft\n", APPROVED.replace("approved\n", f"{status}\n", 1))
    done = minimal.cli("check")
    assert _problems(done) == [], done.stdout + done.stderr


def test_a_document_without_template_keeps_no_scaffold_comment(minimal: HandbookDir) -> None:
    assert minimal.cli("new", "procedure", "--id", "PRC-9", "--title", "Backups").returncode == 0
    page = "content/procedures/backups.md"
    minimal.replace(page, "  status: draft\n", "  status: in-review\n")
    done = minimal.cli("check")
    line = minimal.line_of(page, "<!-- Write the purpose here. -->")
    assert any(
        s.startswith(f"{page}:{line}: error: placeholder: PRC-9 is in review but still holds "
                     'the guidance comment "<!-- Write the purpose here. -->"')
        for s in _problems(done)
    ), done.stdout  # fmt: skip


OURS = """id: ours
title: Ours
sections:
  - heading: Purpose
    guidance: Say why; run `sms-handbook check`.
    skeleton: We serve [our customers] under [contract].
"""
OUR_POLICY = """---
document:
  id: POL-8
  type: policy
  version: '1.0'
  owner: jdoe
  template: ours
{approved}---
# Ours

## Purpose

<!-- Say why; run `sms-handbook check`. -->

We serve [our customers] under a contract.
"""


def test_an_organization_template_s_placeholders_count(minimal: HandbookDir) -> None:
    minimal.write("templates/ours.yml", OURS)
    minimal.replace("mkdocs.yml", "  - sms-handbook\n",
                    "  - sms-handbook:\n      templates_dir: templates\n")  # fmt: skip
    page = "content/policies/ours.md"
    minimal.write(page, OUR_POLICY.format(approved=APPROVED))
    said = _problems(minimal.cli("check"))
    assert [s.split(": error: ")[0] for s in said] == [
        f"{page}:{minimal.line_of(page, '<!--')}", f"{page}:{minimal.line_of(page, 'We serve')}",
    ]  # fmt: skip
    assert '"<!-- Say why; run `sms-handbook check`. -->"' in said[0]
    assert '"[our customers]"' in said[1]


# --- what is and is not a placeholder --------------------------------------------------

BRACKETED = placeholders.of_template(TEMPLATE)
GUIDANCE = placeholders.guidance(policy_templates.builtin().values())

NOT_PLACEHOLDERS = {
    "inline link": "See [PRC-ID](../procedures/change.md) and [CAB](cab.md 'The board').",
    "image": "![Change manager](img/cm.png)",
    "full reference link": "Ask the [CAB][board].\n\n[board]: https://example.org/cab",
    "collapsed reference link": "Ask the [CAB][].\n\n[CAB]: https://example.org/cab",
    "shortcut reference link": "Ask the [CAB].\n\n[cab]: https://example.org/cab",
    "reference definition": "[PRC-ID]: https://example.org/prc",
    "footnote": "Reviewed yearly.[^1]\n\n[^1]: As the board says, see [DOC-ID](x.md).",
    "task list": "- [ ] Draft\n- [x] Approve\n- [X] Publish",
    "escaped bracket": r"The form has a box \[PRC-ID] and \[Change manager\].",
    "escaped closing bracket": r"Write [PRC-ID\] for the process id.",
    "code span": "Ids look like `[PRC-ID]`, or ``[CAB] ` [N]``.",
    "fenced code": "```text\n[PRC-ID]\n<!-- Write the purpose here. -->\n```",
    "tilde fence": "~~~~\n[Organization]\n~~~\n[CAB]\n~~~~",
    "indented fence in a list": "1. Run:\n\n    ```\n    [tool] --check\n    ```",
    "admonition": '!!! note "Scope [x]"\n    Changes only.',
    "other brackets": "Values in [0, 1], a [link-less note] and [PRC-IDs].",
    "guidance in a code span": "Comments look like `<!-- Write the purpose here. -->`.",
    "own comment": "<!-- Our own note: review in May. -->",
    "edited guidance": "<!-- Write the purpose here, in two lines. -->",
}


@pytest.mark.parametrize("text", NOT_PLACEHOLDERS.values(), ids=NOT_PLACEHOLDERS.keys())
def test_markdown_that_is_not_a_placeholder(text: str) -> None:
    assert placeholders.leftovers(text, BRACKETED, GUIDANCE) == []


PLACEHOLDERS = {
    "id": ("Process [PRC-ID].", "[PRC-ID]"),
    "any id": ("See [ISMS-ID] and more.", "[ISMS-ID]"),
    "unknown id": ("See [XYZ-ID].", "[XYZ-ID]"),
    "words": ("Recorded in [CMDB / configuration register].", "[CMDB / configuration register]"),
    "reflowed": ("It does not apply to: [pre-approved service\nrequests, end-user settings, ...].",
                 "[pre-approved service requests, end-user settings, ...]"),
    "escaped backslash": (r"Path C:\\[PRC-ID] too.", "[PRC-ID]"),
    "after a code span": ("`code` then [CAB].", "[CAB]"),
    "undefined reference": ("Ask the [CAB].\n\n[board]: https://example.org", "[CAB]"),
    "in a footnote": ("[^1]: At least [N] days ahead.", "[N]"),
    "in own comment": ("<!-- TODO [PRC-ID] -->", "[PRC-ID]"),
    "reflowed comment": ("<!-- Write the\n purpose here. -->", "<!-- Write the purpose here. -->"),
}  # fmt: skip


@pytest.mark.parametrize("case", PLACEHOLDERS.values(), ids=PLACEHOLDERS.keys())
def test_what_is_a_placeholder(case: tuple[str, str]) -> None:
    text, shown = case
    found = placeholders.leftovers("Intro.\n\n" + text, BRACKETED, GUIDANCE)
    assert [(f.line, f.text) for f in found] == [(3, shown)]


def test_nested_placeholders_are_one() -> None:
    skeletons = "\n".join(s.skeleton for s in TEMPLATE.sections)
    text = next(line for line in skeletons.splitlines() if "[amount]" in line)
    found = [f.text for f in placeholders.leftovers(text, BRACKETED, GUIDANCE)]
    assert found[0].startswith("[a new service,") and "[amount]" in found[0]
    assert found[1:] == ["[PRC-ID]"]
    partly = "Such as a change costing more than [amount], or [N] customers."
    found = [f.text for f in placeholders.leftovers(partly, BRACKETED, GUIDANCE)]
    assert found == ["[amount]", "[N]"]


def test_a_scaffolded_page_is_all_placeholders_and_guidance() -> None:
    """Whatever bracketed text or comment `new` writes is found, for every template."""
    organization = Organization("Org", "iso20000-1:2018", "", "UTC", 12, 30, {})
    for template in policy_templates.builtin().values():
        page = scaffold.new_page(
            organization, doc_type="policy", doc_id="POL-1", title="T", owner="jdoe",
            template=template,
        )  # fmt: skip
        body = page.split("\n---\n", 1)[1]
        found = placeholders.leftovers(body, placeholders.of_template(template), GUIDANCE)
        assert sum(f.kind == "comment" for f in found) == body.count("<!--"), template.id
        covered = " ".join(f.text for f in found)
        missed = [m for m in re.findall(r"\[[^\[\]]+\]", body) if m not in covered]
        assert missed == [], template.id


def test_the_exemplar_is_clean() -> None:
    done = run("sms-handbook", "check", cwd=PROJECT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (done.stdout + done.stderr).startswith("ok: ")
