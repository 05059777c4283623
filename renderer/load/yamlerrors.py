"""How a YAML file's problems are told: where (file:line:col, from PyYAML's marks or a text
offset), and in words a reader understands (PyYAML words some errors for its own traceback)."""
from __future__ import annotations

import yaml

from renderer.errors import Location, StopmoError


def decode(data: bytes, filename: str, error: type[StopmoError]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise error(f"not UTF-8 text: byte 0x{data[e.start]:02x} at offset {e.start} "
                    f"(line {line}) cannot be decoded", Location(filename, line, col),
                    hint="save the file as UTF-8") from None


def location(filename: str, mark) -> Location:
    if mark is None:
        return Location(filename)
    return Location(filename, mark.line + 1, mark.column + 1)


def location_at(filename: str, text: str, index: int) -> Location:
    line = text.count("\n", 0, index) + 1
    return Location(filename, line, index - (text.rfind("\n", 0, index) + 1) + 1)


def char_at(text: str, mark) -> str:
    """The character a problem mark points at ('' when outside the text)."""
    lines = text.split("\n")
    if mark is None or mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]


def syntax_error(e: yaml.MarkedYAMLError, filename: str, error: type[StopmoError],
                  text: str) -> StopmoError:
    mark = e.problem_mark or e.context_mark
    problem = e.problem or e.context or "malformed YAML"
    context = ""
    # PyYAML words a few composer errors for its own traceback; reword those for a reader.
    if e.context and "duplicate anchor" in e.context and e.context_mark is not None:
        anchor = e.context.split(";")[0]
        return error(f"YAML error: {anchor} (first on line {e.context_mark.line + 1})",
                     location(filename, mark), hint="each &anchor name may be defined once")
    if e.context and "single document" in e.context:
        return error("the file holds more than one YAML document", location(filename, mark),
                     hint="remove the second '---' line and what follows, or merge them")
    if e.context and e.problem:
        context = f" ({e.context}"
        if e.context_mark is not None and e.context_mark is not mark:
            context += f" on line {e.context_mark.line + 1}"
        context += ")"
    if "'\\t'" in problem or char_at(text, mark) == "\t":
        return error("YAML syntax error: a tab character where YAML expects spaces",
                     location(filename, mark),
                     hint="indent with spaces; YAML does not allow tabs for indentation")
    char = char_at(text, mark)
    if "cannot start any token" in problem and char:  # libyaml does not say which character
        problem = f"found character {char!r} that cannot start any token"
    hint = ""
    if e.context and "flow" in e.context:
        hint = "is a '[' or '{' before this point left unclosed?"
    elif e.context and "block" in e.context:
        hint = "check this line's indentation against the lines above"
    return error(f"YAML syntax error: {problem}{context}", location(filename, mark), hint=hint)
