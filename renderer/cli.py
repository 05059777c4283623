"""The `stopmo` command line: render, still, sheet, validate, list, puppets, set, batch.

Exit codes: 0 success, 2 bad input (a scene, puppet or path the user gave), 1 an internal or
encoder failure, 130 interrupted. A user's mistake prints one located message, no traceback.
"""
from __future__ import annotations

import math
import os
import signal
import sys
import time
from pathlib import Path

from renderer.cliargs import build_parser
from renderer.errors import (
    INTERRUPTED_EXIT,
    LimitError,
    OutputError,
    SceneError,
    StopmoError,
    shown,
)
from renderer.settings import (
    MAX_IMAGE_PIXELS,
    RenderSettings,
    settings_for,
)

def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    previous = {s: signal.signal(s, _raise_interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("stopmo: interrupted; nothing was left half-written", file=sys.stderr)
        return INTERRUPTED_EXIT
    except StopmoError as exc:
        print(f"stopmo: {shown(exc.format())}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:   # `stopmo list | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug of ours: one line, not a traceback
        return _internal_error(exc)
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)


def _internal_error(exc: Exception) -> int:
    """Report a failure no check foresaw: what happened in one line, the traceback only on
    request (STOPMO_DEBUG=1), exit code 1. Outputs are written atomically, so nothing is torn."""
    import traceback
    if os.environ.get("STOPMO_DEBUG"):
        traceback.print_exc()
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    at = f" (in {Path(where[0].filename).name}:{where[0].lineno})" if where else ""
    print(f"stopmo: internal error: {type(exc).__name__}: {shown(str(exc))}{at}; nothing already on disk "
          f"was replaced. Run again with STOPMO_DEBUG=1 for the traceback, and please report it.",
          file=sys.stderr)
    return 1


def _raise_interrupt(signum, frame):
    # The first Ctrl-C or SIGTERM unwinds the work, which removes its temporary files and stops
    # ffmpeg and the workers; a second one must not cut that cleanup short, so it does nothing
    # (a no-op handler, not SIG_IGN, which fails on a signal already pending).
    signal.signal(signal.SIGINT, _ignore_signal)
    signal.signal(signal.SIGTERM, _ignore_signal)
    raise KeyboardInterrupt


def _ignore_signal(signum, frame):
    pass


def _settings(args) -> RenderSettings:
    return settings_for(args.quality, args.width, args.fps, args.seed, post=not args.no_post,
                        audio=not args.no_audio, captions=args.captions)


def _paint_store():
    """The paint cache a command reads and keeps its paintings and definitions in, opened once
    from the environment (`STOPMO_CACHE`, see `paintcache.open_store`)."""
    from renderer.paint.paintcache import open_store
    return open_store(os.environ)


def _project(start: Path | None = None):
    from renderer.load.project import project_at
    from renderer.output.audiofile import decode_recording
    return project_at(start or Path.cwd(), _paint_store(), decode_recording)


def _scene(arg: str):
    from renderer.load.project import find_scene
    from renderer.output.audiofile import decode_recording
    return find_scene(arg, Path.cwd(), _paint_store(), decode_recording)


def _default_output(scene, name: str) -> Path:
    out = scene.project.root / "output"
    out.mkdir(exist_ok=True)
    return out / name


def progress_bar(total: int, desc: str):
    """A progress bar on a terminal; silent when stderr is piped or redirected."""
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="frame", disable=not sys.stderr.isatty(),
                dynamic_ncols=True, leave=False)


def cmd_render(args) -> int:
    from renderer.output.encode import find_ffmpeg_early
    from renderer.render import plan_scene, render_to
    from renderer.stage.timing import seconds_text
    find_ffmpeg_early()
    scene = _scene(args.scene)
    settings = _settings(args)
    plan = plan_scene(scene, settings, args.shot)
    target = args.output or _default_output(
        scene, f"{scene.name}{'-' + args.shot if args.shot else ''}.mp4")
    _check_chunk_frames(args.chunk_frames)
    started = time.perf_counter()
    chunks = ""
    if args.cluster or args.chunk_frames is not None:
        from renderer.jobs.batchrun import render_scene
        _, n = render_scene(scene, settings, target, shot=args.shot, cluster=args.cluster,
                            chunk_frames=args.chunk_frames)
        chunks = f" in {n} chunk{'s' if n != 1 else ''}"
    else:
        with progress_bar(plan.frames, scene.name) as bar:
            render_to(plan, target, bar.update)
    took = time.perf_counter() - started
    print(f"{target}: {plan.frames} frames ({plan.exposures} exposures), "
          f"{seconds_text(plan.frames / settings.fps)} at {settings.width}x{settings.height}, "
          f"rendered in {took:.1f} s{chunks}")
    return 0


def _check_chunk_frames(n: int | None) -> None:
    from renderer.settings import MAX_FPS, MAX_SCENE_SECONDS
    most = round(MAX_SCENE_SECONDS * MAX_FPS)
    if n is not None and not 0 <= n <= most:
        raise LimitError(f"--chunk-frames {n}: expected 0 (whole scenes) to {most} frames")


def cmd_still(args) -> int:
    from renderer.output.files import save_png
    from renderer.render import plan_scene, render_frame
    from renderer.stage.timing import frame_at
    scene = _scene(args.scene)
    settings = _settings(args)
    plan = plan_scene(scene, settings)
    if args.time is not None and not 0 <= args.time <= scene.duration:  # NaN fails too
        raise SceneError(f"--time {args.time}: expected 0..{scene.duration:g} seconds "
                         f"(the length of {scene.name!r})")
    frame_no = args.frame if args.frame is not None else \
        frame_at(args.time, settings.fps, plan.frames)
    target = args.output or _default_output(scene, f"{scene.name}-f{frame_no}.png")
    save_png(target, render_frame(plan, frame_no))
    print(target)
    return 0


def cmd_sheet(args) -> int:
    from renderer.output.files import save_png
    from renderer.render import plan_scene, render_exposure
    from renderer.review.contactsheet import contact_sheet
    from renderer.stage.timing import spread
    scene = _scene(args.scene)
    settings = _settings(args)
    plan = plan_scene(scene, settings)
    rows = []
    n = args.per_shot
    sheet_px = n * args.thumb * len(plan.shots) * args.thumb * 9 // 16  # thumbnails alone
    if not 1 <= n <= 24:
        raise LimitError(f"--per-shot {n}: expected 1..24 frames per shot")
    if not 16 <= args.thumb <= 1920:
        raise LimitError(f"--thumb {args.thumb}: expected a thumbnail width of 16..1920 px")
    if sheet_px > 4 * MAX_IMAGE_PIXELS:
        raise LimitError(f"the sheet would hold {sheet_px // 10**6} million pixels; the limit "
                         f"is {4 * MAX_IMAGE_PIXELS // 10**6} million",
                         hint="lower --thumb or --per-shot")
    for sp in plan.shots:
        thumbs = []
        for e in spread(sp.exposure_sheet, n):   # frame numbers as `still --frame` takes them
            f = sp.first_frame + e.frame
            thumbs.append((f"f {f} · {f / settings.fps:.2f} s",
                           render_exposure(plan, sp, e)))
        rows.append((sp.shot.id, thumbs))
    target = args.output or _default_output(scene, f"{scene.name}-sheet.png")
    save_png(target, contact_sheet(rows, thumb_width=args.thumb,
                                   title=f"{scene.title} — {scene.moment}"))
    print(target)
    return 0


def cmd_validate(args) -> int:
    from renderer.review.validate import (
        glyph_warnings,
        line_face_warnings,
        validate_file,
    )
    failed, store = 0, _paint_store()
    for path in args.files:
        try:
            what = validate_file(path, store)
            print(shown(f"{path}: ok ({what})"))
        except StopmoError as exc:
            failed += 1
            print(f"stopmo: {shown(exc.format())}", file=sys.stderr)
            continue
        warnings = glyph_warnings(path) + line_face_warnings(path, store)
        for warning in warnings:   # exit code stays 0
            print(f"stopmo: {shown(warning)}", file=sys.stderr)
    return 2 if failed else 0


def cmd_list(args) -> int:
    from renderer.load.project import is_project
    from renderer.load.scene import load_scene
    from renderer.stage.timing import seconds_text
    project = _project()
    if not is_project(project.root):
        raise SceneError(f"no stopmo project in {Path.cwd()} or above it: found no scenes, "
                         "puppets, props or sets",
                         hint="a project is a folder holding scenes/ and puppets/; cd into one")
    print("scenes:")
    for path in project.scene_paths():
        try:
            s = load_scene(path, project)
            print(shown(f"  {s.name:<24} {seconds_text(s.duration):>8}  {len(s.shots)} shots  "
                        f"{s.title}"))
        except StopmoError as exc:
            print(shown(f"  {path.stem:<24} (invalid: {exc.format()})"))
    print(shown("sequences: " + (", ".join(p.stem for p in project.sequence_paths()) or "none")))
    print(shown("puppets: " + (", ".join(project.puppet_names) or "none")))
    print(shown("props:   " + (", ".join(project.prop_names) or "none")))
    print(shown("sets:    " + (", ".join(project.set_names) or "none")))
    return 0


def cmd_puppets(args) -> int:
    from renderer.review import castlist, modelsheet
    project = _project()
    if args.all and args.name:
        raise SceneError("give a puppet NAME or --all, not both")
    if args.all:
        folder = args.output or project.root / "output" / "puppets"
        if folder.suffix.lower() == ".png":
            raise SceneError(f"--all writes a folder of sheets, not {folder}",
                             hint="give -o a folder")
        return modelsheet.write_all(project, folder, args.width, print)
    if args.sheet:
        if not args.name:
            raise SceneError("--sheet needs a puppet NAME", hint="or use --all")
        puppet = castlist.resolve(project, args.name)
        if args.output is None:
            (project.root / "output").mkdir(exist_ok=True)
        target = args.output or project.root / "output" / f"{puppet.name}-model.png"
        print(modelsheet.write_sheet(puppet, target, args.width, project.store))
        return 0
    if args.name:
        print("\n".join(castlist.describe(castlist.resolve(project, args.name),
                                              grips=True)))
        return 0
    lines, errors = castlist.cast_listing(project)
    print("\n".join(lines))
    for message in errors:
        print(f"stopmo: {shown(message)}", file=sys.stderr)
    return 2 if errors else 0


def cmd_import(args) -> int:
    from renderer.load.drawing import read_drawing
    from renderer.rigging.propose import write_puppet
    if not 10 <= args.height <= 4000:
        raise LimitError(f"--height is 10..4000 stage units, got {args.height:g}")
    rig = write_puppet(read_drawing(args.drawing), args.output, args.height, args.force)
    bones = ", ".join(b for b, _ in rig.bones)
    print(f"{args.output}: {len(rig.parts)} parts in {args.output.parent / rig.name}/, "
          f"bones {bones}")
    print(f"next: stopmo puppets {rig.name} --sheet -o output/{rig.name}-model.png")
    return 0


def cmd_set(args) -> int:
    from renderer.review import setsheet
    project = _project()
    if args.output is not None and not args.sheet:
        raise SceneError(f"-o {args.output}: only a sheet is written to a file",
                         hint="add --sheet to draw the set sheet")
    if not args.name:
        if args.sheet:
            raise SceneError("--sheet needs a set NAME", hint="`stopmo set` lists them")
        lines, errors = setsheet.set_listing(project)
        print("\n".join(lines))
        for message in errors:
            print(f"stopmo: {shown(message)}", file=sys.stderr)
        return 2 if errors else 0
    set_def = setsheet.resolve(project, args.name)
    if args.sheet:
        if args.output is None:
            (project.root / "output").mkdir(exist_ok=True)
        target = args.output or project.root / "output" / f"{set_def.name}-set.png"
        print(setsheet.write_set_sheet(project, set_def, target, args.width))
        return 0
    from collections import Counter
    feet = setsheet.feet_of(project, set_def.name)
    print("\n".join(setsheet.describe(set_def, Counter(y for _, y in feet))))
    return 0


def cmd_batch(args) -> int:
    from renderer.jobs.batchrun import run_film
    project = _project(args.sequence.parent if args.sequence else None)
    sequence = args.sequence or project.scenes_dir / "sequence.yaml"
    if not sequence.is_file():
        from renderer.load.project import not_a_file
        raise SceneError(f"{sequence}: {not_a_file(sequence) or 'no such file'}",
                         hint="a sequence lists the film's scenes")
    if not 1 <= args.jobs <= 64:
        raise SceneError(f"--jobs {args.jobs}: expected 1..64")
    if args.cluster and args.jobs != 1:
        raise SceneError("--cluster and --jobs: the cluster's workers do the work",
                         hint="give one of them")
    _check_chunk_frames(args.chunk_frames)
    return run_film(project, sequence, _settings(args), jobs=args.jobs, force=args.force,
                    out_dir=args.output_dir or project.root / "output", cluster=args.cluster,
                    chunk_frames=args.chunk_frames)


def cmd_sound(args) -> int:
    from renderer.output.mux import write_stem
    from renderer.render import plan_scene, soundtrack
    from renderer.review.soundsheet import sound_sheet
    from renderer.sound.loudness import integrated, true_peak
    scene = _scene(args.scene)
    settings = settings_for("draft", fps=args.fps, seed=args.seed)
    track = soundtrack(plan_scene(scene, settings))
    target = args.output or _default_output(scene, f"{scene.name}.wav")
    if target.suffix.lower() != ".wav":
        raise OutputError(f"{target}: a stem is a .wav file")
    write_stem(target, track.samples)
    peak = true_peak(track.samples)
    print(f"{target}: {track.seconds:.2f} s, {integrated(track.samples):.1f} LUFS, "
          f"true peak {20 * math.log10(max(peak, 1e-9)):.1f} dBTP")
    if args.plot:
        from renderer.output.files import save_png
        save_png(args.plot, sound_sheet(track, plan_scene(scene, settings), scene.name))
        print(f"{args.plot}: spectrogram and level")
    return 0


COMMANDS = {"render": cmd_render, "sound": cmd_sound, "still": cmd_still, "sheet": cmd_sheet,
            "validate": cmd_validate, "list": cmd_list, "batch": cmd_batch,
            "puppets": cmd_puppets, "set": cmd_set, "import": cmd_import}

from renderer.review.diffcmd import cmd_bless, cmd_diff  # noqa: E402  (review commands: own module)

COMMANDS.update(diff=cmd_diff, bless=cmd_bless)
