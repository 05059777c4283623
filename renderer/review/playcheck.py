"""Does a rendered video play, with its sound and its subtitles, in a real browser?

    python -m renderer.review.playcheck output/coraline.mp4 [more.mp4 ...] [--scene NAME]

Each video and its WebVTT sidecar (`NAME.vtt` beside it) are served from 127.0.0.1
(review/playserve.py) to a headless Chromium (output/browser.py) on a page that plays the
video for a couple of seconds and posts back what the browser saw: the audio bytes it decoded
(`webkitAudioDecodedByteCount`), the video frames it decoded, the duration, and the cues of the
sidecar loaded as the video's `<track>`. A video plays when the browser decoded sound and
frames, read the duration the file has (within a frame), and shows the cues expected: the
scene's lines (`--scene`: as `stopmo render` times them) or, by default, those the sidecar
holds as stopmo reads it, each within a frame and with the same speaker and words. (Not the
MP4's mov_text stream: it cannot hold two lines at once, so ffmpeg ends a line where the next
begins, and its SubRip source loses words in <angle brackets>.)

Exit 0 when every video plays, 1 when one does not (saying what failed), 2 on bad input (no
such file, no Chromium: Debian's is `apt-get install chromium`).
"""
from __future__ import annotations

import argparse
import html
import json
import queue
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from renderer.errors import StopmoError
from renderer.output.browser import find_browser, headless_page
from renderer.output.mux import Cue, parse_vtt, sidecar
from renderer.output.probe import probe
from renderer.review.playserve import serving

PLAY_SECONDS = 2.0        # long enough for the audio decoder to run ahead of the clock
REPORT_TIMEOUT = 60.0     # starting Chromium takes 1-5 s; a page that never reports fails

PAGE = """<!doctype html>
<meta charset="utf-8"><title>stopmo playback check</title>
<video id="v" preload="auto" playsinline>
  <source src="/video.mp4" type="video/mp4">
  <!--TRACK-->
</video>
<script>
/*ARGS*/
const v = document.getElementById("v");
const el = document.querySelector("track");
const post = (what) => fetch("/report", {method: "POST", body: JSON.stringify(what)});
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const loaded = el ? new Promise((r) => {
  el.addEventListener("load", () => r("loaded"));
  el.addEventListener("error", () => r("error"));
}) : Promise.resolve("none");
if (el) el.track.mode = "hidden";      // loads the cues without drawing them
v.addEventListener("error", () => post({error: "media error " + (v.error && v.error.code) +
                                                ": " + (v.error && v.error.message)}));
let heard = null;       // the loudest sample the page's audio graph passed on, if it runs
async function listen() {
  const ctx = new AudioContext();
  const tap = ctx.createAnalyser();
  ctx.createMediaElementSource(v).connect(tap);
  tap.connect(ctx.destination);
  const buf = new Float32Array(tap.fftSize);
  heard = 0;
  return () => { tap.getFloatTimeDomainData(buf);
                 for (const x of buf) heard = Math.max(heard, Math.abs(x)); };
}
async function run() {
  let sample = () => {};
  try { sample = await listen(); } catch (e) { heard = null; }
  if (START > 0) {
    v.currentTime = START;
    await new Promise((r) => v.addEventListener("seeked", r, {once: true}));
  }
  try { await v.play(); } catch (e) { post({error: "play() refused: " + e}); return; }
  while (v.currentTime < START + PLAY && !v.ended && !v.error) { sample(); await wait(20); }
  v.pause();
  const track = await Promise.race([loaded, wait(10000).then(() => "not loaded in 10 s")]);
  const cues = el && el.track.cues ? Array.from(el.track.cues, (c) => ({
    start: c.startTime, end: c.endTime, text: c.text,
    shown: c.getCueAsHTML().textContent})) : [];
  const q = v.getVideoPlaybackQuality();
  post({audio_bytes: v.webkitAudioDecodedByteCount, video_bytes: v.webkitVideoDecodedByteCount,
        frames: q.totalVideoFrames, duration: v.duration, played: v.currentTime - START, heard,
        track, cues});
}
run();
</script>
"""
TRACK = '<track kind="subtitles" srclang="en" label="English" src="/video.vtt">'
_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]*)>")


@dataclass(frozen=True)
class Playback:
    """What the browser reported. audio_bytes, video_bytes: compressed bytes its decoders took;
    played: seconds played; cues: (start s, end s, speaker, words) as shown."""

    audio_bytes: int
    video_bytes: int
    frames: int
    duration: float
    played: float
    heard: float | None     # the loudest sample played through the page's Web Audio graph
    track: str
    cues: tuple[Cue, ...]


def watch(video: Path, browser: str, seconds: float = PLAY_SECONDS, start: float = 0.0,
          timeout: float = REPORT_TIMEOUT) -> Playback:
    """Play `video` (and its sidecar, if there is one) in headless `browser`; what it saw.
    Raises StopmoError when the page reports an error or nothing."""
    vtt = sidecar(video) if sidecar(video).is_file() else None
    page = PAGE.replace("<!--TRACK-->", TRACK if vtt else "") \
        .replace("/*ARGS*/", f"const PLAY = {seconds:g}, START = {start:g};")
    with serving(page, video, vtt) as (url, reports), headless_page(url, browser) as printed:
        try:
            got = json.loads(reports.get(timeout=timeout))
        except queue.Empty:
            raise StopmoError(f"{video}: the browser reported nothing in {timeout:g} s",
                              hint="what it printed: " + printed().strip()[-600:]) from None
    if "error" in got:
        raise StopmoError(f"{video}: the browser could not play it: {got['error']}")
    return Playback(int(got["audio_bytes"]), int(got["video_bytes"]), int(got["frames"]),
                    float(got["duration"]), float(got["played"]),
                    None if got.get("heard") is None else float(got["heard"]), str(got["track"]),
                    tuple(_cue(c) for c in got["cues"]))


def _cue(c: dict) -> Cue:
    """A cue as the browser read it: the `<v Speaker>` voice of its text, and its words as
    shown (references such as `&amp;` read, tags gone)."""
    m = _VOICE.match(c["text"])
    return Cue(float(c["start"]), float(c["end"]), html.unescape(m.group(1)).strip() if m else "",
               " ".join(c["shown"].split()))


def expected_from_sidecar(vtt: Path) -> tuple[Cue, ...]:
    """The cues a WebVTT sidecar holds, read by stopmo's own reader: what the browser should
    read from it (the browser's reader is the one under test)."""
    out = []
    for start, end, text in parse_vtt(vtt.read_text("utf-8")):
        m = _VOICE.match(text)
        words = html.unescape(re.sub(r"<[^>]*>", "", text))
        out.append(Cue(start, end, html.unescape(m.group(1)).strip() if m else "",
                       " ".join(words.split())))
    return tuple(out)


def problems(seen: Playback, expected: tuple[Cue, ...], duration: float, fps: float) -> list[str]:
    """What is wrong with a playback, given the cues and the duration the file should have."""
    frame = 1 / fps
    out = []
    if seen.audio_bytes <= 0:
        out.append("the browser decoded no sound (webkitAudioDecodedByteCount 0)")
    if seen.frames <= 0 or seen.video_bytes <= 0:
        out.append(f"the browser decoded no picture ({seen.frames} frames)")
    if abs(seen.duration - duration) > frame:
        out.append(f"the browser reads {seen.duration:.3f} s, the file holds {duration:.3f} s")
    if expected and seen.track != "loaded":
        out.append(f"the subtitle track did not load ({seen.track})")
    if len(seen.cues) != len(expected):
        out.append(f"{len(seen.cues)} cues in the browser, {len(expected)} expected")
    for k, (got, want) in enumerate(zip(seen.cues, expected)):
        if abs(got.start - want.start) > frame or abs(got.end - want.end) > frame:
            out.append(f"cue {k + 1}: {got.start:.3f}-{got.end:.3f} s in the browser, "
                       f"{want.start:.3f}-{want.end:.3f} s expected")
        if (got.speaker, got.text) != (want.speaker, " ".join(want.text.split())):
            out.append(f"cue {k + 1}: {got.speaker}: {got.text!r} in the browser, "
                       f"{want.speaker}: {want.text!r} expected")
    return out


def scene_cues(name: str, fps: float) -> tuple[Cue, ...]:
    """The lines of a scene of the project around the working folder, timed as a render at
    `fps` times them (the subtitle cues `stopmo render` writes)."""
    from renderer.load.project import find_scene
    from renderer.output.audiofile import decode_recording
    from renderer.render import as_sound, plan_scene, soundtrack
    from renderer.settings import settings_for
    settings = settings_for("draft", fps=int(round(fps)), captions="track")
    scene = find_scene(name, Path.cwd(), decode_audio=decode_recording)
    return as_sound(soundtrack(plan_scene(scene, settings), normalise=False), settings).cues


def check(video: Path, browser: str, scene: str | None = None, seconds: float = PLAY_SECONDS,
          start: float = 0.0) -> tuple[Playback, list[str]]:
    """Play `video` in the browser; what it saw and what is wrong (nothing: it plays)."""
    info = probe(video)
    expected = scene_cues(scene, info.fps) if scene else \
        (expected_from_sidecar(sidecar(video)) if sidecar(video).is_file() else ())
    seen = watch(video, browser, seconds, start)
    return seen, problems(seen, expected, info.duration, info.fps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m renderer.review.playcheck",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", nargs="+", type=Path, help="rendered MP4 files")
    parser.add_argument("--scene", help="compare the cues with this scene's lines (one video)")
    parser.add_argument("--seconds", type=float, default=PLAY_SECONDS,
                        help=f"seconds played (default {PLAY_SECONDS:g})")
    parser.add_argument("--start", type=float, default=0.0,
                        help="seconds into the video to play from (default 0)")
    args = parser.parse_args(argv)
    browser = find_browser()
    if browser is None:
        print("playcheck: no Chromium found (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    failed = 0
    for video in args.videos:
        try:
            seen, wrong = check(video, browser, args.scene, args.seconds, args.start)
        except StopmoError as exc:
            print(f"playcheck: {exc.format()}", file=sys.stderr)
            return 2 if not video.is_file() else 1
        heard = "not measured" if seen.heard is None else f"peak {seen.heard:.3f} heard"
        print(f"{video}: audio {seen.audio_bytes} bytes decoded ({heard}), {seen.frames} "
              f"frames ({seen.video_bytes} bytes) in {seen.played:.2f} s played, duration "
              f"{seen.duration:.3f} s, {len(seen.cues)} cues ({seen.track})"
              + ("" if not wrong else "\n  " + "\n  ".join(wrong)))
        failed += bool(wrong)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
