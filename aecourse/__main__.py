"""``python -m aecourse``: the course command line (aecourse.instructor.cli)."""
import sys

from aecourse.instructor.cli import main

if __name__ == "__main__":
    sys.exit(main())
