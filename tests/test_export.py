"""Grades exported for a learning management system, against files written by hand from the
documented formats (Canvas's gradebook import; a plain wide table)."""
from __future__ import annotations

import zipfile

import pytest

from aecourse.instructor.export import canvas_gradebook, feedback_zips, wide_table

GRADES = """student,notebook,question,score,max_score,reason
ana,01_bottleneck,mse,2,2,
ana,01_bottleneck,quiz_identity,0,1,If you chose A: ...
ana,03_sparse,l1,2,2,
bo,01_bottleneck,mse,1,2,"a reason, with a comma"
bo,01_bottleneck,quiz_identity,1,1,
zed,03_sparse,l1,0,2,calls aecourse.penalties.l1_sparsity
"""

ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,Submission
"Ana, Lima",1001,S1,alima,Section A,ana
"Bo Chen",1002,S2,bo,Section B,
"Cy Doe",1003,S3,cdoe,Section A,
"""

# Canvas's gradebook import: the five identity columns, one column per assignment, and the
# "Points Possible" row that Canvas's own export writes second (written out by hand).
CANVAS_WITH_ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,01_bottleneck,03_sparse
Points Possible,,,,,3,2
"Ana, Lima",1001,S1,alima,Section A,2,2
Bo Chen,1002,S2,bo,Section B,2,
Cy Doe,1003,S3,cdoe,Section A,,
"""

CANVAS_WITHOUT_ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,01_bottleneck,03_sparse
Points Possible,,,,,3,2
ana,,,ana,,2,2
bo,,,bo,,2,
zed,,,zed,,,0
"""

WIDE = """student,01_bottleneck/mse,01_bottleneck/quiz_identity,03_sparse/l1,total
max_score,2,1,2,5
ana,2,0,2,4
bo,1,1,,2
zed,,,0,0
"""


@pytest.fixture
def grades(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text(GRADES)
    return path


def text(path):
    return path.read_text().replace("\r\n", "\n")


def test_canvas_file_with_a_roster_matches_canvas_format(grades, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    result = canvas_gradebook(grades, tmp_path / "canvas.csv", roster=roster)
    assert text(tmp_path / "canvas.csv") == CANVAS_WITH_ROSTER
    assert result.rows == 3
    assert result.no_submission == ["Cy Doe"]  # on the roster, no folder
    assert result.not_in_roster == ["zed"]  # a folder the roster does not know


def test_canvas_file_without_a_roster_uses_the_folder_as_login(grades, tmp_path):
    canvas_gradebook(grades, tmp_path / "canvas.csv")
    assert text(tmp_path / "canvas.csv") == CANVAS_WITHOUT_ROSTER


def test_a_canvas_export_can_serve_as_the_roster(grades, tmp_path):
    """A gradebook exported from Canvas (with its Points Possible row, no Submission column) works:
    folders are matched to the SIS Login ID."""
    roster = tmp_path / "export.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Old (123)\n"
                      "    Points Possible,,,,,10\nAna,1,S1,ana,A,\nBo,2,S2,bo,A,\n")
    result = canvas_gradebook(grades, tmp_path / "canvas.csv", roster=roster)
    assert text(tmp_path / "canvas.csv").splitlines()[2:] == ["Ana,1,S1,ana,A,2,2", "Bo,2,S2,bo,A,2,"]
    assert result.not_in_roster == ["zed"] and result.no_submission == []


def test_wide_table_has_one_column_per_question(grades, tmp_path):
    assert wide_table(grades, tmp_path / "wide.csv") == 3
    assert text(tmp_path / "wide.csv") == WIDE


def test_feedback_is_bundled_one_zip_per_student(tmp_path):
    for student, pages in {"ana": ["01_bottleneck", "03_sparse"], "bo": ["01_bottleneck"]}.items():
        (tmp_path / "out" / "feedback" / student).mkdir(parents=True)
        for page in pages:
            (tmp_path / "out" / "feedback" / student / f"{page}.html").write_text(f"<p>{student} {page}</p>")
    zips = feedback_zips(tmp_path / "out", tmp_path / "zips")
    assert [z.name for z in zips] == ["ana.zip", "bo.zip"]
    with zipfile.ZipFile(zips[0]) as z:
        assert z.namelist() == ["ana/01_bottleneck.html", "ana/03_sparse.html"]
        assert z.read("ana/03_sparse.html") == b"<p>ana 03_sparse</p>"


@pytest.mark.parametrize("content, message", [
    ("", "must start with the header"),
    ("student,notebook,question,score\n", "must start with the header"),
    ("student,notebook,question,score,max_score,reason\nana,01,q,two,2,\n", "line 2"),
])
def test_a_bad_grades_file_is_named_with_what_was_expected(tmp_path, content, message):
    path = tmp_path / "grades.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        wide_table(path, tmp_path / "wide.csv")


def test_a_roster_without_canvas_columns_says_which_are_missing(grades, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nAna,a@x\n")
    with pytest.raises(ValueError, match="lacks Student, ID, SIS User ID, SIS Login ID, Section"):
        canvas_gradebook(grades, tmp_path / "canvas.csv", roster=roster)
    assert not (tmp_path / "canvas.csv").exists()  # checked before anything is written


def test_missing_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        wide_table(tmp_path / "nope.csv", tmp_path / "wide.csv")
    with pytest.raises(FileNotFoundError, match="feedback"):
        feedback_zips(tmp_path, tmp_path / "zips")
