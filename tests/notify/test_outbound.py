"""Outgoing calls (duban.notify.outbound) against DNS rebinding: the host name is resolved once, checked, and the
connection goes to the checked address — a resolver answering a public address for the check and a private one
afterwards never leads a webhook or a robot message to the private one. The Host header, TLS SNI and the
certificate check keep the URL's host name."""
from __future__ import annotations

import datetime
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from duban.notify import channels, events
from duban.notify.channels import DeliveryError
from duban.notify.models import Notification
from duban.notify.outbox import deliver_due
from tests.notify.test_events import Receiver, subscribe
from tests.web.conftest import org  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "hooks.example.org"
PUBLIC = "93.184.216.34"
OK = b'{"errcode": 0, "errmsg": "ok"}'


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def dns(monkeypatch):
    """A resolver for HOST answering each lookup with the next list of addresses (the last one from then on);
    every other name is looked up as usual. Records the lookups of HOST and every connection attempt, and
    refuses connections to PUBLIC at once (it is not reachable from the tests)."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection

    class Resolver:
        answers: list[list[str]] = []
        lookups = 0
        connections: list = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != HOST:
            return real_getaddrinfo(host, port, *args, **kwargs)
        Resolver.lookups += 1
        answer = Resolver.answers[min(Resolver.lookups, len(Resolver.answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, int(port))) for ip in answer]

    def create_connection(address, *args, **kwargs):
        Resolver.connections.append(address)
        if address[0] == PUBLIC:
            raise ConnectionRefusedError(111, "Connection refused")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return Resolver


@pytest.fixture
def no_private(settings):
    settings.DUBAN_WEBHOOK_ALLOW_PRIVATE = False
    settings.DUBAN_WEBHOOK_ALLOW_NETWORKS = []


def port_of(url: str) -> int:
    return int(url.split(":")[2].split("/")[0])


def test_a_webhook_never_reaches_the_private_address_of_a_second_lookup(org, receiver, dns, no_private):
    dns.answers = [[PUBLIC], ["127.0.0.1"]]
    subscribe(org, f"http://{HOST}:{port_of(receiver.url)}/duban/events")
    events.emit("plan.imported", org.pk, "plan:1:x", {})
    assert deliver_due().retrying == 1
    assert receiver.received == [] and receiver.bad_signatures == 0
    assert dns.lookups == 1 and dns.connections == [(PUBLIC, port_of(receiver.url))]
    assert "无法连接推送地址" in Notification.objects.get().last_error


def test_a_robot_message_never_reaches_the_private_address_of_a_second_lookup(robot, dns, no_private):
    dns.answers = [[PUBLIC], ["127.0.0.1"]]
    port = port_of(robot.url)
    with pytest.raises(DeliveryError, match="无法连接机器人接口"):
        channels.send_wecom(f"http://{HOST}:{port}/cgi-bin/webhook/send?key=k", "**提醒**")
    assert robot.requests == [] and dns.lookups == 1 and dns.connections == [(PUBLIC, port)]


def test_a_name_with_any_private_address_is_refused_before_connecting(robot, dns, no_private):
    dns.answers = [[PUBLIC, "10.0.0.7"]]
    with pytest.raises(DeliveryError, match="内网") as refused:
        channels.send_wecom(f"http://{HOST}:{port_of(robot.url)}/cgi-bin/webhook/send?key=secret-key", "x")
    assert "secret-key" not in str(refused.value)  # the robot's key is never in an error
    assert dns.connections == [] and robot.requests == []
    dns.answers = [["169.254.169.254"]]
    with pytest.raises(DeliveryError, match="内网"):
        channels.call_json(f"http://{HOST}/latest/meta-data", what="应用消息接口")
    assert dns.connections == []


def test_an_allowed_intranet_network_is_called_with_the_original_host_name(robot, dns, settings, no_private):
    """An intranet robot gateway: allowed by DUBAN_WEBHOOK_ALLOW_NETWORKS alone, other private networks stay refused."""
    dns.answers = [["127.0.0.1"]]
    url = f"http://{HOST}:{port_of(robot.url)}/cgi-bin/webhook/send?key=k"
    settings.DUBAN_WEBHOOK_ALLOW_NETWORKS = ["10.0.0.0/8"]
    with pytest.raises(DeliveryError, match="内网"):
        channels.send_wecom(url, "x")
    settings.DUBAN_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1/32"]
    channels.send_wecom(url, "**提醒**")
    assert len(robot.requests) == 1 and robot.requests[0]["headers"]["Host"] == f"{HOST}:{port_of(robot.url)}"
    assert dns.connections == [("127.0.0.1", port_of(robot.url))] and dns.lookups == 2  # one lookup per call


def test_robots_do_not_follow_redirects(dns, no_private, settings, redirecting):
    port = redirecting(302)
    settings.DUBAN_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.0/8"]
    dns.answers = [["127.0.0.1"]]
    with pytest.raises(DeliveryError, match="重定向"):
        channels.send_wecom(f"http://{HOST}:{port}/send?key=k", "x")


def test_https_is_verified_for_the_host_name_while_connecting_to_the_checked_address(dns, no_private, settings, tmp_path, monkeypatch):
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))

    class Ok(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            hosts.append(self.headers["Host"])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(OK)))
            self.end_headers()
            self.wfile.write(OK)

        def log_message(self, *args):
            pass

    hosts, names = [], []
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_file, key_file)
    server_context.sni_callback = lambda sock, server_name, ctx: names.append(server_name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        settings.DUBAN_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.0/8"]
        dns.answers = [["127.0.0.1"]]
        url = f"https://{HOST}:{server.server_address[1]}/send?key=k"
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):  # not trusted: verification is on
            channels.send_wecom(url, "x")
        monkeypatch.setattr(ssl, "_create_default_https_context", lambda: ssl.create_default_context(cafile=str(cert_file)))
        channels.send_wecom(url, "x")  # trusted, and valid for the host name (not for 127.0.0.1)
        assert names == [HOST, HOST] and hosts == [f"{HOST}:{server.server_address[1]}"]
    finally:
        server.shutdown()
        server.server_close()
