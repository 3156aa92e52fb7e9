"""Real servers on 127.0.0.1 for the delivery tests: SMTP (aiosmtpd), robot webhooks, and a server that hangs."""
import json
import socket
import threading
import urllib.parse
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from duban.notify import channels


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self):
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


@pytest.fixture
def smtp_server(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "duban@example.gov.cn"
    yield mailbox
    controller.stop()


class Robot:
    """Emulates the 企业微信 / 钉钉 robot endpoints: records each POST, answers per ``mode``.

    mode: "ok" → {"errcode": 0}; "http500" → HTTP 500; "errcode" → {"errcode": 310000, ...}.
    """

    def __init__(self):
        self.mode = "ok"
        self.requests = []  # dicts: path, query, headers, json
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                url = urllib.parse.urlsplit(self.path)
                robot.requests.append(
                    {
                        "path": url.path,
                        "query": urllib.parse.parse_qs(url.query),
                        "headers": dict(self.headers),
                        "json": json.loads(raw.decode("utf-8")),
                    }
                )
                if robot.mode == "http500":
                    self.send_error(500)
                    return
                answer = {"errcode": 0, "errmsg": "ok"}
                if robot.mode == "errcode":
                    answer = {"errcode": 310000, "errmsg": "sign not match"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    server = Robot()
    yield server
    server.close()


class HangingServer:
    """Accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def hanging_server():
    server = HangingServer()
    yield server
    server.close()


@pytest.fixture
def short_timeout(monkeypatch, settings):
    monkeypatch.setattr(channels, "HTTP_TIMEOUT", 1)
    settings.EMAIL_TIMEOUT = 1


@pytest.fixture
def redirecting():
    """start(status) starts a server answering every POST with that redirect to the cloud metadata address and
    returns its port; the servers stop after the test."""
    servers = []

    def start(status: int) -> int:
        class Redirect(BaseHTTPRequestHandler):
            def do_POST(self):
                self.send_response(status)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data")
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
