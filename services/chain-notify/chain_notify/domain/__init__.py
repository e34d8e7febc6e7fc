"""Chain-notify's domain: case events to minimal partner messages, plain functions, no I/O."""
