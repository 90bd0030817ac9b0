"""The Inbox, a request's checklist and the decision dialogs, over requests stored on a
real `mlflow server` (no accounts there: the profile's approver list names approvers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.approval import create_request, pending_requests
from modelhub_desktop.core.check_inputs import gather
from modelhub_desktop.core.checks import parse_rules, run_checks
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import client_for, make_model
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

NAME = "inbox churn ü – " + "n" * 120
RULES = ["metric m0 >= 0.5", "not-worse m0 0.5", "tag validation_status = passed",
         "run-finished"]


@pytest.fixture(scope="module")
def stored(mlflow_server: MlflowServer) -> list[rq.PromotionRequest]:
    make_model(client_for(mlflow_server.url), NAME, 3, n_params=2, n_metrics=1,
               aliases={"champion": 1})
    gw = RegistryGateway(Profile("plain", mlflow_server.url))
    rules = parse_rules(RULES)
    for version, target in ((2, rq.Target("alias", "champion")),
                            (3, rq.Target("stage", "Staging"))):
        checks = run_checks(rules, gather(gw, NAME, version, target, rules))
        create_request(gw, NAME, version, target, who="ann", comment=f"v{version} is better",
                       checks=checks)
    return [r for r in pending_requests(gw) if r.model_name == NAME]


def test_inbox_lists_pending_requests_and_buttons_follow_duties(
        qtbot: Any, model_tester: Any, stored: list[rq.PromotionRequest]) -> None:
    from modelhub_desktop.ui.views.inbox_view import InboxView

    view = InboxView()
    qtbot.addWidget(view)
    model_tester(view.model)
    view.resize(1100, 650)
    view.set_requests(stored, f"Pending requests across models ({len(stored)})")
    assert view.objectName() == "inboxView"
    rows = {view.model.record(i).version: [view.model.index(i, c).data()
                                           for c in range(view.model.columnCount())]
            for i in range(view.model.rowCount())}
    assert rows[2][2:4] == ["@champion", "ann"] and rows[3][2] == "stage Staging"
    assert rows[2][5] == "2 pass · 2 fail" and rows[2][6] == "0/1"
    assert view.select(next(r.id for r in stored if r.version == 2))
    detail = view.detail
    req = detail.request
    assert req is not None and req.version == 2
    buttons = detail.buttons

    detail.set_request(req, rq.Reviewer("ann", approvers=("bob",)))  # the requester
    assert not buttons["approve"].isEnabled() and buttons["cancel"].isEnabled()
    assert buttons["approve"].toolTip() == ("You asked for this promotion: someone else "
                                            "must approve it.")
    detail.set_request(req, rq.Reviewer("dan", approvers=("bob",)))
    assert buttons["approve"].toolTip() == ("dan is not on this connection's approver list "
                                            "(bob).")
    assert buttons["cancel"].toolTip() == "Only ann, who asked for it, can cancel it."
    detail.set_request(req, rq.Reviewer("bob", approvers=("bob",)))
    assert buttons["approve"].isEnabled() and buttons["reject"].isEnabled()
    assert "2 failing check(s)" in buttons["approve"].toolTip()
    detail.set_request(req, rq.Reviewer("bob", approvers=("bob",)), online=False)
    assert buttons["approve"].toolTip() == "Offline: decisions need the server."
    detail.set_request(req, rq.Reviewer("bob", approvers=("bob",)))
    text = detail.body.toPlainText()
    assert "✘ fail" in text and "Tag validation_status = passed" in text
    assert "The version has no tag validation_status." in text


def test_approve_dialog_needs_every_failing_check_ticked_and_a_reason(
        qtbot: Any, stored: list[rq.PromotionRequest]) -> None:
    from modelhub_desktop.ui.dialogs.approve_dialog import ApproveDialog

    req = next(r for r in stored if r.version == 2)
    dialog = ApproveDialog(req, "approve")
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    assert dialog.hint.text() == "Tick every failing check to approve over it."
    for box in dialog.overrides.values():
        box.setChecked(True)
    assert dialog.hint.text() == "Overriding a failing check needs a reason."
    dialog.reason.setPlainText("Known gap, tag added after review")
    assert dialog.ok.isEnabled()
    assert dialog.chosen_overrides() == ["tag validation_status = passed", "run-finished"]
    reject = ApproveDialog(req, "reject")
    qtbot.addWidget(reject)
    assert not reject.ok.isEnabled()
    reject.reason.setPlainText("no")
    assert reject.ok.isEnabled()


def test_model_card_renders_and_prints_to_pdf(qtbot: Any, tmp_path: Path,
                                              mlflow_server: MlflowServer,
                                              stored: list[rq.PromotionRequest]) -> None:
    from PySide6.QtWidgets import QTextBrowser

    from modelhub_desktop.core import model_card
    from modelhub_desktop.ui.dialogs.card_export import save_card

    gw = RegistryGateway(Profile("plain", mlflow_server.url))
    card = model_card.gather(gw, NAME, 2)
    html, md = model_card.to_html(card), model_card.to_markdown(card)
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.resize(900, 1000)
    browser.setHtml(html)
    text = browser.toPlainText()
    assert f"Model card: {NAME} v2" in text
    assert "Metrics (compared with the champion: v1 (@champion))" in text
    assert "The version has no tag validation_status." in text
    pdf = save_card(html, md, tmp_path / "card.pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    assert save_card(html, md, tmp_path / "card.md").read_text(encoding="utf-8") == md


def test_a_200_character_name_is_elided_in_the_request_detail(qtbot: Any) -> None:
    from modelhub_desktop.core.checks import CheckResult
    from modelhub_desktop.ui.views.request_detail import RequestDetail

    name = "churn-" + "x" * 194
    req = rq.with_checks(rq.new_request(name, 12, rq.Target("alias", "champion"), "ann",
                                        now=1_790_000_000_000, holder=11),
                         [CheckResult("smoke", "Serves and predicts", "pass", "ok")], 1)
    detail = RequestDetail()
    qtbot.addWidget(detail)
    empty_hint = detail.minimumSizeHint().width()
    detail.set_request(req)
    assert detail.minimumSizeHint().width() <= max(empty_hint, 700)
    assert detail.sizeHint().width() <= 900
    detail.resize(520, 400)
    detail.show()
    qtbot.waitExposed(detail)
    assert detail.width() == 520
    title = detail.title
    assert title.text() == f"{name} v12 → @champion" and title.toolTip() == title.text()
    assert title.is_elided() and title.width() <= 520
    shown = title.displayed_text()
    assert shown.startswith("churn-") and shown.endswith("v12 → @champion") and "…" in shown
    header = detail.header
    assert header.text().startswith("v12 → @champion (now held by v11) · asked by ann on ")
    assert header.text().endswith("0 of 1 approvals · pending")
    assert header.width() <= 520
    assert name not in detail.body.toPlainText()
    detail.close()


def test_the_inbox_reads_the_mirrored_requests_offline(
        qtbot: Any, mlflow_server: MlflowServer, stored: list[rq.PromotionRequest],
        tmp_path: Path) -> None:
    from modelhub_desktop.core.request_mirror import RequestMirror, mirror_file
    from tests.helpers import close_when_idle, open_window

    data = tmp_path / "d"
    ids = {r.id for r in stored}
    online = open_window(qtbot, mlflow_server.url, data)
    inbox = online.approval.inbox
    qtbot.waitUntil(lambda: ids <= {r.id for r in inbox.model.records()}, timeout=60000)
    assert inbox.note.isHidden()
    close_when_idle(qtbot, online)
    mirror = RequestMirror(mirror_file(online.ctx.paths.cache_dir, online.profile.cache_key))
    assert ids <= {r.id for r in mirror.pending()}

    offline = open_window(qtbot, mlflow_server.url, data, offline=True)
    inbox = offline.approval.inbox
    qtbot.waitUntil(lambda: ids <= {r.id for r in inbox.model.records()}, timeout=60000)
    assert offline.controller.online is not True
    assert not inbox.note.isHidden()
    assert inbox.note.text().startswith("Offline: cached requests (as read on ")
    assert "Approve, reject and cancel need the server" in inbox.note.text()
    assert inbox.select(next(iter(ids)))
    buttons = inbox.detail.buttons
    for key in ("approve", "reject", "cancel", "recheck"):
        assert not buttons[key].isEnabled()
        assert buttons[key].toolTip() == "Offline: decisions need the server."
    assert buttons["card"].isEnabled() is True
    close_when_idle(qtbot, offline)
