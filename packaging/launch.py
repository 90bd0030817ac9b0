"""Entry script for frozen builds."""

import sys

from modelhub_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
