"""The risk heat map as inline SVG: likelihood up, impact across, each cell with its
rating and the count of risks in it written in, and a title listing their ids. Cells
above the appetite are marked in words (their class gives colour where there is some),
so the map reads without colour and without script."""

from __future__ import annotations

from html import escape

from ..risks import Criteria, Level

CELL, LEFT, TOP = 80, 120, 30


def heat_map_svg(criteria: Criteria, cells: dict[Level, list[str]], kind: str) -> str:
    """A grid of the criteria's levels; `cells` the ids in each (see risks.heat_counts).
    For opportunities the appetite marks nothing: a high rating is good news."""
    columns, rows = len(criteria.impact), len(criteria.likelihood)
    width, height = LEFT + columns * CELL + 10, TOP + rows * CELL + 48
    total = sum(len(v) for v in cells.values())
    plural = "opportunities" if kind == "opportunity" else "risks"
    label = f"Heat map of {total} open {plural if total != 1 else kind}: likelihood by impact"
    out = [
        f'<svg class="smsh-heat-map" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<text x="{LEFT}" y="18" class="smsh-heat-axis">impact →</text>',
    ]
    for row, likelihood in enumerate(reversed(criteria.likelihood)):
        y = TOP + row * CELL
        out.append(
            f'<text x="{LEFT - 8}" y="{y + CELL / 2 + 4:.0f}" text-anchor="end">'
            f"{escape(likelihood)}</text>"
        )
        for column, impact in enumerate(criteria.impact):
            x = LEFT + column * CELL
            rating = criteria.rating(likelihood, impact)
            above = kind == "risk" and rating > criteria.appetite
            ids = cells.get(Level(likelihood, impact), [])
            band = "above" if above else "within"
            where = f"{likelihood} likelihood, {impact} impact, rating {rating}"
            words = f"{where}{', above the appetite' if above else ''}: " + (
                ", ".join(ids) if ids else "none"
            )
            out.append(
                f'<g class="smsh-heat-cell smsh-heat-{band}{" smsh-heat-filled" if ids else ""}">'
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}"><title>{escape(words)}'
                f"</title></rect>"
                f'<text x="{x + 6}" y="{y + 16}" class="smsh-heat-rating">{rating}'
                f"{' ▲' if above else ''}</text>"
            )
            if ids:
                out.append(
                    f'<text x="{x + CELL / 2:.0f}" y="{y + CELL / 2 + 10:.0f}" '
                    f'text-anchor="middle" class="smsh-heat-count">{len(ids)}</text>'
                )
            out.append("</g>")
    base = TOP + rows * CELL
    for column, impact in enumerate(criteria.impact):
        x = LEFT + column * CELL + CELL / 2
        out.append(
            f'<text x="{x:.0f}" y="{base + 16}" text-anchor="middle">{escape(impact)}</text>'
        )
    out.append(
        f'<text x="0" y="{TOP - 12}" class="smsh-heat-axis">likelihood ↑</text>'
        f'<text x="{LEFT}" y="{base + 38}" class="smsh-heat-axis">'
        + escape(
            f"▲ above the appetite ({criteria.appetite})" if kind == "risk" else "count per cell"
        )
        + "</text></svg>"
    )
    return "".join(out)
