"""Running student code in child processes (no imports here: the child loads this package)."""
