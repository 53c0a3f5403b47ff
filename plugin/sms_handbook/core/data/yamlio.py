"""Safe YAML loading that remembers the line of every key and value.

Mappings load as :class:`LineMap` and sequences as :class:`LineList`; both carry the
1-based lines of their entries. Dates stay as the text written, so JSON Schema can check
them and a bad date is reported at its line rather than crashing the parser. Scalar keys
keep their literal text (`no:` stays "no", not False). Alias bombs, very deep nesting,
duplicate keys, oversized files, numbers too long to be a value of ours and control
characters are refused with a positioned :class:`YamlError`; a message quotes at most a
short excerpt of the text.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..problems import excerpt

#: Largest data file we read; a 1,000-document register is well under 1 MB.
MAX_BYTES = 5 * 1024 * 1024
#: Most nodes a document may expand to once aliases are followed.
MAX_NODES = 1_000_000
#: Deepest nesting of mappings and sequences.
MAX_DEPTH = 64
#: Longest number (in characters) a data file may write: far more than any value of ours
#: needs, far less than Python's limit on reading integers (4,300 digits).
MAX_NUMBER = 64

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(Exception):
    """A file that cannot be loaded; `line` is 1-based."""

    def __init__(self, code: str, line: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.line = line
        self.message = message


class LineMap(dict):
    """A mapping with the line of itself, of each key and of each value."""

    line: int = 1

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}
        self.value_lines: dict[str, int] = {}

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: str) -> int:
        return self.value_lines.get(key, self.key_line(key))


class LineList(list):
    """A sequence with the line of itself and of each item."""

    line: int = 1

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def item_line(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    line_offset = 0

    def _line(self, node: Node) -> int:
        return node.start_mark.line + 1 + self.line_offset


def _construct_mapping(loader: _Loader, node: MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap(loader._line(node))
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise YamlError("wrong-type", loader._line(key_node), "a key must be a plain value")
        key = key_node.value
        if key in result:
            raise YamlError(
                "yaml-duplicate-key",
                loader._line(key_node),
                f"key '{excerpt(key)}' is given twice in this mapping (first on line "
                f"{result.key_lines[key]})",
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = loader._line(key_node)
        result.value_lines[key] = loader._line(value_node)
    return result


def _construct_sequence(loader: _Loader, node: SequenceNode) -> LineList:
    result = LineList(loader._line(node))
    for child in node.value:
        result.append(loader.construct_object(child, deep=True))
        result.item_lines.append(loader._line(child))
    return result


def _construct_timestamp(loader: _Loader, node: ScalarNode) -> str:
    return str(node.value)


def _construct_number(loader: _Loader, node: ScalarNode) -> Any:
    """An integer or a float, unless it is longer than any value of ours (a huge integer
    would take long to read, or fail to: Python refuses more than 4,300 digits)."""
    text = str(node.value)
    if len(text) > MAX_NUMBER:
        raise YamlError(
            "invalid-value",
            loader._line(node),
            f"a number of {len(text):,} characters ('{excerpt(text, 20)}'); numbers here are "
            f"at most {MAX_NUMBER} characters long",
        )
    if node.tag.endswith(":int"):
        return _BaseLoader.construct_yaml_int(loader, node)
    return _BaseLoader.construct_yaml_float(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:omap", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_number)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_number)


def _check_expansion(root: Node, line_offset: int) -> None:
    """Refuse alias bombs and deep nesting without recursing (iterative walk)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, expanded = stack.pop()
        key = id(node)
        if depth > MAX_DEPTH:
            raise YamlError(
                "yaml-too-complex",
                node.start_mark.line + 1 + line_offset,
                f"nesting deeper than {MAX_DEPTH} levels",
            )
        if isinstance(node, ScalarNode):
            sizes[key] = 1
            continue
        children: list[Node] = (
            [n for pair in node.value for n in pair]
            if isinstance(node, MappingNode)
            else list(node.value)
        )
        if expanded:
            sizes[key] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[key] > MAX_NODES:
                raise YamlError(
                    "yaml-too-complex",
                    node.start_mark.line + 1 + line_offset,
                    f"aliases expand to more than {MAX_NODES:,} values",
                )
            continue
        if key in sizes:
            continue
        sizes[key] = 1  # provisional: breaks cycles of recursive aliases
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)


def load_text(text: str, line_offset: int = 0) -> Any:
    """Load one YAML document from text; lines are shifted by `line_offset`."""
    loader = _Loader(text)
    loader.line_offset = line_offset
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, line_offset)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        context = exc.context or ""
        if exc.context_mark is not None and context:
            context += f" (from line {exc.context_mark.line + 1 + line_offset})"
        what = ": ".join(str(p) for p in (exc.problem, context) if p)
        return _raise("yaml-syntax", line, excerpt(what or "invalid YAML", 200))
    except yaml.reader.ReaderError as exc:
        # A control character written as it is (not as an escape such as "\x1b"): YAML
        # refuses it (and the few other code points it does not print, U+FFFE...).
        if not isinstance(exc.character, int):
            return _raise("yaml-syntax", 1 + line_offset, excerpt(exc.reason, 200))
        char = chr(exc.character)
        line = text.count("\n", 0, max(text.find(char), 0)) + 1 + line_offset
        return _raise(
            "control-character",
            line,
            f"the control character {excerpt(char)} (U+{exc.character:04X}) is not allowed; "
            "delete it",
        )
    except yaml.YAMLError as exc:
        return _raise("yaml-syntax", 1 + line_offset, excerpt(str(exc).splitlines()[0], 200))
    except RecursionError:
        return _raise("yaml-too-complex", 1 + line_offset, "nesting too deep to load")
    finally:
        loader.dispose()


def _raise(code: str, line: int, message: str) -> Any:
    raise YamlError(code, line, message)


def decode(data: bytes, *, allow_bom: bool) -> str:
    """Decode UTF-8, refusing other encodings (and a BOM unless allowed)."""
    if data.startswith(b"\xef\xbb\xbf"):
        if not allow_bom:
            raise YamlError(
                "bom", 1, "file starts with a byte-order mark; save it as UTF-8 without BOM"
            )
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlError(
            "not-utf8", line, f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8"
        ) from None


class NotAFile(OSError):
    """A path that is not a regular file (a folder, a FIFO, a device, a socket)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"not a regular file but {kind}")
        self.kind = kind


def file_kind(mode: int) -> str:
    """What a file of this mode is, as a message says it."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file. Anything else raises :class:`NotAFile` without being
    opened (a FIFO would wait for a writer, /dev/zero never ends); with `limit`, a larger
    file raises a `file-too-large` :class:`YamlError` without being read."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotAFile(file_kind(mode))
    # Non-blocking: a file swapped for a FIFO after the check is opened without waiting.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    with open(os.open(path, flags), "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(file_kind(info.st_mode))
        if limit is not None and info.st_size > limit:
            raise YamlError(
                "file-too-large", 1, f"file is {info.st_size:,} bytes; the limit is {limit:,}"
            )
        return stream.read() if limit is None else stream.read(limit + 1)


def load_file_bytes(data: bytes) -> Any:
    """Load a data file's bytes with every guard of this module."""
    if len(data) > MAX_BYTES:
        raise YamlError(
            "file-too-large", 1, f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}"
        )
    return load_text(decode(data, allow_bom=False))


def load_trusted(text: str) -> Any:
    """YAML shipped in the package (catalogues, templates): read fast, without lines."""
    return yaml.load(text, Loader=_BaseLoader)


class _PastLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The C loader, with dates kept as text (a past commit may hold an invalid one)."""


_PastLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)


def load_past_yaml(text: str) -> Any:
    """A past version of a YAML file or front matter block (None when it is not YAML)."""
    try:
        return yaml.load(text, Loader=_PastLoader)
    except (yaml.YAMLError, ValueError):
        return None


def plain(value: Any) -> Any:
    """YAML values as plain comparable data (dates as ISO text)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value
