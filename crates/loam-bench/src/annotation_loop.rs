//! The timed part of `bench/annotation_loop.py`, as a thin client: every annotator (one API key
//! per line of `--keys`) runs as a task with its own keep-alive connection and repeats, for
//! `--seconds`, what the web UI does for "next record":
//!
//! 1. `POST /api/v1/me/datasets/{id}/records/search?limit=1`, filtered as the UI's Pending queue
//!    (no response of the caller, record status pending), without sort;
//! 2. `POST /api/v1/records/{record_id}/responses`, submitted, label `good`.
//!
//! Prints one JSON line: loops, seconds, loops/s, and p50 / p99 / mean of one loop in ms. All
//! tasks share one thread, so the client takes at most one core from the server it measures
//! (the Python client's threads contend for its interpreter lock, which adds milliseconds to the
//! tail). Exit status 1 when any request fails.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use loam_bench::{ms, quantile};
use serde_json::{json, Value};

#[derive(Parser)]
#[command(about = "Times the annotation loop of bench/annotation_loop.py against a prepared dataset")]
struct Args {
    /// Base URL of the server, e.g. http://127.0.0.1:6900. Repeated for replicas: annotator i
    /// talks to the i-th modulo their number, as a round-robin load balancer would.
    #[arg(long, required = true)]
    url: Vec<String>,
    /// The dataset the annotators work on (published, with a required label question `label`).
    #[arg(long)]
    dataset: String,
    /// A file with one annotator API key per line.
    #[arg(long)]
    keys: PathBuf,
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
}

async fn annotate(url: String, dataset: String, key: String, until: Instant, loops: &mut Vec<Duration>) -> Result<()> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(1).build()?;
    let search = format!("{url}/api/v1/me/datasets/{dataset}/records/search?limit=1");
    // The web UI's Pending queue: records I have not answered that are still pending.
    let pending = json!({"filters": {"and": [
        {"type": "terms", "values": ["pending"], "scope": {"entity": "response", "property": "status"}},
        {"type": "terms", "values": ["pending"], "scope": {"entity": "record", "property": "status"}},
    ]}})
    .to_string();
    let answer = json!({"status": "submitted", "values": {"label": {"value": "good"}}}).to_string();
    while Instant::now() < until {
        let start = Instant::now();
        let body = post(&client, &search, &key, &pending, reqwest::StatusCode::OK).await.context("search")?;
        let page: Value = serde_json::from_slice(&body).context("search reply")?;
        let Some(record) = page["items"].get(0).and_then(|it| it["record"]["id"].as_str()) else {
            return Ok(()); // this annotator has answered everything
        };
        let responses = format!("{url}/api/v1/records/{record}/responses");
        post(&client, &responses, &key, &answer, reqwest::StatusCode::CREATED).await.context("response")?;
        loops.push(start.elapsed());
    }
    Ok(())
}

/// POSTs a JSON `body` as the holder of `key`; the reply's body when its status is `expected`.
async fn post(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    body: &str,
    expected: reqwest::StatusCode,
) -> Result<Vec<u8>> {
    let res = client
        .post(url)
        .header("X-Argilla-Api-Key", key)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await?;
    let status = res.status();
    let reply = res.bytes().await?;
    if status != expected {
        bail!("{status}: {}", String::from_utf8_lossy(&reply));
    }
    Ok(reply.to_vec())
}

fn main() -> Result<()> {
    let args = Args::parse();
    let keys: Vec<String> = std::fs::read_to_string(&args.keys)
        .with_context(|| format!("reading {}", args.keys.display()))?
        .lines()
        .map(str::trim)
        .filter(|it| !it.is_empty())
        .map(str::to_owned)
        .collect();
    if keys.is_empty() {
        bail!("{} holds no API key", args.keys.display());
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (mut loops, elapsed) = runtime.block_on(async {
        let started = Instant::now();
        let until = started + Duration::from_secs_f64(args.seconds);
        let tasks: Vec<_> = keys
            .into_iter()
            .enumerate()
            .map(|(i, key)| {
                let url = args.url[i % args.url.len()].trim_end_matches('/').to_owned();
                let dataset = args.dataset.clone();
                tokio::spawn(async move {
                    let mut loops = Vec::new();
                    annotate(url, dataset, key, until, &mut loops).await.map(|_| loops)
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await??);
        }
        Ok::<_, anyhow::Error>((all, started.elapsed()))
    })?;
    if loops.is_empty() {
        bail!("no annotation loop completed");
    }
    loops.sort_unstable();
    let mean = loops.iter().sum::<Duration>() / loops.len() as u32;
    let seconds = elapsed.as_secs_f64();
    let line = json!({
        "loops": loops.len(),
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "loops_per_s": ((loops.len() as f64 / seconds) * 10.0).round() / 10.0,
        "p50_ms": ms(quantile(&loops, 0.50)),
        "p99_ms": ms(quantile(&loops, 0.99)),
        "mean_ms": ms(mean),
    });
    println!("{line}");
    Ok(())
}
