"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1 at a free port, in a thread.

`Inbox` is its handler: it keeps every message it accepts (parsed), and can be told to
refuse every recipient (`refuse = "550 …"`) or some (`refused[address] = "550 …"`), or to
call a hook on each DATA before answering
(`on_data(inbox)` returning a reply refuses that message; e.g. kill the client)."""

import email
import socket
import threading
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None
        self.refused: dict[str, str] = {}
        self.on_data = None
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse or address in self.refused:
            return self.refuse or self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            reply = self.on_data(self)
            if reply:
                return reply
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """The server, started and stopped by the fixture."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> "MailServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a message, decoded."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html
