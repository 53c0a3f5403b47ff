"""Stable keys: the digest of a value's canonical JSON, the same in every process.

A value is made plain first: mappings, sequences and sets as JSON objects and arrays
(sets sorted), dataclasses by their fields, paths and dates as text, a function or a
class by its qualified name (with what a `functools.partial` or a closure binds), a
Markdown extension object by its configs. Any other object is its type and `repr`: one
whose `repr` shows an address is a new key in each process, never a false match.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import types
from collections.abc import Mapping
from datetime import date, time
from enum import Enum
from pathlib import PurePath
from typing import Any

_TAG = "!"  # the key under which a non-JSON value's kind is written


def stable_key(value: Any) -> str:
    """The SHA-256 of the value's canonical JSON (see the module), in hex."""
    return hashlib.sha256(canonical(value).encode("ascii")).hexdigest()


def canonical(value: Any) -> str:
    """The value as compact JSON with sorted keys, in ASCII (see the module)."""
    return json.dumps(_plain(value, ()), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _plain(value: Any, seen: tuple[int, ...]) -> Any:
    """The value as JSON's plain values; `seen`: the containers it is inside."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if id(value) in seen:
        return {_TAG: "cycle"}
    inside = (*seen, id(value))
    if isinstance(value, Mapping):
        return {
            k if isinstance(k, str) else canonical(k): _plain(v, inside) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(v, inside) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(v, inside) for v in value), key=canonical)
    if isinstance(value, bytes):
        return {_TAG: "bytes", "hex": value.hex()}
    if isinstance(value, Enum):
        return {_TAG: _name(type(value)), "name": value.name}
    if isinstance(value, PurePath | date | time):
        return {_TAG: _name(type(value)), "text": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _plain(getattr(value, f.name), inside) for f in dataclasses.fields(value)}
        return {_TAG: _name(type(value)), **fields}
    if isinstance(value, functools.partial):
        bound = {"args": value.args, "keywords": value.keywords}
        return {_TAG: "partial", "func": _plain(value.func, inside), **_plain(bound, inside)}
    if isinstance(value, types.FunctionType):
        binds = [value.__defaults__, value.__kwdefaults__]
        binds += [_contents(cell) for cell in value.__closure__ or ()]
        return {_TAG: _name(value), "binds": _plain(binds, inside)}
    if isinstance(value, types.MethodType):
        return {_TAG: _name(value), "self": _plain(value.__self__, inside)}
    if isinstance(value, type | types.BuiltinFunctionType):
        return {_TAG: _name(value)}
    configs = getattr(value, "getConfigs", None)  # a Markdown extension given as an object
    if callable(configs):
        return {_TAG: _name(type(value)), "configs": _plain(configs(), inside)}
    return {_TAG: _name(type(value)), "repr": repr(value)}


def _contents(cell: types.CellType) -> Any:
    """What a closure's cell holds (a marker for one not yet filled)."""
    try:
        return cell.cell_contents
    except ValueError:
        return {_TAG: "empty"}


def _name(thing: Any) -> str:
    """A function's or a class's qualified name, with its module."""
    return f"{getattr(thing, '__module__', None)}.{getattr(thing, '__qualname__', '?')}"
