"""Logs are JSON lines without message bodies or personal data, whoever writes them (ours or a library's)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from pydantic import BaseModel, Field

from kernel.adapters.logs import configure_logging


class Aide(BaseModel):
    raison_sociale: str = Field(max_length=5)


def fail_with_a_body(body: str = "SIRET 39198714600017 Fonderie Dupont") -> None:
    Aide(raison_sociale=body)


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    saved, handlers = structlog.get_config(), logging.getLogger().handlers[:]
    written = io.StringIO()
    configure_logging("tests", stream=written)
    yield written
    structlog.configure(**saved)
    logging.getLogger().handlers[:] = handlers


def test_tracebacks_carry_neither_locals_nor_the_inputs_pydantic_quotes(logs: io.StringIO) -> None:
    try:
        fail_with_a_body()
    except ValueError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
        structlog.get_logger().exception("handler.failed")
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    assert [line["event"] for line in lines] == ["Exception in ASGI application", "handler.failed"]
    for line in lines:
        assert "39198714600017" not in json.dumps(line) and "Fonderie" not in json.dumps(line)
        assert "input_value=<redacted>" in line["exception"][0]["exc_value"]
        assert all("locals" not in frame for frame in line["exception"][0]["frames"])


def test_a_library_line_is_json_too_and_long_values_are_cut(logs: io.StringIO) -> None:
    logging.getLogger("aiokafka").warning("plain %s", "text")
    structlog.get_logger().info("big", value="x" * 10_000)
    library, big = [json.loads(line) for line in logs.getvalue().splitlines()]
    assert (library["event"], library["logger"], library["level"]) == ("plain text", "aiokafka", "warning")
    assert len(big["value"]) < 2_100
