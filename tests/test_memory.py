"""aecore.runtime.memory: glibc keeps large freed blocks unless the mmap threshold is fixed."""

import platform

from aecore.runtime import memory


def test_fixing_the_threshold_works_here_and_is_idempotent():
    done = memory.return_large_blocks_to_the_os()
    assert done is memory.return_large_blocks_to_the_os()
    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        assert done is True
