"""One Chromium for the crawl: a browser-owner thread that the lanes (and the night's stages) hand work to.

Playwright's sync API is bound to the thread that started it.  Rather than a driver and a Chromium per lane
(about 430 MB each), one thread owns the night's one Playwright driver and one Chromium; each lane gets its
own :class:`crawler.browser.Browser` *view* on it (``SharedChromium.browser(config)``): its own contexts (one
per device, so one per engine and device), its own deadlines and watchdog, its own pacing (the lane's).

The lanes' pages still run at once: each call a lane hands over runs in a greenlet of its own in the owner
thread (:func:`playwright._impl._greenlets.run_in_greenlet`, as Playwright runs its event handlers), and a
greenlet waiting for the browser passes control to Playwright's event loop, where the others go on.  So a
page that never yields costs only its own lane's call: its view's guard crashes that page's renderer
(``Page.crash`` over the page's DevTools session, sent before the page was stuck), and, only when that did not
free the call, stops the shared Chromium -- which then relaunches once for every lane
(:meth:`SharedChromium.relaunch` starts a new one for the first view that asks, the others find it started).

Where ``profile_dir`` is set, each view's search contexts are persistent (a profile folder per engine and
device, consent cookies kept across nights): Playwright launches a Chromium of their own for them, from the
owner's driver; everything else (the isolated visits, the harvest) stays in the shared Chromium.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import logging
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from crawler.browser_driver import Driver
from crawler.browser_guard import CallGuard
from crawler.browser_launch import INSTALL_HINT, BrowserConfig, find_chromium, launch_options
from crawler.browser_procs import chromium_pids, kill
from crawler.errors import BrowserNotFound, BrowserStalled

if TYPE_CHECKING:
    from crawler.browser import Browser

log = logging.getLogger("crawler.browser")

LAUNCH_S = 90.0  # starting a Chromium, at most (a loaded machine takes its time)
T = TypeVar("T")


class SharedChromium:
    """The night's one Chromium and the thread that drives it. Use as a context manager.

    ``config`` says how Chromium is launched (executable, headless, the sandbox address); ``proxies`` are
    the proxies the views' contexts will use (reached as configured, never mapped to the sandbox).
    """

    def __init__(self, config: BrowserConfig | None = None, *, proxies: tuple[str, ...] = ()) -> None:
        self.config = config or BrowserConfig()
        self.proxies = proxies
        self.generation = 0  # Chromiums launched so far: a view started on an older one knows it is gone
        self.launch: dict[str, Any] = {}
        self.pw: Any = None
        self.chromium: Any = None
        self.driver: Driver | None = None
        self.chromiums: set[int] = set()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._loop: Any = None
        self._dispatcher: Any = None
        self._park: Any = None  # the owner thread waits on it; set to wake it (relaunch, close)
        self._closing = False
        self._restart = False
        self._killed = False  # the current Chromium was stopped (by a guard or a watchdog)
        self._failed: BaseException | None = None
        self._inflight: set[cf.Future[Any]] = set()
        self._guard = CallGuard(lambda: set(), lambda: set(self.chromiums),
                                lambda: self.driver.pid if self.driver else None)

    # -- life -----------------------------------------------------------------------------------------

    def __enter__(self) -> SharedChromium:
        executable = find_chromium(self.config.executable)
        self.launch = launch_options(self.config, executable, self.proxies)
        self._thread = threading.Thread(target=self._own, name="serpaudit-browser", daemon=True)
        self._thread.start()
        with self._cond:
            self._cond.wait_for(lambda: self.generation > 0 or self._failed is not None, timeout=LAUNCH_S + 30)
        if self.generation == 0:
            self.__exit__(None, None, None)
            raise BrowserNotFound(f"Chromium at {executable} did not start: {self._failed}. {INSTALL_HINT}")
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        with self._cond:
            self._closing = True
        self._wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=LAUNCH_S)
            if self._thread.is_alive():  # a driver that would not stop: stop it by pid
                self.kill()
                self._thread.join(timeout=10)
        self._guard.close()

    def browser(self, config: BrowserConfig | None = None) -> Browser:
        """A view on this Chromium with ``config``'s contexts (locale, proxy, profile, deadlines), entered."""
        from crawler.browser import Browser

        return Browser(config or self.config, shared=self).__enter__()

    def alive(self) -> bool:
        return (not self._killed and self.chromium is not None and self.driver is not None
                and not self.driver.dead and self.chromium.is_connected())

    def relaunch(self, seen: int) -> None:
        """Start a new Chromium unless one newer than generation ``seen`` is already there: however many
        views find the browser dead, it is relaunched once."""
        with self._cond:
            if self.generation != seen or self._closing:
                return
            if not self._restart:
                self._restart = True
                log.warning("the shared browser stopped or crashed: relaunching it once for every lane")
                self._wake_locked()
            self._cond.wait_for(lambda: self.generation != seen or self._failed is not None or self._closing,
                                timeout=LAUNCH_S + 30)
            if self.generation == seen:
                raise BrowserNotFound(f"the shared Chromium did not start again: {self._failed}")

    def kill(self) -> None:
        """Stop the Chromium (every view's pages) and the driver now, from any thread."""
        self.kill_browser()
        if self.driver is not None and self.driver.pid:
            kill({self.driver.pid})

    def kill_browser(self) -> None:
        self._killed = True
        kill(self.chromiums)

    # -- the owner thread -----------------------------------------------------------------------------

    def _own(self) -> None:
        try:
            while True:
                try:
                    self._start()
                except Exception as exc:
                    log.warning("the shared Chromium did not start: %s", exc)
                    with self._cond:
                        self._failed = exc
                        self._cond.notify_all()
                    return
                try:
                    from playwright._impl._greenlets import wait_for_future

                    wait_for_future(self._loop, self._dispatcher, self._park)
                except Exception as exc:  # the driver is gone: every call still waiting on it fails
                    log.warning("the shared browser's driver stopped: %s", str(exc).splitlines()[0])
                    self._fail_inflight("the Playwright driver stopped")
                with self._cond:
                    if self._closing:
                        return
                self._stop_browser()
        finally:
            self._stop_browser()
            self._fail_inflight("the shared browser closed")
            if self.driver is not None:
                self.driver.stop()
                self.driver = None
            with self._cond:
                self._cond.notify_all()

    def _start(self) -> None:
        if self.driver is None or self.driver.dead:
            if self.driver is not None:
                self.driver.stop()
            self.driver = Driver()
            self.pw = self.driver.pw
            self._loop, self._dispatcher = self.pw._loop, self.pw._dispatcher_fiber  # Playwright's own
        before = chromium_pids(self.driver.pid)
        with self._guard.bound("starting Chromium", LAUNCH_S):
            self.chromium = self.pw.chromium.launch(**self.launch)
        self.chromiums = chromium_pids(self.driver.pid) - before
        self._park = self._loop.create_future()
        with self._cond:
            self._killed = self._restart = False
            self.generation += 1
            self._cond.notify_all()
        log.info("shared browser started (launch %d): %s", self.generation, self.launch["executable_path"])

    def _stop_browser(self) -> None:
        chromium, self.chromium = self.chromium, None
        if chromium is None:
            return
        try:
            if self.driver is not None and not self.driver.dead and not self._killed:
                with self._guard.bound("closing the browser", LAUNCH_S / 3):
                    chromium.close()
        except Exception as exc:  # a crashed or stopped browser cannot close politely
            log.debug("closing the shared browser: %s", exc)
        kill(self.chromiums)  # whatever is left of it
        self.chromiums = set()

    def _wake(self) -> None:
        with self._cond:
            self._wake_locked()

    def _wake_locked(self) -> None:
        park, loop = self._park, self._loop
        if park is None or loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(lambda: park.done() or park.set_result(None))
        except RuntimeError:  # the loop closed meanwhile
            pass

    def _fail_inflight(self, why: str) -> None:
        with self._cond:
            waiting, self._inflight = list(self._inflight), set()
        for fut in waiting:
            if not fut.done():
                fut.set_exception(BrowserStalled(why))

    # -- handing work over ----------------------------------------------------------------------------

    def on_owner(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, fn: Callable[[], T]) -> cf.Future[T]:
        """Run ``fn`` (sync Playwright calls) in a greenlet of the owner thread; its future, at once."""
        from playwright._impl._greenlets import EventGreenlet, run_in_greenlet

        out: cf.Future[T] = cf.Future()
        with self._cond:
            if self._dispatcher is None or self._dispatcher.dead or self._closing:
                out.set_exception(BrowserStalled("the shared browser is not running"))
                return out
            self._inflight.add(out)
            loop = self._loop

        def settle(done: asyncio.Future[T]) -> None:
            with self._cond:
                self._inflight.discard(out)
            if out.done():  # given up by its view's watchdog meanwhile
                return
            if done.cancelled():
                out.set_exception(BrowserStalled("the call was cancelled"))
            elif done.exception() is not None:
                out.set_exception(done.exception())  # type: ignore[arg-type]
            else:
                out.set_result(done.result())

        def start() -> None:
            if out.done():
                return
            run_in_greenlet(EventGreenlet, fn).add_done_callback(settle)

        try:
            loop.call_soon_threadsafe(start)
        except RuntimeError:
            self._fail_inflight("the shared browser is not running")
        return out

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` run in the owner thread (directly when already there); its result or its error."""
        if self.on_owner():
            return fn()
        return self.submit(fn).result()

    def wait(self, fut: cf.Future[T]) -> T:
        """``fut``'s result; in the owner thread the other greenlets go on meanwhile."""
        if self.on_owner() and self._dispatcher is not None and not self._dispatcher.dead:
            from playwright._impl._greenlets import wait_for_future

            wrapped = asyncio.wrap_future(fut, loop=self._loop)
            wait_for_future(self._loop, self._dispatcher, wrapped)
            return wrapped.result()
        return fut.result()

    def crash(self, cdp: Any) -> None:
        """Crash the renderer of the page ``cdp`` (its DevTools session) is attached to, without waiting: a
        renderer busy in a script still answers ``Page.crash`` (handled on its IO thread)."""
        def send() -> None:
            try:
                cdp.send("Page.crash")
            except Exception as exc:  # the crashed page does not answer: that is the point
                log.debug("Page.crash: %s", exc)

        self.submit(send)
