"""Install a family's web font from its Fontsource package on the npm registry.

``@fontsource/<slug>`` (OFL fonts from Google Fonts) ships each weight split into
``unicode-range`` subsets (for Noto Sans KR: ``korean``, ``latin``, ``latin-ext``, ... and
numbered slices), declared by ``400.css`` as one ``@font-face`` per subset. An install takes
exactly the faces of ``400.css`` with ``font-style: normal``: the regular face the ECG editor
loads (bold is synthesised, as Chromium does for it).

A variable install (``variable=True``, or a family name ending in " Variable") takes
``@fontsource-variable/<slug>`` instead: ``index.css`` declares the family "<Family>
Variable" with the same kind of subsets, one variable file each (its ``wght`` axis, and
``font-weight: 100 900`` or whatever range the package declares). An install takes its
upright faces with their weight range, as a page importing the package registers them, so
every weight is drawn from the ``wght`` axis (engine.variations). For each face it keeps

* the file a page loads (``files/*.woff2``, as published), and
* an sfnt copy for Skia (``sfnt/*.ttf``): woff2 decompressed with fontTools, its cmap cut to
  the face's ``unicode-range`` so that Skia's per-glyph fallback picks the same face as
  Blink's range test (Fontsource subsets also map a few shared characters, such as the space,
  outside their range);

plus the package's ``LICENSE`` and ``fontface.json`` (read by ``engine.font_store``), in
``<font dir>/<slug>/``. The folder is written beside its final place and renamed into it, so a
failed install leaves the previous one (or nothing) behind. Only the registry's HTTP API is
used (``GET /<package>/latest``, then the tarball, checked against its published digest).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from engine.font_store import MANIFEST_NAME, parse_unicode_range, sfnt_bytes
from motiontext.errors import DownloadError, InputError, StorageError

DEFAULT_REGISTRY = "https://registry.npmjs.org"
REGULAR_CSS = "package/400.css"
VARIABLE_CSS = "package/index.css"  # Fontsource's default axes of a variable package (wght)
VARIABLE_SUFFIX = " Variable"  # the family name a variable package declares
_FACE_RULE = re.compile(r"@font-face\s*{([^}]*)}", re.DOTALL)
_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+);?")
_SRC_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)\s*format\(\s*['\"]?([a-z0-9]+)")
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Installed:
    family: str
    folder: Path
    source: str  # "npm:@fontsource/<slug>@<version>"
    faces: int
    bytes_on_disk: int


@dataclass(frozen=True, slots=True)
class Package:
    """What one install fetches: ``package`` on the registry, the ``family`` name its CSS
    declares (what a scenario names and ``--if-missing`` looks for), the ``css`` file that
    lists the faces, and the ``folder`` name it is installed under."""

    package: str
    family: str
    css: str
    folder: str
    variable: bool

    def weight_ok(self, descriptor: str) -> bool:
        """The faces taken: 400 from a static package, any declared weight (a range) from a
        variable one."""
        return self.variable or descriptor == "400"


@dataclass(frozen=True, slots=True)
class _CssFace:
    url: str  # relative to the package, e.g. ./files/x-400-normal.woff2
    unicode_range: str
    weights: tuple[int, int]  # its font-weight descriptor: (400, 400), (100, 900)


def slug(family: str) -> str:
    """Fontsource's package name for ``family``: "Noto Sans KR" -> "noto-sans-kr"."""
    text = re.sub(r"[^a-z0-9]+", "-", family.strip().lower()).strip("-")
    if not text:
        raise InputError(f"a font family name must contain letters or digits, but is {family!r}")
    return text


def package_for(family: str, variable: bool = False) -> Package:
    """The Fontsource package of ``family``: "Noto Sans KR" -> @fontsource/noto-sans-kr;
    with ``variable`` (or as "Noto Sans KR Variable") -> @fontsource-variable/noto-sans-kr,
    family "Noto Sans KR Variable"."""
    name = family.strip()
    if name.lower().endswith(VARIABLE_SUFFIX.lower()):
        name, variable = name[: -len(VARIABLE_SUFFIX)].strip(), True
    base = slug(name)
    if variable:
        return Package(
            f"@fontsource-variable/{base}",
            name + VARIABLE_SUFFIX,
            VARIABLE_CSS,
            f"{base}-variable",
            True,
        )
    return Package(f"@fontsource/{base}", name, REGULAR_CSS, base, False)


def install_family(
    family: str,
    font_dir: Path,
    registry: str = DEFAULT_REGISTRY,
    timeout_seconds: float = 60,
    variable: bool = False,
) -> Installed:
    """Fetch and install ``family`` (its variable package with ``variable``, see
    :func:`package_for`) into ``font_dir``/<slug>. Raises DownloadError (registry
    unreachable, no such package, digest mismatch), InputError (the package has no regular
    or variable face) or StorageError (the font folder cannot be written)."""
    import httpx

    package = package_for(family, variable)
    base = registry.rstrip("/")
    with httpx.Client(timeout=timeout_seconds, follow_redirects=True) as client:
        meta = _latest(client, base, package.package)
        with tempfile.TemporaryDirectory(prefix="ecg-fontsource-") as tmp:
            tarball = Path(tmp) / "package.tgz"
            _download(client, meta["dist"]["tarball"], tarball, meta["dist"])
            source = f"npm:{package.package}@{meta['version']}"
            return _install_tarball(package, tarball, font_dir, source)


def _latest(client, base: str, package: str) -> dict:
    import httpx

    url = f"{base}/{quote(package, safe='@')}/latest"
    try:
        response = client.get(url, headers={"accept": "application/json"})
    except httpx.HTTPError as exc:
        raise DownloadError(f"the npm registry at {base} is unreachable: {exc}") from None
    if response.status_code == 404:
        raise DownloadError(
            f"no Fontsource package {package} on {base}: is the family name spelled as on "
            "Google Fonts?"
        )
    if response.status_code != 200:
        raise DownloadError(f"{url} answered HTTP {response.status_code}")
    try:
        meta = response.json()
        meta["dist"]["tarball"], meta["version"]
    except (ValueError, KeyError, TypeError):
        raise DownloadError(f"{url} did not answer an npm package manifest") from None
    return meta


def _download(client, url: str, target: Path, dist: dict) -> None:
    import httpx

    integrity = str(dist.get("integrity") or "")
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in ("sha512", "sha256", "sha1") or not expected:
        algorithm, expected = "sha1", str(dist.get("shasum") or "")
        expected = base64.b64encode(bytes.fromhex(expected)).decode() if expected else ""
    digest = hashlib.new(algorithm)
    try:
        with client.stream("GET", url) as response, target.open("wb") as out:
            if response.status_code != 200:
                raise DownloadError(f"{url} answered HTTP {response.status_code}")
            for chunk in response.iter_bytes(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except httpx.HTTPError as exc:
        raise DownloadError(f"downloading {url} failed: {exc}") from None
    if not expected:
        raise DownloadError(f"the registry publishes no digest for {url}")
    if base64.b64encode(digest.digest()).decode() != expected:
        raise DownloadError(f"{url} does not match its published {algorithm} digest")


def _install_tarball(package: Package, tarball: Path, font_dir: Path, source: str):
    """Install from a downloaded Fontsource tarball (see the module docstring)."""
    css_name = package.css.removeprefix("package/")
    small = _members(tarball, {package.css, "package/metadata.json", "package/LICENSE"})
    if package.css not in small:
        kind = "variable" if package.variable else "regular (400)"
        raise InputError(f"{source} has no {kind} face ({css_name})")
    metadata = json.loads(small.get("package/metadata.json", b"{}") or b"{}")
    real_name = str(metadata.get("family") or "")
    if real_name and package.variable:
        real_name += VARIABLE_SUFFIX
    real_name = real_name or package.family
    faces = _upright_faces(small[package.css].decode("utf-8"), real_name, package)
    if not faces:
        kind = "variable" if package.variable else "400"
        raise InputError(f"{source} declares no upright {kind} face of {real_name!r}")
    wanted = {"package/" + f.url.removeprefix("./"): f for f in faces}
    files = _members(tarball, set(wanted))
    absent = sorted(set(wanted) - set(files))
    if absent:
        raise InputError(f"{source} lacks files its {css_name} names: {', '.join(absent[:3])}")

    try:
        font_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{package.folder}.", dir=font_dir))
    except OSError as exc:
        raise StorageError(f"cannot write into font folder {font_dir}: {exc.strerror}") from None
    try:
        entries = []
        for member, face in wanted.items():
            low, high = face.weights
            web = Path("files") / Path(member).name
            converted, kind = sfnt_bytes(files[member], face.unicode_range)
            sfnt = Path("sfnt") / f"{Path(member).stem}.{kind}"
            for rel, data in ((web, files[member]), (sfnt, converted)):
                (staging / rel).parent.mkdir(exist_ok=True)
                (staging / rel).write_bytes(data)
            entries.append(
                {
                    "web": str(web),
                    "sfnt": str(sfnt),
                    "weight": low if low == high else [low, high],
                    "style": "normal",
                    "unicode_range": face.unicode_range,
                }
            )
        license_type = (metadata.get("license") or {}).get("type")
        if "package/LICENSE" in small:
            (staging / "LICENSE").write_bytes(small["package/LICENSE"])
        manifest = {
            "family": real_name,
            "source": source,
            "license": license_type,
            "license_file": "LICENSE" if "package/LICENSE" in small else None,
            "faces": entries,
        }
        (staging / MANIFEST_NAME).write_text(
            json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        size = sum(p.stat().st_size for p in staging.rglob("*") if p.is_file())
        final = font_dir / package.folder
        _replace_dir(staging, final)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageError(f"cannot write into font folder {font_dir}: {exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Installed(real_name, final, source, len(entries), size)


def _members(tarball: Path, names: set[str]) -> dict[str, bytes]:
    """The named regular files of a .tgz (one streaming pass)."""
    out: dict[str, bytes] = {}
    try:
        with tarfile.open(tarball, "r|gz") as tar:
            for member in tar:
                if member.name in names and member.isfile():
                    handle = tar.extractfile(member)
                    if handle is not None:
                        out[member.name] = handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DownloadError(f"the downloaded package is not a readable tarball: {exc}") from None
    return out


def _upright_faces(css: str, family: str, package: Package) -> list[_CssFace]:
    """The ``@font-face`` rules of ``css`` for ``family``, upright, of the weights the
    package's install takes, in order; the woff2 source of each (else the first source)."""
    faces = []
    for body in _FACE_RULE.findall(css):
        decls = {k.lower(): v.strip() for k, v in _DECLARATION.findall(body)}
        if decls.get("font-family", "").strip("'\" ").lower() != family.lower():
            continue
        weight = decls.get("font-weight", "400")
        if decls.get("font-style", "normal") != "normal" or not package.weight_ok(weight):
            continue
        sources = _SRC_URL.findall(decls.get("src", ""))
        if not sources:
            continue
        url = next((u for u, kind in sources if kind == "woff2"), sources[0][0])
        text = decls.get("unicode-range", "")
        parse_unicode_range(text)  # refuse what the store could not read back
        faces.append(_CssFace(url, text, _weight_range(weight)))
    return faces


def _weight_range(descriptor: str) -> tuple[int, int]:
    """A ``font-weight`` descriptor ("400", "100 900") as (low, high)."""
    try:
        values = [round(float(v)) for v in descriptor.split()]
    except ValueError:
        values = []
    if len(values) not in (1, 2) or not 1 <= min(values) <= max(values) <= 1000:
        raise InputError(f"a Fontsource face declares font-weight {descriptor!r}")
    return min(values), max(values)  # CSS swaps a reversed range


def _replace_dir(staging: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
