"""Refuse to create the virtual environment with a Python older than 3.11."""

import sys

if sys.version_info < (3, 11):  # noqa: UP036 - runs under any python3
    sys.exit(
        f"cjm needs Python 3.11 or newer; this is {sys.version.split()[0]}. "
        "Run: make PYTHON=python3.11 ..."
    )
