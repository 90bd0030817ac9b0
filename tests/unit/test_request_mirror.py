"""The local mirror of promotion requests (what the Inbox reads offline)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.request_mirror import RequestMirror, mirror_file

CHAMPION = rq.Target("alias", "champion")


def _req(model: str, version: int, now: int) -> rq.PromotionRequest:
    return rq.new_request(model, version, CHAMPION, "ann", now=now, comment=f"v{version}")


def test_pending_and_per_model_reads_replace_what_they_cover(tmp_path: Path) -> None:
    path = mirror_file(tmp_path, "http://registry:5000|alice")
    assert path.parent == tmp_path and path.name.startswith("requests-")
    assert mirror_file(tmp_path, "other") != path
    mirror = RequestMirror(path)
    assert mirror.pending() == [] and mirror.synced_at() is None
    a1, a2, b1 = _req("a", 1, 1_000), _req("a", 2, 2_000), _req("b", 1, 3_000)
    mirror.store_pending([a1, a2, b1], at=5_000)
    assert [r.id for r in mirror.pending()] == [b1.id, a2.id, a1.id]  # newest first
    assert mirror.pending()[0] == b1 and mirror.synced_at() == 5_000

    # a1 was decided meanwhile: the next Inbox read no longer lists it
    decided = rq.reject(a1, "bob", 6_000, "not now")
    mirror.store_pending([a2, b1], at=7_000)
    assert {r.id for r in mirror.pending()} == {a2.id, b1.id}
    # the model's own list has every state
    mirror.store_model("a", [decided, a2], at=8_000)
    assert [(r.id, r.state) for r in mirror.of_model("a")] == [(a2.id, "pending"),
                                                               (a1.id, "rejected")]
    assert mirror.synced_at("a") == 8_000 and mirror.synced_at() == 7_000
    assert mirror.of_model("b") == [b1]


def test_a_row_from_a_newer_app_is_skipped(tmp_path: Path) -> None:
    mirror = RequestMirror(tmp_path / "m.sqlite")
    ok, newer = _req("a", 1, 1_000), _req("a", 2, 2_000)
    mirror.store_pending([ok, newer])
    _key, value = rq.encode(newer)
    with sqlite3.connect(tmp_path / "m.sqlite") as conn:
        conn.execute("UPDATE requests SET value = ? WHERE id = ?",
                     (json.dumps({**json.loads(value), "v": 99}), newer.id))
    conn.close()
    assert mirror.pending() == [ok]
