//! The timed part of bench scripts that send a fixed list of requests one after another (the
//! ingest's bulk bodies, the search's queries, an export or a paged read-back), as a thin client:
//! one keep-alive connection, every body read from a file before the clock starts and sent as it
//! is, every reply read whole and dropped unparsed. The same client against loam and against the
//! reference server, so their ratio is the servers' and not the clients'.
//!
//! Requests: `--bodies FILE` sends one request to `--path` per line of FILE (after `--skip-lines`),
//! the line as its body; `--paths FILE` sends one request per line, the line as its path, with no
//! body; with neither, `--repeat` requests to `--path` with no body. `--warmup N` sends the first N
//! once more, untimed, before the timed run (the first search after an ingest pays for cold pages).
//!
//! Prints one JSON line: requests, seconds (wall, all requests), requests/s, p50 / p95 / p99 / mean / max
//! of one request in ms, megabytes received. Exit status 1 when a reply's status is not `--expect`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use clap::Parser;
use loam_bench::{ms, quantile};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[derive(Parser)]
#[command(about = "Sends a fixed list of requests one after another and times each")]
struct Args {
    /// Base URL of the server, e.g. http://127.0.0.1:6900.
    #[arg(long)]
    url: String,
    /// Sent as `X-Argilla-Api-Key`.
    #[arg(long)]
    api_key: String,
    #[arg(long, default_value = "GET")]
    method: String,
    /// The path of every request, with its query (e.g. /api/v1/datasets/ID/records/bulk); not
    /// used with --paths.
    #[arg(long, default_value = "")]
    path: String,
    /// One request body a line.
    #[arg(long, conflicts_with = "paths")]
    bodies: Option<PathBuf>,
    /// Lines of --bodies to leave out at its start (a header line, say).
    #[arg(long, default_value_t = 0)]
    skip_lines: usize,
    /// One request path a line, each sent without a body.
    #[arg(long)]
    paths: Option<PathBuf>,
    /// Without --bodies or --paths: how many requests to --path.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Requests sent once, untimed, before the timed run (the first of the list).
    #[arg(long, default_value_t = 0)]
    warmup: usize,
    /// The status every reply must have.
    #[arg(long, default_value_t = 200)]
    expect: u16,
}

/// One request of the list: its path and its body.
struct Request {
    path: String,
    /// Shared, so sending it copies no bytes inside the timed loop.
    body: Option<Bytes>,
}

fn requests(args: &Args) -> Result<Vec<Request>> {
    let lines = |file: &PathBuf| -> Result<Vec<Vec<u8>>> {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        Ok(bytes.split(|&b| b == b'\n').filter(|line| !line.is_empty()).map(<[u8]>::to_vec).collect())
    };
    let list: Vec<Request> = if let Some(file) = &args.bodies {
        lines(file)?
            .into_iter()
            .skip(args.skip_lines)
            .map(|body| Request { path: args.path.clone(), body: Some(Bytes::from(body)) })
            .collect()
    } else if let Some(file) = &args.paths {
        lines(file)?
            .into_iter()
            .map(|path| Ok(Request { path: String::from_utf8(path).context("a path that is not UTF-8")?, body: None }))
            .collect::<Result<_>>()?
    } else {
        (0..args.repeat).map(|_| Request { path: args.path.clone(), body: None }).collect()
    };
    if list.is_empty() {
        bail!("no request to send");
    }
    if list.iter().any(|r| !r.path.starts_with('/')) {
        bail!("every path must start with /");
    }
    Ok(list)
}

/// Sends one request; its duration and the bytes of its reply.
async fn send(client: &reqwest::Client, args: &Args, method: &Method, req: &Request) -> Result<(Duration, usize)> {
    let url = format!("{}{}", args.url.trim_end_matches('/'), req.path);
    let start = Instant::now();
    let mut builder = client.request(method.clone(), &url).header("X-Argilla-Api-Key", &args.api_key);
    if let Some(body) = &req.body {
        builder = builder.header("Content-Type", "application/json").body(body.clone());
    }
    let res = builder.send().await.with_context(|| format!("{method} {}", req.path))?;
    let status = res.status();
    let reply = res.bytes().await.with_context(|| format!("{method} {}: reading the reply", req.path))?;
    let took = start.elapsed();
    if status != StatusCode::from_u16(args.expect)? {
        bail!(
            "{method} {} -> {status} (expected {}): {}",
            req.path,
            args.expect,
            String::from_utf8_lossy(&reply[..reply.len().min(500)])
        );
    }
    Ok((took, reply.len()))
}

fn main() -> Result<()> {
    let args = Args::parse();
    let method = Method::from_bytes(args.method.as_bytes()).context("--method")?;
    let list = requests(&args)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (mut times, bytes, elapsed) = runtime.block_on(async {
        let client = reqwest::Client::builder().pool_max_idle_per_host(1).build()?;
        for req in list.iter().take(args.warmup) {
            send(&client, &args, &method, req).await?;
        }
        let mut times = Vec::with_capacity(list.len());
        let mut bytes = 0usize;
        let started = Instant::now();
        for req in &list {
            let (took, n) = send(&client, &args, &method, req).await?;
            times.push(took);
            bytes += n;
        }
        Ok::<_, anyhow::Error>((times, bytes, started.elapsed()))
    })?;
    times.sort_unstable();
    let seconds = elapsed.as_secs_f64();
    let line = json!({
        "requests": times.len(),
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "requests_per_s": ((times.len() as f64 / seconds) * 10.0).round() / 10.0,
        "p50_ms": ms(quantile(&times, 0.50)),
        "p95_ms": ms(quantile(&times, 0.95)),
        "p99_ms": ms(quantile(&times, 0.99)),
        "mean_ms": ms(times.iter().sum::<Duration>() / times.len() as u32),
        "max_ms": ms(times[times.len() - 1]),
        "mb_received": ((bytes as f64 / 1e6) * 10.0).round() / 10.0,
    });
    println!("{line}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec!["loam-replay", "--url", "http://127.0.0.1:1", "--api-key", "k"];
        argv.extend_from_slice(extra);
        Args::parse_from(argv)
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("a temp file");
        f.write_all(text.as_bytes()).expect("written");
        f
    }

    #[test]
    fn bodies_are_lines_after_the_skipped_ones_each_to_the_one_path() {
        let f = file("{\"questions\": {}}\n{\"items\": [1]}\n\n{\"items\": [2]}\n");
        let path = f.path().to_str().expect("utf-8");
        let list = requests(&args(&["--path", "/x", "--bodies", path, "--skip-lines", "1"])).expect("a list");
        let bodies: Vec<&[u8]> = list.iter().map(|r| r.body.as_deref().expect("a body")).collect();
        assert_eq!(bodies, [b"{\"items\": [1]}".as_slice(), b"{\"items\": [2]}".as_slice()]);
        assert!(list.iter().all(|r| r.path == "/x"));
    }

    #[test]
    fn paths_are_lines_sent_without_a_body_and_repeat_repeats_one() {
        let f = file("/a?offset=0\n/a?offset=256\n");
        let list = requests(&args(&["--paths", f.path().to_str().expect("utf-8")])).expect("a list");
        assert_eq!(list.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(), ["/a?offset=0", "/a?offset=256"]);
        assert!(list.iter().all(|r| r.body.is_none()));
        assert_eq!(requests(&args(&["--path", "/e", "--repeat", "3"])).expect("a list").len(), 3);
    }

    #[test]
    fn an_empty_list_or_a_relative_path_is_refused() {
        let empty = file("\n");
        assert!(requests(&args(&["--path", "/x", "--bodies", empty.path().to_str().expect("utf-8")])).is_err());
        assert!(requests(&args(&["--path", "api/v1/me"])).is_err());
    }
}
