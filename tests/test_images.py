"""Image parts: upright drawings that sit right on their bones, and `stopmo import` of layered
drawings (OpenRaster made here with Pillow and zipfile, a folder with a layout, Photoshop when
the optional reader is installed), with located errors for bad files."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from renderer.cli import main
from renderer.load.puppet import load_puppet
from renderer.paint.sprites import attachment_sprite
from renderer.review.pictures import RIG
from renderer.stage.pose import puppet_matrices

SIZE = (60, 120)   # every part drawn upright in a 60x120 picture


def part(path: Path, box, colour) -> None:
    """A filled upright rectangle: the part as an artist draws it, taller than wide."""
    im = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle(box, fill=(*colour, 255))
    im.save(path)


# The rig a user writes in the Spine habit: bones along their x axis, limbs pointing down
# (rot 90), the torso and head up (rot -90); each image gets its bone's rest angle as `rot`. The
# reference's picture draws the same rig (`renderer.review.pictures`).
SPINE_RIG = RIG + """poses:
  step_a: {{leg: -25, arm: 20}}
  step_b: {{leg: 25, arm: -20}}
cycles:
  walk: {{period: 0.8, keys: [step_a, step_b]}}
"""


def four_parts(folder: Path, with_rot: bool) -> Path:
    part(folder / "torso.png", (10, 10, 49, 109), (200, 60, 50))
    part(folder / "head.png", (15, 60, 44, 109), (240, 200, 170))
    part(folder / "arm.png", (25, 10, 34, 99), (240, 200, 170))
    part(folder / "leg.png", (24, 10, 35, 109), (60, 60, 90))
    rots = dict(up=", rot: -90", down=", rot: 90") if with_rot else dict(up="", down="")
    path = folder / "doll.yaml"
    path.write_text(SPINE_RIG.format(**rots))
    return path


def painted_box(puppet, att: str, bone: str):
    """(width, height) in stage units of where `att` paints at rest, on screen."""
    sprite = attachment_sprite(puppet, att, 1.0)
    world = puppet_matrices(puppet, puppet.poses["stand"])[puppet.bone_index[bone]]
    ys, xs = np.nonzero(sprite.rgba[..., 3] > 128)
    k = 1 / sprite.scale      # sprite pixels to stage units (a painting may be made smaller)
    pts = np.stack([(xs - sprite.origin[0]) * k, (ys - sprite.origin[1]) * k, np.ones(len(xs))])
    on = world @ pts
    return on[0].max() - on[0].min(), on[1].max() - on[1].min(), on


def test_four_upright_parts_stand_upright_with_one_rot_each(tmp_path):
    puppet = load_puppet(four_parts(tmp_path, with_rot=True))
    for att, bone in (("torso", "hips"), ("head", "head"), ("arm", "arm"), ("leg", "leg")):
        w, h, _ = painted_box(puppet, att, bone)
        assert h > 1.4 * w, f"{att} should stand upright as drawn, is {w:.0f} x {h:.0f}"
    _, _, leg = painted_box(puppet, "leg", "leg")
    assert leg[1].max() == pytest.approx(0, abs=2)        # the foot on the floor
    _, _, head = painted_box(puppet, "head", "head")
    _, _, torso = painted_box(puppet, "torso", "hips")
    assert head[1].max() == pytest.approx(torso[1].min(), abs=2)   # the head sits on the body


def test_without_rot_the_same_parts_lie_sideways(tmp_path):
    puppet = load_puppet(four_parts(tmp_path, with_rot=False))
    w, h, _ = painted_box(puppet, "leg", "leg")
    assert w > 2 * h


def test_the_upright_puppet_walks(project_dir, write_scene, monkeypatch):
    four_parts(project_dir / "puppets", with_rot=True)
    write_scene("doll_walk", """
        scene: doll_walk
        set: bedroom_real
        shots:
          - id: s
            duration: 1.0
            cast: {doll: {at: [600, 930]}}
            action: [{t: 0, who: doll, do: walk, to: [900, 930], for: 1.0}]
    """)
    out = project_dir / "output"
    monkeypatch.chdir(project_dir)
    for frame in (2, 12):
        assert main(["still", "doll_walk", "--frame", str(frame), "-q", "draft", "--width",
                     "320", "-o", str(out / f"f{frame}.png")]) == 0
    a, b = (np.asarray(Image.open(out / f"f{f}.png")) for f in (2, 12))
    assert np.abs(a.astype(int) - b).max() > 40   # the doll has moved


def test_flip_mirrors_a_part_about_its_pivot_and_scale_stretches_it(tmp_path):
    part(tmp_path / "p.png", (10, 10, 29, 109), (10, 200, 10))   # painted left of centre
    (tmp_path / "p.yaml").write_text(
        "puppet: p\nbones: [{name: root}]\nslots: [{name: a, bone: root, attachment: a},"
        " {name: b, bone: root, attachment: b}, {name: c, bone: root, attachment: c}]\n"
        "attachments:\n  a: {image: p.png, pivot: [30, 60]}\n"
        "  b: {image: p.png, pivot: [30, 60], flip: x}\n"
        "  c: {image: p.png, pivot: [30, 60], scale: [1, 2]}\n")
    puppet = load_puppet(tmp_path / "p.yaml")
    _, _, a = painted_box(puppet, "a", "root")
    _, _, b = painted_box(puppet, "b", "root")
    assert a[0].max() < 0 < b[0].min()       # mirrored to the other side of the pivot
    wa, ha, _ = painted_box(puppet, "a", "root")
    wc, hc, _ = painted_box(puppet, "c", "root")
    assert hc == pytest.approx(2 * ha, rel=0.05) and wc == pytest.approx(wa, rel=0.1)


def test_redrawn_variants_differ_and_the_first_is_the_drawing(tmp_path):
    part(tmp_path / "p.png", (10, 10, 49, 109), (10, 200, 10))
    (tmp_path / "p.yaml").write_text(
        "puppet: p\nbones: [{name: root}]\nslots: [{name: a, bone: root, attachment: a}]\n"
        "attachments:\n  a: {image: p.png, redraw: 3, material: paper}\n")
    puppet = load_puppet(tmp_path / "p.yaml")
    first, second = (attachment_sprite(puppet, "a", 1.0, variant=v).rgba for v in (0, 1))
    assert first.shape != second.shape or np.any(first != second)
    assert first[..., 3].astype(bool).sum() == pytest.approx(40 * 100, rel=0.05)


# --- stopmo import ---------------------------------------------------------------------------

W, H = 100, 200
LAYERS = {   # name: (box on the canvas, colour), back to front
    "leg_b": ((38, 120, 48, 199), (50, 50, 80)),
    "leg_f": ((52, 120, 62, 199), (50, 50, 80)),
    "torso": ((30, 50, 70, 130), (200, 60, 50)),
    "head": ((35, 10, 65, 55), (240, 200, 170)),
    "mouth_A": ((45, 40, 55, 45), (120, 20, 30)),
    "arm_f": ((66, 52, 74, 115), (240, 200, 170)),
}


def make_ora(path: Path, layers=LAYERS, stack_xml: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "image/openraster")
        entries = []
        for i, (name, (box, colour)) in enumerate(layers.items()):
            im = Image.new("RGBA", (W, H), (0, 0, 0, 0))
            ImageDraw.Draw(im).rectangle(box, fill=(*colour, 255))
            buf = io.BytesIO()
            im.save(buf, "PNG")
            z.writestr(f"data/{i}.png", buf.getvalue())
            entries.append(f'<layer name="{name}" src="data/{i}.png" x="0" y="0"/>')
        z.writestr("stack.xml", stack_xml or f'<image w="{W}" h="{H}"><stack>'
                   + "".join(reversed(entries)) + "</stack></image>")
    return path


def test_import_builds_a_working_puppet_from_an_ora(project_dir, monkeypatch, capsys):
    monkeypatch.chdir(project_dir)
    ora = make_ora(project_dir / "doll.ora")
    assert main(["import", str(ora), "-o", "puppets/doll.yaml"]) == 0
    puppet = load_puppet(project_dir / "puppets" / "doll.yaml")
    bones = {b.name: puppet.bones[b.parent].name if b.parent >= 0 else None
             for b in puppet.bones}
    assert bones == {"root": None, "torso": "root", "leg_b": "torso", "leg_f": "torso",
                     "head": "torso", "arm_f": "torso"}
    assert puppet.mouth_slot == "mouth" and puppet.mouths["rest"] == "mouth_A"
    # the head's joint is where it overlaps the torso (canvas y 50..55), the legs' where they
    # run under it (y 120..130): in stage units from the torso's joint
    world = puppet_matrices(puppet, puppet.poses["stand"])
    scale = 360 / (200 - 10)   # stage units per pixel: the painted drawing is 360 units tall
    head_y = world[puppet.bone_index["head"]][1, 2]
    assert head_y == pytest.approx((52.5 - 200) * scale, abs=2 * scale)
    assert main(["puppets", "doll", "--sheet", "-o", "output/doll.png"]) == 0
    assert (project_dir / "output" / "doll.png").is_file()


def test_import_refuses_to_overwrite_a_puppet(project_dir, monkeypatch, capsys):
    monkeypatch.chdir(project_dir)
    ora = make_ora(project_dir / "doll.ora")
    assert main(["import", str(ora), "-o", "puppets/coraline.yaml"]) == 2
    assert "exists" in capsys.readouterr().err


@pytest.mark.parametrize("bad, expect", [
    ({**LAYERS, "wing": ((0, 0, 5, 5), (0, 0, 0))}, "layer 'wing': the rig cannot place"),
    ({"hat@neck": ((0, 0, 5, 5), (0, 0, 0))}, "layer 'hat@neck': it is drawn on bone 'neck'"),
])
def test_a_layer_the_rig_cannot_place_is_named_with_the_choices(tmp_path, bad, expect, capsys):
    ora = make_ora(tmp_path / "doll.ora", bad)
    assert main(["import", str(ora), "-o", str(tmp_path / "doll.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"doll.ora: {expect}" in err and "Traceback" not in err
    if "wing" in expect:
        assert "arm_X" in err and "PART@BONE" in err


def test_a_file_that_is_not_a_drawing_gets_a_located_error(tmp_path, capsys):
    (tmp_path / "x.ora").write_text("not a zip")
    assert main(["import", str(tmp_path / "x.ora"), "-o", str(tmp_path / "x.yaml")]) == 2
    assert "x.ora: an OpenRaster file" in capsys.readouterr().err
    (tmp_path / "x.png").write_text("nope")
    assert main(["import", str(tmp_path / "x.png"), "-o", str(tmp_path / "x.yaml")]) == 2
    assert "x.png: a layered drawing" in capsys.readouterr().err
    make_ora(tmp_path / "y.ora", stack_xml="<image><stack>")
    assert main(["import", str(tmp_path / "y.ora"), "-o", str(tmp_path / "y.yaml")]) == 2
    assert "broken XML" in capsys.readouterr().err


def test_a_folder_of_pngs_with_a_layout_imports(tmp_path, capsys):
    folder = tmp_path / "parts"
    folder.mkdir()
    for name in ("torso", "head"):
        (box, colour) = LAYERS[name]
        part(folder / f"{name}.png", (0, 0, box[2] - box[0], box[3] - box[1]), colour)
    (folder / "layout.yaml").write_text(
        "layers:\n  - {file: torso.png, at: [30, 50]}\n  - {file: head.png, at: [35, 10]}\n")
    (tmp_path / "puppets").mkdir()
    assert main(["import", str(folder), "-o", str(tmp_path / "puppets" / "pair.yaml")]) == 0
    puppet = load_puppet(tmp_path / "puppets" / "pair.yaml")
    assert [b.name for b in puppet.bones] == ["root", "torso", "head"]
    (folder / "layout.yaml").write_text("layers:\n  - {file: missing.png}\n")
    assert main(["import", str(folder), "-o", str(tmp_path / "puppets" / "x.yaml")]) == 2
    assert "parts/layout.yaml:2:" in capsys.readouterr().err


def test_a_psd_imports_when_the_optional_reader_is_installed(tmp_path):
    psd_tools = pytest.importorskip("psd_tools")
    from psd_tools.api.layers import PixelLayer
    psd = psd_tools.PSDImage.new("RGBA", (W, H))
    for name, (box, colour) in LAYERS.items():
        im = Image.new("RGBA", (W, H), (0, 0, 0, 0))
        ImageDraw.Draw(im).rectangle(box, fill=(*colour, 255))
        psd.append(PixelLayer.frompil(im, psd, name))
    psd.save(tmp_path / "doll.psd")
    (tmp_path / "puppets").mkdir()
    assert main(["import", str(tmp_path / "doll.psd"), "-o",
                 str(tmp_path / "puppets" / "doll.yaml")]) == 0
    puppet = load_puppet(tmp_path / "puppets" / "doll.yaml")
    assert "arm_f" in puppet.bone_index and puppet.mouth_slot == "mouth"
