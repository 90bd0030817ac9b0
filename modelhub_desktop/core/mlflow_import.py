"""The one place `import mlflow` happens: lazily, on a worker, with the app's HTTP defaults.

Importing mlflow takes about a second, so nothing imports it at start-up; the gateway,
the demo seeder and the artifact helpers call `import_mlflow()` from worker threads.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from types import ModuleType

#: MlflowClient's defaults (7 retries, 120 s) make a dead server hang for minutes.
HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
    "MLFLOW_DISABLE_TELEMETRY": "true",
}
_import_lock = threading.Lock()


def import_mlflow() -> ModuleType:
    """Import mlflow once, with the app's HTTP defaults applied first."""
    with _import_lock:
        for key, value in HTTP_DEFAULTS.items():
            os.environ.setdefault(key, value)
        already = "mlflow" in sys.modules
        import mlflow

        if not already:
            # mlflow's own loggers are set up at import; keep their chatter out of the UI's way
            logging.getLogger("mlflow").setLevel(logging.WARNING)
            # mlflow brings hundreds of thousands of long-lived objects; moving them out of
            # the collector's reach keeps full collections (which hold the GIL and so
            # freeze the UI thread) short.
            gc.freeze()
        return mlflow
