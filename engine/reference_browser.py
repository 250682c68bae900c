"""The original renderer (npm motiontext-renderer 1.5.0) driven headlessly in Debian's Chromium.

A debugging and parity aid only (``ecg-render parity``, the parity tests, the benchmarks): the
product never needs a browser to render. It drives the harness page in
``tests/parity/harness`` (``page.html`` + ``harness.js`` + its ``npm ci`` packages) through
Playwright, following ``shared/spec/reference-harness.md``. Plugins are not registered in the
page, so plugin chains have no effect there.

Contract of :meth:`ReferenceRenderer.render`: one ``(height, width, 4)`` uint8 RGBA array per
requested time, **straight** (non-premultiplied) alpha, transparent where no caption is drawn,
device pixel ratio 1. Playwright is imported only when a renderer starts.
"""

from __future__ import annotations

import base64
import functools
import io
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
from PIL import Image

from motiontext.errors import InputError, RenderError

from .overlay import DECLARED_FONT_DIRS, DECLARED_FONTS

REPO_ROOT = Path(__file__).resolve().parents[1]
HARNESS_DIR = REPO_ROOT / "tests" / "parity" / "harness"
CHROMIUM_PATH = "/usr/bin/chromium"
# Matches how the goldens were made (checked against them, see test_harness_smoke.py).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
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
    """Serves the harness dir at /, fonts at /fonts/, and optional scenario assets as fallback."""

    # Module scripts are refused unless served with a JavaScript MIME type.
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".woff2": "font/woff2",
        ".ttf": "font/ttf",
    }

    def __init__(self, *args: Any, fonts_dir: Path | None, assets_dir: Path | None, **kw: Any):
        self._fonts_dir = fonts_dir
        self._assets_dir = assets_dir
        super().__init__(*args, directory=str(HARNESS_DIR), **kw)

    def translate_path(self, path: str) -> str:
        # The base class maps the URL under HARNESS_DIR (and refuses ".." escapes); re-root it.
        local = Path(super().translate_path(path))
        rel = local.relative_to(HARNESS_DIR)
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


class ReferenceRenderer:
    """Context manager owning a loopback static server and one headless Chromium page.

    ``fonts_dir`` holds RobotoFlex.ttf (default: :func:`default_fonts_dir`); ``assets_dir``
    serves relative asset URLs of ``define`` entries (e.g. ``fonts/X.woff2``). Not thread-safe:
    one caller at a time.
    """

    def __init__(
        self,
        chromium_path: str = CHROMIUM_PATH,
        fonts_dir: Path | None = None,
        assets_dir: Path | None = None,
    ) -> None:
        if not (HARNESS_DIR / "node_modules" / "motiontext-renderer").is_dir():
            raise InputError(
                f"the reference harness is not installed: expected the npm packages in "
                f"{HARNESS_DIR}/node_modules; run `npm ci` there (or `make setup`)"
            )
        self._chromium_path = chromium_path
        self._fonts_dir = fonts_dir if fonts_dir is not None else default_fonts_dir()
        self._assets_dir = assets_dir
        self._server: ThreadingHTTPServer | None = None
        self._pw: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._cdp: Any = None
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
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise InputError(
                "the reference renderer needs Playwright: pip install -e '.[test]'"
            ) from None

        handler = functools.partial(
            _Handler, fonts_dir=self._fonts_dir, assets_dir=self._assets_dir
        )
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        port = self._server.server_address[1]

        self._pw = sync_playwright().start()
        # Debian's Chromium, never a downloaded one.
        self._browser = self._pw.chromium.launch(
            executable_path=self._chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        context = self._browser.new_context(
            viewport={"width": 1920, "height": 1080}, device_scale_factor=1
        )
        self._page = context.new_page()
        self._page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        self._page.goto(f"http://127.0.0.1:{port}/page.html")
        self._page.wait_for_function("window.harnessReady === true")
        self._cdp = context.new_cdp_session(self._page)

    def close(self) -> None:
        """Stop Chromium, Playwright and the server; safe to call twice."""
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._pw is not None:
            self._pw.stop()
            self._pw = None
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
            return self._page.evaluate(script, arg)
        except PlaywrightError as exc:
            raise RenderError(f"reference renderer failed: {exc.message}") from None

    def _reset(self, scenario: dict, width: int, height: int) -> None:
        self._page.set_viewport_size({"width": width, "height": height})
        self._evaluate("([s, w, h]) => window.harness.reset(s, w, h)", [scenario, width, height])

    def _seek(self, times: list[float]) -> None:
        if times:
            self._evaluate("ts => window.harness.seekMany(ts)", times)

    def _capture(self, width: int, height: int) -> np.ndarray:
        # Playwright resets the background override after its own screenshots, so re-send it.
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
    ) -> Iterator[tuple[float, np.ndarray]]:
        """Sequential playback (spec 14.3), yielding ``(t, frame)`` in increasing ``t``: one
        reset, then every frame ``k/fps`` from 0 is seeked up to each requested time, which is
        captured. Frames stream: only the latest is referenced here.

        ``reuse_unchanged``: when the stage's DOM (markup and inline styles) is identical to
        the last captured one, the previous array object is yielded again without a capture,
        and a frame with no mounted node is one shared all-transparent array. Callers may
        test ``frame is previous`` to know nothing changed; they must not write into frames.
        """
        self._reset(scenario, width, height)
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
    ) -> list[np.ndarray]:
        """Render the caption overlay at each time (seconds); arrays in the order of ``times``.

        ``sequential`` (spec 14.3): one reset, then seek every frame ``k/fps`` from 0 up to the
        last requested time, capturing at the requested ones (as the goldens were made).
        Otherwise each time is rendered fresh: reset, then a single seek.
        """
        if not sequential:
            out = []
            for t in times:
                self._reset(scenario, width, height)
                self._seek([t])
                out.append(self._capture(width, height))
            return out
        captured = dict(self.iter_render(scenario, times, width, height, fps))
        return [captured[t] for t in times]

    def boxes(self, scenario: dict, t: float, width: int, height: int) -> list[dict]:
        """Fresh seek to ``t``; layout boxes (CSS px, frame origin) of every node and wrapper.

        Each dict: ``nodeId``, ``role`` (``node`` or ``base-wrapper``), ``className``, ``rect``
        (x, y, width, height from getBoundingClientRect), computed ``fontSize``,
        ``lineHeight``, ``fontFamily``, and the inline ``style`` the renderer wrote.
        """
        self._reset(scenario, width, height)
        self._seek([t])
        return self._evaluate("() => window.harness.boxes()")
