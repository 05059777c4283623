"""What a viewer of the render would notice: holds, handmade jitter, determinism, mirroring."""
from dataclasses import replace

import numpy as np
import pytest

from renderer.compose.paintings import Paintings
from renderer.load.scene import load_scene
from renderer.render import (
    exposures,
    locate,
    plan_scene,
    render_exposure,
    render_frame,
    render_frames,
)
from renderer.settings import settings_for
from renderer.stage import rig
from renderer.stage.pose import stage_exposure


@pytest.fixture
def plan(small_scene, tiny):
    return plan_scene(load_scene(small_scene), tiny)


def all_frames(plan):
    out = []
    for frame, hold in render_frames(plan):
        out.extend([frame] * hold)
    return out


def test_frame_count_follows_the_shots_and_steps(plan):
    # Shot one: 1.0 s at 24 fps = 24 frames on twos = 12 exposures.
    # Shot two: 0.5 s = 12 frames on ones = 12 exposures.
    assert plan.frames == 36
    assert plan.exposures == 24


def test_frames_inside_a_hold_are_identical_and_exposures_differ(plan):
    frames = all_frames(plan)
    assert np.array_equal(frames[0], frames[1])          # one exposure held on twos
    assert np.array_equal(frames[4], frames[5])
    # every new exposure is a new photograph: boil, flicker and grain change it
    for a, b in zip(range(0, 22, 2), range(2, 24, 2)):
        assert not np.array_equal(frames[a], frames[b]), (a, b)
    assert not np.array_equal(frames[24], frames[25])    # shot two is on ones


def test_a_still_equals_the_same_frame_of_the_full_render(plan):
    frames = all_frames(plan)
    for n in (0, 7, 23, 30, 35):
        assert np.array_equal(render_frame(plan, n), frames[n]), n


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(small_scene, tiny):
    a = render_frame(plan_scene(load_scene(small_scene), tiny), 9)
    b = render_frame(plan_scene(load_scene(small_scene), tiny), 9)
    c = render_frame(plan_scene(load_scene(small_scene), settings_for("draft", 160, seed=99)), 9)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_part_positions_boil_within_the_configured_amplitude(plan):
    sp = plan.shots[1]      # shot two: Coraline stands still, so only boil moves her parts
    states = [stage_exposure(plan.scene, sp.shot, e) for e in sp.exposure_sheet]
    origins = np.array([s.actors[0].slot_matrices[:, :2, 2] for s in states])  # (exp, slot, 2)
    spread = origins.max(axis=0) - origins.min(axis=0)
    puppet = states[0].actors[0].puppet
    amp = np.array([sl.boil for sl in puppet.slots]) * puppet.boil
    # each slot origin moves by its own boil offset, plus its boil rotation about the bone origin
    assert np.all(spread > 0)
    assert np.all(spread.max(axis=1) <= 2 * amp + 1e-9)


def test_mean_brightness_flickers_between_exposures_within_a_few_percent(small_scene):
    plan = plan_scene(load_scene(small_scene), settings_for("draft", 160))
    sp = plan.shots[1]
    means = [render_exposure(plan, sp, e).mean() for e in sp.exposure_sheet]
    spread = (max(means) - min(means)) / np.mean(means)
    assert 0.002 < spread < 0.08


def test_facing_left_is_the_exact_mirror_of_facing_right(write_scene, tiny):
    text = """
    scene: {name}
    set: other_dining_room
    look: {{boil: 1.0}}
    shots:
      - id: s
        duration: 0.2
        cast:
          coraline: {{at: [960, 900], facing: {facing}, pose: point}}
    """
    states = {}
    for facing in ("left", "right"):
        path = write_scene(f"m_{facing}", text.format(name=f"m_{facing}", facing=facing))
        plan = plan_scene(load_scene(path), tiny)
        sp = plan.shots[0]
        states[facing] = stage_exposure(plan.scene, sp.shot, sp.exposure_sheet[0]).actors[0]
    mirror = rig.translate(960, 0) @ rig.scale(-1, 1) @ rig.translate(-960, 0)
    assert np.allclose(mirror @ states["right"].slot_matrices, states["left"].slot_matrices)


def test_every_exposure_is_located_by_its_frames(plan):
    for sp, e in exposures(plan):
        for k in range(e.hold):
            assert locate(plan, sp.first_frame + e.frame + k) == (sp, e)


def test_felt_and_yarn_boil_more_than_vinyl_and_faces_more_than_bodies(repo):
    from renderer.load.puppet import load_puppet
    coraline = load_puppet(repo / "puppets" / "coraline.yaml")
    boil = {s.name: s.boil for s in coraline.slots}
    assert boil["hair_back"] > boil["coat"]          # yarn hair over the vinyl raincoat
    assert boil["leg_f"] > boil["coat"]              # felt trousers over vinyl
    assert boil["mouth"] > boil["head"]              # replacement face parts over the head
    assert boil["eyes"] > boil["coat"]


def test_the_first_exposure_finds_every_painting_it_needs_already_loaded(plan):
    """Before the first frame, the set's paintings, the cast's and the post plates are loaded side
    by side; drawing the first exposure then loads nothing more."""
    from renderer import render
    fresh = replace(plan, paintings=Paintings())
    render._load_first_exposure(fresh)
    held = {kind: fresh.paintings.held(kind) for kind in ("attachment", "shadow")}
    # a lit set's layers are held lit (and painted, then lit, only on a miss in the paint cache)
    held["layer"] = fresh.paintings.held("layer") + fresh.paintings.held("litlayer")
    assert all(held.values()), held
    loads = fresh.paintings.loads
    sp, first = next(exposures(fresh))
    render_exposure(fresh, sp, first)
    assert fresh.paintings.loads == loads


def test_set_layers_in_memory_are_bounded_by_bytes_but_never_below_one_exposures_worth():
    """A push-in paints the backdrop again at every new scale, and under a close-up's zoom each
    painting is tens of MB: the layer tables let go of the oldest once they hold KEEP_BYTES,
    with what was kept beside them, but keep the LAYERS_IN_VIEW most recent whatever they
    weigh (an exposure draws every layer of its set)."""
    from renderer.compose import paintings as kept
    from renderer.paint.sprites import LayerSprite
    memory = Paintings()
    mib = 1 << 20
    made = []

    def layer(size_mib: int) -> LayerSprite:
        sprite = LayerSprite(np.zeros((size_mib * mib // 4096, 1024, 4), np.uint8), (0.0, 0.0),
                             1.0, False)
        made.append(sprite)
        return sprite
    heavy = kept.KEEP_BYTES["litlayer"] // mib // kept.LAYERS_IN_VIEW * 2   # 8 of them: twice
    for k in range(kept.LAYERS_IN_VIEW):
        memory.get("litlayer", k, lambda: layer(heavy))
        memory.get("solid", made[-1], lambda: (0, 0, 8, 8))
    assert memory.held("litlayer") == kept.LAYERS_IN_VIEW     # over the bytes, all kept
    assert memory.held_bytes("litlayer") > kept.KEEP_BYTES["litlayer"]
    for k in range(kept.LAYERS_IN_VIEW, 40):                   # small ones: the old heavy go
        memory.get("litlayer", k, lambda: layer(1))
    assert memory.held_bytes("litlayer") <= kept.KEEP_BYTES["litlayer"]
    heavy_left = (memory.held_bytes("litlayer") - (memory.held("litlayer") * mib)) \
        // ((heavy - 1) * mib)
    assert heavy_left < kept.LAYERS_IN_VIEW
    assert memory.held("solid") == heavy_left      # a dropped layer's solid rectangle goes too
    assert memory.held("litlayer") <= kept.KEEP["litlayer"]


def test_only_the_layers_of_the_set_in_view_are_kept_whatever_they_weigh():
    """A set of three layers under a push-in: each new scale is three new paintings, and the
    earlier scales go once the table is over its bytes; the three drawn now stay."""
    from renderer.compose import paintings as kept
    from renderer.paint.sprites import LayerSprite
    memory = Paintings()
    memory.showing_layers(3)
    mib = 1 << 20
    heavy = kept.KEEP_BYTES["litlayer"] // mib    # each as heavy as the table's bytes
    for scale in range(4):
        for index in range(3):
            memory.get("litlayer", (scale, index), lambda: LayerSprite(
                np.zeros((heavy * mib // 4096, 1024, 4), np.uint8), (0.0, 0.0), 1.0, False))
    assert memory.held("litlayer") == 3
    assert memory.held_bytes("litlayer") == 3 * heavy * mib


def test_an_opaque_layer_is_weighed_with_the_colour_planes_a_backdrop_keeps_beside_it():
    """Drawn as the backdrop, an opaque painting keeps its colour planes as well
    (`LayerSprite.rgb`, three bytes a pixel beside the four): the byte budget counts them."""
    from renderer.paint.sprites import LayerSprite
    memory = Paintings()
    rgba = np.zeros((256, 1024, 4), np.uint8)
    memory.get("litlayer", "wall", lambda: LayerSprite(rgba, (0.0, 0.0), 1.0, True))
    memory.get("litlayer", "table", lambda: LayerSprite(rgba.copy(), (0.0, 0.0), 1.0, False))
    assert memory.held_bytes("litlayer") == rgba.nbytes * 7 // 4 + rgba.nbytes


def test_lit_parts_in_memory_are_bounded_by_bytes_but_keep_an_exposures_worth():
    """A walk lights each part in a few directions: the lit table lets the oldest go past
    KEEP_BYTES, but never the PARTS_IN_VIEW most recent (more parts than an exposure draws)."""
    from renderer.compose import paintings as kept
    from renderer.paint.prims import Sprite
    memory = Paintings()
    part = Sprite(np.zeros((64, 64, 4), np.uint8), (0.0, 0.0), 1.0)
    lit_bytes = 256 * 256 * 4
    count = kept.KEEP_BYTES["lit"] // lit_bytes * 3
    assert count > kept.PARTS_IN_VIEW
    for k in range(count):
        memory.get("lit", (id(part), k), lambda: (part, Sprite(
            np.zeros((256, 256, 4), np.uint8), (0.0, 0.0), 1.0)))
    assert memory.held_bytes("lit") <= max(kept.KEEP_BYTES["lit"], kept.PARTS_IN_VIEW * lit_bytes)
    assert memory.held("lit") >= kept.PARTS_IN_VIEW
    assert memory.held("lit") < count
    hits = memory.loads
    memory.get("lit", (id(part), count - 1), lambda: None)   # the latest is still there
    assert memory.loads == hits


def test_a_held_camera_reuses_its_backdrop_without_carrying_puppets_over(plan):
    """Shot two's camera holds still: from its third exposure on, the backdrop is a copy of a kept
    one. Each exposure must equal the same exposure drawn from nothing."""
    shot = plan.shots[1]
    held_plan = replace(plan, paintings=Paintings())
    held = [render_exposure(held_plan, shot, e) for e in shot.exposure_sheet[:5]]
    for e, frame in zip(shot.exposure_sheet[:5], held):
        alone = replace(plan, paintings=Paintings())
        assert np.array_equal(render_exposure(alone, shot, e), frame), e.index


def test_rendering_into_a_sink_keeps_opencv_on_one_thread_and_gives_the_rest_back(plan):
    """The encoder has the other core: while exposures are rendered into a sink, OpenCV runs on
    one thread; afterwards the process's setting is what it was, and the frames are the same."""
    import cv2

    from renderer.render import render_into

    class Sink:
        def __init__(self):
            self.frames, self.frames_written = [], 0

        def write(self, frame, repeat=1):
            self.frames.extend([frame] * repeat)
            self.frames_written += repeat

    threads = set()
    before = cv2.getNumThreads()
    cv2.setNumThreads(2)
    try:
        sink = Sink()
        render_into(plan, sink, lambda hold: threads.add(cv2.getNumThreads()))
        assert threads == {1}
        assert cv2.getNumThreads() == 2
    finally:
        cv2.setNumThreads(before)
    expected = all_frames(plan)
    assert len(sink.frames) == len(expected) == plan.frames
    assert all(np.array_equal(a, b) for a, b in zip(sink.frames, expected))


def test_an_interrupt_at_any_point_of_the_hand_over_to_the_writer_never_hangs(monkeypatch):
    """Ctrl-C and SIGTERM raise KeyboardInterrupt in the rendering thread wherever it is:
    as a function starts, or before or after a built-in call (a lock's acquire, a queue's put),
    inside threading's and queue's own code too. A profile function stands in for the signal
    and raises at each such point of the hand-over in turn (two hand-overs' worth): the interrupt
    must come out of render_into and the writer thread must end. With a bounded queue.Queue,
    an interrupt inside its Condition lost the writer's wake-up or a lock: this failed at the
    second point, and `stopmo render` hung after a SIGTERM."""
    import sys
    import threading
    import time

    from renderer import render

    def cheap_frames(plan, on_exposure=None, *, preload=True, span=None):
        for i in range(16):
            yield np.full((4, 4, 3), i, np.uint8), 2

    class SlowSink:   # an encoder slower than the renderer: the hand-over waits for room
        def __init__(self):
            self.frames_written = 0

        def write(self, frame, repeat=1):
            threading.Event().wait(0.0002)
            self.frames_written += repeat

    monkeypatch.setattr(render, "render_frames", cheap_frames)

    def interrupted_at(point: int) -> list[str]:
        sink, countdown, outcome = SlowSink(), [point], []

        def interrupt(frame, event, arg):
            if event in ("call", "c_call", "c_return") and sink.frames_written >= 4 and \
                    frame.f_code.co_filename.endswith(("/render.py", "/queue.py", "/threading.py")):
                countdown[0] -= 1
                if countdown[0] == -1:
                    raise KeyboardInterrupt

        def run():
            sys.setprofile(interrupt)
            try:
                render.render_into(None, sink, preload=False)
                outcome.append("finished")
            except KeyboardInterrupt:
                outcome.append("interrupted")
            except BaseException as exc:  # noqa: BLE001 - the failure to report
                outcome.append(repr(exc))
            finally:
                sys.setprofile(None)

        runner = threading.Thread(target=run, daemon=True)
        runner.start()
        runner.join(5)
        return outcome

    for point in range(120):
        assert interrupted_at(point) in (["interrupted"], ["finished"]), f"point {point}"
        # An interrupted join leaves the writer a few frames to finish, and may leave its Thread
        # object wrong either way (alive when it has ended, ended when it still runs): ask the
        # interpreter which threads still run.
        writers = {t.ident for t in threading.enumerate() if t.name == "stopmo-writer"}
        deadline = time.monotonic() + 5
        while writers & set(sys._current_frames()) and time.monotonic() < deadline:
            time.sleep(0.001)
        assert not writers & set(sys._current_frames()), f"point {point}"
