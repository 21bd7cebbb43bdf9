"""`make run` serves through manage.py runserver: this project's, which sends each answer without waiting for
the browser's delayed acknowledgement (TCP_NODELAY); it stalled ~40 ms on every page of a kept-alive connection."""

import socket
from wsgiref.simple_server import WSGIRequestHandler

from django.contrib.staticfiles.management.commands.runserver import Command as StaticFilesRunserver
from django.core.management import get_commands, load_command_class

from browser.management.commands.runserver import NoDelayWSGIServer


def test_manage_py_runserver_is_this_projects_and_still_serves_static_files():
    command = load_command_class(get_commands()["runserver"], "runserver")
    assert command.server_cls is NoDelayWSGIServer
    assert isinstance(command, StaticFilesRunserver)


def test_each_accepted_connection_sends_without_delay():
    server = NoDelayWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    try:
        with socket.create_connection(server.server_address[:2], timeout=5):
            connection, _ = server.get_request()
            with connection:
                assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        server.server_close()
