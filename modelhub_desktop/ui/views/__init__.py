"""Views of the ModelHub Desktop UI."""
