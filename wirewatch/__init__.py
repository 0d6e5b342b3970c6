"""wirewatch: follow how the figures in the news change.

The application shell around the pure `extractors`, the DuckDB `storage` and the Prefect `flows`:
settings, the one module that talks HTTP (`net`), the CLI, the daemon and the sample news site.
"""

__version__ = "0.1.0"
