"""environment.yml (conda, Binder) and pyproject.toml (pip, make) must not drift apart."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"torch": "pytorch"}  # PyPI name -> conda-forge name where they differ


def requirement(spec: str) -> tuple[str, str]:
    """'numpy>=1.24' -> ('numpy', '>=1.24'); names lower-cased, '_' and '-' alike."""
    name, bound = re.match(r"\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)", spec).groups()
    return name.lower().replace("_", "-"), bound.split(";")[0].strip().replace(" ", "")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def conda_env() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_packages() -> dict[str, str]:
    specs = [d for d in conda_env()["dependencies"] if isinstance(d, str)]
    return dict(requirement(s.replace("=", "==", 1) if re.search(r"[^<>=!]=[^=]", s) else s) for s in specs)


def pip_section() -> list[str]:
    for d in conda_env()["dependencies"]:
        if isinstance(d, dict) and "pip" in d:
            return d["pip"]
    return []


RUNTIME = [requirement(s) for s in pyproject()["project"]["dependencies"]]
TEST = [requirement(s) for s in pyproject()["project"]["optional-dependencies"]["test"]]


def test_pyproject_lists_the_runtime_dependencies_of_the_issue():
    names = {name for name, _ in RUNTIME}
    assert {"numpy", "torch", "matplotlib", "scikit-learn", "ipywidgets", "jupyterlab", "tqdm"} <= names


@pytest.mark.parametrize("name, bound", RUNTIME + TEST, ids=[n for n, _ in RUNTIME + TEST])
def test_dependency_is_in_environment_yml_with_the_same_lower_bound(name, bound):
    conda = conda_packages()
    conda_name = CONDA_NAMES.get(name, name)
    assert conda_name in conda, f"{name} is in pyproject.toml but not in environment.yml (as {conda_name})"
    assert conda[conda_name] == bound, f"{name}: pyproject.toml says {bound!r}, environment.yml {conda[conda_name]!r}"


def test_environment_yml_uses_python_3_11_from_conda_forge():
    env = conda_env()
    assert "conda-forge" in env["channels"]
    assert conda_packages()["python"] == "==3.11"


def test_environment_yml_installs_the_package_with_pip():
    assert "pip" in conda_packages()
    assert any(re.fullmatch(r"(-e\s+)?\.(\[[a-z,]+\])?", line.strip()) for line in pip_section())


def test_requirement_parser():
    assert requirement("numpy>=1.24") == ("numpy", ">=1.24")
    assert requirement("scikit_learn >= 1.3") == ("scikit-learn", ">=1.3")
    assert requirement("torch") == ("torch", "")
