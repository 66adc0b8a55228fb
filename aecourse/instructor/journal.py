"""What a grading run has finished, kept in OUT so that ``--resume`` grades only what changed.

``OUT/graded.jsonl`` holds one line per graded (student, notebook) pair, appended (and flushed)
the moment the pair is done: the SHA-256 of the submission's bytes, the fingerprint of the course
(its source notebooks and its package), and the pair's rows. A run stopped with Ctrl-C, or killed,
loses at most the pairs in flight; ``grades.csv`` is written from the journal when a run ends,
Ctrl-C included. ``--resume`` keeps every pair whose submission and course are unchanged and
grades the rest; a later line for a pair replaces an earlier one.
"""
from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from aecourse.instructor.course import Row

JOURNAL = "graded.jsonl"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def course_fingerprint(sources: dict[str, bytes], package_fingerprint: str) -> str:
    """One hash over the source notebooks (by name) and the package's files."""
    digest = hashlib.sha256(package_fingerprint.encode())
    for name in sorted(sources):
        digest.update(b"\0" + name.encode() + b"\0" + sources[name])
    return digest.hexdigest()


class Journal:
    """The pairs graded into one OUT folder, read at start and appended to as pairs finish."""

    def __init__(self, out: Path, *, resume: bool):
        self.path = Path(out) / JOURNAL
        self.done: dict[tuple[str, str], dict] = {}
        if resume and self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.done[(entry["student"], entry["notebook"])] = entry
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a killed run: that pair is graded again
        elif self.path.exists():
            self.path.unlink()  # a fresh run: nothing of an earlier one is kept
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", encoding="utf-8")
        self._lock = threading.Lock()  # sandboxes of several students finish at once

    def unchanged(self, student: str, notebook: str, submission_sha: str, course: str) -> list[Row] | None:
        """The recorded rows of a pair whose submission and course have not changed, else None."""
        entry = self.done.get((student, notebook))
        if entry is None or entry.get("submission") != submission_sha or entry.get("course") != course:
            return None
        return [Row(*r) for r in entry["rows"]]

    def record(self, student: str, notebook: str, submission_sha: str, course: str, rows: list[Row]) -> None:
        entry = {"student": student, "notebook": notebook, "submission": submission_sha, "course": course,
                 "rows": [[r.student, r.notebook, r.question, r.score, r.max_score, r.reason] for r in rows]}
        with self._lock:
            self.done[(student, notebook)] = entry
            self._file.write(json.dumps(entry) + "\n")
            self._file.flush()

    def close(self) -> None:
        self._file.close()
