"""Failed logins cost the guesser time, not the machine: a pause that doubles after a few failures, and at most
a couple of password checks at once.

Each check runs Argon2id, which takes tens of MB and tens of ms by design; a flood of POSTs to /login on a
desk bound beyond loopback would otherwise run one per thread of the pool, beside the night's Chromium.
Failures count per client address and per user name (a guesser who changes address still waits for that
name), forgotten after :data:`WINDOW_S` without one; a successful login clears its client and name.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

FREE_FAILURES = 3  # typos: no pause before the fourth try
FIRST_PAUSE_S = 2.0  # then 2, 4, 8 ... seconds
MAX_PAUSE_S = 300.0
WINDOW_S = 900.0
CHECKS_AT_ONCE = 2


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


@dataclass
class LoginThrottle:
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, _Failures] = field(default_factory=dict)
    _checks: asyncio.Semaphore | None = None

    def wait_s(self, client: str, name: str) -> float:
        """Seconds before ``client`` may try ``name`` again (0: now)."""
        now = self.clock()
        return max([0.0, *(self._pause(f) - (now - f.last) for f in self._of(client, name))])

    def failed(self, client: str, name: str) -> None:
        now = self.clock()
        for key in self._keys(client, name):
            f = self._failures.get(key)
            if f is None or now - f.last > WINDOW_S:
                f = self._failures[key] = _Failures()
            f.count, f.last = f.count + 1, now
        if len(self._failures) > 10_000:  # a flood of made-up names must not grow this without end
            self._failures = {k: f for k, f in self._failures.items() if now - f.last <= WINDOW_S}

    def succeeded(self, client: str, name: str) -> None:
        for key in self._keys(client, name):
            self._failures.pop(key, None)

    def checks(self) -> asyncio.Semaphore:
        """Held while a password is checked: at most :data:`CHECKS_AT_ONCE` Argon2 runs at a time."""
        if self._checks is None:
            self._checks = asyncio.Semaphore(CHECKS_AT_ONCE)
        return self._checks

    def _of(self, client: str, name: str) -> list[_Failures]:
        now = self.clock()
        return [f for k in self._keys(client, name) if (f := self._failures.get(k)) and now - f.last <= WINDOW_S]

    @staticmethod
    def _keys(client: str, name: str) -> tuple[str, str]:
        return f"client:{client}", f"name:{name[:64]}"

    @staticmethod
    def _pause(f: _Failures) -> float:
        if f.count < FREE_FAILURES:
            return 0.0
        return min(MAX_PAUSE_S, FIRST_PAUSE_S * 2 ** (f.count - FREE_FAILURES))
