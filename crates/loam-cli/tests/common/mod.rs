//! What the tests that run the real `loam` binary share: a `loam serve` on port 0 that is killed
//! and reaped when dropped, and plain HTTP/1.1 requests over a socket of their own.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The owner's API key and password every server here starts with.
pub const KEY: &str = "loam_test_owner_key_that_is_long_enough_0123456789";
pub const PASSWORD: &str = "correct horse battery staple";

/// Runs a `loam` command on `data_dir` with a clean environment; its output.
pub fn loam(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loam"))
        .env_clear()
        .env("LOAM_LOG", "warn")
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap()
}

/// A running `loam serve`; dropping it kills and reaps the process.
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    /// Starts `loam serve --bind 127.0.0.1:0` on `data_dir` with the owner `owner` (`KEY`,
    /// `PASSWORD`), `env` set over that, and `flags` after the command. Waits for the line that
    /// names the address (30 s at most); the error is what the process wrote to stderr.
    pub fn try_start(data_dir: &Path, env: &[(&str, &str)], flags: &[&str]) -> Result<Self, String> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_loam"));
        cmd.env_clear()
            .env("LOAM_LOG", "warn")
            .env("LOAM_OWNER_USERNAME", "owner")
            .env("LOAM_OWNER_PASSWORD", PASSWORD)
            .env("LOAM_OWNER_API_KEY", KEY);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(addr) = line.strip_prefix("loam: listening on http://") {
                        // Keep draining both pipes so the server never blocks on a full one.
                        let mut stderr = child.stderr.take().unwrap();
                        std::thread::spawn(move || lines.for_each(drop));
                        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
                        return Ok(Self { child, addr: addr.to_owned() });
                    }
                }
                _ => {
                    let mut err = String::new();
                    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
                    let _ = child.wait();
                    return Err(err);
                }
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        Err("no listening line within 30 s".to_owned())
    }

    /// [`Server::try_start`] with no extra environment, which must succeed.
    pub fn start(data_dir: &Path, flags: &[&str]) -> Self {
        Self::try_start(data_dir, &[], flags).unwrap_or_else(|err| panic!("loam serve did not start: {err}"))
    }

    /// A new connection to the server, reads timing out after 20 s.
    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        stream
    }

    /// One request on a connection of its own.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        request(&self.addr, method, path, headers, body)
    }

    /// Resident memory of the server process, in MiB (Linux).
    pub fn rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|it| it.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
    }

    /// Sockets the server process holds open (Linux), to see that connections stay capped.
    pub fn open_sockets(&self) -> Option<usize> {
        let dir = std::fs::read_dir(format!("/proc/{}/fd", self.child.id())).ok()?;
        Some(
            dir.filter_map(|it| std::fs::read_link(it.ok()?.path()).ok())
                .filter(|it| it.to_string_lossy().starts_with("socket:"))
                .count(),
        )
    }

    /// Sends SIGTERM and waits for the exit (15 s at most).
    pub fn terminate(mut self) -> std::process::ExitStatus {
        Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "loam did not exit within 15 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A whole response: status, headers (names lowercased), body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn parse(raw: &str) -> Self {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Reply { status, headers, body: body.to_owned() }
    }
}

/// One HTTP/1.1 request to `addr` on a connection of its own (`Connection: close`), read to the
/// end (60 s at most).
pub fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).unwrap();
    let mut res = String::new();
    stream.read_to_string(&mut res).unwrap();
    Reply::parse(&res)
}
