"""Qt user interface: widgets, Qt models and the task runner. Talks to core only via tasks."""
