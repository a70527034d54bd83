"""What every settings module reads: the project root, the environment, and the
one-line start-up error."""

import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def fail(message: str):
    """Stop start-up with one line naming the setting at fault (no traceback)."""
    sys.exit(f"Configuration error: {message}")
