"""Writing a file so that it is never half-written, never lands somewhere it should not (a FIFO,
a device, a directory, through a symlink) and keeps the permissions the user gave it.

The text goes to a temporary file in the target's folder, takes the old file's permission mode
(or 0666 minus the umask for a new file, as open() would give; mkstemp's 0600 would silently
make a shared save private), is synced and renamed over the target. Any exception, including
the CLI's `Interrupted` raised by SIGINT/SIGTERM, removes the temporary file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

_DEFERRED = {signal.SIGINT, signal.SIGTERM}


class UnsafeTarget(Exception):
    """The target is no place for the file; the message says why and what would allow it."""


def target_problem(path: str | Path, force: bool = False) -> str | None:
    """Why `path` may not be written (None if it may). `force` allows replacing a symlink
    (the link itself, never its target), a FIFO or socket, or a read-only file."""
    if str(path) == "":
        return "the path is empty"
    path = Path(path)
    folder = path.parent
    try:
        fst = os.stat(folder)
    except FileNotFoundError:
        return f"folder {folder} does not exist (create it first)"
    except OSError as exc:
        return f"cannot reach folder {folder} ({exc.strerror or exc.__class__.__name__})"
    if not stat.S_ISDIR(fst.st_mode):
        return f"{folder} is not a folder"
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot inspect it ({exc.strerror or exc.__class__.__name__})"
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        return "is a directory; give a file name"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device; a save never replaces one"
    if force:
        return None
    if stat.S_ISLNK(mode):
        return "is a symbolic link; refusing to replace it (--force replaces the link itself, never its target)"
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket"
        return f"is {kind}, not a regular file; refusing to replace it (--force does)"
    if not stat.S_ISREG(mode):
        return "is not a regular file; refusing to replace it (--force does)"
    if not mode & 0o222 or not os.access(path, os.W_OK):
        return "is read-only; refusing to replace it (--force does, keeping its mode)"
    return None


def folder_problem(folder: str | Path) -> str | None:
    """Why new files may not be written into `folder` (None if they may), creating it if it is
    missing. A probe file is made and removed: permission bits and os.access miss read-only
    mounts, ACLs and a root without CAP_DAC_OVERRIDE, and a game should fail here, not mid-play."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return "exists and is not a directory"
    except OSError as exc:
        return f"cannot create it ({exc.strerror or exc.__class__.__name__})"
    if not folder.is_dir():
        return "exists and is not a directory"
    try:
        with signals_deferred():  # an interrupt waits until the probe is gone again
            fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=folder)
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        return f"cannot write there ({exc.strerror or exc.__class__.__name__}); give a writable directory"
    return None


def current_umask() -> int:
    """The process umask, read without changing it where Linux allows (/proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    try:
        st = os.lstat(path)
    except OSError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode):
        return stat.S_IMODE(st.st_mode) & 0o777
    return 0o666 & ~current_umask()


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM for a few statements that must not be split (creating the temp
    file and learning its name); a held signal is delivered on exit."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def write_atomic(path: str | Path, text: str, force: bool = False) -> None:
    """Replace `path` with `text` in one rename; raises UnsafeTarget or OSError, leaving any
    earlier file untouched and no temporary file behind."""
    problem = target_problem(path, force)
    if problem:
        raise UnsafeTarget(problem)
    path = Path(path)
    mode = _mode_for(path)
    tmp: str | None = None
    try:
        with signals_deferred():
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; best effort (some file systems refuse fsync on a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
