"""Sound: the clap test, lengths, loudness, subtitles, determinism, lip sync from a recording."""
from __future__ import annotations

import numpy as np
import pytest

from renderer.errors import SceneError
from renderer.load.audio import decode_wav
from renderer.load.scene import load_scene
from renderer.output.mux import loudness, read_audio, read_subtitles, wav_bytes
from renderer.output.probe import read_frames
from renderer.render import plan_scene, render_to, soundtrack
from renderer.settings import SAMPLE_RATE
from renderer.stage.pose import stage_exposure

FPS = 24
CLAP = """
scene: clap
world: real
seed: 3
set: living_room
sound: {{music: none, ambience: {{}}, foley: false}}
shots:
  - id: one
    duration: 3.0
    cast:
      coraline: {{at: [700, 930], facing: right}}
    props:
      snow_globe: {{at: [960, 600], scale: 12, opacity: 0}}
    action:
      - {{t: 1.5, who: snow_globe, do: fade, opacity: 1, for: 0}}
      - {{t: 0.4, who: coraline, say: "{line}"{voice}}}
    sounds:
      - {{t: 1.5, play: click}}
"""


def _clap(write_scene, line="Look!", voice=""):
    return load_scene(write_scene("clap", CLAP.format(line=line, voice=voice)))


def _onsets(video, fps):
    frames = [f.mean() for f in read_frames(video)]
    flash = int(np.argmax(np.abs(np.diff(frames)))) + 1   # the globe appears: a jump
    audio = np.abs(read_audio(video)).max(axis=1)
    return flash, frames, audio


def test_clap_and_lengths_in_the_scene_video(write_scene, tiny, tmp_path):
    """The flash and the click land on the same exposure; sound and picture last as long."""
    plan = plan_scene(_clap(write_scene), tiny)
    target = tmp_path / "clap.mp4"
    render_to(plan, target)
    flash, frames, audio = _onsets(target, FPS)
    # the click: the first sample after the line's end well above the quiet before it
    after = int(1.3 * SAMPLE_RATE)
    click = after + int(np.argmax(audio[after:] > 0.1))
    assert abs(click / SAMPLE_RATE * FPS - flash) <= 1, (click / SAMPLE_RATE * FPS, flash)
    assert abs(len(audio) / SAMPLE_RATE - len(frames) / FPS) <= 1 / FPS
    lufs, _ = loudness(target)
    assert abs(lufs - (-16)) <= 1
    # subtitles: the line from the exposure that starts it to its end plus the linger
    cues = read_subtitles(target)
    assert len(cues) == 1 and "Look!" in cues[0][2]
    assert abs(cues[0][0] - 10 / FPS) <= 1 / FPS
    assert (tmp_path / "clap.vtt").read_text().count("-->") == 1


def test_same_seed_same_samples(write_scene, tiny):
    plan = plan_scene(_clap(write_scene, "Is that a door?"), tiny)
    a, b = soundtrack(plan), soundtrack(plan)
    assert np.array_equal(a.samples, b.samples)
    other = plan_scene(_clap(write_scene, "Is that a door?"), tiny.__class__(
        **{**tiny.__dict__, "seed": 99}))
    assert not np.array_equal(a.samples, soundtrack(other).samples)


def test_captions_burn_only_when_asked(write_scene, tiny):
    from dataclasses import replace

    from renderer.render import render_frame
    plan = plan_scene(_clap(write_scene, "A line to see", ", for: 2"), tiny)
    frame = 20
    track = render_frame(plan, frame)
    burnt = render_frame(plan_scene(plan.scene, replace(tiny, captions="burn")), frame)
    silent = render_frame(plan_scene(plan.scene, replace(tiny, audio=False)), frame)
    assert not np.array_equal(track, burnt)
    assert np.array_equal(burnt, silent)


def test_recording_drives_the_mouth(write_scene, project_dir, tiny):
    """A recorded line: loud where the mouth opens, silent where it closes."""
    rate = 22050     # another rate than the mix's: resampled
    t = np.arange(int(1.2 * rate)) / rate
    loud = (t >= 0.4) & (t < 0.8)
    wave = (0.6 * np.sin(2 * np.pi * 180 * t) * loud).astype(np.float32)
    (project_dir / "sounds").mkdir()
    (project_dir / "sounds" / "line.wav").write_bytes(wav_bytes(wave[:, None], rate))
    scene = _clap(write_scene, "Ah", ", voice: sounds/line.wav")
    say = next(a for a in scene.shots[0].actions if a.do == "say")
    assert say.duration == pytest.approx(1.2, abs=0.01)
    plan = plan_scene(scene, tiny)
    sp = plan.shots[0]
    mouths = {}
    for e in sp.exposure_sheet:
        state = stage_exposure(scene, sp.shot, e)
        mouths[e.time] = next(a for a in state.actors if a.id == "coraline")
    def shape(at):
        e = min(sp.exposure_sheet, key=lambda e: abs(e.time - at))
        from renderer.stage.perform import fold
        s = fold(sp.shot.cast["coraline"], [a for a in sp.shot.actions if a.who == "coraline"],
                 e.time, {})
        return s.mouth
    assert shape(0.4 + 0.1) == "rest"          # silence before the sound
    assert shape(0.4 + 0.6) in ("A", "O")      # loud: open
    assert shape(0.4 + 1.0) == "rest"          # silence after


def test_rhubarb_file_sets_the_mouths(write_scene, project_dir):
    (project_dir / "sounds").mkdir()
    (project_dir / "sounds" / "line.tsv").write_text("0.00\tX\n0.30\tD\n0.60\tA\n")
    scene = _clap(write_scene, "Ah", ", lipsync: sounds/line.tsv, for: 1.0")
    from renderer.stage.perform import fold
    shot = scene.shots[0]
    mine = [a for a in shot.actions if a.who == "coraline"]
    assert fold(shot.cast["coraline"], mine, 0.4 + 0.1, {}).mouth == "rest"
    assert fold(shot.cast["coraline"], mine, 0.4 + 0.4, {}).mouth == "A"
    assert fold(shot.cast["coraline"], mine, 0.4 + 0.7, {}).mouth == "MBP"


@pytest.mark.parametrize("voice, message", [
    (", voice: sounds/missing.wav", "an existing sound file"),
    (", voice: sounds/line.mp3", "a WAV file"),
    (", voice: ../outside.wav", "inside the project folder"),
    (", voice: sounds/bad.wav", "a readable WAV file"),
    (", lipsync: sounds/bad.tsv", "Rhubarb"),
])
def test_bad_sound_files_are_located(write_scene, project_dir, voice, message):
    (project_dir / "sounds").mkdir()
    (project_dir / "sounds" / "bad.wav").write_bytes(b"RIFF....WAVEjunk")
    (project_dir / "sounds" / "line.mp3").write_bytes(b"ID3")
    (project_dir / "sounds" / "bad.tsv").write_text("0.0 X\nnot a time\n")
    with pytest.raises(SceneError) as err:
        _clap(write_scene, "Ah", voice)
    text = str(err.value)
    assert message in text and "clap.yaml:" in text and "shots[0].action[1]" in text


def test_a_too_long_recording_is_refused(write_scene, project_dir):
    (project_dir / "sounds").mkdir()
    rate = 1000
    (project_dir / "sounds" / "long.wav").write_bytes(
        wav_bytes(np.zeros((rate * 200, 1), np.float32), rate))
    with pytest.raises(SceneError, match="at most 120 s"):
        _clap(write_scene, "Ah", ", voice: sounds/long.wav")


def test_wav_decoding_of_16_bit_stereo():
    import struct
    pcm = np.array([[1000, -1000], [32767, 32767]], "<i2")
    fmt = struct.pack("<HHIIHH", 1, 2, 8000, 32000, 4, 16)
    data = (b"RIFF" + struct.pack("<I", 36 + pcm.nbytes) + b"WAVEfmt " + struct.pack("<I", 16)
            + fmt + b"data" + struct.pack("<I", pcm.nbytes) + pcm.tobytes())
    x, rate = decode_wav(data)
    assert rate == 8000 and x[0] == 0 and x[1] == pytest.approx(1.0, abs=1e-4)


FILM = """
film: clapfilm
title: Clap Film
card_seconds: 0.25
transition_seconds: 0.25
scenes:
  - {scene: clap, transition: fade, card: false}
  - {scene: dinner, transition: iris, card: false}
"""
DINNER = """
scene: dinner
world: other
seed: 4
set: other_dining_room
shots:
  - id: a
    duration: 1.5
    cast:
      coraline: {at: [700, 930]}
    action:
      - {t: 0.0, who: coraline, do: walk, to: [900, 930], for: 1.5}
"""


def test_clap_lengths_and_loudness_in_the_joined_film(write_scene, project_dir, capsys):
    """The film (`stopmo batch`): its soundtrack made once and muxed after the join keeps the
    clap's flash and click on the same frame, lasts as long as the picture, and measures
    -16 LUFS with its true peak under -1 dBTP by ffmpeg's own EBU R128 filter."""
    from renderer.jobs.batchrun import run_film
    from renderer.load.project import Project
    from renderer.settings import settings_for
    write_scene("clap", CLAP.format(line="Look!", voice=""))
    write_scene("dinner", DINNER)
    (project_dir / "scenes" / "sequence.yaml").write_text(FILM)
    settings = settings_for("draft", width=96)
    run_film(Project(project_dir), project_dir / "scenes" / "sequence.yaml", settings, jobs=1,
             force=False, out_dir=project_dir / "output")
    capsys.readouterr()
    film = project_dir / "output" / "clapfilm.mp4"
    frames = np.array([f.mean() for f in read_frames(film)])
    audio = np.abs(read_audio(film)).max(axis=1)
    # opening card 6 frames, a fade of 6, then the clap scene (72 frames): its globe at 1.5 s
    start = 12
    jumps = np.abs(np.diff(frames[start:start + 72]))
    flash = start + int(np.argmax(jumps)) + 1
    assert abs(flash - (start + 36)) <= 1, flash
    after = int((start + 1.3 * FPS) / FPS * SAMPLE_RATE)    # after the line, before the globe
    assert audio[after - int(0.1 * SAMPLE_RATE):after].max() < 0.05
    click = after + int(np.argmax(audio[after:] > 0.1))
    offset = click / SAMPLE_RATE * FPS - flash
    assert abs(offset) <= 1, offset
    assert abs(len(audio) / SAMPLE_RATE - len(frames) / FPS) <= 1 / FPS
    lufs, peak = loudness(film)
    assert abs(lufs - (-16)) <= 1, lufs
    assert peak < -1, peak
    cues = read_subtitles(film)
    assert len(cues) == 1 and "Look!" in cues[0][2]
    assert abs(cues[0][0] - (start + 10) / FPS) <= 1 / FPS


def test_burnt_captions_leave_faces_and_feet_clear(write_scene, tiny):
    """A burnt caption sits in the bottom band unless it would cover a face or the feet there;
    then it moves whole to the top band. Either way no face or feet are under it."""
    from dataclasses import replace

    from renderer.compose.safeband import keep_clear
    from renderer.compose.text import caption_stack, clear_band
    from renderer.render import locate, render_frame
    burn = replace(tiny, captions="burn")
    for feet_y, band in ((930, "top"), (560, "bottom")):    # on the floor; up high, feet clear
        scene = load_scene(write_scene("clap", CLAP.format(line="A line to see", voice=", for: 2")
                                       .replace("[700, 930]", f"[700, {feet_y}]")))
        plan = plan_scene(scene, burn)
        frame = 20
        sp, e = locate(plan, frame)
        state = stage_exposure(scene, sp.shot, e)
        h, w = render_frame(plan, frame).shape[:2]
        rects = keep_clear(state, burn)
        assert len(rects) == 2                                  # her face and her feet
        sprites = clear_band(caption_stack(state.captions, w, h), w, h, rects)
        changed = np.argwhere(np.any(render_frame(plan, frame) != render_frame(
            plan_scene(scene, tiny), frame), axis=2))
        rows = changed[:, 0]
        assert (rows.max() < h / 2) if band == "top" else (rows.min() > h / 2), (band, rows)
        for box in sprites:
            for x0, y0, x1, y1 in rects:
                core = (box.x + 4, box.y + 4, box.x + box.rgb.shape[1] - 4,
                        box.y + box.rgb.shape[0] - 4)
                assert min(core[2], x1) <= max(core[0], x0) or min(core[3], y1) <= max(core[1], y0)
