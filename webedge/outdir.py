"""Where `webedge bundle` writes: claim OUT, build beside it, swap it in, never destroy the user's files.

- OUT absent: it is claimed with `mkdir` before any work, so of two runs racing for the same OUT
  exactly one proceeds (the other is told OUT already exists); the bundle is built in a hidden
  `.OUT.tmp-*` folder beside OUT and renamed over the empty claim in one step.
- OUT present: refused, unless `--force` and OUT is empty or an earlier webedge bundle (its
  model.json/report.json, and no file that report.json does not list). Even then it is refused
  when it is the current folder, a symbolic link, or holds (or is an ancestor of) one of the
  inputs. The old bundle is moved aside, the new one renamed in, and only then the old one removed.
- Any failure or interruption removes the hidden folder and the claim; OUT is the old bundle, the
  new one, or absent. The steps that create or move folders run with SIGINT/SIGTERM blocked, so
  a signal is handled just after them, never between a folder's creation and its bookkeeping
  (or between the two renames of a swap).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import tempfile
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

from .errors import WebedgeError

BUNDLE_MARKERS = ("model.json", "report.json")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _foreign_files(out: Path) -> list[str]:
    """Files in OUT that an earlier bundle did not write ([] for a clean earlier bundle)."""
    try:
        listed = set(json.loads((out / "report.json").read_text()).get("files", {})) | set(BUNDLE_MARKERS)
    except (OSError, ValueError, AttributeError):
        listed = set(BUNDLE_MARKERS)
    found = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() or p.is_symlink()]
    return sorted(f for f in found if f not in listed)


def check_replaceable(out: Path, inputs: list[Path], force: bool) -> None:
    """Refuse an OUT whose replacement could destroy something that is not ours."""
    if out.is_symlink():
        raise WebedgeError(f"output path {out} is a symbolic link; pass the folder it points to, or another -o")
    if out.exists() and not out.is_dir():
        raise WebedgeError(f"output path {out} is a file; choose a folder path for -o")
    if not out.parent.is_dir():
        raise WebedgeError(f"the parent folder of {out} does not exist; create {out.parent} first")
    resolved = out.resolve()
    for item in inputs:
        if _inside(item.resolve(), resolved):
            raise WebedgeError(f"output folder {out} holds the input {item}; choose an -o outside it")
    if not out.exists():
        return
    if not force:
        raise WebedgeError(f"output folder {out} already exists; pass --force to replace it")
    if resolved == Path.cwd().resolve():
        raise WebedgeError(f"output folder {out} is the current folder; --force will not replace it, choose a "
                           "subfolder for -o")
    if not any(out.iterdir()):
        return
    if not any((out / m).is_file() for m in BUNDLE_MARKERS):
        raise WebedgeError(f"output folder {out} is not empty and is not a webedge bundle; --force replaces only "
                           "earlier bundles: choose another -o")
    foreign = _foreign_files(out)
    if foreign:
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise WebedgeError(f"output folder {out} holds files that are not part of its bundle ({', '.join(foreign[:3])}"
                           f"{more}); move them out or choose another -o")


def _claim(out: Path) -> bool:
    """mkdir OUT if absent (True: we created the claim); a concurrent winner makes us refuse."""
    if out.exists():
        return False
    try:
        out.mkdir()
    except FileExistsError:
        raise WebedgeError(f"output folder {out} already exists (another run created it just now); "
                           "pass --force to replace it") from None
    return True


def _write_error(out: Path, exc: OSError) -> WebedgeError:
    if exc.errno == errno.ENOSPC:
        return WebedgeError(f"no space left on the device while writing {out}; free some space or choose another -o")
    return WebedgeError(f"could not write {out}: {exc.strerror or exc}")


def _uninterrupted():
    """Block SIGINT/SIGTERM for a few system calls; a signal that came meanwhile is handled after."""
    if not hasattr(signal, "pthread_sigmask"):
        return nullcontext()

    @contextmanager
    def blocked():
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    return blocked()


@contextmanager
def staged(out: Path, inputs: list[Path], force: bool) -> Iterator[Path]:
    """Yield an empty hidden folder beside OUT to build in; on success it becomes OUT."""
    out = Path(out).absolute()
    check_replaceable(out, inputs, force)
    claimed, tmp, done = False, None, False
    try:
        with _uninterrupted():
            claimed = _claim(out)
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        yield tmp
        with _uninterrupted():
            _swap(tmp, out, claimed, inputs, force)
            done = True
    except OSError as exc:
        raise _write_error(out, exc) from None
    finally:
        if tmp is not None and not done:
            shutil.rmtree(tmp, ignore_errors=True)
        if claimed and not done:
            try:
                out.rmdir()  # only ever removes our own empty claim
            except OSError:
                pass


def _swap(tmp: Path, out: Path, claimed: bool, inputs: list[Path], force: bool) -> None:
    if claimed:
        os.rename(tmp, out)  # replaces our empty claim atomically
        return
    check_replaceable(out, inputs, force)  # OUT may have changed while we were building
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)  # put the previous bundle back
        raise
    shutil.rmtree(old, ignore_errors=True)
