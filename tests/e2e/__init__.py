"""End-to-end tests against real MLflow servers (a package: basenames may repeat tests/unit)."""
