"""A throwaway PostgreSQL server for the tests and benchmarks: started in a temporary folder, on a free
loopback port, with `fsync=off` (nothing in it needs to survive), and removed when stopped.

Debian's PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
`PG_BIN` names another folder of PostgreSQL programs.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import asyncpg

DEFAULT_BIN = "/usr/lib/postgresql/15/bin"
USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """The server could not be started; the message says why."""


class ThrowawayPostgres:
    def __init__(self, bin_dir: str | None = None) -> None:
        self.bin = Path(bin_dir or os.environ.get("PG_BIN", DEFAULT_BIN))
        self.root = Path(tempfile.mkdtemp(prefix="mjbot-pg-"))
        self.port = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        if not (self.bin / "initdb").exists():
            raise PostgresUnavailable(f"no PostgreSQL programs in {self.bin} (set PG_BIN)")
        as_root = os.geteuid() == 0
        if as_root:
            try:
                account = pwd.getpwnam(USER)
            except KeyError:
                raise PostgresUnavailable(f"running as root and there is no {USER!r} user to run PostgreSQL") from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
        data = self.root / "data"
        self._run(as_root, "initdb", "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
        self.port = _free_port()
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=200"
        )
        atexit.register(self.stop)  # a run that ends without stopping it leaves no server behind
        self._run(as_root, "pg_ctl", "-D", str(data), "-l", str(self.root / "log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(PostgresUnavailable):  # already gone; the folder goes anyway
                self._run(os.geteuid() == 0, "pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        atexit.unregister(self.stop)

    async def create_database(self, name: str, template: str = "template1") -> str:
        """A new database (a copy of `template`); returns its URL."""
        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.close()
        return self.url(name)

    def _run(self, as_root: bool, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if as_root:
            command = ["runuser", "-u", USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root, check=False)
        if done.returncode != 0:
            log = self.root / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{program} failed ({done.returncode}): {done.stderr.strip()}\n{tail}".strip())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
