"""The film's own pieces as tasks: title cards and transitions encoded as short segments, and
the film's soundtrack made once for the whole film.

A segment task is handed the words of a card (never its pixels) or the path of a scene video on
the shared folder, and returns the path of the segment it wrote, so it can run on any worker;
the soundtrack's task reads the scene files and writes the film's samples there as a WAV.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from renderer.errors import OutputError
from renderer.output.files import DISK_FULL_ERRNOS, disk_full
from renderer.output.film import between, encode_segment, first_frame, last_frame, transition_frames
from renderer.settings import RenderSettings


@dataclass(frozen=True)
class Card:
    """A title card: drawn from its words wherever it is encoded, held for `frames`."""

    title: str
    subtitle: str
    seed: int
    frames: int


def card_image(card: Card, settings: RenderSettings):
    from renderer.compose.titlecard import title_card
    return title_card(settings.width, settings.height, card.title, card.subtitle, seed=card.seed)


def card_segment(path: Path, card: Card, settings: RenderSettings, label: str,
                 threads: int | None = None) -> Path:
    """Encode `card` held for its frames to `path` (a task)."""
    image = card_image(card, settings)
    return encode_segment(path, [(image, card.frames)], card.frames, settings, label, threads)


def transition_segment(path: Path, kind: str, before: Card | Path, after: Card | Path, n: int,
                       settings: RenderSettings, label: str, threads: int | None = None) -> Path:
    """Encode the `n` frames of a `kind` transition from the end of `before` to the start of
    `after` (cards or scene videos) to `path` (a task)."""
    last = card_image(before, settings) if isinstance(before, Card) else \
        last_frame(Path(before), settings.fps)
    first = card_image(after, settings) if isinstance(after, Card) else first_frame(Path(after))
    return encode_segment(path, between(kind, last, first, n), n, settings, label, threads)


def film_sound(path: Path, pieces: list[tuple[Path | None, int, str]],
               settings: RenderSettings, transition_seconds: float):
    """The film's soundtrack made once (a task): each scene's (not normalised) where its video
    plays, silence under title cards and transitions, normalised as a whole. pieces: (a scene
    file, or None for a card; frames; the transition into it) in the film's order. Its samples
    are written to `path` as a WAV and the `Sound` returned names that file (with the subtitle
    cues): the task hands back a path, like every other, not minutes of samples."""
    from renderer.load.project import project_at
    from renderer.load.scene import load_scene
    from renderer.output.audiofile import decode_recording
    from renderer.output.mux import Sound, write_wav
    from renderer.render import as_sound, plan_scene, soundtrack
    from renderer.sound.mix import join

    def made(scene_file: Path):
        def make():
            scene = load_scene(scene_file, project_at(scene_file.parent, None, decode_recording))
            return soundtrack(plan_scene(scene, settings), normalise=False)
        return make
    parts = []
    for k, (scene_file, frames, transition) in enumerate(pieces):
        if k:
            parts.append((None, transition_frames(transition, transition_seconds, settings.fps)))
        parts.append((made(Path(scene_file)) if scene_file is not None else None, frames))
    sound = as_sound(join(parts, settings.fps), settings)
    if sound.samples is None:
        return sound
    try:
        with open(path, "wb") as f:
            write_wav(f, sound.samples)
    except OSError as err:
        if err.errno in DISK_FULL_ERRNOS:
            raise disk_full(path, "the film's sound") from None
        raise OutputError(f"cannot write the film's sound to {path}: {err.strerror}") from None
    return Sound(None, sound.cues, wav=path)
