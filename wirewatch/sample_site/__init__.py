"""The bundled sample news site: five outlets replaying one real story over four steps.

`server` is a small HTTP server on 127.0.0.1; `newsroom` decides what each outlet publishes at
each step; `render` writes the pages (with realistic chrome) and the RSS/Atom feeds.
"""
