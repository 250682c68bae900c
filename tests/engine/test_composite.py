"""The YUV-domain blend against references that do not share its code: textbook BT.601/709
formulas in float64 RGB, and FFmpeg's swscale conversions."""

from __future__ import annotations

import av
import numpy as np
import pytest

from engine.composite import Compositor, chroma_aligned_bbox, yuv_matrix
from engine.decode import plane_arrays
from engine.overlay_types import Overlay


def _cupy_usable() -> bool:
    try:
        import cupy  # type: ignore[import-not-found]

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 (no CuPy, no driver, no device: all mean "skip")
        return False


@pytest.fixture(
    params=[
        "numpy",
        pytest.param(
            "cupy",
            marks=[
                pytest.mark.gpu,
                pytest.mark.skipif(
                    not _cupy_usable(), reason="CuPy with a CUDA device is not available"
                ),
            ],
        ),
    ],
)
def xp(request):
    if request.param == "numpy":
        return np
    import cupy  # type: ignore[import-not-found]

    return cupy


# Textbook definitions, written independently of engine.composite: (Kr, Kb) and ranges.
TEXTBOOK = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}


def textbook_yuv(rgb: np.ndarray, matrix: str, full_range: bool) -> np.ndarray:
    """float64 RGB (0..255) -> float64 YUV levels (no rounding, no clipping)."""
    kr, kb = TEXTBOOK[matrix]
    r, g, b = (rgb[..., i] / 255.0 for i in range(3))
    y = kr * r + (1 - kr - kb) * g + kb * b
    pb = (b - y) / (2 * (1 - kb))
    pr = (r - y) / (2 * (1 - kr))
    if full_range:
        return np.stack([255 * y, 128 + 255 * pb, 128 + 255 * pr], axis=-1)
    return np.stack([16 + 219 * y, 128 + 224 * pb, 128 + 224 * pr], axis=-1)


def textbook_rgb(yuv: np.ndarray, matrix: str, full_range: bool) -> np.ndarray:
    """Inverse of textbook_yuv."""
    kr, kb = TEXTBOOK[matrix]
    if full_range:
        y, pb, pr = yuv[..., 0] / 255, (yuv[..., 1] - 128) / 255, (yuv[..., 2] - 128) / 255
    else:
        y, pb, pr = (yuv[..., 0] - 16) / 219, (yuv[..., 1] - 128) / 224, (yuv[..., 2] - 128) / 224
    r = y + 2 * (1 - kr) * pr
    b = y + 2 * (1 - kb) * pb
    g = (y - kr * r - kb * b) / (1 - kr - kb)
    return 255 * np.stack([r, g, b], axis=-1)


def random_frame(rng, width: int, height: int) -> av.VideoFrame:
    """A yuv420p frame with in-gamut random content (luma 60..180, chroma 128 +- 20)."""
    frame = av.VideoFrame(width, height, "yuv420p")
    y, u, v = plane_arrays(frame)
    y[...] = rng.integers(60, 181, y.shape)
    u[...] = rng.integers(108, 149, u.shape)
    v[...] = rng.integers(108, 149, v.shape)
    return frame


def random_overlay(rng, width: int, height: int, bbox, version: int = 1) -> Overlay:
    """Premultiplied RGBA with random alpha (0, 255 and between) inside ``bbox``."""
    rgba = np.zeros((height, width, 4), np.uint8)
    x0, y0, x1, y1 = bbox
    h, w = y1 - y0, x1 - x0
    alpha = rng.choice([0, 255, *range(1, 255)], size=(h, w)).astype(np.float64)
    colour = rng.integers(0, 256, (h, w, 3)).astype(np.float64)
    rgba[y0:y1, x0:x1, :3] = np.round(colour * alpha[..., None] / 255)
    rgba[y0:y1, x0:x1, 3] = alpha
    return Overlay(rgba, bbox, version)


def reference_blend(planes, overlay: Overlay, matrix: str, full_range: bool):
    """Float64 RGB blend of the overlay over the frame, converted back to 4:2:0 YUV."""
    y, u, v = (p.astype(np.float64) for p in planes)
    up = lambda c: np.repeat(np.repeat(c, 2, 0), 2, 1)[: y.shape[0], : y.shape[1]]
    rgb = textbook_rgb(np.stack([y, up(u), up(v)], axis=-1), matrix, full_range)
    a = overlay.rgba[..., 3:].astype(np.float64) / 255
    blended = rgb * (1 - a) + overlay.rgba[..., :3]
    yuv = textbook_yuv(blended, matrix, full_range)
    h, w = y.shape
    chroma = yuv[..., 1:].reshape(h // 2, 2, w // 2, 2, 2).mean(axis=(1, 3))
    return yuv[..., 0], chroma[..., 0], chroma[..., 1]


@pytest.mark.parametrize("matrix", ["bt601", "bt709"])
@pytest.mark.parametrize("full_range", [False, True], ids=["limited", "full"])
def test_blend_matches_float_rgb_reference(xp, matrix, full_range):
    rng = np.random.default_rng(7)
    frame = random_frame(rng, 160, 96)
    source = [p.copy() for p in plane_arrays(frame)]
    overlay = random_overlay(rng, 160, 96, (13, 21, 131, 77))
    compositor = Compositor(160, 96, yuv_matrix(matrix, full_range), xp)
    assert compositor.composite(plane_arrays(frame), overlay)
    expected = reference_blend(source, overlay, matrix, full_range)
    for got, want in zip(plane_arrays(frame), expected):
        diff = np.abs(got.astype(np.float64) - want)
        assert diff.max() <= 1.0, diff.max()  # rounding only


def test_known_colours():
    limited = yuv_matrix("bt709", False)
    assert np.allclose(limited.coeffs @ [255, 255, 255] + limited.offsets, [235, 128, 128])
    assert np.allclose(limited.coeffs @ [0, 0, 0] + limited.offsets, [16, 128, 128])
    red709 = limited.coeffs @ [255, 0, 0] + limited.offsets
    assert np.allclose(red709, [62.56, 102.34, 240.0], atol=0.01)
    red601 = yuv_matrix("bt601", False)
    assert np.allclose(
        red601.coeffs @ [255, 0, 0] + red601.offsets, [81.48, 90.20, 240.0], atol=0.01
    )
    full = yuv_matrix("bt601", True)
    assert np.allclose(full.coeffs @ [255, 255, 255] + full.offsets, [255, 128, 128])


@pytest.mark.parametrize(
    ("matrix", "sws", "full_range"),
    [("bt709", "ITU709", False), ("bt601", "ITU601", False), ("bt709", "ITU709", True)],
)
def test_flat_box_matches_swscale_rgb(matrix, sws, full_range):
    """Inside a flat box the YUV blend equals blending swscale's RGB, within swscale's
    own rounding: catches a wrong matrix, range or alpha convention."""
    width, height = 128, 64
    frame = av.VideoFrame(width, height, "yuv420p")
    y, u, v = plane_arrays(frame)
    y[...], u[...], v[...] = 120, 140, 110
    colour, alpha = np.array([250, 30, 60]), 153
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[16:48, 32:96] = [*np.round(colour * alpha / 255), alpha]
    range_name = "JPEG" if full_range else "MPEG"

    def to_rgb(f: av.VideoFrame) -> np.ndarray:
        return (
            f.reformat(
                format="rgb24",
                src_colorspace=sws,
                dst_colorspace=sws,
                src_color_range=range_name,
                dst_color_range="JPEG",
            )
            .to_ndarray()
            .astype(np.float64)
        )

    before = to_rgb(frame)
    Compositor(width, height, yuv_matrix(matrix, full_range)).composite(
        plane_arrays(frame), Overlay(rgba, (32, 16, 96, 48), 1)
    )
    after = to_rgb(frame)
    expected = before * (1 - alpha / 255) + colour * alpha / 255
    inner = (slice(20, 44), slice(36, 92))
    assert np.abs(after[inner] - expected[inner]).max() <= 3
    outside = (slice(0, 12), slice(None))
    assert np.array_equal(after[outside], before[outside])


def test_empty_and_transparent_overlays_leave_frame_untouched():
    rng = np.random.default_rng(3)
    frame = random_frame(rng, 64, 32)
    source = [p.copy() for p in plane_arrays(frame)]
    compositor = Compositor(64, 32, yuv_matrix("bt709", False))
    rgba = np.zeros((32, 64, 4), np.uint8)
    assert not compositor.composite(plane_arrays(frame), Overlay(rgba, None, 0))
    assert compositor.composite(plane_arrays(frame), Overlay(rgba, (0, 0, 64, 32), 1))
    for got, want in zip(plane_arrays(frame), source):
        assert np.array_equal(got, want)


def test_only_the_chroma_aligned_bbox_is_touched():
    rng = np.random.default_rng(4)
    frame = random_frame(rng, 64, 32)
    source = [p.copy() for p in plane_arrays(frame)]
    rgba = np.full((32, 64, 4), 255, np.uint8)  # opaque white everywhere, but bbox says less
    Compositor(64, 32, yuv_matrix("bt709", False)).composite(
        plane_arrays(frame), Overlay(rgba, (5, 3, 20, 9), 1)
    )
    y, u, _ = plane_arrays(frame)
    mask = np.zeros((32, 64), bool)
    mask[2:10, 4:20] = True  # widened to even edges
    assert (y[mask] == 235).all() and np.array_equal(y[~mask], source[0][~mask])
    assert np.array_equal(u[:1], source[1][:1]) and np.array_equal(u[5:], source[1][5:])


def test_odd_frame_size_edges():
    rng = np.random.default_rng(5)
    width, height = 101, 51
    frame = random_frame(rng, width, height)
    source = [p.copy() for p in plane_arrays(frame)]
    overlay = random_overlay(rng, width, height, (90, 40, 101, 51))
    Compositor(width, height, yuv_matrix("bt601", False)).composite(plane_arrays(frame), overlay)
    y = plane_arrays(frame)[0]
    a = overlay.rgba[40:, 90:, 3]
    assert np.array_equal(y[40:, 90:][a == 0], source[0][40:, 90:][a == 0])
    assert not np.array_equal(y, source[0])


@pytest.mark.parametrize(
    ("bbox", "expected"),
    [
        ((5, 3, 20, 9), (4, 2, 20, 10)),
        ((-7, -1, 3, 2), (0, 0, 4, 2)),
        ((60, 30, 99, 99), (60, 30, 64, 32)),
        ((63, 31, 64, 32), (62, 30, 64, 32)),
        ((10, 10, 10, 20), None),
        ((70, 0, 80, 10), None),
        (None, None),
    ],
)
def test_chroma_aligned_bbox(bbox, expected):
    assert chroma_aligned_bbox(bbox, 64, 32) == expected


def test_prepared_overlay_is_reused_while_version_holds(xp):
    rng = np.random.default_rng(6)
    compositor = Compositor(64, 32, yuv_matrix("bt709", False), xp)
    overlay = random_overlay(rng, 64, 32, (8, 8, 40, 24), version=1)
    for _ in range(3):
        compositor.composite(plane_arrays(random_frame(rng, 64, 32)), overlay)
    assert compositor.prepared_count == 1
    changed = random_overlay(rng, 64, 32, (8, 8, 40, 24), version=2)
    frame = random_frame(rng, 64, 32)
    source = [p.copy() for p in plane_arrays(frame)]
    compositor.composite(plane_arrays(frame), changed)
    assert compositor.prepared_count == 2
    expected = reference_blend(source, changed, "bt709", False)
    assert np.abs(plane_arrays(frame)[0] - expected[0]).max() <= 1.0
