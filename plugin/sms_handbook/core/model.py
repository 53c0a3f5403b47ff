"""The handbook's domain model: organization, people, phases, activities, documents
(Check and Act's in improvement, risks and management_review)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .policy_templates import PolicyTemplate
from .standards import Standard

if TYPE_CHECKING:
    from .improvement import Action, Nonconformity
    from .management_review import ManagementReview
    from .risks import Criteria, Risk

CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")


@dataclass(frozen=True, order=True)
class Location:
    """Where a value was written: a path relative to the project root and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


#: Where a value built in code (not read from a file) is "written".
NOWHERE = Location("", 0)


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    role: str = ""
    email: str = ""
    github: str = ""  # forge usernames, without "@"
    gitlab: str = ""

    @property
    def label(self) -> str:
        """Name and role, as shown on pages."""
        return f"{self.name} ({self.role})" if self.role else self.name


@dataclass(frozen=True)
class Organization:
    name: str
    standard: str
    scope: str
    timezone: str
    review_interval_months: int
    review_warning_days: int
    people: dict[str, Person]
    sms_manager: str | None = None  # owner of data/ in CODEOWNERS
    separation_of_duties: bool = True  # nobody approves their own document or change
    management_review_interval_months: int = 12  # the longest gap between two reviews
    audit_cycle_months: int = 36  # every clause audited internally within this


@dataclass(frozen=True)
class Activity:
    id: str
    title: str
    phase: str
    owner: str
    status: str
    clauses: tuple[str, ...] = ()
    due: date | None = None
    deliverables: tuple[str, ...] = ()
    notes: str = ""
    where: Location = Location("", 0)
    #: RACI: who does the work, who is consulted, who is kept informed (the owner is
    #: accountable).
    responsible: tuple[str, ...] = ()
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    start: date
    end: date
    objective: str = ""
    characteristics: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    activities: tuple[Activity, ...] = ()
    where: Location = Location("", 0)

    @property
    def slug(self) -> str:
        return self.id.lower()


@dataclass(frozen=True)
class Document:
    """A controlled document after register and front matter have been merged."""

    id: str
    title: str
    type: str
    owner: str
    version: str | None  # records may give none
    status: str
    source: str | None = None  # path under docs_dir, POSIX separators
    location: str | None = None  # where a document outside the repository lives
    approver: str | None = None
    approved_on: date | None = None
    review_interval_months: int | None = None
    next_review: date | None = None
    classification: str = "internal"
    retention: str | None = None  # records: how long, and from when
    disposal: str | None = None  # records: destroy, archive, anonymise, transfer, ...
    protection: str | None = None  # records: who may read and change them, backups
    clauses: tuple[str, ...] = ()
    phase: str | None = None
    template: str | None = None
    #: Where each field was written (register entry or front matter).
    where: dict[str, Location] = field(default_factory=dict, compare=False)
    #: The register file declaring the document (relative to the project root), if any.
    register: str | None = field(default=None, compare=False)

    @property
    def slug(self) -> str:
        return self.id.lower()

    @property
    def is_record(self) -> bool:
        """A record series: kept and disposed of, not approved and reviewed."""
        return self.type == "record"


@dataclass(frozen=True)
class Disposal:
    """An entry of the disposal log: records of a series disposed of."""

    record: str  # the record series' id
    date: date
    what: str
    method: str
    authorised_by: str
    notes: str = ""
    where: Location = Location("", 0)


CONFORMITY = ("conforming", "partial", "nonconforming", "not-assessed")


@dataclass(frozen=True)
class Result:
    """An assessment's verdict on one clause."""

    clause: str
    conformity: str  # one of CONFORMITY
    evidence: tuple[str, ...] = ()  # document ids or links
    notes: str = ""


@dataclass(frozen=True)
class Assessment:
    """A dated gap analysis or audit."""

    id: str
    date: date
    kind: str  # baseline | self-assessment | internal-audit | external-audit
    title: str
    assessor: str
    results: tuple[Result, ...] = ()
    summary: str = ""
    where: Location = Location("", 0)


@dataclass(frozen=True)
class Decision:
    outcome: str
    by: str | None = None
    on: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class Gate:
    """The review that ends a phase, and what it decided."""

    phase: str
    criteria: tuple[str, ...] = ()
    decision: Decision | None = None


@dataclass(frozen=True)
class Member:
    person: str
    role: str
    allocation: str = ""


@dataclass(frozen=True)
class ScopeChange:
    date: date
    change: str
    reason: str
    approved_by: str


@dataclass(frozen=True)
class BusinessCase:
    summary: str = ""
    drivers: tuple[str, ...] = ()
    benefits: tuple[str, ...] = ()
    costs: str = ""
    decision: Decision | None = None


@dataclass(frozen=True)
class Project:
    """The implementation project (TR 20000-5): why, who, how it is governed and gated."""

    sponsor: str | None = None
    business_case: BusinessCase | None = None
    governance: str = ""
    team: tuple[Member, ...] = ()
    readiness: tuple[str, ...] = ()
    gates: tuple[Gate, ...] = ()
    scope_changes: tuple[ScopeChange, ...] = ()
    path: str = ""  # where it is written


@dataclass(frozen=True)
class Handbook:
    """A loaded, validated handbook: what every page generator and export works from."""

    organization: Organization
    standard: Standard
    phases: tuple[Phase, ...]
    documents: dict[str, Document]  # by id, sorted by id
    templates: dict[str, PolicyTemplate] = field(default_factory=dict)  # by id
    disposals: tuple[Disposal, ...] = ()  # the disposal log, oldest first
    assessments: tuple[Assessment, ...] = ()  # oldest first
    project: Project | None = None
    #: Check and Act: the risk register, nonconformities, actions, management reviews.
    risk_criteria: Criteria | None = None
    risks: tuple[Risk, ...] = ()
    nonconformities: tuple[Nonconformity, ...] = ()
    actions: tuple[Action, ...] = ()
    management_reviews: tuple[ManagementReview, ...] = ()  # oldest first
    #: The data files that were read (names without .yml): the optional ones may be absent.
    data_files: tuple[str, ...] = field(default=(), compare=False)

    @property
    def activities(self) -> tuple[Activity, ...]:
        return tuple(a for p in self.phases for a in p.activities)
