"""DAST hooks for schemathesis, run by `cargo xtask dast` (see `hooks.py`)."""
