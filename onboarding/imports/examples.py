"""The downloadable templates: the header row of each kind of file and one example row, clearly fictional."""

from __future__ import annotations

import io

from core.exports import csv_text

from . import organisations, people, sites

EXAMPLES = {"organisations": organisations, "sites": sites, "people": people}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def template(kind: str, extension: str) -> bytes:
    """The template file of one kind, as CSV (UTF-8, with the mark Excel looks for) or as an Excel workbook."""
    module = EXAMPLES[kind]
    names = list(module.HEADERS.all)
    rows = [names, [module.EXAMPLE.get(name, "") for name in names]]
    if extension == "csv":
        return ("\ufeff" + csv_text(rows)).encode()
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind.capitalize())
    for row in rows:
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
