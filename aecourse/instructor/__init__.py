"""Instructor tools: the ``aecourse`` command line, exercise generation and grading a class.

- ``course``: the course root (``--course`` or discovered from the working directory), notebooks, questions.
- ``nbgrader``: nbgrader hidden in temporary course directories.
- ``exercises``: ``aecourse generate-exercises`` (exercises/ from solutions/).
- ``classroom``: ``aecourse grade`` (every (student, notebook) pair, grades.csv, feedback, summary).
- ``cli``: the argument parser.
"""
