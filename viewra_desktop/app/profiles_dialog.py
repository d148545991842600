"""Preferences > Profiles: the user adds, duplicates, edits and deletes profiles.

The list shows the built-in profiles (read-only: duplicate one to change it) and the user's.
The form under it (``profile_form``) says in plain words what is wrong with a value as it is
typed, and Save is refused until every value is right. Add, Duplicate, Delete and Save write
the whole ``profiles.toml`` at once (``ProfileStore.save``) and emit ``saved``; a file that
could not be read is told at the top, and kept aside when the user saves over it.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core import profile_rules
from ..core.errors import ViewraError
from ..core.profiles import BUILTIN, Profile, Rung
from ..core.user_profiles import ProfileStore
from .profile_form import PROBLEM_STYLE, ProfileForm

logger = logging.getLogger(__name__)

READ_ONLY = "Built-in profiles are read-only: duplicate one to change it."
NEW_PROFILE = Profile("my-profile", "My profile", (Rung(720, 5000),), builtin=False)


def unique_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... : a name no profile has (built-in ones too)."""
    base = base[:30].strip("-_.") or "profile"
    name, number = base, 1
    while name in taken or profile_rules.check_name(name):
        number += 1
        name = f"{base}-{number}"
    return name


class ProfilesPanel(QWidget):
    saved = Signal()  # the user's profiles were written: every list of them must follow

    def __init__(self, store: ProfileStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.list = QListWidget()
        self.list.setMaximumHeight(150)
        self.add_button = QPushButton("Add")
        self.duplicate_button = QPushButton("Duplicate")
        self.delete_button = QPushButton("Delete")
        self.form = ProfileForm()
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.save_button = QPushButton("Save")
        self.revert_button = QPushButton("Revert")
        self.file_problem = QLabel(store.problem)
        self.file_problem.setStyleSheet(PROBLEM_STYLE)
        self.file_problem.setWordWrap(True)
        self.file_problem.setVisible(bool(store.problem))
        self._lay_out()
        self.list.currentItemChanged.connect(lambda *_: self._show_selected())
        self.add_button.clicked.connect(self.add)
        self.duplicate_button.clicked.connect(self.duplicate)
        self.delete_button.clicked.connect(self.delete)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self._show_selected)
        self.form.edited.connect(self._check)
        self._fill(BUILTIN[0].name)

    def _lay_out(self) -> None:
        buttons = QVBoxLayout()
        for button in (self.add_button, self.duplicate_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(buttons)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_problem)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

    # -- the list ---------------------------------------------------------------------------

    def profiles(self) -> tuple[Profile, ...]:
        """Every profile the list shows: the built-in ones, then the user's."""
        return self.store.all()

    def selected(self) -> Profile | None:
        item = self.list.currentItem()
        if item is None:
            return None
        name = item.data(Qt.ItemDataRole.UserRole)
        return next((p for p in self.profiles() if p.name == name), None)

    def select(self, name: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(row)
                return

    def _fill(self, select: str) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for profile in self.profiles():
            whose = "built-in" if profile.builtin else "yours"
            item = QListWidgetItem(f"{profile.label} ({profile.name}, {whose})")
            item.setData(Qt.ItemDataRole.UserRole, profile.name)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.select(select)
        self._show_selected()

    def _show_selected(self) -> None:
        profile = self.selected()
        if profile is None:
            return
        editable = not profile.builtin
        self.form.show_profile(profile, editable)
        self.delete_button.setEnabled(editable)
        self.revert_button.setEnabled(editable)
        self.save_button.setEnabled(False)  # nothing changed yet
        self.hint.setText("" if editable else READ_ONLY)

    # -- changes ----------------------------------------------------------------------------

    def add(self) -> None:
        name = unique_name(NEW_PROFILE.name, {p.name for p in self.profiles()})
        self._write([*self.store.profiles, replace(NEW_PROFILE, name=name)], name)

    def duplicate(self) -> None:
        base = self.selected()
        if base is None:
            return
        name = unique_name(f"{base.name}-copy", {p.name for p in self.profiles()})
        label = f"{base.label} (copy)"[: profile_rules.MAX_LABEL]
        copy = replace(base, name=name, label=label, builtin=False)
        self._write([*self.store.profiles, copy], name)

    def delete(self) -> None:
        doomed = self.selected()
        if doomed is None or doomed.builtin:
            return
        mine = [p for p in self.store.profiles if p.name != doomed.name]
        self._write(mine, mine[-1].name if mine else BUILTIN[0].name)

    def _others(self) -> set[str]:
        """The names of the user's profiles other than the one edited."""
        edited = self.selected()
        return {p.name for p in self.store.profiles if edited is None or p.name != edited.name}

    def _check(self) -> list[profile_rules.Problem]:
        """What is wrong with the form, told under each field; Save only when nothing is."""
        problems = profile_rules.problems(self.form.name, self.form.table(), self._others())
        self.form.show_problems(problems)
        edited = self.selected()
        editable = edited is not None and not edited.builtin
        self.save_button.setEnabled(editable and not problems)
        self.hint.setText("Mend the values in red to save." if problems else "")
        return problems

    def save(self) -> bool:
        """Save the form over the selected profile; False (and nothing written) if a value
        is wrong or the profile is a built-in one."""
        edited = self.selected()
        if edited is None or edited.builtin or self._check():
            return False
        profile = profile_rules.build(self.form.name, self.form.table(), self._others())
        mine = [profile if p.name == edited.name else p for p in self.store.profiles]
        return self._write(mine, profile.name)

    def _write(self, profiles: list[Profile], select: str) -> bool:
        try:
            self.store.save(profiles)
        except (OSError, ViewraError) as exc:
            logger.warning("saving the profiles failed: %s", exc)
            self.hint.setText(f"Your profiles could not be saved: {exc}")
            return False
        self.file_problem.hide()  # the file holds what the list shows now
        self._fill(select)
        self.saved.emit()
        return True
