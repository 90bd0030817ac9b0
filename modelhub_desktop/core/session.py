"""ProfileSession: the gateway and the cache of the profile the window is showing."""

from __future__ import annotations

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.registry import RegistryGateway


class ProfileSession:
    """Everything tied to one connected profile; replaced wholesale on profile switch."""

    def __init__(self, profile: Profile, credentials: Credentials, paths: AppPaths) -> None:
        self.profile = profile
        self.paths = paths
        self.gateway = RegistryGateway(profile, credentials)
        self.cache = MetadataCache(paths.cache_file(profile.cache_key))

    def close(self) -> None:
        self.cache.close()
