"""With fewer than two versions selected, a comparison takes the alias holders and the
latest versions (at most ten), the selected one included."""

from __future__ import annotations

from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.compare_choice import CHOSEN_NOTE, DEFAULT_LIMIT, choose_versions
from modelhub_desktop.core.domain import ModelVersion, RunData


def version(v: int, aliases: tuple[str, ...] = ()) -> Compared:
    return Compared(ModelVersion("m", v, run_id=f"r{v}", aliases=aliases), RunData(f"r{v}"))


def many(n: int, holders: dict[int, tuple[str, ...]] | None = None) -> list[Compared]:
    holders = holders or {}
    return [version(v, holders.get(v, ())) for v in range(1, n + 1)]


def numbers(items: tuple[Compared, ...]) -> list[int]:
    return [c.version.version for c in items]


def test_two_or_more_selected_are_compared_as_chosen() -> None:
    all_ = many(300)
    picked = [all_[41], all_[6], all_[250]]
    choice = choose_versions(picked, all_)
    assert numbers(choice.items) == [42, 7, 251]  # the user's order
    assert not choice.chosen_for_user and choice.note == ""


def test_one_selected_adds_alias_holders_and_latest_up_to_ten() -> None:
    all_ = many(300, {3: ("champion",), 120: ("challenger", "staging")})
    choice = choose_versions([all_[49]], all_)
    assert len(choice.items) == DEFAULT_LIMIT
    assert numbers(choice.items) == [3, 50, 120, 294, 295, 296, 297, 298, 299, 300]
    assert choice.chosen_for_user and choice.of_total == 300
    assert choice.note == CHOSEN_NOTE
    assert "Ctrl+M" in choice.note


def test_none_selected_takes_holders_then_latest() -> None:
    all_ = many(30, {1: ("champion",), 30: ("latest-build",)})
    choice = choose_versions([], all_)
    assert numbers(choice.items) == [1, 22, 23, 24, 25, 26, 27, 28, 29, 30]


def test_more_alias_holders_than_the_limit_keeps_the_newest_and_the_selected() -> None:
    all_ = many(40, {v: (f"a{v}",) for v in range(1, 41, 2)})  # 20 holders
    choice = choose_versions([all_[1]], all_, limit=4)
    assert numbers(choice.items) == [2, 35, 37, 39]


def test_small_models_show_everything_and_say_so() -> None:
    all_ = many(3)
    choice = choose_versions([all_[0]], all_)
    assert numbers(choice.items) == [1, 2, 3]
    assert choice.note.startswith("Showing all 3 versions")
    assert numbers(choose_versions([], []).items) == []
    assert choose_versions([], []).note == ""  # nothing to compare: nothing to say


def test_a_selected_version_missing_from_the_list_is_still_compared() -> None:
    all_ = many(12)
    stray = version(99)
    choice = choose_versions([stray], all_)
    assert numbers(choice.items)[-1] == 99 and len(choice.items) == DEFAULT_LIMIT
    assert choice.of_total == 13
