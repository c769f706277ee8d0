"""The Kubernetes manifests (deploy/kubernetes, kustomize): rendered as kustomize would render them for the features
they use, then every resource validated strictly against Kubernetes 1.33's schemas (kubernetes-validate), and
checked against what the services read. No cluster and no kustomize binary run here: a feature of kustomize the
manifests start to use and this renderer does not know fails the test, so that it is taught, not skipped."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.integration.test_deploy_static import SERVICES, variables_read

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.33.0"
KNOWN = {"apiVersion", "kind", "resources", "namespace", "images", "replicas", "labels", "patches"}


def render(directory: Path) -> list[dict[str, Any]]:
    """The resources of a kustomization: its resources (files or other kustomizations), then its transformations."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    assert set(kustomization) <= KNOWN, f"teach render() {set(kustomization) - KNOWN}"
    resources: list[dict[str, Any]] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            resources += render(path)
        else:
            resources += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    resources = copy.deepcopy(resources)
    for resource in resources:
        if "namespace" in kustomization and resource["kind"] != "Namespace":
            resource["metadata"]["namespace"] = kustomization["namespace"]
        for label in kustomization.get("labels", []):
            resource["metadata"].setdefault("labels", {}).update(label["pairs"])
        for container in _containers(resource):
            for image in kustomization.get("images", []):
                name, _, tag = container["image"].partition(":")
                if name == image["name"]:
                    container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
        for replicas in kustomization.get("replicas", []):
            if resource["kind"] == "Deployment" and resource["metadata"]["name"] == replicas["name"]:
                resource["spec"]["replicas"] = replicas["count"]
        for patch in kustomization.get("patches", []):
            target = patch["target"]
            if (resource["kind"], resource["metadata"]["name"]) == (target["kind"], target["name"]):
                for operation in yaml.safe_load(patch["patch"]):
                    assert operation["op"] == "replace", f"teach render() the {operation['op']} operation"
                    *parents, leaf = operation["path"].strip("/").split("/")
                    node = resource
                    for key in parents:
                        node = node[key]
                    assert leaf in node, f"{operation['path']}: replace needs an existing value"
                    node[leaf] = operation["value"]
    return resources


def _containers(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return resource.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []) if resource else []


@pytest.fixture(scope="module", params=["base", "overlays/production"])
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return render(KUBERNETES / request.param)


def test_every_resource_is_valid_for_kubernetes(rendered: list[dict[str, Any]]) -> None:
    for resource in rendered:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_each_service_runs_the_image_with_its_factory_several_times_as_non_root(rendered: list[dict[str, Any]]) -> None:
    deployments = {r["metadata"]["name"]: r for r in rendered if r["kind"] == "Deployment"}
    assert set(deployments) == set(SERVICES)
    images = set()
    for name, deployment in deployments.items():
        assert deployment["spec"]["replicas"] >= 2, name
        [container] = _containers(deployment)
        images.add(container["image"])
        assert container["command"][:2] == ["uvicorn", f"{name}.app:create_app"], name
        assert container["readinessProbe"]["httpGet"]["path"] == "/health"
        assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    assert len(images) == 1 and re.match(r"^[\w./-]+:\d+\.\d+\.\d+$", images.pop())


def test_the_services_get_every_variable_they_require_and_read_no_unknown_one(rendered: list[dict[str, Any]]) -> None:
    required, optional = variables_read()
    config = next(r for r in rendered if r["kind"] == "ConfigMap")["data"]
    files = {f"{name}_FILE" for name in required | optional}
    for deployment in (r for r in rendered if r["kind"] == "Deployment"):
        [container] = _containers(deployment)
        names = {e["name"] for e in container["env"]} | set(config)
        given = names | {name.removesuffix("_FILE") for name in names}
        assert required - given == set(), deployment["metadata"]["name"]
        assert names - required - optional - files == set(), deployment["metadata"]["name"]


def test_the_pools_of_every_replica_fit_postgres_default_connections(rendered: list[dict[str, Any]]) -> None:
    config = next(r for r in rendered if r["kind"] == "ConfigMap")["data"]
    replicas = sum(r["spec"]["replicas"] for r in rendered if r["kind"] == "Deployment")
    assert replicas * int(config["DATABASE_POOL_SIZE"]) < 100


def test_no_secret_is_in_the_manifests(rendered: list[dict[str, Any]]) -> None:
    """Credentials come from the Secret `rebond-secrets` (never in the repository): as references, or as files."""
    assert not [r for r in rendered if r["kind"] == "Secret"]
    secret = re.compile(r"PASSWORD|SECRET|SIGNING_KEY|TRUSTED_KEYS|DATABASE_URL|MIGRATION_URL|SOURCE_DATABASES")
    for deployment in (r for r in rendered if r["kind"] == "Deployment"):
        [container] = _containers(deployment)
        for entry in container["env"]:
            if secret.search(entry["name"]):
                assert "valueFrom" in entry or entry["value"].startswith("/run/secrets/"), entry["name"]


def test_the_validation_catches_a_misspelt_field() -> None:
    deployment = next(r for r in render(KUBERNETES / "base") if r["kind"] == "Deployment")
    _containers(deployment)[0]["imagePullPolcy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
