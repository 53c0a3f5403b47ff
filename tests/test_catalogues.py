"""The clause catalogues, clause by clause, as checked against public outlines of the standard.

Each table is written out so that a reviewer can hold it against an outline of the edition:
one line per clause, its number and short title, and "(unverified)" when fewer than two
organizations' outlines confirm it (see `sources` in the catalogue YAML files).
"""

from __future__ import annotations

import re

import pytest

from sms_handbook.core import standards

OUTLINE_2018 = """
1        Scope
1.1      General  (unverified)
1.2      Application
2        Normative references
3        Terms and definitions
3.1      Terms specific to management system standards  (unverified)
3.2      Terms specific to service management  (unverified)
4        Context of the organization
4.1      Understanding the organization and its context
4.2      Understanding the needs and expectations of interested parties  (unverified)
4.3      Determining the scope of the service management system  (unverified)
4.4      Service management system  (unverified)
5        Leadership  (unverified)
5.1      Leadership and commitment  (unverified)
5.2      Policy  (unverified)
5.2.1    Establishing the service management policy  (unverified)
5.2.2    Communicating the service management policy  (unverified)
5.3      Organizational roles, responsibilities and authorities  (unverified)
6        Planning  (unverified)
6.1      Actions to address risks and opportunities  (unverified)
6.2      Service management objectives and planning to achieve them  (unverified)
6.2.1    Establish objectives  (unverified)
6.2.2    Plan to achieve objectives  (unverified)
6.3      Plan the service management system
7        Support of the service management system  (unverified)
7.1      Resources
7.2      Competence
7.3      Awareness
7.4      Communication  (unverified)
7.5      Documented information  (unverified)
7.5.1    General  (unverified)
7.5.2    Creating and updating documented information  (unverified)
7.5.3    Control of documented information  (unverified)
7.5.4    Service management system documented information  (unverified)
7.6      Knowledge  (unverified)
8        Operation of the service management system
8.1      Operational planning and control
8.2      Service portfolio
8.2.1    Service delivery
8.2.2    Plan the services
8.2.3    Control of parties involved in the service lifecycle
8.2.4    Service catalogue management
8.2.5    Asset management
8.2.6    Configuration management
8.3      Relationship and agreement
8.3.1    General  (unverified)
8.3.2    Business relationship management
8.3.3    Service level management
8.3.4    Supplier management
8.3.4.1  Management of external suppliers  (unverified)
8.3.4.2  Management of internal suppliers and customers acting as a supplier  (unverified)
8.4      Supply and demand
8.4.1    Budgeting and accounting for services
8.4.2    Demand management
8.4.3    Capacity management
8.5      Service design, build and transition
8.5.1    Change management
8.5.1.1  Change management policy
8.5.1.2  Change management initiation
8.5.1.3  Change management activities
8.5.2    Service design and transition
8.5.2.1  Plan new or changed services  (unverified)
8.5.2.2  Design  (unverified)
8.5.2.3  Build and transition  (unverified)
8.5.3    Release and deployment management
8.6      Resolution and fulfilment
8.6.1    Incident management
8.6.2    Service request management
8.6.3    Problem management
8.7      Service assurance
8.7.1    Service availability management
8.7.2    Service continuity management
8.7.3    Information security management
8.7.3.1  Information security policy  (unverified)
8.7.3.2  Information security controls  (unverified)
8.7.3.3  Information security incidents  (unverified)
9        Performance evaluation  (unverified)
9.1      Monitoring, measurement, analysis and evaluation
9.2      Internal audit
9.3      Management review  (unverified)
9.4      Service reporting
10       Improvement
10.1     Nonconformity and corrective action
10.2     Continual improvement
"""

OUTLINE_2011 = """
1        Scope
1.1      General  (unverified)
1.2      Application  (unverified)
2        Normative references  (unverified)
3        Terms and definitions  (unverified)
4        Service management system general requirements
4.1      Management responsibility  (unverified)
4.1.1    Management commitment  (unverified)
4.1.2    Service management policy  (unverified)
4.1.3    Authority, responsibility and communication  (unverified)
4.1.4    Management representative  (unverified)
4.2      Governance of processes operated by other parties  (unverified)
4.3      Documentation management  (unverified)
4.3.1    Establish and maintain documents  (unverified)
4.3.2    Control of documents  (unverified)
4.3.3    Control of records  (unverified)
4.4      Resource management  (unverified)
4.4.1    Provision of resources  (unverified)
4.4.2    Human resources  (unverified)
4.5      Establish and improve the SMS  (unverified)
4.5.1    Define scope  (unverified)
4.5.2    Plan the SMS (Plan)  (unverified)
4.5.3    Implement and operate the SMS (Do)  (unverified)
4.5.4    Monitor and review the SMS (Check)  (unverified)
4.5.4.1  General  (unverified)
4.5.4.2  Internal audit  (unverified)
4.5.4.3  Management review  (unverified)
4.5.5    Maintain and improve the SMS (Act)  (unverified)
4.5.5.1  General  (unverified)
4.5.5.2  Management of improvements  (unverified)
5        Design and transition of new or changed services
5.1      General  (unverified)
5.2      Plan new or changed services
5.3      Design and development of new or changed services
5.4      Transition of new or changed services
6        Service delivery processes
6.1      Service level management
6.2      Service reporting
6.3      Service continuity and availability management
6.3.1    Service continuity and availability requirements  (unverified)
6.3.2    Service continuity and availability plans  (unverified)
6.3.3    Service continuity and availability monitoring and testing  (unverified)
6.4      Budgeting and accounting for services  (unverified)
6.5      Capacity management
6.6      Information security management
6.6.1    Information security policy  (unverified)
6.6.2    Information security controls  (unverified)
6.6.3    Information security changes and incidents  (unverified)
7        Relationship processes
7.1      Business relationship management
7.2      Supplier management
8        Resolution processes
8.1      Incident and service request management
8.2      Problem management
9        Control processes
9.1      Configuration management
9.2      Change management
9.3      Release and deployment management
"""

OUTLINE_2005 = """
1        Scope  (unverified)
1.1      Scope  (unverified)
1.2      Application  (unverified)
2        Terms and definitions  (unverified)
3        Requirements for a management system
3.1      Management responsibility  (unverified)
3.2      Documentation requirements  (unverified)
3.3      Competence, awareness and training  (unverified)
4        Planning and implementing service management
4.1      Plan service management (Plan)
4.2      Implement service management and provide the services (Do)
4.3      Monitoring, measuring and reviewing (Check)
4.4      Continual improvement (Act)
4.4.1    Policy  (unverified)
4.4.2    Management of improvements  (unverified)
4.4.3    Activities  (unverified)
5        Planning and implementing new or changed services
6        Service delivery process
6.1      Service level management  (unverified)
6.2      Service reporting  (unverified)
6.3      Service continuity and availability management  (unverified)
6.4      Budgeting and accounting for IT services  (unverified)
6.5      Capacity management  (unverified)
6.6      Information security management  (unverified)
7        Relationship processes  (unverified)
7.1      General  (unverified)
7.2      Business relationship management  (unverified)
7.3      Supplier management  (unverified)
8        Resolution processes  (unverified)
8.1      Background  (unverified)
8.2      Incident management  (unverified)
8.3      Problem management  (unverified)
9        Control processes  (unverified)
9.1      Configuration management  (unverified)
9.2      Change management  (unverified)
10       Release process  (unverified)
10.1     Release management process  (unverified)
"""


OUTLINES = {
    "iso20000-1:2018": OUTLINE_2018,
    "iso20000-1:2011": OUTLINE_2011,
    "iso20000-1:2005": OUTLINE_2005,
}
UNVERIFIED = "  (unverified)"


def _rows(outline: str) -> list[tuple[str, str, bool]]:
    rows = []
    for line in outline.strip().splitlines():
        unverified = line.endswith(UNVERIFIED)
        number, title = line.removesuffix(UNVERIFIED).split(maxsplit=1)
        rows.append((number, title.strip(), unverified))
    return rows


@pytest.mark.parametrize("edition", standards.EDITIONS)
def test_catalogue_matches_its_outline(edition: str) -> None:
    catalogue = standards.standard(edition)
    assert [(c.number, c.title, c.unverified) for c in catalogue.clauses] == _rows(
        OUTLINES[edition]
    )


def test_2018_has_the_objectives_subclauses() -> None:
    catalogue = standards.standard("iso20000-1:2018")
    assert "6.2.1" in catalogue and "6.2.2" in catalogue
    assert catalogue.by_number["6.2.1"].parent == "6.2"


@pytest.mark.parametrize("edition", standards.EDITIONS)
def test_verified_clauses_have_two_independent_sources(edition: str) -> None:
    catalogue = standards.standard(edition)
    for clause in catalogue.clauses:
        orgs = {catalogue.source(s).org for s in clause.sources}
        assert clause.unverified == (len(orgs) < standards.MIN_CONFIRMATIONS), clause.number
        assert len(set(clause.sources)) == len(clause.sources), clause.number


@pytest.mark.parametrize("edition", standards.EDITIONS)
def test_every_source_is_defined_with_a_url_and_used(edition: str) -> None:
    catalogue = standards.standard(edition)
    defined = {s.id for s in catalogue.sources}
    used = {s for c in catalogue.clauses for s in c.sources}
    assert used <= defined
    assert defined <= used, sorted(defined - used)
    for source in catalogue.sources:
        assert re.match(r"https?://\S+$", source.url), source.id
        assert source.title.strip() and source.org.strip(), source.id


def test_an_undefined_source_is_refused() -> None:
    known = {"a": standards.Source("a", "A", "https://a.example", "A org")}
    with pytest.raises(ValueError, match="undefined source"):
        standards._clause({"number": "4", "title": "T", "sources": ["a", "b"]}, known, "x")
    clause = standards._clause({"number": "4", "title": "T", "sources": ["a"]}, known, "x")
    assert clause.unverified and clause.sources == ("a",)
