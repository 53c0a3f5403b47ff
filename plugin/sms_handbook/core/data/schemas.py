"""JSON Schema validation of data files, reported as positioned problems.

The schemas ship in `sms_handbook/schemas/` so editors (yaml-language-server) can
offer completion and the same files drive `check` and the build. jsonschema is loaded
when a value is first checked.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterator, Sequence
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from ..problems import Problem, did_you_mean, excerpt
from .yamlio import LineList, LineMap

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

SCHEMA_NAMES = (
    "common", "document", "documents", "policies", "organization", "phases", "policy-template",
    "disposals", "assessments", "project", "risks", "nonconformities", "actions",
    "management-reviews",
)  # fmt: skip


@cache
def _texts() -> dict[str, bytes]:
    folder = files("sms_handbook") / "schemas"
    return {
        f"{name}.schema.json": (folder / f"{name}.schema.json").read_bytes()
        for name in SCHEMA_NAMES
    }


@cache
def _schemas() -> dict[str, Any]:
    return {name: json.loads(text) for name, text in _texts().items()}


def _inline(node: Any, base: str) -> Any:
    """The schema with every `$ref` replaced by what it points to (ours never recurse).

    Validating against the inlined schema skips reference resolution on every value,
    which is most of the cost of validating a 1,000-document register.
    """
    if isinstance(node, list):
        return [_inline(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target, _, pointer = node["$ref"].partition("#")
        target = target or base
        found: Any = _schemas()[target]
        for part in filter(None, pointer.split("/")):
            found = found[part]
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return _inline({**found, **rest}, target)
    return {k: (v if k == "$defs" else _inline(v, base)) for k, v in node.items()}


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator for `<name>.schema.json`, references inlined. A whole number is an
    int: `12.0` is not one (JSON Schema would take it, and a count of months with it)."""
    from jsonschema import Draft202012Validator, FormatChecker, validators

    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
    )
    strict = validators.extend(Draft202012Validator, type_checker=checker)
    schema = _inline(_schemas()[f"{name}.schema.json"], f"{name}.schema.json")
    return strict(schema, format_checker=FormatChecker())  # type: ignore[no-any-return]


def check(name: str, instance: Any, path: str) -> list[Problem]:
    """Validate `instance` (as loaded by yamlio) against a schema; one problem per
    finding."""
    problems: list[Problem] = []
    for error in validator(name).iter_errors(instance):
        problems.extend(_translate(error, instance, path))
    return problems


def line_of(root: Any, data_path: Sequence[Any], *, key: bool = False) -> int:
    """The line of the value (or, with `key`, the key) at `data_path` under `root`."""
    node, line = root, getattr(root, "line", 1)
    for i, part in enumerate(data_path):
        last = i == len(data_path) - 1
        if isinstance(node, LineMap) and part in node:
            line = node.key_line(part) if (key and last) else node.value_line(part)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and part < len(node):
            line = node.item_line(part)
            node = node[part]
        else:
            break
    return line


def _field(data_path: Sequence[Any]) -> str:
    names = [p for p in data_path if isinstance(p, str)]
    return excerpt(names[-1]) if names else "value"


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"the number {excerpt(value)}"
    if isinstance(value, str):
        return f"the text '{excerpt(value)}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


#: The dates a handbook may give (common.schema.json#/$defs/date says the same).
FIRST_DATE, LAST_DATE = "1900-01-01", "2999-12-31"
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "object": "a mapping of keys to values",
    "array": "a list",
    "boolean": "true or false",
}


def _translate(error: ValidationError, root: Any, path: str) -> Iterator[Problem]:
    data_path = list(error.absolute_path)
    field = _field(data_path)
    value = error.instance
    kind = error.validator

    def problem(code: str, message: str, at: Sequence[Any] = data_path, key: bool = False):
        return Problem(path, line_of(root, at, key=key), "error", code, message)

    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = list(error.schema.get("properties", {}))
        for name in value:
            if name not in allowed:
                hint = did_you_mean(name, allowed) or f" (allowed: {', '.join(allowed)})"
                yield problem(
                    "unknown-key", f"unknown key '{excerpt(name)}'{hint}", [*data_path, name], True
                )
    elif kind == "required" and isinstance(value, dict):
        for name in error.validator_value:
            if name not in value:
                where = f" in {field}" if data_path else ""
                yield problem("missing-key", f"missing required key '{name}'{where}")
    elif kind == "type":
        expected = error.validator_value
        wanted = _TYPE_NAMES.get(expected, str(expected)) if isinstance(expected, str) else expected
        hint = ""
        if expected == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
            hint = f'; write it in quotes: "{excerpt(value)}"'
        if expected == "string" and isinstance(value, bool):
            hint = "; write it in quotes"
        code = "wrong-shape" if not data_path else "wrong-type"
        what = "the file" if not data_path else field
        yield problem(code, f"{what} must be {wanted}, not {_describe(value)}{hint}")
    elif kind == "enum":
        choices = error.validator_value
        yield problem(
            "invalid-value",
            f"{field}: '{excerpt(value)}' is not allowed{did_you_mean(value, choices)}; "
            f"use one of: {', '.join(map(str, choices))}",
        )
    elif kind in ("pattern", "format") and error.schema.get("format") == "date":
        if isinstance(value, str) and _DATE_SHAPE.fullmatch(value) and _real_date(value):
            yield problem(
                "invalid-date",
                f"{field}: {value} is out of range; dates run from {FIRST_DATE} to {LAST_DATE}",
            )
        else:
            yield problem(
                "invalid-date", f"{field}: '{excerpt(value)}' is not a valid date; write YYYY-MM-DD"
            )
    elif kind == "pattern":
        described = error.schema.get("description", "")
        yield problem(
            "invalid-value", f"{field}: '{excerpt(value)}' is not valid. {described}".rstrip()
        )
    elif kind == "propertyNames":
        yield problem(
            "invalid-value", f"key '{excerpt(value)}' may use only letters, digits, '.', '-', '_'"
        )
    elif kind == "minLength":
        yield problem("invalid-value", f"{field} must not be empty")
    elif kind in ("minItems", "minProperties"):
        yield problem("invalid-value", f"{field} must have at least {error.validator_value} entry")
    elif kind == "uniqueItems":
        yield problem("invalid-value", f"{field} lists the same value twice")
    elif kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        yield problem("invalid-value", f"{field} must be {bound} {error.validator_value}")
    elif kind == "format":
        yield problem(
            "invalid-value", f"{field}: '{excerpt(value)}' is not a valid {error.validator_value}"
        )
    else:  # jsonschema's own words quote the value whole
        yield problem("invalid-value", f"{field}: {excerpt(error.message, 200)}")


def _real_date(text: str) -> bool:
    """Whether YYYY-MM-DD text is a day of the calendar (whatever its year)."""
    year, month, day = (int(part) for part in text.split("-"))
    if not (1 <= month <= 12 and day >= 1):
        return False
    return day <= calendar.monthrange(max(year, 1), month)[1]
