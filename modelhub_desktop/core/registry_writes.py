"""The registry writes of `RegistryGateway` (tags, descriptions, rename, delete, stages),
and the experiment calls of the registry-wide audit log (core/registry_audit.py).

A mixin: the gateway provides `_call` (connect, count, translate errors) and `_registry`
(MLflow's registry store for the profile). Governance logic (checks, audit) is in
core/governance.py and core/model_edits.py; these are the bare calls.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from modelhub_desktop.core.domain import ModelVersion
from modelhub_desktop.core.mlflow_mapping import to_version
from modelhub_desktop.core.registry_audit import AuditExperiment


class RegistryWrites:
    _registry: Any
    _tracking: Any

    def _call(self, what: str) -> AbstractContextManager[None]:
        raise NotImplementedError

    def set_model_tag(self, model_name: str, key: str, value: str) -> None:
        from mlflow.entities.model_registry import RegisteredModelTag

        with self._call("set_registered_model_tag"):
            self._registry.set_registered_model_tag(model_name, RegisteredModelTag(key, value))

    def delete_model_tag(self, model_name: str, key: str) -> None:
        with self._call("delete_registered_model_tag"):
            self._registry.delete_registered_model_tag(model_name, key)

    def set_version_tag(self, model_name: str, version: int, key: str, value: str) -> None:
        from mlflow.entities.model_registry import ModelVersionTag

        with self._call("set_model_version_tag"):
            self._registry.set_model_version_tag(model_name, str(version),
                                                 ModelVersionTag(key, value))

    def delete_version_tag(self, model_name: str, version: int, key: str) -> None:
        with self._call("delete_model_version_tag"):
            self._registry.delete_model_version_tag(model_name, str(version), key)

    def update_model_description(self, model_name: str, description: str) -> None:
        with self._call("update_registered_model"):
            self._registry.update_registered_model(model_name, description)

    def update_version_description(self, model_name: str, version: int,
                                   description: str) -> None:
        with self._call("update_model_version"):
            self._registry.update_model_version(model_name, str(version), description)

    def rename_model(self, model_name: str, new_name: str) -> None:
        with self._call("rename_registered_model"):
            self._registry.rename_registered_model(model_name, new_name)

    def delete_version(self, model_name: str, version: int) -> None:
        with self._call("delete_model_version"):
            self._registry.delete_model_version(model_name, str(version))

    def delete_model(self, model_name: str) -> None:
        with self._call("delete_registered_model"):
            self._registry.delete_registered_model(model_name)

    def transition_stage(self, model_name: str, version: int, stage: str,
                         archive_existing: bool) -> ModelVersion:
        with self._call("transition_model_version_stage"):
            mv = self._registry.transition_model_version_stage(
                model_name, str(version), stage, archive_existing)
        return to_version(mv, tuple(sorted(mv.aliases or ())))

    # -- the registry-wide audit log (an experiment's tags) ---------------------------------
    def get_experiment_by_name(self, name: str) -> AuditExperiment | None:
        with self._call("get_experiment_by_name"):
            exp = self._tracking.get_experiment_by_name(name)
        if exp is None:
            return None
        return AuditExperiment(str(exp.experiment_id), dict(exp.tags or {}),
                               str(exp.lifecycle_stage))

    def create_experiment(self, name: str) -> str:
        with self._call("create_experiment"):
            return str(self._tracking.create_experiment(name))

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        from mlflow.entities import ExperimentTag

        with self._call("set_experiment_tag"):
            self._tracking.set_experiment_tag(experiment_id, ExperimentTag(key, value))
