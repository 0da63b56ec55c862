"""Login throttling: back-off after repeated failures, per user name and per client.

After ``free_failures`` failed logins for one user name (four times as many from one client
address, which may be a whole office behind NAT) within the
window, each further attempt must wait ``2**(n - free_failures)`` seconds, up to
``max_backoff_s``; an attempt inside the wait is refused with 429 and ``Retry-After`` without
checking the password (so the right password does not work straight after a guessing run).
A successful login clears the user name's count. State is per process (in memory): behind
several processes the limit applies per process, which still caps guessing to a few attempts
per minute each (ASVS V2.2.1).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

WINDOW_S = 3600.0
"""Failures older than this are forgotten [s]."""


def _clock() -> float:
    """Monotonic time [s]; the one place tests move."""
    return time.monotonic()


@dataclass
class _Entry:
    failures: list[float] = field(default_factory=list)


class LoginThrottle:
    """Failed-login counts per key (``user:<name>``, ``client:<address>``)."""

    def __init__(self, free_failures: int, max_backoff_s: float, client_factor: int = 4) -> None:
        self.free_failures = free_failures
        self.client_factor = client_factor
        self.max_backoff_s = max_backoff_s
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def _prune(self, entry: _Entry, now: float) -> None:
        entry.failures = [t for t in entry.failures if now - t < WINDOW_S]

    def wait_s(self, *keys: str) -> float:
        """Seconds the caller must still wait before trying ``keys`` again (0: may try)."""
        now = _clock()
        longest = 0.0
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is None:
                    continue
                self._prune(entry, now)
                n = len(entry.failures)
                # a client address may be an office behind one NAT: it gets more free tries
                free = self.free_failures * (self.client_factor if key.startswith("client:")
                                             else 1)
                if n >= free:
                    backoff = min(self.max_backoff_s, 2.0 ** (n - free))
                    longest = max(longest, entry.failures[-1] + backoff - now)
        return max(0.0, longest)

    def failed(self, *keys: str) -> None:
        """Count one failed attempt for each key."""
        now = _clock()
        with self._lock:
            for key in keys:
                entry = self._entries.setdefault(key, _Entry())
                self._prune(entry, now)
                entry.failures.append(now)
            if len(self._entries) > 100_000:  # bound the memory a spray of names can take
                for key in [k for k, e in self._entries.items() if not e.failures]:
                    del self._entries[key]

    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key`` (the user name after a good login)."""
        with self._lock:
            self._entries.pop(key, None)


def retry_after(wait_s: float) -> str:
    """The ``Retry-After`` header value for a wait [s] (whole seconds, at least 1)."""
    return str(max(1, math.ceil(wait_s)))


__all__ = ["LoginThrottle", "WINDOW_S", "retry_after"]
