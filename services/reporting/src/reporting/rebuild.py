"""`python -m reporting.rebuild [--swap]`: rebuild the projection from the event log (env settings), print JSON.

Exit status 0 when the rebuilt figures are identical to the live ones, 1 when they differ."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from kernel.adapters.logs import configure_logging
from kernel.adapters.postgres import create_pool, migrate
from kernel.adapters.runtime import Settings
from reporting.application.rebuild import rebuild
from reporting.entrypoints.projection import MIGRATIONS, event_log, projection_store


async def run(settings: Settings, swap: bool = False) -> dict[str, Any]:
    """The same rebuild as POST /ops/rebuild, on a pool of its own."""
    pool = await create_pool(settings.database_url)
    try:
        await migrate(pool, *MIGRATIONS)
        return await rebuild(projection_store(pool), event_log(settings), swap=swap)
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reporting.rebuild", description=__doc__)
    parser.add_argument("--swap", action="store_true", help="make the rebuilt projection the live one")
    arguments = parser.parse_args(argv)
    configure_logging("reporting.rebuild")  # logs on stderr: stdout carries the JSON result only
    result = asyncio.run(run(Settings.from_env("reporting"), swap=arguments.swap))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if result["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
