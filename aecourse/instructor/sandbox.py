"""The operating-system sandbox of the student's code: bubblewrap, a stripped package, limits.

One sandbox is one ``bwrap`` process running ``aecourse.instructor.worker``:

- a read-only view of the whole file system; a private, empty ``/tmp``; no network (its own network
  namespace with only loopback); its own PID, IPC and UTS namespaces (it cannot see or signal the
  grader or another sandbox); all capabilities dropped; the environment cleared;
- the course root, SUBMISSIONS and the output folder hidden under empty folders (the virtual
  environment, if it lives in the course root, is put back read-only);
- the ``aecourse`` package replaced by a copy in which every declared reference function
  (``aecourse.grading.references``) raises an error naming the call: the student's code cannot
  reach the reference, whatever route it takes, because it is not there;
- at most ``processes`` processes (a pids cgroup where the grader may create one, else
  RLIMIT_NPROC) and ``memory`` bytes of address space per process (set by the worker before any
  student code runs); wall time and output are limited by the grader (``session``).

Where bubblewrap cannot run (macOS, a container without user namespaces), ``available()`` says why.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aecourse
from aecourse.grading.references import message

PIDS_CGROUPS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup"))


def bwrap() -> str | None:
    return shutil.which("bwrap")


def available() -> str:
    """'' if bubblewrap runs here, else why not (a sentence for the instructor)."""
    exe = bwrap()
    if exe is None:
        return ("bubblewrap (bwrap) is not installed; on Debian or Ubuntu: sudo apt-get install bubblewrap "
                "(it needs Linux user namespaces; there is none on macOS)")
    probe = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-net", "--cap-drop", "ALL", "true"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return f"bubblewrap cannot create a sandbox here ({probe.stderr.strip()[:200] or probe.returncode})"
    return ""


# ----------------------------------------------------------------------------- the stripped package

def _resolve(dotted: str):
    """The function a declared ``aecourse.*`` name refers to, also after it moved to another module."""
    module_name, _, attribute = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        pass
    package = Path(aecourse.__file__).parent
    for path in sorted(package.glob("*.py")):
        try:
            module = importlib.import_module(f"aecourse.{path.stem}")
        except ImportError:
            continue
        if inspect.isfunction(getattr(module, attribute, None)):
            return getattr(module, attribute)
    return None


def strip_package(names, dest: Path) -> tuple[Path, list[str]]:
    """Copy the aecourse package into ``dest`` with the bodies of ``names`` replaced; return it and what was stripped."""
    source = Path(aecourse.__file__).resolve().parent
    target = Path(dest) / "aecourse"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    by_file: dict[Path, dict[str, str]] = {}
    for dotted in sorted(names):
        fn = _resolve(dotted)
        if fn is None or not inspect.isfunction(fn) or not fn.__module__.startswith("aecourse."):
            continue
        path = target / Path(inspect.getfile(fn)).resolve().relative_to(source)
        by_file.setdefault(path, {})[fn.__name__] = message(dotted)
    for path, functions in by_file.items():
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in functions:
                doc = ast.get_docstring(node)
                raise_ = ast.parse(f"raise RuntimeError({functions[node.name]!r})").body
                node.body = ([ast.Expr(ast.Constant(doc))] if doc else []) + raise_
        path.write_text(ast.unparse(tree))
    return target, sorted(f"{p.stem}.{f}" for p, fs in by_file.items() for f in fs)


# ----------------------------------------------------------------------------- limits

@dataclass
class Limits:
    memory: int = 2 * 2**30  # bytes of address space per process
    processes: int = 64  # processes and threads of one sandbox
    timeout: int = 30  # seconds of one cell or one call
    output: int = 1_000_000  # bytes a notebook may print


class ProcessLimit:
    """A pids cgroup for one sandbox where this user may create one, else RLIMIT_NPROC."""

    def __init__(self, processes: int):
        self.processes = processes
        self.path: Path | None = None
        self.lock = threading.Lock()
        for root in PIDS_CGROUPS:
            if (root / "cgroup.procs").exists():
                candidate = root / f"aecourse-{uuid.uuid4().hex[:12]}"
                try:
                    candidate.mkdir()
                    (candidate / "pids.max").write_text(str(processes))
                    self.path = candidate
                    break
                except OSError:
                    if candidate.exists():
                        try:
                            candidate.rmdir()
                        except OSError:
                            pass
        self.how = (f"at most {processes} processes (pids cgroup)" if self.path else
                    f"at most {processes} processes (RLIMIT_NPROC)" if os.geteuid() != 0 else
                    "processes NOT limited (root without a writable pids cgroup)")

    def enter(self) -> None:
        """Run in the child before exec (preexec_fn)."""
        if self.path is not None:
            with open(self.path / "cgroup.procs", "w") as f:
                f.write(str(os.getpid()))
        else:
            import resource

            resource.setrlimit(resource.RLIMIT_NPROC, (self.processes, self.processes))

    def close(self) -> None:
        """Remove the cgroup once its processes are gone (called again, or from two threads, it does it once)."""
        with self.lock:
            for _ in range(100):
                if self.path is None:
                    return
                try:
                    self.path.rmdir()
                    self.path = None
                    return
                except OSError:  # processes still in it: kill what is left, then wait for them to go
                    try:
                        left = (self.path / "cgroup.procs").read_text().split()
                    except OSError:
                        left = []
                    for pid in left:
                        try:
                            os.kill(int(pid), signal.SIGKILL)
                        except (ProcessLookupError, PermissionError, ValueError):
                            pass
                    time.sleep(0.05)


# ----------------------------------------------------------------------------- the command line

@dataclass
class SandboxSpec:
    """What every sandbox of one grading run shares."""

    package: Path | None  # the stripped copy of aecourse, bound over the installed one
    hidden: list[Path] = field(default_factory=list)  # folders replaced by empty ones
    enabled: bool = True  # False: --no-sandbox, the worker runs as a plain subprocess


def command(spec: SandboxSpec, fds: tuple[int, int]) -> list[str]:
    worker = [sys.executable, "-m", "aecourse.instructor.worker", str(fds[0]), str(fds[1])]
    if not spec.enabled:
        return worker
    args = [bwrap(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
            "--new-session", "--cap-drop", "ALL", "--clearenv",
            "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp", "--setenv", "LANG", "C.UTF-8",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "PYTHONNOUSERSITE", "1",
            "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "MKL_NUM_THREADS", "1", "--setenv", "CI", "true",
            "--chdir", "/tmp"]
    prefix = Path(sys.prefix).resolve()
    for folder in spec.hidden:
        folder = Path(folder).resolve()
        args += ["--tmpfs", str(folder)]
        if prefix.is_relative_to(folder):
            args += ["--ro-bind", str(prefix), str(prefix)]
    if spec.package is not None:
        installed = Path(aecourse.__file__).resolve().parent
        args += ["--ro-bind", str(spec.package), str(installed)]
    return args + ["--", *worker, "--sandboxed"]
