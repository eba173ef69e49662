"""One request at a time on the live server while it shares the test's in-memory SQLite.

On SQLite the test database lives in memory, and Django hands the test's own connection to the
live server's threads. Chromium fetches a page's scripts in parallel with the next request, and
the test itself queries between clicks: two threads in one sqlite3 connection at once fail with
"bad parameter or other API misuse" or a session read as empty (a reader bounced to the login
page). Here each request holds one lock from its first line to its last byte, and the test
thread's statements on the shared connection wait for it. PostgreSQL shares nothing and is
unchanged.
"""

import threading

from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import testcases

SHARED_CONNECTION = threading.RLock()


def _one_at_a_time(execute, sql, params, many, context):
    with SHARED_CONNECTION:
        return execute(sql, params, many, context)


class SerializedWSGIServer(ThreadedWSGIServer):
    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, connections_override=connections_override, **kwargs)
        self.shared_connections = list((connections_override or {}).values())
        for connection in self.shared_connections:
            connection.execute_wrappers.append(_one_at_a_time)

    def set_app(self, application):
        if not self.shared_connections:
            return super().set_app(application)

        def serialized(environ, start_response):
            with SHARED_CONNECTION:
                result = application(environ, start_response)
                try:
                    # The body is read under the lock: a streamed export queries as it goes.
                    return [b"".join(result)]
                finally:
                    if hasattr(result, "close"):
                        result.close()

        return super().set_app(serialized)

    def server_close(self):
        for connection in self.shared_connections:
            if _one_at_a_time in connection.execute_wrappers:
                connection.execute_wrappers.remove(_one_at_a_time)
        super().server_close()


def install():
    testcases.LiveServerThread.server_class = SerializedWSGIServer
