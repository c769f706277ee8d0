"""Files people download: CSV (UTF-8 with its byte-order mark, so a spreadsheet opens the accents right; CRLF) and
XLSX (openpyxl), both the same bytes for the same table: the workbook's dates are the publication's, not now, and
so are the stamps of the parts of its archive (openpyxl stamps them with the current time: two downloads on either
side of a two-second tick differed)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from reporting.domain.tables import Table

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(table: Table) -> bytes:
    header, rows = table
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode()


def xlsx_bytes(table: Table, sheet: str, at: datetime) -> bytes:
    header, rows = table
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet[:31]
    worksheet.append(list(header))
    for row in rows:
        worksheet.append([_cell(value) for value in row])
    naive = at.replace(tzinfo=None)
    workbook.properties.created = naive
    workbook.properties.modified = naive
    workbook.properties.creator = "Rebond (AMI Rebond industriel, France 2030)"
    out = io.BytesIO()
    workbook.save(out)
    return _stamped(out.getvalue(), naive)


def _stamped(archive: bytes, at: datetime) -> bytes:
    """The same archive, each part stamped with `at` (a ZIP's times start in 1980)."""
    stamp = (max(at.year, 1980), at.month, at.day, at.hour, at.minute, at.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            stamped = zipfile.ZipInfo(part.filename, date_time=stamp)
            stamped.compress_type, stamped.external_attr = zipfile.ZIP_DEFLATED, part.external_attr
            target.writestr(stamped, source.read(part))
    return out.getvalue()


def _cell(value: Any) -> Any:
    return value if isinstance(value, int | float | str) else str(value)
