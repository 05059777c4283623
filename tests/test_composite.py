"""The compositor's fast paths give the same pixels as the plain ones they replace."""
import cv2
import numpy as np
import pytest

from renderer import composite, rig
from renderer.sprites import LayerSprite


def painting(w: int = 400, h: int = 240) -> LayerSprite:
    """A smooth opaque painting with distinct edge colours (so a border mode shows)."""
    rng = np.random.default_rng(3)
    rgb = cv2.GaussianBlur((rng.random((h, w, 3)) * 255).astype(np.uint8), (0, 0), 2)
    rgb[:, 0] = (250, 0, 0)
    rgb[:, -1] = (0, 250, 0)
    return LayerSprite(cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA), (0.0, 0.0), 1.0, True)


def replicated(sprite: LayerSprite, place: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The reference: a three-channel warp with replicated borders."""
    shifted = rig.translate(-0.5, -0.5) @ place @ rig.translate(0.5, 0.5)
    return cv2.warpAffine(sprite.rgb, rig.affine(shifted), size, flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


@pytest.mark.parametrize("place", [
    rig.translate(-20.3, -11.7) @ rig.scale(0.83),                      # a push-in, inside
    rig.translate(-5.0, -3.0) @ rig.rotate(1.5) @ rig.scale(0.9),       # a tilted camera
    rig.translate(30.0, 0.0),                                           # sees past the left edge
    rig.scale(1.6),                                                     # sees past the right edge
    rig.scale(0.8),                # the last column's taps end exactly on the painting's edge
    rig.scale(0.799),              # ... and a hair beyond it
])
def test_a_covering_backdrop_matches_the_replicated_warp_pixel_for_pixel(place):
    sprite = painting()
    frame = np.zeros((180, 320, 3), np.uint8)
    composite._cover(frame, sprite, place)
    assert np.array_equal(frame, replicated(sprite, place, (320, 180)))


def test_a_camera_seeing_past_the_backdrop_repeats_its_edge_instead_of_black():
    frame = np.zeros((180, 320, 3), np.uint8)
    composite._cover(frame, painting(), rig.translate(30.0, 0.0))
    assert (frame[:, :20] == (250, 0, 0)).all()
