"""Fixtures of the import suite: the reference argilla-server 2.8 filled through the v2 SDK, the
loam binary, and loam servers started on imported data dirs.

Run through `bash e2e/run.sh import`, which passes:
  LOAM_BIN         the loam binary
  LOAM_SHARED_DIR  the shared/ checkout (the reference server's start.sh / stop.sh); default ../shared
  LOAM_IMPORT_N    records in the big dataset (default 5000; develop with fewer)
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
KEY = "argilla.apikey"


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set; run this suite through e2e/run.sh")
    return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def loam_bin() -> str:
    return _env("LOAM_BIN")


@pytest.fixture(scope="session")
def n_records() -> int:
    return int(os.environ.get("LOAM_IMPORT_N", "5000"))


@pytest.fixture(scope="session")
def reference(tmp_path_factory, n_records):
    """The reference server on a free port, filled; yields its URL."""
    shared = Path(os.environ.get("LOAM_SHARED_DIR", HERE.parents[1] / ".." / "shared")).resolve()
    peer = shared / "peers" / "argilla-server"
    if not (peer / "start.sh").exists():
        raise RuntimeError(f"{peer}/start.sh not found: set LOAM_SHARED_DIR")
    port = free_port()
    env = dict(os.environ, REFSERVER_ROOT=str(tmp_path_factory.mktemp("refserver")))
    subprocess.run(["bash", str(peer / "start.sh"), str(port)], check=True, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        subprocess.run([sys.executable, str(HERE / "fill.py"), url, KEY, str(n_records)], check=True,
                       stderr=subprocess.DEVNULL)
        print(f"filled the reference server with {n_records} records in {time.monotonic() - started:.0f}s")
        yield url
    finally:
        subprocess.run(["bash", str(peer / "stop.sh"), str(port)], env=env, stdout=subprocess.DEVNULL)


class Loam:
    """A loam server on a data dir (started and stopped around reads)."""

    def __init__(self, binary: str, data_dir: Path):
        self.binary = binary
        self.data_dir = data_dir
        self.proc = None
        self.url = None

    def __enter__(self):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        log = open(self.data_dir / "serve.log", "ab")
        self.proc = subprocess.Popen(
            [self.binary, "--data-dir", str(self.data_dir), "serve", "--bind", f"127.0.0.1:{port}"],
            stdout=log, stderr=log,
        )
        for _ in range(200):
            try:
                if httpx.get(f"{self.url}/api/v1/version", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"loam did not start; see {self.data_dir / 'serve.log'}")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)
