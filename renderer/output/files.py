"""Where renders land: output-path checks, temporary names, and writing single images.

Nothing is ever half-written at a target: a render goes to a hidden temporary name beside it
(`.NAME.partial-<pid>...`) and is renamed into place when complete. An existing target is replaced
only when it could have been a render (a video, a PNG, a folder of frame_*.png).
"""
from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from renderer.errors import OutputError

# Containers we write (ISO base media files, recognisable by their `ftyp` box).
VIDEO_FORMATS = {".mp4": "mp4", ".mov": "mov"}
FRAME_RE = re.compile(r"frame_\d+\.png")



PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def save_png(path: Path, image: np.ndarray) -> None:
    """Write an RGB or RGBA uint8 image as PNG: to a temporary file beside `path`, then renamed."""
    path = Path(path)
    check_png_target(path)
    tmp = partial_path(path, ".png")
    try:
        Image.fromarray(image).save(tmp, compress_level=6)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()


MAX_NAME_BYTES = 200   # an output's file name: its temporary name adds ~30 of a file system's 255


def check_name(path: Path) -> None:
    """Refuse, before any work, an output whose file name (or its temporary one) is too long for
    the file system: it failed only when the finished render was written."""
    size = len(os.fsencode(Path(path).name))
    if size > MAX_NAME_BYTES:
        raise OutputError(f"cannot write {Path(path).name[:40]}...: the file name is {size} "
                          f"bytes; the limit is {MAX_NAME_BYTES} bytes",
                          hint="choose a shorter name")


def check_png_target(path: Path) -> None:
    """Refuse, before any work, a PNG path that cannot be written safely: not a .png, a folder,
    in a missing or read-only folder, or an existing file that is not a PNG."""
    path = Path(path)
    check_name(path)
    if path.suffix.lower() != ".png":
        raise OutputError(f"{path}: an image is written as PNG", hint="give a path ending in .png")
    if path.is_dir():
        raise OutputError(f"{path} is a folder", hint="give a file path ending in .png")
    if not path.parent.is_dir():
        raise OutputError(f"folder {path.parent} does not exist", hint="create it first")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: folder {path.parent} is not writable")
    _check_replaceable(path)


def _check_replaceable(path: Path) -> None:
    """Refuse to replace anything but a PNG (or an empty file): it cannot have been a render."""
    _refuse_unless_ours(path, lambda head: head[:8] == PNG_MAGIC, "a PNG image")


def _refuse_unless_ours(path: Path, looks_ours, what: str) -> None:
    """Refuse to overwrite an existing file unless it is empty (nothing to lose) or its first
    bytes pass `looks_ours`, i.e. it is `what` we could have written."""
    if not path.exists() and not path.is_symlink():
        return
    if not path.is_file() or path.is_symlink():
        raise OutputError(f"refusing to overwrite {path}: it is not a regular file")
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError as exc:
        raise OutputError(f"cannot read the existing {path}: {exc.strerror or exc}") from None
    if head and not looks_ours(head):
        raise OutputError(f"refusing to overwrite {path}: it is not {what}",
                          hint="move it away or choose another output name")


# --------------------------------------------------------------------------- path checks

def is_frame_folder(target: str | os.PathLike) -> bool:
    """True when `target` names a PNG-sequence folder: it ends in '/' or has no suffix."""
    text = os.fspath(target)
    return text.endswith(("/", os.sep)) or Path(text).suffix == ""


def check_target(target: str | os.PathLike) -> None:
    """Refuse, before any work, an output path that cannot be written safely.

    Raises OutputError when: the format is unknown; the parent folder is missing, not a folder or
    not writable; a video was asked where a folder exists; an existing file is not a video we could
    have written (no MP4 `ftyp` box); an existing frame folder holds anything but frame_*.png.
    """
    path = Path(target)
    folder = is_frame_folder(target)
    check_name(path)
    if not folder and path.suffix.lower() not in VIDEO_FORMATS:
        raise OutputError(f"cannot write {path}: unknown output format {path.suffix!r}",
                          hint="use a .mp4 or .mov file, or a folder name ending in '/' "
                               "for a PNG sequence")
    parent = path.parent
    if not parent.exists():
        raise OutputError(f"folder {parent} does not exist", hint="create it first")
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: folder {parent} is not writable")
    if folder:
        _check_frame_folder(path)
    else:
        _check_video_file(path)


def _check_video_file(path: Path) -> None:
    if path.is_dir():
        raise OutputError(f"cannot write the video {path}: a folder with that name exists",
                          hint="choose another file name")
    # anything we write is an ISO media file: an `ftyp` box right at the start
    _refuse_unless_ours(path, lambda head: head[4:8] == b"ftyp", "a video")


def _check_frame_folder(path: Path) -> None:
    if not path.exists():
        return
    if not path.is_dir():
        raise OutputError(f"refusing to replace {path} with a PNG sequence: it is a file")
    foreign = sorted(p.name for p in path.iterdir()
                     if not (FRAME_RE.fullmatch(p.name) and p.is_file()))
    if foreign:
        raise OutputError(f"refusing to replace the folder {path}: it holds files other than "
                          f"frame_*.png (such as {foreign[0]!r})",
                          hint="choose an empty or new folder")


def file_identity(path: Path) -> str:
    """The file at `path` as it is now (size, modification time, inode): a rename keeps it, and
    any other file put at that path changes it."""
    st = os.stat(path)
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ino}"


def partial_path(target: Path, suffix: str = "") -> Path:
    """The hidden temporary name beside `target`, unique to this process."""
    return target.with_name(f".{target.name}.partial-{os.getpid()}{suffix}")


_PARTIAL_RE = re.compile(r"\.(?P<name>.+)\.partial-(?P<pid>\d+)(?:\.[A-Za-z0-9]+)?")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_stale_partials(folder: Path, name: str | None = None) -> list[Path]:
    """Remove the temporary outputs (`.NAME.partial-PID...`) in `folder` whose process is gone:
    what a render killed outright (SIGKILL, power loss) leaves behind. Only NAME's when given.
    Returns the removed paths."""
    removed = []
    try:
        candidates = list(Path(folder).glob(".*.partial-*"))
    except OSError:
        return removed
    for path in candidates:
        m = _PARTIAL_RE.fullmatch(path.name)
        if m is None or (name is not None and m["name"] != name) or _alive(int(m["pid"])):
            continue
        try:
            remove_path(path)
        except OSError:
            continue  # not ours to remove after all (permissions): leave it
        removed.append(path)
    return removed


def remove_path(path: Path) -> None:
    """Remove a file, link or folder if it exists; never raises for a missing path."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


# A write that failed for want of room: said as such, with exit code 2 (the user can free space).
DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


def disk_full(path: Path, label: str) -> OutputError:
    return OutputError(f"the disk is full: could not finish writing {path} ({label})",
                       hint="free some space and render again; the previous output is intact")
