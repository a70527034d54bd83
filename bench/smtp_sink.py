"""A minimal SMTP server on loopback that accepts and counts messages (the bench's
stand-in for a mail relay: the Celery drain measurement sends real SMTP to it).

    with SmtpSink() as sink:        # listens on sink.port, in a thread of its own
        ...                         # EMAIL_URL=smtp://127.0.0.1:{sink.port}
        sink.wait_for(1000, timeout=60)
"""

from __future__ import annotations

import asyncio
import threading
import time


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.port = 0
        self.count = 0
        self.recipients: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._changed = threading.Condition()

    async def _session(self, reader, writer) -> None:
        def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        reply("220 bench-sink ESMTP")
        in_data = False
        recipients: list[str] = []
        try:
            while line := await reader.readline():
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                if in_data:
                    if text == ".":
                        in_data = False
                        with self._changed:
                            self.count += 1
                            self.recipients.extend(recipients)
                            self._changed.notify_all()
                        recipients = []
                        reply("250 OK queued")
                    continue
                verb = text[:4].upper()
                if verb == "EHLO":
                    writer.write(b"250-bench-sink\r\n250 8BITMIME\r\n")
                elif verb == "HELO":
                    reply("250 bench-sink")
                elif verb == "MAIL":
                    recipients = []
                    reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(text.split(":", 1)[-1].strip(" <>"))
                    reply("250 OK")
                elif verb == "DATA":
                    in_data = True
                    reply("354 End data with <CR><LF>.<CR><LF>")
                elif verb in ("RSET", "NOOP"):
                    reply("250 OK")
                elif verb == "QUIT":
                    reply("221 Bye")
                    await writer.drain()
                    break
                else:
                    reply("502 Command not implemented")
                await writer.drain()
        finally:
            writer.close()

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._session, self.host, 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._server.close()
        self._loop.run_until_complete(self._server.wait_closed())
        self._loop.close()

    def __enter__(self) -> SmtpSink:
        self._thread = threading.Thread(
            target=self._serve, name="smtp-sink", daemon=True
        )
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._loop:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)

    def wait_for(self, count: int, *, timeout: float) -> bool:
        """Block until `count` messages arrived (True) or the timeout passed."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.count < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True
