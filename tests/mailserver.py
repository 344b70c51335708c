"""A real SMTP server on loopback (aiosmtpd, as Django's own test suite uses) that keeps what it receives."""

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """What the server accepted, one parsed message per delivery, in order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [message for message in self.messages if message["To"] == address]


@contextmanager
def smtp_server(port: int, mailbox: Mailbox) -> Iterator[Mailbox]:
    """Serve on 127.0.0.1:`port` until the block ends (a stopped server refuses connections:
    an outage, for as long as the test wants one)."""
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def smtp_settings(port: int) -> dict[str, str]:
    """The environment that points the app's e-mail at the server (Django's own setting names)."""
    return {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "DEFAULT_FROM_EMAIL": "Cloud Images <panel@test>"}
