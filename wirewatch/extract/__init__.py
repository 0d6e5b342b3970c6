"""Extraction worker processes: trafilatura and claims run here, off the event loop.

`workers` drives the processes from the event loop; `pool` keeps one set warm between runs.
"""
