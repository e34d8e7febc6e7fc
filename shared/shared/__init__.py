"""The caseflow common library: what several services need, and nothing service-specific."""
