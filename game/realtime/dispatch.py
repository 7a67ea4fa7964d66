"""Consumer dispatch without a database-thread hop per message.

Channels' AsyncConsumer.dispatch awaits `aclose_old_connections()` before every handler: a
trip to the process's single database thread for each message a socket receives, group
broadcasts included. With hundreds of sockets that thread became the queue every broadcast
waited in (docs/performance.md). The game consumer does all its database work through
`database_sync_to_async` (or game.realtime.dbthreads), which closes stale connections in its
own thread before and after each call, so the per-message trip is redundant for it.
"""

from channels.consumer import get_handler_name


class DirectDispatchMixin:
    # True while a handler runs: a consumer handles one message at a time, so what arrives
    # meanwhile (broadcasts, while its own command waits on the database) waits its turn.
    dispatching = False

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        self.dispatching = True
        try:
            await handler(message)
        finally:
            self.dispatching = False
