//! A storm of failed sign-ins against the real binary over real sockets (127.0.0.1 only, bounded
//! in count and time): the server's memory stays bounded (password hashing runs in a few slots),
//! API-key requests keep being answered meanwhile, and with the default throttling the storm is
//! answered 429 with `Retry-After`.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

use common::{request, Reply, Server, KEY, PASSWORD};

/// Concurrent clients in the storm.
const CLIENTS: usize = 300;
/// The server's resident memory must stay under this, during the storm and after.
const RSS_BOUND_MB: u64 = 200;
/// Every API-key request sent during the storm must be answered within this.
const API_KEY_BOUND: Duration = Duration::from_secs(2);

fn sign_in(addr: &str, username: &str, password: &str) -> (u16, Option<String>, String) {
    let form = format!("username={username}&password={}", password.replace(' ', "+"));
    let res = request(addr, "POST", "/api/v1/token", &[("Content-Type", "application/x-www-form-urlencoded")], &form);
    let retry_after = res.header("retry-after").map(str::to_owned);
    (res.status, retry_after, res.body)
}

fn hashes_computed(addr: &str) -> u64 {
    let Reply { status, body, .. } = request(addr, "GET", "/api/v1/status", &[], "");
    assert_eq!(status, 200, "{body}");
    let status: serde_json::Value = serde_json::from_str(&body).unwrap();
    status["password_hashing"]["computed"].as_u64().unwrap()
}

#[test]
fn a_storm_of_failed_sign_ins_keeps_memory_bounded_and_api_keys_answered() {
    let dir = tempfile::tempdir().unwrap();
    // Throttling off, so that every sign-in the queue admits is really hashed.
    let server = Server::start(dir.path(), &["--sign-in-username-allowance", "0", "--sign-in-address-allowance", "0"]);
    let addr = server.addr.clone();
    let before_mb = server.rss_mb();
    let hashed_before = hashes_computed(&addr);

    let done = Arc::new(AtomicBool::new(false));
    let peak_mb = Arc::new(AtomicU64::new(before_mb));
    let api_key_times = Arc::new(Mutex::new(Vec::new()));
    let sampler = {
        let (done, peak) = (Arc::clone(&done), Arc::clone(&peak_mb));
        let pid = server.child.id();
        std::thread::spawn(move || {
            while !done.load(Ordering::Acquire) {
                if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                    if let Some(kb) = status
                        .lines()
                        .find(|it| it.starts_with("VmRSS:"))
                        .and_then(|it| it.split_whitespace().nth(1)?.parse::<u64>().ok())
                    {
                        peak.fetch_max(kb / 1024, Ordering::AcqRel);
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let api_key_client = {
        let (done, times, addr) = (Arc::clone(&done), Arc::clone(&api_key_times), addr.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Acquire) {
                let started = Instant::now();
                let Reply { status, body, .. } = request(&addr, "GET", "/api/v1/me", &[("X-Argilla-Api-Key", KEY)], "");
                assert_eq!(status, 200, "{body}");
                times.lock().unwrap().push(started.elapsed());
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };

    // Each client signs in with a wrong password under a name of its own, again and again, for
    // a bounded time: at least CLIENTS at once.
    let deadline = Instant::now() + Duration::from_secs(12);
    let storm: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut statuses = Vec::new();
                while Instant::now() < deadline && statuses.len() < 20 {
                    let (status, retry, body) = sign_in(&addr, &format!("stormer{i}"), "not-the-password");
                    assert!(matches!(status, 401 | 503), "{status}: {body}");
                    if status == 503 {
                        assert!(retry.is_some(), "a 503 says when to retry");
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    statuses.push(status);
                }
                statuses
            })
        })
        .collect();
    let statuses: Vec<u16> = storm.into_iter().flat_map(|it| it.join().unwrap()).collect();
    let during_mb = peak_mb.load(Ordering::Acquire);
    std::thread::sleep(Duration::from_millis(500));
    done.store(true, Ordering::Release);
    sampler.join().unwrap();
    api_key_client.join().unwrap();
    let after_mb = server.rss_mb();

    let refused = statuses.iter().filter(|it| **it == 401).count() as u64;
    let hashed = hashes_computed(&addr) - hashed_before;
    let times = api_key_times.lock().unwrap().clone();
    let slowest = times.iter().max().copied().unwrap_or_default();
    eprintln!(
        "storm: {} sign-ins ({refused} refused after hashing, {} busy), {hashed} hashes; RSS {before_mb} MiB before, \
         {during_mb} MiB at most during, {after_mb} MiB after; {} API-key requests, slowest {slowest:?}",
        statuses.len(),
        statuses.len() as u64 - refused,
        times.len()
    );
    assert!(statuses.len() >= CLIENTS, "every client sent at least one sign-in");
    assert!(refused >= 50 && hashed >= refused, "hashing really happened: {refused} refused, {hashed} hashed");
    assert!(during_mb < RSS_BOUND_MB, "RSS reached {during_mb} MiB during the storm");
    assert!(after_mb < RSS_BOUND_MB, "RSS is {after_mb} MiB after the storm");
    assert!(times.len() >= 10, "API-key requests were sent during the storm: {}", times.len());
    assert!(slowest < API_KEY_BOUND, "an API-key request took {slowest:?}");
}

#[test]
fn with_default_throttling_a_storm_is_answered_429_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let addr = server.addr.clone();

    // Against one username, at once: the allowance is used up and the rest wait.
    let owner_storm: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let reply = sign_in(&addr, "OWNER", "not-the-password");
                (Instant::now(), reply)
            })
        })
        .collect();
    let timed: Vec<_> = owner_storm.into_iter().map(|it| it.join().unwrap()).collect();
    let replies: Vec<_> = timed.iter().map(|(_, reply)| reply.clone()).collect();
    let throttled: Vec<_> = replies.iter().filter(|it| it.0 == 429).collect();
    let owner_refused = replies.iter().filter(|it| it.0 == 401).count();
    let refused = owner_refused;
    assert!(replies.iter().all(|it| matches!(it.0, 401 | 429 | 503)), "{replies:?}");
    // The allowance (5), and one more each time a wait (1 s, 2 s, …) ends while the storm lasts.
    assert!(refused <= 8, "at most the allowance was tried: {refused}");
    assert!(!throttled.is_empty(), "{replies:?}");
    for (_, retry, body) in &throttled {
        let secs: u64 = retry.as_deref().expect("a Retry-After header").parse().unwrap();
        assert!(secs >= 1, "{body}");
    }
    // The right password waits too (case-folded name), and the API key still works. A 429 says
    // when its wait ends, rounded up to whole seconds; on a loaded machine the storm can outlast
    // the last wait, and then the right password is let in, but never before the earliest moment
    // the last 429 allowed.
    let wait_over_after = timed
        .iter()
        .filter_map(|(at, (status, retry, _))| {
            let secs: u64 = retry.as_deref()?.parse().ok()?;
            (*status == 429).then(|| *at + Duration::from_secs(secs.saturating_sub(1)))
        })
        .max()
        .expect("a throttled reply");
    let asked_at = Instant::now();
    let (status, retry, _) = sign_in(&addr, "owner", PASSWORD);
    if status == 201 {
        assert!(asked_at >= wait_over_after, "the right password was let in before the wait ended");
    } else {
        assert_eq!((status, retry.is_some()), (429, true));
    }
    assert_eq!(request(&addr, "GET", "/api/v1/me", &[("X-Argilla-Api-Key", KEY)], "").status, 200);

    // Under many usernames from one address (127.0.0.1): after the address's allowance of 100,
    // the address waits.
    let mut seen = Vec::new();
    for wave in 0..4 {
        let clients: Vec<_> = (0..40)
            .map(|i| {
                let addr = addr.clone();
                std::thread::spawn(move || sign_in(&addr, &format!("nobody-{wave}-{i}"), "not-the-password"))
            })
            .collect();
        seen.extend(clients.into_iter().map(|it| it.join().unwrap()));
    }
    let refused = seen.iter().filter(|it| it.0 == 401).count();
    let throttled = seen.iter().filter(|it| it.0 == 429 && it.1.is_some()).count();
    let busy = seen.iter().filter(|it| it.0 == 503).count();
    eprintln!("throttled storm: {owner_refused} + {refused} tried, {throttled} throttled, {busy} busy");
    assert!(
        owner_refused + refused <= 100 + 3,
        "at most the address's allowance was tried: {owner_refused} + {refused}"
    );
    assert!(throttled > 0, "{seen:?}");
}

fn sign_in_from(server: &Server, forwarded_for: &str) -> (u16, u64) {
    let form = "username=nobody&password=wrong-password";
    let headers = [("Content-Type", "application/x-www-form-urlencoded"), ("X-Forwarded-For", forwarded_for)];
    let res = server.request("POST", "/api/v1/token", &headers, form);
    (res.status, res.header("retry-after").and_then(|it| it.parse().ok()).unwrap_or(0))
}

/// Fails sign-ins as `forwarded_for` (given the attempt's number) until one is refused for at
/// least two more seconds (the wait doubles with each counted attempt past the allowance, so a
/// slow password check cannot outlast it; a refused attempt is not counted, so after a refusal
/// the loop waits it out); the attempts it took.
fn throttle(server: &Server, forwarded_for: impl Fn(usize) -> String) -> usize {
    for attempt in 1..=8 {
        match sign_in_from(server, &forwarded_for(attempt)) {
            (429, wait) if wait >= 2 => return attempt,
            // Held back for a second: the next attempt after it is counted, and doubles the wait.
            (429, wait) => std::thread::sleep(Duration::from_secs(wait.max(1))),
            (401, _) => {}
            other => panic!("unexpected sign-in answer {other:?}"),
        }
    }
    panic!("8 failed sign-ins were never held back for 2 s");
}

/// Behind a trusted reverse proxy each client is throttled by the address the proxy names, so one
/// client's storm does not lock out the others; from a peer that is not trusted the header is
/// ignored (a client cannot pick a fresh address for each attempt).
#[test]
fn the_address_throttle_counts_clients_behind_a_trusted_proxy_apart() {
    let dir = tempfile::tempdir().unwrap();
    let limits = ["--sign-in-username-allowance", "0", "--sign-in-address-allowance", "2"];
    let trusted = Server::start(dir.path(), &[&limits[..], &["--trusted-proxies", "10.0.0.0/8, 127.0.0.1"]].concat());
    throttle(&trusted, |_| "203.0.113.9".to_owned());
    // What a client writes itself in front of the proxy's entry is not believed…
    assert_eq!(sign_in_from(&trusted, "1.2.3.4, 203.0.113.9").0, 429);
    // …and another client through the same proxy is not held back.
    assert_eq!(sign_in_from(&trusted, "198.51.100.7").0, 401);
    drop(trusted);

    // Straight from the peer, a fresh header each time changes nothing: one address.
    let dir = tempfile::tempdir().unwrap();
    let direct = Server::start(dir.path(), &limits);
    assert!(throttle(&direct, |n| format!("203.0.113.{n}")) >= 3);
}
#[test]
fn a_trusted_proxy_that_is_no_address_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let err = Server::try_start(dir.path(), &[], &["--trusted-proxies", "10.0.0.0/8,proxy.local"]).err().unwrap();
    assert!(err.contains("`proxy.local` is not an IP network"), "{err}");
}
