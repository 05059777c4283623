"""The `stopmo` command line's arguments: every command, its options and its help, with the
limits a user meets. `cli` parses with `build_parser` and runs the command.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from renderer import __version__
from renderer.settings import (
    CAPTIONS,
    MAX_FILE_BYTES,
    MAX_FPS,
    MAX_IMAGE_PIXELS,
    MAX_SCENE_SECONDS,
    MAX_SET_SHAPE_STAGES,
    MAX_SET_SHAPES,
    MAX_SHOT_SECONDS,
    MAX_WIDTH,
    MIN_WIDTH,
    QUALITIES,
)

LIMITS_TEXT = (f"limits: width {MIN_WIDTH}..{MAX_WIDTH} px (16:9, so at most {MAX_WIDTH}x"
               f"{MAX_WIDTH * 9 // 16}), fps 1..{MAX_FPS}, a shot up to {MAX_SHOT_SECONDS:g} s, "
               f"a scene up to {MAX_SCENE_SECONDS:g} s ({round(MAX_SCENE_SECONDS * MAX_FPS)} frames "
               f"at {MAX_FPS} fps), images up to "
               f"{MAX_IMAGE_PIXELS} pixels ({int(MAX_IMAGE_PIXELS ** 0.5)}x"
               f"{int(MAX_IMAGE_PIXELS ** 0.5)}), scene and puppet files up to "
               f"{MAX_FILE_BYTES // 2**20} MiB, a set of up to {MAX_SET_SHAPES} shapes covering "
               f"up to {MAX_SET_SHAPE_STAGES} stages. A refusal names the limit it met.")


def _add_render_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quality", "-q", choices=sorted(QUALITIES), default="preview",
                   help="draft 640x360, preview 1280x720 (default), final 1920x1080")
    p.add_argument("--width", type=int, help="output width in pixels (height follows 16:9); "
                   "overrides the quality's size")
    p.add_argument("--fps", type=int, default=24, help="frames per second (default 24)")
    p.add_argument("--seed", type=int, help="override the scene's seed (the handmade jitter)")
    p.add_argument("--no-post", action="store_true",
                   help="skip post effects (grade, flicker, vignette, grain, halation)")
    p.add_argument("--no-audio", action="store_true",
                   help="a silent video: no soundtrack and no subtitle track")
    p.add_argument("--captions", choices=CAPTIONS, default="auto",
                   help="burn: dialogue drawn on the picture; track: a subtitle track and a "
                   "WebVTT sidecar only; off: neither; auto (default): track with sound, burn "
                   "with --no-audio")


def _add_scale_options(p: argparse.ArgumentParser, default: str) -> None:
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="render chunks on a Dask cluster: a scheduler's tcp://HOST:8786, or "
                   "local:N to start N worker processes here (needs pip install "
                   "'stopmo[cluster]'; the project and output folder must be on storage every "
                   f"worker sees, at the same path). Default: {default}")
    p.add_argument("--chunk-frames", type=int, metavar="N",
                   help="frames per chunk (cut at exposures, so a hold is never split); "
                   "default: chosen from the work and the workers; 0: whole scenes")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stopmo", description="Render scene scripts as stop-motion films.",
        epilog=LIMITS_TEXT)
    parser.add_argument("--version", action="version", version=f"stopmo {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("render", help="render one scene to MP4 (or a PNG folder)",
                       description="Render one scene to an MP4 video, or to a folder of PNG frames "
                       "when OUT ends in '/' or has no suffix.", epilog=LIMITS_TEXT)
    p.add_argument("scene", help="a scene file or a scene name from scenes/")
    p.add_argument("-o", "--output", type=_out_path,
                   help="output path (default output/SCENE.mp4)")
    p.add_argument("--shot", help="render only this shot id")
    _add_scale_options(p, "the scene renders whole, in this process")
    _add_render_options(p)

    p = sub.add_parser("still", help="render one frame to PNG",
                       description="Render one frame exactly as it appears in the full render.",
                       epilog=LIMITS_TEXT)
    p.add_argument("scene")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--frame", type=int, help="scene frame number, from 0")
    where.add_argument("--time", type=float, help="seconds from the start of the scene")
    p.add_argument("-o", "--output", type=_out_path, help="PNG path (default output/SCENE-fN.png)")
    _add_render_options(p)

    p = sub.add_parser("sheet", help="contact sheet of a scene: a row per shot",
                       description="A contact sheet: one row per shot, frames evenly spaced.",
                       epilog=LIMITS_TEXT)
    p.add_argument("scene")
    p.add_argument("-o", "--output", type=_out_path, help="PNG path (default output/SCENE-sheet.png)")
    p.add_argument("--per-shot", type=int, default=5, help="frames per shot, 1..24 (default 5)")
    p.add_argument("--thumb", type=int, default=384,
                   help="thumbnail width in pixels, 16..1920 (default 384)")
    _add_render_options(p)

    p = sub.add_parser("validate", help="check scene, sequence and puppet files without rendering")
    p.add_argument("files", nargs="+", type=Path)

    sub.add_parser("list", help="list the scenes, puppets, props and sets of this project")

    p = sub.add_parser("puppets", help="list the puppets, or draw a puppet's model sheet",
                       description="List every puppet and prop with its skins, faces, mouth "
                       "shapes, poses and cycles; with --sheet, draw NAME's model sheet (facing "
                       "right and left, every skin, expressions, mouths, poses) to a PNG; with "
                       "--all, one sheet per puppet into a folder.")
    p.add_argument("name", nargs="?", help="a puppet or prop name, or a puppet file")
    p.add_argument("--sheet", action="store_true", help="draw NAME's model sheet")
    p.add_argument("--all", action="store_true",
                   help="draw every puppet's sheet as DIR/NAME.png (props in DIR/props/)")
    p.add_argument("-o", "--output", type=_out_path, help="PNG for --sheet (default "
                   "output/NAME-model.png), folder for --all (default output/puppets/)")
    p.add_argument("--width", type=int, default=220,
                   help="width of a sheet cell in pixels, 64..1024 (default 220)")

    p = sub.add_parser("import", help="make a puppet from a layered drawing (.ora, .psd, folder)",
                       description="Turn a layered drawing into a puppet: one part per layer, "
                       "saved as PNGs in puppets/NAME/, bones proposed from the layer names "
                       "(torso, head, arm_f, leg_b, mouth_A...), joints where parts overlap. "
                       "Takes OpenRaster (.ora, from Krita, GIMP or MyPaint), Photoshop (.psd, "
                       "with the optional psd-tools) or a folder of PNGs with a layout.yaml. "
                       "Check the result with `stopmo puppets NAME --sheet`.")
    p.add_argument("drawing", type=Path, help="a .ora or .psd file, or a folder of PNGs")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="the puppet file to write, puppets/NAME.yaml")
    p.add_argument("--height", type=float, default=360.0,
                   help="how tall the puppet stands, stage units, 10..4000 (default 360)")
    p.add_argument("--force", action="store_true", help="replace an existing puppet file")

    p = sub.add_parser("set", help="list the sets, or show a set's layers and floor",
                       description="List every set; with NAME, print its floor (the y where "
                       "puppets stand) and its layers back to front (name, depth, in front of the "
                       "puppets or behind, extent, shape count); with --sheet, draw NAME's set "
                       "sheet to a PNG: the whole stage at zoom 1 under a grid of stage units, "
                       "the floor line, where the scenes stand their cast, a key of the layers "
                       "and each layer alone.")
    p.add_argument("name", nargs="?", help="a set name from scenes/sets/, or a set file")
    p.add_argument("--sheet", action="store_true", help="draw NAME's set sheet")
    p.add_argument("-o", "--output", type=_out_path,
                   help="PNG for --sheet (default output/NAME-set.png)")
    p.add_argument("--width", type=int, default=1280,
                   help="width of the stage picture in pixels, 320..3840 (default 1280)")

    p = sub.add_parser("sound", help="a scene's soundtrack as a WAV stem, and a picture of it",
                       description="Write SCENE's soundtrack (the one its video carries, -16 "
                       "LUFS) as a 32-bit float WAV, and with --plot a PNG of its spectrogram "
                       "and level over time, a band per shot.", epilog=LIMITS_TEXT)
    p.add_argument("scene")
    p.add_argument("-o", "--output", type=Path, help="WAV path (default output/SCENE.wav)")
    p.add_argument("--plot", type=Path, help="also draw its spectrogram and level to this PNG")
    p.add_argument("--fps", type=int, default=24, help="frames per second (default 24)")
    p.add_argument("--seed", type=int, help="override the scene's seed")

    p = sub.add_parser("batch", help="render every scene of the sequence and assemble the film",
                       description="Render each scene of scenes/sequence.yaml to output/SCENE.mp4 "
                       "(skipping scenes whose files are unchanged since their last render) and "
                       "assemble the film output/FILM.mp4 with title cards and transitions.",
                       epilog=LIMITS_TEXT)
    p.add_argument("--sequence", type=_out_path, help="sequence file (default scenes/sequence.yaml)")
    p.add_argument("-j", "--jobs", type=int, default=1,
                   help="worker processes rendering chunks of the scenes side by side (default 1)")
    p.add_argument("--force", action="store_true", help="render every scene even if unchanged")
    _add_scale_options(p, "chunks on -j local workers")
    p.add_argument("--output-dir", type=_out_path, help="where renders go (default output/)")
    _add_render_options(p)

    from renderer.review.diffcmd import add_parsers as add_review_parsers  # diff, bless
    add_review_parsers(sub)
    return parser


def _out_path(text: str) -> Path:
    """A path argument; an empty one (`-o ''`) is refused, not read as the current folder."""
    if not text:
        raise argparse.ArgumentTypeError("expected a path, found an empty one")
    return Path(text)
