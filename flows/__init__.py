"""Prefect flows. They only orchestrate: the work is in `wirewatch` (fetch, extract, sequence,
ingest), `extractors` and `storage`."""
