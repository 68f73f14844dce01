"""Keep the serving process's memory steady: hand freed buffers back to the operating system.

glibc's malloc raises its mmap threshold every time a large block is freed, so after the first
inferences ONNX Runtime's intermediate buffers (up to 32 MB each) come from the heap and stay
there once freed. Measured here: 9 models reconstructing 512 images each took the process from
240 to 503 MiB, and it never came down. A fixed threshold keeps large blocks in mmap, returned
on free: the same work then ends at 226 MiB.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_MMAP_THRESHOLD = -3          # mallopt() parameter number in glibc's malloc.h
MMAP_THRESHOLD_BYTES = 128 * 1024   # glibc's default starting value, now kept fixed


@functools.cache
def return_large_blocks_to_the_os() -> bool:
    """Fix glibc's mmap threshold (idempotent); False where malloc is not glibc's."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = libc.mallopt if libc is not None else None
    except (OSError, AttributeError):   # not glibc (macOS, musl without mallopt, Windows)
        return False
    return mallopt is not None and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
