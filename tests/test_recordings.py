"""Recorded lines and cues in FLAC, MP3 and Ogg: decoded by ffmpeg at the mix's rate, heard and
read as the same recording in WAV would be, and refused with a located error when damaged.

The compressed files are made here, from a WAV written by the test, with the ffmpeg that
imageio-ffmpeg ships (the one that decodes them): no binary fixture in the repository.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from renderer.errors import SceneError
from renderer.load.project import Project
from renderer.load.scene import load_scene
from renderer.output.audiofile import decode_recording
from renderer.output.encode import ffmpeg_exe
from renderer.output.mux import wav_bytes
from renderer.render import plan_scene, soundtrack
from renderer.settings import SAMPLE_RATE

SCENE = """
scene: voiced
world: real
seed: 3
set: living_room
sound: {{music: none, ambience: {{}}, foley: false, voices: none}}
shots:
  - id: one
    duration: 2.0
    cast:
      coraline: {{at: [700, 930], facing: right}}
    action:
      - {{t: 0.4, who: coraline, say: "Ah"{voice}}}
    sounds: {cues}
"""
# Each format as a user would export it: the encoders' usual quality settings.
CODECS = {
    "flac": [],
    "mp3": ["-c:a", "libmp3lame", "-q:a", "2"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "5"],
    "opus": ["-c:a", "libopus", "-b:a", "96k"],
}
# What a lossy codec may change: at these settings the line's harmonics come back 33-39 dB above
# the difference; 25 dB leaves room for another encoder version, while a wrong level (ffmpeg's
# own mono mix-down is 3 dB off) or a shift of a few milliseconds falls far below it.
LOSSY_MIN_SNR_DB = 25.0


def voice_wave(rate: int, seconds: float = 1.2) -> np.ndarray:
    """A voiced sound: 180 Hz and four harmonics, loud from 0.4 to 0.8 s, silent around it."""
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(0.3 / k * np.sin(2 * np.pi * 180 * k * t) for k in range(1, 6))
    return (wave * ((t >= 0.4) & (t < 0.8))).astype(np.float32)


def encode(source: Path, target: Path, *args: str) -> Path:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(source), *args, str(target)],
                   check=True, stdin=subprocess.DEVNULL)
    return target


@pytest.fixture
def sounds(project_dir) -> Path:
    folder = project_dir / "sounds"
    folder.mkdir()
    (folder / "line.wav").write_bytes(wav_bytes(voice_wave(SAMPLE_RATE)[:, None]))
    return folder


def load(write_scene, project_dir, voice="", cues="[]", decode=decode_recording):
    path = write_scene("voiced", SCENE.format(voice=voice, cues=cues))
    return load_scene(path, Project(project_dir, decode_audio=decode))


def recording(scene):
    return next(a for a in scene.shots[0].actions if a.do == "say").args["voice"]


def snr_db(reference: np.ndarray, x: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(reference ** 2) / np.sum((x - reference) ** 2)))


@pytest.mark.parametrize("ext", sorted(CODECS))
def test_a_compressed_line_decodes_to_its_wav_source(write_scene, project_dir, sounds, ext):
    encode(sounds / "line.wav", sounds / f"line.{ext}", *CODECS[ext])
    wav = recording(load(write_scene, project_dir, ", voice: sounds/line.wav")).samples
    got = recording(load(write_scene, project_dir, f", voice: sounds/line.{ext}")).samples
    # gapless metadata (LAME's header, Ogg's pre-skip) trims the encoders' delay and padding:
    # the same length within a millisecond, where a codec frame (>= 2.5 ms) would show
    assert abs(len(got) - len(wav)) <= SAMPLE_RATE // 1000, (len(got), len(wav))
    n = min(len(got), len(wav))
    if ext == "flac":   # lossless: at worst one step of 16-bit samples
        assert np.abs(got[:n] - wav[:n]).max() <= 2 ** -15
    else:
        assert snr_db(wav[:n], got[:n]) >= LOSSY_MIN_SNR_DB


def test_a_stereo_flac_at_another_rate_mixes_and_resamples_as_its_wav_does(
        write_scene, project_dir, sounds):
    """Both halves of the loader agree: channels averaged, resampled to the mix's rate."""
    rate = 44100
    wave = voice_wave(rate)
    stereo = np.stack([wave, 0.5 * wave], axis=1)     # mixes down to 0.75 of the wave
    (sounds / "stereo.wav").write_bytes(wav_bytes(stereo, rate))
    encode(sounds / "stereo.wav", sounds / "stereo.flac")
    wav = recording(load(write_scene, project_dir, ", voice: sounds/stereo.wav")).samples
    got = recording(load(write_scene, project_dir, ", voice: sounds/stereo.flac")).samples
    assert len(got) == len(wav) == int(round(len(wave) * SAMPLE_RATE / rate))
    expected = 0.75 * voice_wave(SAMPLE_RATE)[:len(got)]
    # two resamplers (ffmpeg's for FLAC, linear interpolation for WAV), both close to the wave
    # at 48 kHz: measured 49 dB (FLAC) and 37 dB (WAV), a 3 dB level error would read 10 dB
    assert snr_db(expected, got) >= 30
    assert snr_db(expected, wav) >= 30


def test_a_recorded_flac_line_opens_the_mouth_where_it_is_loud(write_scene, project_dir, sounds):
    from renderer.stage.perform import fold
    encode(sounds / "line.wav", sounds / "line.flac")
    scene = load(write_scene, project_dir, ", voice: sounds/line.flac")
    shot = scene.shots[0]
    say = next(a for a in shot.actions if a.do == "say")
    assert say.duration == pytest.approx(1.2, abs=0.01)    # the line lasts as its recording
    mine = [a for a in shot.actions if a.who == "coraline"]
    mouth = {at: fold(shot.cast["coraline"], mine, 0.4 + at, {}).mouth
             for at in (0.1, 0.3, 0.5, 0.6, 0.7, 1.0, 1.1)}
    assert mouth[0.1] == mouth[0.3] == "rest", mouth        # silence before the sound
    assert {mouth[0.5], mouth[0.6], mouth[0.7]} <= {"A", "O", "E"}, mouth   # loud: open
    assert mouth[1.0] == mouth[1.1] == "rest", mouth        # silence after


def test_an_mp3_cue_is_heard_at_its_time(write_scene, project_dir, sounds, tiny):
    encode(sounds / "line.wav", sounds / "knock.mp3", *CODECS["mp3"])
    scene = load(write_scene, project_dir, cues="\n      - {t: 0.5, play: sounds/knock.mp3}")
    level = np.abs(soundtrack(plan_scene(scene, tiny)).samples).max(axis=1)
    onset = int(np.argmax(level > 0.05)) / SAMPLE_RATE
    # the knock's sound starts 0.4 s into the file; a frame either way
    assert abs(onset - 0.9) <= 1 / 24, onset


def _damaged(source: Path, target: Path) -> Path:
    """Bytes in the middle replaced with noise: the file opens, a frame fails its check."""
    data = bytearray(source.read_bytes())
    mid = len(data) // 3
    data[mid:mid + 200] = np.random.default_rng(1).integers(0, 256, 200, np.uint8).tobytes()
    target.write_bytes(bytes(data))
    return target


def _cut_short(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes()[:len(source.read_bytes()) // 2])
    return target


@pytest.mark.parametrize("field, make, message", [
    ("voice: sounds/gone.flac", None, "an existing sound file"),
    ("voice: sounds/line.flac", _damaged, "a readable FLAC file"),
    ("voice: sounds/line.flac", _cut_short, "a readable FLAC file"),
    ("voice: sounds/line.ogg", _cut_short, "a readable Ogg file"),
    ("voice: sounds/line.mp3", "junk", "a readable MP3 file"),
    ("voice: sounds/line.m4a", "junk", "a WAV, FLAC, MP3 or Ogg file"),
    ("voice: sounds/line.mp3", "picture", "no audio stream in it"),     # a video, misnamed
    ("play: sounds/line.flac", _damaged, "a readable FLAC file"),
])
def test_bad_compressed_files_are_located(write_scene, project_dir, sounds, field, make, message):
    name = field.split(": ")[1]
    if make == "junk":
        (project_dir / name).write_bytes(b"ID3" + bytes(range(256)) * 4)
    elif make == "picture":
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=size=64x64:d=1",
                        "-f", "mp4", str(project_dir / name)], check=True,
                       stdin=subprocess.DEVNULL)
    elif make is not None:
        good = encode(sounds / "line.wav", sounds / f"good{Path(name).suffix}",
                      *CODECS.get(Path(name).suffix[1:], []))
        make(good, project_dir / name)
    if field.startswith("voice"):
        args, where = (", " + field, "[]"), "shots[0].action[0].voice"
    else:
        args, where = ("", f"\n      - {{t: 0.5, {field}}}"), "shots[0].sounds[0].play"
    with pytest.raises(SceneError) as err:
        load(write_scene, project_dir, *args)
    text = str(err.value)
    assert message in text and "voiced.yaml:" in text and where in text, text


def test_a_too_long_recording_is_refused_with_the_limit(write_scene, project_dir, sounds):
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                    "anullsrc=r=8000:cl=mono", "-t", "130", "-c:a", "libvorbis",
                    str(sounds / "long.ogg")], check=True, stdin=subprocess.DEVNULL)
    with pytest.raises(SceneError, match="at most 120 s.*more than 120 s"):
        load(write_scene, project_dir, ", voice: sounds/long.ogg")


def test_without_a_decoder_the_loader_says_it_reads_wav_only(write_scene, project_dir, sounds):
    encode(sounds / "line.wav", sounds / "line.flac")
    with pytest.raises(SceneError, match="a WAV file .*given no decoder"):
        load(write_scene, project_dir, ", voice: sounds/line.flac", decode=None)


def test_the_command_line_and_the_batch_decode_flac(write_scene, project_dir, sounds, capsys):
    """Every door a user comes in by hands the decoder down: validate, render and the batch's
    workers (which load each scene again)."""
    from renderer.cli import main
    from renderer.jobs.batchrun import run_film
    from renderer.output.mux import read_audio
    from renderer.settings import settings_for
    encode(sounds / "line.wav", sounds / "line.flac")
    scene = write_scene("voiced", SCENE.format(voice=", voice: sounds/line.flac", cues="[]"))
    assert main(["validate", str(scene)]) == 0
    assert main(["render", str(scene), "--width", "96", "-o",
                 str(project_dir / "output" / "v.mp4")]) == 0
    (project_dir / "scenes" / "sequence.yaml").write_text(
        "film: f\ntitle: F\ncard_seconds: 0\nscenes:\n  - {scene: voiced, card: false}\n")
    run_film(Project(project_dir, decode_audio=decode_recording), project_dir / "scenes" / "sequence.yaml",
             settings_for("draft", width=96), jobs=1, force=False,
             out_dir=project_dir / "output")
    for video in ("v.mp4", "voiced.mp4", "f.mp4"):
        level = np.abs(read_audio(project_dir / "output" / video)).max(axis=1)
        # the recording is silent for 0.4 s and loud for 0.4: heard from 0.8 s in the scene
        quiet, loud = level[:int(0.7 * SAMPLE_RATE)].max(), level[int(0.9 * SAMPLE_RATE):
                                                                  int(1.1 * SAMPLE_RATE)].max()
        assert quiet < 0.01 and loud > 0.2, (video, quiet, loud)
    _damaged(sounds / "line.flac", sounds / "line.flac")
    assert main(["validate", str(scene)]) == 2
    assert "a readable FLAC file" in capsys.readouterr().err
