"""Settings for the whole test run (unit tests and nbval kernels, which inherit the environment)."""
import os

# Progress bars off in every notebook kernel nbval starts, as in CI and the stored outputs.
os.environ["CI"] = os.environ.get("CI") or "true"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the lines tests left for the reader (e.g. where the browser screenshots are)."""
    for line in sorted(set(getattr(config, "aecourse_report", []))):
        terminalreporter.write_line(line)
