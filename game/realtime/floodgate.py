"""The flood budget at daphne's WebSocket protocol, before a frame reaches the application.

Under daphne every frame a client sends is parsed by autobahn on the event loop and queued
for the socket's handler; a client sending thousands of frames a second kept the loop busy
reading them, and every other socket's frames waited (issue 30: another team's ping in
seconds). Here each connection counts its frames with game.realtime.limits.FloodGuard as
they are parsed: a frame beyond the budget is never queued (at most one `rate_limited` a
second answers such frames), and a connection that keeps flooding gets a last `error`, the
close frame 1008 "flooding", and its TCP connection dropped at once, so not one more of its
frames is parsed; its frames still queued are dropped, and the handler receives its
disconnect as for any closed socket.

The handler counts the same budget (GameConsumer.receive) only for frames that did not
come through this gate (another ASGI server, the tests' communicator): one count per frame,
taken as it arrives.
"""

import logging

from game.realtime import limits, protocol

logger = logging.getLogger(__name__)

# The key this gate adds to the frames it let through (game.realtime.consumers reads it).
COUNTED = "flood_counted"


def _error(message: str) -> bytes:
    return protocol.dumps(
        {"type": "error", "id": None, "code": "rate_limited", "message": message}
    ).encode()


def gate_frame(connection) -> bool:
    """Count a frame the connection (daphne's WebSocketProtocol) received: may it go to the
    application? If not, answer, or close the connection, as the budget says."""
    guard = connection.__dict__.get("flood_guard")
    if guard is None:
        guard = connection.flood_guard = limits.FloodGuard()
        _mark_counted(connection)
    if connection.__dict__.get("flood_closed"):
        return False
    verdict = guard.check()
    if verdict is None:
        return True
    if verdict == "warn":
        connection.sendMessage(_error(limits.flood_warning()), isBinary=False)
    elif verdict == "close":
        connection.flood_closed = True
        logger.warning("Socket from %s closed: it kept flooding", connection.client_addr)
        connection.sendMessage(_error(limits.flood_closing()), isBinary=False)
        connection.sendCloseFrame(
            code=protocol.CLOSE_FLOODING, reasonUtf8=b"flooding", isReply=False
        )
        # The close frame leaves first; the connection is closed as soon as it has, and
        # autobahn parses nothing more of what the client already sent.
        connection.dropConnection(abort=False)
        _drop_queued_frames(connection)
    return False


def _mark_counted(connection) -> None:
    """Frames this gate let through reach the handler marked as counted (COUNTED), so that
    it does not count them again when it gets to them: a handler that was busy works
    through its backlog in a rush, which its own count would take for a flood."""
    queue = getattr(connection, "application_queue", None)
    if queue is None:
        return
    put = queue.put_nowait

    def put_counted(message):
        if message.get("type") == "websocket.receive":
            message[COUNTED] = True
        put(message)

    queue.put_nowait = put_counted


def _drop_queued_frames(connection) -> None:
    """Frames of a closed flooder still waiting for its handler are not handled (never
    acknowledged, as with any socket lost with frames in flight): the handler goes straight
    to its disconnect instead of serving up to a budget's worth of them first."""
    queue = getattr(connection, "application_queue", None)
    if queue is None:
        return
    kept = []
    while not queue.empty():
        message = queue.get_nowait()
        if message.get("type") != "websocket.receive":
            kept.append(message)
    for message in kept:
        queue.put_nowait(message)


def installed() -> bool:
    """Does daphne's protocol count the frames (so the socket's handler need not)?"""
    from daphne.ws_protocol import WebSocketProtocol

    return getattr(WebSocketProtocol.onMessage, "flood_gated", False)


def install() -> None:
    """Put the gate in front of daphne's WebSocketProtocol.onMessage (once)."""
    from daphne.ws_protocol import WebSocketProtocol

    if installed():
        return
    original = WebSocketProtocol.onMessage

    def on_message(self, payload, isBinary):
        if gate_frame(self):
            original(self, payload, isBinary)

    on_message.flood_gated = True
    WebSocketProtocol.onMessage = on_message
