"""Entry script of the frozen (PyInstaller) app: runs `modelhub_desktop.app:main`.

With MODELHUB_BUNDLE_CHECK=1 in the environment it checks the bundle instead (keyring
backends, mlflow's entry points and sqlite store, pyqtgraph exporters, Qt plugins) and
prints `bundle ok ...` or `bundle fail ...`; see packaging/bundle_check.py.
"""

import os
import sys

if __name__ == "__main__":
    if os.environ.get("MODELHUB_BUNDLE_CHECK"):
        from bundle_check import main as check

        sys.exit(check())
    from modelhub_desktop.app import main

    sys.exit(main())
