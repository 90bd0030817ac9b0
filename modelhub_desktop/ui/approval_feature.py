"""Review and approval in the main window: "Request promotion…" and "Model card…" in the
version table's menu, the Inbox tab (pending requests across models, or one model's
requests), a request's checklist with Approve / Reject / Cancel, card and report export.

Every server call runs on the task runner; decisions on the mutation thread. What the
buttons allow follows core/requests.py (`may_approve`, `may_cancel`) for the signed-in
user, asked of the server once per model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

from modelhub_desktop.core import approval, audit_report, card_upload, model_card
from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.approval_policy import ApprovalPolicy, PolicyStore
from modelhub_desktop.core.check_inputs import gather
from modelhub_desktop.core.checks import CheckResult, ServeSmoke, run_checks
from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.core.domain import RegisteredModel
from modelhub_desktop.core.errors import InvalidInput, ModelHubError
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.request_mirror import ALL_MODELS, RequestMirror, mirror_file
from modelhub_desktop.core.smoke_check import SmokeServer, service_smoke
from modelhub_desktop.ui.dialogs.approve_dialog import ApproveDialog, Mode
from modelhub_desktop.ui.dialogs.card_export import (
    REPORT_FILTERS,
    CardExportDialog,
    ask_path,
    safe_file_name,
    save_card,
    save_report,
)
from modelhub_desktop.ui.dialogs.policy_dialog import PolicyDialog
from modelhub_desktop.ui.dialogs.request_dialog import RequestDialog
from modelhub_desktop.ui.models.version_rows import VersionRow
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.views.inbox_view import InboxView, offline_note

if TYPE_CHECKING:
    from modelhub_desktop.ui.main_window import MainWindow


class ApprovalFeature(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.policies = PolicyStore(window.ctx.paths.config_dir)
        self.reviewers: dict[str, rq.Reviewer] = {}
        self.inbox = InboxView()
        self.tab = window.tabs.addTab(self.inbox, "Inbox")
        self.dialog: Any = None
        self.last_card: model_card.CardData | None = None
        self._wire()

    # -- wiring ------------------------------------------------------------------------------
    def _wire(self) -> None:
        w, detail = self.window, self.inbox.detail
        w.version_table.menuRequested.connect(self._add_menu_actions)
        w.controller.profileOpened.connect(self._on_profile)
        w.controller.modelsSettled.connect(self.refresh)
        self.inbox.refreshRequested.connect(self.refresh)
        self.inbox.scopeChanged.connect(lambda _on: self.refresh())
        self.inbox.requestSelected.connect(self._show)
        self.inbox.auditReportRequested.connect(self.export_audit_report)
        self.inbox.policyRequested.connect(
            lambda: self.edit_policy(self.window.controller.current_model or ""))
        w.model_list.menuRequested.connect(self._add_model_menu_actions)
        detail.approveClicked.connect(lambda r: self.decide(r, "approve"))
        detail.rejectClicked.connect(lambda r: self.decide(r, "reject"))
        detail.cancelClicked.connect(lambda r: self.decide(r, "cancel"))
        detail.recheckClicked.connect(self.recheck)
        detail.cardClicked.connect(lambda r: self.export_card(r.model_name, r.version))

    @property
    def policy(self) -> ApprovalPolicy:
        return self.policies.get(self.window.profile.name)

    def _gateway(self) -> Any:
        session = self.window.controller.session
        return session.gateway if session is not None else None

    def _deployments(self) -> list[DeploymentRecord]:
        return list(getattr(getattr(self.window, "deploy", None), "records", []))

    def _submit(self, fn: Callable[[TaskContext], object], key: TaskKey, scope: str,
                description: str, done: Callable[[Any], object],
                mutation: bool = False) -> None:
        if self._gateway() is None:
            return
        self.window.ctx.runner.submit(fn, key=key, scope=scope, owner=self.inbox,
                                      mutation=mutation, description=description,
                                      on_result=done, on_error=self._failed)

    def _failed(self, error: ModelHubError) -> None:
        self.window.status.showMessage(str(error), 30000)
        self.inbox.heading.setText(f"{self.inbox.heading.text().split(' — ')[0]} — {error}")

    def _on_profile(self, _profile: object) -> None:
        self.reviewers.clear()
        self.inbox.set_requests([], "Pending requests")

    # -- the Inbox ---------------------------------------------------------------------------
    def mirror(self) -> RequestMirror:
        """This profile's requests as last read from the server (what the Inbox shows offline)."""
        return RequestMirror(mirror_file(self.window.ctx.paths.cache_dir,
                                         self.window.profile.cache_key))

    def refresh(self) -> None:
        """The Inbox from the server (mirrored on this machine), or offline from the mirror."""
        gw, model = self._gateway(), self.window.controller.current_model
        one_model = self.inbox.model_only.isChecked() and bool(model)
        mirror, online = self.mirror(), bool(self.window.controller.online)

        def work(_ctx: TaskContext) -> tuple[list[rq.PromotionRequest], int | None]:
            if not online:
                found = mirror.of_model(model) if one_model else mirror.pending()
                return found, mirror.synced_at(model if one_model else ALL_MODELS)
            if one_model:
                found = approval.requests_of(gw.list_versions(model))
                mirror.store_model(model, found)
            else:
                found = approval.pending_requests(gw)
                mirror.store_pending(found)
            return found, None

        def shown(got: tuple[list[rq.PromotionRequest], int | None]) -> None:
            found, cached_at = got
            heading = (f"Requests for {model} ({len(found)})" if one_model
                       else f"Pending requests across models ({len(found)})")
            self.inbox.set_requests(found, heading)
            self.inbox.set_note("" if online else offline_note(cached_at))
            count = sum(r.state == rq.PENDING for r in found)
            self.window.tabs.setTabText(self.tab, f"Inbox ({count})" if count else "Inbox")

        self._submit(work, TaskKey.REQUESTS, "", "Reading promotion requests", shown)

    def _show(self, req: rq.PromotionRequest | None) -> None:
        online = bool(self.window.controller.can_write)
        if req is None:
            self.inbox.detail.set_request(None)
            return
        who = self.reviewers.get(req.model_name)
        self.inbox.detail.set_request(req, who, online)
        if who is None and online and self._gateway() is not None:
            gw, approvers = self._gateway(), self.policy.approvers
            profile = self.window.profile

            def work(_ctx: TaskContext) -> rq.Reviewer:
                return approval.reviewer(gw, req.model_name, profile, approvers)

            def got(reviewer: rq.Reviewer) -> None:
                self.reviewers[req.model_name] = reviewer
                current = self.inbox.current_request()
                if current is not None and current.model_name == req.model_name:
                    self.inbox.detail.set_request(current, reviewer, online)

            self._submit(work, TaskKey.REVIEWER, req.model_name, "Asking for your permissions",
                         got)

    def _updated(self, outcome: approval.Outcome) -> None:
        req = outcome.request
        self.window.status.showMessage(
            f"Request for v{req.version} of {req.model_name} → {req.target.label}: "
            f"{req.state}" + (f" ({req.result})" if req.result else ""), 15000)
        if outcome.move is not None:
            self.window.refresh()
        self.refresh()

    # -- actions -----------------------------------------------------------------------------
    def _add_menu_actions(self, menu: QMenu, rows: list[VersionRow]) -> None:
        if len(rows) != 1:
            return
        version = rows[0].version
        menu.addSeparator()
        ask = menu.addAction("Request promotion…")
        ask.setEnabled(bool(self.window.controller.can_write))
        ask.setToolTip("" if ask.isEnabled() else "Offline: requests need the server.")
        ask.triggered.connect(lambda: self.request_promotion(version.model_name,
                                                             version.version))
        card = menu.addAction("Model card…")
        card.triggered.connect(lambda: self.export_card(version.model_name, version.version))
        rules = menu.addAction("Approval rules…")
        rules.triggered.connect(lambda: self.edit_policy(version.model_name))

    def _add_model_menu_actions(self, menu: QMenu, model: RegisteredModel) -> None:
        menu.addSeparator()
        rules = menu.addAction("Approval rules…")
        rules.triggered.connect(lambda: self.edit_policy(model.name))

    def edit_policy(self, model_name: str = "") -> PolicyDialog:
        """The policy editor for this connection, showing `model_name`'s own rules."""
        profile = self.window.profile
        names = [m.name for m in self.window.model_list.model.records()]
        dialog = PolicyDialog(profile.name, self.policy, names, model_name,
                              accounts=profile.auth == "basic", parent=self.window)
        self.dialog = dialog

        def accepted() -> None:
            try:
                self.policies.set(profile.name, dialog.chosen_policy())
            except (InvalidInput, OSError) as exc:
                self.window.status.showMessage(f"The approval rules were not saved: {exc}",
                                               30000)
                return
            self.window.status.showMessage(f"Approval rules of {profile.name} saved.", 10000)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def request_promotion(self, model_name: str, version: int) -> RequestDialog:
        policy = self.policy
        dialog = RequestDialog(model_name, version, policy.rule_lines(model_name),
                               policy.required_approvals, self.window)
        self.dialog = dialog

        def accepted() -> None:
            target, comment = dialog.chosen_target(), dialog.comment_text()
            gw, who = self._gateway(), self._me()

            def store(checks: list[CheckResult]) -> None:
                def work(_ctx: TaskContext) -> approval.Outcome:
                    return approval.Outcome(approval.create_request(
                        gw, model_name, version, target, who=who, comment=comment,
                        required_approvals=policy.required_approvals, checks=checks))

                self._submit(work, TaskKey.WRITE, f"request:{model_name}:{version}",
                             f"Requesting promotion of v{version}", self._updated,
                             mutation=True)

            self.run_checks(model_name, version, target, store)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _me(self) -> str:
        from modelhub_desktop.core.governance import actor

        known = next(iter(self.reviewers.values()), None)
        return known.username if known is not None else actor(self.window.profile)

    def decide(self, req: rq.PromotionRequest, mode: Mode) -> ApproveDialog:
        dialog = ApproveDialog(req, mode, self.window)
        self.dialog = dialog

        def accepted() -> None:
            gw, who = self._gateway(), self.reviewers.get(req.model_name)
            reason, overrides = dialog.reason_text(), dialog.chosen_overrides()
            if who is None:
                return

            def work(_ctx: TaskContext) -> approval.Outcome:
                if mode == "approve":
                    return approval.approve_request(gw, req, who, reason=reason,
                                                    overrides=overrides)
                if mode == "reject":
                    return approval.reject_request(gw, req, who, reason)
                return approval.cancel_request(gw, req, who, reason)

            self._submit(work, TaskKey.WRITE, f"request:{req.id}", f"{mode} request",
                         self._updated, mutation=True)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def recheck(self, req: rq.PromotionRequest) -> None:
        gw = self._gateway()

        def store(checks: list[CheckResult]) -> None:
            def work(_ctx: TaskContext) -> approval.Outcome:
                return approval.Outcome(approval.record_checks(gw, req, checks))

            self._submit(work, TaskKey.WRITE, f"request:{req.id}", "Recording check results",
                         self._updated, mutation=True)

        self.run_checks(req.model_name, req.version, req.target, store)

    def run_checks(self, model_name: str, version: int, target: rq.Target,
                   done: Callable[[list[CheckResult]], object]) -> None:
        """Run the policy's checks for `version` as a read task (the smoke check serves the
        candidate through the deploy service for a few seconds), then hand them to `done`."""
        gw, rules, service = self._gateway(), self.policy.rules_for(model_name), self.smoke_server()

        def work(ctx: TaskContext) -> list[CheckResult]:
            smoke = service_smoke(service, ctx) if service is not None else None
            return run_checks(rules, gather(gw, model_name, version, target, rules), smoke)

        serving = " (serving it for the smoke check)" if any(
            isinstance(r, ServeSmoke) for r in rules) and service is not None else ""
        self.window.status.showMessage(f"Running checks on v{version}{serving}…", 15000)
        self._submit(work, TaskKey.CHECKS, f"{model_name}:{version}",
                     f"Running checks on v{version} of {model_name}", done)

    def smoke_server(self) -> SmokeServer | None:
        """The window's deploy service, which serves candidates for the smoke check."""
        from modelhub_desktop.core.deploy.service import DeployService

        service = getattr(getattr(self.window, "deploy", None), "service", None)
        return service if isinstance(service, DeployService) else None

    # -- exports -----------------------------------------------------------------------------
    def build_card(self, model_name: str, version: int,
                   done: Callable[[model_card.CardData], object]) -> None:
        gw, deployments = self._gateway(), self._deployments()

        def work(_ctx: TaskContext) -> model_card.CardData:
            return model_card.gather(gw, model_name, version, deployments=deployments)

        def got(card: model_card.CardData) -> None:
            self.last_card = card
            done(card)

        self._submit(work, TaskKey.MODEL_CARD, f"{model_name}:{version}", "Making a model card",
                     got)

    def export_card(self, model_name: str, version: int) -> None:
        self.build_card(model_name, version, self.card_dialog)

    def card_dialog(self, card: model_card.CardData) -> CardExportDialog:
        """Ask where to save `card` and whether to log it to the version's run; do it."""
        from PySide6.QtCore import QStandardPaths

        v = card.version
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        default = str(Path(folder) / f"{safe_file_name(v.model_name)}-v{v.version}-card.html")
        why = ("Offline: logging to the run needs the server."
               if not self.window.controller.can_write else
               "" if v.run_id else f"v{v.version} has no source run to log the card to.")
        dialog = CardExportDialog(card.title, default, why, self.window)
        self.dialog = dialog

        def accepted() -> None:
            html, markdown = model_card.to_html(card), model_card.to_markdown(card)
            path = dialog.file_path()
            if path:
                if not Path(path).suffix:
                    path += ".html"
                try:
                    saved = save_card(html, markdown, path)
                except OSError as exc:
                    self.window.status.showMessage(f"The model card was not saved: {exc}",
                                                   30000)
                else:
                    self.window.status.showMessage(f"Model card saved to {saved}", 15000)
            if dialog.wants_upload():
                self.log_card(card, html, markdown)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def log_card(self, card: model_card.CardData, html: str, markdown: str) -> None:
        gw, v = self._gateway(), card.version

        def work(_ctx: TaskContext) -> list[str]:
            return card_upload.log_card(gw, v, html, markdown)

        def done(paths: list[str]) -> None:
            self.window.status.showMessage(
                f"Model card of v{v.version} logged to run {v.run_id}: {', '.join(paths)}",
                15000)

        self._submit(work, TaskKey.WRITE, f"card:{v.model_name}:{v.version}",
                     f"Logging the model card of v{v.version}", done, mutation=True)

    def export_audit_report(self) -> None:
        gw, model = self._gateway(), self.window.controller.current_model
        deployments = self._deployments()

        def work(_ctx: TaskContext) -> audit_report.AuditReport:
            import time

            return audit_report.gather(gw, [model] if model else [], deployments=deployments,
                                       now=int(time.time() * 1000))

        def got(report: audit_report.AuditReport) -> None:
            name = f"{safe_file_name(model or 'all-models')}-audit.csv"
            path = ask_path(self.window, "Save audit report", name, REPORT_FILTERS)
            if path:
                saved = save_report(audit_report.to_csv(report),
                                    audit_report.to_html(report, f"Audit report: {model}"), path)
                self.window.status.showMessage(f"Audit report saved to {saved}", 15000)

        self._submit(work, TaskKey.AUDIT_REPORT, model, "Making the audit report", got)
