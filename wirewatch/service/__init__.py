"""The daemon and the process around it: `serve`, the warm runner, the Prefect server.

Also what keeps Prefect local and quiet, logging, and nothing left behind after a kill.
"""
