"""Models of the ModelHub Desktop UI."""
