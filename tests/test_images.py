"""read_image: formats, sizes, colour, transparency, inversion, and friendly errors."""

import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from aecore.data.uploads import MAX_BYTES, read_image, tile_images, to_png_bytes
from aecore.errors import InvalidImage


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def square_picture(size=56, background=0, foreground=255, mode="L") -> Image.Image:
    """A centred square object (half the side) on a plain background."""
    arr = np.full((size, size), background, np.uint8)
    q = size // 4
    arr[q : size - q, q : size - q] = foreground
    return Image.fromarray(arr).convert(mode)


def check_output(x: np.ndarray) -> None:
    assert x.shape == (28, 28)
    assert x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0


def border(x: np.ndarray) -> float:
    return float(np.concatenate([x[0], x[-1], x[:, 0], x[:, -1]]).mean())


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size (decompression-bomb style)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


# --- valid pictures ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "WEBP", "TIFF"])
def test_lossless_formats_light_object_on_black(fmt):
    kw = {"lossless": True} if fmt == "WEBP" else {}
    x = read_image(encode(square_picture(), fmt, **kw))
    check_output(x)
    assert border(x) < 0.02
    assert x[10:18, 10:18].min() > 0.98


def test_jpeg():
    x = read_image(encode(square_picture(mode="RGB"), "JPEG", quality=90))
    check_output(x)
    assert border(x) < 0.05
    assert x[10:18, 10:18].mean() > 0.9


def test_colour_becomes_grey():
    arr = np.zeros((28, 28, 3), np.uint8)
    arr[7:21, 7:21] = (255, 0, 0)  # pure red: luminance 0.299
    x = read_image(encode(Image.fromarray(arr), "PNG"))
    assert x[14, 14] == pytest.approx(0.299, abs=0.01)
    assert border(x) < 0.01


def test_exact_28x28_roundtrip():
    arr = np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)
    arr[0, :] = arr[-1, :] = arr[:, 0] = arr[:, -1] = 0  # dark border: no inversion
    x = read_image(encode(Image.fromarray(arr), "PNG"))
    np.testing.assert_allclose(x, arr / 255.0, atol=1e-5)


def test_dark_background_not_inverted():
    x = read_image(encode(square_picture(background=20, foreground=230), "PNG"))
    assert border(x) < 0.1
    assert x[14, 14] > 0.85


def test_light_background_auto_inverted():
    x = read_image(encode(square_picture(background=255, foreground=0), "PNG"))
    check_output(x)
    assert border(x) < 0.02
    assert x[10:18, 10:18].min() > 0.98


@pytest.mark.parametrize("side", [40, 2000])  # 2000: reduced in Pillow before the resize
def test_rgba_dark_drawing_on_transparency(side):
    """A black drawing on a transparent canvas ends up light on black."""
    arr = np.zeros((side, side, 4), np.uint8)
    arr[..., :3] = 255  # hidden colour under alpha 0 is white: it must not leak in
    q = side // 4
    arr[q : side - q, q : side - q] = (0, 0, 0, 255)  # opaque black square
    x = read_image(encode(Image.fromarray(arr, "RGBA"), "PNG"))
    check_output(x)
    assert border(x) < 0.02
    assert x[12:16, 12:16].min() > 0.95


def test_rgba_light_drawing_on_transparency():
    arr = np.zeros((40, 40, 4), np.uint8)
    arr[..., :3] = 255  # transparent *white*: colour under alpha 0 must not matter
    arr[10:30, 10:30] = (255, 255, 255, 255)
    x = read_image(encode(Image.fromarray(arr, "RGBA"), "PNG"))
    assert border(x) < 0.02
    assert x[12:16, 12:16].min() > 0.95


def test_fully_transparent_is_blank():
    x = read_image(encode(Image.new("RGBA", (30, 30), (255, 255, 255, 0)), "PNG"))
    assert x.max() < 1e-6


@pytest.mark.parametrize("side", [28, 1400])  # 1400: reduced in Pillow before the resize
def test_sixteen_bit_png_scaled(side):
    arr = np.zeros((28, 28), np.uint16)
    arr[4:24, 4:24] = 32768
    arr[16:20, 16:20] = 65535
    arr = np.kron(arr, np.ones((side // 28, side // 28), np.uint16))
    im = Image.fromarray(arr)
    assert im.mode.startswith("I;16")
    x = read_image(encode(im, "PNG"))
    check_output(x)
    assert x[9, 9] == pytest.approx(0.5, abs=0.01)
    assert x.max() == pytest.approx(1.0, abs=0.01)
    assert border(x) < 0.01


def test_sixteen_bit_light_background_inverted():
    arr = np.full((28, 28), 65535, np.uint16)
    arr[7:21, 7:21] = 0
    x = read_image(encode(Image.fromarray(arr), "PNG"))
    assert border(x) < 0.01
    assert x[10, 10] > 0.99


def test_large_photo_keeps_aspect_ratio():
    """4000x3000: resized quickly, padded top and bottom with the background."""
    arr = np.zeros((3000, 4000), np.uint8)
    arr[200:2800, 200:3800] = 200
    data = encode(Image.fromarray(arr).convert("RGB"), "JPEG", quality=85)
    start = time.perf_counter()
    x = read_image(data)
    assert time.perf_counter() - start < 5.0
    check_output(x)
    assert x[:3].max() < 0.05 and x[-3:].max() < 0.05  # padding rows (3000/4000 of 28 = 21 rows)
    assert x[14, 14] == pytest.approx(200 / 255, abs=0.05)


def test_tall_picture_padded_left_and_right():
    arr = np.zeros((280, 70), np.uint8)
    arr[20:260, 10:60] = 255
    x = read_image(encode(Image.fromarray(arr), "PNG"))
    assert x[:, :10].max() < 0.05 and x[:, -10:].max() < 0.05
    assert x[14, 14] > 0.9


def test_palette_gif():
    im = square_picture(mode="RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    x = read_image(encode(im, "GIF"))
    check_output(x)
    assert border(x) < 0.02
    assert x[14, 14] > 0.98


def test_animated_gif_uses_first_frame():
    first = square_picture(mode="RGB").convert("P")
    second = Image.new("RGB", (56, 56), (0, 0, 0)).convert("P")
    data = encode(first, "GIF", save_all=True, append_images=[second], duration=100)
    x = read_image(data)
    assert x[14, 14] > 0.98


def test_gif_with_transparency():
    im = Image.new("P", (32, 32), 0)
    im.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)  # 0: white (transparent), 1: black
    im.paste(1, (8, 8, 24, 24))
    x = read_image(encode(im, "GIF", transparency=0))
    assert border(x) < 0.02
    assert x[14, 14] > 0.95


def test_accepts_bytearray_and_uploaded_file_like():
    data = encode(square_picture(), "PNG")
    expected = read_image(data)
    np.testing.assert_array_equal(read_image(bytearray(data)), expected)
    np.testing.assert_array_equal(read_image(io.BytesIO(data)), expected)


# --- invalid input ----------------------------------------------------------------------------


def message_of(data) -> str:
    with pytest.raises(InvalidImage) as info:
        read_image(data)
    assert not isinstance(info.value, (OSError, SyntaxError))
    return str(info.value)


def test_empty_bytes():
    assert "empty" in message_of(b"")


def test_garbage_bytes():
    data = np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    msg = message_of(data)
    assert "PNG" in msg and "JPEG" in msg


def test_text_file():
    assert "not a picture" in message_of(b"name,price\nshirt,12\n" * 20)


def test_svg_named_in_message():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'
    assert "SVG" in message_of(svg)


def test_truncated_png():
    data = encode(
        Image.fromarray(np.random.default_rng(2).integers(0, 256, (200, 200, 3), dtype=np.uint8)),
        "PNG",
    )
    msg = message_of(data[: len(data) // 2])
    assert "truncated" in msg or "damaged" in msg


def test_truncated_jpeg():
    data = encode(square_picture(size=300, mode="RGB"), "JPEG")
    msg = message_of(data[: len(data) // 3])
    assert "truncated" in msg or "damaged" in msg


def test_decompression_bomb_header():
    msg = message_of(png_header_only(100_000, 100_000))
    assert "too large" in msg and "megapixels" in msg


def test_above_our_pixel_cap_but_below_pillows():
    msg = message_of(png_header_only(8_000, 6_000))  # 48 MP: Pillow would only warn
    assert "too large" in msg and "8000x6000" in msg


def test_zero_size_header():
    message_of(png_header_only(0, 10))


def test_too_many_bytes():
    msg = message_of(b"\x89PNG" + b"\x00" * (MAX_BYTES + 1))
    assert "MB" in msg


def test_not_bytes():
    message_of("shirt.png")


# --- output helpers ---------------------------------------------------------------------------


def test_to_png_bytes_is_crisp_and_scaled():
    x = np.zeros((28, 28), np.float32)
    x[::2, ::2] = 1.0
    im = Image.open(io.BytesIO(to_png_bytes(x, scale=8)))
    assert im.format == "PNG" and im.size == (224, 224)
    arr = np.asarray(im)
    assert set(np.unique(arr)) == {0, 255}  # nearest neighbour: no smoothing
    assert arr[:8, :8].min() == 255 and arr[8:16, :8].max() == 0


def test_to_png_bytes_clips_and_accepts_flat():
    x = np.linspace(-1, 2, 784)
    arr = np.asarray(Image.open(io.BytesIO(to_png_bytes(x, scale=1))))
    assert arr.shape == (28, 28) and arr.min() == 0 and arr.max() == 255


def test_tile_images():
    imgs = [np.full((28, 28), i / 5, np.float32) for i in range(5)]
    grid = tile_images(imgs, cols=3, pad=2, pad_value=1.0)
    assert grid.shape == (2 * 28 + 2, 3 * 28 + 2 * 2)
    assert grid[0, 0] == 0.0 and grid[0, 30] == pytest.approx(0.2)
    assert grid[30, 60] == 1.0  # the unused sixth cell stays padding


def test_exif_orientation_applied():
    im = Image.new("L", (60, 30), 0)
    im.paste(255, (0, 0, 30, 30))  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise: the white half ends up on top
    x = read_image(encode(im, "JPEG", exif=exif, quality=95))
    assert x[4:12, 10:18].mean() > 0.9 and x[16:24, 10:18].mean() < 0.1


@pytest.mark.parametrize("shape", [(28, 28), (1, 1), (5, 113)])
def test_grey_png_decodes_to_the_same_pixels(shape):
    from aecore.data.uploads import grey_png

    pixels = np.random.default_rng(3).integers(0, 256, shape, dtype=np.uint8)
    decoded = Image.open(io.BytesIO(grey_png(pixels)))
    assert decoded.mode == "L" and decoded.size == shape[::-1]
    assert np.array_equal(np.asarray(decoded), pixels)
