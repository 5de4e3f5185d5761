"""Limits on what one input may be, shared by the readers and the command line (which
imports this without loading the readers)."""

DEFAULT_MAX_BYTES = 5_000_000  # an article larger than this (as UTF-8, or a .txt/.html file) is skipped
DEFAULT_TIMEOUT = 60.0  # seconds one article's extraction may take (ingest.timelimit); 0: no limit
