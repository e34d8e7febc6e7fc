"""Planning's rules: plain functions over typed models, no I/O (R2, R4, R6, R9-R13)."""
