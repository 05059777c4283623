"""The colour grade of a world, given to each painting as it is loaded and to whole frames."""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


def check_frame(frame: np.ndarray) -> None:
    """Refuse what in-place frame effects cannot work on: anything but a C-contiguous
    (H, W, 3) uint8 array."""
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) uint8 frame, got {frame.shape} {frame.dtype}")
    if not frame.flags.c_contiguous:
        raise ValueError("post effects work in place and need a C-contiguous frame")


@dataclass(frozen=True)
class Grade:
    """A colour grade: saturation, then per-channel lift / gamma / gain, then contrast.

    saturation: 1 keeps colours, 0 is grey, above 1 is more saturated (mixing with Rec.601 grey).
    lift, gamma, gain: per channel (R, G, B) on values in 0..1: lift raises the blacks toward
    `lift`, gamma > 1 brightens the midtones, gain scales the whites (a tint is a gain).
    contrast: slope around `pivot` (0..1) after the above.

    A render grades its paintings once, as they are loaded (`paint`), not every frame: grading
    commutes with laying one painting over another wherever paint is opaque, and saturation, lift,
    gain and contrast are affine, so only the soft edges of paint see the slight curvature of the
    gammas. `apply` grades a whole frame.
    """

    saturation: float = 1.0
    lift: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gamma: tuple[float, float, float] = (1.0, 1.0, 1.0)
    gain: tuple[float, float, float] = (1.0, 1.0, 1.0)
    contrast: float = 1.0
    pivot: float = 0.45
    # made with the grade, read only: a weather's colour and every painting are graded by it
    _lut: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lut", _grade_lut(self))

    def lut(self) -> np.ndarray:
        """The (256, 1, 3) uint8 table for `cv2.LUT` (saturation aside)."""
        return self._lut

    def apply(self, frame: np.ndarray) -> np.ndarray:
        """Grade an (H, W, 3) uint8 RGB frame in place and return it."""
        check_frame(frame)
        if self.saturation != 1.0:
            saturate(frame, self.saturation)
        cv2.LUT(frame, self.lut(), dst=frame)
        return frame

    def paint(self, rgba: np.ndarray) -> np.ndarray:
        """A graded copy of a premultiplied (h, w, 4) uint8 painting: the colour under each pixel's
        coverage is graded, then multiplied by the coverage again. Worked PAINT_BAND rows at a
        time: a close-up's backdrop is tens of millions of pixels, and whole copies of it (its
        colour, its coverage in three channels) put a cold render's worker 15 MB higher."""
        out = np.empty_like(rgba)
        for r0 in range(0, rgba.shape[0], PAINT_BAND):
            self._paint_rows(rgba[r0:r0 + PAINT_BAND], out[r0:r0 + PAINT_BAND])
        return out

    def _paint_rows(self, rgba: np.ndarray, out: np.ndarray) -> None:
        rgb = cv2.cvtColor(rgba, cv2.COLOR_RGBA2RGB)
        alpha = cv2.extractChannel(rgba, 3)
        if cv2.minMaxLoc(alpha)[0] == 255:
            cv2.cvtColor(self.apply(rgb), cv2.COLOR_RGB2RGBA, dst=out)
            return
        alpha3 = cv2.cvtColor(alpha, cv2.COLOR_GRAY2RGB)
        cv2.divide(rgb, alpha3, dst=rgb, scale=255.0)          # straight colour; 0 where empty
        cv2.multiply(self.apply(rgb), alpha3, dst=rgb, scale=1.0 / 255.0)
        cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA, dst=out)
        cv2.insertChannel(alpha, out, 3)


PAINT_BAND = 256   # rows of a painting graded at a time (`Grade.paint`)


def _grade_lut(grade: Grade) -> np.ndarray:
    x = np.linspace(0.0, 1.0, 256)[:, None]                      # (256, 1) input level, 0..1
    lift, gamma, gain = (np.asarray(v, dtype=np.float64)[None, :]
                         for v in (grade.lift, grade.gamma, grade.gain))
    y = gain * (x + lift * (1.0 - x)) ** (1.0 / gamma)           # (256, 3)
    y = (y - grade.pivot) * grade.contrast + grade.pivot
    y = np.clip(y * 255.0 + 0.5, 0, 255).astype(np.uint8)
    table = np.ascontiguousarray(y[:, None, :])                  # (256, 1, 3) for 3-channel LUT
    table.setflags(write=False)
    return table


def saturate(frame: np.ndarray, amount: float) -> np.ndarray:
    """Scale saturation of an (H, W, 3) uint8 RGB frame in place: 0 grey, 1 unchanged, >1 more.

    One `cv2.transform` with a 3x3 mixing matrix toward Rec.601 grey: a single saturating uint8
    pass, faster than building a grey image and `addWeighted` (0.5 against 0.9 ms at 720p on a
    core)."""
    cv2.transform(frame, _saturation_matrix(round(float(amount), 5)), dst=frame)
    return frame


def _saturation_matrix(amount: float) -> np.ndarray:
    """Made for each call: ~25 us, against half a millisecond for the transform it drives."""
    luma = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.eye(3, dtype=np.float32) * amount + (1.0 - amount) * luma[None, :]
