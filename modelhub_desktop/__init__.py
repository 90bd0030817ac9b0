"""ModelHub Desktop: a desktop client for the MLflow Model Registry."""

__version__ = "0.1.0"
APP_NAME = "ModelHub Desktop"
APP_ID = "io.modelhub.Desktop"
ORG_NAME = "ModelHub"
