"""A download is the same bytes for the same table, whenever it is asked for: the workbook's dates and its archive's
stamps are the publication's."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from unittest import mock

from openpyxl import load_workbook

from reporting.adapters.downloads import xlsx_bytes

TABLE = (("code_region", "nb"), [("32", 1), ("53", 2)])
AT = datetime(2023, 8, 28, 18, 30, 12, tzinfo=UTC)


def test_an_xlsx_is_stamped_with_its_publication_not_with_now() -> None:
    first = xlsx_bytes(TABLE, "régions", AT)
    with mock.patch("time.time", return_value=4_102_444_800.0):  # 2100: what zipfile would stamp
        again = xlsx_bytes(TABLE, "régions", AT)
    assert again == first
    stamps = {part.date_time for part in zipfile.ZipFile(io.BytesIO(first)).infolist()}
    assert stamps == {(2023, 8, 28, 18, 30, 12)}
    sheet = load_workbook(io.BytesIO(first)).active
    assert sheet is not None and [tuple(r) for r in sheet.iter_rows(values_only=True)] == [
        ("code_region", "nb"),
        ("32", 1),
        ("53", 2),
    ]
