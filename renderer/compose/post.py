"""The look: each world's colour grade, and the camera and film effects laid over a composed frame.

The grade belongs to the paintings: a render grades each painting once as it is loaded
(`Grade.paint`), so it costs nothing per frame. Each effect is a small frozen dataclass with one
verb, `apply(frame, exposure) -> frame`, where `frame` is an (H, W, 3) uint8 RGB C-contiguous array
(changed in place and returned) and `exposure` an `ExposureLook` chosen by the caller for this
exposure. Every spatial parameter is in stage units
(the stage is 1920x1080 units), so a 320x180 draft and a 1920x1080 final show the same look.

Speed comes from uint8 OpenCV operations on plates and lookup tables built once per render
(a `PostChain` is built once per render): a whole-frame float round trip would cost more than all the effects.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from renderer.errors import SceneError
from renderer.paint.paintcache import PaintStore
from renderer.paint.grade import Grade, check_frame
from renderer.settings import STAGE_W

GRAIN_PLATES = 8          # distinct grain photographs, cycled by ExposureLook.grain
GRAIN_MARGIN = 120.0      # stage units of extra grain around the frame, for the plate windows
HALATION_GRID = (160, 90)  # halation is computed on this small grid (12 stage units a cell)
_GRAIN_KEY = 0x6772_6169  # Philox purpose key: "grai"


@dataclass(frozen=True)
class ExposureLook:
    """What varies from one exposure to the next, chosen by the caller.

    flicker: brightness gain of this exposure (1.0 = none, e.g. 1.013).
    grain: which grain plate this exposure uses; a held exposure keeps its index, so it stays the
    same photograph for its whole hold.
    """

    flicker: float = 1.0
    grain: int = 0


# --- grade and flicker ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Flicker:
    """Multiplies the whole frame's brightness by `exposure.flicker` (what a `PostChain` does when
    it has no vignette to fold the flicker into)."""

    def apply(self, frame: np.ndarray, exposure: ExposureLook) -> np.ndarray:
        check_frame(frame)
        if exposure.flicker != 1.0:
            cv2.convertScaleAbs(frame, dst=frame, alpha=float(exposure.flicker))
        return frame


# Per-world grades. Values were tuned by eye on a neutral test set; see tests for the directions.
GRADES: dict[str, Grade] = {
    # the real world: cold, desaturated, slightly blue-grey, a little flat
    "real": Grade(saturation=0.62, lift=(0.02, 0.028, 0.045), gamma=(0.97, 1.0, 1.04),
                  gain=(0.92, 0.96, 1.0), contrast=0.96),
    # the Other World: warm and rich, but from warm light rather than a wash: true blacks with a
    # cool cast (the complementary accent under the warm highlights), saturation kept in reason
    "other": Grade(saturation=1.08, lift=(0.0, 0.006, 0.03), gamma=(1.04, 1.0, 0.97),
                   gain=(1.0, 0.95, 0.86), contrast=1.12),
    # the real world made good again (the garden party): clear, gently warm, natural colour
    "sunny": Grade(saturation=1.05, lift=(0.015, 0.015, 0.01), gamma=(1.03, 1.02, 0.99),
                   gain=(1.0, 0.98, 0.93), contrast=1.02),
    # the nightmare: cold and sickly pale in the light, with deep blacks under a readable key
    "nightmare": Grade(saturation=0.55, lift=(0.0, 0.012, 0.012), gamma=(1.0, 1.05, 1.02),
                       gain=(0.93, 1.0, 0.98), contrast=1.16),
}


# --- vignette ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Vignette:
    """Darkens toward the corners, as a miniature lens does.

    radius: stage units from the centre where darkening starts. reach: stage units over which it
    ramps (smoothstep) to full strength. strength: fraction of brightness lost at full strength
    (0..1), times `amount`. The plate is built once per (size, parameters). The exposure's
    flicker rides along in the same multiplication, at no cost.
    """

    amount: float = 1.0
    radius: float = 480.0
    reach: float = 640.0
    strength: float = 0.38
    width: int = 1280
    height: int = 720

    def plate(self) -> np.ndarray:
        """(H, W, 3) uint8 factor plate, 255 = unchanged; built on first use and kept by this
        effect (and so by the render whose chain holds it)."""
        return self._plate

    @functools.cached_property
    def _plate(self) -> np.ndarray:
        return _vignette_plate(self)

    def apply(self, frame: np.ndarray, exposure: ExposureLook) -> np.ndarray:
        check_frame(frame)
        plate = self.plate()
        if frame.shape != plate.shape:
            raise ValueError(f"vignette built for {plate.shape}, frame is {frame.shape}")
        cv2.multiply(frame, plate, dst=frame, scale=float(exposure.flicker) / 255.0)
        return frame


def _vignette_plate(v: Vignette) -> np.ndarray:
    scale = v.width / STAGE_W                                    # pixels per stage unit
    # Centred on the frame, so the plate is symmetric about both midlines: compute the top-left
    # quarter (the middle row and column included) and mirror it, a quarter of the work.
    qh, qw = (v.height + 1) // 2, (v.width + 1) // 2
    ys = ((np.arange(qh) + 0.5 - v.height / 2) / scale)[:, None]
    xs = ((np.arange(qw) + 0.5 - v.width / 2) / scale)[None, :]
    t = np.hypot(xs, ys)                                         # stage units from the centre
    t -= v.radius
    t *= 1.0 / max(v.reach, 1e-6)
    np.clip(t, 0.0, 1.0, out=t)
    t = t * t * (3.0 - 2.0 * t)                                  # smoothstep
    t *= -np.clip(v.strength * v.amount, 0.0, 1.0) * 255.0
    t += 255.0 + 0.5                                             # the factor in levels, rounded
    quarter = np.clip(t, 0, 255).astype(np.uint8)
    factor = np.empty((v.height, v.width), np.uint8)
    factor[:qh, :qw] = quarter
    factor[:qh, v.width - qw:] = quarter[:, ::-1]
    factor[v.height - qh:] = factor[:qh][::-1]
    plate = cv2.cvtColor(factor, cv2.COLOR_GRAY2RGB)
    plate.setflags(write=False)
    return plate


# --- grain ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Grain:
    """Luminance-only film grain, the same photograph for a whole held exposure.

    size: grain size in stage units. amplitude: standard deviation in levels of 255 as seen at one
    pixel per stage unit (a 1080p final) — smaller renders see it averaged, as a downscaled
    photograph would, and larger ones see softer, bigger-in-pixels grains. amount scales it.
    seed: the render's seed. Exposure `k` uses plate `k % GRAIN_PLATES`. store: the paint cache
    its noise field is read back from and kept in (None: made here, kept by no one else).

    The plates are windows at eight well-separated offsets into one noise field a little larger
    than the frame: eight distinct grain images for the memory of one (a 4K plate set is ~60 MB
    instead of ~400 MB). Offsets of 60+ stage units are far beyond the distance at which the eye
    pairs up random dots, so consecutive plates read as fresh grain, not as a moving texture.
    """

    amount: float = 1.0
    size: float = 1.25
    amplitude: float = 3.5
    seed: int = 0
    width: int = 1280
    height: int = 720
    store: PaintStore | None = field(default=None, repr=False, compare=False)

    def plates(self) -> tuple[np.ndarray, np.ndarray, tuple[tuple[int, int], ...]]:
        """(positive, negative, offsets): two (H+M, W+M, 3) uint8 plates and 8 (dy, dx) origins."""
        return self._field

    @functools.cached_property
    def _field(self) -> tuple[np.ndarray, np.ndarray, tuple[tuple[int, int], ...]]:
        return _grain_field(self)

    def plate(self, index: int) -> np.ndarray:
        """The signed grain of plate `index` as an (H, W) int16 array (for tests and previews)."""
        pos, neg, offsets = self.plates()
        dy, dx = offsets[index % GRAIN_PLATES]
        window = np.s_[dy:dy + self.height, dx:dx + self.width, 0]
        return pos[window].astype(np.int16) - neg[window].astype(np.int16)

    def apply(self, frame: np.ndarray, exposure: ExposureLook) -> np.ndarray:
        check_frame(frame)
        if frame.shape != (self.height, self.width, 3):
            raise ValueError(f"grain built for {self.width}x{self.height}, frame is {frame.shape}")
        pos, neg, offsets = self.plates()
        dy, dx = offsets[exposure.grain % GRAIN_PLATES]
        window = np.s_[dy:dy + self.height, dx:dx + self.width]
        # Signed noise in uint8: add the positive half and subtract the negative, both saturating.
        cv2.add(frame, pos[window], dst=frame)
        cv2.subtract(frame, neg[window], dst=frame)
        return frame


def _grain_field(g: Grain) -> tuple[np.ndarray, np.ndarray, tuple[tuple[int, int], ...]]:
    margin = max(8, int(round(GRAIN_MARGIN * g.width / STAGE_W)))   # pixels
    # Made once per (seed, size, look) on this machine: 40 ms at 720p, a render's first frame
    # waits for it. The cache keys it by this module's code, like paintings by theirs.
    digest = None if g.store is None else g.store.key("grain", g, margin,
                                                      code=("compose/post.py",))
    cached = None if digest is None else g.store.load(digest, channels=2)
    if cached is None:
        halves = _grain_noise(g, g.width + margin, g.height + margin)
        if digest is not None:
            g.store.keep(digest, halves, ())
    else:
        halves = cached[0]
    pos, neg = (cv2.cvtColor(cv2.extractChannel(halves, c), cv2.COLOR_GRAY2RGB) for c in (0, 1))
    pos.setflags(write=False)
    neg.setflags(write=False)
    half = margin // 2
    # A lattice order in which consecutive plates are at least half a margin apart.
    lattice = [(0, 0), (margin, half), (half, 0), (0, margin), (margin, 0), (half, margin),
               (0, half), (margin, margin)]
    return pos, neg, tuple(lattice[:GRAIN_PLATES])


def _grain_noise(g: Grain, out_w: int, out_h: int) -> np.ndarray:
    """The noise field, (out_h, out_w, 2) uint8: its positive half in levels, then its negative
    half's magnitude (the same value goes to R, G and B)."""
    scale = g.width / STAGE_W                                    # pixels per stage unit
    # Noise on a grid of one cell per grain, so the grain's size is the same in stage units at
    # every output size; resampling to pixels then averages (small renders) or enlarges it.
    cell = max(g.size, 0.05)
    grid_w = max(2, int(math.ceil(out_w / scale / cell)))
    grid_h = max(2, int(math.ceil(out_h / scale / cell)))
    key = np.array([g.seed & 0xFFFF_FFFF_FFFF_FFFF, _GRAIN_KEY], dtype=np.uint64)
    rng = np.random.Generator(np.random.Philox(key=key))
    noise = rng.standard_normal((grid_h, grid_w), dtype=np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), 0.6)                 # clump neighbouring cells a little
    noise *= np.float32(g.amplitude * g.amount * _cell_gain(cell) / max(float(noise.std()), 1e-6))
    shrinking = out_w < grid_w
    noise = cv2.resize(noise, (out_w, out_h),
                       interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)
    # Rounded (half to even, as np.rint) and split by sign.
    return cv2.merge((cv2.convertScaleAbs(np.clip(noise, 0, 127)),
                      cv2.convertScaleAbs(np.clip(noise, -127, 0))))


def _cell_gain(cell: float) -> float:
    """Gain that makes the grid's std read as `amplitude` at one pixel per stage unit: a pixel of
    one unit averages about (1/cell)^2 cells when cells are smaller than a unit."""
    return max(1.0, 1.0 / cell)


# --- halation ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Halation:
    """A little warm glow around bright areas, as light scattering back through film.

    threshold: levels (0..255) of luminance above which light glows. radius: blur sigma in stage
    units. strength: glow added per level of excess. tint: (R, G, B) colour of the glow.
    Computed on a small fixed grid (HALATION_GRID, ~12 stage units a cell), so it costs a few
    halvings, a tiny blur and one upscale, and looks the same at every output size.
    """

    amount: float = 1.0
    threshold: float = 180.0
    radius: float = 30.0
    strength: float = 0.7
    tint: tuple[float, float, float] = (1.0, 0.62, 0.34)

    def glow(self, frame: np.ndarray) -> tuple[np.ndarray, tuple[slice, slice]] | None:
        """The glow to add to `frame`: an (h, w, 3) uint8 patch and the (rows, cols) slices of the
        frame it covers (the bounding box of the glow only), or None when nothing glows."""
        h, w = frame.shape[:2]
        small = frame
        gw, gh = HALATION_GRID
        while small.shape[1] // 2 >= gw and small.shape[0] // 2 >= gh:
            # Exact 2x2 averages take OpenCV's fast path; a single big area resize is 5x slower.
            small = cv2.resize(small, (small.shape[1] // 2, small.shape[0] // 2),
                               interpolation=cv2.INTER_AREA)
        small = cv2.resize(small, (gw, gh), interpolation=cv2.INTER_AREA)
        luma = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
        excess = np.maximum(luma - np.float32(self.threshold), 0.0)
        if not excess.any():
            return None
        sigma = self.radius * gw / STAGE_W                       # stage units -> grid cells
        excess = cv2.GaussianBlur(excess, (0, 0), sigma) * np.float32(self.strength * self.amount)
        tint = np.asarray(self.tint, dtype=np.float32)
        # A cell glows if its most tinted channel rounds to a level or more (as below).
        lit = excess * tint.max() + 0.5 >= 1.0
        rows = np.flatnonzero(lit.any(axis=1))
        cols = np.flatnonzero(lit.any(axis=0))
        if rows.size == 0:
            return None
        # Upscale only the glowing box, padded by a cell of zeros so its edges blend seamlessly.
        y0, y1 = max(rows[0] - 1, 0), min(rows[-1] + 2, gh)
        x0, x1 = max(cols[0] - 1, 0), min(cols[-1] + 2, gw)
        glow = np.clip(excess[y0:y1, x0:x1, None] * tint + 0.5, 0, 255).astype(np.uint8)
        py0, py1 = round(y0 * h / gh), round(y1 * h / gh)
        px0, px1 = round(x0 * w / gw), round(x1 * w / gw)
        patch = cv2.resize(glow, (px1 - px0, py1 - py0),
                           interpolation=cv2.INTER_LINEAR)
        return patch, (slice(py0, py1), slice(px0, px1))

    def apply(self, frame: np.ndarray, exposure: ExposureLook) -> np.ndarray:
        check_frame(frame)
        found = self.glow(frame)
        if found is not None:
            patch, (rows, cols) = found
            view = frame[rows, cols]
            cv2.add(view, patch, dst=view)
        return frame


# --- the chain -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PostChain:
    """The look of one render. `grade` is the world's colour grade, which the compositor gives
    every painting as it is loaded (`Grade.paint`); `effects` are laid over each composed frame by
    `apply`, in order: halation, vignette with the flicker folded in (or the flicker alone),
    grain. Build it once per render with `PostChain.build`; `apply` per exposure."""

    width: int
    height: int
    grade: Grade
    effects: tuple

    @classmethod
    def build(cls, width: int, height: int, world: str, seed: int, *, grain: float = 1.0,
              vignette: float = 1.0, halation: float = 1.0,
              store: PaintStore | None = None) -> "PostChain":
        """The look of a `width` x `height` pixel render of `world` (a key of GRADES).
        grain, vignette, halation: amounts, 1 the default look, 0 off. store: the paint cache
        the grain's noise field is kept in."""
        return _build(int(width), int(height), world, int(seed), float(grain), float(vignette),
                      float(halation), store)

    def prepare(self) -> "PostChain":
        """Build the plates the effects use now rather than at the first frame (each effect
        keeps its own)."""
        for effect in self.effects:
            if isinstance(effect, Vignette):
                effect.plate()
            elif isinstance(effect, Grain):
                effect.plates()
        return self

    def apply(self, frame: np.ndarray, exposure: ExposureLook) -> np.ndarray:
        """Apply every effect in place to an (H, W, 3) uint8 RGB frame and return it."""
        check_frame(frame)
        if frame.shape[:2] != (self.height, self.width):
            raise ValueError(f"chain built for {self.width}x{self.height}, frame is "
                             f"{frame.shape[1]}x{frame.shape[0]}")
        for effect in self.effects:
            frame = effect.apply(frame, exposure)
        return frame


def _build(width: int, height: int, world: str, seed: int, grain: float, vignette: float,
           halation: float, store: PaintStore | None = None) -> PostChain:
    if world not in GRADES:
        raise SceneError(f"unknown world {world!r}", field="world",
                         hint="expected one of: " + ", ".join(GRADES))
    effects: list = []
    if halation > 0:
        effects.append(Halation(amount=halation))
    if vignette > 0:
        effects.append(Vignette(amount=vignette, width=width, height=height))
    else:
        effects.append(Flicker())
    if grain > 0:
        effects.append(Grain(amount=grain, seed=seed, width=width, height=height, store=store))
    return PostChain(width, height, GRADES[world], tuple(effects))
