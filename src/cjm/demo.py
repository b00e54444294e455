"""The demo: the bundled subscription map, a generated event log, and their analysis.

>>> import tempfile
>>> result = run_demo(tempfile.mkdtemp(), customers=300, report=False)
>>> result.analysis.inputs["customers"] <= 300
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cjm.analytics.analyze import Analysis, analyze
from cjm.errors import InvalidInput
from cjm.evidence.events import read_events
from cjm.examples import example_path
from cjm.examples.events import generate_customers, generate_events, write_events
from cjm.examples.feedback import feedback_moments, generate_feedback, write_feedback
from cjm.model import Diagnostic, Journey, check_file, load_journey
from cjm.model.files import write_text

DEMO = "subscription"
CUSTOMERS = 5_000
FEEDBACK = 2_000
WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class Demo:
    """What the demo wrote and found."""

    map_path: Path
    journey: Journey
    diagnostics: list[Diagnostic]
    events_path: Path
    analysis: Analysis
    analysis_path: Path
    feedback_path: Path
    report_path: Path | None = None


def run_demo(folder: str | Path, *, customers: int = CUSTOMERS, report: bool = True) -> Demo:
    """Write the demo map and event log into ``folder``, validate, analyse and (with
    ``report``) write the report; never overwrite a map someone edited."""
    folder = Path(folder)
    map_path = folder / f"{DEMO}.yaml"
    bundled = example_path(DEMO).read_text(encoding="utf-8")
    if map_path.exists() and map_path.read_text(encoding="utf-8", errors="replace") != bundled:
        raise InvalidInput(
            f"{map_path} exists and differs from the bundled demo map (edited?)",
            hint="move it away, or give another folder with -o",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(
            f"cannot create the folder {folder}: {exc.strerror}",
            hint="give another folder with -o",
        ) from None
    write_text(map_path, bundled)
    journey = load_journey(map_path)
    events_path = write_events(
        generate_events(journey, customers=customers), folder / "events.parquet"
    )
    customers_path = write_events(
        generate_customers(journey, customers=customers), folder / "customers.csv"
    )
    log = read_events(events_path)
    feedback_path = write_feedback(
        generate_feedback(journey, items=FEEDBACK, moments=feedback_moments(log, journey)),
        folder / "feedback.csv",
    )
    analysis = analyze(
        journey,
        log,
        window=WINDOW,
        customers=customers_path,
        segment_by=["persona"],
        feedback=feedback_path,
    )
    analysis_path = analysis.write(folder)
    report_path = None
    if report:
        from cjm.render.report import pdf_available, write_report  # loaded only when asked

        report_path = write_report(folder, journey, pdf=pdf_available()).html
    return Demo(
        map_path,
        journey,
        check_file(map_path),
        events_path,
        analysis,
        analysis_path,
        feedback_path,
        report_path,
    )
