"""wirewatch: follow how the figures in the news change.

The application shell around the pure `extractors`, the DuckDB `storage` and the Prefect `flows`,
one subpackage per stage: `fetch` -> `extract` -> `sequence`, run as one `ingest` cycle; then
`outputs` for readers, with the daemon (`service`) and the command line (`cli`) beside them.
"""

__version__ = "0.1.0"
