"""Prefect flows. They only orchestrate: the work lives in `wirewatch.cycle`, `extractors`, `storage`."""
