"""A scene: shots on sets, each with its camera, cast and timed actions. Times are seconds here;
the engine turns them into frames."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renderer.model.action import Action
from renderer.model.puppet import PuppetDef
from renderer.model.set import SetDef, Surface
from renderer.model.sound import Cue, SoundBed
from renderer.settings import STAGE_H, STAGE_W


SHOT_SIZES = ("wide", "medium", "close")   # a framed camera key's `frame`


@dataclass(frozen=True)
class CameraKey:
    """Where the camera looks (stage units) and how far it is zoomed in (1 = the whole stage).

    tilt: degrees the camera leans, clockwise on screen (a Dutch angle about the frame's centre).
    dolly: how far the camera has travelled toward the set along depth, as a fraction of its
    distance to the puppet plane (0 at rest, negative backs away): near layers grow and move
    more than far ones. frame, who: a shot size (`SHOT_SIZES`) framed on the cast member `who`;
    such a key's x, y and zoom are worked out from that puppet's head (`stage.framing`)."""

    x: float = STAGE_W / 2
    y: float = STAGE_H / 2
    zoom: float = 1.0
    tilt: float = 0.0
    dolly: float = 0.0
    frame: str | None = None
    who: str | None = None

    @property
    def framed(self) -> bool:
        return self.frame is not None


@dataclass(frozen=True)
class Camera:
    start: CameraKey
    end: CameraKey
    ease: str = "in_out"
    shake: float = 0.0   # stage units of hand-placed camera jitter per exposure

    @property
    def framed(self) -> bool:
        """Whether a key is framed on a puppet (and needs `stage.framing` to be placed)."""
        return self.start.framed or self.end.framed


@dataclass(frozen=True)
class Placement:
    """A cast member or prop at the start of a shot."""

    id: str
    puppet: PuppetDef
    at: tuple[float, float]
    facing: int = 1          # +1 right, -1 left (mirrored)
    scale: float = 1.0
    rot: float = 0.0
    skin: str = "real"
    pose: str = "stand"
    face: str = "neutral"
    opacity: float = 1.0
    z: float = 0.0           # draw order among actors: higher is in front; ties by feet height
    is_prop: bool = False
    seat: Surface | None = None   # seated on it from the shot's start (`seat:`)
    head: str | None = None       # the head's turn from the shot's start; None: as drawn
    depth: float = 1.0       # 1 on the puppet plane; < 1 nearer the camera (out of focus)


@dataclass(frozen=True)
class Shot:
    id: str
    duration: float
    step: int
    camera: Camera
    cast: dict[str, Placement]
    actions: tuple[Action, ...]
    set: SetDef
    world: str
    weather: dict[str, float] = field(default_factory=dict)   # rain, snow, fog, dust, debris
    sound: SoundBed = field(default_factory=SoundBed)          # music and ambience under it
    cues: tuple[Cue, ...] = ()                                 # sounds at times, in time order


@dataclass(frozen=True)
class ShotDefaults:
    """What a shot takes from its scene unless it says otherwise."""

    world: str
    step: int
    shake: float
    set: SetDef
    weather: dict[str, float]
    sound: SoundBed = field(default_factory=SoundBed)


@dataclass(frozen=True, eq=False)
class Scene:
    name: str
    title: str
    moment: str
    world: str
    seed: int
    set: SetDef
    shots: tuple[Shot, ...]
    path: Path
    project: Any             # the `load.project.Project` it was read from (its files' finder)
    look: dict[str, float]   # flicker, grain, vignette, halation, boil: amounts (1 = default)
    sound: SoundBed = field(default_factory=SoundBed)   # the scene's bed (shots may override)

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.shots)

    def files(self) -> list[Path]:
        """Every file this scene reads: the key of its render cache."""
        used = {self.path, self.set.path}
        for shot in self.shots:
            used.add(shot.set.path)
            used.update(p.puppet.path for p in shot.cast.values())
            used.update(a.args["into"].path for a in shot.actions if a.do == "transform")
            used.update(a.args["voice"].path for a in shot.actions if "voice" in a.args)
            used.update(a.args["lipsync"] for a in shot.actions if "lipsync" in a.args)
            used.update(c.recording.path for c in shot.cues if c.recording is not None)
        for puppet_path in list(used):
            used.update(self.project.assets_of(puppet_path))
        return sorted(used)
