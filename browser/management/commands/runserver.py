"""`runserver` (what `make run` starts) without a 40 ms stall on every answer over a kept-alive connection."""

import socket

from django.contrib.staticfiles.management.commands.runserver import Command as StaticFilesRunserver
from django.core.servers.basehttp import WSGIServer


class NoDelayWSGIServer(WSGIServer):
    """Python's HTTP server sends an answer's status line, headers and body as separate small writes. On a
    kept-alive connection Nagle's algorithm holds each write after the first until the browser acknowledges
    it, and browsers delay that acknowledgement by up to 40 ms: every page after the first waited for it."""

    def get_request(self):
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


class Command(StaticFilesRunserver):
    server_cls = NoDelayWSGIServer
