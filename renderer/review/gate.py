"""The gate: whether two renders of a frame are the same picture, and how they differ.

A channel value may differ by at most MAX_CHANNEL_DIFF levels; values that differ by more must be
fewer than MAX_DIFF_RATIO of all values. Golden frames and `stopmo diff` both judge by it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

# One level per channel is rounding, not a regression: float->uint8 conversions in the grade and
# blits may round the other way on another numpy, libm or SIMD path. Anything bigger counts.
MAX_CHANNEL_DIFF = 1
# Values allowed to differ by more than one level, as a fraction of all values. At 320x180x3 this
# lets one value through (a single antialiased edge sample flipping under another libm's or SIMD
# path's float rounding), while the smallest real changes the must-fail tests make move far more:
# a one-stage-unit shift of a puppet ~600 values at 160x90, her coat 8 levels yellower ~90.
# Raise it only with a measured reason.
MAX_DIFF_RATIO = 1e-5


# --------------------------------------------------------------------------- comparing frames

@dataclass(frozen=True)
class FrameDiff:
    """How an actual (H, W, 3) uint8 frame differs from the expected one.

    Differences are absolute, per channel value, in levels 0..255. `over` counts values differing
    by more than MAX_CHANNEL_DIFF, out of `total` = H*W*3; `psnr` is in dB (inf when identical);
    `bbox` is (x0, y0, x1, y1) in pixels, end exclusive, around the pixels over the tolerance.
    """

    max_diff: int
    over: int
    total: int
    mean_abs: float
    psnr: float
    bbox: tuple[int, int, int, int] | None

    @property
    def ratio(self) -> float:
        return self.over / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.ratio < MAX_DIFF_RATIO

    @property
    def identical(self) -> bool:
        return self.max_diff == 0

    def describe(self) -> str:
        box = "none" if self.bbox is None else \
            f"x {self.bbox[0]}..{self.bbox[2] - 1}, y {self.bbox[1]}..{self.bbox[3] - 1}"
        return (f"max diff {self.max_diff}, {self.over} of {self.total} values over "
                f"±{MAX_CHANNEL_DIFF} ({self.ratio:.3g}; gate < {MAX_DIFF_RATIO:g}), "
                f"PSNR {psnr_text(self.psnr)}, changed box {box}")


def psnr_text(psnr: float) -> str:
    return "inf" if psnr == float("inf") else f"{psnr:.1f} dB"


def compare(expected: np.ndarray, actual: np.ndarray) -> FrameDiff:
    """Score `actual` against `expected`, both (H, W, 3) uint8 of the same size."""
    if expected.shape != actual.shape or expected.dtype != np.uint8 or actual.dtype != np.uint8:
        raise ValueError(f"cannot compare a {actual.shape} {actual.dtype} frame with a "
                         f"{expected.shape} {expected.dtype} one")
    d = np.abs(expected.astype(np.int16) - actual.astype(np.int16))
    over_mask = d > MAX_CHANNEL_DIFF
    mse = float(np.mean(np.square(d, dtype=np.int32)))
    psnr = float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)
    return FrameDiff(int(d.max(initial=0)), int(over_mask.sum()), d.size, float(d.mean()), psnr,
                     _bbox(over_mask.any(axis=2)))


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


CYAN, AMBER = (40, 220, 230), (110, 80, 20)


def diff_image(expected: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """What changed, for a reviewer: (H, W, 3) uint8, the expected frame dimmed to grey, pixels
    over the tolerance in red (from dull at 2 levels to full at 28 and more), rounding-level
    differences in dim amber, and a cyan box around the change so even one pixel can be found."""
    d = np.abs(expected.astype(np.int16) - actual.astype(np.int16)).max(axis=2)
    grey = (expected.astype(np.float32) @ np.float32([0.299, 0.587, 0.114])) * 0.3
    out = np.repeat(grey[..., None], 3, axis=2).astype(np.uint8)
    over = d > MAX_CHANNEL_DIFF
    box = _bbox(over)
    if box is not None:  # two pixels outside the change, so the box never hides it
        h, w = d.shape
        x0, y0 = max(0, box[0] - 2), max(0, box[1] - 2)
        x1, y1 = min(w, box[2] + 2), min(h, box[3] + 2)
        out[[y0, y1 - 1], x0:x1] = CYAN
        out[y0:y1, [x0, x1 - 1]] = CYAN
    out[(d > 0) & ~over] = AMBER
    # amplified: a grain-level change is dull red, a moved edge or a new colour bright red
    out[over, 0] = np.minimum(255, 90 + 6 * d[over])
    out[over, 1:] = 0
    return out


def load_png(path: Path) -> np.ndarray | None:
    """An RGB PNG as (H, W, 3) uint8, or None when there is no such file."""
    if not path.is_file():
        return None
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
