#!/usr/bin/env python3
"""Rebond's two commands for a fresh machine with only Python.

    python3 dev.py run    # embedded broker + PostgreSQL, the four services, the demo scenario
    python3 dev.py test   # the rules (as `check`), then the whole test suite against a real broker and PostgreSQL
    python3 dev.py check  # the rules alone, in seconds: ruff (lint, format), import contracts, mypy strict
    python3 dev.py bench  # every script of bench/ (minutes), then one line per throughput target
    python3 dev.py lock   # deploy/requirements.lock: the exact packages of the services' image
    python3 dev.py audit  # the auditor's tool (rebond_audit): `python3 dev.py audit --help`

Each one creates `.venv/` (once), installs the pinned project into it, then hands over to the
venv's Python. The servers are started and stopped by the project code itself (rebond_local).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".installed"


EXTRAS_SETS = ((), ("dev", "local"), ("dev", "local", "bench"))  # what each command installs


def _fingerprint(extras: tuple[str, ...]) -> str:
    digest = hashlib.sha256(" ".join(extras).encode())
    for name in ("pyproject.toml",):
        path = ROOT / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv(extras: tuple[str, ...] = ("dev", "local")) -> None:
    """Create the venv, install the pinned dependencies, and put the project's src folders on its path.

    The project itself is not pip-installed: a .pth file lists its src folders, so edits apply at
    once and the src packages win over the same-named top-level folders (contracts/, kernel/)."""
    if not PY.exists():
        print("· creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint(extras):
        return
    print("· installing Rebond's pinned dependencies into .venv", flush=True)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    optional = project["project"]["optional-dependencies"]
    requirements = [*project["project"]["dependencies"], *(package for extra in extras for package in optional[extra])]
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *requirements], check=True)
    site = subprocess.run(
        [str(PY), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    where = project["tool"]["setuptools"]["packages"]["find"]["where"]
    Path(site, "rebond-src.pth").write_text("".join(f"{ROOT / folder}\n" for folder in where))
    STAMP.write_text(_fingerprint(extras))


# The rules of the code, configured in pyproject.toml; each must pass for `test` to run the suite.
CHECKS = (
    ("ruff lint", ["ruff", "check", "."]),
    ("ruff format", ["ruff", "format", "--check", "."]),
    ("import contracts", ["lint-imports"]),
    ("mypy strict", ["mypy"]),  # the packages are listed in pyproject.toml
)


def check(env: dict[str, str]) -> int:
    """Run every rule, report each, and fail if any failed (all run, so one run shows every problem)."""
    failed = []
    for name, command in CHECKS:
        started = time.monotonic()
        code = subprocess.call([str(VENV / "bin" / command[0]), *command[1:]], cwd=ROOT, env=env)
        print(f"· {name}: {'ok' if code == 0 else 'FAILED'} ({time.monotonic() - started:.1f} s)", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"✗ the rules are broken ({', '.join(failed)}): fix the code, not the rule", flush=True)
        return 1
    return 0


# The benchmarks of `python3 dev.py bench`, each printing its figures beside its baseline and `target …` lines.
BENCHES = (
    ["bench/bench_appends.py"],
    ["bench/bench_commands.py"],
    ["bench/bench_e2e.py"],
    ["bench/bench_projection.py"],
    ["bench/bench_load.py"],
    ["bench/bench_kernel.py"],
    ["bench/bench_reads.py"],
    ["bench/bench_figures.py"],
    ["bench/bench_floor.py"],
)


def bench(env: dict[str, str]) -> int:
    """Run every benchmark in turn, then repeat their `target` lines together: the summary issue 11 asks for."""
    targets: list[str] = []
    failed = 0
    for script in BENCHES:
        print(f"\n## {' '.join(script)}", flush=True)
        child = subprocess.Popen([str(PY), *script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        for line in child.stdout:
            print(line, end="", flush=True)
            if line.startswith("target "):
                targets.append(line.rstrip("\n"))
        failed += child.wait() != 0
    print("\n## targets", flush=True)
    for line in targets:
        print(line, flush=True)
    return 1 if failed else 0


LOCK = ROOT / "deploy" / "requirements.lock"


def lock() -> int:
    """Write deploy/requirements.lock: every package the services' image installs (pyproject's `dependencies` and
    everything they pull in, for CPython 3.11 on Linux), each at one exact version, resolved by pip itself."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    report = VENV / "lock-report.json"
    subprocess.run(
        [str(PY), "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report)]
        + project["project"]["dependencies"],
        check=True,
    )
    import json

    installed = json.loads(report.read_text())["install"]
    pins = sorted(f"{item['metadata']['name'].lower()}=={item['metadata']['version']}" for item in installed)
    LOCK.write_text(
        "# The services' image installs exactly these (deploy/Dockerfile: pip install --no-deps -r this file).\n"
        "# Written by `python3 dev.py lock` from pyproject.toml's dependencies; checked by tests/integration/"
        "test_deploy_static.py.\n" + "".join(f"{pin}\n" for pin in pins)
    )
    print(f"· {LOCK.relative_to(ROOT)}: {len(pins)} packages", flush=True)
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "check", "bench", "lock", "audit"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "audit":  # an auditor's machine needs the services' dependencies only (a developer's has more)
        installed = STAMP.exists() and STAMP.read_text() in {_fingerprint(e) for e in EXTRAS_SETS}
        if not installed:
            ensure_venv(())
        return run_forwarding_signals([str(PY), "-m", "rebond_audit", *rest], {**os.environ})
    ensure_venv(("dev", "local", "bench") if command == "bench" else ("dev", "local"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if command == "check":
        return check(env)
    if command == "bench":
        return bench(env)
    if command == "lock":
        return lock()
    if command == "test":
        if code := check(env):
            return code
        ensure_browser()
        args = [str(PY), "-m", "pytest", *rest]
    else:
        args = [str(PY), "-m", "rebond_local", "run", *rest]
    return run_forwarding_signals(args, env)


CHROMIUM = "/usr/bin/chromium"  # Debian's, driven by Playwright in tests/integration/test_tableau.py


def ensure_browser() -> None:
    """Install Debian's chromium for the dashboard's browser test when it is missing and this machine can (root with
    apt-get); else that test is skipped and says why."""
    if Path(CHROMIUM).exists() or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    print("· installing Debian's chromium for the dashboard's browser test (apt-get)", flush=True)
    quiet = {"DEBIAN_FRONTEND": "noninteractive", **os.environ}
    installed = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=quiet, capture_output=True)
    if installed.returncode != 0:  # the package lists may be missing on a fresh machine
        subprocess.run(["apt-get", "update", "-qq"], env=quiet, capture_output=True)
        installed = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=quiet, capture_output=True)
    if installed.returncode != 0:
        print(f"· chromium could not be installed: {installed.stderr.decode(errors='replace')[-300:]}", flush=True)


def run_forwarding_signals(args: list[str], env: dict[str, str]) -> int:
    """Run the command in a process group of its own and hand it SIGINT, SIGTERM and SIGHUP, once each, as SIGINT:
    pytest and the run both clean up on SIGINT (servers stopped, databases and topics dropped), so stopping this
    wrapper, from a terminal or from a supervisor, never leaves the services, the broker or PostgreSQL behind."""
    child = subprocess.Popen(args, cwd=ROOT, env=env, process_group=0)

    def forward(signum: int, frame: object) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    while True:
        try:
            return child.wait()
        except InterruptedError:
            continue


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
