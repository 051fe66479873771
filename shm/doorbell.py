"""Wake-ups: one side's parked flag (header word) plus its named POSIX semaphore.

The semaphore is a wake hint, never a lock: every waiter re-checks the shared state
after waking, and times out to probe peer liveness. Transition table:

| from                | to                  | who      | op                                   |
|---------------------|---------------------|----------|--------------------------------------|
| AWAKE parked=0      | PARKING parked=1    | waiter   | exchange(parked, 1); fence           |
| PARKING             | AWAKE               | waiter   | re-check finds work; exchange(0)     |
| PARKING             | ASLEEP              | waiter   | re-check finds nothing; sem_timedwait|
| PARKING or ASLEEP   | AWAKE               | notifier | fence; exchange(parked,0)==1 -> post |
| ASLEEP              | AWAKE               | waiter   | timeout; exchange(parked, 0)         |

Lost wake-ups are impossible: the waiter does `parked=1; fence; read ring` and the
notifier does `write ring; fence; read parked`, so at least one sees the other. Posts
happen only on the parked->awake edge (one per park); if the waiter withdrew after the
notifier cleared the flag, the owed post shows up later as one spurious wake-up.
Only one thread per side parks on a doorbell at a time (the side's poller)."""

from __future__ import annotations

from collections.abc import Callable

import posix_ipc

from rust2go.shm._atomics import fence


class Doorbell:
    __slots__ = ("_a", "_off", "_w", "_side", "sem", "posts", "sleeps")

    def __init__(self, atom, parked_offset: int, sem: posix_ipc.Semaphore, wire, side: int) -> None:
        self._a = atom
        self._off = parked_offset
        self._w = wire  # notifier half in C: Wire.notify(side)
        self._side = side
        self.sem = sem
        self.posts = 0  # statistics: semaphore posts made through ring()
        self.sleeps = 0  # statistics: waits that reached the semaphore

    def park(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Sleep until notified or `timeout` seconds; False only on a timeout."""
        a = self._a
        a.exchange_u32(self._off, 1)
        fence()
        if ready():
            a.exchange_u32(self._off, 0)
            return True
        self.sleeps += 1
        try:
            self.sem.acquire(timeout)
            woke = True
        except posix_ipc.BusyError:
            woke = False
        a.exchange_u32(self._off, 0)
        return woke

    def ring(self) -> bool:
        """Notify the side after publishing work it may wait for; True if a post was made."""
        if self._w.notify(self._side):
            self.post()
            return True
        return False

    def post(self) -> None:
        """The post owed after a notifier cleared the parked flag (Wire.notify, ANSWER_POST)."""
        self.sem.release()
        self.posts += 1

    def is_parked(self) -> bool:
        return self._a.load_u32(self._off) == 1
