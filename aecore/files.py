"""Atomic file writes (temporary file + rename) and checksums."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_KNOWN_DIGESTS: dict[tuple, str] = {}
KNOWN_DIGESTS_MAX = 4096


def sha256_of_unchanged(path: Path) -> str:
    """sha256_of, read again only when the file changed since this process last hashed it.

    "Changed" is any difference in inode, size, modification or status-change time (ns): a
    rewrite, a replacement or a touch all count, and no one can set the status-change time
    back. The app checks every serving file once for the weights status and again when it
    loads a model; the second check costs a stat instead of reading 20 MB.
    """
    info = path.stat()
    key = (str(path), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    digest = _KNOWN_DIGESTS.get(key)   # one lookup: another session's thread may clear it
    if digest is None:
        digest = sha256_of(path)
        if len(_KNOWN_DIGESTS) >= KNOWN_DIGESTS_MAX:   # the Lab's files come and go
            _KNOWN_DIGESTS.clear()
        _KNOWN_DIGESTS[key] = digest
    return digest
