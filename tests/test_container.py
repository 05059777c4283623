"""Container facts of a rendered scene, read back from the MP4 (kept apart from pixel tests:
H.264 moves pixels, so pictures are compared before encoding, in test_regression).

tests/test_encode.py checks the same facts for frames written straight to the encoder; this checks
them for a scene rendered through the command line, holds and a non-default fps included.
"""
from __future__ import annotations

import pytest

from renderer.cli import main
from renderer.load.scene import load_scene
from renderer.output.probe import probe
from renderer.render import plan_scene
from renderer.settings import settings_for


def test_a_rendered_scene_is_h264_yuv420p_of_the_promised_size_rate_and_length(small_scene,
                                                                               project_dir):
    out = project_dir / "output" / "small.mp4"
    assert main(["render", str(small_scene), "--width", "160", "--fps", "12", "-o", str(out)]) == 0
    frames = plan_scene(load_scene(small_scene), settings_for("draft", 160, fps=12)).frames
    info = probe(out)
    assert (info.codec, info.pix_fmt) == ("h264", "yuv420p")   # plays everywhere
    assert (info.width, info.height) == (160, 90)
    assert info.fps == pytest.approx(12.0)
    assert info.frames == frames == 18                         # 1.5 s of scene, holds written out
    assert info.duration == pytest.approx(1.5, abs=0.5 / 12)
