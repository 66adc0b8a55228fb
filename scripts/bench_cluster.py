"""Grading on a Dask cluster, measured (part of `make bench`): one worker against two on the same
class, and the cluster against the local pool with as many jobs, side by side in one run.

    python scripts/bench_cluster.py [--students 8] [--notebooks 01,03,04,07]

Starts a `dask scheduler` and `dask worker --nthreads 1 --preload aecourse.instructor.cluster`
processes on 127.0.0.1 (as docs/instructors.md tells instructors to) and stops them at the end. Prints the throughput of each run, the speed-up of two workers over one (target >= 1.7x
on two cores), the cluster's overhead per pair against `--jobs 2` (target <= 10 %), and the
measured cost of one pair, from which docs/instructors.md projects a cohort's wall time.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _course import ROOT

COHORT = (1000, 8)  # students, notebooks: the cohort the projection is for
CORES = (2, 16, 64)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def grade(klass: Path, out: Path, *extra: str) -> float:
    start_time = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "aecourse", "grade", str(klass), "--out", str(out), *extra],
                            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CI": "true"})
    if result.returncode != 0:
        raise RuntimeError(f"aecourse grade {' '.join(extra)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - start_time


def make_class(folder: Path, students: int, notebooks: list[str]) -> int:
    for i in range(students):
        source = ROOT / ("solutions" if i % 2 == 0 else "exercises")
        (folder / f"s{i:02d}").mkdir(parents=True)
        for name in notebooks:
            shutil.copy(source / f"{name}.ipynb", folder / f"s{i:02d}" / f"{name}.ipynb")
    return students * len(notebooks)


def with_cluster(tmp: Path, n_workers: int, klass: Path, out: Path) -> float:
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = [start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                        str(port), "--no-dashboard"], tmp)]
    try:
        time.sleep(1)
        processes += [start([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                             "--preload", "aecourse.instructor.cluster", "--no-dashboard",
                             "--local-directory", str(tmp / f"w{i}")], tmp) for i in range(n_workers)]
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(n_workers, timeout=60)
        return grade(klass, out, "--scheduler", address)
    finally:
        for p in processes:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--notebooks", default="01,03,04,07", help="lesson prefixes of the exercises to grade")
    args = parser.parse_args(argv)
    names = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb")
                   if any(p.stem.startswith(prefix) for prefix in args.notebooks.split(",")))
    with tempfile.TemporaryDirectory(prefix="aecourse-bench-cluster-") as tmp:
        tmp = Path(tmp)
        pairs = make_class(tmp / "class", args.students, names)
        local = grade(tmp / "class", tmp / "local", "--jobs", "2")
        one = with_cluster(tmp, 1, tmp / "class", tmp / "one")
        two = with_cluster(tmp, 2, tmp / "class", tmp / "two")
    cost = one / pairs  # seconds of one core per pair, as the cluster grades it
    print(f"{pairs} pairs ({args.students} students x {len(names)} notebooks), {os.cpu_count()} cores:")
    print(f"  local pool --jobs 2: {local:.1f} s ({pairs / local * 60:.1f} notebooks/min)")
    print(f"  Dask, 1 worker:      {one:.1f} s ({pairs / one * 60:.1f} notebooks/min)")
    print(f"  Dask, 2 workers:     {two:.1f} s ({pairs / two * 60:.1f} notebooks/min)")
    print(f"  speed-up of 2 workers over 1: {one / two:.2f}x (target >= 1.7x)")
    print(f"  cluster overhead per pair against the local pool: {100 * (two - local) / local:+.0f} % (target <= 10 %)")
    print(f"  cost of one pair: {cost:.2f} s of one core; a {COHORT[0]}-student, {COHORT[1]}-notebook cohort "
          f"({COHORT[0] * COHORT[1]} pairs) would take " + ", ".join(
              f"{COHORT[0] * COHORT[1] * cost / c / 60:.0f} min on {c} cores" for c in CORES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
