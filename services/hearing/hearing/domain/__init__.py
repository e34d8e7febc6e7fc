"""Hearing's domain: the plan per case, the capacity rules, the steps; no I/O."""
