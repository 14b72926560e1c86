"""Harness of the replicas suite: loam replicas as child processes, PostgreSQL databases to put
under them, and a thin HTTP client. The tests themselves and what they check are described in
test_replicas.py.

Env:
  LOAM_BIN                the loam binary (required; e2e/run.sh passes it)
  LOAM_E2E_POSTGRES       a PostgreSQL server to create scratch databases on, as a URL of one of
                          its databases (default postgres://postgres@127.0.0.1:5432/postgres). Only
                          databases this suite creates are touched, and they are dropped afterwards.
  LOAM_E2E_PG_BIN         directory of initdb / pg_ctl for the private cluster of the outage test
                          (default /usr/lib/postgresql/15/bin)
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

LISTENING = re.compile(r"^loam: listening on (http://\S+)$", re.MULTILINE)
SHARED_PG = os.environ.get("LOAM_E2E_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BIN = Path(os.environ.get("LOAM_E2E_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        # Never skip: a missing binary is a failure of the harness, not a reason to pass.
        raise RuntimeError(f"{name} is not set; run this suite through e2e/run.sh")
    return value


def strong_secret(nbytes: int = 48) -> str:
    """A url-safe random string (64 chars for 48 bytes); loam refuses weak owner credentials."""
    return secrets.token_urlsafe(nbytes)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what: str, predicate, timeout: float, interval: float = 0.05):
    """Poll `predicate` until it returns a truthy value (returned) or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


# ---- HTTP ------------------------------------------------------------------------------------------


class Api:
    """One user's HTTP access to one replica (X-Argilla-Api-Key auth). Thread-safe."""

    def __init__(self, url: str, key: str | None, timeout: float = 30.0, name: str = ""):
        headers = {"X-Argilla-Api-Key": key} if key else {}
        self.url = url
        self.name = name or url
        self.client = httpx.Client(base_url=url, headers=headers, timeout=timeout)

    def send(self, method: str, path: str, **kwargs) -> httpx.Response:
        return self.client.request(method, path, **kwargs)

    def expect(self, method: str, path: str, status: int, **kwargs):
        reply = self.send(method, path, **kwargs)
        assert reply.status_code == status, f"{self.name}: {method} {path} -> {reply.status_code} {reply.text}"
        return reply.json() if reply.content else None

    def get(self, path: str, status: int = 200, **kwargs):
        return self.expect("GET", path, status, **kwargs)

    def post(self, path: str, body=None, status: int = 201, **kwargs):
        return self.expect("POST", path, status, json=body, **kwargs)

    def put(self, path: str, body=None, status: int = 200, **kwargs):
        return self.expect("PUT", path, status, json=body, **kwargs)

    def close(self):
        self.client.close()


# ---- replicas --------------------------------------------------------------------------------------


@dataclass
class Owner:
    username: str
    password: str
    api_key: str

    @classmethod
    def generate(cls) -> "Owner":
        return cls("owner", strong_secret(30), strong_secret(48))


class Replica:
    """One `loam serve` process on 127.0.0.1:0 with its own data dir, output in a log file."""

    def __init__(self, binary: str, workdir: Path, name: str, database_url: str, owner: Owner,
                 token_secret: str | None):
        self.name = name
        self.dir = workdir / name
        (self.dir / "data").mkdir(parents=True)
        self.log_path = self.dir / "loam.log"
        self.url: str | None = None
        env = dict(os.environ)
        env.update(
            LOAM_OWNER_USERNAME=owner.username,
            LOAM_OWNER_PASSWORD=owner.password,
            LOAM_OWNER_API_KEY=owner.api_key,
            RUST_LOG=os.environ.get("RUST_LOG", "info"),
        )
        args = [binary, "serve", "--bind", "127.0.0.1:0", "--data-dir", str(self.dir / "data"),
                "--database-url", database_url]
        if token_secret is not None:
            # `=` form: a url-safe secret may start with '-', which would read as another flag.
            args.append(f"--token-secret={token_secret}")
        # Output to a file, never a pipe nobody drains.
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        self.pid = self.proc.pid

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_ready(self, timeout: float = 30.0) -> str:
        def announced():
            found = LISTENING.search(self.log())
            if found:
                return found.group(1)
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode} during startup:\n{self.log()}")
            return None

        self.url = wait_until(f"{self.name} to print its listening line", announced, timeout)
        return self.url

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        return self.proc.returncode

    def api(self, key: str | None, timeout: float = 30.0) -> Api:
        assert self.url, f"{self.name} is not ready"
        return Api(self.url, key, timeout=timeout, name=self.name)


@pytest.fixture(scope="session")
def loam_bin() -> str:
    path = _env("LOAM_BIN")
    assert os.access(path, os.X_OK), f"LOAM_BIN={path} is not an executable"
    return path


@pytest.fixture
def start_replicas(loam_bin, tmp_path, request):
    """start_replicas(database_url, n, owner=..., token_secret=..., together=False) -> [Replica]

    By default the first replica starts alone (it migrates the database and creates the owner) and
    the rest start together once it is up; together=True starts all at once on an empty database.
    Every replica started is stopped at teardown; the log tails are printed (shown on failure)."""
    started: list[Replica] = []

    def start(database_url: str, n: int, owner: Owner, token_secret: str | None, together: bool = False):
        group: list[Replica] = []
        for i in range(n):
            replica = Replica(loam_bin, tmp_path, f"replica-{len(started)}", database_url, owner, token_secret)
            started.append(replica)
            group.append(replica)
            if i == 0 and not together:
                replica.wait_ready()
        for replica in group:
            replica.wait_ready()
        return group

    yield start
    for replica in started:
        code = replica.stop()
        tail = "\n".join(replica.log().splitlines()[-40:])
        print(f"----- {replica.name} (pid {replica.pid}, exit {code}) last lines -----\n{tail}")


# ---- PostgreSQL ----------------------------------------------------------------------------------


def psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", url, "-X", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"psql {sql!r} failed: {done.stderr}"
    return done.stdout


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture
def scratch_database():
    """A fresh database on the shared PostgreSQL server; its URL. Dropped (with force) afterwards."""
    made: list[str] = []

    def make() -> str:
        name = f"loam_e2e_replicas_{secrets.token_hex(6)}"
        psql(SHARED_PG, f"create database {name}")
        made.append(name)
        return _with_database(SHARED_PG, name)

    yield make
    for name in made:
        psql(SHARED_PG, f"drop database if exists {name} with (force)")


class PrivateCluster:
    """A PostgreSQL cluster of this test alone (trust auth, 127.0.0.1 only), so it can be crashed."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="loam-e2e-pg."))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port: int | None = None
        self._as_root = os.geteuid() == 0
        if self._as_root:
            # initdb refuses to run as root; the cluster belongs to the postgres user.
            shutil.chown(self.root, "postgres")
        self._run([str(PG_BIN / "initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres",
                   "--no-sync", "-E", "UTF8"])

    def _run(self, args: list[str], check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        if self._as_root:
            args = ["runuser", "-u", "postgres", "--", *args]
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        if check:
            assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{self.log_tail()}"
        return done

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return ""

    def start(self):
        """Start on self.port (picking a free one the first time; a restart reuses it)."""
        attempts = 1 if self.port else 5
        for attempt in range(attempts):
            port = self.port or free_port()
            done = self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
                              "-o", f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on",
                              "start"], check=attempt == attempts - 1)
            if done.returncode == 0:
                self.port = port
                return
        raise AssertionError("unreachable")

    def crash(self):
        """Stop like a crash: every backend killed at once, no checkpoint; recovery runs on start."""
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])

    def running(self) -> bool:
        return self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"], check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def destroy(self):
        if self.data.exists() and self.running():
            self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"], check=False)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_cluster():
    cluster = PrivateCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        print(f"----- private PostgreSQL log (port {cluster.port}) -----\n{cluster.log_tail()}")
        cluster.destroy()


# ---- concurrency ---------------------------------------------------------------------------------


def fire_together(calls):
    """Run every callable in its own thread, released at the same instant by a barrier; return
    their results in order (an exception in one is re-raised after all have finished)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = [None] * len(calls)

    def run(i, call):
        barrier.wait(timeout=30)
        try:
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
        assert not t.is_alive(), "a concurrent call did not finish within 120s"
    for exc in errors:
        if exc is not None:
            raise exc
    return results
