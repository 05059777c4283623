"""A headless Chromium opened on a page: the process half of the browser playback check
(review/playcheck.py serves the page and reads what the page reports back).

Only this layer starts processes. The browser gets a profile folder of its own, made here and
removed after, and runs in a process group of its own, so that closing it ends the helper
processes it starts (renderer, GPU, audio) too, and nothing else.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from contextlib import contextmanager
from typing import Callable, Iterator

# Debian's package installs `chromium`; other systems name it otherwise.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless, no sandbox (a container has no user namespaces for it), nothing fetched from the
# network behind the page's back, and a video may start with its sound without a click.
HEADLESS_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--autoplay-policy=no-user-gesture-required")
# How long a browser asked to close may take before it is killed.
CLOSE_SECONDS = 5


def find_browser() -> str | None:
    """The path of an installed Chromium (or Chrome), or None."""
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@contextmanager
def headless_page(url: str, browser: str) -> Iterator[Callable[[], str]]:
    """Chromium showing `url` while the block runs; yields a function that returns what the
    browser has printed so far (its last 2000 characters), for a report when the page fails."""
    profile = tempfile.mkdtemp(prefix="stopmo-chromium-")
    log = tempfile.TemporaryFile()
    try:
        proc = subprocess.Popen([browser, *HEADLESS_FLAGS, f"--user-data-dir={profile}", url],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    except OSError as err:
        log.close()
        shutil.rmtree(profile, ignore_errors=True)
        raise OSError(f"cannot start {browser}: {err.strerror}") from None

    def printed() -> str:
        log.seek(0)
        return log.read().decode("utf-8", "replace")[-2000:]
    try:
        yield printed
    finally:
        _close(proc)
        log.close()
        shutil.rmtree(profile, ignore_errors=True)


def _close(proc: subprocess.Popen) -> None:
    """End the browser's process group (it leads one of its own: start_new_session)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(CLOSE_SECONDS)
            break
        except subprocess.TimeoutExpired:
            continue
    proc.wait()
