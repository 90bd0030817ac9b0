"""`python -m modelhub_desktop` entry point."""

from modelhub_desktop.app import main

if __name__ == "__main__":
    raise SystemExit(main())
