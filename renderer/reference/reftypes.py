"""The vocabulary of the format reference: value types, keys and objects, as plain frozen data.

The reference (`docs/format.md`) and the JSON Schemas (`docs/schema/`) are both rendered from
tables written in these terms (`refscene`, `refrig`), and the tables take their key names from the
loaders' own constants, so a key the loader accepts cannot be missing from the documentation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Union


@dataclass(frozen=True)
class Text:
    """A string; `nonempty` refuses blank text (as `Field.str()` does)."""

    nonempty: bool = True
    max_len: int | None = None


@dataclass(frozen=True)
class Name:
    """A string naming something defined elsewhere: `of` says what ("a puppet in puppets/")."""

    of: str


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]


@dataclass(frozen=True)
class Int:
    lo: int | None = None
    hi: int | None = None


@dataclass(frozen=True)
class Number:
    """A finite number in lo..hi; lo is excluded when `lo_open`."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False


@dataclass(frozen=True)
class Bool:
    pass


@dataclass(frozen=True)
class Point:
    """[x, y]: two numbers, each in lo..hi."""

    lo: float | None = None
    hi: float | None = None


@dataclass(frozen=True)
class Colour:
    """"#rrggbb" or "#rgb" (quoted in YAML: an unquoted # starts a comment)."""


@dataclass(frozen=True)
class Null:
    """null: "nothing here" (e.g. a slot that shows no attachment)."""


@dataclass(frozen=True)
class ListOf:
    item: "Type"
    min_len: int = 0
    max_len: int | None = None


@dataclass(frozen=True)
class MapOf:
    """A mapping whose keys the user chooses; `key` says what they name ("cast id")."""

    key: str
    value: "Type"


@dataclass(frozen=True)
class Ref:
    """An object of the table, by its id."""

    id: str


@dataclass(frozen=True)
class AnyOf:
    options: tuple["Type", ...]


Type = Union[Text, Name, Choice, Int, Number, Bool, Point, Colour, Null, ListOf, MapOf, Ref, AnyOf]

NO_DEFAULT = object()


@dataclass(frozen=True)
class Key:
    """One key of an object. `default` is a YAML value when the loader uses a fixed one;
    `default_note` says in words what it uses otherwise ("the cast id", "from the distance")."""

    name: str
    type: Type
    meaning: str
    required: bool = False
    default: Any = NO_DEFAULT
    default_note: str = ""


@dataclass(frozen=True)
class When:
    """A rule over keys: where `key` is one of `values`, `required` must be present and, when
    `only` is given, no key outside it may be (an action's arguments by its verb)."""

    key: str
    values: tuple[str, ...]
    required: tuple[str, ...] = ()
    only: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Obj:
    """A mapping of the format: its keys, and rules the keys alone cannot say.

    one_of: at least one of these keys must be present (an action names its verb with `do` or
    with a shorthand key)."""

    id: str
    title: str
    doc: str
    keys: tuple[Key, ...]
    rules: tuple[When, ...] = ()
    one_of: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)


@dataclass(frozen=True)
class Section:
    """A part of the reference: prose, then the tables of `objs`, then `special` (a table the
    reference builds itself: "verbs", "arguments", "easings", "materials", "limits")."""

    title: str
    text: str
    objs: tuple[str, ...] = ()
    special: str = ""


KeyDoc = tuple  # (type, meaning) or (type, meaning, {"default": ..., "default_note": ...})


def keys_of(names: tuple[str, ...], required: tuple[str, ...],
            docs: Mapping[str, KeyDoc]) -> tuple[Key, ...]:
    """The documented keys of a loader table, in the loader's order.

    names, required: the loader's own constants. docs: key -> (type, meaning[, extras]).
    Raises when a key of the loader is undocumented or a documented key is not the loader's,
    so the reference cannot drift from the loader without failing on import.
    """
    missing = [n for n in names if n not in docs]
    extra = [n for n in docs if n not in names]
    if missing or extra:
        raise ValueError(f"format reference out of step with the loader: undocumented {missing}, "
                         f"not accepted by the loader {extra}")
    out = []
    for name in names:
        type_, meaning, *rest = docs[name]
        extras = rest[0] if rest else {}
        out.append(Key(name, type_, meaning, required=name in required, **extras))
    return tuple(out)


def d(value: Any) -> dict:
    """A fixed default, for the third item of a key's doc."""
    return {"default": value}


def dn(note: str) -> dict:
    """A default said in words, for the third item of a key's doc."""
    return {"default_note": note}
