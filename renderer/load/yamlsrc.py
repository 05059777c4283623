"""Safe, located YAML loading for hand-written scene and puppet files.

PyYAML's SafeLoader composes the document into a node tree (which keeps every position); the values
are then built here, by hand, so that each one remembers where it was written. Only the YAML core
schema is accepted: mappings, lists, strings, integers, floats, booleans and null. Anything else --
custom tags, merge keys, duplicate keys, non-text keys, runaway nesting, alias bombs -- is refused
with a message naming file:line:col.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML without libyaml: the same results, parsed more slowly
    CParser = None

from renderer import settings
from renderer.errors import Location, StopmoError
from renderer.load.yamlerrors import decode, location, location_at, syntax_error

MAX_DEPTH = 64            # nesting levels (a scene needs about 6)
MAX_NODES = 200_000       # values after alias expansion (a long scene has a few thousand)

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ, _MERGE = _CORE + "map", _CORE + "seq", _CORE + "merge"
# Plain scalars that SafeLoader would turn into dates or the odd "=" value stay text here: neither
# is in the core schema, and a title like 2024-01-01 should not become a datetime.
_DROPPED_RESOLVERS = {_CORE + "timestamp", _CORE + "value"}

Value = Union[dict, list, str, int, float, bool, None]


@dataclass(frozen=True)
class Node:
    """One value read from a YAML file, with where it was written.

    value: dict[str, Node] (in file order) | list[Node] | str | int | float | bool | None.
    loc: where the value starts. key_loc: where its key starts, for a mapping's values; else None.
    """

    value: Value
    loc: Location
    key_loc: Location | None = None


class _Refused(Exception):
    """Internal: a refusal raised while composing or building, turned into the caller's error."""

    def __init__(self, message: str, mark=None, path: str = "", hint: str = ""):
        super().__init__(message)
        self.message, self.mark, self.path, self.hint = message, mark, path, hint


class _Ctx:
    """Per-parse building state: the file name, the visit count and a scalar constructor."""

    def __init__(self, filename: str):
        self.filename = filename
        self.count = 0
        self.constructor = SafeConstructor()
        self._locs: dict[int, Location] = {}  # by id(yaml node); aliases revisit the same node

    def loc(self, ynode) -> Location:
        loc = self._locs.get(id(ynode))
        if loc is None:
            loc = self._locs[id(ynode)] = location(self.filename, ynode.start_mark)
        return loc

    def visit(self, ynode, path: str) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Refused(_too_many(), ynode.start_mark, path)


class _Counting(Composer):
    """A composer that bounds depth and the document's size once aliases are expanded.

    Every node's expanded size (values under it, aliases counted in full) is known when it is
    complete, so an alias that would blow the document up is refused where it is written, before
    anything is expanded: a "billion laughs" file costs what its text costs.
    """

    yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in rules if tag not in _DROPPED_RESOLVERS]
        for ch, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def _start_counting(self) -> None:
        self._depth = 0
        self._total = 0                   # values in the document so far, aliases expanded
        self._sizes: dict[int, int] = {}  # id(node) -> its expanded size, once complete
        self._path: list[str] = []

    def _where(self) -> str:
        path = "".join(self._path).lstrip(".")
        return path if len(path) <= 60 else path[:60] + "..."

    def compose_node(self, parent, index):
        if parent is None:
            step = ""
        elif isinstance(index, int):
            step = f"[{index}]"
        elif isinstance(index, ScalarNode):
            step = f".{index.value}"
        else:
            step = ""  # a mapping key
        self._path.append(step)
        self._depth += 1
        try:
            event = self.peek_event()
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nesting is deeper than {MAX_DEPTH} levels", event.start_mark,
                               self._where())
            if isinstance(event, AliasEvent):
                # an alias inside its own anchor has no size yet: the builder refuses it by depth
                anchor = self.anchors.get(event.anchor)
                size = self._sizes.get(id(anchor), 0)
                self._add(size, event.start_mark, f"the alias *{event.anchor} here repeats "
                                                  f"{size} values")
                return super().compose_node(parent, index)
            self._add(1, event.start_mark)
            node = super().compose_node(parent, index)
            size = self._sizes.get
            if isinstance(node, SequenceNode):
                self._sizes[id(node)] = 1 + sum(size(id(c), 0) for c in node.value)
            elif isinstance(node, MappingNode):
                self._sizes[id(node)] = 1 + sum(size(id(k), 0) + size(id(v), 0)
                                                for k, v in node.value)
            else:
                self._sizes[id(node)] = 1
            return node
        finally:
            self._depth -= 1
            self._path.pop()

    def _add(self, values: int, mark, hint: str = "") -> None:
        self._total += values
        if self._total > MAX_NODES:
            raise _Refused(_too_many(), mark, self._where(), hint)


class _PyLoader(_Counting, Reader, Scanner, Parser, SafeConstructor, Resolver):
    """Pure-Python scanning and parsing (when PyYAML was built without libyaml)."""

    def __init__(self, stream: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._start_counting()


if CParser is not None:
    class _CLoader(_Counting, CParser, SafeConstructor, Resolver):
        """libyaml scans and parses (ten times faster); composing stays in Python, counted."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start_counting()

    class _NativeLoader(CParser, Resolver):
        """libyaml composes as well: three times faster, but uncounted (see `_compose_fast`)."""

        yaml_implicit_resolvers = _Counting.yaml_implicit_resolvers

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Resolver.__init__(self)

    _Loader: type = _CLoader
else:
    _Loader = _PyLoader


def _too_many() -> str:
    return f"the document expands to more than {MAX_NODES} values (YAML aliases?)"


def load_yaml(path: Path, error: type[StopmoError], *, display: str | None = None) -> Node:
    """Read and parse one YAML file; every failure is raised as `error` with a location.

    display: the file name to print in messages (default: `path` as given).
    """
    name = str(path) if display is None else display
    limit = settings.MAX_FILE_BYTES
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise error("file not found", Location(name)) from None
    except IsADirectoryError:
        raise error("is a folder, not a file", Location(name)) from None
    except OSError as e:
        raise error(f"cannot read the file: {e.strerror or e}", Location(name)) from None
    if len(data) > limit:
        try:
            size = Path(path).stat().st_size
        except OSError:
            size = 0
        shown = f"{size} bytes" if size > limit else f"more than {limit} bytes"
        raise _too_big(error, name, shown)
    return parse_yaml(data, name, error)


def parse_yaml(text: bytes | str, filename: str, error: type[StopmoError]) -> Node:
    """Parse YAML text (UTF-8 bytes or str) into a located Node tree; `filename` is for messages."""
    limit = settings.MAX_FILE_BYTES
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise _too_big(error, filename, f"{size} bytes")
    if isinstance(text, bytes):
        text = decode(text, filename, error)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise error("the file is empty", Location(filename, 1, 1))
    try:
        root = _compose_fast(text) or _compose(text)
        if root is None:
            raise error("the file is empty", Location(filename, 1, 1),
                        hint="it holds only comments")
        return _build(root, _Ctx(filename), 1, "", None)
    except _Refused as r:
        raise error(r.message, location(filename, r.mark), field=r.path, hint=r.hint) from None
    except yaml.reader.ReaderError as e:
        # libyaml counts the position in UTF-8 bytes, the Python reader in characters
        at = e.position if _Loader is _PyLoader else \
            len(text.encode("utf-8", "surrogatepass")[:e.position].decode("utf-8", "ignore"))
        raise error(f"the file contains a character YAML does not allow (U+{e.character:04X})"
                    if isinstance(e.character, int) else f"unreadable text: {e.reason}",
                    location_at(filename, text, at)) from None
    except yaml.MarkedYAMLError as e:
        raise syntax_error(e, filename, error, text) from None


def _too_big(error: type[StopmoError], filename: str, shown: str) -> StopmoError:
    limit = settings.MAX_FILE_BYTES
    return error(f"file is {shown}; the limit is {limit} bytes ({limit // 2**20} MiB)",
                 Location(filename, 1, 1), hint="scene and puppet files are small; split this one")


def _compose_fast(text: str):
    """The document composed by libyaml alone, or None unless it is valid and plainly within the
    limits; then `_compose` composes it again, counting, to refuse it where the problem is.
    Aliases stay shared nodes here, so even an alias bomb costs only what its text costs."""
    if _Loader is _PyLoader:
        return None
    try:
        root = _NativeLoader(text).get_single_node()
    except yaml.YAMLError:
        return None
    return root if root is not None and _within_limits(root) else None


def _within_limits(root) -> bool:
    """Whether a composed document nests at most MAX_DEPTH deep and expands to at most
    MAX_NODES values, aliases counted in full (each node's expanded size computed once). An
    alias inside its own anchor nests without end, so it fails the depth limit."""
    sizes: dict[int, int] = {}

    def size(node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise OverflowError
        known = sizes.get(id(node))
        if known is None:
            if isinstance(node, ScalarNode):
                known = 1
            elif isinstance(node, SequenceNode):
                known = 1 + sum(size(child, depth + 1) for child in node.value)
            else:
                known = 1 + sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
            if known > MAX_NODES:
                raise OverflowError
            sizes[id(node)] = known
        return known

    try:
        return size(root, 1) <= MAX_NODES
    except OverflowError:
        return False


def _compose(text: str, loader_type: type | None = None):
    loader = (loader_type or _Loader)(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        # Newer libyaml scans a whole flow collection ahead and stops at its own limit of 1000
        # levels before our depth check (64) can name the field: let the Python parser, which
        # reaches our check first, say where.
        if loader_type is None and _Loader is not _PyLoader and \
                "maximum nesting depth" in f"{e.problem} {e.context}":
            return _compose(text, _PyLoader)
        raise
    finally:
        loader.dispose()


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


def _build(ynode, ctx: _Ctx, depth: int, path: str, key_loc: Location | None) -> Node:
    """Build a Node from a composed yaml node, counting every visit (aliases included)."""
    ctx.visit(ynode, path)
    if depth > MAX_DEPTH:
        short = path if len(path) <= 60 else path[:60] + "..."
        raise _Refused(f"nesting is deeper than {MAX_DEPTH} levels", ynode.start_mark, short,
                       hint="is an alias used inside its own anchor?")
    loc = ctx.loc(ynode)
    if isinstance(ynode, ScalarNode):
        return Node(_scalar(ynode, ctx, path), loc, key_loc)
    if isinstance(ynode, SequenceNode):
        if ynode.tag != _SEQ:
            raise _unsupported_tag(ynode, path)
        items = [_build(child, ctx, depth + 1, f"{path}[{i}]", None)
                 for i, child in enumerate(ynode.value)]
        return Node(items, loc, key_loc)
    assert isinstance(ynode, MappingNode)
    if ynode.tag != _MAP:
        raise _unsupported_tag(ynode, path)
    out: dict[str, Node] = {}
    for knode, vnode in ynode.value:
        key = _key(knode, ctx, path)
        klc = ctx.loc(knode)
        if key in out:
            first = out[key].key_loc
            raise _Refused(f"duplicate key '{key}': first on line {first.line}, "
                           f"again on line {klc.line}", knode.start_mark, path,
                           hint="each key may appear once in a mapping")
        child = f"{path}.{key}" if path else key
        out[key] = _build(vnode, ctx, depth + 1, child, klc)
    return Node(out, loc, key_loc)


def _key(knode, ctx: _Ctx, path: str) -> str:
    ctx.visit(knode, path)
    if knode.tag == _MERGE:
        raise _Refused("merge keys ('<<') are not supported", knode.start_mark, path,
                       hint="write the keys out in full")
    if not isinstance(knode, ScalarNode):
        kind = "a list" if isinstance(knode, SequenceNode) else "a mapping"
        raise _Refused(f"a key must be text, found {kind}", knode.start_mark, path)
    value = _scalar(knode, ctx, path)
    if not isinstance(value, str):
        hint = f"put the key in quotes, '{knode.value}':"
        if isinstance(value, bool):
            hint = "YAML reads yes/no/on/off as true/false: " + hint
        raise _Refused(f"a key must be text, found {knode.value or 'null'} "
                       f"({_KIND[type(value)]})", knode.start_mark, path, hint=hint)
    return value


_KIND = {bool: "a boolean", int: "an integer", float: "a number", type(None): "null", str: "text"}
_SCALARS = {_STR: SafeConstructor.construct_yaml_str, _INT: SafeConstructor.construct_yaml_int,
            _FLOAT: SafeConstructor.construct_yaml_float,
            _BOOL: SafeConstructor.construct_yaml_bool,
            _NULL: SafeConstructor.construct_yaml_null}


def _scalar(ynode: ScalarNode, ctx: _Ctx, path: str):
    if ynode.tag == _STR:
        return ynode.value  # what construct_yaml_str returns, without its overhead
    if ynode.tag in (_INT, _FLOAT) and not ynode.style:   # plain, not quoted
        core = _core_number(ynode.value)
        if core is not None:
            return core
    make = _SCALARS.get(ynode.tag)
    if make is None:
        raise _unsupported_tag(ynode, path)
    try:
        return make(ctx.constructor, ynode)
    except (ValueError, KeyError, TypeError):
        raise _Refused(f"cannot read '{ynode.value}' as {_tag_name(ynode.tag)}",
                       ynode.start_mark, path) from None


def _core_number(text: str) -> int | str | None:
    """What the core schema (YAML 1.2) makes of a plain number that YAML 1.1 reads otherwise:
    `1:30` is text, not 90 (sexagesimal), and `010` is ten, not eight (octal); `0b101` is
    text. None for every other number, which both read alike."""
    digits = text.lstrip("+-")
    if ":" in text or digits[:2] in ("0b", "0B"):
        return text
    if len(digits) > 1 and digits[0] == "0" and digits.replace("_", "").isdigit():
        return int(text.replace("_", ""), 10)
    return None


def _unsupported_tag(ynode, path: str) -> _Refused:
    return _Refused(f"unsupported YAML tag {_tag_name(ynode.tag)}", ynode.start_mark, path,
                    hint="only plain mappings, lists, text, numbers, true/false and null "
                         "are allowed")
