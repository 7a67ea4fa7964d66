"""Many callers, one round trip at a time: what is waiting when a trip ends goes in the next.

On a busy server a round trip to Redis waits for the event loop's turn (behind the database
threads' hold on the GIL). One trip per caller, each waiting for a lock or a connection of
its own, made callers queue for seconds, or run out of connections (issue 11). Here a
single task sends every waiting item in one trip, in arrival order, and answers each caller
with its own result or the trip's error. A caller that gives up (cancelled, e.g. by a
timeout) is skipped if its trip has not started.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

# A hung back end: callers give up, their items pile up; drop those beyond this many.
PRUNE_AT = 1000


class RoundTrips:
    def __init__(self, send: Callable[[list], Awaitable[list]]):
        """`send(items)` makes one round trip for `items` and returns a result per item."""
        self._send = send
        self._waiting: list[tuple[object, asyncio.Future]] = []
        self._task: asyncio.Task | None = None

    async def __call__(self, item):
        """`item`'s result, from the next round trip."""
        done = asyncio.get_running_loop().create_future()
        if len(self._waiting) >= PRUNE_AT:
            self._waiting = [entry for entry in self._waiting if not entry[1].done()]
        self._waiting.append((item, done))
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())
        return await done

    async def _run(self) -> None:
        while self._waiting:
            batch = [entry for entry in self._waiting if not entry[1].done()]
            self._waiting = []
            if not batch:
                continue
            try:
                results = await self._send([item for item, _ in batch])
            except asyncio.CancelledError:
                for _, done in batch + self._waiting:
                    done.cancel()
                self._waiting = []
                raise
            except Exception as error:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for (_, done), result in zip(batch, results, strict=True):
                    if not done.done():
                        done.set_result(result)

    async def close(self) -> None:
        """Stop: waiting callers are cancelled."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
