"""Pain points and opportunities as rows: CSV files and one XLSX workbook.

Written pain points and the ones the analysis detected share one table, so a team can sort
and filter them in a spreadsheet. The XLSX has a sheet each, a bold frozen header and a
filter on every column.

>>> from cjm import example_path, load_journey
>>> rows = pain_point_rows(load_journey(example_path("subscription")))
>>> rows[0]["id"], rows[0]["priority"]
('plans-look-alike', 'dissatisfier')
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from cjm.model.journey import Journey
from cjm.render.results import AnalysisView

PAIN_COLUMNS = [
    "id",
    "name",
    "stage",
    "touchpoint",
    "persona",
    "owner_area",
    "kind",
    "interaction",
    "priority",
    "category",
    "status",
    "origin",
    "customers_affected",
    "evidence",
]
OPPORTUNITY_COLUMNS = [
    "id",
    "name",
    "type",
    "impact",
    "financial_potential",
    "effort",
    "horizon",
    "quick_win_corner",
    "owner",
    "assignee",
    "due",
    "status",
    "addresses",
    "target_kpis",
]


def pain_point_rows(journey: Journey, analysis: AnalysisView | None = None) -> list[dict[str, Any]]:
    """Every pain point, written and detected, one dict per row."""
    detected = {d.id: d for d in analysis.detected_pain_points()} if analysis else {}
    rows = []
    for pain in journey.pain_points:
        data = pain.model_dump(mode="json")
        found = detected.pop(pain.id, None)
        data["customers_affected"] = found.customers_affected if found else None
        data["evidence"] = " | ".join(f"{e['source']}: {e['summary']}" for e in data["evidence"])
        rows.append({column: data.get(column) for column in PAIN_COLUMNS})
    for found in detected.values():
        rows.append(
            {
                "id": found.id,
                "name": found.name,
                "stage": found.stage,
                "touchpoint": found.touchpoint,
                "priority": found.priority,
                "status": "open",
                "origin": "detected",
                "customers_affected": found.customers_affected,
                "evidence": found.signal,
            }
        )
    return [{column: row.get(column) for column in PAIN_COLUMNS} for row in rows]


def opportunity_rows(journey: Journey) -> list[dict[str, Any]]:
    """Every opportunity, one dict per row; lists are joined with commas."""
    rows = []
    for opp in journey.opportunities:
        data = opp.model_dump(mode="json")
        data["addresses"] = ", ".join(opp.addresses)
        data["target_kpis"] = ", ".join(opp.target_kpis)
        data["quick_win_corner"] = (
            opp.impact is not None
            and opp.effort is not None
            and opp.impact >= 4
            and opp.effort <= 2
        )
        rows.append({column: data.get(column) for column in OPPORTUNITY_COLUMNS})
    return rows


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as CSV text with a header line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> Path:
    """A workbook with one sheet per entry: bold frozen header, filters, fitted widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    book.remove(book.active)
    for name, (columns, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="243B53")
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, column in enumerate(columns, start=1):
            longest = max([len(column), *(len(str(r.get(column) or "")) for r in rows)])
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(longest + 2, 60)
    book.save(path)
    return path
