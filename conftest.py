"""Settings for the whole test run (unit tests and nbval kernels, which inherit the environment)."""
import os

# Progress bars off in every notebook kernel nbval starts, as in CI and the stored outputs.
os.environ["CI"] = os.environ.get("CI") or "true"
