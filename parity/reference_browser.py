"""The original renderer (npm motiontext-renderer 1.5.0) driven headlessly in Debian's Chromium.

A debugging and parity aid only (``ecg-render parity``, the parity tests, the benchmarks): the
product never needs a browser to render. It drives the harness page in
``tests/parity/harness`` (``page.html`` + ``harness.js`` + its ``npm ci`` packages) through
Playwright, following ``shared/spec/reference-harness.md``. Plugins are not registered in the
page, so plugin chains have no effect there.

Contract of :meth:`ReferenceRenderer.render`: one ``(height, width, 4)`` uint8 RGBA array per
requested time, **straight** (non-premultiplied) alpha, transparent where no caption is drawn,
device pixel ratio 1. Playwright is imported only when a browser starts.

Processes: one :class:`ReferenceBrowser` (one Chromium) per thread at a time, opened by
:func:`reference_browser` and shared by every :class:`ReferenceRenderer` (one browser context
and page each) opened inside it. Chromium runs without its zygote (``--no-zygote``): on this
kind of machine stuck zygotes reaping renderer children once livelocked the kernel and could
not be killed. For the same reason the browser tree runs on one CPU (:mod:`parity.one_cpu`),
from launch or, for the benchmark's ``all_cpus`` browser, from before anything in it exits.
Every call into the page is registered (:func:`calls_in_progress`) so that a
caller's watchdog can say which browser hung, and where.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
from PIL import Image

from engine.host_page import HostPage
from engine.overlay import DECLARED_FONT_DIRS, DECLARED_FONTS
from motiontext.css import parse_font_families
from motiontext.errors import InputError, RenderError, ScenarioError
from motiontext.font_families import named_font_families
from motiontext.parse import load_scenario
from parity import one_cpu

REPO_ROOT = Path(__file__).resolve().parents[1]
HARNESS_DIR = REPO_ROOT / "tests" / "parity" / "harness"
CHROMIUM_PATH = "/usr/bin/chromium"
# Matches how the goldens were made (checked against them, see test_harness_smoke.py).
# --no-zygote needs --no-sandbox; renderers then are plain children of the browser process.
CHROMIUM_ARGS = ["--no-sandbox", "--no-zygote", "--disable-gpu", "--hide-scrollbars"]
_TRANSPARENT = {"color": {"r": 0, "g": 0, "b": 0, "a": 0}}
# Seeks, then returns what the frame shows: "" when no node is mounted (nothing can be drawn),
# else the stage markup with every inline style the renderer and GSAP wrote.
_SEEK_AND_SIGN = """ts => {
  window.harness.seekMany(ts);
  const frame = document.getElementById('frame');
  return frame.querySelector('[data-node-id]') ? frame.innerHTML : '';
}"""


def find_chromium() -> str | None:
    """Debian's Chromium (never a Playwright-downloaded one), or None when absent."""
    for name in (CHROMIUM_PATH, "chromium"):
        path = shutil.which(name)
        if path:
            return path
    return None


def default_fonts_dir() -> Path | None:
    """The folder the harness serves at ``/fonts/`` (it holds RobotoFlex.ttf, which the page
    declares): the same folders the native renderer takes its declared fonts from."""
    wanted = next(iter(DECLARED_FONTS.values()))
    for folder in DECLARED_FONT_DIRS:
        if (folder / wanted).is_file():
            return folder
    return None


class _Handler(SimpleHTTPRequestHandler):
    """Serves the harness dir at /, fonts at /fonts/, web fonts of the font folders at
    /webfonts/<token>/<name> (``web_files``: token -> file), and optional scenario assets as
    fallback."""

    # Module scripts are refused unless served with a JavaScript MIME type.
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".ttf": "font/ttf",
        ".otf": "font/otf",
    }

    def __init__(
        self,
        *args: Any,
        fonts_dir: Path | None,
        assets_dir: Path | None,
        web_files: dict[str, Path],
        **kw: Any,
    ):
        self._fonts_dir = fonts_dir
        self._assets_dir = assets_dir
        self._web_files = web_files
        super().__init__(*args, directory=str(HARNESS_DIR), **kw)

    def translate_path(self, path: str) -> str:
        # The base class maps the URL under HARNESS_DIR (and refuses ".." escapes); re-root it.
        local = Path(super().translate_path(path))
        rel = local.relative_to(HARNESS_DIR)
        if rel.parts[:1] == ("webfonts",) and len(rel.parts) == 3:
            return str(self._web_files.get(rel.parts[1], HARNESS_DIR / "missing"))
        if rel.parts[:1] == ("fonts",) and self._fonts_dir is not None:
            font = self._fonts_dir.joinpath(*rel.parts[1:])
            if font.exists() or self._assets_dir is None:
                return str(font)
        if self._assets_dir is not None and not local.exists():
            return str(self._assets_dir / rel)
        return str(local)

    def end_headers(self) -> None:
        # A reused browser must never see a stale harness.js after an edit.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _families(scenario: dict) -> tuple[str, ...]:
    """The font families a scenario document names (none when it does not parse: the page
    then reports the scenario's error itself)."""
    try:
        return named_font_families(load_scenario(scenario))
    except ScenarioError:
        return ()


@dataclass(frozen=True, slots=True)
class _Call:
    browser: str
    what: str
    since: float


_calls: dict[int, _Call] = {}
_calls_lock = threading.Lock()


@contextlib.contextmanager
def browser_call(browser: str, what: str) -> Iterator[None]:
    """Registers a call into ``browser`` (a description such as "Chromium pid 123") for as
    long as it runs, for :func:`calls_in_progress`."""
    key = object()
    with _calls_lock:
        _calls[id(key)] = _Call(browser, what, time.monotonic())
    try:
        yield
    finally:
        with _calls_lock:
            del _calls[id(key)]


def calls_in_progress() -> list[str]:
    """The browser calls running now, each as "<browser>: <what> (for N s)"."""
    now = time.monotonic()
    with _calls_lock:
        calls = list(_calls.values())
    return [f"{c.browser}: {c.what} (for {now - c.since:.1f} s)" for c in calls]


class ReferenceBrowser:
    """One headless Debian Chromium driven by Playwright, without zygote processes.

    Owns the Playwright driver and the browser; :class:`ReferenceRenderer` opens a context and
    page in it per use. ``pid`` is Chromium's browser process. Use :func:`reference_browser`
    rather than this class directly: Playwright's sync API allows one driver per thread.
    """

    def __init__(self, chromium_path: str = CHROMIUM_PATH, *, all_cpus: bool = False) -> None:
        self.chromium_path = chromium_path
        # all_cpus: run on every CPU until something in the tree is about to exit (see
        # parity.one_cpu); for the benchmark's peer, which must not be slowed down.
        self.all_cpus = all_cpus
        self.pid: int | None = None
        self.interrupted = False  # a call was cut off (a timeout): the page may be hung
        self._pw: Any = None
        self._browser: Any = None

    def __str__(self) -> str:
        return f"Chromium pid {self.pid} ({self.chromium_path})"

    def start(self) -> Self:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise InputError(
                "the reference renderer needs Playwright: pip install -e '.[test]'"
            ) from None
        try:
            with contextlib.nullcontext() if self.all_cpus else one_cpu.children_on_one_cpu():
                self._pw = sync_playwright().start()
                self._browser = self._pw.chromium.launch(
                    executable_path=self.chromium_path, headless=True, args=CHROMIUM_ARGS
                )
            info = self._browser.new_browser_cdp_session().send("SystemInfo.getProcessInfo")
            self.pid = next(p["id"] for p in info["processInfo"] if p["type"] == "browser")
        except BaseException:
            self.close()
            raise
        return self

    @contextlib.contextmanager
    def call(self, what: str) -> Iterator[None]:
        """:func:`browser_call` for this browser; marks it ``interrupted`` when the call is
        cut off by a BaseException that is no error (a test timeout, Ctrl-C)."""
        try:
            with browser_call(str(self), what):
                yield
        except Exception:
            raise
        except BaseException:
            self.interrupted = True
            raise

    def new_context(self, **options: Any) -> Any:
        with self.call("new browser context"):
            return self._browser.new_context(**options)

    @property
    def connected(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    def before_exits(self) -> None:
        """Called before a context or the browser closes (children exit and are reaped):
        an ``all_cpus`` browser, Playwright's driver included, moves to one CPU now."""
        if self.all_cpus and self.pid is not None:
            with contextlib.suppress(FileNotFoundError):  # Chromium is gone already
                driver = _parent_pid(self.pid)
                root = driver if driver != os.getpid() else self.pid
                one_cpu.pin_process_tree(root, one_cpu.chosen_cpu())
            self.all_cpus = False

    def kill(self) -> None:
        """SIGKILL Chromium (its renderers follow it): for a browser that stopped answering,
        whose polite close would hang too. Playwright's calls then fail instead of waiting."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def close(self) -> None:
        """Close Chromium and stop the driver; safe to call twice."""
        if self._browser is not None:
            self.before_exits()
            with contextlib.suppress(Exception):
                self._browser.close()
            self._browser = None
        if self._pw is not None:
            self._pw.stop()
            self._pw = None


def _parent_pid(pid: int) -> int:
    # /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ")".
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


_open_browsers = threading.local()


@contextlib.contextmanager
def reference_browser(chromium_path: str = CHROMIUM_PATH) -> Iterator[ReferenceBrowser]:
    """This thread's browser: launched here and closed on exit, unless one is already open
    in this thread (a test session's), which is then reused and left open."""
    current: ReferenceBrowser | None = getattr(_open_browsers, "browser", None)
    if current is not None and current.connected:
        yield current
        return
    browser = ReferenceBrowser(chromium_path).start()
    _open_browsers.browser = browser
    try:
        yield browser
    finally:
        _open_browsers.browser = None
        browser.close()


class ReferenceRenderer:
    """Context manager owning a loopback static server and one browser context + page.

    ``fonts_dir`` holds RobotoFlex.ttf (default: :func:`default_fonts_dir`); ``assets_dir``
    serves relative asset URLs of ``define`` entries (e.g. ``fonts/X.woff2``). ``browser``:
    the Chromium to open the page in; by default this thread's (:func:`reference_browser`),
    launched for this renderer only when none is open. Not thread-safe: one caller at a time.
    """

    def __init__(
        self,
        chromium_path: str = CHROMIUM_PATH,
        fonts_dir: Path | None = None,
        assets_dir: Path | None = None,
        browser: ReferenceBrowser | None = None,
    ) -> None:
        if not (HARNESS_DIR / "node_modules" / "motiontext-renderer").is_dir():
            raise InputError(
                f"the reference harness is not installed: expected the npm packages in "
                f"{HARNESS_DIR}/node_modules; run `npm ci` there (or `make setup`)"
            )
        self._chromium_path = chromium_path
        self._fonts_dir = fonts_dir if fonts_dir is not None else default_fonts_dir()
        self._assets_dir = assets_dir
        self._browser = browser
        self._owned = contextlib.ExitStack()
        self._server: ThreadingHTTPServer | None = None
        self._context: Any = None
        self._page: Any = None
        self._cdp: Any = None
        self._web_files: dict[str, Path] = {}  # served at /webfonts/<token>/
        self._web_tokens: dict[Path, str] = {}
        self.page_errors: list[str] = []

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        handler = functools.partial(
            _Handler,
            fonts_dir=self._fonts_dir,
            assets_dir=self._assets_dir,
            web_files=self._web_files,
        )
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        port = self._server.server_address[1]

        if self._browser is None:
            self._browser = self._owned.enter_context(reference_browser(self._chromium_path))
        self._context = self._browser.new_context(
            viewport={"width": 1920, "height": 1080}, device_scale_factor=1
        )
        with self._browser.call("open the harness page"):
            self._page = self._context.new_page()
            self._page.on("pageerror", lambda err: self.page_errors.append(str(err)))
            self._page.goto(f"http://127.0.0.1:{port}/page.html")
            self._page.wait_for_function("window.harnessReady === true")
            self._cdp = self._context.new_cdp_session(self._page)

    def close(self) -> None:
        """Close the page's context, the browser if this renderer launched it, and the
        server; safe to call twice."""
        if self._context is not None:
            if self._browser is not None and self._browser.connected:
                # Its renderer exits here and is reaped: a browser call like any other.
                self._browser.before_exits()
                with self._browser.call("close the page's context"), contextlib.suppress(Exception):
                    self._context.close()
            self._context = None
        self._owned.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- rendering -------------------------------------------------------------------------

    def _evaluate(self, script: str, arg: Any = None) -> Any:
        # The one boundary where Playwright's errors (a page exception in reset(), e.g. a
        # stage that does not fill the frame) enter the project's error tree.
        from playwright.sync_api import Error as PlaywrightError

        try:
            with self._browser.call(f"page.evaluate({script[:60]!r})"):
                return self._page.evaluate(script, arg)
        except PlaywrightError as exc:
            raise RenderError(f"reference renderer failed: {exc.message}") from None

    def _reset(self, scenario: dict, width: int, height: int, page: HostPage | None = None) -> None:
        with self._browser.call("set the viewport size"):
            self._page.set_viewport_size({"width": width, "height": height})
        self._evaluate(
            "([s, w, h, host]) => window.harness.reset(s, w, h, 1, host)",
            [scenario, width, height, self._host_setup(_families(scenario), page or HostPage())],
        )

    def _host_setup(self, families: Iterable[str], page: HostPage) -> dict:
        """What harness.js applies for ``page``: the host style as CSS on the frame, its
        language, and the web fonts of ``families`` (each font folder file the native
        renderer uses, loaded as the editor loads it: one FontFace each)."""
        store = page.shaper().fonts.store
        faces = []
        if store is not None:
            for face in store.faces_for(families):
                token = self._web_tokens.setdefault(face.web, str(len(self._web_tokens)))
                self._web_files[token] = face.web
                faces.append(
                    {
                        "family": face.family,
                        "url": f"/webfonts/{token}/{face.web.name}",
                        "weight": face.weight_descriptor,
                        "style": "italic" if face.italic else "normal",
                        "unicodeRange": face.unicode_range,
                    }
                )
        return {"css": page.style.css(), "lang": page.style.lang, "fonts": faces}

    def _seek(self, times: list[float]) -> None:
        if times:
            self._evaluate("ts => window.harness.seekMany(ts)", times)

    def _capture(self, width: int, height: int) -> np.ndarray:
        # Playwright resets the background override after its own screenshots, so re-send it.
        with self._browser.call("Page.captureScreenshot"):
            self._cdp.send("Emulation.setDefaultBackgroundColorOverride", _TRANSPARENT)
            shot = self._cdp.send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                    "optimizeForSpeed": True,
                },
            )
        png = Image.open(io.BytesIO(base64.b64decode(shot["data"])))
        return np.asarray(png.convert("RGBA"))

    def iter_render(
        self,
        scenario: dict,
        times: list[float],
        width: int,
        height: int,
        fps: float = 30,
        reuse_unchanged: bool = False,
        page: HostPage | None = None,
    ) -> Iterator[tuple[float, np.ndarray]]:
        """Sequential playback (spec 14.3), yielding ``(t, frame)`` in increasing ``t``: one
        reset, then every frame ``k/fps`` from 0 is seeked up to each requested time, which is
        captured. Frames stream: only the latest is referenced here.

        ``reuse_unchanged``: when the stage's DOM (markup and inline styles) is identical to
        the last captured one, the previous array object is yielded again without a capture,
        and a frame with no mounted node is one shared all-transparent array. Callers may
        test ``frame is previous`` to know nothing changed; they must not write into frames.
        ``page``: the host style and web fonts (default: bare, no font folders).
        """
        self._reset(scenario, width, height, page)
        k = 0
        last_signature: str | None = None
        last_frame: np.ndarray | None = None
        empty: np.ndarray | None = None
        for t in sorted(set(times)):
            # Grid frames strictly before t, then t itself (exact when t is on the grid).
            pending = []
            while k / fps < t - 1e-9:
                pending.append(k / fps)
                k += 1
            if abs(k / fps - t) <= 1e-9:
                k += 1
            if not reuse_unchanged:
                self._seek([*pending, t])
                yield t, self._capture(width, height)
                continue
            signature = self._evaluate(_SEEK_AND_SIGN, [*pending, t])
            if signature == "":
                if empty is None:
                    empty = np.zeros((height, width, 4), dtype=np.uint8)
                    empty.flags.writeable = False
                yield t, empty
                continue
            if signature != last_signature or last_frame is None:
                last_frame = self._capture(width, height)
                last_signature = signature
            yield t, last_frame

    def render(
        self,
        scenario: dict,
        times: list[float],
        width: int,
        height: int,
        sequential: bool = True,
        fps: float = 30,
        page: HostPage | None = None,
    ) -> list[np.ndarray]:
        """Render the caption overlay at each time (seconds); arrays in the order of ``times``.

        ``sequential`` (spec 14.3): one reset, then seek every frame ``k/fps`` from 0 up to the
        last requested time, capturing at the requested ones (as the goldens were made).
        Otherwise each time is rendered fresh: reset, then a single seek.
        """
        if not sequential:
            out = []
            for t in times:
                self._reset(scenario, width, height, page)
                self._seek([t])
                out.append(self._capture(width, height))
            return out
        captured = dict(self.iter_render(scenario, times, width, height, fps, page=page))
        return [captured[t] for t in times]

    def platform_fonts(
        self, text: str, css: dict[str, str], page: HostPage | None = None
    ) -> list[tuple[str, int]]:
        """(family, glyph count) of each font Chromium draws ``text`` with, in an element
        styled with ``css`` (e.g. ``{"font-family": ...}``) inside the frame that carries
        ``page`` (its host style, and the web fonts of the families ``css`` names)."""
        families = parse_font_families(css.get("font-family")) or ()
        host = self._host_setup(families, page or HostPage())
        self._evaluate("([t, c, h]) => window.harness.probe(t, c, h)", [text, css, host])
        with self._browser.call("CSS.getPlatformFontsForNode"):
            root = self._cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
            node = self._cdp.send("DOM.querySelector", {"nodeId": root, "selector": "#font-probe"})
            self._cdp.send("CSS.enable")
            fonts = self._cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
        return [(f["familyName"], int(f["glyphCount"])) for f in fonts["fonts"]]

    def boxes(
        self, scenario: dict, t: float, width: int, height: int, page: HostPage | None = None
    ) -> list[dict]:
        """Fresh seek to ``t``; layout boxes (CSS px, frame origin) of every node and wrapper.

        Each dict: ``nodeId``, ``role`` (``node`` or ``base-wrapper``), ``className``, ``rect``
        (x, y, width, height from getBoundingClientRect), computed ``fontSize``,
        ``lineHeight``, ``fontFamily``, and the inline ``style`` the renderer wrote.
        """
        self._reset(scenario, width, height, page)
        self._seek([t])
        return self._evaluate("() => window.harness.boxes()")
