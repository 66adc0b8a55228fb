"""aecourse: the helper package of the autoencoder course.

Start every notebook with::

    import aecourse
    aecourse.setup()
"""
from __future__ import annotations

from aecourse._setup import progress_enabled, setup

__all__ = ["setup", "progress_enabled"]
__version__ = "0.1.0"
