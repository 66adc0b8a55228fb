"""A JupyterLab server for the browser tests and the docs screenshots: one way to start it.

    with running_lab(root, token) as url:
        ...  # http://127.0.0.1:PORT, serving the notebooks under root

It listens on a free localhost port with a token, opens no browser, keeps its settings and
workspaces under ``root`` (so a user's JupyterLab layout never leaks in, and every page is laid
out as in a fresh install, without the news toast a fresh install shows), renders every cell
(no virtual scrolling, so off-screen outputs can be inspected), and is shut down whatever
happens. Kernels get ``CI=true`` (no progress bars).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_lab(root: Path, token: str, *, start_timeout: float = 90.0) -> Iterator[str]:
    """Start ``jupyter lab`` on ``root``, yield its URL once it answers, stop it on exit.
    Its log is ``root / "lab.log"``."""
    settings = root / ".lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    # No "Would you like to get notified about official Jupyter news?" toast over the cells.
    notification = root / ".lab-settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    env = dict(os.environ, CI="true", JUPYTER_CONFIG_DIR=str(root / ".jupyter-config"),
               JUPYTERLAB_SETTINGS_DIR=str(root / ".lab-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(root / ".lab-workspaces"))
    port = free_port()
    log_path = root / "lab.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
             "--LabApp.news_url=", "--ServerApp.open_browser=False", "--allow-root"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + start_timeout
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        raise RuntimeError(f"jupyter lab did not start; see {log_path}:\n"
                                           f"{log_path.read_text()[-2000:]}") from None
                    time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
