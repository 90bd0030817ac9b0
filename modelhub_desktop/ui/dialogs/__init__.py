"""Dialogs of the ModelHub Desktop UI."""
