"""Runtime: what a service runs on (settings, logs, clock, database, broker, messaging, service).

Imports the contracts, never the tools."""
