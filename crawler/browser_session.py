"""The running Chromium behind :class:`crawler.browser.Browser`: its processes, its deadlines and its contexts.

Moved out of ``crawler/browser.py`` unchanged (that module keeps the browser's start, stop and pages), so
each stays small: here is what a capture runs inside of -- the thread's Playwright driver, the Chromium
processes the guard may stop by pid, the deadline on every call (:meth:`BrowserSession._bound`); its search
contexts (one per device, click URLs refused, one reused page each) are :mod:`crawler.browser_contexts`'.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from crawler.browser_contexts import SearchContexts
from crawler.browser_driver import Driver, release
from crawler.browser_guard import GRACE_S, CallGuard
from crawler.browser_launch import BrowserConfig
from crawler.browser_procs import chromium_pids, kill, renderer_pids
from crawler.errors import BrowserStalled, FetchError

if TYPE_CHECKING:
    from crawler.browser_owner import SharedChromium

log = logging.getLogger("crawler.browser")  # the same logger as before the move: its lines read the same

LAUNCH_S = 90.0  # starting a Chromium, at most (a loaded machine takes its time)
T = TypeVar("T")


class BrowserSession(SearchContexts):
    """A Chromium's processes, the deadline on each of its calls, and its search contexts."""

    _launch: dict[str, Any]  # Chromium's launch options, set when the browser starts

    def __init__(self, config: BrowserConfig | None = None, *, shared: SharedChromium | None = None) -> None:
        self.config = config or BrowserConfig()
        # a view on the night's one Chromium (crawler.browser_owner): its own contexts, deadlines and watchdog,
        # its calls made in the Chromium's owner thread; None: a Chromium and driver of its own
        self._shared = shared
        self._reset()

    def _reset(self) -> None:
        self._driver: Driver | None = None
        self._chromiums: set[int] = set()  # this browser's Chromium processes (one more per profile context)
        self._guard = CallGuard(lambda: renderer_pids(self._chromiums), lambda: set(self._chromiums),
                                lambda: self._driver.pid if self._driver else None)
        if self._shared is not None:  # only this view's page, then (at worst) the shared Chromium for all
            self._guard._steps = [("its renderer was stopped", self._crash_live),
                                 ("the shared Chromium was stopped", self._kill_shared_browser),
                                 ("the Playwright driver was stopped", self._kill_shared)]
        self._generation = 0  # the shared Chromium's launch this view was attached to
        self._live_cdp: Any = None  # the DevTools session of the page being read (to crash its renderer)
        self._cdps: dict[str, Any] = {}  # one per search page
        self._waiting: Any = None  # the call this view's thread waits for in the owner thread
        self._call_s = self.config.timeout_ms / 1000 + GRACE_S
        self._page_deadline: float | None = None
        self._pw: Any = None
        self._browser: Any = None
        self._contexts: dict[str, Any] = {}
        self._pages: dict[str, Any] = {}  # one reused page per search context
        self._closed_states: dict[str, dict[str, Any]] = {}  # search contexts closed, with their cookies
        self._user_agents: dict[str, str] = {}
        self._context_uas: dict[str, str] = {}
        self._executor: ThreadPoolExecutor | None = None  # reads the HTML while the browser paints

    def _stop_driver(self) -> None:
        if self._driver is not None:
            release(self._driver)
            self._driver = None
            self._pw = None

    def _launched(self, launch: Callable[[], Any], profile: str | None = None) -> Any:
        """``launch()``'s Chromium, its process remembered (the guard stops it by pid if it hangs); a
        persistent ``profile``'s is found by its folder (other views may be launching theirs meanwhile)."""
        pid = self._driver.pid if self._driver else None
        before = chromium_pids(pid, profile)
        with self._bound("starting Chromium", LAUNCH_S, cleanup=True):
            launched = launch()
        self._chromiums |= chromium_pids(pid, profile) - before
        return launched

    def _bound(self, what: str, seconds: float | None = None, *, cleanup: bool = False
               ) -> AbstractContextManager[None]:
        """A deadline for the calls in the block: ``seconds`` (default ``timeout_ms`` plus a grace), and no
        later than the page's own deadline unless this is ``cleanup`` (closing what the page opened)."""
        bound = self._call_s if seconds is None else seconds
        if self._page_deadline is not None and not cleanup:
            left = self._page_deadline - time.monotonic()
            if left <= 0:
                raise BrowserStalled(f"{what}: the page took more than {self._page_s:g} s in all")
            bound = min(bound, left)
        return self._guard.bound(what, bound)

    @property
    def _page_s(self) -> float:
        return self.config.page_timeout_s or 3 * self._call_s

    def _page_started(self) -> None:
        self._page_deadline = time.monotonic() + self._page_s

    # -- a view on a shared Chromium --------------------------------------------

    def _attach(self) -> Any:
        shared = self._shared
        assert shared is not None
        if not shared.alive():
            shared.relaunch(shared.generation)
        self._generation = shared.generation
        self._pw, self._browser, self._driver = shared.pw, shared.chromium, shared.driver
        self._launch = {k: v for k, v in shared.launch.items() if k != "proxy"}  # for a persistent profile
        return self

    def _detach(self) -> None:
        """Close this view's contexts (and a profile's own Chromium); the shared Chromium lives on."""
        shared = self._shared
        assert shared is not None
        contexts, self._contexts = list(self._contexts.values()), {}
        self._pages.clear()
        self._cdps.clear()
        try:
            if contexts and self.alive():
                shared.call(lambda: self._close_all(contexts))
        except Exception as exc:  # the shared browser went meanwhile: its contexts went with it
            log.debug("closing a view's contexts: %s", exc)
        finally:
            kill(self._chromiums)  # a persistent profile's Chromium, if it would not close
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
            self._guard.close()

    def _run(self, url: str, call: Callable[[], T]) -> T:
        """``call()`` in the browser's thread: here, or the shared Chromium's owner thread."""
        shared = self._shared
        if shared is None or shared.on_owner():
            return call()
        if self._guard.browser_killed:
            raise FetchError(url, "the browser was stopped")
        self._waiting = shared.submit(call)
        try:
            return self._waiting.result()  # type: ignore[no-any-return]
        except BrowserStalled as exc:  # the owner gave up the call (the driver stopped, the view was killed)
            raise FetchError(url, str(exc)) from exc
        finally:
            self._waiting = None

    def _wait(self, fut: Any) -> Any:
        """A helper thread's result; in a shared Chromium's owner thread the other views go on meanwhile."""
        return self._shared.wait(fut) if self._shared is not None else fut.result()

    def _crash_live(self) -> None:
        shared = self._shared
        assert shared is not None
        if self._live_cdp is not None:
            shared.crash(self._live_cdp)
        else:  # no DevTools session on the page: every renderer (the other views' pages fail and are retried)
            kill(renderer_pids(shared.chromiums | self._chromiums))

    def _kill_shared_browser(self) -> None:
        assert self._shared is not None
        self._guard.browser_killed = True
        kill(self._chromiums)
        self._shared.kill_browser()

    def _kill_shared(self) -> None:
        assert self._shared is not None
        self._guard.browser_killed = True
        kill(self._chromiums)
        self._shared.kill()

    def alive(self) -> bool:
        """False once Chromium has crashed or was killed: the caller relaunches it."""
        if self._guard.browser_killed or self._driver is None or self._driver.dead:
            return False
        if self._shared is not None and (self._generation != self._shared.generation or not self._shared.alive()):
            return False
        contexts_ok = all(getattr(c, "browser", None) is None or c.browser.is_connected()
                          for c in self._contexts.values())
        return self._browser is not None and self._browser.is_connected() and contexts_ok

    def kill(self) -> None:
        """Stop this browser's Chromium and its driver now, from any thread (a job's watchdog): every call
        waiting on them fails at once, and the browser is no longer :meth:`alive`."""
        self._guard.browser_killed = True
        kill(self._chromiums)
        if self._shared is not None:
            # the shared Chromium is the other lanes' too: stop this view's page, free the thread waiting on it
            # and close its contexts, which makes its calls still waiting in the owner thread fail
            if self._live_cdp is not None:
                self._shared.crash(self._live_cdp)
            waiting = self._waiting
            if waiting is not None and not waiting.done():
                waiting.set_exception(BrowserStalled("the job's watchdog stopped its browser"))
            contexts = list(self._contexts.values())
            self._shared.submit(lambda: self._close_all(contexts))
            return
        if self._driver is not None and self._driver.pid:
            kill({self._driver.pid})

    def _capture_user_agent(self, page: Any, device: str, isolated: bool) -> str:
        # fixed per context: asked once per device rather than once per capture
        if isolated:
            return self._user_agent(page)
        if not self._user_agents.get(device):
            self._user_agents[device] = self._user_agent(page)
        return self._user_agents[device]

    def _configured_user_agent(self, device: str) -> str:
        """The user agent ``device``'s contexts are given (what navigator.userAgent says), asked of no page."""
        if device not in self._context_uas:
            self._context_uas[device] = str(self._context_options(device)["user_agent"])
        return self._context_uas[device]

    def _user_agent(self, page: Any) -> str:
        try:
            with self._bound("navigator.userAgent", cleanup=True):
                return str(page.evaluate("navigator.userAgent"))
        except Exception:  # the page is between documents
            return ""
