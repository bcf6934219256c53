"""A private PostgreSQL server in a temporary folder, for tests that must restart one.

The shared server is never touched: this one is initialised with initdb (as the postgres
OS user when the tests run as root), listens on a free loopback port, and is removed after.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from glob import glob
from pathlib import Path

from conftest import free_port


def unavailable_reason() -> str | None:
    """Why a private server cannot be started here, or None."""
    if postgres_binaries() is None:
        return "needs PostgreSQL server binaries (/usr/lib/postgresql/*/bin)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root needs the postgres OS user to run initdb"
    return None


def postgres_binaries() -> Path | None:
    found = sorted(
        glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    def __init__(self) -> None:
        self.bin = postgres_binaries()
        self.root = Path(tempfile.mkdtemp(prefix="onestop-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/onestop"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.run(
            "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"
        )
        self.start()
        self.run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "onestop")

    def run(self, tool: str, *args) -> None:
        command = [str(self.bin / tool), *map(str, args)]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60, cwd=self.root)

    def pg_ctl(self, action: str, *args) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self.run(
            "pg_ctl",
            action,
            "-D",
            self.data,
            "-w",
            "-t",
            "30",
            "-l",
            self.root / "log",
            "-o",
            options,
            *args,
        )

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self) -> None:
        """Fast shutdown (open transactions are cut off), then start again."""
        self.pg_ctl("restart", "-m", "fast")

    def remove(self) -> None:
        try:
            self.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
