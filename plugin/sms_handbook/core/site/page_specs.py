"""The generated pages as declarations: for each, its place (from the layout), its
title, its template, the data file it comes from, and the values its template needs
besides the globals every page shares (see Renderer). The renderer walks the list.

A new generated page is one more spec here, its template in `templates/pages/` and
its place in layout.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .. import improvement, in_force, management_review, progress, records, risks
from ..model import Handbook, Phase
from ..register import Entry
from .heat_map import heat_map_svg
from .layout import Layout
from .timeline import timeline_svg

if TYPE_CHECKING:
    from .pages import Renderer

GATE_LABELS = {
    "passed": "passed",
    "passed-with-conditions": "passed with conditions",
    "failed": "failed",
    "pending": "pending",
}


@dataclass(frozen=True)
class PageSpec:
    """One generated page, declared."""

    src: str  # its path under docs_dir, from the layout
    title: str
    template: str  # in templates/pages/
    source: str  # the data file it comes from, relative to the project root ("": none)
    values: Mapping[str, Any] = field(default_factory=dict)  # what only this page needs
    in_nav: bool = True  # False: reachable by links only, kept out of the navigation


def page_specs(renderer: Renderer) -> list[PageSpec]:
    """Every page the handbook adds to the site, in the navigation's order."""
    site = renderer.site
    handbook, layout, register = site.handbook, site.layout, site.register
    phases_source = handbook.phases[0].where.path if handbook.phases else ""
    timeline = Markup(timeline_svg(handbook.phases, site.today))
    specs = [
        PageSpec(
            layout.phases_index, "Implementation phases", "phases.md.j2", phases_source,
            {"timeline": timeline},
        ),
        *(
            PageSpec(
                layout.phase(phase), f"{phase.id} {phase.title}", "phase.md.j2",
                phase.where.path,
                {"phase": phase, "p": done, "groups": _by_clause(handbook, phase)},
            )
            for phase, done in zip(handbook.phases, renderer.progress, strict=True)
        ),
        PageSpec(
            layout.compliance, "Compliance matrix", "compliance.md.j2", phases_source,
            renderer.reality,
        ),
        PageSpec(
            layout.documents_index, "Controlled documents", "documents.md.j2", "",
            {"register": register, "counts": _counts(register)},
        ),
    ]  # fmt: skip
    if handbook.project is not None:
        values = {
            "project": handbook.project, "raci": progress.raci(handbook),
            "gate_labels": GATE_LABELS,
        }  # fmt: skip
        project = handbook.project.path
        specs.append(
            PageSpec(layout.project, "Implementation project", "project.md.j2", project, values)
        )
    specs += _check_and_act(renderer)
    disposals_source = handbook.disposals[0].where.path if handbook.disposals else ""
    groups = {
        state: sorted(
            (e for e in register if e.review_state == state),
            key=lambda e: (e.next_review, e.doc.id),
        )
        for state in ("overdue", "due-soon", "ok")
    }
    templates = list(handbook.templates.values())
    followers = {
        t.id: [d for d in handbook.documents.values() if d.template == t.id] for t in templates
    }
    specs += [
        PageSpec(
            layout.records, "Records", "records.md.j2", disposals_source,
            {"groups": records.by_retention(register), "disposals": handbook.disposals},
        ),
        PageSpec(
            layout.control, "Change control", "control.md.j2", "",
            {"recording": site.recording, "control_exceptions": partial(_exceptions, register),
             "control_evidence": partial(_evidence, register)},
        ),
        PageSpec(
            layout.in_force, "In force on a date", "in-force.md.j2", "",
            {"rows": in_force.on(register, site.today), "archived": partial(_archived, layout)},
        ),
        PageSpec(
            layout.reviews, "Review schedule", "reviews.md.j2", "",
            {"groups": groups, "unscheduled": [e for e in register if e.review_state == "none"]},
        ),
        PageSpec(
            layout.templates_index, "Policy templates", "policy-templates.md.j2", "",
            {"templates": templates, "followers": followers},
        ),
        *(
            PageSpec(
                layout.template(t), t.title, "policy-template.md.j2",
                "" if t.origin == "package" else t.origin,
                {"t": t, "followers": followers[t.id]}, in_nav=False,
            )
            for t in templates
        ),
        *(
            # An unpublished page: a stub takes its place (same URL, same nav entry).
            PageSpec(
                e.page, f"{e.doc.id} {e.doc.title}", "unpublished.md.j2", e.doc.where["id"].path,
                {"e": e},
            )
            for e in register
            if e.page.endswith(".md") and e.page == e.doc.source and not e.published
        ),
    ]  # fmt: skip
    return specs


def _check_and_act(renderer: Renderer) -> list[PageSpec]:
    """The pages of the data files that exist: improvement, risks, management review."""
    site = renderer.site
    handbook, layout, today = site.handbook, site.layout, site.today
    tracker = renderer.tracker
    shared = {
        "tracker": tracker,
        "action_states": improvement.ACTION_STATES,
        "shown": renderer.shown,
    }
    files = handbook.data_files
    specs = []
    if "nonconformities" in files or "actions" in files:
        items = handbook.nonconformities
        grades = improvement.GRADES
        raised: dict[str, list[improvement.Nonconformity]] = {}
        for n in items:
            raised.setdefault(n.source, []).append(n)
        org = handbook.organization
        counts = {s: 0 for s in improvement.ACTION_STATES}
        for a in handbook.actions:
            counts[tracker.state(a)] += 1
        values = {
            **shared,
            "attention": tracker.needing_attention(),
            "counts": counts,
            "actions": tracker.listed(),
            "open_ncs": sorted(
                (n for n in items if n.status == "open"),
                key=lambda n: (grades.index(n.grade), n.raised_on, n.id),
            ),
            "closed_ncs": sorted(
                (n for n in items if n.status == "closed"),
                key=lambda n: (n.closed_on or n.raised_on, n.id), reverse=True,
            ),
            "grade_labels": dict(zip(grades, grades, strict=True)),
            "assessments": {a.id: a for a in handbook.assessments},
            "raised_from": raised,
            "cycle": org.audit_cycle_months,
            "unaudited": management_review.unaudited(
                handbook.standard, handbook.assessments, org.audit_cycle_months, today
            ),
        }  # fmt: skip
        source = next((x.where.path for x in (*items, *handbook.actions)), "")
        page = PageSpec(layout.improvement, "Improvement", "improvement.md.j2", source, values)
        specs.append(page)
    criteria = handbook.risk_criteria
    if criteria is not None:
        rated = risks.rated(criteria, handbook.risks)
        source = handbook.risks[0].where.path if handbook.risks else ""
        values = {
            **shared,
            "criteria": criteria,
            "risks": [r for r in rated if r.risk.kind == "risk"],
            "opportunities": [r for r in rated if r.risk.kind == "opportunity"],
            "heat_risks": Markup(
                heat_map_svg(criteria, risks.heat_counts(criteria, rated, "risk"), "risk")
            ),
            "heat_opportunities": Markup(heat_map_svg(
                criteria, risks.heat_counts(criteria, rated, "opportunity"), "opportunity"
            )),
        }  # fmt: skip
        specs.append(
            PageSpec(layout.risks, "Risks and opportunities", "risks.md.j2", source, values)
        )
    if "management-reviews" in files:
        months = handbook.organization.management_review_interval_months
        reviews = handbook.management_reviews
        values = {
            **shared,
            "schedule": management_review.schedule(reviews, months, today),
            "interval": months,
            "topics": management_review.TOPICS,
        }
        source = reviews[0].where.path if reviews else ""
        specs.append(PageSpec(
            layout.management_review, "Management review", "management-review.md.j2", source,
            values,
        ))  # fmt: skip
    return specs


def _archived(layout: Layout, found: in_force.InForce) -> bool:
    """Whether the version in force has an archive to link to."""
    return layout.archives and found.approved is not None and found.approved.published


def _exceptions(register: list[Entry]) -> list[tuple[Entry, Any, Any]]:
    """(entry, revision, finding) of every published document, newest first."""
    found = [(e, r, f) for e in register if e.published for r, f in e.exceptions]
    return sorted(found, key=lambda x: (x[1].date, x[0].doc.id), reverse=True)


def _evidence(register: list[Entry]) -> list[tuple[Entry, Any]]:
    """(entry, revision) of each revision that made a version approved or carries
    approvals, exceptions first, then newest first."""
    found = [
        (e, r) for e in register if e.published for r in e.revisions
        if r.needs_approval or r.evidence
    ]  # fmt: skip
    return sorted(found, key=lambda x: (not x[1].findings, -x[1].date.toordinal(), x[0].doc.id))


def _counts(register: list[Entry]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {"type": {}, "status": {}}
    for entry in register:
        for key, values in counts.items():
            value = getattr(entry.doc, key)
            values[value] = values.get(value, 0) + 1
    return {k: dict(sorted(v.items())) for k, v in counts.items()}


def _by_clause(handbook: Handbook, phase: Phase) -> list[tuple[Any, list[Any]]]:
    """The phase's activities grouped under the main clauses they cite, in clause order."""
    groups: dict[str, list[Any]] = {}
    for activity in phase.activities:
        mains = dict.fromkeys(n.split(".")[0] for n in activity.clauses) or {"": None}
        for main in mains:
            groups.setdefault(main, []).append(activity)
    clauses = handbook.standard.by_number
    numbers = sorted(groups, key=lambda n: int(n) if n.isdigit() else 10_000)
    return [(clauses.get(n), groups[n]) for n in numbers]
