"""What `python3 dev.py run` hands a newcomer besides the figures: a token per role to explore the APIs."""

from __future__ import annotations

from pathlib import Path

from contracts.base import Role
from kernel.adapters.auth import read_token
from rebond_local.__main__ import write_tokens
from rebond_local.infra import AUTH_SECRET


def test_the_run_writes_a_valid_token_for_every_role(tmp_path: Path) -> None:
    lines = write_tokens(tmp_path / "tokens.txt").read_text().splitlines()
    actors = [read_token(AUTH_SECRET, line.split()[-1]) for line in lines]
    assert [a.role for a in actors] == list(Role)
    assert next(a for a in actors if a.role is Role.COPIL_MEMBRE).scope == "cambrai"
