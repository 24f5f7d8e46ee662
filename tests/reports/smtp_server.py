"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives, for mail tests.

    with smtp_server() as server:
        ... send to 127.0.0.1:server.port ...
        msg = server.messages[0]   # email.message.EmailMessage, parsed with the default policy

Also usable as the pytest fixture ``smtp_server`` (``from tests.reports.smtp_server import smtp_server``).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


@dataclass
class Server:
    port: int
    refuse: frozenset[str] = frozenset()  # recipients answered "550 no such user"
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [r.message for r in self.snapshot()]

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def uri(self, **extra: str) -> str:
        """``AIRFLOW_CONN_SMTP_DEFAULT`` pointing here, e.g. ``uri(**{"from": "a@b.cn"})``."""
        from urllib.parse import urlencode

        return f"smtp://{self.host}:{self.port}" + (f"?{urlencode(extra)}" if extra else "")

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.snapshot()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.snapshot()


class _Keep:
    """aiosmtpd handler: store each message's raw bytes as the client sent them."""

    def __init__(self, server: Server):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.server.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self.server._lock:
            self.server.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_smtp_server(refuse: tuple[str, ...] = (), **smtp_kwargs) -> Iterator[Server]:
    """Start aiosmtpd on a free loopback port; ``smtp_kwargs`` go to aiosmtpd's SMTP (authenticator …)."""
    from aiosmtpd.controller import Controller

    server = Server(free_port(), frozenset(refuse))
    controller = Controller(_Keep(server), hostname="127.0.0.1", port=server.port, **smtp_kwargs)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[Server]:
    with running_smtp_server() as server:
        yield server
