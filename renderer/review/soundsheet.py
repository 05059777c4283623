"""A picture of a soundtrack, to listen with the eyes: its spectrogram (log frequency, 40 Hz to
16 kHz, darker is quieter) over its short-term level in LUFS, a band per shot and a tick per
subtitle cue."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from renderer.settings import SAMPLE_RATE as SR
from renderer.sound.loudness import k_weighted_power

WIDTH, SPEC_H, LEVEL_H = 1200, 320, 160


def sound_sheet(track, plan, title: str) -> np.ndarray:
    """(H, W, 3) uint8: the spectrogram of `track` (a `Soundtrack`) above its level, with the
    shots of `plan` marked."""
    mono = track.samples.mean(axis=1)
    n = len(mono)
    cols = WIDTH
    win = 4096
    starts = np.linspace(0, max(0, n - win), cols).astype(int)
    frames = np.stack([np.pad(mono[s:s + win], (0, max(0, win - len(mono[s:s + win]))))
                       for s in starts]) * np.hanning(win)
    spec = 20 * np.log10(np.abs(np.fft.rfft(frames, axis=1)) + 1e-9)
    freqs = np.fft.rfftfreq(win, 1 / SR)
    rows = np.geomspace(40, 16000, SPEC_H)[::-1]
    idx = np.clip(np.searchsorted(freqs, rows), 0, len(freqs) - 1)
    img = spec[:, idx].T
    top = img.max()
    v = np.clip((img - (top - 90)) / 90, 0, 1)
    rgb = np.stack([v ** 0.6, v ** 1.2, (1 - v) * v * 2 + v ** 3], axis=-1)
    spec_img = (rgb * 255).astype(np.uint8)
    # short-term loudness (3 s windows) and momentary (0.4 s), in LUFS
    power = k_weighted_power(track.samples)
    c = np.concatenate([[0.0], np.cumsum(power)])
    level = Image.new("RGB", (cols, LEVEL_H), (18, 18, 22))
    d = ImageDraw.Draw(level)
    def lufs(window: float) -> np.ndarray:
        k = int(window * SR)
        centres = np.linspace(0, n, cols).astype(int)
        lo, hi = np.clip(centres - k // 2, 0, n), np.clip(centres + k // 2, 0, n)
        return -0.691 + 10 * np.log10(np.maximum((c[hi] - c[lo]) / np.maximum(hi - lo, 1), 1e-12))
    y = lambda db: LEVEL_H - 1 - (np.clip(db, -50, 0) + 50) / 50 * (LEVEL_H - 1)  # noqa: E731
    for db_line in (-10, -16, -23, -30, -40):
        d.line([(0, y(db_line)), (cols, y(db_line))], fill=(60, 60, 70) if db_line != -16
               else (120, 90, 40))
        d.text((2, y(db_line) - 11), f"{db_line}", fill=(130, 130, 140))
    for window, colour in ((0.4, (90, 160, 220)), (3.0, (240, 200, 90))):
        pts = list(zip(range(cols), y(lufs(window))))
        d.line(pts, fill=colour, width=1)
    sheet = Image.new("RGB", (cols, SPEC_H + LEVEL_H + 24), (10, 10, 12))
    sheet.paste(Image.fromarray(spec_img), (0, 24))
    sheet.paste(level, (0, 24 + SPEC_H))
    d = ImageDraw.Draw(sheet)
    d.text((4, 4), f"{title}: {track.seconds:.1f} s  spectrogram 40 Hz-16 kHz (log) | "
           "level LUFS: blue momentary, yellow short-term, orange line -16", fill=(220, 220, 220))
    total = sum(s.frames for s in plan.shots) or 1
    for s in plan.shots:
        x = s.first_frame / total * cols
        d.line([(x, 24), (x, sheet.height)], fill=(255, 255, 255))
        d.text((x + 3, 26), s.shot.id, fill=(255, 255, 255))
    for sub in track.subtitles:
        x0, x1 = sub.start / track.seconds * cols, sub.end / track.seconds * cols
        d.rectangle([x0, sheet.height - 6, x1, sheet.height - 2], fill=(120, 220, 120))
    return np.asarray(sheet)
