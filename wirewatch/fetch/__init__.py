"""HTTP: polling feeds and fetching pages.

All network access (`net`), the address policy, bounded decoding, politeness (robots.txt,
per-host delays) and adaptive polling (when each feed is due).
"""
