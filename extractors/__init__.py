"""Pure logic: bytes or str in, frozen dataclasses out. No I/O, no duckdb, no prefect."""
