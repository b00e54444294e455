"""Headless Chromium for the tests: screenshots, the DOM after scripts ran, print to PDF.

Debian's ``chromium`` package (installed by ``make test`` through scripts/ensure-render-deps).
As root it needs ``--no-sandbox``; every run gets a fresh profile and no network chatter.
A check script injected into a copy of the page measures the layout and writes what it
found into ``<pre id="cjm-check">``, which ``--dump-dom`` returns.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]

CHECK = Path(__file__).with_name("data") / "layout-check.js"


def chromium() -> str:
    """The Chromium executable; fails in CI and skips elsewhere when there is none."""
    found = os.environ.get("CJM_CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    message = "Chromium not found: run scripts/ensure-render-deps"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def run(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Chromium on ``page`` with a fresh profile."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )


def screenshot(page: Path, target: Path, width: int = 1600, height: int = 1200) -> Path:
    """A PNG of the page's first ``width`` x ``height`` pixels."""
    run(page, f"--screenshot={target}", f"--window-size={width},{height}")
    return target


def print_pdf(page: Path, target: Path) -> Path:
    """The page printed to PDF by Chromium (its print CSS and @page rules)."""
    run(page, f"--print-to-pdf={target}", "--no-pdf-header-footer")
    return target


def layout_report(page: Path, width: int = 1600) -> dict[str, Any]:
    """Load a copy of the page with the layout check injected; return what it measured."""
    source = page.read_text(encoding="utf-8")
    script = f"<script>{CHECK.read_text(encoding='utf-8')}</script>"
    checked = page.with_name(page.stem + ".checked.html")
    checked.write_text(source.replace("</body>", script + "</body>"), encoding="utf-8")
    dom = run(checked, "--dump-dom", f"--window-size={width},1200").stdout
    start = dom.index('<pre id="cjm-check">') + len('<pre id="cjm-check">')
    text = dom[start : dom.index("</pre>", start)]
    return dict(json.loads(html.unescape(text)))
