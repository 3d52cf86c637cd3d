"""deploy/: the files a cluster applies (issue #36 item 2). No cluster runs here: they are
read as YAML and checked for what the serving needs (kortools/serving, docs/serving.md)."""

from __future__ import annotations

from pathlib import Path

import yaml

from kortools.serving.voila_process import ROOT

K8S = ROOT / "deploy" / "k8s"


def manifest(name: str) -> dict:
    return yaml.safe_load((K8S / name).read_text())


def test_every_manifest_is_one_kubernetes_object():
    for path in sorted(K8S.glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        assert {"apiVersion", "kind", "metadata", "spec"} <= set(document), path.name


def test_a_visitor_stays_on_the_pod_that_holds_the_kernel_of_their_page():
    annotations = manifest("ingress.yaml")["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert annotations["nginx.ingress.kubernetes.io/session-cookie-name"] == "kortools_worker"
    # the widgets' websocket: jupyter_server pings every 30 s, nginx's own setting is 120 s
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 60


def test_workers_scale_on_memory_and_a_frozen_one_is_restarted():
    metrics = manifest("hpa.yaml")["spec"]["metrics"]
    assert [m["resource"]["name"] for m in metrics] == ["memory"]
    container = manifest("deployment.yaml")["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == container["readinessProbe"]["httpGet"]["path"]
    assert container["resources"]["limits"]["memory"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert int(env["KORTOOLS_MAX_KERNELS"]) > 0  # the pod's memory, not the node's, sets the cap


def test_the_image_serves_with_the_repositorys_settings():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "COPY pyproject.toml README.md voila.json ./" in dockerfile
    for folder in ("kortools", "data", "notebooks", "share"):
        assert f"COPY {folder} {folder}" in dockerfile and Path(ROOT / folder).is_dir()
