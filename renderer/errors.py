"""One family of user-facing errors, caught once in the CLI.

A user's mistake (a broken scene file, an unknown puppet, an absurd size) raises a subclass of
`StopmoError` carrying where it happened and what was expected. A programming error still raises
normally, with its traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in a source file. `line` and `col` are 1-based; 0 means unknown."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file


class StopmoError(Exception):
    """Base of every error caused by the user's input or environment (exit code 2)."""

    exit_code = 2

    def __init__(self, message: str, where: Location | None = None, field: str = "",
                 hint: str = ""):
        self.message = message
        self.where = where
        self.field = field
        self.hint = hint
        super().__init__(self.format())

    def format(self) -> str:
        head = f"{self.where}: " if self.where else ""
        at = f"{self.field}: " if self.field else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"{head}{at}{self.message}{tail}"


class SceneError(StopmoError):
    """A scene or sequence script is malformed or refers to something that does not exist."""


class PuppetError(StopmoError):
    """A puppet, prop or set file is malformed."""


class LimitError(StopmoError):
    """A request exceeds a resource limit (resolution, duration, image size...)."""


class OutputError(StopmoError):
    """The output path cannot be written safely."""


class EncodeError(StopmoError):
    """The encoder failed or produced something other than what was promised."""

    exit_code = 1


class Interrupted(StopmoError):
    """The user interrupted a render (Ctrl-C or SIGTERM)."""

    exit_code = 130


def closest(word: str, known) -> str | None:
    """The known name closest to `word` (spelling first, then ignoring case), if any is close."""
    import difflib

    names = [str(k) for k in known]
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    if not close:
        lowered = {n.lower(): n for n in names}
        close = [lowered[c] for c in difflib.get_close_matches(word.lower(), list(lowered), n=1,
                                                                cutoff=0.6)]
    return close[0] if close else None


def did_you_mean(name: str, known: list[str] | tuple[str, ...], what: str) -> str:
    """A hint for an unknown name: the closest known one, or the list of known names."""
    close = closest(name, known)
    if close:
        return f"did you mean {close!r}?"
    return f"known {what}s: {', '.join(known)}" if known else f"there are no {what}s"
