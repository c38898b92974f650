"""Self-assessment."""
