"""docker-compose.yml and the Dockerfile, read as files: Docker cannot run here, so these
check that Neo4j and the app are declared and wired the way the README says."""
from __future__ import annotations

import re
import tomllib

import yaml

from graph.urls import neo4j_target

from conftest import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def password_variable(value: str) -> str:
    match = re.search(r"\$\{(\w+)[:?}]", value)
    assert match, value
    return match.group(1)


def test_compose_declares_neo4j_and_the_app():
    services = compose()["services"]
    assert {name for name, spec in services.items() if "profiles" not in spec} == {"neo4j", "app"}


def test_the_dask_profile_runs_a_scheduler_and_workers_from_the_image_with_the_dask_extra():
    services = compose()["services"]
    dask = {name: spec for name, spec in services.items() if "dask" in spec.get("profiles", [])}
    assert set(dask) == {"dask-scheduler", "dask-worker"}
    for spec in dask.values():
        assert spec["build"] == {"context": ".", "args": {"EXTRAS": "dask"}} and spec["image"] == "investgraph-dask"
    assert dask["dask-scheduler"]["command"][:2] == ["dask", "scheduler"]
    worker = dask["dask-worker"]["command"]
    assert worker[:3] == ["dask", "worker", "tcp://dask-scheduler:8786"]
    assert worker[worker.index("--nthreads") + 1] == "1"  # extraction's time limit runs in the worker's thread
    assert all(p.startswith("127.0.0.1:") for p in dask["dask-scheduler"]["ports"])
    assert password_variable(dask["dask-worker"]["environment"]["NEO4J_PASSWORD"]) == "NEO4J_PASSWORD"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'ARG EXTRAS=""' in dockerfile and 'pip install ".[$EXTRAS]"' in dockerfile
    assert "dask" in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]


def test_neo4j_service_has_image_volume_and_healthcheck():
    spec = compose()
    neo4j = spec["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    volumes = {v.split(":")[0]: v.split(":")[1] for v in neo4j["volumes"]}
    assert volumes["neo4j-data"] == "/data" and "neo4j-data" in spec["volumes"]
    check = neo4j["healthcheck"]
    assert check["test"][0] in ("CMD", "CMD-SHELL") and "7474" in " ".join(check["test"])
    assert check["retries"] >= 10
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert all(p.startswith("127.0.0.1:") for p in neo4j["ports"])  # not on every interface
    assert "127.0.0.1:7687:7687" in neo4j["ports"]


def test_app_is_built_here_and_wired_to_neo4j_by_env():
    services = compose()["services"]
    app = services["app"]
    assert app["build"] in (".", {"context": "."})
    assert app["depends_on"] == {"neo4j": {"condition": "service_healthy"}}
    env = app["environment"]
    assert env["INVESTGRAPH_STORE"] == env["NEO4J_URI"] == "neo4j://neo4j:7687"
    target = neo4j_target(env["NEO4J_URI"])
    assert (target.uri, target.user, target.database) == ("neo4j://neo4j:7687", "neo4j", "neo4j")
    assert env["NEO4J_USER"] == "neo4j"
    # the server's password and the app's come from the same variable, which must be set
    assert password_variable(env["NEO4J_PASSWORD"]) == "NEO4J_PASSWORD"
    assert password_variable(services["neo4j"]["environment"]["NEO4J_AUTH"]) == "NEO4J_PASSWORD"
    assert ":?" in env["NEO4J_PASSWORD"]
    assert app["ports"] == ["127.0.0.1:8501:8501"]


def test_dockerfile_installs_the_package_and_serves_the_app():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    assert "RUN pip install ." in lines
    assert lines[-1] == 'CMD ["investgraph", "app", "--host", "0.0.0.0"]'
    assert "EXPOSE 8501" in lines and any(line.startswith("USER ") for line in lines)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".neo4j", ".investgraph"} <= set(ignored)


def test_the_dask_workers_are_as_quiet_as_the_local_clusters():
    import dask.config

    from ingest.parallel import QUIET_WORKERS
    environment = compose()["services"]["dask-worker"]["environment"]
    settings = dask.config.collect_env({k: str(v) for k, v in environment.items() if k.startswith("DASK_")})
    assert {key: dask.config.get(key, config=settings) for key in QUIET_WORKERS} == QUIET_WORKERS
