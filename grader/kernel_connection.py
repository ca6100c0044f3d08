"""The grader's end of a kernel's ZMQ connection, with a bound on what one message may cost.

jupyter_client reads each message from the kernel whole and decodes its JSON before nbclient
(and `grader.kernel`'s output cap) can drop it: one cell displaying a 150 MB string would cost
the grader several times that. Every socket here has ZMQ's ``MAXMSGSIZE``, so libzmq refuses
a larger message from its size header, before reading it: it drops that connection instead
(and connects again by itself). A monitor on the sockets nbclient reads tells the grader that
happened, so that it can name the cell and restart the kernel without it.

Imported only in kernel mode (pyzmq and jupyter_client are slow to import).
"""

from __future__ import annotations

from typing import Any, cast

import zmq
import zmq.asyncio
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.client import KernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, default

__all__ = ["BoundedKernelClient", "BoundedKernelManager", "Drops"]


class BoundedKernelClient(AsyncKernelClient):
    """A kernel client whose ZMQ sockets refuse messages over ``max_message`` bytes."""

    #: bytes one message from the kernel may have (ZMQ's ``MAXMSGSIZE``)
    max_message = Integer(64 << 20)

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True  # destroyed when its channels stop
        return _bounded(int(self.max_message))


class BoundedKernelManager(AsyncKernelManager):
    """A kernel manager whose ZMQ sockets, and its clients', refuse messages over a bound."""

    #: bytes one message from the kernel may have (ZMQ's ``MAXMSGSIZE``)
    max_message = Integer(64 << 20)

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True  # destroyed with the manager's resources
        return _bounded(int(self.max_message))

    @default("client_factory")
    def _client_factory_default(self) -> type[BoundedKernelClient]:
        return BoundedKernelClient

    def client(self, **kwargs: Any) -> BoundedKernelClient:  # type: ignore[override]
        """A client with this manager's bound."""
        return cast(BoundedKernelClient, super().client(max_message=self.max_message, **kwargs))


class Drops:
    """Whether the kernel's connection was dropped since the client started: a message over
    the bound, or the kernel's end (which nbclient also sees, by the process)."""

    def __init__(self, client: KernelClient) -> None:
        self._monitors = [
            channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
            for channel in (client.iopub_channel, client.shell_channel)
        ]

    def dropped(self) -> bool:
        """Whether a connection was dropped (never blocks)."""
        return any(m.get(zmq.EVENTS) & zmq.POLLIN for m in self._monitors)


def _bounded(max_message: int) -> zmq.asyncio.Context:
    """A ZMQ context whose sockets refuse messages over ``max_message`` bytes."""
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, max_message)
    return context
