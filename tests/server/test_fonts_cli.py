"""`ecg-render fonts install | list` (server/cli/fonts.py, server/fontsource.py) against a
loopback npm registry serving Fontsource-shaped packages built here (no network): the
regular faces of 400.css with their unicode ranges, the licence, digest checks, installs
that replace a family whole or not at all, and a variable package (index.css, "<Family>
Variable" with a weight range)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine.font_store import FontStore
from server.cli import main
from tests.engine.font_files import font_bytes
from tests.server.conftest import ServerThread

FAMILY = "Test Display"
CSS = """
/* test-display-latin-400-normal */
@font-face {
  font-family: 'Test Display';
  font-style: normal;
  font-display: swap;
  font-weight: 400;
  src: url(./files/test-display-latin-400-normal.woff2) format('woff2'), url(./files/test-display-latin-400-normal.woff) format('woff');
  unicode-range: U+0000-00FF,U+2000-206F;
}
/* test-display-latin-ext-400-normal */
@font-face {
  font-family: 'Test Display';
  font-style: normal;
  font-weight: 400;
  src: url(./files/test-display-latin-ext-400-normal.woff2) format('woff2');
  unicode-range: U+0100-024F;
}
@font-face {
  font-family: 'Test Display';
  font-style: italic;
  font-weight: 400;
  src: url(./files/test-display-latin-400-italic.woff2) format('woff2');
  unicode-range: U+0000-00FF;
}
"""


VARIABLE_CSS = """
/* test-display-latin-wght-normal */
@font-face {
  font-family: 'Test Display Variable';
  font-style: normal;
  font-display: swap;
  font-weight: 100 900;
  src: url(./files/test-display-latin-wght-normal.woff2) format('woff2-variations');
  unicode-range: U+0000-00FF;
}
/* test-display-latin-wght-italic */
@font-face {
  font-family: 'Test Display Variable';
  font-style: italic;
  font-weight: 100 900;
  src: url(./files/test-display-latin-wght-italic.woff2) format('woff2-variations');
  unicode-range: U+0000-00FF;
}
"""


def _variable_package() -> bytes:
    """@fontsource-variable/test-display: index.css declares "Test Display Variable"."""
    face = font_bytes(f"{FAMILY} Variable", flavor="woff2", wght_axis=(100, 900))
    return _tarball(
        {
            "package/index.css": VARIABLE_CSS.encode(),
            "package/metadata.json": json.dumps(
                {"family": FAMILY, "license": {"type": "OFL-1.1"}}
            ).encode(),
            "package/LICENSE": b"SIL OPEN FONT LICENSE Version 1.1 (test copy)\n",
            "package/files/test-display-latin-wght-normal.woff2": face,
            "package/files/test-display-latin-wght-italic.woff2": face,
        }
    )


def _tarball(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _package() -> bytes:
    members = {
        "package/400.css": CSS.encode(),
        "package/700.css": b"/* not the regular face */",
        "package/metadata.json": json.dumps(
            {"family": FAMILY, "license": {"type": "OFL-1.1"}}
        ).encode(),
        "package/LICENSE": b"SIL OPEN FONT LICENSE Version 1.1 (test copy)\n",
    }
    for subset in ("latin", "latin-ext"):
        stem = f"package/files/test-display-{subset}-400-normal"
        members[f"{stem}.woff2"] = font_bytes(FAMILY, flavor="woff2")
        members[f"{stem}.woff"] = font_bytes(FAMILY, flavor="woff")
    members["package/files/test-display-latin-400-italic.woff2"] = font_bytes(FAMILY)
    return _tarball(members)


@dataclass
class Registry:
    url: str = ""
    tarball: bytes = b""
    variable_tarball: bytes = b""
    version: str = "5.0.0"
    corrupt: bool = False  # publish a digest that does not match the tarball
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def registry() -> Iterator[Registry]:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    state = Registry(tarball=_package(), variable_tarball=_variable_package())

    def packed(scope: str) -> bytes:
        return state.variable_tarball if scope == "fontsource-variable" else state.tarball

    async def latest(request):  # type: ignore[no-untyped-def]
        state.requests.append(request.url.path)
        scope = request.path_params["scope"]
        if request.path_params["name"] != "test-display":
            return JSONResponse({"error": "Not found"}, status_code=404)
        digest = hashlib.sha512(packed(scope) + (b"x" if state.corrupt else b"")).digest()
        return JSONResponse(
            {
                "name": f"@{scope}/test-display",
                "version": state.version,
                "dist": {
                    "tarball": f"{state.url}/tarballs/{scope}/test-display-{state.version}.tgz",
                    "integrity": "sha512-" + base64.b64encode(digest).decode(),
                },
            }
        )

    async def tarball(request):  # type: ignore[no-untyped-def]
        state.requests.append(request.url.path)
        return Response(packed(request.path_params["scope"]), media_type="application/octet-stream")

    app = Starlette(
        routes=[
            Route("/@{scope}/{name}/latest", latest),
            Route("/tarballs/{scope}/{file}", tarball),
        ]
    )
    with ServerThread(app) as server:
        state.url = server.url
        yield state


def _install(registry: Registry, font_dir: Path, *families: str, extra: tuple = ()) -> int:
    argv = ["fonts", "install", *families, "--registry", registry.url, "--font-dir", str(font_dir)]
    return main([*argv, *extra])


def test_install_registers_the_regular_subsets_with_licence(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert _install(registry, tmp_path / "fonts", FAMILY) == 0
    assert (
        "Test Display: 2 faces from npm:@fontsource/test-display@5.0.0" in capsys.readouterr().out
    )

    folder = tmp_path / "fonts" / "test-display"
    manifest = json.loads((folder / "fontface.json").read_text(encoding="utf-8"))
    assert manifest["license"] == "OFL-1.1" and (folder / "LICENSE").read_text().startswith("SIL")
    assert [f["unicode_range"] for f in manifest["faces"]] == [
        "U+0000-00FF,U+2000-206F",
        "U+0100-024F",
    ]
    for face in manifest["faces"]:
        assert (folder / face["web"]).read_bytes()[:4] == b"wOF2"  # as published
        assert (folder / face["sfnt"]).suffix == ".ttf"  # what Skia reads
    assert sorted(p.name for p in (tmp_path / "fonts").iterdir()) == ["test-display"]

    family = FontStore([tmp_path / "fonts"]).family(FAMILY)
    assert family is not None and family.source == "npm:@fontsource/test-display@5.0.0"
    assert [f.weight for f in family.faces] == [400, 400] and not any(
        f.italic for f in family.faces
    )

    assert main(["fonts", "list", "--font-dir", str(tmp_path / "fonts")]) == 0
    listing = capsys.readouterr().out
    assert "Test Display" in listing and "npm:@fontsource/test-display@5.0.0" in listing


def test_if_missing_skips_and_failures_keep_the_installed_family(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    fonts = tmp_path / "fonts"
    assert _install(registry, fonts, FAMILY) == 0
    before = (fonts / "test-display" / "fontface.json").read_bytes()

    registry.requests.clear()
    assert _install(registry, fonts, FAMILY, extra=("--if-missing",)) == 0
    assert registry.requests == [] and "already in" in capsys.readouterr().out

    registry.corrupt = True
    try:
        assert _install(registry, fonts, FAMILY) == 1
    finally:
        registry.corrupt = False
    assert "does not match its published sha512 digest" in capsys.readouterr().err
    assert (fonts / "test-display" / "fontface.json").read_bytes() == before
    assert sorted(p.name for p in fonts.iterdir()) == ["test-display"]  # no staging left

    assert _install(registry, fonts, "No Such Family") == 1
    assert "no Fontsource package @fontsource/no-such-family" in capsys.readouterr().err


def test_list_without_families(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["fonts", "list", "--font-dir", str(tmp_path)]) == 0
    assert 'ecg-render fonts install "Noto Sans KR"' in capsys.readouterr().out


@pytest.mark.parametrize("spec", [("--variable", FAMILY), (f"{FAMILY} Variable",)])
def test_install_a_variable_package(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture, spec: tuple[str, ...]
) -> None:
    """``--variable`` (or the family name a variable package declares) installs
    @fontsource-variable/<slug>: the upright faces of index.css with their weight range,
    registered as "<Family> Variable" beside the static family."""
    fonts = tmp_path / "fonts"
    assert _install(registry, fonts, FAMILY) == 0
    assert _install(registry, fonts, *spec) == 0
    out = capsys.readouterr().out
    assert "Test Display Variable: 1 faces from npm:@fontsource-variable/test-display@5.0.0" in out

    manifest = json.loads((fonts / "test-display-variable" / "fontface.json").read_text())
    assert [(f["weight"], f["style"]) for f in manifest["faces"]] == [([100, 900], "normal")]
    store = FontStore([fonts])
    family = store.family("Test Display Variable")
    assert family is not None and [f.weight_descriptor for f in family.faces] == ["100 900"]
    assert store.family(FAMILY) is not None  # the static family stays

    registry.requests.clear()
    assert _install(registry, fonts, *spec, extra=("--if-missing",)) == 0
    assert registry.requests == []
    assert "Test Display Variable: already in" in capsys.readouterr().out

    assert main(["fonts", "list", "--font-dir", str(fonts)]) == 0
    assert "1 (100 900)" in capsys.readouterr().out

    assert _install(registry, fonts, "--variable", "No Such Family") == 1
    assert "no Fontsource package @fontsource-variable/no-such-family" in capsys.readouterr().err
