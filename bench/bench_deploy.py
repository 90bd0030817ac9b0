"""Time to a ready endpoint: the app's local deploy vs `mlflow models serve`, same version.

On a real local `mlflow server`, registers a scikit-learn version (an iris pipeline, the
size of the demo's models), then measures, alternating, ROUNDS times each:

1. `mlflow models serve -m models:/NAME/1 --env-manager local -h 127.0.0.1 -p PORT`
   started as a process: time until /ping answers 200;
2. `DeployService.create("local", ...)` as the app calls it (mlflow already imported
   and the gateway connected, as in the running app), with an empty model cache: time
   until it returns (it returns once /ping answers 200);
3. the same with the version already in the model cache (a redeploy).

With `--frozen dist/modelhub-desktop/modelhub-desktop` also, from the frozen bundle:

4. `modelhub-desktop serve models:/NAME/1 --tracking-uri URL --data-dir EMPTY` started as
   a process: time until /ping answers 200 (it downloads the model itself);
5. `DeployService.create("local", ...)` with the frozen executable as its serving child,
   as the installed app runs it (an empty model cache).

Prints the medians and each one's ratio to (1); the target is at most 1.5.

    .venv/bin/python -m bench.bench_deploy [--rounds 3] [--frozen PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import requests

MODEL = "bench-deploy-iris"


def time_to_ping(cmd: Sequence[str], env: Mapping[str, str], port: int,
                 timeout_s: float = 300.0) -> float:
    """Start `cmd`; seconds until http://127.0.0.1:PORT/ping answers 200. Stops it after."""
    from modelhub_desktop.core.deploy import process

    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=dict(env), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        while time.perf_counter() - started < timeout_s:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"{cmd[0]} exited early ({proc.returncode}): {err[-2000:]}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{cmd[0]}: no /ping in {timeout_s:.0f} s")
    finally:
        process.stop(proc.pid)
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


def mlflow_serve(url: str, port: int) -> float:
    env = dict(os.environ, MLFLOW_TRACKING_URI=url, MLFLOW_DISABLE_TELEMETRY="true")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return time_to_ping([sys.executable, "-m", "mlflow", "models", "serve", "-m",
                         f"models:/{MODEL}/1", "--env-manager", "local", "-h", "127.0.0.1",
                         "-p", str(port)], env, port)


def user_env() -> dict[str, str]:
    """A user's session: none of this Python's or the tests' settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "MLFLOW_", "MODELHUB_"))}
    env["MLFLOW_DISABLE_TELEMETRY"] = "true"
    return env


def frozen_serve(binary: Path, url: str, port: int) -> float:
    with tempfile.TemporaryDirectory(prefix="modelhub-bench-frozen-") as data:
        return time_to_ping([str(binary), "serve", f"models:/{MODEL}/1", "--tracking-uri", url,
                             "--data-dir", data, "--port", str(port)], user_env(), port)


def frozen_children(binary: Path) -> Callable[[], None]:
    """Make the local backend start `binary` as its serving child (as from the installed
    app); returns the function that undoes it."""
    from modelhub_desktop.core.deploy import process

    original = process.own_command
    process.own_command = lambda *args: [str(binary), *args]

    def undo() -> None:
        process.own_command = original

    return undo


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frozen", type=Path, metavar="PATH",
                        help="the frozen app's executable (dist/modelhub-desktop/modelhub-desktop)"
                             ": also time its serve command and a deploy through it")
    args = parser.parse_args()
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    if args.frozen is not None and not os.access(args.frozen, os.X_OK):
        parser.error(f"{args.frozen} is not an executable (build it: packaging/build_linux.sh)")

    from bench.common import start_server
    from modelhub_desktop.core.deploy import process
    from modelhub_desktop.core.deploy.service import DeployService
    from modelhub_desktop.core.domain import Profile
    from modelhub_desktop.core.paths import AppPaths
    from modelhub_desktop.core.progress import TaskContext
    from modelhub_desktop.core.registry import RegistryGateway
    from tests.builders import client_for
    from tests.deploy_models import iris_models, payload, register_sklearn

    server = start_server("deploy")
    try:
        client_for(server.url).create_registered_model(MODEL)
        register_sklearn(server.url, MODEL, iris_models()[:1])
        profile = Profile(name="bench", tracking_uri=server.url, source="command-line")
        gateway = RegistryGateway(profile)
        gateway.connect()  # the running app is connected before anyone clicks Deploy
        times: dict[str, list[float]] = {}

        def deploy(name: str, key: str, service: DeployService) -> None:
            started = time.perf_counter()
            record = service.create("local", name, f"models:/{MODEL}/1", {}, TaskContext())
            times.setdefault(key, []).append(time.perf_counter() - started)
            answer = service.predict(record, payload())
            assert answer.status == 200, answer.error
            service.delete(record)

        for i in range(args.rounds):
            times.setdefault("mlflow models serve", []).append(
                mlflow_serve(server.url, process.free_port()))
            root = Path(tempfile.mkdtemp(prefix="modelhub-bench-deploy-"))
            service = DeployService(AppPaths.resolve(root).ensure())
            service.set_session(profile, gateway)
            deploy(f"cold-{i}", "deploy (source, cold cache)", service)
            deploy(f"warm-{i}", "deploy (source, cached)", service)
            shutil.rmtree(root, ignore_errors=True)
            if args.frozen is not None:
                times.setdefault("frozen serve (cold cache)", []).append(
                    frozen_serve(args.frozen, server.url, process.free_port()))
                root = Path(tempfile.mkdtemp(prefix="modelhub-bench-deploy-frozen-"))
                service = DeployService(AppPaths.resolve(root).ensure())
                service.set_session(profile, gateway)
                undo = frozen_children(args.frozen)
                try:
                    deploy(f"frozen-{i}", "deploy (frozen child, cold cache)", service)
                finally:
                    undo()
                shutil.rmtree(root, ignore_errors=True)
            print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                  flush=True)
        base = statistics.median(times["mlflow models serve"])
        print(f"median time to /ping 200 over {args.rounds} rounds "
              f"(ratio to mlflow models serve, target <= 1.5):")
        for key, values in times.items():
            median = statistics.median(values)
            print(f"  {key:36s} {median:6.2f} s  x{median / base:.2f}")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
