"""The format reference: `docs/format.md` and `docs/schema/*.schema.json`, generated from the
declarative tables that share their key names with the loaders.

    python -m renderer.reference.formatref            # rewrite docs/format.md and docs/schema/
    python -m renderer.reference.formatref --check    # exit 1 when a committed file is out of date
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from renderer import settings
from renderer.load import yamlsrc
from renderer.load.actions import VERBS
from renderer.load.puppet import BOIL_BY_MATERIAL
from renderer.load.shapes import COORD, SIZE
from renderer.reference import refguide, refrig, refscene
from renderer.reference.formatschema import ROOTS, file_schema
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

TABLE: dict[str, Obj] = {o.id: o for o in refscene.OBJECTS + refrig.OBJECTS}
DOC = Path("docs") / "format.md"
SCHEMA_DIR = Path("docs") / "schema"


# --------------------------------------------------------------------------- value types in words

def _num(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def range_text(t: Type) -> str:
    """'0..10', '> 0, <= 120', '1-64 items'... ('' when unbounded or not a number)."""
    match t:
        case Int() | Number() if t.lo is not None and t.hi is not None:
            return (f"> {_num(t.lo)}, <= {_num(t.hi)}" if getattr(t, "lo_open", False)
                    else f"{_num(t.lo)}..{_num(t.hi)}")
        case Int() | Number() if t.lo is not None:
            return f"{'>' if getattr(t, 'lo_open', False) else '>='} {_num(t.lo)}"
        case Point() if t.lo is not None:
            return f"each {_num(t.lo)}..{_num(t.hi)}"
        case Text() if t.max_len:
            return f"at most {t.max_len} characters"
        case ListOf():
            inner = range_text(t.item)
            count = (f"{t.min_len}" if t.min_len == t.max_len else
                     f"{t.min_len}-{t.max_len}" if t.max_len is not None else f">= {t.min_len}")
            count = f"{count} items" if (t.min_len or t.max_len is not None) else ""
            return "; ".join(p for p in (count, inner) if p)
        case AnyOf():
            return "; ".join(p for p in (range_text(o) for o in t.options) if p)
    return ""


def type_text(t: Type) -> str:
    match t:
        case Text():
            return "text"
        case Name():
            return f"name: {t.of}"
        case Choice():
            return " | ".join(f"`{o}`" for o in t.options)
        case Int():
            return "integer"
        case Number():
            return "number"
        case Bool():
            return "true/false"
        case Point():
            return "[x, y]"
        case Colour():
            return 'colour `"#rrggbb"`'
        case Null():
            return "null"
        case ListOf():
            return f"list of {type_text(t.item)}"
        case MapOf():
            return f"mapping: {t.key} → {type_text(t.value)}"
        case Ref():
            return f"[{TABLE[t.id].title}](#{anchor(t.id)})"
        case AnyOf():
            return " or ".join(type_text(o) for o in t.options)
    raise TypeError(f"no words for {t!r}")


def anchor(oid: str) -> str:
    return f"obj-{oid.replace('_', '-')}"


def default_text(key: Key) -> str:
    if key.required:
        return "**required**"
    if key.default is not NO_DEFAULT:
        value = key.default
        shown = ("true" if value else "false") if isinstance(value, bool) else \
            f'"{value}"' if value == "" else json.dumps(value).replace('"', "")
        return f"`{shown}`"
    return key.default_note or "none"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --------------------------------------------------------------------------- markdown

def object_md(obj: Obj) -> list[str]:
    out = [f'<a id="{anchor(obj.id)}"></a>', f"### {obj.title}", "", obj.doc, "",
           "| key | type | range | default | meaning |", "|---|---|---|---|---|"]
    for key in obj.keys:
        out.append(f"| `{key.name}` | {_cell(type_text(key.type))} | {_cell(range_text(key.type))}"
                   f" | {_cell(default_text(key))} | {_cell(key.meaning)} |")
    return out + [""]


def verbs_md() -> list[str]:
    out = ["### Verbs", "", "Each verb with the arguments it needs and may take (any other key "
           "is refused), who may do it, and its defaults for `for` and `ease`.", "",
           "| verb | needs | may take | who | default `for` | default `ease` | what it does |",
           "|---|---|---|---|---|---|---|"]
    for verb, (need, optional, doer) in VERBS.items():
        args = lambda names: ", ".join(f"`{a}`" for a in names) or "—"  # noqa: E731
        out.append(f"| `{verb}` | {args(need)} | {args(optional)} | {doer} | "
                   f"{refscene.default_seconds(verb)} | {refscene.default_ease(verb)} | "
                   f"{_cell(refscene.VERB_MEANINGS[verb])} |")
    out += ["", "### Easings", "", "| ease | progress |", "|---|---|"]
    out += [f"| `{e}` | {refscene.EASE_MEANINGS[e]} |" for e in refscene.EASE.options]
    return out + [""]


def materials_md() -> list[str]:
    out = ["### Materials", "", "A shape's `material`: how it is textured and how its edge "
           "looks. *Boil* is how much a part made of it shifts between exposures (relative).",
           "", "| material | boil | looks like |", "|---|---|---|"]
    out += [f"| `{m}` | {BOIL_BY_MATERIAL.get(m, 1.0):g} | {refrig.MATERIAL_MEANINGS[m]} |"
            for m in refrig.SHAPE.keys[refrig.SHAPE.names.index("material")].type.options]
    return out + [""]


def limits_md() -> list[str]:
    s = settings
    rows = [("a shot", f"{s.MAX_SHOT_SECONDS:g} s"), ("a scene", f"{s.MAX_SCENE_SECONDS:g} s of "
            f"shots ({round(s.MAX_SCENE_SECONDS * s.MAX_FPS)} frames at {s.MAX_FPS} fps)"), ("a file", f"{s.MAX_FILE_BYTES // 2**20} MiB"),
            ("an image", f"{s.MAX_IMAGE_PIXELS} pixels"),
            ("a coordinate", f"{_num(COORD)} stage units from the origin"),
            ("a size, width or radius", f"{_num(SIZE)} stage units"),
            ("YAML nesting", f"{yamlsrc.MAX_DEPTH} levels"),
            ("YAML values", f"{yamlsrc.MAX_NODES} after aliases are expanded")]
    return ["| what | at most |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows] + [""]


SPECIALS = {"verbs": verbs_md, "materials": materials_md, "limits": limits_md}


def reference_md() -> str:
    out = ["# stopmo file format reference", "",
           f"<!-- Generated by `{refguide.REGENERATE}` from the loaders' tables; do not edit. -->",
           "", "Every key every file accepts, with its type, range, default and meaning. The "
           "tables are made from the loaders' own key lists, and a test fails when the loader "
           "accepts a key this page does not describe.", "", "Contents:", ""]
    out += [f"- [{s.title}](#{s.title.lower().replace(' ', '-').replace(':', '')})"
            for s in refguide.SECTIONS]
    for section in refguide.SECTIONS:
        out += ([] if out[-1] == "" else [""]) + [f"## {section.title}", ""]
        if section.text:
            out += [section.text, ""]
        for oid in section.objs:
            out += object_md(TABLE[oid])
        if section.special:
            out += SPECIALS[section.special]()
    return "\n".join(out).rstrip() + "\n"


def schemas() -> dict[str, str]:
    """File name -> JSON text of each kind's schema."""
    return {f"{kind}.schema.json": json.dumps(file_schema(kind, TABLE), indent=2,
                                              ensure_ascii=False) + "\n" for kind in ROOTS}


def outputs(root: Path) -> dict[Path, str]:
    """Every generated file under the repository `root`, with its text."""
    files = {root / DOC: reference_md()}
    files.update({root / SCHEMA_DIR / name: text for name, text in schemas().items()})
    return files


def stale(root: Path) -> list[Path]:
    """Generated files that are missing or differ from what the generator makes now."""
    return [p for p, text in outputs(root).items()
            if not p.is_file() or p.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m renderer.reference.formatref", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2],
                        help="the repository folder (default: the one this module is in)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    if args.check:
        old = stale(args.root)
        for path in old:
            print(f"out of date: {path.relative_to(args.root)}", file=sys.stderr)
        return 1 if old else 0
    for path, text in outputs(args.root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(args.root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
