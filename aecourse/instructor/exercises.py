"""Generate the student notebooks ``exercises/NN_topic.ipynb`` from ``solutions/`` with nbgrader.

A manifest (``exercises/.generated.json``) remembers the hash of every file written, so a notebook
a student has edited since is never overwritten without ``force=True``.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from aecourse.instructor.course import find_course_root, notebook_names
from aecourse.instructor.nbgrader import build_template

MANIFEST = ".generated.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class GenerateReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by a student: not overwritten


def generate_exercises(source: Path | None = None, dest: Path | None = None, *, force: bool = False) -> GenerateReport:
    """Write the student versions of ``source/*.ipynb`` into ``dest`` with nbgrader.

    A notebook in ``dest`` that differs from what this command last wrote there (its hash in the
    manifest) has been edited by someone: it is kept, unless ``force``.
    """
    if source is None or dest is None:
        root = find_course_root()
        source = source or root / "solutions"
        dest = dest or root / "exercises"
    source, dest = Path(source), Path(dest)
    names = notebook_names(source)
    if not names:
        raise ValueError(f"source folder {source} holds no .ipynb notebooks.")
    dest.mkdir(parents=True, exist_ok=True)
    manifest_path = dest / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    report = GenerateReport()
    with tempfile.TemporaryDirectory(prefix="aecourse-generate-") as tmp:
        root = build_template(source, names, Path(tmp))
        for name in names:
            new = root / "release" / name / f"{name}.ipynb"
            target = dest / f"{name}.ipynb"
            new_hash = _sha256(new)
            if target.exists():
                old_hash = _sha256(target)
                if old_hash == new_hash:
                    manifest[target.name] = new_hash
                    report.unchanged.append(target.name)
                    continue
                if old_hash != manifest.get(target.name) and not force:
                    report.kept.append(target.name)
                    continue
            shutil.copyfile(new, target)
            manifest[target.name] = new_hash
            report.written.append(target.name)
    manifest_path.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return report
