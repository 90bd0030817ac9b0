"""The governance mirror in the cache: observed moves between looks, the audit mirror,
the app's own writes (no observed move), the History built offline, and the watch."""

from __future__ import annotations

from pathlib import Path

from modelhub_desktop.core import audit
from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import ModelVersion, RegisteredModel
from modelhub_desktop.core.governance_store import ALIAS, GovernanceStore
from modelhub_desktop.core.history import model_history
from modelhub_desktop.core.sync import observe_models, observe_versions
from modelhub_desktop.core.watch import describe_moves, poll


def _model(name: str, aliases: dict[str, int], tags: dict[str, str] | None = None
           ) -> RegisteredModel:
    return RegisteredModel(name, aliases=aliases, tags=tags or {})


def test_moves_are_observed_between_looks_not_on_the_first(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path / "c.sqlite")
    store = GovernanceStore(cache)
    observe_models(cache, [_model("m", {"champion": 1})])
    assert store.observed("m") == []
    observe_models(cache, [_model("m", {"champion": 2, "challenger": 3})])
    moves = [(m.slot, m.version, m.enters) for m in store.observed("m")]
    assert moves == [("@challenger", 3, True), ("@champion", 1, False), ("@champion", 2, True)]
    # the same state again: nothing new
    observe_models(cache, [_model("m", {"champion": 2, "challenger": 3})])
    assert len(store.observed("m")) == 3
    cache.close()


def test_stage_moves_and_uses_stages(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path / "c.sqlite")
    store = GovernanceStore(cache)
    versions = [ModelVersion("m", 1, current_stage="Production"), ModelVersion("m", 2)]
    observe_versions(cache, "m", versions)
    assert store.uses_stages("m")
    observe_versions(cache, "m", [ModelVersion("m", 1, current_stage="Archived"),
                                  ModelVersion("m", 2, current_stage="Production")])
    moves = {(m.slot, m.version, m.enters) for m in store.observed("m")}
    assert moves == {("stage:Production", 1, False), ("stage:Archived", 1, True),
                     ("stage:Production", 2, True)}
    cache.close()


def test_own_write_is_not_observed_and_history_reads_offline(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path / "c.sqlite")
    store = GovernanceStore(cache)
    cache.replace_models([_model("m", {"champion": 1})])
    cache.replace_versions("m", [ModelVersion("m", 1, aliases=("champion",)),
                                 ModelVersion("m", 2)], {})
    observe_models(cache, [_model("m", {"champion": 1})])
    event = audit.next_event([], who="ann", when=1_000, action="alias.set",
                             target="@champion", from_="1", to="2", reason="better")
    key, value = audit.encode(event)
    after = _model("m", {"champion": 2}, {key: value})
    store.apply_write(after, None, 2_000)
    assert store.observed("m") == []
    assert {v.version: v.aliases for v in cache.versions("m")} == {2: ("champion",), 1: ()}
    assert cache.models()[0].aliases == {"champion": 2}
    assert store.audit_tags("m") == {key: value}
    history = model_history("m", store.audit_tags("m"), store.observed("m"), {"champion": 2},
                            None, 3_000)
    assert [(s.version, s.start, s.end, s.start_source) for s in history.spans] == [
        (1, None, 1_000, "unknown"), (2, 1_000, None, "audit")]
    assert history.report.ok and not history.span_broken(history.spans[1])
    assert "@champion,2," in history.csv()
    cache.close()


def test_rewritten_entry_marks_its_span_broken() -> None:
    first = audit.next_event([], who="a", when=10, action="alias.set", target="@c", to="1")
    second = audit.next_event([first], who="a", when=20, action="alias.set", target="@c",
                              from_="1", to="2")
    tags = dict([audit.encode(first), audit.encode(second)])
    tags[first.key] = tags[first.key].replace('"who":"a"', '"who":"mallory"')
    history = model_history("m", tags, [], {"c": 2}, None, 30)
    broken = [s.version for s in history.spans if history.span_broken(s)]
    assert broken == [1]
    assert history.message_of(first.key) == "Entry #1 was changed after it was written."


class _Gateway:
    def __init__(self) -> None:
        self.aliases = {"champion": 1}
        self.calls = 0

    def get_model(self, name: str) -> RegisteredModel:
        self.calls += 1
        return _model(name, dict(self.aliases))

    def stages(self, model_name: str) -> dict[int, str]:
        self.calls += 1
        return {}


def test_watch_notices_moves_with_one_request_per_model(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path / "c.sqlite")
    gw = _Gateway()
    assert poll(gw, cache, ["m"]) == []
    gw.aliases = {"champion": 2}
    (notice,) = poll(gw, cache, ["m"])
    assert notice.text == "m: @champion moved v1 → v2"
    assert gw.calls == 2
    assert GovernanceStore(cache).seen_state("m", ALIAS) == {"@champion": [2]}
    cache.close()


def test_describe_moves_words() -> None:
    from modelhub_desktop.core.alias_timeline import Move

    assert describe_moves([Move("stage:Production", 4, True, 0, "observed"),
                           Move("@x", 3, False, 0, "observed")]) == [
        "@x removed from v3", "Production set to v4"]
