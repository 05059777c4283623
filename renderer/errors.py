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


class ClusterError(StopmoError):
    """The cluster named by --cluster cannot be used: Dask missing, its scheduler unreachable,
    no workers, or a folder its workers cannot see (exit code 2, before any work)."""


class EncodeError(StopmoError):
    """The encoder failed or produced something other than what was promised."""

    exit_code = 1


class DiffInputError(StopmoError):
    """Something given to `stopmo diff` cannot be read as frames (exit code 2)."""


class BlessRefused(StopmoError):
    """Regenerating golden frames was asked where it must not happen (CI)."""


# Ctrl-C and SIGTERM unwind the work as KeyboardInterrupt (a BaseException, so no `except
# Exception` on the way swallows it); the command line then exits with this code.
INTERRUPTED_EXIT = 130


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


LIST_ALL = 40       # a hint names every choice up to this many: a list this short is read whole
LIST_NEAREST = 12   # of a longer list, the names nearest the typed word come first, then a count


def nearest(word: str, known, n: int = LIST_NEAREST) -> list[str]:
    """The `n` names of `known` most like `word`, best first: spelling similarity ignoring case,
    with a name that contains the word (or is contained in it) ranked as the closest."""
    import difflib

    typed = str(word).lower()

    def likeness(name: str) -> float:
        low = name.lower()
        contained = bool(typed) and (typed in low or low in typed)
        return (1.0 if contained else 0.0) + difflib.SequenceMatcher(None, typed, low).ratio()

    return sorted((str(k) for k in known), key=lambda k: (-likeness(k), k))[:n]


def listing(word: str, known, listed_by: str = "") -> str:
    """The names of `known` for a hint, in their given order when there are at most LIST_ALL;
    else the LIST_NEAREST nearest `word` and how many more, with `listed_by`, the command that
    lists them all, when there is one. Never a list cut where the wanted name might hide."""
    names = [str(k) for k in known]
    if len(names) <= LIST_ALL:
        return ", ".join(names)
    shown = nearest(word, names)
    more = f"{len(names) - len(shown)} more"
    return (f"{', '.join(shown)} and {more}"
            + (f"; `{listed_by}` lists them all" if listed_by else ""))


def did_you_mean(name: str, known: list[str] | tuple[str, ...], what: str,
                 listed_by: str = "") -> str:
    """A hint for an unknown name: the closest known one, or the known names (`listing`; with
    `listed_by`, the command that lists them all)."""
    close = closest(name, known)
    if close:
        return f"did you mean {close!r}?"
    if not known:
        return f"there are no {what}s"
    order = ", nearest first" if len(known) > LIST_ALL else ""
    return f"known {what}s{order}: {listing(name, known, listed_by)}"


_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}


def shown(text: str) -> str:
    """`text` safe to print on a terminal: control characters from a user's files (an escape
    sequence in a name, a title or a path) are written as `\\x1b`, never sent raw."""
    return text.translate(_CONTROLS)
