"""One ingest cycle: its steps, the boundary around each feed and page, the one writer.

`flows/ingest.py` wraps these in Prefect tasks; `notify` says what a run found.
"""
