"""Indented JSON text, fast, and byte for byte what the json module writes.

Pure: a value in, text out. ``json.dumps(value, ensure_ascii=False, indent=2)``
is what every ``--json`` output prints, but with ``indent`` CPython's json module
leaves its C encoder for a pure-Python one that yields every token through
nested generators; for a large vault's agenda that costs a noticeable part of
the run. ``dumps`` walks dicts and lists itself, joins each container's pieces
once, and hands every string to the string encoder the json module uses (its
C one in CPython).

It handles the values mdfollow emits: dicts with str keys, lists, tuples, str,
int, bool, None and float, each of exactly that type. Anything else anywhere in
the value (another key type, a subclass, a date, a circular or very deep value)
sends the whole value to ``json.dumps`` itself, so the answer, or the error, is
always exactly the json module's.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # c_encode_basestring when _json is built
from typing import Any

INDENT = "  "
# Deeper than this, json.dumps writes the value: it spends a frame or two more
# than this module does, so only by deferring can a value too deep for it (a
# RecursionError) never come out as text here.
MAX_DEPTH = 100
_NEWLINES = ["\n" + INDENT * level for level in range(MAX_DEPTH + 2)]
_SEPARATORS = ["," + newline for newline in _NEWLINES]
_INFINITY = float("inf")


def dumps(value: Any) -> str:
    """Return ``json.dumps(value, ensure_ascii=False, indent=2)``, computed faster."""
    try:
        return _encode(value, 0, {})
    except (TypeError, RecursionError):  # a value not written here (raised below), or too deep
        return json.dumps(value, ensure_ascii=False, indent=2)


def _float(value: float) -> str:
    # As json.encoder's floatstr with allow_nan=True.
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return _float(value)
    raise TypeError


def _encode(value: Any, level: int, heads: dict[str, str]) -> str:
    """The text of ``value`` nested ``level`` deep; ``heads`` caches each key's ``"key": ``."""
    if level > MAX_DEPTH:
        raise TypeError
    kind = type(value)
    encode = encode_basestring
    if kind is dict:
        if not value:
            return "{}"
        inner = level + 1
        parts: list[str] = []
        append = parts.append
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError
            head = heads.get(key)
            if head is None:
                head = heads[key] = encode(key) + ": "
            item_kind = type(item)
            if item_kind is str:
                append(head + encode(item))
            elif item_kind is dict or item_kind is list or item_kind is tuple:
                append(head + _encode(item, inner, heads))
            else:
                append(head + _scalar(item))
        return "{" + _NEWLINES[inner] + _SEPARATORS[inner].join(parts) + _NEWLINES[level] + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = level + 1
        parts = []
        append = parts.append
        for item in value:
            item_kind = type(item)
            if item_kind is str:
                append(encode(item))
            elif item_kind is dict or item_kind is list or item_kind is tuple:
                append(_encode(item, inner, heads))
            else:
                append(_scalar(item))
        return "[" + _NEWLINES[inner] + _SEPARATORS[inner].join(parts) + _NEWLINES[level] + "]"
    return _scalar(value)
