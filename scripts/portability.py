"""Re-execute lessons as another CPU would and compare them with their committed outputs (nbval).

    python scripts/portability.py                          # every lesson, every setting
    python scripts/portability.py --setting portable notebooks/03_sparse.ipynb

A committed output must not depend on the machine that made it. Each setting below switches the
kernels that decide floating-point rounding, the way another CPU would: PyTorch's vectorised
kernels (``ATEN_CPU_CAPABILITY``), Intel MKL's and oneDNN's instruction sets (PyTorch's BLAS and
convolutions), OpenBLAS's kernels (numpy's BLAS), numpy's own SIMD loops, and the string hash
seed. Every lesson must pass nbval, strict, under each of them. ``tests/test_portability.py`` runs
the most different one (``portable``) inside ``make test``.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from _course import ROOT, lesson_paths

SETTINGS: dict[str, dict[str, str]] = {
    # The machine as it is (on this one: AVX-512 everywhere).
    "native": {},
    # A laptop with AVX2 but no AVX-512 (most Intel and AMD laptops).
    "avx2": {
        "ATEN_CPU_CAPABILITY": "avx2",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        "DNNL_MAX_CPU_ISA": "AVX2",
        "OPENBLAS_CORETYPE": "Haswell",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4",
        "PYTHONHASHSEED": "1",
    },
    # No vector units beyond SSE4: PyTorch's portable kernels, as on a CPU it has no kernels for
    # (the closest this machine gets to Apple silicon's NEON or an old VM).
    "portable": {
        "ATEN_CPU_CAPABILITY": "default",
        "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
        "DNNL_MAX_CPU_ISA": "SSE41",
        "OPENBLAS_CORETYPE": "Prescott",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 X86_V3",
        "PYTHONHASHSEED": "2",
    },
}


def perturbed_environment(setting: str) -> dict[str, str]:
    """``os.environ`` with the variables of ``SETTINGS[setting]`` set (kernels nbval starts inherit it)."""
    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {sorted(SETTINGS)}, got {setting!r}.")
    env = {k: v for k, v in os.environ.items() if k not in {n for s in SETTINGS.values() for n in s}}
    env.update(SETTINGS[setting])
    env["CI"] = "true"
    return env


def run_nbval(setting: str, notebooks: list[Path], extra: list[str] = ()) -> subprocess.CompletedProcess:
    """``pytest --nbval`` (the project's strict settings from pyproject.toml) on ``notebooks``."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", *extra, *map(str, notebooks)]
    return subprocess.run(cmd, cwd=ROOT, env=perturbed_environment(setting), capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="lessons to check (default: all)")
    parser.add_argument("--setting", action="append", choices=sorted(SETTINGS),
                        help="a setting to run (repeatable; default: all)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or lesson_paths()
    failed = False
    for setting in args.setting or list(SETTINGS):
        start = time.perf_counter()
        result = run_nbval(setting, notebooks)
        summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"{setting:>9}: {summary}  [{time.perf_counter() - start:.0f} s]", flush=True)
        if result.returncode != 0:
            failed = True
            for line in result.stdout.splitlines():
                if line.startswith("FAILED"):
                    print(f"           {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
