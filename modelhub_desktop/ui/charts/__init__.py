"""Charts of the ModelHub Desktop UI."""
