"""No module-level mutable state in renderer/: what a render remembers belongs to the render.

A memo kept by a module outlives the render that filled it, is shared by every render in the
process and has to be reset by tests; a render's memory is its plan's (`Paintings`, `StageMemo`),
the paint cache on disk is a `PaintStore` handed down, and values made once from constants are
constants. This scan of the package's source keeps it so. It finds:

- `functools.lru_cache` and `functools.cache`, however imported or applied;
- a `global` statement in a function;
- a name bound at module level that a function changes: an item or attribute stored or
  deleted (`CACHE[key] = value`, `del CACHE[key]`, `STATE.x = 1`), a mutating method called
  (`CACHE.update(...)`, `SEEN.add(...)`, `QUEUE.append(...)`, ...) or `setattr(STATE, ...)`.

What a module does to its own names while it is imported (a table filled in a loop) is not
state; neither is a `cached_property`, which lives and dies with its instance.
"""
from __future__ import annotations

import ast
import textwrap

import pytest
from conftest import REPO

PACKAGE = REPO / "renderer"
MEMOS = {"lru_cache", "cache"}      # functools' process-wide memos
MUTATORS = {"append", "extend", "insert", "remove", "pop", "popitem", "clear", "update",
            "setdefault", "add", "discard", "sort", "reverse", "move_to_end", "appendleft",
            "popleft", "extendleft", "put", "fill", "resize", "itemset", "__setitem__"}


def _module_names(tree: ast.Module) -> set[str]:
    """Names bound by assignments at the top level of the module (not imports or defs)."""
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for target in targets:
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _locals(fn: ast.AST) -> set[str]:
    """Names a function binds itself (arguments and assignments): not the module's."""
    names = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    names.update(a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg))
    return names


def _root_name(node: ast.AST) -> str | None:
    """`CACHE` of `CACHE[k]`, `CACHE.x` or `CACHE[k].y`."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def findings(source: str, where: str = "<source>") -> list[str]:
    """Each piece of module-level mutable state in a module's `source`, as `where:line: what`."""
    tree = ast.parse(source)
    found = []
    functools_names = {"functools"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            functools_names.update(a.asname or a.name for a in node.names if a.name == "functools")
        if isinstance(node, ast.ImportFrom) and node.module == "functools":
            for alias in node.names:
                if alias.name in MEMOS:
                    found.append(f"{where}:{node.lineno}: imports functools.{alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MEMOS and \
                isinstance(node.value, ast.Name) and node.value.id in functools_names:
            found.append(f"{where}:{node.lineno}: functools.{node.attr}")
    module = _module_names(tree)
    functions = [n for n in ast.walk(tree)
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    for fn in functions:
        declared = {name for n in ast.walk(fn) if isinstance(n, ast.Global) for name in n.names}
        for name in sorted(declared):
            found.append(f"{where}:{fn.lineno}: `global {name}` in a function")
        shared = module - (_locals(fn) - declared)
        for node in ast.walk(fn):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
                    [node.target]
                for target in targets:
                    if isinstance(target, (ast.Subscript, ast.Attribute)) and \
                            _root_name(target) in shared:
                        found.append(f"{where}:{node.lineno}: a function changes module-level "
                                     f"{_root_name(target)}")
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in MUTATORS and \
                        _root_name(func.value) in shared:
                    found.append(f"{where}:{node.lineno}: a function calls "
                                 f"{_root_name(func.value)}.{func.attr}(...)")
                if isinstance(func, ast.Name) and func.id == "setattr" and node.args and \
                        _root_name(node.args[0]) in shared:
                    found.append(f"{where}:{node.lineno}: a function sets an attribute of "
                                 f"module-level {_root_name(node.args[0])}")
    return found


def test_the_package_keeps_no_module_level_mutable_state():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += findings(path.read_text(), str(path.relative_to(REPO)))
    assert found == [], "module-level state (move it into the render's context, or make it " \
                        "an immutable constant):\n" + "\n".join(found)


@pytest.mark.parametrize("source, expected", [
    # the memos the package used to keep, as they were written
    ("from functools import lru_cache\n\n@lru_cache(maxsize=256)\ndef gait_of(p):\n    return p\n",
     "imports functools.lru_cache"),
    ("import functools\n\n@functools.lru_cache(maxsize=16)\ndef _grade_lut(g):\n    return g\n",
     "functools.lru_cache"),
    ("import functools as ft\n\n@ft.cache\ndef covered():\n    return 1\n", "functools.cache"),
    ("import functools\n\ndef f(x):\n    return x\n\nf = functools.lru_cache(f)\n",
     "functools.lru_cache"),
    # a module-level table filled at run time, the backdrop cache composite.py once kept
    ("_BACKDROPS = {}\n\ndef backdrop(key):\n    _BACKDROPS[key] = 1\n", "changes module-level _BACKDROPS"),
    ("_SEEN = set()\n\ndef see(x):\n    _SEEN.add(x)\n", "calls _SEEN.add(...)"),
    ("_SPRITES = {}\n\ndef forget_paintings():\n    _SPRITES.clear()\n", "calls _SPRITES.clear(...)"),
    ("_KEPT = {}\n\ndef drop(k):\n    del _KEPT[k]\n", "changes module-level _KEPT"),
    ("_LAST = None\n\ndef remember(x):\n    global _LAST\n    _LAST = x\n", "`global _LAST`"),
    ("class S:\n    n = 0\n\nSTATE = S()\n\ndef bump():\n    STATE.n += 1\n",
     "changes module-level STATE"),
    ("STATE = object()\n\ndef poke():\n    setattr(STATE, 'x', 1)\n", "sets an attribute"),
])
def test_the_scan_finds_module_level_state(source, expected):
    found = findings(textwrap.dedent(source))
    assert any(expected in f for f in found), found


@pytest.mark.parametrize("source", [
    # tables built while the module is imported, and functions' own containers
    "TABLE = {}\nfor k in range(3):\n    TABLE[k] = k * k\n",
    "COMMANDS = {'a': 1}\nCOMMANDS.update(b=2)\n",
    "rows = []\n\ndef f():\n    rows = []\n    rows.append(1)\n    return rows\n",
    "def f(cache):\n    cache[1] = 2\n",
    "import functools\n\nclass A:\n    @functools.cached_property\n    def x(self):\n        return 1\n",
    "LIMITS = (1, 2)\n\ndef f():\n    return LIMITS[0]\n",
])
def test_the_scan_leaves_constants_and_local_state_alone(source):
    assert findings(textwrap.dedent(source)) == []
