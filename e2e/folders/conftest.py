"""Fixtures for the folders suite: a loam server of its own (its data dir is what `loam import
folder` writes to, while it serves) and the reference argilla-server 2.8 (`start.sh PORT`), both
driven with the v2 SDK (argilla 2.8).

Run through `bash e2e/run.sh folders`, which passes LOAM_BIN (the loam binary) and optionally
LOAM_SHARED_DIR (the shared/ checkout holding peers/argilla-server; default ../shared beside the
repository).
"""

import os
import re
import secrets
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        # Never skip: a missing binary is a failure of the harness, not a reason to pass.
        raise RuntimeError(f"{name} is not set; run this suite through e2e/run.sh")
    return value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Loam:
    def __init__(self, bin_path: str, root: Path):
        self.bin = bin_path
        self.data = root / "data"
        self.data.mkdir(parents=True)
        self.key = secrets.token_urlsafe(32)
        self.log = open(root / "server.log", "w+")
        env = dict(os.environ, LOAM_OWNER_USERNAME="owner", LOAM_OWNER_PASSWORD=secrets.token_urlsafe(24),
                   LOAM_OWNER_API_KEY=self.key)
        self.proc = subprocess.Popen([bin_path, "serve", "--bind", "127.0.0.1:0", "--data-dir", str(self.data)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 60
        while True:
            self.log.seek(0)
            found = re.search(r"^loam: listening on (http://\S+)$", self.log.read(), re.M)
            if found:
                self.url = found.group(1)
                break
            if self.proc.poll() is not None or time.time() > deadline:
                self.log.seek(0)
                raise RuntimeError(f"loam did not start:\n{self.log.read()[-4000:]}")
            time.sleep(0.1)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """`loam ARGS --data-dir DATA`, on the data dir the server serves."""
        return subprocess.run([self.bin, "--data-dir", str(self.data), *args], capture_output=True, text=True,
                              timeout=300)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def tmp_root():
    with tempfile.TemporaryDirectory(prefix="loam-folders-") as root:
        yield Path(root)


@pytest.fixture(scope="session")
def loam(tmp_root):
    server = Loam(_env("LOAM_BIN"), tmp_root / "loam")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def reference():
    """The reference server: (url, owner key)."""
    shared = Path(os.environ.get("LOAM_SHARED_DIR") or REPO.parent / "shared")
    peer = shared / "peers" / "argilla-server"
    if not (peer / "start.sh").is_file():
        raise RuntimeError(f"{peer}/start.sh not found (set LOAM_SHARED_DIR)")
    port = _free_port()
    subprocess.run(["bash", str(peer / "start.sh"), str(port)], check=True, timeout=900,
                   stdout=subprocess.DEVNULL)
    yield f"http://127.0.0.1:{port}", "argilla.apikey"
    subprocess.run(["bash", str(peer / "stop.sh"), str(port)], timeout=60, stdout=subprocess.DEVNULL)
