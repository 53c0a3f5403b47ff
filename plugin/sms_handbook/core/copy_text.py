"""A controlled copy's text, read back from the PDF and compared with the approved text.

The approved text is taken as HTML (as the copy was made from it) and cut into *units*:
runs of text outside tables, and table rows of cells. The PDF's text is cut into
*fragments*: what is drawn on one line without a gap (a line of a paragraph, of a
cell, a list marker), inside the page margins (the margin boxes are outside them), in
reading order (sheet by sheet, top to bottom, left to right; not the order drawn: a
PDF engine draws a table's cells in an order of its own).

The fragments after the line that opens the text must then spell the units exactly,
whitespace aside (where lines break or words are spaced is layout): each fragment
continues the run of text it is in, or, in a table row, one of its cells. List markers
(`1.`, `•`, drawn apart from their items) and a table's header rows repeated on a new
sheet are passed over. Anything else, a word added, removed, changed or moved out of
its place, makes the copy differ. Within a table row the order of cells on a line is
not checked beyond that.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

#: Words of a list's marker: a number or letter with its dot, or a bullet.
_MARKER = re.compile(r"(?:\d+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]|[\u2022\u25e6\u25aa\u2023\u2013-]")
_MM = 72 / 25.4  # points in a millimetre


def chars(text: str) -> str:
    """A text's characters as compared: compatibility-normalized (ligatures, no-break
    spaces), without whitespace or soft hyphens."""
    return "".join(unicodedata.normalize("NFKC", text).replace("\u00ad", "").split())


@dataclass
class Row:
    """A table row: its cells' text (as :func:`chars`)."""

    cells: list[str]
    table: int
    header: bool = False


Unit = str | Row  # a run of text outside tables (as :func:`chars`), or a table row


class _Units(HTMLParser):
    """The units of text a PDF of this HTML shows: text outside what is never drawn
    (`display: none` in WeasyPrint's user-agent style sheet, the headings' permalinks),
    images' alternative text, and a `q`'s quotation marks."""

    HIDDEN = frozenset(
        ("head", "script", "style", "template", "title", "noembed", "noframes", "rp",
         "datalist", "select")
    )  # fmt: skip
    VOID = frozenset(
        ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr")
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[Unit] = []
        self._text: list[str] = []  # the run of text, or the cell, being read
        self._hidden: list[str] = []  # the hidden elements open
        self._tables = 0  # tables seen
        self._depth = 0  # tables open
        self._row: Row | None = None
        self._head = False  # in a table's head

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self._hidden or tag in self.HIDDEN or "hidden" in values:
            self._hide(tag)
            return
        if "headerlink" in (values.get("class") or "").split():
            self._hide(tag)
        elif tag == "img":
            self._text.append(f" {values.get('alt') or ''} ")
        elif tag == "q":
            self._text.append(" \u201c")
        elif tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._flush()
                self._tables += 1
        elif self._depth == 1 and tag == "thead":
            self._head = True
        elif self._depth == 1 and tag == "tr":
            self._flush()
            self._row = Row([], self._tables, self._head)
        elif self._depth == 1 and tag in ("td", "th"):
            self._text = []
        else:
            self._text.append(" ")

    def _hide(self, tag: str) -> None:
        if tag not in self.VOID:
            self._hidden.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            if tag in self._hidden:  # (elements left open inside it end with it)
                del self._hidden[len(self._hidden) - self._hidden[::-1].index(tag) - 1 :]
            return
        if tag == "q":
            self._text.append("\u201d ")
        elif tag == "table":
            if self._depth == 1:
                self._end_row()
                self._flush()
            self._depth = max(0, self._depth - 1)
        elif self._depth == 1 and tag == "thead":
            self._head = False
        elif self._depth == 1 and tag in ("td", "th") and self._row is not None:
            self._row.cells.append(chars("".join(self._text)))
            self._text = []
        elif self._depth == 1 and tag == "tr":
            self._end_row()
        else:
            self._text.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._text.append(data)

    def _end_row(self) -> None:
        if self._row is not None:
            self.units.append(self._row)
            self._row = None

    def _flush(self) -> None:
        """End the run of text being read (a table's caption is one of its own)."""
        text = chars("".join(self._text))
        self._text = []
        if not text:
            return
        if self.units and isinstance(self.units[-1], str):
            self.units[-1] += text
        else:
            self.units.append(text)

    def close(self) -> None:
        super().close()
        self._end_row()
        self._flush()


def units(html: str) -> list[Unit]:
    """The units of text of an HTML fragment, in order."""
    parser = _Units()
    parser.feed(html)
    parser.close()
    return parser.units


@dataclass(frozen=True)
class Fragment:
    """What a PDF draws on one line without a gap, and the line it is on."""

    text: str
    line: int

    @property
    def marker(self) -> bool:
        """Whether it is a list's marker, or begins with one."""
        return bool(self.text.split()) and bool(_MARKER.fullmatch(self.text.split()[0]))


def fragments(data: bytes, margins_mm: tuple[float, ...]) -> list[Fragment]:
    """The fragments of a PDF inside its page margins (top, right, bottom, left), in
    reading order (pdfminer.six)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTContainer

    def drawn(item: Any) -> Iterator[LTChar]:
        for child in item:
            if isinstance(child, LTChar):
                yield child
            elif isinstance(child, LTContainer):
                yield from drawn(child)

    top, _, bottom, _ = (m * _MM for m in margins_mm)
    found: list[Fragment] = []
    line = 0
    for page in extract_pages(io.BytesIO(data), laparams=None):
        pieces: list[tuple[Any, str]] = []  # (first character, text)
        first, text, last = None, "", None
        for char in drawn(page):
            if not page.y0 + bottom < (char.y0 + char.y1) / 2 < page.y1 - top:
                continue  # in a margin box
            size = char.size or 1
            if last is not None and (
                abs(char.y0 - last.y0) > size / 2
                or char.x0 < last.x1 - size / 2
                or char.x0 - last.x1 > size / 5
            ):
                pieces.append((first, text))
                first, text = None, ""
            first = first or char
            text += char.get_text()
            last = char
        if text:
            pieces.append((first, text))
        pieces.sort(key=lambda piece: -piece[0].y0)  # top to bottom
        baseline = None
        row: list[tuple[Any, str]] = []
        for piece in [*pieces, None]:
            if (
                piece is None
                or baseline is None
                or (abs(piece[0].y0 - baseline) > (piece[0].size or 1) / 2)
            ):
                for _, words in sorted(row, key=lambda p: p[0].x0):  # left to right
                    found.append(Fragment(words, line))
                line += 1
                row = []
                baseline = piece[0].y0 if piece is not None else None
            if piece is not None:
                row.append(piece)
    return [f for f in found if chars(f.text)]


@dataclass
class _Reading:
    """How far the fragments have spelled the units."""

    units: list[Unit]
    unit: int = 0
    at: list[int] = field(default_factory=lambda: [0])  # in the run, or in each cell
    cell: int = -1  # the last cell taken on the current line
    line: int = -1

    def take(self, fragment: Fragment, text: str) -> bool:
        """Whether `text` (of `fragment`) continues the text: then it is taken."""
        self._next()
        if self.unit >= len(self.units) or not text:
            return False
        unit = self.units[self.unit]
        if isinstance(unit, str):
            if unit.startswith(text, self.at[0]):
                self.at[0] += len(text)
                return True
            return False
        if fragment.line != self.line:
            self.line, self.cell = fragment.line, -1
        cells = range(len(unit.cells))
        for i in sorted(cells, key=lambda i: i <= self.cell):  # left to right on a line
            if unit.cells[i].startswith(text, self.at[i]):
                self.at[i] += len(text)
                self.cell = i
                return True
        return False

    def repeated_header(self, text: str) -> bool:
        """Whether `text` is of a header row of the table being read (a new sheet
        repeats them)."""
        self._next()
        if self.unit >= len(self.units) or isinstance(self.units[self.unit], str):
            return False
        table = self.units[self.unit].table  # type: ignore[union-attr]
        return any(
            isinstance(u, Row) and u.table == table and u.header and text in "".join(u.cells)
            for u in self.units[: self.unit]
        )

    def _next(self) -> None:
        """Past the units spelled whole."""
        while self.unit < len(self.units):
            unit = self.units[self.unit]
            texts = [unit] if isinstance(unit, str) else unit.cells
            if len(self.at) != len(texts):
                self.at = [0] * len(texts)
            if any(at < len(t) for at, t in zip(self.at, texts, strict=True)):
                return
            self.unit, self.at, self.cell = self.unit + 1, [], -1

    def rest(self) -> str:
        """The start of what is still to be spelled ("" when all is)."""
        self._next()
        if self.unit >= len(self.units):
            return ""
        unit = self.units[self.unit]
        texts = [unit] if isinstance(unit, str) else unit.cells
        return next(t[at : at + 40] for at, t in zip(self.at, texts, strict=True) if at < len(t))


def difference(expected: list[Unit], found: list[Fragment], starts: str) -> str | None:
    """Where a copy's fragments (`found`: all of them, the heading and control block
    first) differ from the approved text's units; None when they spell them exactly.
    `starts`: the line that opens the text."""
    opening = next((i for i, f in enumerate(found) if chars(f.text) == chars(starts)), None)
    if opening is None:
        return "the line that opens the approved text is missing"
    reading = _Reading(expected)
    for fragment in found[opening + 1 :]:
        text = chars(fragment.text)
        if reading.take(fragment, text):
            continue
        if fragment.marker:
            rest = chars(" ".join(fragment.text.split()[1:]))
            if not rest or reading.take(fragment, rest):
                continue
        if reading.repeated_header(text):
            continue
        approved = reading.rest() or "(its end)"
        return f"the copy reads «{fragment.text.strip()}» where the approved text has «{approved}…»"
    rest = reading.rest()
    return f"the copy lacks the approved text from «{rest}…»" if rest else None
