"""Counter-based jitter: same keys, same numbers; bounded amplitudes."""
import numpy as np

from renderer import jitter


def test_same_keys_give_the_same_numbers_and_other_keys_differ():
    a = jitter.stream(3, "shot", 7, "coraline", "boil").random(4)
    b = jitter.stream(3, "shot", 7, "coraline", "boil").random(4)
    c = jitter.stream(3, "shot", 8, "coraline", "boil").random(4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_boil_stays_within_each_parts_amplitude():
    amps = np.array([0.5, 1.0, 2.0])
    for exposure in range(200):
        b = jitter.boil(1, "s", exposure, "x", amps, degrees=0.6)
        assert np.all(np.abs(b[:, :2]) <= amps[:, None] + 1e-12)
        assert np.all(np.abs(b[:, 2]) <= 0.6 * amps / amps.max() + 1e-12)


def test_boil_actually_moves_parts_between_exposures():
    amps = np.ones(5)
    offsets = np.array([jitter.boil(1, "s", e, "x", amps, 0.6) for e in range(50)])
    assert offsets[:, :, :2].std() > 0.2   # clipped N(0, 0.5): std about 0.46 units


def test_flicker_stays_within_its_amount():
    gains = [jitter.flicker(9, "s", e, 0.02) for e in range(300)]
    assert min(gains) >= 0.98 and max(gains) <= 1.02
    assert max(gains) - min(gains) > 0.03  # and it really varies


def test_no_one_blinks_just_after_a_cut_or_just_before_the_next(write_scene, project):
    """Random blinks keep clear of a shot's first BLINK_CLEAR_IN and last BLINK_CLEAR_OUT
    seconds: a reaction shot opens on eyes that read. Over a hundred seeds, a blink every three
    seconds on average lands there several times unless kept out; elsewhere blinks still come."""
    from dataclasses import replace

    from renderer.load.scene import load_scene
    from renderer.stage import pose
    from renderer.stage.timing import exposure_sheet, frames_for
    path = write_scene("blinks", """
        scene: blinks
        set: other_dining_room
        shots:
          - id: look
            duration: 2.0
            cast:
              coraline: {at: [900, 930]}
        """)
    scene = load_scene(path, project)
    shot = scene.shots[0]
    seen: list[tuple[float, bool]] = []
    real_pose = pose._pose_actor

    def spy(place, s, blinking, *rest, **kw):
        seen.append((current[0], blinking))
        return real_pose(place, s, blinking, *rest, **kw)
    current = [0.0]
    sheet = exposure_sheet(frames_for(shot.duration, 24), 24, lambda _: 2)
    try:
        pose._pose_actor = spy
        for seed in range(100):
            seeded = replace(scene, seed=seed)
            for e in sheet:
                current[0] = e.time
                pose.stage_exposure(seeded, shot, e, pose.StageMemo())
    finally:
        pose._pose_actor = real_pose
    blinks = [t for t, b in seen if b]
    assert blinks, "random blinks still come"
    assert all(pose.BLINK_CLEAR_IN <= t < shot.duration - pose.BLINK_CLEAR_OUT for t in blinks)
