"""`modelhub-test`: an MLflow deployments target whose deployments are JSON files.

Registered under the `mlflow.deployments` entry point, so `get_deploy_client("modelhub-test")`
finds it as it finds any real plugin. Deployments live in the folder named by
MODELHUB_TEST_TARGET_DIR (one JSON file each); `predict` loads the deployed model with
`mlflow.pyfunc.load_model` from the registry in effect and answers like a scoring server.
A config `{"fail": "message"}` makes create/update fail with that message (the target's
own error, for the app to show as it is).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from mlflow.deployments import BaseDeploymentClient, PredictionsResponse
from mlflow.exceptions import MlflowException

_models: dict[str, tuple[str, Any]] = {}


def _root() -> Path:
    default = Path(tempfile.gettempdir()) / "modelhub-test-target"
    root = Path(os.environ.get("MODELHUB_TEST_TARGET_DIR", str(default)))
    root.mkdir(parents=True, exist_ok=True)
    return root


def _path(name: str) -> Path:
    return _root() / f"{name}.json"


def _read(name: str) -> dict[str, Any]:
    try:
        return json.loads(_path(name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MlflowException(f"No deployment named {name!r} on modelhub-test.") from None


def _write(info: dict[str, Any]) -> dict[str, Any]:
    _path(info["name"]).write_text(json.dumps(info), encoding="utf-8")
    return info


class ModelhubTestClient(BaseDeploymentClient):
    def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
        if (config or {}).get("fail"):
            raise MlflowException(str(config["fail"]))
        if _path(name).exists():
            raise MlflowException(f"Deployment {name!r} already exists on modelhub-test.")
        return _write({"name": name, "model_uri": model_uri, "flavor": flavor or "python_function",
                       "config": config or {}, "status": "ready"})

    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        if (config or {}).get("fail"):
            raise MlflowException(str(config["fail"]))
        info = _read(name)
        if model_uri:
            info["model_uri"] = model_uri
        return _write(info)

    def delete_deployment(self, name, config=None, endpoint=None):
        _path(name).unlink(missing_ok=True)

    def list_deployments(self, endpoint=None):
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(_root().glob("*.json"))]

    def get_deployment(self, name, endpoint=None):
        return _read(name)

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        import mlflow.pyfunc
        import pandas as pd

        uri = _read(deployment_name)["model_uri"]
        cached = _models.get(deployment_name)
        if cached is None or cached[0] != uri:
            cached = (uri, mlflow.pyfunc.load_model(uri))
            _models[deployment_name] = cached
        if isinstance(inputs, dict) and "dataframe_split" in inputs:
            frame = pd.DataFrame(**inputs["dataframe_split"])
        elif isinstance(inputs, dict) and "dataframe_records" in inputs:
            frame = pd.DataFrame(inputs["dataframe_records"])
        else:
            frame = pd.DataFrame(inputs)
        predictions = cached[1].predict(frame)
        return PredictionsResponse({"predictions": pd.Series(predictions).tolist()})


def run_local(target, name, model_uri, flavor=None, config=None):
    raise MlflowException("modelhub-test has no local mode.")


def target_help():
    return "modelhub-test: deployments kept as JSON files in MODELHUB_TEST_TARGET_DIR (tests only)."
