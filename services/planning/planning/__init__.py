"""The planning service."""
