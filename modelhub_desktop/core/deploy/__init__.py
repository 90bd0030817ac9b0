"""Deploy a registered version as a service: backends, records and their states."""
