"""`sms-handbook new`, the policy templates pages and the conformance lint, on real builds."""

from __future__ import annotations

import pytest

from conftest import BuiltPage, HandbookDir
from sms_handbook.core import policy_templates

TEMPLATES = sorted(policy_templates.builtin())


def test_every_template_scaffolds_into_a_strict_build(minimal: HandbookDir) -> None:
    for number, template in enumerate(TEMPLATES, 10):
        done = minimal.cli(
            "new", "policy", "--id", f"POL-{number}", "--title", f"Our {template} policy",
            "--template", template, "--owner", "mkhan",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"content/policies/our-{template}-policy.md"
    check = minimal.cli("check")
    assert check.returncode == 0, check.stdout + check.stderr
    built = minimal.build()
    assert built.returncode == 0, built.stderr
    page = BuiltPage.read(minimal.path("site/policies/our-change-management-policy/index.html"))
    assert "Draft: not approved." in page.text
    assert "Policy statements" in page.text and "<!--" not in page.text


def test_new_page_front_matter(minimal: HandbookDir) -> None:
    done = minimal.cli(
        "new", "policy", "--id", "POL-77", "--title", "Supplier: policy & <terms>",
        "--template", "supplier-management",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "owner set to 'jdoe' (the organization's sms_manager)" in done.stderr
    text = minimal.read("content/policies/supplier-policy-terms.md")
    assert text.startswith("---\ntitle: 'Supplier: policy & <terms>'\ndocument:\n  id: POL-77\n")
    for line in ("  version: '0.1'", "  status: draft", "  owner: jdoe",
                 "  review_interval_months: 12", "  template: supplier-management"):  # fmt: skip
        assert line in text
    assert "## Scope\n\n<!-- " in text


def test_new_says_where_the_default_owner_came_from(minimal: HandbookDir) -> None:
    owner, source = "mkhan", "the organization's sms_manager"
    minimal.replace("data/organization.yml", "sms_manager: jdoe\n", "sms_manager: mkhan\n")
    done = minimal.cli("new", "plan", "--id", "PLN-9", "--title", "Capacity")
    assert done.returncode == 0, done.stderr
    assert f"note: owner set to '{owner}' ({source}); change it with --owner" in done.stderr
    assert f"  owner: {owner}\n" in minimal.read("content/plans/capacity.md")
    given = minimal.cli("new", "plan", "--id", "PLN-10", "--title", "Other", "--owner", "jdoe")
    assert given.returncode == 0, given.stderr
    assert "owner set to" not in given.stderr


def test_new_never_overwrites(minimal: HandbookDir) -> None:
    args = ("new", "procedure", "--id", "PRC-9", "--title", "Backups")
    assert minimal.cli(*args).returncode == 0
    path = minimal.path("content/procedures/backups.md")
    before = path.read_bytes()
    again = minimal.cli(*args[:3], "PRC-10", *args[4:])
    assert again.returncode == 1 and "not overwriting" in again.stderr
    assert path.read_bytes() == before
    same_id = minimal.cli("new", "procedure", "--id", "PRC-9", "--title", "Other")
    assert same_id.returncode == 1 and "already used" in same_id.stderr
    assert not minimal.path("content/procedures/other.md").exists()


def test_unknown_template_lists_the_available_ones(minimal: HandbookDir) -> None:
    done = minimal.cli(
        "new", "policy", "--id", "POL-5", "--title", "X", "--template", "chnage-management"
    )
    assert done.returncode == 2
    assert "did you mean 'change-management'" in done.stderr
    assert ", ".join(TEMPLATES) in done.stderr
    assert not minimal.path("content/policies/x.md").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--id", "bad id"), "--id 'bad id'"),
        (("--id", "P-1", "--owner", "zed"), "--owner 'zed'"),
        (("--id", "P-1", "--path", "../outside.md"), "inside docs_dir"),
    ],
)
def test_bad_arguments_exit_2(minimal: HandbookDir, args, message) -> None:
    done = minimal.cli("new", "plan", "--title", "T", *args)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_removing_a_required_heading_fails_check(minimal: HandbookDir) -> None:
    minimal.cli("new", "policy", "--id", "POL-8", "--title", "Continuity", "--template",
                "service-continuity-availability")  # fmt: skip
    page = "content/policies/continuity.md"
    minimal.replace(page, "## Roles and responsibilities\n", "")
    done = minimal.cli("check")
    assert done.returncode == 1
    line = minimal.line_of(page, "## Compliance and exceptions")
    assert done.stdout.strip() == (
        f"{page}:{line}: error: missing-heading: missing heading 'Roles and responsibilities' "
        "(template service-continuity-availability needs its sections in order)"
    )
    assert minimal.build().returncode != 0


def test_templates_pages(minimal: HandbookDir) -> None:
    assert minimal.build().returncode == 0
    index = BuiltPage.read(minimal.path("site/policies/templates/index.html"))
    for template in policy_templates.builtin().values():
        assert template.title in index.text
    row = index.html[index.html.index("change-management</code>") :].split("</tr>")[0]
    assert "POL-001 Change management policy" in row  # the policy that follows it
    page = BuiltPage.read(minimal.path("site/policies/templates/change-management/index.html"))
    assert "Guidance" in page.text and "Start from" in page.text
    assert "--template change-management" in page.text


def test_organization_templates_add_and_override(minimal: HandbookDir) -> None:
    minimal.write(
        "templates/change-management.yml",
        "id: change-management\ntitle: Our change policy template\nsummary: Ours.\n"
        "sections:\n  - heading: Purpose\n    guidance: Why.\n    skeleton: We change things.\n",
    )
    minimal.replace(
        "mkdocs.yml", "  - sms-handbook\n", "  - sms-handbook:\n      templates_dir: templates\n"
    )
    assert minimal.cli("check").returncode == 0  # only Purpose is required now
    assert minimal.build().returncode == 0
    page = BuiltPage.read(minimal.path("site/policies/templates/change-management/index.html"))
    assert (
        "Our change policy template" in page.text and "templates/change-management.yml" in page.text
    )
