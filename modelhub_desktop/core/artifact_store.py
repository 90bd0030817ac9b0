"""Reading a profile's artifact files: list, download, read one small file.

Every call goes through MLflow's artifact repositories (so ``s3://``, ``gs://``,
``mlflow-artifacts:/``, local folders... all work as MLflow does) with two additions:

- an S3-compatible endpoint per profile. MLflow reads it from the process-wide
  ``MLFLOW_S3_ENDPOINT_URL``; setting that variable would leak one profile's endpoint into
  another's requests on a second thread. Instead the endpoint is held in a context variable
  while a call is made, and the repository MLflow builds for an ``s3://`` URI (always on the
  calling thread) takes it from there and keeps it for its download threads. Credentials
  come from the usual AWS variables, profile or instance role.
- failures become the app's errors with a reason in words (`artifact_errors`).
"""

from __future__ import annotations

import contextvars
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelhub_desktop.core.artifact_errors import artifact_error
from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.mlflow_import import import_mlflow

_endpoint: contextvars.ContextVar[str] = contextvars.ContextVar("modelhub_s3_endpoint",
                                                                default="")
_install_lock = threading.Lock()
_installed = False


@dataclass(frozen=True)
class ArtifactEntry:
    """One entry of a folder listing: its path relative to the listed folder's root."""

    path: str
    is_dir: bool
    size: int | None = None

    @property
    def name(self) -> str:
        return self.path.rstrip("/").split("/")[-1]


def _install_s3_repository() -> None:
    """Make MLflow build `s3://` repositories that honour the calling profile's endpoint."""
    global _installed
    with _install_lock:
        if _installed:
            return
        from mlflow.store.artifact import s3_artifact_repo
        from mlflow.store.artifact.artifact_repository_registry import (
            _artifact_repository_registry as registry,
        )

        base = s3_artifact_repo.S3ArtifactRepository

        class EndpointS3Repository(base):  # type: ignore[misc, valid-type]
            """MLflow's S3 repository talking to the endpoint it was built for."""

            def __init__(self, artifact_uri: str, *args: Any, endpoint_url: str = "",
                         **kwargs: Any) -> None:
                super().__init__(artifact_uri, *args, **kwargs)
                self._endpoint_url = endpoint_url

            def _get_s3_client(self) -> Any:
                return s3_artifact_repo._get_s3_client(
                    access_key_id=self._access_key_id,
                    secret_access_key=self._secret_access_key,
                    session_token=self._session_token,
                    s3_endpoint_url=self._endpoint_url or None,
                )

        def build(artifact_uri: str, tracking_uri: str | None = None,
                  registry_uri: str | None = None) -> Any:
            endpoint = _endpoint.get()
            if not endpoint:
                return base(artifact_uri, tracking_uri=tracking_uri, registry_uri=registry_uri)
            return EndpointS3Repository(artifact_uri, tracking_uri=tracking_uri,
                                        registry_uri=registry_uri, endpoint_url=endpoint)

        registry.register("s3", build)
        _installed = True


class ArtifactStore:
    """The artifact files one profile can read."""

    def __init__(self, tracking_uri: str, s3_endpoint_url: str = "") -> None:
        self.tracking_uri = tracking_uri
        self.s3_endpoint_url = s3_endpoint_url.strip()

    @contextmanager
    def _reading(self, uri: str) -> Iterator[None]:
        import_mlflow()
        _install_s3_repository()
        token = _endpoint.set(self.s3_endpoint_url)
        try:
            yield
        except ModelHubError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a reason in words
            raise artifact_error(exc, uri) from None
        finally:
            _endpoint.reset(token)

    def list(self, uri: str) -> list[ArtifactEntry]:
        """The entries directly under the folder `uri` ([] if there is nothing there)."""
        import mlflow.artifacts

        with self._reading(uri):
            infos = mlflow.artifacts.list_artifacts(artifact_uri=uri,
                                                    tracking_uri=self.tracking_uri)
        return [ArtifactEntry(i.path, bool(i.is_dir), i.file_size) for i in infos]

    def download(self, uri: str, dst_dir: Path) -> Path:
        """Download the file or folder `uri` into `dst_dir`; the local path."""
        import mlflow.artifacts

        with self._reading(uri):
            path = mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(dst_dir),
                                                       tracking_uri=self.tracking_uri)
        return Path(path)

    def read_text(self, uri: str) -> str:
        """The content of one small text file (e.g. a version's MLmodel)."""
        with tempfile.TemporaryDirectory() as tmp:
            return self.download(uri, Path(tmp)).read_text(encoding="utf-8")
