"""Exposure sheets: whole frames, holds, per-action steps, easing."""
import pytest

from renderer.stage.timing import (
    EASINGS,
    exposure_at,
    exposure_sheet,
    frames_for,
    progress,
)


def test_frames_for_rounds_up_without_float_noise():
    assert frames_for(4.0, 24) == 96          # 4.0 * 24 may be 96.00000000001 in floats
    assert frames_for(0.1, 24) == 3           # 2.4 frames need 3 to cover the time
    assert frames_for(1 / 24, 24) == 1


def test_on_twos_makes_half_as_many_exposures_each_held_two_frames():
    sheet = exposure_sheet(48, 24, lambda f: 2)
    assert len(sheet) == 24
    assert all(e.hold == 2 for e in sheet)
    assert [e.frame for e in sheet[:3]] == [0, 2, 4]
    assert sheet[1].time == pytest.approx(2 / 24)


def test_a_hold_never_runs_past_the_end_of_the_shot():
    sheet = exposure_sheet(7, 24, lambda f: 3)
    assert [e.hold for e in sheet] == [3, 3, 1]
    assert sum(e.hold for e in sheet) == 7


def test_an_action_on_ones_inside_a_shot_on_twos():
    # Frames 4..7 are a fast action on ones: exposures at 0, 2, 4, 5, 6, 7, 8, 10.
    sheet = exposure_sheet(12, 24, lambda f: 1 if 4 <= f < 8 else 2)
    assert [e.frame for e in sheet] == [0, 2, 4, 5, 6, 7, 8, 10]
    assert exposure_at(sheet, 3).frame == 2
    assert exposure_at(sheet, 11).frame == 10
    with pytest.raises(IndexError):
        exposure_at(sheet, 12)


@pytest.mark.parametrize("ease", sorted(EASINGS))
def test_easings_start_at_zero_and_end_at_one(ease):
    assert progress(0.0, 0.0, 2.0, ease) == pytest.approx(0.0)
    assert progress(2.0, 0.0, 2.0, ease) == pytest.approx(1.0)
    assert progress(5.0, 0.0, 2.0, ease) == pytest.approx(1.0)


def test_in_out_is_slow_at_the_ends_and_half_way_at_the_middle():
    assert progress(1.0, 0.0, 2.0, "in_out") == pytest.approx(0.5)
    assert progress(0.2, 0.0, 2.0, "in_out") < progress(0.2, 0.0, 2.0, "linear")
    assert progress(0.2, 0.0, 2.0, "out") > progress(0.2, 0.0, 2.0, "linear")


def test_an_action_runs_on_the_frames_whose_time_falls_inside_it():
    """Seconds become frames one way everywhere (`frames_for`): an action from 0.3 s to 0.7 s at
    24 fps runs on frames 8..16 (7.2 -> 8, the first frame at or after its start; 16.8 -> 17, the
    first after its end), so an action `step: 1` on a shot on twos holds frames 8..16 on ones."""
    from renderer.model.action import Action
    from renderer.model.scene import Camera, CameraKey, Shot
    from renderer.render import shot_sheet
    act = Action(t=0.3, who="x", do="pose", duration=0.4, ease="linear", step=1)
    shot = Shot("s", 1.0, 2, Camera(CameraKey(), CameraKey()), {}, (act,), None, "real")
    starts = [e.frame for e in shot_sheet(shot, 24)]
    assert starts == [0, 2, 4, 6] + list(range(8, 17)) + [17, 19, 21, 23]   # the last held short
