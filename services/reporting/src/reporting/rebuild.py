"""`python -m reporting.rebuild [--swap]`: rebuild the projection from the event log (env settings), print JSON.

Exit status 0 when the rebuilt figures are identical to the live ones, 1 when they differ."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from kernel.adapters.logs import configure_logging
from kernel.adapters.process import tune_garbage_collector
from kernel.adapters.settings import Settings
from reporting.application.rebuild import rebuild
from reporting.entrypoints.projection import MIGRATIONS, SOURCES, default_source, event_log, projection_store


async def run(settings: Settings, swap: bool = False, source: str | None = None) -> dict[str, Any]:
    """The same rebuild as POST /ops/rebuild, on a pool of its own."""
    chosen = source or default_source(settings)
    pool = await settings.open_database(MIGRATIONS, max_size=5)
    try:
        store = projection_store(pool, settings.verifier())
        return await rebuild(store, event_log(settings, chosen), swap=swap, source=chosen)
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reporting.rebuild", description=__doc__)
    parser.add_argument("--swap", action="store_true", help="make the rebuilt projection the live one")
    parser.add_argument(
        "--source", choices=SOURCES, help="the producers' events tables (default when configured) or the topics"
    )
    arguments = parser.parse_args(argv)
    configure_logging("reporting.rebuild")  # logs on stderr: stdout carries the JSON result only
    tune_garbage_collector()
    result = asyncio.run(run(Settings.from_env("reporting"), swap=arguments.swap, source=arguments.source))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if result["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
