"""JSON Schemas (draft 2020-12) of scene, set, puppet and sequence files, rendered from the
format reference's tables (`refscene`, `refrig`), for editors that check YAML as you type.

A schema says what a value's shape may be; what needs the project (does this puppet exist, does
it have that pose, does the action end inside its shot) is left to `stopmo validate`.
"""
from __future__ import annotations

from renderer.reference.reftypes import (
    NO_DEFAULT,
    AnyOf,
    Bool,
    Choice,
    Colour,
    Int,
    Key,
    ListOf,
    MapOf,
    Name,
    Null,
    Number,
    Obj,
    Point,
    Ref,
    Text,
    Type,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
COLOUR_PATTERN = r"^\s*#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})\s*$"
NOT_BLANK = r"\S"
# file kind -> the object at the file's top level
ROOTS = {"scene": "scene", "set": "set", "puppet": "puppet", "sequence": "sequence"}


def _number(lo, hi, lo_open: bool = False, integer: bool = False) -> dict:
    out: dict = {"type": "integer" if integer else "number"}
    if lo is not None:
        out["exclusiveMinimum" if lo_open else "minimum"] = lo
    if hi is not None:
        out["maximum"] = hi
    return out


def _text(nonempty: bool, max_len: int | None = None) -> dict:
    out: dict = {"type": "string"}
    if nonempty:
        out["pattern"] = NOT_BLANK
    if max_len is not None:
        out["maxLength"] = max_len
    return out


def type_schema(t: Type) -> dict:
    """The schema of one value type."""
    match t:
        case Text():
            return _text(t.nonempty, t.max_len)
        case Name():
            return {**_text(True), "description": f"The name of {t.of}."}
        case Choice():
            return {"enum": list(t.options)}
        case Int():
            return _number(t.lo, t.hi, integer=True)
        case Number():
            return _number(t.lo, t.hi, t.lo_open)
        case Bool():
            return {"type": "boolean"}
        case Point():
            return {"type": "array", "items": _number(t.lo, t.hi), "minItems": 2, "maxItems": 2}
        case Colour():
            return {"type": "string", "pattern": COLOUR_PATTERN}
        case Null():
            return {"type": "null"}
        case ListOf():
            out = {"type": "array", "items": type_schema(t.item)}
            if t.min_len:
                out["minItems"] = t.min_len
            if t.max_len is not None:
                out["maxItems"] = t.max_len
            return out
        case MapOf():
            return {"type": "object", "additionalProperties": type_schema(t.value)}
        case Ref():
            return {"$ref": f"#/$defs/{t.id}"}
        case AnyOf():
            return {"anyOf": [type_schema(o) for o in t.options]}
    raise TypeError(f"no schema for {t!r}")


def _key_schema(key: Key) -> dict:
    out = type_schema(key.type)
    text = key.meaning + (f" Default: {key.default_note}." if key.default_note else "")
    out = {**out, "description": text}   # 2020-12 reads keywords beside a $ref too
    if key.default is not NO_DEFAULT:
        out["default"] = key.default
    return out


def obj_schema(obj: Obj) -> dict:
    """An object: its keys and no others, the required ones, and its rules."""
    out: dict = {"type": "object", "title": obj.title, "description": obj.doc,
                 "properties": {k.name: _key_schema(k) for k in obj.keys},
                 "additionalProperties": False}
    required = [k.name for k in obj.keys if k.required]
    if required:
        out["required"] = required
    rules = []
    for rule in obj.rules:
        then: dict = {}
        if rule.required:
            then["required"] = list(rule.required)
        if rule.only is not None:
            then["propertyNames"] = {"enum": list(rule.only)}
        rules.append({"if": {"properties": {rule.key: {"enum": list(rule.values)}},
                             "required": [rule.key]}, "then": then})
    if obj.one_of:
        rules.append({"anyOf": [{"required": [k]} for k in obj.one_of]})
    if rules:
        out["allOf"] = rules
    return out


def _reachable(root: str, table: dict[str, Obj]) -> list[str]:
    """Object ids a file of `root` can contain, in the table's order."""
    seen: set[str] = set()
    todo = [root]

    def refs(t: Type):
        match t:
            case Ref():
                yield t.id
            case ListOf():
                yield from refs(t.item)
            case MapOf():
                yield from refs(t.value)
            case AnyOf():
                for o in t.options:
                    yield from refs(o)

    while todo:
        oid = todo.pop()
        if oid not in seen:
            seen.add(oid)
            todo.extend(r for k in table[oid].keys for r in refs(k.type))
    return [oid for oid in table if oid in seen]


def file_schema(kind: str, table: dict[str, Obj]) -> dict:
    """The schema of one kind of file ("scene", "set", "puppet", "sequence")."""
    root = table[ROOTS[kind]]
    defs = {oid: obj_schema(table[oid]) for oid in _reachable(root.id, table) if oid != root.id}
    out = {"$schema": DIALECT, **obj_schema(root)}
    if defs:
        out["$defs"] = defs
    return out
