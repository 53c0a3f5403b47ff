r"""Template placeholders and guidance comments: what a draft may hold and a document in
review or approved may not.

A **placeholder** is a bracketed text a template's skeleton writes, exactly as written
there (`[PRC-ID]`, `[CMDB / configuration register]`, nested ones too), or any document
id placeholder `[XYZ-ID]`. A **guidance comment** is an HTML comment that `new` writes
(:func:`scaffold.guidance_comments`). Both are compared with each run of whitespace as
one space, so a reflowed paragraph still matches.

Never a placeholder: text in code (fenced blocks, code spans); a bracket escaped with a
backslash (`\[PRC-ID]`, which Markdown shows as `[PRC-ID]`); link text and labels
(`[text](url)`, `[text][ref]`, `[text][]`, `[ref]` given a definition `[ref]: url`) and
the definitions themselves. Footnotes (`[^1]`), task-list boxes (`[ ]`, `[x]`) and
admonitions are no template's text, so never match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from . import scaffold
from .policy_templates import PolicyTemplate

#: A document id placeholder, whatever the template: `[PRC-ID]`, `[ISMS-ID]`.
ID_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9]*-ID\]")

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
#: An HTML comment or a code span (a run of backticks, then text up to a run as long,
#: within a paragraph), whichever starts first.
_INLINE = re.compile(
    r"<!--(?P<comment>.*?)-->"
    r"|(?<![`\\])(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`)",
    re.DOTALL,
)
#: A link reference definition, `[label]: url`, at the start of a line.
_DEFINITION = re.compile(r"^[ ]{0,3}\[((?:\\.|[^\\\[\]])+)\]:", re.MULTILINE)
#: What bracket pairing looks at: an escaped character, a bracket, or a blank line.
_BRACKET_TOKEN = re.compile(r"\\.|[\[\]]|\n[ \t]*(?=\n)", re.DOTALL)
#: A task-list box: never a placeholder, even in an organization's template.
_TASK_BOX = re.compile(r"\[[ xX]?\]")
_SHOWN = 60  # characters of a comment named in a message


@dataclass(frozen=True)
class Leftover:
    """A placeholder or guidance comment found in a page's text."""

    line: int  # 1-based, in the text searched
    text: str  # as a message names it
    kind: Literal["placeholder", "comment"]


def of_template(template: PolicyTemplate) -> frozenset[str]:
    """The placeholders a template's skeletons write, whitespace normalized."""
    return _placeholders("\n\n".join(s.skeleton for s in template.sections))


def guidance(templates: Iterable[PolicyTemplate]) -> frozenset[str]:
    """The text of every guidance comment `new` writes (with these templates or none),
    whitespace normalized."""
    found = (_INLINE.fullmatch(c) for c in scaffold.guidance_comments(templates))
    return frozenset(_key(m.group("comment")) for m in found if m is not None)


def leftovers(
    markdown: str, placeholders: frozenset[str], comments: frozenset[str]
) -> list[Leftover]:
    """The placeholders (of `placeholders`, or id placeholders) and guidance comments
    (of `comments`) that `markdown` still holds, in order."""
    text, found = _prose(markdown, comments)
    labels = {_key(m.group(1)).casefold() for m in _DEFINITION.finditer(text)}
    text = _blanked(_DEFINITION, text)
    end = -1
    for start, stop in _spans(text):
        if start < end or _is_link(text, start, stop, labels):
            continue
        key = _key(text[start:stop])
        if key in placeholders or ID_PLACEHOLDER.fullmatch(key):
            found.append(Leftover(_line(text, start), key, "placeholder"))
            end = stop
    return sorted(found, key=lambda f: f.line)


@cache
def _placeholders(skeletons: str) -> frozenset[str]:
    text = _prose(skeletons, frozenset())[0]
    spans = (text[a:b] for a, b in _spans(text) if not _is_link(text, a, b, set()))
    return frozenset(k for k in map(_key, spans) if not _TASK_BOX.fullmatch(k))


def _prose(markdown: str, comments: frozenset[str]) -> tuple[str, list[Leftover]]:
    """The text with code and the guidance comments blanked (lines kept), and those
    comments."""
    text = _without_fences(markdown)
    found = []
    for match in _INLINE.finditer(text):
        comment = match.group("comment")
        if comment is not None and _key(comment) not in comments:
            continue  # the writer's own comment: its text counts
        if comment is not None:
            shown = _key(match.group())
            shown = shown if len(shown) <= _SHOWN else shown[:_SHOWN].rstrip() + "..."
            found.append(Leftover(_line(text, match.start()), shown, "comment"))
        text = _blank(text, *match.span())
    return text, found


def _spans(text: str) -> list[tuple[int, int]]:
    """Every bracketed span (start, end) within a paragraph, outer before inner."""
    opened: list[int] = []
    spans = []
    for token in _BRACKET_TOKEN.finditer(text):
        if token.group() == "[":
            opened.append(token.start())
        elif token.group() == "]":
            if opened:
                spans.append((opened.pop(), token.end()))
        elif token.group().startswith("\n"):
            opened.clear()
    return sorted(spans, key=lambda span: (span[0], -span[1]))


def _is_link(text: str, start: int, stop: int, labels: set[str]) -> bool:
    """Whether a span is link text or a link's label rather than text shown as it is."""
    return (
        text[stop : stop + 1] in ("(", "[")
        or text[start - 1 : start] == "]"
        or text[start + 1 : start + 2] == "^"
        or _key(text[start + 1 : stop - 1]).casefold() in labels
    )


def _without_fences(markdown: str) -> str:
    """The text with every fenced code block blanked (line numbers kept)."""
    lines = markdown.split("\n")
    fence: str | None = None
    for number, line in enumerate(lines):
        marker = _FENCE.match(line)
        if fence is None and (marker is None or _is_code_span(marker, line)):
            continue
        if fence is None and marker is not None:
            fence = marker.group(1)
        elif marker is not None and _closes(marker, fence, line):
            fence = None
        lines[number] = _blank(line, 0, len(line))
    return "\n".join(lines)


def _is_code_span(marker: re.Match[str], line: str) -> bool:
    """A line like ```` ```x``` ````: backticks after the opening run make it a code span."""
    return marker.group(1)[0] == "`" and "`" in line[marker.end() :]


def _closes(marker: re.Match[str], fence: str | None, line: str) -> bool:
    run = marker.group(1)
    closing = fence is not None and run[0] == fence[0] and len(run) >= len(fence)
    return closing and not line[marker.end() :].strip()


def _blanked(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: _blank(m.group(), 0, len(m.group())), text)


def _blank(text: str, start: int, end: int) -> str:
    """`text` with its characters from start to end made spaces (newlines kept)."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _key(text: str) -> str:
    return " ".join(text.split())
