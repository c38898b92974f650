"""API and access tokens."""
