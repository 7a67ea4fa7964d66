"""Stopping a server process (SIGTERM, a rolling restart): within a few seconds, with every
socket closed as 1012 ("service restart": clients reconnect at once, to another process)
and nothing lost.

daphne stops its Twisted reactor on SIGTERM and cancels every application; Python then waits
for the worker threads (database work) to finish. Three things are done here: before daphne
cancels them, the sockets are told to reconnect (their presence rows removed); the timer
loop stops starting new ticks; and a watchdog ends the process if a thread still holds it
SHUTDOWN_GRACE_SECONDS later. A command being committed then either committed (the client
re-sends its id and gets the `duplicate` ack) or rolled back (the re-sent id applies it).
"""

import asyncio
import logging
import os
import threading
import time
import weakref

from game.realtime import floodgate

logger = logging.getLogger(__name__)

CLOSE_TIMEOUT_SECONDS = 2.0
CLOSE_FLUSH_SECONDS = 0.5
SHUTDOWN_GRACE_SECONDS = 5.0

_open_sockets: "weakref.WeakSet" = weakref.WeakSet()


def socket_opened(consumer) -> None:
    _open_sockets.add(consumer)


def socket_closed(consumer) -> None:
    _open_sockets.discard(consumer)


def open_channel_names() -> list[str]:
    """The channel names of this process's live socket handlers (their Connection rows are
    the ones the presence heartbeat keeps)."""
    return [consumer.channel_name for consumer in list(_open_sockets)]


async def close_sockets_for_restart() -> int:
    """Close every open socket of this process with 1012; returns how many."""
    from game.realtime.timers import stop_timer_loop

    stop_timer_loop()
    consumers = list(_open_sockets)
    if consumers:
        try:
            results = await asyncio.wait_for(
                asyncio.gather(
                    *(consumer.close_for_restart() for consumer in consumers),
                    return_exceptions=True,
                ),
                CLOSE_TIMEOUT_SECONDS,
            )
            for result in results:
                if isinstance(result, BaseException):
                    logger.warning("Closing a socket failed: %r", result)
        except TimeoutError:
            logger.warning("Some sockets were not closed within %s s", CLOSE_TIMEOUT_SECONDS)
        # Let the close frames leave (and the clients answer them) before the reactor drops
        # every connection.
        await asyncio.sleep(CLOSE_FLUSH_SECONDS)
    logger.info("Stopping: %d sockets told to reconnect (1012)", len(consumers))
    return len(consumers)


def _exit_if_still_running() -> None:
    time.sleep(SHUTDOWN_GRACE_SECONDS)
    busy = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    logger.warning(
        "Still running %.0f s after the stop signal (threads: %s); exiting now",
        SHUTDOWN_GRACE_SECONDS,
        ", ".join(busy),
    )
    logging.shutdown()
    os._exit(0)


def _before_reactor_shutdown():
    from twisted.internet import defer

    threading.Thread(target=_exit_if_still_running, name="shutdown-watchdog", daemon=True).start()
    deferred = defer.Deferred.fromFuture(asyncio.ensure_future(close_sockets_for_restart()))
    deferred.addErrback(lambda failure: logger.warning("Closing sockets failed: %s", failure))
    return deferred


# Standard close codes a server may send (RFC 6455 registry) that autobahn, under daphne,
# refuses in sendClose (it allows 1000 and 3000-4999 only); its sendCloseFrame sends them.
REGISTERED_SERVER_CLOSES = (1008, 1012, 1013)


def _allow_registered_close_codes() -> None:
    from daphne.ws_protocol import WebSocketProtocol

    original = WebSocketProtocol.serverClose
    if getattr(original, "allows_registered_codes", False):
        return

    def server_close(self, code=None):
        if code in REGISTERED_SERVER_CLOSES:
            self.sendCloseFrame(code=code, isReply=False)
        else:
            original(self, code)

    server_close.allows_registered_codes = True
    WebSocketProtocol.serverClose = server_close


def install_under_daphne() -> None:
    """Register the shutdown step with daphne's reactor. Registered at import of the ASGI
    application, i.e. before daphne registers its own (which cancels the applications), so
    the sockets are closed first."""
    from twisted.internet import reactor

    _allow_registered_close_codes()
    floodgate.install()
    reactor.addSystemEventTrigger("before", "shutdown", _before_reactor_shutdown)
