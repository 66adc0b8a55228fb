"""The grader's side of one sandbox: start it, send requests, read replies within limits, kill it.

Replies are read with a deadline (``Limits.timeout`` per cell or call) and decoded as plain data
(``plain.loads``); the sandbox's printed output is read by a thread that keeps the first bytes for
the feedback and counts the rest against ``Limits.output``. Whatever goes wrong surfaces as one of
five exceptions: ``CellTimeout`` (a request ran past the timeout), ``ChildDied`` (the notebook's
process ended: a crash, ``os._exit``, out of memory), ``WorkerDied`` (the whole sandbox is gone:
the submission killed it, or it could not start), ``Garbled`` (it sent something that is not a
plain-data message) and ``TooMuchOutput``. Each frame is tagged by the worker: ``W`` for its
own messages, ``S`` for a reply of the student's process it relays; only the worker can say that a
notebook ended.
"""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

from aecourse.instructor import plain
from aecourse.instructor.sandbox import Limits, ProcessLimit, SandboxSpec, command
from aecourse.instructor.worker import STUDENT, WORKER

STARTUP = 120  # seconds for a sandbox to import the stack on a busy machine


class CellTimeout(BaseException):  # not an Exception: a check must not catch it
    """A request ran longer than the timeout; the sandbox was stopped."""


class ChildDied(BaseException):  # not an Exception: a check must not catch it
    """The notebook's process ended while the grader waited for a reply; ``exit`` is its status."""

    def __init__(self, exit_status: int | None):
        super().__init__(exit_status)
        self.exit = exit_status


class WorkerDied(BaseException):  # not an Exception: a check must not catch it
    """The sandbox itself is gone (killed by the submission, or it never started)."""


class Garbled(BaseException):  # not an Exception: a check must not catch it
    """The sandbox sent bytes that are not a plain-data message; the protocol cannot be trusted further."""


class TooMuchOutput(BaseException):  # not an Exception: a check must not catch it
    """The notebook printed more than the output limit."""


class Sandbox:
    """One running worker (inside bubblewrap unless the spec says --no-sandbox)."""

    def __init__(self, spec: SandboxSpec, limits: Limits):
        self.limits = limits
        self.process_limit = ProcessLimit(limits.processes) if spec.enabled else None
        to_worker_r, self._to_worker = os.pipe()
        self._from_worker, from_worker_w = os.pipe()
        self._output = bytearray()
        self._printed = 0
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            command(spec, (to_worker_r, from_worker_w)), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, pass_fds=(to_worker_r, from_worker_w), start_new_session=True,
            preexec_fn=self.process_limit.enter if self.process_limit else None)
        os.close(to_worker_r)
        os.close(from_worker_w)
        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()
        try:
            from_worker, ready = self._reply(time.monotonic() + STARTUP)
        except (CellTimeout, ChildDied, WorkerDied, Garbled) as error:
            self.kill()
            raise WorkerDied(f"the sandbox did not start ({type(error).__name__}): {self.output()[-500:]}") from None
        if not from_worker or ready.get("op") != "ready":
            self.kill()
            raise WorkerDied(f"the sandbox did not start: {ready}")

    # ------------------------------------------------------------------ output
    def _read_output(self) -> None:
        keep = 20_000
        while True:
            chunk = self.proc.stdout.read1(65536) if self.proc.stdout else b""
            if not chunk:
                return
            with self._lock:
                self._printed += len(chunk)
                if len(self._output) < keep:
                    self._output += chunk[: keep - len(self._output)]
            if self._printed > self.limits.output:
                self.kill()

    def output(self) -> str:
        with self._lock:
            return self._output.decode("utf-8", "replace")

    def take_output(self) -> tuple[str, int]:
        """What was printed since the last call (its start) and how many bytes in all."""
        with self._lock:
            text, printed = self._output.decode("utf-8", "replace"), self._printed
            self._output, self._printed = bytearray(), 0
        return text, printed

    # ------------------------------------------------------------------ requests
    def _reply(self, deadline: float) -> tuple[bool, dict]:
        """The next message and whether the worker itself sent it (else it is the student's process's reply)."""
        try:
            frame = plain.read_frame(self._from_worker, deadline)
            if frame[:1] not in (WORKER, STUDENT):
                raise plain.NotPlainData("a frame without the worker's tag")
            return frame[:1] == WORKER, plain.loads(frame[1:])
        except plain.Timeout:
            raise CellTimeout() from None
        except plain.Closed:
            if self._printed > self.limits.output:
                raise TooMuchOutput() from None
            raise WorkerDied(self.proc.poll()) from None
        except plain.NotPlainData as error:
            raise Garbled(str(error)) from None

    def request(self, message: dict, timeout: float | None = None) -> dict:
        """Send one request to the notebook's process and return its reply (a plain dict)."""
        try:
            plain.write_frame(self._to_worker, plain.dumps(message))
        except (BrokenPipeError, OSError):
            raise WorkerDied(self.proc.poll()) from None
        deadline = time.monotonic() + (timeout or self.limits.timeout)
        from_worker, reply = self._reply(deadline)
        if from_worker:  # the child is gone; the worker says how it ended ("ended" is its only message now)
            raise ChildDied(reply.get("exit"))
        if self._printed > self.limits.output:
            raise TooMuchOutput()
        return reply

    def start_notebook(self, shortcuts: list[str]) -> None:
        self.take_output()  # the output limit counts what this notebook prints, not the student's earlier ones
        plain.write_frame(self._to_worker, plain.dumps({"op": "notebook", "memory": self.limits.memory,
                                                        "shortcuts": shortcuts}))

    def end_notebook(self) -> None:
        """Let the notebook's process exit and wait until the worker has cleaned up after it."""
        try:
            plain.write_frame(self._to_worker, plain.dumps({"op": "end"}))
            deadline = time.monotonic() + 10
            while True:  # replies the child sent and nobody asked for are skipped; the worker's "ended" ends it
                from_worker, reply = self._reply(deadline)
                if from_worker and reply.get("op") == "ended":
                    return
        except (BrokenPipeError, OSError, CellTimeout, ChildDied, Garbled):
            self.kill()
            raise WorkerDied("the sandbox did not clean up after the notebook") from None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """Stop the sandbox and everything in it (its PID namespace dies with it)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self.process_limit is not None:
            self.process_limit.close()

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                plain.write_frame(self._to_worker, plain.dumps({"op": "quit"}))
                self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()
        for fd in (self._to_worker, self._from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
