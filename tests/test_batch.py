"""The film job: frame counts of the assembled film, the render cache, parallel == serial."""

import os
from pathlib import Path

import numpy as np
import pytest

from renderer.errors import OutputError

from renderer.jobs.batchrun import run_film
from renderer.load.project import Project
from renderer.output.probe import probe, read_frames
from renderer.settings import settings_for

SCENE = """
scene: {name}
world: {world}
seed: {seed}
set: other_dining_room
shots:
  - id: a
    duration: 0.5
    cast:
      coraline: {{at: [700, 930]}}
    action:
      - {{t: 0.0, who: coraline, do: walk, to: [900, 930], for: 0.5}}
"""
SEQUENCE = """
film: testfilm
title: Test Film
card_seconds: 0.25
transition_seconds: 0.25
scenes:
  - {scene: one, transition: fade}
  - {scene: two, transition: iris, card: false}
"""


@pytest.fixture
def film_project(project_dir, write_scene):
    write_scene("one", SCENE.format(name="one", world="other", seed=1))
    write_scene("two", SCENE.format(name="two", world="real", seed=2))
    (project_dir / "scenes" / "sequence.yaml").write_text(SEQUENCE)
    return project_dir


def batch(root, capsys, jobs=1, force=False, store=None, **options):
    settings = settings_for("draft", width=96)
    run_film(Project(root, store), root / "scenes" / "sequence.yaml", settings, jobs=jobs,
             force=force, out_dir=root / "output", **options)
    return capsys.readouterr().out


def rendered(out: str) -> dict[str, bool]:
    """scene -> whether this batch rendered it (from the summary table's last column)."""
    rows = [line.split() for line in out.splitlines()]
    return {r[0]: r[-1] == "no" for r in rows if r and r[0] in ("one", "two")}


def test_the_film_has_the_parts_plus_the_transitions(film_project, capsys):
    batch(film_project, capsys)
    out = film_project / "output"
    # parts: opening card 6 + card of "one" 6 + one 12 + two 12 (two has no card) = 36 frames
    # transitions (0.25 s = 6 frames each): card->card fade, card->one fade, one->two iris = 18
    assert probe(out / "one.mp4").frames == 12 and probe(out / "two.mp4").frames == 12
    assert probe(out / "testfilm.mp4").frames == 36 + 18


def test_a_second_batch_renders_nothing_and_touching_a_scene_renders_only_it(film_project, capsys):
    assert rendered(batch(film_project, capsys)) == {"one": True, "two": True}
    assert rendered(batch(film_project, capsys)) == {"one": False, "two": False}
    scene = film_project / "scenes" / "two.yaml"
    scene.write_text(scene.read_text().replace("seed: 2", "seed: 3"))
    assert rendered(batch(film_project, capsys)) == {"one": False, "two": True}
    assert rendered(batch(film_project, capsys, force=True)) == {"one": True, "two": True}


def test_a_changed_puppet_invalidates_the_scenes_that_use_it(film_project, capsys):
    batch(film_project, capsys)
    puppet = film_project / "puppets" / "coraline.yaml"
    puppet.write_text(puppet.read_text() + "\n# touched\n")
    assert rendered(batch(film_project, capsys)) == {"one": True, "two": True}


def test_parallel_batch_gives_the_same_frames_as_serial(film_project, capsys, tmp_path):
    """... and the paint cache the batch was opened with goes to its workers, which paint into
    it the frames a batch without one paints."""
    from renderer.paint.paintcache import SUFFIX, PaintStore
    batch(film_project, capsys)
    serial = {n: [f.copy() for f in read_frames(film_project / "output" / f"{n}.mp4")]
              for n in ("one", "two")}
    cache = tmp_path / "cache"
    batch(film_project, capsys, jobs=2, force=True,   # the real thing: two spawned processes
          store=PaintStore(cache))
    assert list(cache.glob(f"*/*{SUFFIX}")) and list(cache.glob("*/*.def"))
    for n, frames in serial.items():
        again = list(read_frames(film_project / "output" / f"{n}.mp4"))
        assert len(again) == len(frames)
        assert all(np.array_equal(a, b) for a, b in zip(frames, again)), n


def test_the_film_is_its_parts_in_order(film_project, capsys):
    """Opening card, fade, the card of "one", fade, one, iris, two: each scene's frames appear
    in the film where they belong, as they are (joined by stream copy), the cards hold still,
    and the transitions dip darker than what they join."""
    batch(film_project, capsys)
    out = film_project / "output"
    film = np.array([f.astype(int) for f in read_frames(out / "testfilm.mp4")])
    one = np.array(list(read_frames(out / "one.mp4")))
    two = np.array(list(read_frames(out / "two.mp4")))
    assert np.array_equal(film[24:36], one) and np.array_equal(film[42:54], two)
    opening, card = film[0:6], film[12:18]
    for still in (opening, card):                            # x264 refines a held still a little
        assert np.abs(still - still[0]).mean() < 1.0
    assert np.abs(opening[0] - card[0]).mean() > 2           # two different cards
    brightness = film.mean(axis=(1, 2, 3))
    for start, before, after in ((6, 5, 12), (18, 17, 24), (36, 35, 42)):
        middle = brightness[start + 2:start + 4].mean()
        assert middle < 0.8 * min(brightness[before], brightness[after])


def test_a_film_that_cannot_be_assembled_leaves_nothing_behind(film_project, capsys,
                                                                monkeypatch):
    """A segment of the film that fails (here the transition into scene two) stops the batch:
    no film, no segments, no chunks; the scenes already joined stay, each with its record."""
    import renderer.jobs.batchrun as batchrun
    from renderer.errors import EncodeError

    def broken(path, kind, before, after, *rest):
        if kind == "iris":
            raise EncodeError("cannot read the last frame of one.mp4")
        return transition_segment(path, kind, before, after, *rest)
    transition_segment = batchrun.transition_segment
    monkeypatch.setattr(batchrun, "transition_segment", broken)
    with pytest.raises(EncodeError, match="last frame of one.mp4"):
        batch(film_project, capsys, chunk_frames=6)      # the scenes in chunks, too
    assert sorted(p.name for p in (film_project / "output").iterdir()) == [
        ".one.mp4.key", ".two.mp4.key", "one.mp4", "two.mp4"]


def test_a_scene_rendered_over_at_another_size_is_rendered_again_not_trusted(film_project,
                                                                              capsys, monkeypatch):
    from renderer.cli import main
    batch(film_project, capsys)
    # The user renders one scene by hand to the batch's own path at another size: the batch's
    # record still matches the scene's inputs, but the file on disk is not what the film needs.
    monkeypatch.chdir(film_project)
    assert main(["render", "one", "-q", "draft", "--width", "64"]) == 0
    assert probe(film_project / "output" / "one.mp4").width == 64
    assert rendered(batch(film_project, capsys)) == {"one": True, "two": False}
    assert probe(film_project / "output" / "one.mp4").width == 96
    assert probe(film_project / "output" / "testfilm.mp4").width == 96


def test_a_cached_scene_cut_short_on_disk_is_rendered_again(film_project, capsys):
    batch(film_project, capsys)
    video = film_project / "output" / "two.mp4"
    record = video.with_name(".two.mp4.key")
    key = record.read_text().split("\n")[0]
    video.write_bytes(video.read_bytes()[: video.stat().st_size // 2])   # damaged in place
    from renderer.jobs.batch import remember
    from renderer.output.files import file_identity
    remember(video, key, file_identity(video))   # even with a record vouching for the damage
    assert rendered(batch(film_project, capsys)) == {"one": False, "two": True}
    assert probe(video).frames == 12


def test_a_scene_replaced_just_after_it_was_written_is_not_vouched_for(film_project, capsys,
                                                                        monkeypatch):
    """Two batches on one folder at other sizes: the other one's video landed on the path
    between this render's rename and its record. The record vouched for the other video, and
    this batch joined it into its film ("expected a 96-wide frame, got 192"). The record names
    the file this render wrote, so the replaced scene is neither cached nor pinned."""
    import shutil

    import renderer.render
    from renderer.jobs.batch import is_cached, pin
    batch(film_project, capsys)
    video = film_project / "output" / "two.mp4"
    other = film_project / "other.mp4"
    shutil.copy(film_project / "output" / "one.mp4", other)   # stands for the other batch's
    key = video.with_name(".two.mp4.key").read_text().split("\n")[0]
    real_render_to = renderer.render.render_to

    def render_to_then_replaced(plan, target, *args, **kwargs):
        written = real_render_to(plan, target, *args, **kwargs)
        if Path(target).name == "two.mp4":
            os.replace(other, target)
        return written
    monkeypatch.setattr(renderer.render, "render_to", render_to_then_replaced)
    with pytest.raises(OutputError, match="changed while the batch ran"):
        batch(film_project, capsys, force=True)
    assert not is_cached(video, key)
    assert pin(video, key) is None


def test_batch_creates_its_output_folder_as_render_creates_a_frame_folder(film_project, capsys):
    settings = settings_for("draft", width=96)
    fresh = film_project / "renders"
    run_film(Project(film_project), film_project / "scenes" / "sequence.yaml", settings, jobs=1,
             force=False, out_dir=fresh)
    assert (fresh / "testfilm.mp4").is_file()
    from renderer.errors import OutputError
    with pytest.raises(OutputError, match="does not exist"):   # a mistyped path is not built
        run_film(Project(film_project), film_project / "scenes" / "sequence.yaml", settings,
                 jobs=1, force=False, out_dir=film_project / "no" / "such" / "place")
    assert not (film_project / "no").exists()
