"""The course benchmark (`make bench`): one report of the figures the course promises.

- each lesson executed headless in a fresh kernel: wall time from starting the kernel to the last
  cell's output (imports included; the kernel is then stopped at once, as nbval stops it) and the
  kernel's peak memory; the total;
- widget redraw latency per slider (median and 95th percentile), of the cases in scripts/widget_cases.py;
- training throughput of aecourse.train.fit against a bare PyTorch loop doing the same steps;
- grading throughput (scripts/bench_grading.py, when present) and grading on a Dask cluster
  (scripts/bench_cluster.py: one worker against two, the cluster against the local pool).

Targets: every lesson within 2x the floor (a fresh kernel that imports the stack and draws one
figure, timed in the same run), each kernel under 1 GB, every redraw
under 100 ms median, fit within 1.1x of the bare loop. The figures are written to
docs/benchmarks.md with the machine they were taken on. This is a report, not a test: it never
fails on a slow machine, it says which targets were missed.

    python scripts/bench.py [--only lessons,widgets,train,grading,cluster] [--lessons 03,05] [--repeats 3] [--no-write]
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _course import ROOT, lesson_paths
from widget_cases import CASES, make_widget

# The floor of every lesson: a fresh kernel that imports the stack and draws one figure. Each
# lesson's budget is 2x this, measured in the same run (a ratio holds on a slow or busy machine).
FLOOR_CELLS = [
    "import matplotlib.pyplot as plt\nimport numpy as np\nimport sklearn\nimport torch\nimport ipywidgets\n\n"
    "import aecourse\nfrom aecourse import data, models, plots, train\n\naecourse.setup()",
    "fig, ax = plt.subplots()\nax.plot(np.arange(10))\nax.set(title='floor', xlabel='x', ylabel='y')\nplt.show()",
]
FLOOR_RATIO = 2.0
PEAK_RSS_CELL = "import resource; print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def cell_seconds(cell) -> float:
    """A cell's run time, from the timestamps nbclient records in its metadata."""
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = lambda stamp: datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def floor_notebook():
    """The floor as a notebook (FLOOR_CELLS), run from the lessons' folder as they are."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in FLOOR_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute_lesson(path: Path | None) -> tuple[float, float, object]:
    """Execute one lesson (``None``: the floor) headless in a fresh kernel: ``(wall seconds, peak
    memory in MB, the executed notebook)``."""
    import nbformat
    from nbclient import NotebookClient

    nb = floor_notebook() if path is None else nbformat.read(path, as_version=4)
    path = path or lesson_paths()[0]
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_RSS_CELL))
    start = time.perf_counter()
    # shutdown_kernel="immediate": a graceful exit with torch loaded takes 0.6-0.8 s of Python
    # teardown after the last output; nbval (make test) stops its kernels the same way
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True, shutdown_kernel="immediate",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    wall = time.perf_counter() - start
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    nb.cells.pop()
    return wall, int(text.split("PEAK_RSS_KB")[1].split()[0]) / 1024, nb


def bench_lessons(only: list[str] | None = None, repeats: int = 3, slowest: int = 3
                  ) -> tuple[float, list[tuple[str, float, float, float, float]]]:
    """Execute each lesson (those whose name starts with one of ``only``) ``repeats`` times and
    print its median wall time with the range, its peak memory and the ``slowest`` cells of the
    median run (the ones to trim when a lesson is over budget). The median, because on a shared
    machine one run in a few is slowed down by a neighbour.

    The floor (FLOOR_CELLS) is run ``repeats`` times first, in the same way. Returns its median
    wall time and rows ``(name, median wall, fastest, slowest, peak memory in MB)``."""
    floor_runs = sorted(execute_lesson(None)[0] for _ in range(repeats))
    floor = floor_runs[len(floor_runs) // 2]
    print(f"  {'floor (imports + one figure)':34s} {floor:6.1f} s ({floor_runs[0]:.1f}-{floor_runs[-1]:.1f})", flush=True)
    rows = []
    for path in lesson_paths():
        if only and not any(path.name.startswith(prefix) for prefix in only):
            continue
        runs = sorted((execute_lesson(path) for _ in range(repeats)), key=lambda run: run[0])
        wall, _, nb = runs[len(runs) // 2]
        rss_mb = max(run[1] for run in runs)
        rows.append((path.name, wall, runs[0][0], runs[-1][0], rss_mb))
        cells = sorted(((cell_seconds(c), i) for i, c in enumerate(nb.cells) if c.cell_type == "code"),
                       reverse=True)[:slowest]
        heavy = ", ".join(f"cell {i} {t:.1f} s" for t, i in cells)
        print(f"  {path.name:34s} {wall:6.1f} s ({runs[0][0]:.1f}-{runs[-1][0]:.1f})  {wall / floor:4.2f}x floor  "
              f"{rss_mb:5.0f} MB   slowest: {heavy}", flush=True)
    return floor, rows


def bench_widgets(repeats: int = 3, only: list[str] | None = None) -> list[tuple[str, float, float, int]]:
    """Time every slider position of each widget (those named in ``only``) ``repeats`` times and
    print the median and 95th percentile of a redraw."""
    rows = []
    for name in CASES:
        if only and name not in only:
            continue
        live, sweep = make_widget(name)
        times = []
        for _ in range(repeats):
            for values in sweep:
                t = time.perf_counter()
                live.update(**values)
                times.append(time.perf_counter() - t)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        rows.append((name, 1000 * statistics.median(times), 1000 * p95, len(times)))
        print(f"  {name:20s} median {rows[-1][1]:6.1f} ms  p95 {rows[-1][2]:6.1f} ms  ({len(times)} redraws)", flush=True)
    return rows


def bench_train(epochs: int = 40, repeats: int = 3) -> tuple[float, float, int]:
    """fit vs a bare loop doing the same steps: same model, data, batch order and optimizer."""
    import torch
    import torch.nn.functional as F

    import aecourse
    from aecourse import data, models, train

    aecourse.setup()
    X = torch.as_tensor(data.load_digits()[0])
    batch_size = 64

    def bare() -> float:
        model = models.Autoencoder([64, 32, 8], seed=0)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        generator = torch.Generator().manual_seed(0)
        start = time.perf_counter()
        for _ in range(epochs):
            order = torch.randperm(len(X), generator=generator)
            for i in range(0, len(X), batch_size):
                x = X[order[i:i + batch_size]]
                loss = F.mse_loss(model.decoder(model.encoder(x)), x)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        return time.perf_counter() - start

    def with_fit() -> float:
        model = models.Autoencoder([64, 32, 8], seed=0)
        start = time.perf_counter()
        train.fit(model, X, epochs=epochs, lr=1e-2, batch_size=batch_size, progress=False)
        return time.perf_counter() - start

    bare(), with_fit()  # warm up
    t_bare = min(bare() for _ in range(repeats))
    t_fit = min(with_fit() for _ in range(repeats))
    steps = epochs * -(-len(X) // batch_size)
    print(f"  {steps} Adam steps, batch {batch_size}: bare loop {t_bare:.2f} s, fit {t_fit:.2f} s, "
          f"ratio {t_fit / t_bare:.2f}", flush=True)
    return t_bare, t_fit, steps


def bench_grading(script_name: str = "bench_grading.py") -> str | None:
    script = ROOT / "scripts" / script_name
    if not script.exists():
        return None
    out = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
    text = (out.stdout + ("\n" + out.stderr if out.returncode else "")).strip()
    print("  " + text.replace("\n", "\n  "), flush=True)
    return text


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import torch

    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, torch {torch.__version__}, "
            f"{platform.system()} {platform.release()}")


def report(lessons, widget_rows, train_row, grading, repeats: int = 3, cluster: str | None = None) -> str:
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = ["# Benchmarks", "", f"Taken {now} with `make bench` on: {machine()}.", "",
             "Targets: each lesson within 2x the floor and under 1 GB (kernel start included), "
             "widget redraws under 100 ms median, `fit` within 1.1x of a bare PyTorch loop.", ""]
    if lessons:
        floor, lessons = lessons
        total = sum(w for _, w, _, _, _ in lessons)
        lines += ["## Lessons (headless, fresh kernel each)", "",
                  f"Wall time from starting the kernel to the last output, median of {repeats} runs, with the "
                  "fastest and slowest run, and as a multiple of the floor: a fresh kernel that imports the "
                  f"stack and draws one figure, {floor:.1f} s in the same run (target: each lesson within "
                  f"{FLOOR_RATIO:g}x the floor).", "",
                  "| lesson | wall time | range | x floor | peak memory | target met |", "|---|---:|---:|---:|---:|---|"]
        lines += [f"| {n} | {w:.1f} s | {lo:.1f}-{hi:.1f} s | {w / floor:.2f} | {m:.0f} MB | "
                  f"{'yes' if w <= FLOOR_RATIO * floor and m < 1024 else 'NO'} |" for n, w, lo, hi, m in lessons]
        lines += [f"| **total** | **{total:.1f} s** | {sum(r[2] for r in lessons):.1f}-{sum(r[3] for r in lessons):.1f} s "
                  f"| {total / floor:.1f} | | {'yes' if total <= FLOOR_RATIO * floor * len(lessons) else 'NO'} |", ""]
    if widget_rows:
        lines += ["## Widget redraw latency (a slider move to its new PNG)", "", "| widget | median | p95 | redraws | target met |",
                  "|---|---:|---:|---:|---|"]
        lines += [f"| {n} | {m:.1f} ms | {p:.1f} ms | {c} | {'yes' if m < 100 else 'NO'} |" for n, m, p, c in widget_rows]
        lines.append("")
    if train_row:
        t_bare, t_fit, steps = train_row
        lines += ["## Training throughput", "",
                  f"{steps} Adam steps of a 64-32-8-32-64 autoencoder on the digits, batch 64, best of 3: "
                  f"bare PyTorch loop {t_bare:.2f} s ({steps / t_bare:.0f} steps/s), `aecourse.train.fit` "
                  f"{t_fit:.2f} s ({steps / t_fit:.0f} steps/s): ratio **{t_fit / t_bare:.2f}** (target <= 1.1).", ""]
    if grading:
        lines += ["## Grading throughput", "", "```", grading, "```", ""]
    if cluster:
        lines += ["## Grading on a Dask cluster (scripts/bench_cluster.py)", "", "```", cluster, "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="lessons,widgets,train,grading,cluster",
                        help="comma-separated parts to run (default: all)")
    parser.add_argument("--lessons", default="",
                        help="comma-separated lesson prefixes to time, e.g. 03,05 (default: every lesson)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per lesson; the median is reported (default 3)")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    unknown = parts - {"lessons", "widgets", "train", "grading", "cluster"}
    if unknown:
        parser.error(f"--only takes lessons, widgets, train, grading, cluster; got {sorted(unknown)}")
    os.environ["CI"] = "true"  # no progress bars while timing
    results = {}
    only = [prefix for prefix in args.lessons.split(",") if prefix]
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    for part, fn in (("lessons", lambda: bench_lessons(only, args.repeats)), ("widgets", bench_widgets), ("train", bench_train),
                     ("grading", bench_grading), ("cluster", lambda: bench_grading("bench_cluster.py"))):
        if part in parts:
            print(f"{part}:", flush=True)
            results[part] = fn()
    text = report(results.get("lessons"), results.get("widgets"), results.get("train"), results.get("grading"),
                  args.repeats, results.get("cluster"))
    if not args.no_write and not only and parts == {"lessons", "widgets", "train", "grading", "cluster"}:
        (ROOT / "docs" / "benchmarks.md").write_text(text + "\n")
        print("wrote docs/benchmarks.md")
    else:
        print("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
