"""A validation cursor over a located YAML tree that names the field path in every error.

    root = Field(load_yaml(path, SceneError), "", SceneError)
    scene = root.mapping(allowed={"scene", "shots", ...}, required={"scene", "shots"})
    for shot in scene["shots"].list(min_len=1):
        duration = shot.mapping(SHOT_KEYS)["duration"].number(0, 120, lo_open=True)

Paths: a mapping's child is `parent.key` (just `key` at the root); a list's item is `parent[i]`,
with i counted from 0. The root's path is "" and its errors name no field. Every failure raises
the `error` class given, with the value's file:line:col, its path, what was expected and what was
found, and a "did you mean" for near-miss names.
"""
from __future__ import annotations

import math
import re
from typing import Collection, Iterator, NoReturn, Sequence

from renderer.errors import LIST_ALL, Location, StopmoError, closest, listing
from renderer.load.yamlsrc import Node

_FOUND_MAX = 40          # characters of a found value shown in a message
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

Number = int | float


def _child_path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def describe(value) -> str:
    """A short human description of a YAML value for "found ..." (YAML spellings, 40 chars)."""
    if isinstance(value, dict):
        return "an empty mapping" if not value else "a mapping"
    if isinstance(value, list):
        n = len(value)
        return "an empty list" if n == 0 else f"a list of {n} item{'s' if n != 1 else ''}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if not text.strip():
        return "an empty string" if not text else f'"{text}" (only spaces)'
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if len(quoted) > _FOUND_MAX:
        quoted = quoted[:_FOUND_MAX - 3] + "..."
    return f'"{quoted}"'


def _fmt(x: Number) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _range_text(lo: Number | None, hi: Number | None, lo_open: bool = False) -> str:
    """' in 0..10', ' > 0', ' >= 1 and <= 5'... ('' when unbounded)."""
    if lo is not None and hi is not None and not lo_open:
        return f" in {_fmt(lo)}..{_fmt(hi)}"
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '>='} {_fmt(lo)}")
    if hi is not None:
        parts.append(f"<= {_fmt(hi)}")
    return (" " + " and ".join(parts)) if parts else ""


def _suggest(word: str, known: Collection[str]) -> str:
    """'did you mean 'x'?' for a close match, else '' ."""
    close = closest(word, known)
    return f"did you mean '{close}'?" if close else ""


def _listing(word: str, names: Collection[str], listed_by: str = "") -> str:
    """`names` sorted for a hint: all of them when short, else those nearest `word` first
    (`errors.listing`)."""
    return listing(word, sorted(str(n) for n in names), listed_by)


class Field:
    """A cursor on one value: validates its type and range, and knows its path and location.

    path: e.g. "shots[1].action[0].to" (list indices count from 0). loc: where the value starts.
    """

    __slots__ = ("node", "path", "loc", "error")

    def __init__(self, node: Node, path: str, error: type[StopmoError]):
        self.node = node
        self.path = path
        self.loc: Location = node.loc
        self.error = error

    def __repr__(self) -> str:
        return f"Field({self.path or '<root>'} at {self.loc})"

    @property
    def value(self):
        """The raw value: dict[str, Node] | list[Node] | str | int | float | bool | None."""
        return self.node.value

    @property
    def is_null(self) -> bool:
        return self.node.value is None

    def is_mapping(self) -> bool:
        return isinstance(self.node.value, dict)

    def is_list(self) -> bool:
        return isinstance(self.node.value, list)

    # -- errors ---------------------------------------------------------------------------------

    def fail(self, expected: str, found: str | None = None, hint: str = "") -> NoReturn:
        """Raise "expected <expected>, found <found>" at this value; found defaults to its value."""
        if found is None:
            found = describe(self.node.value)
        raise self.error(f"expected {expected}, found {found}", self.loc, field=self.path,
                         hint=hint)

    def _raise(self, message: str, where: Location | None = None, hint: str = "") -> NoReturn:
        raise self.error(message, where or self.loc, field=self.path, hint=hint)

    def _text_hint(self) -> str:
        """Why a number or boolean field holds text, when it is a likely YAML surprise."""
        v = self.node.value
        if isinstance(v, str):
            try:
                float(v)
            except ValueError:
                return ""
            if "e" in v.lower() and "." not in v:  # YAML 1.1 reads 1e3 as text, 1.0e+3 as a number
                return "this is text: write exponents with a decimal point and a sign (1.0e+3)"
            return "this is text: write the number without quotes"
        return ""

    # -- containers -----------------------------------------------------------------------------

    def mapping(self, allowed: Collection[str], required: Collection[str] = ()) -> "Mapping":
        """This value as a mapping whose keys are among `allowed`, with every `required` key."""
        m = self.dict()
        for key, node in m.node_items():
            if key not in allowed:
                hint = _suggest(key, allowed) or f"expected one of: {_listing(key, allowed)}"
                self._raise(f"unknown field '{key}'", node.key_loc, hint=hint)
        for key in required:
            if key not in m:
                self._raise(f"missing field '{key}'")
        return m

    def dict(self) -> "Mapping":
        """This value as a mapping with any (user-chosen) text keys, in file order."""
        if not isinstance(self.node.value, dict):
            hint = ""
            if self.node.value is None:
                hint = "give it entries, or {} for none"
            elif not self.path:
                hint = "the file holds 'key: value' lines at the top level"
            self.fail("a mapping (key: value entries)", hint=hint)
        return Mapping(self.node, self.path, self.error)

    def list(self, min_len: int = 0, max_len: int | None = None) -> list["Field"]:
        """This value as a list of Fields (paths `parent[i]`, i from 0), with a length check."""
        v = self.node.value
        if not isinstance(v, list):
            self.fail("a list")
        if len(v) < min_len or (max_len is not None and len(v) > max_len):
            if max_len is None:
                want = f"at least {min_len}"
            elif min_len == max_len:
                want = f"exactly {min_len}"
            elif min_len == 0:
                want = f"at most {max_len}"
            else:
                want = f"{min_len} to {max_len}"
            self.fail(f"a list of {want} item{'s' if (max_len or min_len) != 1 else ''}")
        return [Field(n, f"{self.path}[{i}]", self.error) for i, n in enumerate(v)]

    # -- scalars --------------------------------------------------------------------------------

    def str(self, nonempty: bool = True) -> str:
        """This value as text; with nonempty, blank text is refused."""
        v = self.node.value
        if not isinstance(v, str):
            hint = "put it in quotes to make it text" if v is not None and not isinstance(
                v, (dict, list)) else ""
            self.fail("a non-empty string" if nonempty else "a string", hint=hint)
        if nonempty and not v.strip():
            self.fail("a non-empty string")
        return v

    def name(self, known: Collection[str], what: str, listed_by: str = "") -> str:
        """Text that must be one of `known`; `what` names the kind in messages: "puppet", or with
        its owner, "face of coraline" ("coraline has no face 'hapy'"). `listed_by`: the command
        that lists them all, named when there are too many to list in the hint."""
        v = self.str()
        if v not in known:
            kind, _, owner = what.partition(" of ")
            message = f"{owner} has no {kind} '{v}'" if owner else f"unknown {kind} '{v}'"
            if not known:
                self._raise(message, hint=f"no {kind}s are defined")
            names = f"{owner}'s {kind}s" if owner else f"known {kind}s"
            order = ", nearest first" if len(known) > LIST_ALL else ""
            self._raise(message, hint=_suggest(v, known)
                        or f"{names}{order}: {_listing(v, known, listed_by)}")
        return v

    def choice(self, options: Sequence[str]) -> str:
        """Text that must be one of `options` (a fixed vocabulary such as easing names)."""
        v = self.node.value
        listing = ", ".join(options)
        if not isinstance(v, str) or v not in options:
            hint = _suggest(v, options) if isinstance(v, str) else ""
            self.fail(f"one of: {listing}", hint=hint)
        return v

    def int(self, lo: int | None = None, hi: int | None = None) -> int:
        """A whole number (true/false and 3.0 are not integers) in lo..hi inclusive."""
        v = self.node.value
        rng = _range_text(lo, hi)
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(f"an integer{rng}", hint=self._text_hint())
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            self.fail(f"an integer{rng}")
        return v

    def number(self, lo: Number | None = None, hi: Number | None = None, *,
               lo_open: bool = False, limit: str = "") -> float:
        """A finite int or float in lo..hi (lo exclusive when lo_open), returned as float.

        limit: the hint given when the value is above `hi` because `hi` is a resource limit
        (e.g. "a shot is at most 120 s; split it into shorter shots").
        """
        v = self.node.value
        rng = _range_text(lo, hi, lo_open)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(f"a number{rng}", hint=self._text_hint())
        x = float(v)
        if not math.isfinite(x):
            self.fail("a finite number")
        if lo is not None and (x <= lo if lo_open else x < lo):
            self.fail(f"a number{rng}")
        if hi is not None and x > hi:
            self.fail(f"a number{rng}", hint=limit)
        return x

    def bool(self) -> bool:
        """true or false (YAML 1.1 also reads yes/no/on/off)."""
        v = self.node.value
        if not isinstance(v, bool):
            self.fail("true or false")
        return v

    def vec2(self, lo: Number | None = None, hi: Number | None = None) -> tuple[float, float]:
        """An [x, y] list of two finite numbers, each in lo..hi (stage units, as the caller says)."""
        items = self.node.value
        if not isinstance(items, list) or len(items) != 2:
            self.fail("a list of two numbers [x, y]")
        x, y = self.list()
        return x.number(lo, hi), y.number(lo, hi)

    def color(self) -> tuple[int, int, int]:
        """A "#rrggbb" or "#rgb" string as (r, g, b), each 0..255."""
        v = self.node.value
        if v is None:
            self.fail("a colour such as '#ff8800'", hint="put the colour in quotes: an unquoted "
                      "# starts a YAML comment")
        if not isinstance(v, str) or not _HEX.fullmatch(v.strip()):
            self.fail("a colour '#rrggbb' or '#rgb'")
        digits = v.strip()[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


class Mapping:
    """A validated mapping: children by key as Fields, in file order."""

    __slots__ = ("node", "path", "loc", "error")

    def __init__(self, node: Node, path: str, error: type[StopmoError]):
        assert isinstance(node.value, dict)
        self.node = node
        self.path = path
        self.loc: Location = node.loc
        self.error = error

    def __repr__(self) -> str:
        return f"Mapping({self.path or '<root>'} at {self.loc})"

    def __contains__(self, key: object) -> bool:
        return key in self.node.value

    def __len__(self) -> int:
        return len(self.node.value)

    def node_items(self) -> Iterator[tuple[str, Node]]:
        return iter(self.node.value.items())

    def get(self, key: str) -> Field | None:
        """The child Field for `key`, or None when the key is absent."""
        node = self.node.value.get(key)
        return None if node is None else Field(node, _child_path(self.path, key), self.error)

    def __getitem__(self, key: str) -> Field:
        """The child Field for a required `key`; "missing field" at this mapping when absent."""
        f = self.get(key)
        if f is None:
            raise self.error(f"missing field '{key}'", self.loc, field=self.path)
        return f

    def items(self) -> Iterator[tuple[str, Field]]:
        """(key, Field) pairs in file order."""
        for key, node in self.node.value.items():
            yield key, Field(node, _child_path(self.path, key), self.error)

    def keys(self) -> list[str]:
        return list(self.node.value)
