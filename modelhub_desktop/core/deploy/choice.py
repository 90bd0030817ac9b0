"""Which local serving path a model takes, and the sentence that says why.

The app's own serving command (`modelhub-desktop serve`) loads models with the libraries
the app carries: scikit-learn and plain pyfunc models. A model whose python_function
loader needs another library (xgboost, torch, ...) is served through a Python environment
the user chooses (`python -m mlflow models serve --env-manager ...`). A model without a
python_function flavor cannot be served by either.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelhub_desktop.core.deploy.fetch import LocalModel
from modelhub_desktop.core.errors import InvalidInput

LOCAL, PYTHON_ENV = "local", "python-env"
#: python_function loader modules the app's serving command can load.
CARRIED_LOADERS = {
    "mlflow.sklearn": "scikit-learn",
    "mlflow.pyfunc.model": "a plain pyfunc model",
}


@dataclass(frozen=True)
class ServingPath:
    kind: str  # LOCAL or PYTHON_ENV
    reason: str


def serving_path(model: LocalModel) -> ServingPath:
    """The path for `model`; InvalidInput when it has no pyfunc flavor at all."""
    uri = model.ref.uri
    if not model.loader_module:
        flavors = ", ".join(model.flavors) or "none"
        raise InvalidInput(
            f"{uri} cannot be served: it has no python_function (pyfunc) flavor "
            f"(flavors: {flavors}). Log it with a pyfunc flavor, e.g. mlflow.<flavor>.log_model."
        )
    carried = CARRIED_LOADERS.get(model.loader_module)
    if carried:
        return ServingPath(LOCAL, f"{uri} is {carried}: the app serves it itself.")
    library = model.loader_module.removeprefix("mlflow.")
    return ServingPath(
        PYTHON_ENV,
        f"{uri} loads with {model.loader_module}, which needs {library}; the app carries only "
        "scikit-learn and plain pyfunc models, so it is served through a Python environment "
        "you choose (one with mlflow and the model's libraries, or uv/virtualenv to build one).",
    )
