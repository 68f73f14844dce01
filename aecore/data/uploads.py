"""Turn uploaded image bytes into Fashion-MNIST-like (28, 28) float32 arrays, and back into PNGs.

Fashion-MNIST shows a light object on a black background, so `read_image`:
greyscales, composites transparency onto the background, pads to a square with the background
colour, resizes to 28x28 (Lanczos) and inverts pictures whose border is light (> 0.5).
Every failure is an `InvalidImage` whose message a person can act on.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from aecore.data.fashion_mnist import SIDE
from aecore.errors import InvalidImage

SIZE = SIDE   # an upload becomes one Fashion-MNIST-sized image
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
WORK_SIDE = 512  # large pictures are box-reduced to about this size before the final resize

_HINT = "Upload a PNG, JPEG, GIF, BMP or WEBP picture."
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def read_image(data: bytes) -> np.ndarray:
    """Decode uploaded bytes to a (28, 28) float32 array in [0, 1], light object on black.

    Raises InvalidImage for empty, truncated, oversized or non-image input.
    """
    data = _as_bytes(data)
    im = _open(data)
    try:
        grey, alpha = _grey_alpha(im)
    except (InvalidImage, MemoryError):
        raise
    except Exception as exc:  # Pillow raises many types; none may escape
        raise InvalidImage(f"This picture could not be decoded ({exc}). {_HINT}") from exc
    grey = _composite(grey, alpha)
    border = _border_mean(grey)
    small = _resize(_pad_square(grey, border), SIZE)
    if border > 0.5:
        small = 1.0 - small
    return np.ascontiguousarray(small, dtype=np.float32)


def _as_bytes(data) -> bytes:
    """Accept bytes, bytearray, memoryview or an object with getvalue() (Streamlit uploads)."""
    if hasattr(data, "getvalue"):
        data = data.getvalue()
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise InvalidImage(f"Expected the file's bytes, got {type(data).__name__}. {_HINT}")
    if not data:
        raise InvalidImage(f"The file is empty (0 bytes). {_HINT}")
    if len(data) > MAX_BYTES:
        raise InvalidImage(
            f"The file is too large ({len(data) / 2**20:.1f} MB); the limit is "
            f"{MAX_BYTES // 2**20} MB. Resize or compress it and upload again."
        )
    return data


def _open(data: bytes) -> Image.Image:
    """Open and fully decode the first frame, with the size checked before decoding."""
    try:
        im = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_big_error() from exc
    except UnidentifiedImageError as exc:
        raise InvalidImage(_not_an_image_message(data)) from exc
    except Exception as exc:
        raise InvalidImage(f"This file could not be read as a picture ({exc}). {_HINT}") from exc
    width, height = im.size
    if width <= 0 or height <= 0:
        raise InvalidImage(f"The picture has no pixels ({width}x{height}). {_HINT}")
    if width * height > MAX_PIXELS:
        raise _too_big_error(width, height)
    try:
        if im.format == "JPEG":
            im.draft("L", (WORK_SIDE, WORK_SIDE))  # fast greyscale DCT downscale of big photos
        im.load()
    except Exception as exc:
        raise InvalidImage(
            f"The picture is damaged or truncated and could not be decoded ({exc}). "
            "Save it again or upload a different file."
        ) from exc
    return _upright(im)


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation (phone photos); a broken EXIF block is ignored."""
    try:
        return ImageOps.exif_transpose(im) or im
    except Exception:
        return im


def _too_big_error(width: int | None = None, height: int | None = None) -> InvalidImage:
    size = f" ({width}x{height} = {width * height / 1e6:.0f} megapixels)" if width else ""
    return InvalidImage(
        f"The picture is too large{size}; the limit is {MAX_PIXELS // 1_000_000} megapixels. "
        "Resize it (28x28 is all the model uses) and upload again."
    )


def _not_an_image_message(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return f"SVG (vector) pictures are not supported. {_HINT}"
    if head.startswith(b"%pdf"):
        return f"PDF files are not supported. {_HINT}"
    return f"This file is not a picture format we can read. {_HINT}"


def _grey_alpha(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """Greyscale float32 in [0, 1] and alpha in [0, 1] (None if fully opaque)."""
    if im.mode in _SIXTEEN_BIT:
        sixteen = im.mode.startswith("I;16")
        arr = np.asarray(_reduce(im.convert("I")), dtype=np.float32)
        return _integer_scale(arr, sixteen), None
    if im.mode == "F":
        arr = np.nan_to_num(np.asarray(_reduce(im), dtype=np.float32))
        return _unit_range(arr), None
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info:
        im = im.convert("RGBA")
        if _reduce_factor(*im.size) > 1:  # average premultiplied colours, so hidden ones vanish
            im = _reduce(im.convert("RGBa")).convert("RGBA")
        arr = np.asarray(im.convert("LA"), dtype=np.float32) / 255.0
        return arr[..., 0], arr[..., 1]
    return np.asarray(_reduce(im.convert("L")), dtype=np.float32) / 255.0, None


def _integer_scale(arr: np.ndarray, sixteen: bool) -> np.ndarray:
    """Scale 16-bit (or 32-bit integer) greyscale to [0, 1]."""
    top = float(arr.max(initial=0.0))
    scale = 65535.0 if sixteen or top > 255 else 255.0
    return np.clip(arr / max(scale, top), 0.0, 1.0)


def _unit_range(arr: np.ndarray) -> np.ndarray:
    """Float images: keep [0, 1] data, treat anything larger as 0..255."""
    top = float(arr.max(initial=0.0))
    return np.clip(arr / 255.0 if top > 1.0 else arr, 0.0, 1.0)


def _reduce_factor(width: int, height: int) -> int:
    return max(1, max(width, height) // WORK_SIDE)


def _reduce(im: Image.Image) -> Image.Image:
    """Box-average big images in Pillow before converting to floats (memory, speed)."""
    factor = _reduce_factor(*im.size)
    return im.reduce(factor) if factor > 1 else im


def _composite(grey: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """Put transparent areas on the background that contrasts with the visible content.

    A dark drawing on transparency goes on white (and is later inverted), a light one on black.
    """
    if alpha is None:
        return grey
    weight = float(alpha.sum())
    content = float((grey * alpha).sum() / weight) if weight > 0 else 1.0
    background = 0.0 if content > 0.5 else 1.0
    return grey * alpha + background * (1.0 - alpha)


def _border_mean(grey: np.ndarray) -> float:
    """Mean of the outermost rows and columns."""
    edges = (grey[0], grey[-1], grey[:, 0], grey[:, -1])
    return float(np.mean(np.concatenate(edges)))


def _pad_square(grey: np.ndarray, value: float) -> np.ndarray:
    """Centre the image on a square canvas filled with `value`."""
    h, w = grey.shape
    side = max(h, w)
    if h == w:
        return grey
    canvas = np.full((side, side), value, dtype=np.float32)
    top, left = (side - h) // 2, (side - w) // 2
    canvas[top : top + h, left : left + w] = grey
    return canvas


def _resize(grey: np.ndarray, size: int) -> np.ndarray:
    """Lanczos resize of a float image, clipped back to [0, 1] (Lanczos overshoots)."""
    im = Image.fromarray(np.ascontiguousarray(grey, dtype=np.float32))
    out = np.asarray(im.resize((size, size), Image.Resampling.LANCZOS), dtype=np.float32)
    return np.clip(out, 0.0, 1.0)


def to_png_bytes(img: np.ndarray, scale: int = 8) -> bytes:
    """A crisp (nearest-neighbour) PNG of a grey (h, w) or colour (h, w, 3) image in [0, 1]
    (784 flat values are read as 28x28)."""
    arr = np.asarray(img, dtype=np.float32)
    if arr.ndim == 1 and math.isqrt(arr.size) ** 2 == arr.size:
        arr = arr.reshape(math.isqrt(arr.size), -1)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 2 and not (arr.ndim == 3 and arr.shape[-1] == 3):
        raise ValueError(f"to_png_bytes expects (h, w) or (h, w, 3), got shape {arr.shape}")
    pixels = np.round(np.clip(np.nan_to_num(arr), 0.0, 1.0) * 255).astype(np.uint8)
    scale = max(1, int(scale))
    if scale == 1 and pixels.ndim == 2:
        return grey_png(pixels)
    im = Image.fromarray(pixels)
    if scale > 1:
        im = im.resize((im.width * scale, im.height * scale), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def grey_png(pixels: np.ndarray) -> bytes:
    """A greyscale 8-bit PNG of a (h, w) uint8 array, written directly (no filter, zlib level
    6): about 20x faster than Pillow for the 28x28 images a slider step sends by the dozen."""
    h, w = pixels.shape
    rows = np.hstack([np.zeros((h, 1), np.uint8), np.ascontiguousarray(pixels, np.uint8)])

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)   # 8-bit greyscale, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b""))


def tile_images(
    images: Sequence[np.ndarray] | np.ndarray,
    cols: int | None = None,
    pad: int = 1,
    pad_value: float = 0.5,
) -> np.ndarray:
    """Arrange equally sized 2-D images (or rows of 784 values) in a grid, row by row."""
    arr = np.asarray(images, dtype=np.float32)
    if arr.ndim == 2 and math.isqrt(arr.shape[1]) ** 2 == arr.shape[1]:
        side = math.isqrt(arr.shape[1])
        arr = arr.reshape(-1, side, side)
    if arr.ndim != 3 or len(arr) == 0:
        raise ValueError(f"tile_images expects (n, h, w) images, got shape {arr.shape}")
    n, h, w = arr.shape
    cols = max(1, min(cols or math.ceil(math.sqrt(n)), n))
    rows = math.ceil(n / cols)
    grid = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), pad_value, np.float32)
    for i, image in enumerate(arr):
        r, c = divmod(i, cols)
        grid[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = image
    return grid
