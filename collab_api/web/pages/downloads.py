"""Tables as CSV downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.responses import Response

from collab_api.domain.text import formula_safe


def csv_download(rows: list[list[Any]], name: str) -> Response:
    """A table as a CSV attachment named `name` (slashes and spaces taken out); a cell that
    would start a formula in a spreadsheet is neutralised."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[formula_safe(value) for value in row] for row in rows])
    safe = name.replace("/", "-").replace(" ", "")
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'})
