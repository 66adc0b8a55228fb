"""exercises/ is what nbgrader generates from solutions/, holds no solution or hidden test, and a
student's edited notebook is never overwritten by regenerating without --force."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from aecourse.instructor.course import questions_of
from aecourse.instructor.exercises import MANIFEST, generate_exercises

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
NAMES = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("exercises")
    generate_exercises(SOLUTIONS, dest)
    return dest


def test_eight_lessons():
    assert NAMES == ["01_bottleneck", "02_linear_ae_vs_pca", "03_sparse", "04_denoising_shrinkage",
                     "05_contractive_jacobian", "06_layerwise_pretraining", "07_anomaly_scoring", "08_generative"]


def test_committed_exercises_are_what_nbgrader_generates(regenerated):
    committed = sorted(p.name for p in EXERCISES.iterdir())
    assert committed == sorted(p.name for p in regenerated.iterdir())
    for name in committed:
        assert (EXERCISES / name).read_bytes() == (regenerated / name).read_bytes(), (
            f"exercises/{name} is stale: run `python -m aecourse generate-exercises` and commit it")


def _marked_regions(source: str, begin: str, end: str) -> list[str]:
    return re.findall(rf"### {begin}\n(.*?)### {end}", source, flags=re.S)


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_or_hidden_test_in_exercises(name):
    text = (EXERCISES / f"{name}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    # code cells only: the exercise text may quote a line of the solution as a hint
    exercise_code = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells if c.cell_type == "code")
    source = nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)
    secrets = []
    for cell in source.cells:
        secrets += _marked_regions(cell.source, "BEGIN SOLUTION", "END SOLUTION")
        secrets += _marked_regions(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    assert secrets, "the source has solution and hidden-test regions"
    for region in secrets:
        for line in region.splitlines():
            line = line.strip()
            if len(line) > 12:  # skip trivial lines such as 'return total'
                assert line not in exercise_code, f"{name}: {line!r} leaked into the exercise"


def test_enough_exercises_and_points():
    counts, points = {}, 0.0
    for name in NAMES:
        questions = questions_of(SOLUTIONS / f"{name}.ipynb")
        counts[name] = len(questions)
        points += sum(q.max_score for q in questions)
    assert min(counts.values()) >= 2, counts
    assert sum(counts.values()) >= 14
    assert points >= 40


@pytest.mark.parametrize("name", NAMES)
def test_each_exercise_has_a_stub_a_visible_check_and_hidden_tests(name):
    source = nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)
    exercise = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in exercise.cells}
    assert "import aecourse" in by_id["setup"].source
    tests = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    for test in tests:
        gid = test.metadata["nbgrader"]["grade_id"]
        assert gid.startswith("test_") and gid[5:] in by_id, gid
        assert "raise NotImplementedError()" in by_id[gid[5:]].source  # the stub, with its signature
        if "quiz" in gid:  # a graded quiz question: the answer variable, no answer
            assert f"answer_{gid[len('test_quiz_'):]} = None" in by_id[gid[5:]].source
            continue
        assert "def " in by_id[gid[5:]].source
        assert "grading.check_" in by_id[gid].source  # visible test with actionable feedback
        assert "### BEGIN HIDDEN TESTS" in test.source
        assert test.metadata["nbgrader"]["locked"] and test.metadata["nbgrader"]["points"] > 0


def test_regenerating_keeps_an_edited_exercise_unless_forced(tmp_path):
    source = tmp_path / "solutions"
    source.mkdir()
    for name in NAMES[:2]:
        shutil.copy(SOLUTIONS / f"{name}.ipynb", source)
    dest = tmp_path / "exercises"
    first = generate_exercises(source, dest)
    assert sorted(first.written) == [f"{n}.ipynb" for n in NAMES[:2]]

    edited, untouched = dest / f"{NAMES[0]}.ipynb", dest / f"{NAMES[1]}.ipynb"
    nb = nbformat.read(edited, as_version=4)
    nb.cells[3].source = nb.cells[3].source.replace("raise NotImplementedError()", "return 42  # my work")
    nbformat.write(nb, edited)
    student_work = edited.read_bytes()
    # the instructor changes both sources
    for name in NAMES[:2]:
        nb = nbformat.read(source / f"{name}.ipynb", as_version=4)
        nb.cells[0].source += "\n\nUpdated by the instructor."
        nbformat.write(nb, source / f"{name}.ipynb")

    cli = subprocess.run([sys.executable, "-m", "aecourse", "generate-exercises", "--source", str(source),
                          "--dest", str(dest)], capture_output=True, text=True, timeout=600)
    assert cli.returncode == 0, cli.stderr
    assert f"KEPT      {edited.name}" in cli.stdout and "--force" in cli.stdout
    assert edited.read_bytes() == student_work  # the student's work is not lost
    assert "Updated by the instructor." in untouched.read_text()  # an untouched exercise follows the source

    forced = generate_exercises(source, dest, force=True)
    assert forced.written == [edited.name]
    assert "Updated by the instructor." in edited.read_text()
    assert json.loads((dest / MANIFEST).read_text()).keys() == {f"{n}.ipynb" for n in NAMES[:2]}


def test_an_exercise_that_was_never_generated_here_is_not_overwritten(tmp_path):
    source = tmp_path / "solutions"
    source.mkdir()
    shutil.copy(SOLUTIONS / f"{NAMES[0]}.ipynb", source)
    dest = tmp_path / "exercises"
    dest.mkdir()
    (dest / f"{NAMES[0]}.ipynb").write_text("{}")  # someone's file, no manifest entry
    report = generate_exercises(source, dest)
    assert report.kept == [f"{NAMES[0]}.ipynb"] and (dest / f"{NAMES[0]}.ipynb").read_text() == "{}"
