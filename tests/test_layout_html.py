"""The HTML behind the layout of the records page and the register (measured in a
browser by tests/test_layout_browser.py): a record series' long values under its row,
web addresses as links named by their host, a withheld series in one cell across the
table, an owner's name apart from their role; every value from the data escaped."""

from __future__ import annotations

from conftest import BuiltPage, HandbookDir, cells

DOCS = "data/documents.yml"
ENV = {"SOURCE_DATE_EPOCH": "1775000000"}  # 2026-04-01
NASTY = '<script>alert("x")</script> & "co"'

#: A series whose every value tries to break out of the page, and one that is withheld.
SERIES = f"""
  - id: REC-900
    title: 'Access reviews {NASTY}'
    type: record
    location: 'https://user@files.example:8443/a?b="><script>alert(1)</script>#x'
    owner: jdoe
    version: "n/a"
    status: approved
    classification: internal
    retention: 2 years
    disposal: 'shred {NASTY}'
    protection: 'Read by *auditors* only {NASTY}'
  - id: REC-901
    title: 'Payroll evidence {NASTY}'
    type: record
    location: https://hr.example/secret-payroll
    owner: mkhan
    version: "n/a"
    status: approved
    classification: restricted
    retention: 2 years
    protection: Only payroll staff read them.
"""


def _built(minimal: HandbookDir) -> BuiltPage:
    minimal.write(DOCS, minimal.read(DOCS) + SERIES)
    done = minimal.build(env=ENV)
    assert done.returncode == 0, done.stderr
    return BuiltPage.read(minimal.path("site/records/index.html"))


def test_records_rows_escape_and_keep_their_columns(minimal: HandbookDir) -> None:
    page = _built(minimal)
    start = page.html.index("Kept 2 years")
    table = page.html[page.html.index('<table class="smsh-table smsh-records">', start) :]
    table = table.split("</table>")[0]
    assert "<script>" not in table and "<em>auditors</em>" in table
    header, *rows = table.split("<tr")[1:]
    assert len(cells(header)) == 6
    by_id = {r.split('"')[1]: r for r in rows if r.startswith(' id="')}
    shown, withheld = by_id["record-rec-900"], by_id["record-rec-901"]
    assert cells(shown)[:4] == [
        f"REC-900 Access reviews {NASTY}", "files.example:8443", "Jane Doe (SMS manager)",
        f"shred {NASTY}",
    ]  # fmt: skip
    assert 'href="https://user@files.example:8443/a?b=&#34;&gt;&lt;script&gt;' in shown
    details = rows[rows.index(shown) + 1]
    assert details.startswith(' class="smsh-record-details"><td colspan="6">')
    assert cells(details) == [f"Protection Read by auditors only {NASTY}"]
    # Withheld: one cell across the table, with its id, title and custodian only.
    assert withheld.startswith(' id="record-rec-901" class="smsh-unpublished"><td colspan="6">')
    assert cells(withheld) == [
        f"REC-901 Payroll evidence {NASTY} not published Custodian: Mo Khan (Managing director)."
        " Its other details are not published."
    ]
    assert "hr.example" not in page.html and "payroll staff" not in page.html


def test_register_owner_name_apart_from_role(minimal: HandbookDir) -> None:
    _built(minimal)
    index = BuiltPage.read(minimal.path("site/documents/index.html"))
    row = index.html[index.html.index('id="doc-rec-900"') :].split("</tr>")[0]
    assert 'data-owner="Jane Doe (SMS manager)"' in row
    assert (
        '<td class="smsh-owner"><span class="smsh-name">Jane Doe</span>'
        ' <span class="smsh-role">(SMS manager)</span></td>'
    ) in row
    assert "Jane Doe (SMS manager)" in cells(row)
    withheld = index.html[index.html.index('id="doc-rec-901"') :].split("</tr>")[0]
    assert '<span class="smsh-name">Mo Khan</span>' in withheld
