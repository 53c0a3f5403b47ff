"""Progress over time as inline SVG: conformity per assessment (stacked by verdict) and
activities done per month. No script; every mark carries a text label and a title, so
the charts read without colour (the classes give colour where there is some)."""

from __future__ import annotations

from html import escape

from ..coverage import CONFORMITY_LABELS
from ..progress import AssessmentTotals, Month

WIDTH, LABEL = 860, 220


def conformity_svg(rows: list[AssessmentTotals]) -> str:
    """One stacked bar per assessment, its segments by verdict, counts written in."""
    if not rows:
        return ""
    bar, gap, top = 26, 14, 24
    height = top + len(rows) * (bar + gap)
    most = max(sum(r.totals.values()) for r in rows) or 1
    span = WIDTH - LABEL - 20
    label = f"Conformity at {len(rows)} assessment{'s' if len(rows) != 1 else ''}"
    out = [
        f'<svg class="smsh-chart smsh-chart-conformity" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        '<g class="smsh-chart-legend">',
    ]
    x = LABEL
    for verdict, words in CONFORMITY_LABELS.items():
        out.append(
            f'<rect class="smsh-verdict-{verdict}" x="{x}" y="4" width="10" height="10"/>'
            f'<text x="{x + 14}" y="13">{escape(words)}</text>'
        )
        x += 14 + 7 * len(words) + 16
    out.append("</g>")
    for i, row in enumerate(rows):
        a = row.assessment
        y = top + i * (bar + gap)
        name = f"{a.date.isoformat()} {a.title}"
        out.append(f'<g class="smsh-chart-assessment" data-assessment="{escape(a.id)}">')
        out.append(f'<text x="0" y="{y + bar * 0.65:.0f}">{escape(_short(name, 34))}</text>')
        x = float(LABEL)
        for verdict, count in row.totals.items():
            if not count:
                continue
            w = span * count / most
            words = f"{CONFORMITY_LABELS[verdict]}: {count}"
            out.append(
                f'<rect class="smsh-verdict-{verdict}" x="{x:.1f}" y="{y}" width="{w:.1f}" '
                f'height="{bar}"><title>{escape(name)}: {escape(words)}</title></rect>'
            )
            if w >= 18:
                out.append(
                    f'<text class="smsh-chart-count" x="{x + w / 2:.1f}" y="{y + bar * 0.65:.0f}" '
                    f'text-anchor="middle">{count}</text>'
                )
            x += w
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def months_svg(months: list[Month]) -> str:
    """One bar per month: the activities done at its end, written above the bar."""
    if not months:
        return ""
    height, top, base = 190, 20, 150
    most = max(m.total for m in months) or 1
    step = (WIDTH - 40) / len(months)
    width = max(min(step * 0.7, 40), 2)
    label = (
        f"Activities done at the end of each month, {months[0].month} to {months[-1].month}: "
        f"{months[-1].done} of {months[-1].total}"
    )
    out = [
        f'<svg class="smsh-chart smsh-chart-months" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<line class="smsh-tl-grid" x1="30" y1="{base}" x2="{WIDTH - 10}" y2="{base}"/>',
    ]
    every = max(1, round(len(months) / 12))  # at most about twelve month labels
    for i, m in enumerate(months):
        x = 30 + i * step + (step - width) / 2
        h = (base - top) * m.done / most
        words = f"{m.month}: {m.done} of {m.total} activities done"
        out.append(
            f'<rect class="smsh-chart-month" data-month="{m.month}" x="{x:.1f}" '
            f'y="{base - h:.1f}" width="{width:.1f}" height="{h:.1f}"><title>{words}</title></rect>'
        )
        if every == 1 or i % every == 0 or i == len(months) - 1:
            middle = x + width / 2
            out.append(
                f'<text class="smsh-chart-count" x="{middle:.1f}" y="{base - h - 4:.1f}" '
                f'text-anchor="middle">{m.done}</text>'
                f'<text x="{middle:.1f}" y="{base + 16}" text-anchor="middle">{m.month}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
