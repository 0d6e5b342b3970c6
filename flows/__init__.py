"""Prefect flows. They only orchestrate: the work is in wirewatch.cycle, extractors, storage."""
