"""Writing files atomically: a crash or an error leaves the old file as it was."""

from __future__ import annotations

import glob
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kortools.processes import is_alive


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only if the block succeeds.

    The new file gets the permissions a plain ``open()`` would give it (the umask), not
    the private mode of a temporary file.
    """
    target = Path(target)
    remove_stale_temporaries(target)
    prefix = f".{target.name}.{os.getpid()}."
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
    os.close(handle)
    try:
        yield Path(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def atomic_write(target: Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``target`` atomically, flushed to disk."""
    target = Path(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(target) as temporary, open(temporary, "wb") as out:
        out.write(payload)
        out.flush()
        os.fsync(out.fileno())
    return target


def remove_stale_temporaries(target: Path) -> None:
    """Temporary files beside ``target`` left by a writer that was killed (``kill -9`` runs
    no clean-up; issue #31 item 6): each names its process, and one whose process is gone
    is removed."""
    for temporary in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        pid = temporary.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not is_alive(int(pid)):
            temporary.unlink(missing_ok=True)
