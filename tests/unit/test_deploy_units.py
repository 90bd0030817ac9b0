"""Deploy core without servers: request checks, model URIs, the serving-path choice,
alias following, the records file and the serving command's statistics."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from modelhub_desktop.core.deploy.base import RUNNING, DeploymentRecord
from modelhub_desktop.core.deploy.choice import serving_path
from modelhub_desktop.core.deploy.fetch import LocalModel, ModelRef, parse_model_uri, read_flavors
from modelhub_desktop.core.deploy.local import data_root, endpoint_for
from modelhub_desktop.core.deploy.payload import validate_payload
from modelhub_desktop.core.deploy.process import check_port, own_command, port_free
from modelhub_desktop.core.deploy.records import RecordStore
from modelhub_desktop.core.deploy.service import alias_state
from modelhub_desktop.core.errors import InvalidInput
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.serve import Stats


@pytest.mark.parametrize(("text", "where"), [
    ('{"dataframe_split": {"columns": ["a"], "data": [[1,]]}}',
     "Expecting value at line 1, column 52"),
    ('{\n  "inputs": [1, 2\n}', "line 3, column 1"),
    ("", "The request is empty"),
    ("[1, 2]", "it is a JSON array"),
    ('{"inputs": [1], "instances": [2]}', "it has instances, inputs"),
    ('{"params": {}}', "it has none of them"),
    ('{"input": [1]}', "unknown field 'input'"),
    ('{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [3]]}}',
     "row 2 has 1 values for 2 columns"),
    ('{"dataframe_records": [1, 2]}', "dataframe_records must be a list of objects"),
    ('{"inputs": [1], "params": [1]}', "params must be a JSON object"),
])
def test_malformed_requests_say_where(text: str, where: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_payload(text)
    assert where in str(caught.value)


def test_valid_requests_pass_as_objects() -> None:
    for body in ({"dataframe_split": {"columns": ["a"], "data": [[1.0]]}},
                 {"dataframe_records": [{"a": 1}]}, {"instances": [[1, 2]]},
                 {"inputs": {"x": [1]}, "params": {"k": 2}}):
        assert validate_payload(json.dumps(body)) == body
        assert validate_payload(body) == body


def test_model_uris() -> None:
    assert parse_model_uri("models:/iris/3") == ModelRef("iris", 3)
    assert parse_model_uri("models:/wine quality – ü@champion") == ModelRef(
        "wine quality – ü", None, "champion")
    assert parse_model_uri("models:/a/b/7").name == "a/b"
    assert ModelRef("iris", None, "champion").pinned(4).uri == "models:/iris/4"
    for bad in ("runs:/abc/model", "models:/iris", "models:/iris/latest", "iris/3"):
        with pytest.raises(InvalidInput, match="models:/<name>/<version>"):
            parse_model_uri(bad)


def _model(tmp_path: Path, flavors: str) -> LocalModel:
    (tmp_path / "MLmodel").write_text(f"flavors:\n{flavors}", encoding="utf-8")
    names, loader = read_flavors(tmp_path / "MLmodel")
    return LocalModel(ModelRef("m", 1), tmp_path, names, loader)


def test_serving_path_follows_the_flavor(tmp_path: Path) -> None:
    sk = _model(tmp_path, "  python_function:\n    loader_module: mlflow.sklearn\n"
                          "  sklearn:\n    pickled_model: model.pkl\n")
    assert serving_path(sk).kind == "local"
    plain = _model(tmp_path, "  python_function:\n    python_model: python_model.pkl\n")
    assert plain.loader_module == "mlflow.pyfunc.model" and serving_path(plain).kind == "local"
    xgb = _model(tmp_path, "  python_function:\n    loader_module: mlflow.xgboost\n"
                           "  xgboost:\n    data: model.xgb\n")
    choice = serving_path(xgb)
    assert choice.kind == "python-env" and "needs xgboost" in choice.reason
    onnx = _model(tmp_path, "  onnx:\n    onnx_version: 1\n")
    with pytest.raises(InvalidInput, match=r"no python_function .* \(flavors: onnx\)"):
        serving_path(onnx)


def _record(**kw: object) -> DeploymentRecord:
    base: dict[str, object] = dict(name="d", backend="local", model_uri="models:/m@champion",
                                   model_name="m", version=3, alias="champion")
    base.update(kw)
    return DeploymentRecord(**base)  # type: ignore[arg-type]


def test_alias_following() -> None:
    state = alias_state(_record(), {"champion": 5})
    assert state is not None and state.stale and state.current == 5
    assert "Serves v3, an old version: @champion is now v5" in state.message
    same = alias_state(_record(), {"champion": 3})
    assert same is not None and not same.stale
    gone = alias_state(_record(), {})
    assert gone is not None and not gone.stale and "no longer exists" in gone.message
    assert alias_state(_record(alias="", model_uri="models:/m/3"), {"champion": 5}) is None


def test_records_survive_a_restart_and_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "deployments.json"
    store = RecordStore(path)
    rec = _record(status=RUNNING, settings={"port": "5001"}, pid=42, keep_running=True)
    store.put(rec)
    store.put(_record(name="other"))
    again = RecordStore(path)
    assert again.get("d") == rec and [r.name for r in again.all()] == ["d", "other"]
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["deployments"][0]["from_a_newer_app"] = 1  # unknown fields are skipped
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert RecordStore(path).get("d") == rec
    again.remove("other")
    assert [r.name for r in RecordStore(path).all()] == ["d"]
    path.write_text("{not json", encoding="utf-8")
    broken = RecordStore(path)
    assert broken.all() == [] and "moved to deployments.json.unreadable-" in broken.problem
    assert list(tmp_path.glob("deployments.json.unreadable-*"))


def test_ports_and_commands(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not port_free("127.0.0.1", port)
        with pytest.raises(InvalidInput, match=f"Port {port} on 127.0.0.1 is already in use"):
            check_port("127.0.0.1", port)
    assert port_free("127.0.0.1", port)
    with pytest.raises(InvalidInput, match="not a valid port"):
        check_port("127.0.0.1", 70000)
    assert own_command("serve", "x")[1:] == ["-m", "modelhub_desktop", "serve", "x"]
    assert endpoint_for("0.0.0.0", 5001) == "http://127.0.0.1:5001"
    paths = AppPaths.resolve(tmp_path / "root")
    assert data_root(paths) == str((tmp_path / "root").resolve())


def test_stats_percentiles() -> None:
    stats = Stats()
    assert stats.snapshot() == {"requests": 0, "errors": 0, "p50_ms": None, "p95_ms": None,
                                "p99_ms": None}
    for ms in range(1, 101):
        stats.add(float(ms), ok=ms % 10 != 0)
    snap = stats.snapshot()
    assert (snap["requests"], snap["errors"]) == (100, 10)
    assert (snap["p50_ms"], snap["p95_ms"], snap["p99_ms"]) == (51.0, 95.0, 99.0)


def test_serve_command_line_imports_no_qt() -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom modelhub_desktop.app import main\n"
            "try:\n    main(['serve', '--help'])\nexcept SystemExit as e:\n    code = e.code\n"
            "print('qt' if any(m.startswith('PySide6') for m in sys.modules) else 'no-qt', code)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert "usage: modelhub-desktop serve [-h] [--port PORT] [--host HOST]" in done.stdout
    assert done.stdout.strip().endswith("no-qt 0")


def test_audit_entry_missing_is_said_not_raised() -> None:
    from modelhub_desktop.core import audit
    from modelhub_desktop.core.deploy.deploy_audit import CREATE, record_deploy_event
    from modelhub_desktop.core.domain import RegisteredModel
    from modelhub_desktop.core.errors import PermissionDenied

    class Sink:
        def __init__(self, deny: bool) -> None:
            self.deny, self.tags = deny, {}

        def get_model(self, name: str) -> RegisteredModel:
            return RegisteredModel(name, tags=dict(self.tags))

        def set_model_tag(self, model_name: str, key: str, value: str) -> None:
            if self.deny:
                raise PermissionDenied("403")
            self.tags[key] = value

    ok = Sink(deny=False)
    assert record_deploy_event(ok, "m", who="bob", action=CREATE, deployment="d",
                               from_version=None, to_version=3) == ""
    (event,), _ = audit.read_tags(ok.tags)
    assert (event.action, event.target, event.to, event.who) == (
        "deploy.create", "deployment:d", "3", "bob")
    assert audit.verify(ok.tags).ok
    note = record_deploy_event(Sink(deny=True), "m", who="bob", action=CREATE,
                               deployment="d", from_version=None, to_version=3)
    assert note.startswith("Audit entry missing: you may deploy m, but not write its tags")
