"""The prephase service."""
