"""The hearing service."""
