"""Property-based tests (hypothesis) for the loader and for escaping.

- Whatever bytes or YAML a data file or a page's front matter holds, loading never
  raises: it returns problems that name a file and a line.
- Whatever text a person, phase, activity or document carries, the generated pages, the
  document-control blocks and the standalone document pages keep exactly the HTML
  structure they have with ordinary text: no element, attribute or table cell comes
  from the data, and page titles never carry markup.
- Whatever text an iCalendar feed carries, an iCalendar parser reads it back, and no
  line is longer than 75 octets.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from conftest import FIXTURES, HandbookDir
from sms_handbook.core.data.frontmatter import past_document_fields
from sms_handbook.core.model import Handbook
from sms_handbook.core.site import ics
from sms_handbook.core.site.layout import Layout
from sms_handbook.core.site.pages import Renderer
from sms_handbook.core.site.site_data import prepare

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
#: Text with everything that is special to HTML, Markdown, tables, Jinja and YAML.
NASTY = st.lists(
    st.one_of(
        st.sampled_from([*"<>&\"'|*_`[](){}#!%\\-:=/.;\n\r\t ", "{{", "{%", "-->", "<!--", "1. "]),
        st.characters(blacklist_categories=("Cs",)),
    ),
    min_size=1,
    max_size=20,
).map("".join)
EPOCH = {"SOURCE_DATE_EPOCH": "1795780800"}


@pytest.fixture(scope="module")
def handbook_dir(tmp_path_factory: pytest.TempPathFactory) -> HandbookDir:
    root = tmp_path_factory.mktemp("properties") / "handbook"
    shutil.copytree(FIXTURES / "minimal", root)
    return HandbookDir(root)


# --- the loader ------------------------------------------------------------------------


def _problems_are_located(handbook: HandbookDir) -> None:
    result = handbook.load()  # must not raise
    for problem in result.problems:
        assert problem.path and problem.line >= 1, str(problem)
        assert "\n" not in str(problem), str(problem)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_any_bytes_in_a_data_file(handbook_dir: HandbookDir, data: bytes) -> None:
    original = handbook_dir.read("data/phases.yml")
    handbook_dir.write("data/phases.yml", data)
    try:
        _problems_are_located(handbook_dir)
    finally:
        handbook_dir.write("data/phases.yml", original)


YAML_VALUES = st.deferred(
    lambda: (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | NASTY
        | st.dates()
        | st.lists(YAML_VALUES, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "title", "owner", "x"]) | NASTY, YAML_VALUES, max_size=4
        )
    )
)


@SETTINGS
@given(value=YAML_VALUES)
def test_any_yaml_in_a_register(handbook_dir: HandbookDir, value: object) -> None:
    original = handbook_dir.read("data/documents.yml")
    handbook_dir.write("data/documents.yml", yaml.safe_dump({"documents": value}))
    try:
        _problems_are_located(handbook_dir)
    finally:
        handbook_dir.write("data/documents.yml", original)


@SETTINGS
@given(front=NASTY)
def test_any_text_as_front_matter(handbook_dir: HandbookDir, front: str) -> None:
    page = "content/procedures/incident.md"
    original = handbook_dir.read(page)
    handbook_dir.write(page, f"---\n{front}\n---\n# Incident procedure\n")
    try:
        _problems_are_located(handbook_dir)
    finally:
        handbook_dir.write(page, original)


# --- escaping --------------------------------------------------------------------------


class _Structure(HTMLParser):
    """The elements and attribute names of an HTML text, in order (not the text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shape: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shape.append(f"<{tag} {' '.join(sorted(name for name, _ in attrs))}>")

    def handle_endtag(self, tag: str) -> None:
        self.shape.append(f"</{tag}>")

    def handle_comment(self, data: str) -> None:
        self.shape.append("<!---->")


def _shape(html: str) -> list[str]:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    return parser.shape


def _with_text(handbook: Handbook, text: str) -> Handbook:
    """The handbook with `text` as the organization's and a person's name, a phase's and
    an activity's title, and documents' titles and location."""
    org = handbook.organization
    people = {**org.people, "jdoe": dataclasses.replace(org.people["jdoe"], name=text)}
    phase = handbook.phases[0]
    activities = (dataclasses.replace(phase.activities[0], title=text), *phase.activities[1:])
    phases = (dataclasses.replace(phase, title=text, activities=activities), *handbook.phases[1:])
    documents = {
        key: dataclasses.replace(doc, title=text, location=text if doc.location else None)
        for key, doc in handbook.documents.items()
    }
    return dataclasses.replace(
        handbook,
        organization=dataclasses.replace(org, name=text, people=people),
        phases=phases,
        documents=documents,
    )


def _rendered(handbook: Handbook, root: Path) -> dict[str, str]:
    """Every HTML the plugin makes from the data, by page, as the site would show it."""
    site = prepare(handbook, Layout(), root, root / "content", environ=EPOCH, revisions=False)
    renderer = Renderer(site)
    converter = markdown.Markdown(extensions=["toc", "tables", "fenced_code"])
    out = {}
    for page in renderer.pages():
        body, meta = get_data(page.markdown)  # as MkDocs reads it
        assert "<" not in meta["title"] and ">" not in meta["title"], meta["title"]
        html = converter.reset().convert(body)
        for marker, block in page.fragments.items():
            html = html.replace(marker, block, 1)
        out[page.src_uri] = html
    for entry in site.register:
        out[f"metadata {entry.doc.id}"] = renderer.metadata_block(entry, entry.page)
    out.update(renderer.standalone_pages())
    return out


@SETTINGS
@given(text=NASTY)
def test_any_text_keeps_the_html_structure(handbook_dir: HandbookDir, text: str) -> None:
    handbook = handbook_dir.load().handbook
    assert handbook is not None
    plain = _rendered(_with_text(handbook, "Plain words"), handbook_dir.root)
    nasty = _rendered(_with_text(handbook, text), handbook_dir.root)
    assert nasty.keys() == plain.keys()
    for page, html in nasty.items():
        assert _shape(html) == _shape(plain[page]), f"{page} changed shape for {text!r}"


# --- historic front matter -------------------------------------------------------------


def test_common_past_front_matter_reads_as_written() -> None:
    """A past version's `document:` fields, as YAML reads them (dates kept as text)."""
    text = (
        'title: "Policy 0: control release"\ndocument:\n  id: POL-0000\n  type: policy\n'
        '  version: "1.2"\n  status: approved\n  owner: p12\n  approved_on: 2025-02-16\n'
        '  clauses: ["5.2", "8.7.3"]\n  template: service-management\n'
    )
    assert past_document_fields(text) == {
        "id": "POL-0000", "type": "policy", "version": "1.2", "status": "approved",
        "owner": "p12", "approved_on": "2025-02-16", "clauses": ["5.2", "8.7.3"],
        "template": "service-management",
    }  # fmt: skip


# --- the iCalendar feed --------------------------------------------------------------

#: Text values: what iCalendar escapes, line breaks, and characters of 1 to 4 octets.
ICS_TEXT = st.lists(
    st.one_of(
        st.sampled_from([*'\\;,:"\n\r\t ', "\r\n", "é", "€", "漢", "😀"]),
        st.characters(blacklist_categories=("Cs", "Cc")),
    ),
    max_size=120,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(name=ICS_TEXT, summary=ICS_TEXT)
def test_any_text_in_the_review_calendar_reads_back(name: str, summary: str) -> None:
    from icalendar import Calendar

    when = date(2027, 2, 16)
    feed = ics.calendar(
        [("VERSION", "2.0"), ("PRODID", "-//test//EN"), ("X-WR-CALNAME", ics.text(name))],
        [[("SUMMARY", ics.text(summary)), ("DTSTART;VALUE=DATE", ics.day(when)),
          ("DTSTAMP", ics.utc(datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc))),
          ("UID", ics.text(f"{summary}@x")), ("DESCRIPTION", ics.text(name))]],
    )  # fmt: skip
    assert all(len(line) <= 75 for line in feed.split(b"\r\n"))
    assert feed.endswith(b"END:VCALENDAR\r\n")
    for line in feed.replace(b"\r\n ", b"").decode().split("\r\n"):  # unfolded
        if line.startswith(("SUMMARY:", "DESCRIPTION:", "UID:", "X-WR-CALNAME:")):
            value = line.split(":", 1)[1].replace("\\\\", "")  # escaped backslashes out
            assert re.fullmatch(r"(?:[^\\,;\r\n]|\\[,;n])*", value), line  # TEXT, escaped
    calendar = Calendar.from_ical(feed)
    (event,) = calendar.walk("VEVENT")

    def as_read(text: str) -> str:  # every line break is written as one
        return text.replace("\r\n", "\n").replace("\r", "\n")

    assert str(event["summary"]) == as_read(summary)
    assert str(event["description"]) == as_read(name)
    assert str(event["uid"]) == as_read(f"{summary}@x")
    # An X- property is text (RFC 5545 3.8.8.2), which the parser leaves escaped.
    assert calendar["x-wr-calname"].to_ical().decode() == ics.text(name)
    assert event.decoded("dtstart") == when
    assert event.decoded("dtstamp") == datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
