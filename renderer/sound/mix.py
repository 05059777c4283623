"""A scene's soundtrack: its beds, its lines' voices, its cues and foley, mixed and timed to its
exposure sheet, with the subtitle cue of every line.

Every sound that belongs to a change on screen (a line begun, a foot put down, a rock landing, a
cue) starts on the exposure that shows the change: the first exposure at or after its time, as
the picture is held on the scene's step. Beds (music, ambience) run continuously and cross-fade
where the shot's bed changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

import numpy as np

from renderer import jitter
from renderer.model.scene import Scene, Shot
from renderer.settings import SAMPLE_RATE as SR
from renderer.sound import beds, foley, loudness, music, voice
from renderer.sound.synth import db, envelope, place
from renderer.stage.perform import CAPTION_LINGER, footfalls
from renderer.stage.timing import Exposure

VOICE = 0.5          # levels before the whole is normalised: a voice over its bed ...
FOLEY = 0.3
MUSIC = 0.55
DUCK = 0.45          # ... the music dips by this share while someone speaks
BED_FADE = 0.25      # seconds a bed takes to change at a cut
STAGE_HALF = 960.0   # stage units from the centre to an edge: pans follow the stage
TRAVEL = ("walk", "run", "crawl", "enter", "exit")


class ShotSpan(Protocol):
    """A shot of a plan: where it starts in the scene and its exposure sheet (`render.ShotPlan`)."""

    shot: Shot
    first_frame: int
    sheet: tuple[Exposure, ...]

    @property
    def frames(self) -> int: ...


@dataclass(frozen=True)
class Subtitle:
    """A line's cue: seconds from the start of the scene (or film), the speaker and the line."""

    start: float
    end: float
    speaker: str
    text: str


@dataclass(frozen=True, eq=False)
class Soundtrack:
    samples: np.ndarray          # (n, 2) float32 at SAMPLE_RATE
    subtitles: tuple[Subtitle, ...]

    @property
    def seconds(self) -> float:
        return len(self.samples) / SR


def samples_for(frames: int, fps: int) -> int:
    """Samples lasting exactly `frames` frames."""
    return int(round(frames * SR / fps))


def _on_exposure(span: ShotSpan, t: float) -> Exposure | None:
    """The first exposure of the shot at or after shot time `t` (None: after its last)."""
    return next((e for e in span.exposure_sheet if e.time >= t - 1e-9), None)


def _pan(x: float) -> float:
    return float(np.clip((x - STAGE_HALF) / STAGE_HALF * 0.7, -0.8, 0.8))


def scene_soundtrack(scene: Scene, spans: Sequence[ShotSpan], fps: int, *,
                     normalise: bool = True) -> Soundtrack:
    """The soundtrack of `spans` (a plan's shots, in order) at `fps`: (n, 2) samples exactly as
    long as their frames, normalised to -16 LUFS unless `normalise` is False (the film normalises
    its whole soundtrack once)."""
    frames = sum(s.frames for s in spans)
    n = samples_for(frames, fps)
    at_frame = [samples_for(s.first_frame - spans[0].first_frame, fps) if spans else 0
                for s in spans]
    speech = np.zeros((n, 2), np.float32)
    effects = np.zeros((n, 2), np.float32)
    subtitles: list[Subtitle] = []
    for span, start in zip(spans, at_frame):
        _shot_events(scene, span, fps, start, speech, effects, subtitles)
    mix = _beds(scene, spans, fps, n, speech) + speech * VOICE + effects * FOLEY
    if normalise:
        mix = loudness.normalise(mix, in_place=True)
    return Soundtrack(mix.astype(np.float32, copy=False),
                      tuple(sorted(subtitles, key=lambda s: s.start)))


def _beds(scene: Scene, spans: Sequence[ShotSpan], fps: int, n: int,
          speech: np.ndarray) -> np.ndarray:
    """Music and ambience: each kind rendered once over the scene, gained per shot."""
    out = np.zeros((n, 2), np.float32)
    gains: dict[tuple[str, str], np.ndarray] = {}
    start = spans[0].first_frame if spans else 0
    for span in spans:
        lo = samples_for(span.first_frame - start, fps)
        hi = min(n, lo + samples_for(span.frames, fps))
        bed = span.shot.sound
        amounts = dict(bed.ambience)
        if span.shot.weather.get("rain"):
            amounts["rain"] = max(amounts.get("rain", 0.0), span.shot.weather["rain"])
        if bed.music != "none":
            gains.setdefault(("music", bed.music), np.zeros(n, np.float32))[lo:hi] = \
                db(bed.music_gain) * MUSIC
        for kind, amount in amounts.items():
            if amount > 0:
                gains.setdefault(("ambience", kind), np.zeros(n, np.float32))[lo:hi] = \
                    db(bed.ambience_gain) * amount
    talking = _smooth(loudness.magnitudes(speech) > 1e-4, 0.3)
    for (what, kind), gain in gains.items():
        seconds = n / SR
        sound = music.render(kind, scene.seed, seconds) if what == "music" else \
            beds.render(kind, scene.seed, seconds)
        gain = _smooth(gain, BED_FADE)
        if what == "music":
            gain = gain * (1 - DUCK * talking)
        out += sound[:n] * gain[:, None]
    return out


def _smooth(x: np.ndarray, seconds: float) -> np.ndarray:
    """A moving average over `seconds` (for gain changes without clicks)."""
    k = max(1, int(seconds * SR))
    c = np.concatenate([[0.0], np.cumsum(np.pad(x.astype(np.float64), (k // 2, k - k // 2 - 1),
                                                mode="edge"))])
    return ((c[k:] - c[:-k]) / k).astype(np.float32)


def _shot_events(scene: Scene, span: ShotSpan, fps: int, start: int, speech: np.ndarray,
                 effects: np.ndarray, subtitles: list[Subtitle]) -> None:
    shot = span.shot
    offset = start / SR      # seconds from the soundtrack's start to the shot's

    def at(t: float) -> int | None:
        e = _on_exposure(span, t)
        return None if e is None else start + samples_for(e.frame, fps)

    def effect(name: str, t: float, x: float, gain: float, *key) -> None:
        where = at(t)
        if where is not None:
            sound = foley.make(name, jitter.stream(scene.seed, shot.id, "foley", *key))
            place(effects, sound, where, gain, _pan(x))

    for i, cue in enumerate(shot.cues):
        where = at(cue.t)
        if where is None:
            continue
        sound = cue.recording.samples if cue.recording is not None else \
            foley.make(cue.sound, jitter.stream(scene.seed, shot.id, "cue", i))
        if cue.length is not None:
            sound = sound[:int(cue.length * SR)]
        if cue.fade_in or cue.fade_out:
            sound = sound * envelope(len(sound), cue.fade_in, cue.fade_out)
        place(effects, sound, where, db(cue.gain), cue.pan)

    times = [e.time for e in span.exposure_sheet]
    for k, a in enumerate(shot.actions):
        who = shot.cast.get(a.who)
        x = who.at[0] if who is not None else STAGE_HALF
        if a.do == "say":
            where = at(a.t)
            if where is None:
                continue
            bed = shot.sound
            if "voice" in a.args:
                sound = a.args["voice"].samples
            elif bed.voices == "babble":
                sound = voice.line(a.args["say"], a.duration, who.puppet.name, scene.seed,
                                   f"{shot.id}/{k}")
            else:
                sound = None
            if sound is not None:
                place(speech, sound, where, 1.0, _pan(x))
            end = at(a.t + a.duration + CAPTION_LINGER)
            end_s = offset + span.frames / fps if end is None else end / SR
            subtitles.append(Subtitle(where / SR, end_s, who.puppet.title,
                                      a.args["say"]))
            continue
        if not shot.sound.foley or who is None:
            continue
        if a.do in TRAVEL and not who.is_prop:
            mine = [b for b in shot.actions if b.who == a.who]
            for j, t in enumerate(footfalls(who, mine, a, times)):
                effect("step", t, x, 0.5 * who.scale ** 0.5, k, j)
        elif a.do == "throw":
            effect("whoosh", a.t, x, 0.5, k, "out")
            effect("rock", a.t + a.duration, x, 1.0, k, "land")
        elif a.do in ("drop", "jump"):
            effect("thud", a.t + a.duration, x, 0.8, k)
        elif a.do in ("take", "give"):
            effect("rustle", a.t, x, 0.6, k)
        elif a.do in ("transform", "appear", "vanish"):
            effect("shimmer", a.t, x, 0.5, k)
        elif a.do == "disintegrate":
            effect("rumble", a.t, STAGE_HALF, 1.0, k)


def join(parts: Sequence[tuple[Callable[[], Soundtrack] | None, int]], fps: int,
         fade: float = 0.08) -> Soundtrack:
    """One soundtrack of parts in order: (what makes a scene's soundtrack, or None for
    silence, and its length in frames); each part's edges faded over `fade` s so a cut never
    clicks. Subtitles are moved to where their part starts. Normalised once, as a whole.

    A film's soundtrack is minutes long (~90 MB of samples): each part is made when its turn
    comes and laid straight into the one array, so no two copies of the film are ever held."""
    lengths = [samples_for(frames, fps) for _, frames in parts]
    samples = np.zeros((sum(lengths), 2), np.float32)
    subtitles, start = [], 0
    for (make, _), n in zip(parts, lengths):
        track = make() if make is not None else None
        if track is not None:
            m = min(n, len(track.samples))
            samples[start:start + m] = track.samples[:m] * envelope(m, fade, fade)[:, None]
            subtitles += [Subtitle(s.start + start / SR, s.end + start / SR, s.speaker, s.text)
                          for s in track.subtitles]
        start += n
    return Soundtrack(loudness.normalise(samples, in_place=True), tuple(subtitles))
