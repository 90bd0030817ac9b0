"""Every directory the app writes to, in one place, overridable for tests and portable use.

Order of precedence: explicit ``--data-dir`` > ``MODELHUB_DATA_DIR`` env var > platformdirs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_DATA_DIR = "MODELHUB_DATA_DIR"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        root = data_dir or os.environ.get(ENV_DATA_DIR)
        if root:
            base = Path(root).expanduser().resolve()
            paths = cls(base / "config", base / "data", base / "cache", base / "logs")
        else:
            import platformdirs

            app = "modelhub-desktop"
            paths = cls(
                Path(platformdirs.user_config_dir(app, appauthor=False)),
                Path(platformdirs.user_data_dir(app, appauthor=False)),
                Path(platformdirs.user_cache_dir(app, appauthor=False)),
                Path(platformdirs.user_log_dir(app, appauthor=False)),
            )
        return paths

    def ensure(self) -> AppPaths:
        for p in (self.config_dir, self.data_dir, self.cache_dir, self.log_dir):
            p.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def profiles_file(self) -> Path:
        return self.config_dir / "profiles.json"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.ini"

    @property
    def local_store_dir(self) -> Path:
        """The embedded "Local" registry: sqlite db + artifacts."""
        return self.data_dir / "local-registry"

    def cache_file(self, cache_key: str) -> Path:
        import hashlib

        digest = hashlib.sha256(cache_key.encode("utf-8")).hexdigest()[:16]
        return self.cache_dir / f"profile-{digest}.sqlite"
