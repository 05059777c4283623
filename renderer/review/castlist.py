"""`stopmo puppets` without a sheet: a puppet found by name or file, and the cast listed with
what each puppet offers a scene (skins, faces, mouths, head turns, poses, cycles, its grip)."""
from __future__ import annotations

from pathlib import Path

from renderer.errors import PuppetError, StopmoError, did_you_mean
from renderer.load.project import Project
from renderer.load.puppet import load_puppet
from renderer.model.puppet import PuppetDef
from renderer.model.vocab import MOUTH_SHAPES
from renderer.stage.grip import grip_name, grip_offsets, offset_text


def resolve(project: Project, name: str) -> PuppetDef:
    """A puppet or prop by name (puppets first), or a puppet file by path."""
    if name in project.puppet_names:
        return project.puppet(name)
    if name in project.prop_names:
        return project.prop(name)
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_puppet(path, display=project.display(path))
    raise PuppetError(f"no puppet or prop {name!r}",
                      hint=did_you_mean(name, project.puppet_names + project.prop_names, "puppet",
                                         "stopmo puppets"))


def describe(puppet: PuppetDef, grips: bool = False) -> list[str]:
    """Indented lines naming a puppet's skins, faces, mouth shapes, head turns, poses, cycles and
    grip point;
    with `grips`, the grip point in every pose too (`grip_lines`)."""
    def row(label: str, items) -> str:
        return f"    {label:<8}{', '.join(items) if items else '-'}"

    mouths = [m for m in MOUTH_SHAPES if m in puppet.mouths]
    cycles = [f"{c} ({cy.period:g} s: {' > '.join(cy.keys)})" for c, cy in puppet.cycles.items()]
    return [f"  {puppet.name:<20} {puppet.title}  ({len(puppet.bones)} bones, "
            f"{len(puppet.slots)} slots)",
            row("skins", puppet.skins), row("faces", puppet.faces), row("mouths", mouths),
            row("turns", puppet.turns),
            row("poses", puppet.poses), row("cycles", cycles)] + grip_lines(puppet, grips)


def grip_lines(puppet: PuppetDef, every_pose: bool) -> list[str]:
    """The hand props are held at, as an offset from the root (`at`) facing right, in the rest
    pose and, with `every_pose`, in each named pose: what `props: {P: {at: [x+dx, y+dy]}}` adds."""
    offsets = grip_offsets(puppet)
    if not offsets:
        return ["    grip    - (holds nothing)"]
    lines = [f"    grip    hand at {grip_name(puppet)}: {offset_text(offsets['stand'])} from the "
             f"root at rest, facing right (facing left: negate dx)"]
    for bone, gx, gy in puppet.grips[1:]:
        lines.append(f"            other hand at {puppet.bones[bone].name} [{gx:g}, {gy:g}] "
                     "(it joins the holding hand in a give)")
    if every_pose:
        posed = [f"{name} {offset_text(off)}" for name, off in offsets.items() if name != "stand"]
        cell = max(map(len, posed), default=0) + 3
        per_line = max(1, (100 - 14) // cell)           # columns, so a pose never breaks a line
        for k in range(0, len(posed), per_line):
            label = "by pose" if k == 0 else ""
            lines.append(f"      {label:<8}" + "".join(p.ljust(cell) for p in
                                                      posed[k:k + per_line]).rstrip())
    return lines


def cast_listing(project: Project) -> tuple[list[str], list[str]]:
    """(lines of the listing, messages of the files that do not load) for every puppet and prop."""
    lines, errors = [], []
    for kind, names, load in (("puppets", project.puppet_names, project.puppet),
                              ("props", project.prop_names, project.prop)):
        lines.append(f"{kind}:" if names else f"{kind}: none")
        for n in names:
            try:
                lines.extend(describe(load(n)))
            except StopmoError as exc:
                lines.append(f"  {n:<20} (invalid, see below)")
                errors.append(exc.format())
    return lines, errors
