"""Forked worker processes and the database connections they inherit."""

from django.db import connections

# Django connections inherited through fork are the parent's sockets and files: a worker never
# uses or closes them (closing would end the parent's session); a worker that needs the database
# opens its own.
INHERITED: list = []


def detach_connections() -> None:
    for alias in connections:
        wrapper = connections[alias]
        if getattr(wrapper, "connection", None) is not None:
            INHERITED.append(wrapper.connection)
            wrapper.connection = None
