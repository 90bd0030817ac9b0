"""Names of the kinds of background task.

A task submitted under a key supersedes the live task with the same key (and scope):
its result is dropped and it is asked to stop. Keys are constants so that two places
that must supersede each other cannot drift apart by a typo.
"""

from __future__ import annotations

from enum import Enum


class TaskKey(str, Enum):
    """One kind of background task; at most one live task per key and scope."""

    # session: opening a profile, refresh, the offline state machine
    READ_SECRET = "read-secret"
    SEED_DEMO = "seed-demo"
    REFRESH_MODELS = "refresh-models"
    SEARCH_MODELS = "search-models"
    CACHED_VERSIONS = "cached-versions"
    REFRESH_VERSIONS = "refresh-versions"
    # version detail
    LINEAGE = "lineage"
    DOWNLOAD = "download"
    # compare
    HISTORIES = "histories"
    HISTORY_ZOOM = "history-zoom"
    # dialogs
    TEST_CONNECTION = "test-connection"
    # review and approval (writes use WRITE on the mutation thread)
    REQUESTS = "requests"
    REVIEWER = "reviewer"
    CHECKS = "checks"
    MODEL_CARD = "model-card"
    AUDIT_REPORT = "audit-report"
    # deployments (reads; their writes use DEPLOY on the mutation thread)
    DEPLOY_LIST = "deploy-list"
    DEPLOY_PATH = "deploy-path"
    DEPLOY_POLL = "deploy-poll"
    DEPLOY_LOGS = "deploy-logs"
    SERVING_EXAMPLE = "serving-example"
    TRY_IT = "try-it"
    DEPLOY = "deploy"
    # governance (reads; its writes use WRITE on the mutation thread)
    PERMISSION = "permission"
    PROMOTE_PREVIEW = "promote-preview"
    WATCH = "watch"
    REGISTRY_LOG = "registry-log"
    # writes (always on the mutation thread)
    WRITE = "write"

    def __str__(self) -> str:
        return self.value
