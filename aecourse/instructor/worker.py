"""The process inside the sandbox: imports the stack once, then forks one child per notebook.

Run as ``python -m aecourse.instructor.worker`` by the grader (inside bubblewrap), with requests
on file descriptor 3 and replies on 4. The worker itself never runs student code: for each
notebook it forks a child, which lowers its memory limit, moves to a fresh private folder and then
runs the notebook's code cells and the grader's calls:

- ``{"op": "run", "code": ...}``: exec a cell; reply ``{"ok": true}`` or the error.
- ``{"op": "call", "name", "args", "kwargs"}``: call the student's function on the grader's inputs;
  reply with the result and the arguments afterwards (to detect changes in place), as plain data.
- ``{"op": "get", "name"}``: the plain value of a variable (a quiz answer).
- ``{"op": "end"}``: the child exits.

The child never sees the grader's pipes: it talks to the worker over two pipes of its own, and the
worker relays each request to it and each of its replies to the grader, tagged ``S`` (from the
student's process) where the worker's own messages (``ready``, ``ended``) are tagged ``W``. A child
cannot forge the end of its notebook, and whatever it wrote that was not relayed when it ended is
dropped with its pipes: nothing reaches the grader's next notebook. When the child is gone the
worker kills whatever it left running, deletes its folder and every file it left in ``/tmp`` and
``/dev/shm``, and replies ``{"op": "ended", "exit": ...}``. Nothing here is trusted after student
code ran: the grader decodes every reply as plain data and decides the score itself.
"""
from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import traceback

REQUESTS, REPLIES = 3, 4  # file descriptors; the grader passes its own numbers as arguments
SANDBOXED = False  # in its own PID namespace (bubblewrap): it may kill every other process it sees
WORKER, STUDENT = b"W", b"S"  # the tag of a frame to the grader: the worker's own message, or relayed
SCRATCH = ("/tmp", "/dev/shm")  # the sandbox's writable folders, emptied after each notebook


def _send(message: dict, tag: bytes = b"") -> None:
    """To the grader (the worker, with its tag) or to the worker (the child, untagged)."""
    from aecourse.instructor.plain import dumps, write_frame

    write_frame(REPLIES, tag + dumps(message))


def _receive() -> dict:
    from aecourse.instructor.plain import loads, read_frame

    return loads(read_frame(REQUESTS))


def _error(error: BaseException) -> dict:
    lines = traceback.format_exception_only(type(error), error)
    return {"ok": False, "error": type(error).__name__, "message": "".join(lines).strip()[-2000:]}


def _tripwire(name: str):
    from aecourse.grading.references import message

    def shortcut(*args, **kwargs):
        raise RuntimeError(message(name))
    return shortcut


def _block_shortcuts(names: list[str]) -> None:
    """Replace declared library shortcuts (e.g. torch.nn.functional.mse_loss) by tripwires."""
    import importlib

    for dotted in names:
        module_name, _, attribute = dotted.rpartition(".")
        try:
            setattr(importlib.import_module(module_name), attribute, _tripwire(dotted))
        except (ImportError, AttributeError, TypeError):
            pass


def _child(request: dict, folder: str) -> None:
    import resource

    from aecourse.instructor.plain import Unsupported, decode, encode

    memory = int(request.get("memory", 2 * 2**30))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    os.chdir(folder)
    os.environ.update(HOME=folder, TMPDIR=folder, MPLCONFIGDIR=folder)
    tempfile.tempdir = folder
    _block_shortcuts(list(request.get("shortcuts", [])))
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    while True:
        message = _receive()
        op = message.get("op")
        try:
            if op == "run":
                exec(compile(str(message["code"]), str(message.get("cell", "cell")), "exec"), namespace)
                reply = {"ok": True}
            elif op == "call":
                args = decode(message["args"])
                kwargs = decode(message["kwargs"])
                if any(isinstance(a, Unsupported) for a in args):
                    raise TypeError("the grader sent an argument it could not encode")
                fn = namespace.get(message["name"])
                if fn is None:
                    raise NameError(f"name {message['name']!r} is not defined")
                result = fn(*args, **kwargs)
                reply = {"ok": True, "result": encode(result), "args": encode(list(args))}
            elif op == "get":
                name = str(message["name"])
                if name not in namespace:
                    raise NameError(f"name {name!r} is not defined")
                value = namespace[name]
                reply = {"ok": True, "callable": callable(value), "value": None if callable(value) else encode(value)}
            else:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(0)
        except BaseException as error:  # the student's error, reported to the grader as data
            reply = _error(error)
        sys.stdout.flush()
        sys.stderr.flush()
        _send(reply)


def _session(pid: str) -> int | None:
    try:
        return os.getsid(int(pid))
    except OSError:
        return None


def _kill_the_rest(session: int | None) -> bool:
    """Kill what the notebook left running; False if some processes survive.

    In the sandbox (``session`` None) that is every process of the PID namespace except the worker and
    the namespace's init. Without a sandbox only the notebook's session (its process group leader's
    session) is killed: the rest of the machine is not this worker's to touch.
    """
    import time

    me = os.getpid()
    for _ in range(200):
        others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me) and not _zombie(p)
                  and (session is None or _session(p) == session)]
        if not others:
            return True
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        time.sleep(0.01)
    return False


def _relay(pid: int, to_child: int, from_child: int) -> int:
    """Pass the grader's requests to the child and its replies (tagged) to the grader until it ends."""
    import select

    from aecourse.instructor.plain import NotPlainData, read_frame, write_frame

    try:
        ended = os.pidfd_open(pid)
    except (AttributeError, OSError):
        ended = None  # no pidfd (an old kernel): poll
    watch = [REQUESTS, from_child] + ([ended] if ended is not None else [])
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            ready = select.select(watch, [], [], 1.0 if ended is not None else 0.05)[0]
            if REQUESTS in ready:
                frame = read_frame(REQUESTS)
                try:
                    write_frame(to_child, frame)
                except OSError:  # the child is gone or closed its end: waitpid will say
                    pass
            if from_child in ready:
                try:
                    write_frame(REPLIES, STUDENT + read_frame(from_child))
                except NotPlainData as error:  # a frame too big to be a reply: the grader says so
                    os.kill(pid, signal.SIGKILL)
                    write_frame(REPLIES, STUDENT + b"\xff not a frame: " + str(error).encode()[:200])
                except Exception:  # the child closed its end (exiting, or it closed it itself)
                    watch.remove(from_child)
    finally:
        if ended is not None:
            os.close(ended)


def _listing(folders) -> dict[str, set[str]]:
    listing = {}
    for folder in folders:
        try:
            listing[folder] = set(os.listdir(folder))
        except OSError:
            listing[folder] = set()
    return listing


def _empty(before: dict[str, set[str]]) -> None:
    """Remove what a notebook created in the scratch folders (``before``: what bubblewrap put there: mount points)."""
    for folder, entries in _listing(before).items():
        for name in entries - before[folder]:
            path = os.path.join(folder, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def _zombie(pid: str) -> bool:
    """A process that has exited and waits for init (bwrap) to collect it: nothing left to kill."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def main() -> None:
    import ctypes

    global REQUESTS, REPLIES, SANDBOXED
    if len(sys.argv) >= 3:
        REQUESTS, REPLIES = int(sys.argv[1]), int(sys.argv[2])
    SANDBOXED = sys.argv[3:4] == ["--sandboxed"] and os.getpid() < 10  # and really in a fresh PID namespace

    import numpy  # noqa: F401  the stack every notebook imports, once per sandbox
    import torch

    import aecourse  # noqa: F401
    import aecourse.models  # noqa: F401
    import aecourse.train  # noqa: F401
    from aecourse import grading  # noqa: F401

    torch.set_num_threads(1)
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no child may ptrace or read this process
    sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]  # no module of a notebook's /tmp files
    scratch = _listing(SCRATCH)
    _send({"op": "ready", "pid": os.getpid()}, WORKER)
    while True:
        request = _receive()
        if request.get("op") != "notebook":
            return
        folder = tempfile.mkdtemp(prefix="notebook-", dir="/tmp")
        to_child_r, to_child = os.pipe()
        from_child, from_child_w = os.pipe()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                for fd in (REQUESTS, REPLIES, to_child, from_child):
                    os.close(fd)
                REQUESTS, REPLIES = to_child_r, from_child_w
                os.setsid()
                _child(request, folder)
            finally:
                os._exit(70)
        os.close(to_child_r)
        os.close(from_child_w)
        status = _relay(pid, to_child, from_child)
        os.close(to_child)
        os.close(from_child)  # what the child wrote and was not relayed is dropped here
        clean = _kill_the_rest(None if SANDBOXED else pid)
        shutil.rmtree(folder, ignore_errors=True)
        if not clean:  # something keeps forking: end this sandbox, the grader starts a fresh one
            os._exit(75)
        if SANDBOXED:
            _empty(scratch)
        _send({"op": "ended", "exit": os.waitstatus_to_exitcode(status)}, WORKER)


if __name__ == "__main__":
    main()
