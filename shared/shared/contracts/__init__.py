"""Contracts: what services and partners agree on (envelope, event catalogue, topics, values).

Imports nothing from the runtime or the tools."""
