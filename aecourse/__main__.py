"""Command line: ``python -m aecourse`` (commands are added as the course grows)."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aecourse", description="Tools of the autoencoder course.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__import__('aecourse').__version__}")
    parser.parse_args(argv)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
