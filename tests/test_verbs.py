"""The action vocabulary, checked on the stage (positions, opacity, who holds what)."""
import textwrap

import pytest

from renderer.load.scene import load_scene
from renderer.render import plan_scene, render_exposure
from renderer.stage.pose import stage_exposure
from renderer.stage.timing import Exposure

HEAD = """
scene: {name}
world: other
set: other_dining_room
shots:
  - id: s
    duration: 4.0
"""


def shot_body(body: str) -> str:
    """A shot's fields (cast, action...) written at the left margin, indented into the shot."""
    return textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


def states(write_scene, body: str, times):
    path = write_scene("verbs", HEAD.format(name="verbs") + shot_body(body))
    scene = load_scene(path)
    shot = scene.shots[0]
    out = []
    for t in times:
        state = stage_exposure(scene, shot, Exposure(0, round(t * 24), 2, t))
        out.append({a.id: a for a in state.actors})
    return out


def test_a_held_prop_follows_the_hand_and_is_drawn_in_front(write_scene):
    body = """
    cast:
      coraline: {at: [600, 930]}
      cat: {at: [1200, 930]}
    action:
      - {t: 0.0, who: coraline, do: take, what: cat}
      - {t: 0.5, who: coraline, do: walk, to: [1000, 930], for: 2.0}
      - {t: 0.5, who: coraline, do: pose, pose: point, for: 0.5}
"""
    for s in states(write_scene, body, [0.1, 1.5, 3.0]):
        hand, doll = s["coraline"].grip, s["cat"]
        assert (doll.x, doll.y) == pytest.approx(hand)
        assert (doll.z, doll.order) > (s["coraline"].z, s["coraline"].order)  # after its holder


def test_give_moves_a_prop_from_one_hand_to_the_other(write_scene):
    body = """
cast:
  coraline: {at: [600, 930]}
  other_mother: {at: [950, 930], facing: left}
  cat: {at: [950, 800]}
action:
  - {t: 0.0, who: other_mother, do: take, what: cat}
  - {t: 1.0, who: other_mother, do: give, what: cat, to: coraline, for: 1.0}
"""
    before, during, after = states(write_scene, body, [0.5, 1.5, 2.5])
    assert (before["cat"].x, before["cat"].y) == pytest.approx(before["other_mother"].grip)
    assert after["coraline"].grip[0] < during["cat"].x < after["other_mother"].grip[0]
    assert (after["cat"].x, after["cat"].y) == pytest.approx(after["coraline"].grip)


def test_a_thrown_thing_flies_in_an_arc_and_lands_where_aimed(write_scene):
    body = """
cast:
  coraline: {at: [600, 930]}
  cat: {at: [660, 930]}
action:
  - {t: 0.0, who: coraline, do: take, what: cat}
  - {t: 1.0, who: coraline, do: throw, what: cat, to: [1500, 930], for: 1.0, height: 300}
"""
    mid, end = states(write_scene, body, [1.5, 3.0])
    assert end["cat"].x == pytest.approx(1500) and end["cat"].y == pytest.approx(930)
    straight_y = (mid["coraline"].grip[1] + 930) / 2
    assert mid["cat"].y < straight_y - 200   # well above the straight line: an arc


def test_walking_a_path_passes_its_waypoints_and_faces_the_way_it_goes(write_scene):
    body = """
cast:
  coraline: {at: [400, 930]}
action:
  - {t: 0.0, who: coraline, do: walk, path: [[1000, 930], [700, 930]], for: 3.0, ease: linear}
"""
    # total length 600 + 300 = 900; at t=2.0 it has gone 600: the waypoint, then turns back
    out, turn, back = states(write_scene, body, [1.0, 2.0, 2.5])
    assert out["coraline"].x == pytest.approx(700) and out["coraline"].facing == 1
    assert turn["coraline"].x == pytest.approx(1000)
    assert back["coraline"].x == pytest.approx(850) and back["coraline"].facing == -1


def test_enter_hides_the_actor_before_and_exit_after(write_scene):
    body = """
cast:
  coraline: {at: [900, 930]}
action:
  - {t: 1.0, who: coraline, do: enter, from: [1700, 930], for: 1.0}
  - {t: 2.5, who: coraline, do: exit, to: [100, 930], for: 1.0}
"""
    before, arrived, gone = states(write_scene, body, [0.5, 2.2, 3.8])
    assert before["coraline"].opacity == 0
    assert arrived["coraline"].opacity == 1 and arrived["coraline"].x == pytest.approx(900)
    assert gone["coraline"].opacity == 0


def test_vanish_fades_and_shrinks(write_scene):
    body = """
cast:
  other_mother: {at: [900, 930]}
action:
  - {t: 1.0, who: other_mother, do: vanish, for: 1.0}
"""
    before, mid, after = states(write_scene, body, [0.5, 1.5, 2.5])
    assert before["other_mother"].opacity == 1 and before["other_mother"].scale == 1
    assert 0 < mid["other_mother"].opacity < 1 and mid["other_mother"].scale < 1
    assert after["other_mother"].opacity == 0


def test_transform_swaps_the_puppet(write_scene):
    body = """
cast:
  coraline: {at: [900, 930]}
action:
  - {t: 1.0, who: coraline, do: transform, into: other_mother}
"""
    before, after = states(write_scene, body, [0.5, 1.5])
    assert before["coraline"].puppet.name == "coraline"
    assert after["coraline"].puppet.name == "other_mother"


def test_a_disintegrating_layer_falls_away(write_scene, tiny):
    path = write_scene("crumble", HEAD.format(name="crumble") + shot_body("""
        action:
          - {t: 1.0, who: set, do: disintegrate, layer: wall, for: 2.0}
    """))
    plan = plan_scene(load_scene(path), tiny)
    sp = plan.shots[0]
    frames = {t: render_exposure(plan, sp, Exposure(0, round(t * 24), 2, t)) for t in (0.5, 3.5)}
    # the wall is the set's opaque backdrop: once it has fallen, the frame is much darker
    assert frames[3.5].mean() < 0.6 * frames[0.5].mean()


def test_a_hidden_layer_is_taken_off_the_set_from_its_time_on(write_scene, tiny):
    """`do: hide` lifts a layer off the set (here the hanging lamp, depth 1.8): before its time
    the frame is as without it; after, only the lamp's part of the frame changes."""
    kept = write_scene("kept", HEAD.format(name="kept") + "seed: 5\n")
    lifted = write_scene("lifted", HEAD.format(name="lifted") + shot_body("""
        action:
          - {t: 1.0, who: set, do: hide, layer: lamp}
    """) + "seed: 5\n")

    def frame(path, t: float):
        plan = plan_scene(load_scene(path), tiny)
        return render_exposure(plan, plan.shots[0], Exposure(0, round(t * 24), 2, t)).astype(int)
    assert (frame(kept, 0.5) == frame(lifted, 0.5)).all()
    changed = (frame(kept, 1.5) != frame(lifted, 1.5)).any(axis=2)
    rows, cols = changed.nonzero()
    assert changed.sum() > 0.02 * changed.size
    # the lamp's shapes span stage x 720..1240 and y up to 430; a whole-stage camera shows a
    # layer at any depth as the stage, so in pixels that is within a margin for its blur
    px = tiny.width / 1920
    assert cols.min() >= (720 - 60) * px and cols.max() <= (1240 + 60) * px
    assert rows.max() <= (430 + 60) * px


def test_hiding_a_layer_the_set_does_not_have_is_refused_naming_it(write_scene):
    from renderer.errors import SceneError
    path = write_scene("nolayer", HEAD.format(name="nolayer") + shot_body("""
        action:
          - {t: 1.0, who: set, do: hide, layer: chandelier}
    """))
    with pytest.raises(SceneError) as refused:
        load_scene(path)
    assert "chandelier" in str(refused.value) and "layer" in str(refused.value)


def test_a_shot_can_change_set_and_world(write_scene, tiny):
    path = write_scene("two_sets", """
scene: two_sets
world: other
set: other_dining_room
shots:
  - id: a
    duration: 0.5
  - id: b
    duration: 0.5
    set: other_dining_room
    world: nightmare
""")
    scene = load_scene(path)
    assert [s.world for s in scene.shots] == ["other", "nightmare"]
    plan = plan_scene(scene, tiny)
    a, b = (render_exposure(plan, sp, sp.exposure_sheet[0]) for sp in plan.shots)
    # the nightmare grade is pale and cold, the Other World warm: red minus blue drops
    warmth = lambda f: f[..., 0].mean() - f[..., 2].mean()  # noqa: E731
    assert warmth(b) < warmth(a) - 10
