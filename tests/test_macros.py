"""The mkdocs-macros integration, with macros listed before and after sms-handbook."""

from __future__ import annotations

import pytest

from conftest import BuiltPage, HandbookDir

PAGE = """\
# Links

Policy: {{ document("POL-001") }}.

Clause: {{ clause("8.5.1") }}.

Progress: {{ phase_progress("P1") }}

{{ documents_table(type="record") }}

Organization: {{ sms.organization }}, {{ sms.standard }}.
"""


@pytest.fixture(params=["before", "after"])
def with_macros(request, minimal: HandbookDir) -> HandbookDir:
    plugins = ["  - macros:\n      on_error_fail: true\n", "  - sms-handbook\n"]
    if request.param == "after":
        plugins.reverse()
    minimal.replace("mkdocs.yml", "  - sms-handbook\n", "".join(plugins))
    minimal.write("content/links.md", PAGE)
    return minimal


def test_macros_link_documents_and_clauses(with_macros: HandbookDir) -> None:
    done = with_macros.build()
    assert done.returncode == 0, done.stderr
    page = BuiltPage.read(with_macros.path("site/links/index.html"))
    assert ("a", "../policies/change/") in page.links
    assert "POL-001 Change management policy (version 1.0)" in page.text
    assert ("a", "../compliance/#clause-8.5.1") in page.links
    assert "8.5.1 Change management" in page.text
    assert "1 of 2 done (50%)" in page.text
    assert "REC-001 Incident records" in page.text and "POL-001" in page.text
    assert "Organization: Testing Services Ltd, ISO/IEC 20000-1:2018." in page.text
    # The policy's own `document:` front matter does not hide the macro, and stays intact.
    policy = BuiltPage.read(with_macros.path("site/policies/change/index.html"))
    assert "Jane Doe (SMS manager)" in policy.text


def test_unknown_ids_fail_the_build(with_macros: HandbookDir) -> None:
    with_macros.write("content/links.md", '{{ document("POL-404") }}\n')
    done = with_macros.build()
    assert done.returncode != 0
    assert "POL-404" in done.stderr


def test_generated_pages_are_never_rendered_by_macros(with_macros: HandbookDir) -> None:
    with_macros.replace(
        "data/phases.yml", "title: Foundations", 'title: "Foundations {{ x }} {% y %}"'
    )
    done = with_macros.build()
    assert done.returncode == 0, done.stderr
    html = with_macros.path("site/phases/p1/index.html").read_text()
    assert "Foundations {{ x }} {% y %}" in html
