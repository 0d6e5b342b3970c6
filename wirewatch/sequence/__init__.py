"""Sequencing: which story and event each new version belongs to.

Runs inside the one writer's transaction, against indexes that live in the database.
"""
