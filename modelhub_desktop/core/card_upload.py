"""Log a version's model card (HTML and Markdown) as artifacts of its source run, under
`model_card/`, so the card travels with the run in the MLflow UI and in every client.

The write goes out with the profile's own credentials: MlflowClient's tracking store would
take them from MLFLOW_TRACKING_* environment variables, where the app never puts a password.
On a server, the run's artifact location is read through a REST store built from the
gateway's host credentials and the files are written by MLflow's artifact repository for
that location (its requests to the server carry the same credentials, core/artifact_auth.py).
An embedded store has no credentials: MlflowClient.log_artifacts does it all.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Protocol

from modelhub_desktop.core.domain import ModelVersion, Profile
from modelhub_desktop.core.errors import InvalidInput, ModelHubError
from modelhub_desktop.core.mlflow_errors import translate_error
from modelhub_desktop.core.mlflow_import import import_mlflow

ARTIFACT_DIR = "model_card"


class CardSink(Protocol):
    """What logging a card needs of a gateway (RegistryGateway has it)."""

    profile: Profile

    def connect(self) -> None: ...
    def host_creds(self) -> object: ...


def card_files(version: ModelVersion) -> tuple[str, str]:
    """The (HTML, Markdown) file names of `version`'s card inside `model_card/`."""
    return f"v{version.version}.html", f"v{version.version}.md"


def log_card(gw: CardSink, version: ModelVersion, html: str, markdown: str) -> list[str]:
    """Upload the card of `version` to its source run; the artifact paths written."""
    if not version.run_id:
        raise InvalidInput(f"v{version.version} of {version.model_name} has no source run "
                           "to log its model card to.")
    names = card_files(version)
    with tempfile.TemporaryDirectory(prefix="modelhub-card-") as tmp:
        folder = Path(tmp) / ARTIFACT_DIR
        folder.mkdir()
        for name, text in zip(names, (html, markdown), strict=True):
            (folder / name).write_text(text, encoding="utf-8")
        _upload(gw, version.run_id, folder)
    return [f"{ARTIFACT_DIR}/{name}" for name in names]


def _upload(gw: CardSink, run_id: str, folder: Path) -> None:
    import_mlflow()
    gw.connect()  # registers the profile's credentials for artifact requests to its server
    profile = gw.profile
    try:
        if profile.is_remote:
            from mlflow.store.artifact.artifact_repository_registry import (
                get_artifact_repository,
            )
            from mlflow.store.tracking.rest_store import RestStore

            creds = gw.host_creds()
            run = RestStore(lambda: creds).get_run(run_id)
            repo = get_artifact_repository(run.info.artifact_uri,
                                           tracking_uri=profile.tracking_uri)
            repo.log_artifacts(str(folder), ARTIFACT_DIR)
        else:
            from mlflow import MlflowClient

            MlflowClient(profile.tracking_uri).log_artifacts(run_id, str(folder), ARTIFACT_DIR)
    except ModelHubError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes a reason in words
        raise translate_error(exc, f" logging the model card to run {run_id}") from None
