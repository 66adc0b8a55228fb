"""`aecourse grade --scheduler` on a real Dask cluster (a `dask scheduler` and two `dask worker`
processes on 127.0.0.1), against the local pool on the same class; a worker killed mid-run;
`--resume`; an unreachable scheduler. Everything the tests start is stopped at the end."""
from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the cluster extra is not installed: pip install -e '.[cluster]'")

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
NOTEBOOKS = ["01_bottleneck", "03_sparse"]
DASK = [sys.executable, "-m", "distributed.cli.dask_scheduler"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # its own process group: killed with its children


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def worker(address: str, cwd: Path, name: str) -> subprocess.Popen:
    # --no-nanny: a killed worker stays dead (a nanny would restart it), which is what the test needs
    return start([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
                  "--no-dashboard", "--name", name, "--local-directory", str(cwd / name)], cwd)


def wait_for_workers(address: str, n: int, timeout_s: float = 60) -> None:
    from distributed import Client

    with Client(address, timeout="20s") as client:
        client.wait_for_workers(n, timeout=timeout_s)


def wait_until_busy(address: str, name: str, timeout_s: float = 120) -> None:
    """Return once the worker called ``name`` is running one of the grader's tasks."""
    from distributed import Client

    with Client(address, timeout="20s") as client:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
            if any(names.get(a) == name and tasks for a, tasks in client.processing().items()):
                return
            time.sleep(0.1)
    raise AssertionError(f"worker {name} got no task within {timeout_s} s")


def grade(klass: Path, out: Path, *extra: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aecourse", "grade", str(klass), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def rows(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """Three students, two notebooks each: the solutions (full marks), the untouched exercises (0),
    and one of each."""
    base = tmp_path_factory.mktemp("class")
    for student, sources in {"ana": (SOLUTIONS, SOLUTIONS), "bo": (EXERCISES, EXERCISES),
                             "cy": (SOLUTIONS, EXERCISES)}.items():
        (base / student).mkdir()
        for name, source in zip(NOTEBOOKS, sources):
            shutil.copy(source / f"{name}.ipynb", base / student / f"{name}.ipynb")
    return base


@pytest.fixture(scope="module")
def local(klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    result = grade(klass, out, "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return rows(out)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers on loopback; yields (address, processes), all killed at the end."""
    cwd = tmp_path_factory.mktemp("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = {"scheduler": start([*DASK, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], cwd)}
    try:
        time.sleep(1)
        processes["w1"], processes["w2"] = worker(address, cwd, "w1"), worker(address, cwd, "w2")
        wait_for_workers(address, 2)
        yield address, processes, cwd
    finally:
        for p in processes.values():
            stop(p)


def test_the_cluster_gives_the_local_grades_row_for_row(klass, local, cluster, tmp_path):
    address, processes, _ = cluster
    result = grade(klass, tmp_path / "out", "--scheduler", address)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(tmp_path / "out") == local
    assert f"on the Dask cluster at {address}" in result.stdout
    assert sorted(p.name for p in (tmp_path / "out" / "feedback").iterdir()) == ["ana", "bo", "cy"]
    # the grader is a client of a shared cluster: it leaves the scheduler and the workers running
    assert all(p.poll() is None for p in processes.values())
    # the tasks' arguments are plain data: the scheduler, which unpickles them, never imports torch
    from distributed import Client

    with Client(address, timeout="20s") as client:
        assert not client.run_on_scheduler(lambda: "torch" in sys.modules)
    totals = {s: sum(float(r["score"]) for r in local if r["student"] == s) for s in ("ana", "bo", "cy")}
    assert totals["ana"] > totals["cy"] > totals["bo"] == 0  # the class is not trivially uniform


def test_a_worker_killed_mid_run_loses_no_row_and_writes_none_twice(klass, local, cluster, tmp_path):
    address, processes, cwd = cluster
    run = subprocess.Popen([sys.executable, "-m", "aecourse", "grade", str(klass), "--out", str(tmp_path / "out"),
                            "--scheduler", address], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           cwd=ROOT)
    try:
        wait_until_busy(address, "w1")  # a student's notebooks are being graded on w1: they must be re-run
        time.sleep(1)
        stop(processes["w1"])
        output, _ = run.communicate(timeout=600)
    finally:
        if run.poll() is None:
            run.kill()
        processes["w1"] = worker(address, cwd, "w1b")  # for the next test
        wait_for_workers(address, 2)
    assert run.returncode == 0, output
    graded = rows(tmp_path / "out")
    keys = [(r["student"], r["notebook"], r["question"]) for r in graded]
    assert len(keys) == len(set(keys))
    assert graded == local


def test_resume_grades_only_what_changed(klass, local, cluster, tmp_path):
    address, _, _ = cluster
    out = tmp_path / "out"
    assert grade(klass, out, "--scheduler", address).returncode == 0
    changed = tmp_path / "class"
    shutil.copytree(klass, changed)
    shutil.copy(SOLUTIONS / "03_sparse.ipynb", changed / "cy" / "03_sparse.ipynb")  # cy fixes one notebook
    result = grade(changed, out, "--scheduler", address, "--resume")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "resume: 5 notebook(s) unchanged since they were graded, 1 to grade" in result.stdout
    after = rows(out)
    assert [r for r in after if r["student"] != "cy"] == [r for r in local if r["student"] != "cy"]
    assert [r["score"] for r in after if r["student"] == "cy"] == [r["score"] for r in after if r["student"] == "ana"]


def test_an_interrupted_run_leaves_valid_grades_that_resume_completes(klass, local, tmp_path):
    out = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "aecourse", "grade", str(klass), "--out", str(out), "--jobs", "1"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    deadline = time.monotonic() + 300  # interrupted after the first pair: 5 of 6 are left to grade
    while time.monotonic() < deadline and not ((out / "graded.jsonl").exists()
                                               and (out / "graded.jsonl").read_text().count("\n") >= 1):
        time.sleep(0.2)
    run.send_signal(signal.SIGINT)  # Ctrl-C
    output, _ = run.communicate(timeout=120)
    assert run.returncode == 130, output
    assert "--resume" in output
    partial = rows(out)
    assert 0 < len(partial) < len(local) and all(r in local for r in partial)
    result = grade(klass, out, "--jobs", "1", "--resume")
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(out) == local


def test_an_unreachable_scheduler_is_a_clear_error_within_10_s(klass, tmp_path):
    start_time = time.monotonic()
    result = grade(klass, tmp_path / "out", "--scheduler", f"tcp://127.0.0.1:{free_port()}", timeout=60)
    assert time.monotonic() - start_time < 10  # the command starts without torch: about 5 s, 4 of them the connect timeout
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler" in result.stderr
