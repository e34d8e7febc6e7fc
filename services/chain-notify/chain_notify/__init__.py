"""The chain_notify service."""
