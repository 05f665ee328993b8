"""A throwaway PostgreSQL cluster for tests and benchmarks of a PostgreSQL ledger.

`throwaway_cluster()` runs ``initdb`` and ``pg_ctl`` (found on ``PATH`` or under Debian's
``/usr/lib/postgresql/<version>/bin``) in a new temporary directory, listening only on a Unix
socket there, and yields the superuser's URL; the cluster is stopped and removed afterwards.
Run as root, it runs them as the ``postgres`` system user (PostgreSQL refuses to run as root).
`ClusterUnavailable` says why there is none. Durability is off (``fsync=off``): the data is
thrown away anyway.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["ClusterUnavailable", "find_bindir", "throwaway_cluster"]


class ClusterUnavailable(RuntimeError):
    """No throwaway cluster could be started; the message says why."""


def find_bindir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are (the newest Debian version if not on ``PATH``)."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


@contextlib.contextmanager
def throwaway_cluster(*, max_connections: int = 60) -> Iterator[str]:
    """Start a cluster in a temporary directory; yield ``postgresql://postgres@/postgres?...``."""
    bindir = find_bindir()
    if bindir is None:
        raise ClusterUnavailable("initdb and pg_ctl were not found")
    folder = Path(tempfile.mkdtemp(prefix="sgfund-pg-"))
    as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0
    if as_postgres:
        shutil.chown(folder, "postgres")

    def run(*command: str) -> None:
        line = " ".join(shlex.quote(c) for c in command)
        argv = ["su", "postgres", "-s", "/bin/sh", "-c", line] if as_postgres else list(command)
        subprocess.run(argv, check=True, capture_output=True, text=True)  # noqa: S603

    data = folder / "data"
    options = (
        f"-k {folder} -c listen_addresses='' -c fsync=off -c max_connections={max_connections}"
    )
    try:
        run(str(bindir / "initdb"), "-A", "trust", "-U", "postgres", "-N", "-D", str(data))
        log = str(folder / "log")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", log, "-o", options, "-w", "start")
    except subprocess.CalledProcessError as err:
        shutil.rmtree(folder, ignore_errors=True)
        raise ClusterUnavailable(f"the cluster did not start: {err.stderr.strip()[-300:]}") from err
    try:
        yield f"postgresql://postgres@/postgres?host={folder}"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
