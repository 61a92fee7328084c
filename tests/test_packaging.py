"""What `pip install` ships: one top-level package, `claim_risk`, with its model and schema.

The folders keep the project's layout (`model/`, `training/`) while the import name is
`claim_risk`; pyproject.toml maps one onto the other with an explicit package list. A
folder missing from that list is silently left out of the wheel (its modules then fail
to import only after installing), and a folder shipped under its own name would put a
top-level `model` or `training` into site-packages, where it shadows a user's `model.py`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
# Folders that hold data the package reads (importlib.resources), not modules.
DATA_FOLDERS = ("model/artifacts", "model/schema")


def import_name(folder: Path) -> str:
    """The dotted import name of a repository folder, through pyproject's package-dir."""
    rel = folder.relative_to(ROOT).as_posix()
    best = max(
        (
            name
            for name, path in SETUPTOOLS["package-dir"].items()
            if (rel + "/").startswith(path + "/")
        ),
        key=lambda name: len(SETUPTOOLS["package-dir"][name]),
    )
    rest = rel[len(SETUPTOOLS["package-dir"][best]) :].strip("/")
    return ".".join([best, *rest.split("/")]) if rest else best


def shipped_folders() -> dict[str, Path]:
    """Every folder the wheel must hold, by import name: packages and data folders."""
    folders = [p.parent for top in ("model", "training") for p in (ROOT / top).rglob("__init__.py")]
    for data in DATA_FOLDERS:
        folders += [p for p in (ROOT / data).rglob("*") if p.is_dir()] + [ROOT / data]
    return {import_name(f): f for f in folders if "__pycache__" not in f.parts}


def test_import_names_map_onto_the_layout() -> None:
    assert import_name(ROOT / "model") == "claim_risk"
    assert import_name(ROOT / "model" / "core") == "claim_risk.core"
    assert import_name(ROOT / "training") == "claim_risk.training"
    assert import_name(ROOT / "training" / "fit") == "claim_risk.training.fit"
    assert import_name(ROOT / "model" / "artifacts" / "semantic") == "claim_risk.artifacts.semantic"


def test_package_list_covers_every_folder() -> None:
    """Each folder with an __init__.py (and each data folder) is listed; nothing else is."""
    expected = shipped_folders()
    listed = set(SETUPTOOLS["packages"])
    assert sorted(set(expected) - listed) == [], "add these to [tool.setuptools] packages"
    assert sorted(listed - set(expected)) == [], "these listed packages have no folder"
    assert all(name.split(".")[0] == "claim_risk" for name in listed)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    """The wheel pip builds from a copy of the sources (the checkout stays clean)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("model", "training"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp / "dist"),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    (built,) = (tmp / "dist").glob("claim_risk-*.whl")
    with zipfile.ZipFile(built) as zf:
        yield zf


def test_wheel_has_one_top_level_package(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    tops = {n.split("/")[0] for n in names}
    (info,) = [t for t in tops if t.endswith(".dist-info")]
    assert tops - {info} == {"claim_risk"}
    top_level = f"{info}/top_level.txt"
    if top_level in names:
        assert wheel.read(top_level).decode().split() == ["claim_risk"]


def test_wheel_ships_every_module_and_data_file(wheel: zipfile.ZipFile) -> None:
    """Every tracked .py, model and schema file, at its import path, byte for byte."""
    names = set(wheel.namelist())
    for name, folder in shipped_folders().items():
        for path in folder.iterdir():
            if path.is_file() and path.suffix in (".py", ".json", ".md"):
                inside = "/".join([*name.split("."), path.name])
                assert inside in names, f"{path.relative_to(ROOT)} is not in the wheel"
                if path.suffix != ".py":
                    assert wheel.read(inside) == path.read_bytes(), inside
    for required in (
        "claim_risk/artifacts/model.json",
        "claim_risk/artifacts/metadata.json",
        "claim_risk/artifacts/MODEL_CARD.md",
        "claim_risk/artifacts/semantic/model.json",
        "claim_risk/artifacts/semantic/metadata.json",
        "claim_risk/schema/prediction.schema.json",
    ):
        assert required in names


def test_wheel_metadata_declares_what_html_needs(wheel: zipfile.ZipFile) -> None:
    """trafilatura and the lxml_html_clean it imports; Python 3.11 to 3.13; `predict`."""
    (meta,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    info = Parser().parsestr(wheel.read(meta).decode("utf-8"))
    plain = [r.split(";")[0] for r in info.get_all("Requires-Dist") if "extra ==" not in r]
    names = {r.split(">")[0].split("<")[0].split("=")[0].strip().lower() for r in plain}
    assert {"numpy", "blingfire", "trafilatura", "lxml_html_clean"} <= names
    assert not names & {"scikit-learn", "scipy", "pandas", "datasets"}
    assert info["Requires-Python"].replace(" ", "") in (">=3.11,<3.14", "<3.14,>=3.11")
    entry = next(n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
    assert "predict = claim_risk.frontends.cli:main" in wheel.read(entry).decode()


def test_ci_runs_the_suite_then_the_install_check_on_python_3_13() -> None:
    """`.ci/run`: `make test` and `make lint` as before, then the plain-install check."""
    lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert lines.index("make test") < lines.index("make lint") < lines.index(".ci/install_check.sh")
    check = (ROOT / ".ci" / "install_check.sh").read_text()
    assert "python3.13" in check and "-m venv" in check and " -e " not in check
    assert (ROOT / ".ci" / "install_check.sh").stat().st_mode & 0o111
    script = (ROOT / ".ci" / "install_check.py").read_text()
    assert "from claim_risk import score_sentences, score_text" in script


def test_wheel_ships_the_workbench_and_its_command(wheel: zipfile.ZipFile) -> None:
    """`claim-risk review` needs its page, script and style (package data) and its command."""
    names = set(wheel.namelist())
    static = ROOT / "training" / "review" / "static"
    for path in static.iterdir():
        inside = f"claim_risk/training/review/static/{path.name}"
        assert inside in names, f"{path.relative_to(ROOT)} is not in the wheel"
        assert wheel.read(inside) == path.read_bytes()
    entry = next(n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
    assert "claim-risk = claim_risk.training.review.cli:main" in wheel.read(entry).decode()
