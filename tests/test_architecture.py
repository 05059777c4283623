"""The package's walls hold: the import contract in pyproject.toml, checked by import-linter.

The layers, top to bottom: the command line; jobs (the film's pool); review and reference;
render; output (files and encoders); compose; stage and load; paint; model; settings and jitter;
errors. Each imports only from layers below it, YAML is read only by load/, only output/ starts
processes, and nothing imports the command line.
"""
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe), "--no-cache"], cwd=str(cwd), capture_output=True, text=True,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_the_import_contract_is_kept():
    run = lint_imports(REPO)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "5 kept, 0 broken" in run.stdout


def test_a_painter_importing_a_loader_breaks_it(tmp_path):
    """The contract is not vacuous: a copy of the package where the painter imports the
    scene loader is refused, naming the import."""
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "renderer", copy / "renderer",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    brush = copy / "renderer" / "paint" / "prims.py"
    brush.write_text(brush.read_text() + "\nfrom renderer.load import scene  # noqa: E402,F401\n")
    run = lint_imports(copy)
    assert run.returncode != 0
    assert "renderer.paint.prims -> renderer.load.scene" in run.stdout


def test_an_installed_stopmo_has_every_package(tmp_path):
    """`pip install .` (the README's film command) ships every package of renderer/: a wheel
    built from the project holds each folder that has an __init__.py, and the font."""
    import zipfile
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                          "-q", "-w", str(tmp_path), str(REPO)], capture_output=True, text=True)
    if run.returncode != 0 and "setuptools" in run.stderr:
        run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                              str(tmp_path), str(REPO)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    wheel = next(tmp_path.glob("stopmo-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (REPO / "renderer").rglob("__init__.py"):
        assert init.relative_to(REPO).as_posix() in names, f"{init.parent.name} is not shipped"
    assert any(n.endswith(".ttf") for n in names)
