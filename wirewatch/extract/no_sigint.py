"""Imported first by the extraction workers' fork server: it ignores SIGINT from then on.

Ctrl-C reaches the whole process group; the pool's owner stops the workers itself (it closes
their pipes), so the fork server, busy importing trafilatura, and the workers it forks (which
inherit this) must not die of it with a traceback each. Importing this module does it: the
fork server's preload list is the only hook it has before those imports.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
