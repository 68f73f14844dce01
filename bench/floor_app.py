"""The framework's floor for a cold start: the Overview's title and one picture, nothing else.

`make bench` cold-starts this with `streamlit run` (same config, same browser, same measure as
the app) so BENCHMARKS.md can say how much of the app's cold start is Streamlit's own on the
machine at hand, and how much is the app's.
"""

import base64
import struct
import zlib

import streamlit as st


def grey_png(side: int = 28, level: int = 128) -> bytes:
    """A plain grey square as a PNG, written by hand (no numpy or PIL to import)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes([level]) * side for _ in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


st.title("Autoencoder Explorer")
st.html(f'<img alt="A grey square" width="84" '
        f'src="data:image/png;base64,{base64.b64encode(grey_png()).decode()}">')
