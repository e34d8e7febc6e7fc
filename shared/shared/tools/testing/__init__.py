"""Test support: real servers for the suite, and helpers to publish and read topics.

Used by the pytest plugin in shared.tools.testing.fixtures; never imported at run time.
"""
