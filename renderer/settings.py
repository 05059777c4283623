"""Render settings: one frozen value passed explicitly down the pipeline.

Precedence, documented once: built-in defaults < the scene file < the command line.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from renderer.errors import LimitError

STAGE_W = 1920
STAGE_H = 1080

# Resource limits a user can see in --help and README. Each refusal names the limit.
MAX_WIDTH = 3840
MIN_WIDTH = 64
MAX_FPS = 60
MAX_SHOT_SECONDS = 120.0
MIN_SHOT_SECONDS = 0.01     # shorter holds no frame at some fps (a 1e-8 s shot held none)
MAX_SCENE_SECONDS = 600.0    # with MAX_FPS: at most 36 000 frames a scene
MAX_IMAGE_PIXELS = 4096 * 4096
MAX_FILE_BYTES = 2 * 1024 * 1024
# Sound: every mix is made at one rate; recordings at another rate are resampled to it.
SAMPLE_RATE = 48000
MAX_AUDIO_BYTES = 64 * 1024 * 1024    # a recording or sound file (about 6 min of 16-bit stereo)
MAX_RECORDING_SECONDS = MAX_SHOT_SECONDS
CAPTIONS = ("auto", "burn", "track", "off")
# A painting (a set layer, a puppet part) holds at most this many frames' worth of pixels, and its
# shapes' boxes cover at most PAINT_WORK_FRAMES frames (the time painting takes): a layer that
# would hold more, seen up close or huge, is painted only where the camera looks, a part at a
# lower resolution (shown enlarged), so memory and time follow the output, not the zoom or the
# extent. No shipped painting comes near.
MAX_PAINT_FRAMES = 16
# A set's shapes: at most this many, and their boxes cover at most this many stages' worth of
# area (1920x1080 units each), so painting a set takes seconds, not minutes. The shipped sets
# hold up to 275 shapes covering up to 24 stages.
MAX_SET_SHAPES = 1000
MAX_SET_SHAPE_STAGES = 40
PAINT_WORK_FRAMES = 64


@dataclass(frozen=True)
class Quality:
    """An output size with the encoder settings chosen for it."""

    name: str
    width: int
    height: int
    crf: int
    preset: str


QUALITIES = {
    "draft": Quality("draft", 640, 360, 23, "veryfast"),
    "preview": Quality("preview", 1280, 720, 20, "veryfast"),
    "final": Quality("final", 1920, 1080, 18, "medium"),
}


@dataclass(frozen=True)
class VideoFormat:
    """What an encoder is told: size in pixels, frames per second, x264 rate factor and preset
    (crf and preset are ignored by a PNG folder)."""

    width: int
    height: int
    fps: int
    crf: int = 20
    preset: str = "veryfast"


@dataclass(frozen=True)
class RenderSettings:
    """Everything about a render that is not in the scene file.

    width, height: output size in pixels (even numbers; 16:9 like the stage).
    fps: output frames per second. crf, preset: x264 rate factor and speed preset.
    seed: overrides the scene's seed when not None. post: apply post effects (grade, flicker,
    vignette, grain, halation); off only for benchmarks and tests that isolate the compositor.
    audio: give videos their soundtrack (AAC) and subtitle track. captions: "burn" draws the
    lines on the picture, "track" puts them only in the subtitle track and a WebVTT sidecar,
    "off" neither; "auto" is "track" with audio and "burn" without (see `burn_captions`).
    """

    width: int = 1280
    height: int = 720
    fps: int = 24
    crf: int = 20
    preset: str = "veryfast"
    seed: int | None = None
    post: bool = True
    audio: bool = True
    captions: str = "auto"

    @property
    def burn_captions(self) -> bool:
        """Whether dialogue is drawn on the picture."""
        return self.captions == "burn" or (self.captions == "auto" and not self.audio)

    @property
    def caption_track(self) -> bool:
        """Whether a video gets a subtitle stream and a WebVTT sidecar."""
        return self.audio and self.captions != "off"

    @property
    def scale(self) -> float:
        """Pixels per stage unit."""
        return self.width / STAGE_W

    @property
    def video(self) -> VideoFormat:
        return VideoFormat(self.width, self.height, self.fps, self.crf, self.preset)

    def with_size(self, width: int) -> "RenderSettings":
        return replace(self, width=width, height=height_for(width))


def height_for(width: int) -> int:
    """The even height that keeps the stage's 16:9 aspect for `width` pixels."""
    return max(2, int(round(width * STAGE_H / STAGE_W / 2)) * 2)


def settings_for(quality: str = "preview", width: int | None = None, fps: int = 24,
                 seed: int | None = None, post: bool = True, audio: bool = True,
                 captions: str = "auto") -> RenderSettings:
    """Settings for a named quality level, optionally at another width (height follows 16:9)."""
    q = QUALITIES[quality]
    w = q.width if width is None else width
    if not (MIN_WIDTH <= w <= MAX_WIDTH):
        raise LimitError(f"width {w} px is outside the limit {MIN_WIDTH}..{MAX_WIDTH} px",
                         hint=f"the largest output is {MAX_WIDTH}x{height_for(MAX_WIDTH)}: choose "
                              f"--width {MIN_WIDTH}..{MAX_WIDTH} or a --quality")
    if w % 2:
        raise LimitError(f"width {w} px must be even (H.264 4:2:0 needs even sizes)",
                         hint=f"try --width {w + 1 if w + 1 <= MAX_WIDTH else w - 1}")
    if not (1 <= fps <= MAX_FPS):
        raise LimitError(f"fps {fps} is outside the limit 1..{MAX_FPS}",
                         hint=f"choose --fps 1..{MAX_FPS}; films run at 24")
    return RenderSettings(width=w, height=height_for(w), fps=fps, crf=q.crf, preset=q.preset,
                          seed=seed, post=post, audio=audio, captions=captions)
