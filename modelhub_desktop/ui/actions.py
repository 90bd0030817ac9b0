"""The main window's actions, menus and toolbar: what a user can trigger, and its keys."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QMessageBox, QToolBar, QWidget

from modelhub_desktop import APP_NAME, __version__


class MainActions:
    """Every QAction of the main window, with its shortcut; triggers are wired by the
    window. Object names are stable (UI automation depends on them)."""

    def __init__(self, window: QMainWindow) -> None:
        def action(text: str, name: str, *keys: str, tip: str = "") -> QAction:
            act = QAction(text, window)
            act.setObjectName(name)
            if keys:
                act.setShortcuts([QKeySequence(k) for k in keys])
            if tip:
                act.setToolTip(tip)
            window.addAction(act)
            return act

        self.refresh = action("&Refresh", "refreshAction", "F5", "Ctrl+R",
                              tip="Refresh from the server (F5)")
        self.cancel = action("&Cancel", "cancelAction", "Esc")
        self.find = action("&Find model", "findAction", QKeySequence(
            QKeySequence.StandardKey.Find).toString())
        self.quit = action("&Quit", "quitAction", "Ctrl+Q")
        self.connections = action("&Connections…", "connectionsAction", "Ctrl+Shift+C")
        self.compare = action("&Compare selected versions", "compareAction", "Ctrl+M")
        self.copy_uri = action("Copy model &URI", "copyUriAction", "Ctrl+Shift+U")
        self.about = action("&About", "aboutAction")
        self.profile_switcher = QComboBox()
        self.profile_switcher.setObjectName("toolbarProfileCombo")
        self.profile_switcher.setMinimumWidth(200)
        self.profile_switcher.setMaximumWidth(360)
        self.profile_switcher.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.profile_switcher.setMinimumContentsLength(18)
        self.profile_switcher.setToolTip("Switch connection profile")
        self._build_menus(window)

    def _build_menus(self, window: QMainWindow) -> None:
        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.connections)
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        view_menu = bar.addMenu("&View")
        for act in (self.refresh, self.cancel, self.find):
            view_menu.addAction(act)
        model_menu = bar.addMenu("&Model")
        model_menu.addAction(self.compare)
        model_menu.addAction(self.copy_uri)
        bar.addMenu("&Help").addAction(self.about)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        toolbar.addWidget(QLabel(" Profile: "))
        toolbar.addWidget(self.profile_switcher)
        toolbar.addAction(self.connections)
        toolbar.addSeparator()
        toolbar.addAction(self.refresh)
        window.addToolBar(toolbar)

    def fill_profiles(self, names: list[str], current: str) -> None:
        """The profile switcher lists `names` with `current` chosen (no signal)."""
        box = self.profile_switcher
        box.blockSignals(True)
        box.clear()
        for name in names if current in names else [*names, current]:
            box.addItem(name)
        box.setCurrentText(current)
        box.blockSignals(False)


def show_about(parent: QWidget) -> None:
    """The About box: what the app does, in what it really offers."""
    QMessageBox.about(
        parent, f"About {APP_NAME}",
        f"<b>{APP_NAME}</b> {__version__}<br>A desktop client for the MLflow Model Registry: "
        "browse registered models and their versions, choose params and metrics as columns, "
        "compare versions on charts, move aliases and stages with an audit trail, request and "
        "approve promotions, deploy a version as a local service or to an MLflow deployments "
        "target, and read all of it offline from a local cache.")
