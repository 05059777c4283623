"""RGB frames as the encoder stores them: planar Y'CbCr 4:2:0 (I420), BT.709, limited range.

A render sends each exposure to the encoder `hold` times. Converted here, an exposure is
converted once instead of once per frame by ffmpeg's scaler, and half the bytes go down the
pipe (1.4 MB a 720p frame instead of 2.8). The conversion is the one x264's players undo for HD
(`VideoSink` tags it so): Y' = 16 + 219 (Kr R + Kg G + Kb B) / 255, Cb and Cr scaled to 224
levels around 128, with Kr = 0.2126 and Kb = 0.0722; chroma is the mean of each 2x2 block
(centre-sited; ffmpeg's scaler sites it at the left column, a quarter of a chroma sample away).
"""
from __future__ import annotations

import cv2
import numpy as np

KR, KB = 0.2126, 0.0722          # BT.709 luma weights of red and blue
KG = 1.0 - KR - KB
_LUMA = np.array([KR, KG, KB]) * 219 / 255
_CB = np.array([-KR, -KG, 1.0 - KB]) / (2 * (1.0 - KB)) * 224 / 255
_CR = np.array([1.0 - KR, -KG, -KB]) / (2 * (1.0 - KR)) * 224 / 255
# One 3x4 matrix: OpenCV's three-channel transform has a fast path; one or two output channels
# take a slower one (measured 1.9 ms for Y alone at 720p against 0.7 ms for all three).
BT709_LIMITED = np.array([[*_LUMA, 16.0], [*_CB, 128.0], [*_CR, 128.0]], np.float32)


class I420Converter:
    """Converts (H, W, 3) uint8 RGB frames of one size into I420 bytes, reusing its buffers:
    the array `convert` returns is overwritten by the next call."""

    def __init__(self, width: int, height: int) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"I420 needs an even width and height, not {width}x{height}")
        self.width, self.height = width, height
        n = width * height
        self._out = np.empty(n * 3 // 2, np.uint8)
        self._full = np.empty((height, width, 3), np.uint8)
        self._y = self._out[:n].reshape(height, width)
        self._cb = self._out[n:n * 5 // 4].reshape(height // 2, width // 2)
        self._cr = self._out[n * 5 // 4:].reshape(height // 2, width // 2)

    def convert(self, rgb: np.ndarray) -> np.ndarray:
        """The frame as one flat uint8 array: the Y' plane, then Cb and Cr at half size."""
        cv2.transform(rgb, BT709_LIMITED, dst=self._full)
        cv2.extractChannel(self._full, 0, dst=self._y)
        # an exact halving takes OpenCV's 2x2-average fast path
        half = cv2.resize(self._full, (self.width // 2, self.height // 2),
                          interpolation=cv2.INTER_AREA)
        cv2.extractChannel(half, 1, dst=self._cb)
        cv2.extractChannel(half, 2, dst=self._cr)
        return self._out
