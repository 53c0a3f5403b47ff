"""The phase timeline as inline SVG: one bar per phase, activity due dates, today marked.

No script, no external resource. Colours come from CSS classes (see the plugin's
stylesheet) so the drawing follows Material's light and dark schemes and prints in
black and white; every mark also has a text title for screen readers and tooltips.
"""

from __future__ import annotations

from datetime import date
from html import escape

from ..model import Phase
from ..reviews import add_months

WIDTH, LABEL, ROW, TOP = 860, 170, 34, 28


def _x(day: date, first: date, last: date) -> float:
    span = max((last - first).days, 1)
    return LABEL + (WIDTH - LABEL - 10) * (day - first).days / span


def timeline_svg(phases: tuple[Phase, ...], today: date) -> str:
    """An SVG drawing of the phases; empty when there are none."""
    if not phases:
        return ""
    dues = [a.due for p in phases for a in p.activities if a.due]
    first = min([p.start for p in phases] + dues).replace(day=1)
    last = add_months(max([p.end for p in phases] + dues).replace(day=1), 1)
    height = TOP + ROW * len(phases) + 10
    label = (
        f"Timeline of {len(phases)} phases from {phases[0].start.isoformat()} "
        f"to {phases[-1].end.isoformat()}; today is {today.isoformat()}"
    )
    out = [
        f'<svg class="smsh-timeline" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    month = first
    while month <= last:
        x = _x(month, first, last)
        out.append(
            f'<line class="smsh-tl-grid" x1="{x:.1f}" y1="{TOP - 6}" '
            f'x2="{x:.1f}" y2="{height - 6}"/>'
        )
        if month.month in (1, 4, 7, 10):
            text = month.strftime("%b %Y")
            out.append(f'<text class="smsh-tl-month" x="{x + 2:.1f}" y="{TOP - 10}">{text}</text>')
        month = add_months(month, 1)
    for row, phase in enumerate(phases):
        y = TOP + row * ROW
        x1, x2 = _x(phase.start, first, last), _x(phase.end, first, last)
        name = escape(f"{phase.id} {phase.title}")
        out.append(
            f'<rect class="smsh-tl-phase" x="{x1:.1f}" y="{y + 6}" width="{max(x2 - x1, 2):.1f}" '
            f'height="{ROW - 12}" rx="3"><title>{name}: {phase.start.isoformat()} to '
            f"{phase.end.isoformat()}</title></rect>"
        )
        text = f"{phase.id} {phase.title}"
        short = text if len(text) <= 24 else text[:23] + "…"
        out.append(f'<text class="smsh-tl-label" x="4" y="{y + 21}">{escape(short)}</text>')
        for activity in phase.activities:
            if activity.due is None:
                continue
            cx = _x(activity.due, first, last)
            tip = escape(
                f"{activity.id} {activity.title}: due {activity.due.isoformat()}, {activity.status}"
            )
            out.append(
                f'<circle class="smsh-tl-due smsh-tl-{escape(activity.status)}" cx="{cx:.1f}" '
                f'cy="{y + ROW / 2:.1f}" r="4"><title>{tip}</title></circle>'
            )
    if first <= today <= last:
        x = _x(today, first, last)
        out.append(
            f'<line class="smsh-tl-today" x1="{x:.1f}" y1="{TOP - 4}" '
            f'x2="{x:.1f}" y2="{height - 4}"/>'
        )
        out.append(
            f'<text class="smsh-tl-today-label" x="{x + 3:.1f}" y="{height - 2}">today</text>'
        )
    out.append("</svg>")
    return "".join(out)
