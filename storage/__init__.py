"""DuckDB storage: connections, numbered migrations, batched writes and the views users query.

Nothing outside this package writes SQL.
"""
