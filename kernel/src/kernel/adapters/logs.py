"""structlog as JSON lines, with the correlation ids bound per message or request; the standard library's loggers
(uvicorn, aiokafka, asyncpg, FastStream) go through the same processors, so every line is JSON.

Logs hold no message body and no personal data: tracebacks carry no local variables (the frames of a handler hold
the request and the event), validation errors lose the inputs pydantic quotes in them (a SIRET, a company's name),
and long values are cut."""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any, TextIO

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, WrappedLogger

MAX_VALUE_CHARS = 2_000
# pydantic quotes the input in its messages: "… [type=string_too_long, input_value='Fonderie …', input_type=str]"
_PYDANTIC_INPUT = re.compile(r"input_value=.*?(?=, input_type=)", re.DOTALL)


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        redacted = _PYDANTIC_INPUT.sub("input_value=<redacted>", value)
        return redacted if len(redacted) <= MAX_VALUE_CHARS else redacted[:MAX_VALUE_CHARS] + "…"
    if isinstance(value, dict):
        return {key: _redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    return value


def redact(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
    """The last processor before rendering: no quoted input, no unbounded value."""
    return {key: _redact(value) for key, value in event.items()}


def processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
        redact,
    ]


def configure_logging(service: str, level: str | None = None, stream: TextIO | None = None) -> None:
    """JSON lines on `stream` (standard error by default) for structlog and the standard library alike."""
    stream = stream or sys.stderr
    level_name = (level or os.environ.get("LOG_LEVEL", "INFO")).upper()
    structlog.configure(
        processors=[*processors(), structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level_name)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *processors()],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level_name)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # uvicorn installs handlers of its own
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    structlog.contextvars.bind_contextvars(service=service)
