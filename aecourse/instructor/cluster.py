"""Grading on a Dask cluster: ``aecourse grade ... --scheduler tcp://HOST:PORT``.

The grader connects to an existing, possibly shared, Dask distributed cluster as a client, runs
each student's notebooks as one task, and disconnects when done, leaving the scheduler and
the workers running (``Client.close()``, never ``shutdown()``). Dask re-runs the tasks of a worker
that dies on another worker; a pair is reported once, whatever happened on the way.

What a task needs travels with it: the student's submissions and the matching source notebooks
(``solutions/``, a few hundred kB) are arguments of the task. The course's code (the ``aecourse``
package, which decides the grade) must be installed on the workers; every task checks that the
worker's copy is the same as the grader's (a hash of the package's files) and fails with a clear
error naming both otherwise. Workers grade in the same sandbox, with the same comparison in the
worker's trusted process, as the local pool.

Starting workers: ``dask scheduler`` and ``dask worker tcp://HOST:PORT --nthreads 1 --preload
aecourse.instructor.cluster`` by hand (one thread per worker: a task grades one student in one
sandbox; the preload imports the stack at start), dask-jobqueue on an HPC batch system,
dask-kubernetes or the Dask Helm chart next to a JupyterHub (docs/instructors.md).
"""
from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import aecourse

CONNECT_TIMEOUT_S = 4  # the issue: a clear error within 10 s, imports included


class ClusterError(RuntimeError):
    """The scheduler cannot be reached, or a worker cannot grade (the CLI exits with status 2)."""


def package_fingerprint(package: Path | None = None) -> str:
    """A SHA-256 over the ``aecourse`` package's Python and data files (paths and bytes).

    The grader and every worker compute it; grades from a worker with other code would differ.
    """
    root = Path(package or Path(aecourse.__file__).parent)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".yaml"}):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def dask_setup(worker=None) -> None:
    """Dask's preload hook: ``dask worker ADDRESS --nthreads 1 --preload aecourse.instructor.cluster``
    imports the grader's stack (torch, the checks) when the worker starts, not in its first task
    (about 2 s of a cold start on every worker of every run otherwise)."""
    from aecourse.instructor import classroom, trusted  # noqa: F401


def check_worker(expected: str) -> None:
    """Raise ClusterError where this worker's aecourse differs from the grader's."""
    here = package_fingerprint()
    if here != expected:
        raise ClusterError(
            f"this worker's aecourse package ({Path(aecourse.__file__).parent}, fingerprint {here[:12]}) is not "
            f"the grader's (fingerprint {expected[:12]}): install the same version of the course on every "
            "worker (pip install -e <course checkout>) and restart the workers.")


def connect(address: str, timeout_s: float = CONNECT_TIMEOUT_S):
    """A ``distributed.Client`` for the scheduler at ``address``, or ClusterError within ``timeout_s``."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--scheduler needs Dask: pip install 'aecourse[cluster]' "
                           "(dask[distributed]) on this machine and on the workers.") from None
    if not isinstance(address, str) or "://" not in address:
        raise ClusterError(f"--scheduler must be a scheduler address such as tcp://HOST:8786, got {address!r}.")
    try:
        client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} within {timeout_s:g} s ({error}); "
                           "is `dask scheduler` running there, and is the port open?") from None
    if not client.scheduler_info().get("workers"):
        try:
            client.wait_for_workers(1, timeout=timeout_s)
        except (OSError, TimeoutError):
            client.close()
            raise ClusterError(f"the Dask scheduler at {address} has no workers: start some with "
                               f"`dask worker {address} --nthreads 1`.") from None
    return client


def run_on_cluster(address: str, task: Callable, arguments: Iterable[tuple]) -> Iterator[tuple[int, object]]:
    """Run ``task(*args)`` for each tuple of ``arguments`` on the cluster; yield ``(index, result)``
    as they finish. A task that raised yields its exception as the result. The client is closed
    (the cluster keeps running) when the iterator ends or is abandoned, e.g. by Ctrl-C."""
    from distributed import as_completed

    client = connect(address)
    try:
        futures = {client.submit(task, *args, pure=False, key=f"aecourse-grade-{i}-{id(client)}"): i
                   for i, args in enumerate(arguments)}
        for future in as_completed(futures, loop=client.loop):
            index = futures[future]
            try:
                yield index, future.result()
            except Exception as error:  # noqa: BLE001 - reported as the pair's result
                yield index, error
    finally:
        client.close()


def grade_student_task(student: str, submissions: dict[str, bytes], sources: dict[str, bytes], *,
                       use_sandbox: bool, limits: dict[str, int], note: str, fingerprint: str) -> dict:
    """One student's notebooks graded on a worker: ``{notebook: PairResult}`` (rows and feedback).

    Everything arrives as arguments, as plain data: the submissions' bytes, the source notebooks'
    bytes, the ``sandbox.Limits`` as a dict (the scheduler unpickles every task's arguments: an
    object of the grader's classes would make it import the grader's stack, torch included). The
    worker writes them to a private temporary folder (under /tmp, which the sandbox replaces with
    an empty one), strips the reference functions from its own copy of the package as the local
    grader does, and grades the notebooks in turn with one sandbox, as the local pool does
    (``classroom.grade_student``; starting a sandbox costs more than grading a notebook, and a
    sandbox never serves two students); scores are decided in this (the worker's) process.
    """
    from aecourse.grading.references import course_functions
    from aecourse.instructor import sandbox as sandboxing
    from aecourse.instructor.classroom import SandboxFactory, grade_student
    from aecourse.instructor.course import Unit
    from aecourse.instructor.trusted import SourceNotebook

    check_worker(fingerprint)
    if use_sandbox and sandboxing.available():
        raise ClusterError(f"worker cannot sandbox student code: {sandboxing.available()}; install bubblewrap on "
                           "every worker (or grade with --no-sandbox, which every row then reports).")
    with tempfile.TemporaryDirectory(prefix="aecourse-task-") as tmp:
        tmp = Path(tmp)
        (tmp / "source").mkdir()
        (tmp / "submission").mkdir()
        for name, data in sources.items():
            (tmp / "source" / f"{name}.ipynb").write_bytes(data)
        parsed = {name: SourceNotebook.read(tmp / "source" / f"{name}.ipynb") for name in submissions}
        units = []
        for name, data in sorted(submissions.items()):
            (tmp / "submission" / f"{name}.ipynb").write_bytes(data)
            units.append(Unit(student, name, tmp / "submission" / f"{name}.ipynb"))
        if use_sandbox:
            checks = {c for source in parsed.values() for cs in source.checks.values() for c in cs}
            package, _ = sandboxing.strip_package(course_functions(checks), tmp / "package")
            course = Path(aecourse.__file__).resolve().parents[1]
            spec = sandboxing.SandboxSpec(package=package, hidden=[course] if (course / "solutions").is_dir() else [])
        else:
            spec = sandboxing.SandboxSpec(package=None, enabled=False)
        results = grade_student(student, units, parsed, SandboxFactory(spec, sandboxing.Limits(**limits)), note)
        return {unit.notebook: result for unit, result in zip(units, results)}
