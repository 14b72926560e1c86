//! How `loam serve` treats connections, over real sockets on 127.0.0.1 with short timeouts set by
//! flags: idle half-requests are closed within their timeout while normal clients are served, the
//! connection cap holds and frees up, an answer that leaves a body unread closes the connection, and
//! SIGTERM does not wait for idle clients. Bounded: a few hundred connections, seconds each.

#![allow(clippy::unwrap_used)]

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::{Server, KEY};

/// One response read off a keep-alive connection: status, headers (lowercased names), body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn read_response(stream: &mut TcpStream) -> Response {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).unwrap();
        assert_eq!(n, 1, "connection closed before a whole response head: {:?}", String::from_utf8_lossy(&head));
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers.iter().find(|(k, _)| k == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).unwrap();
    Response { status, headers, body: String::from_utf8(body).unwrap() }
}

/// Whether the peer has closed `stream` (end of file or reset) by `deadline`; bytes it sends
/// first (a 408) are skipped.
fn closed_by(stream: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return false,
            Err(_) => return true,
        }
    }
}

fn get_me(addr: &str) -> String {
    format!("GET /api/v1/me HTTP/1.1\r\nHost: {addr}\r\nX-Argilla-Api-Key: {KEY}\r\n\r\n")
}

/// A normal client: one keep-alive request, answered 200.
fn normal_request(server: &Server) -> Response {
    let mut stream = server.connect();
    stream.write_all(get_me(&server.addr).as_bytes()).unwrap();
    let res = read_response(&mut stream);
    assert_eq!(res.status, 200, "{}", res.body);
    res
}

#[test]
fn idle_half_requests_are_closed_within_their_timeouts_while_normal_clients_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--header-timeout-secs", "3", "--body-timeout-secs", "3"]);
    let opened = Instant::now();
    let mut idle = Vec::new();
    for i in 0..300 {
        let mut stream = server.connect();
        let partial = match i % 3 {
            // Nothing at all.
            0 => String::new(),
            // Headers never finished.
            1 => format!("GET /api/v1/me HTTP/1.1\r\nHost: {}\r\nX-Argilla-Api-Key: {KEY}\r\n", server.addr),
            // Headers done, the body stalls after a few bytes.
            _ => format!(
                "POST /api/v1/workspaces HTTP/1.1\r\nHost: {}\r\nX-Argilla-Api-Key: {KEY}\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\"",
                server.addr
            ),
        };
        stream.write_all(partial.as_bytes()).unwrap();
        idle.push((i, stream, Instant::now()));
    }
    // Served at once while they are held open.
    for _ in 0..5 {
        let started = Instant::now();
        normal_request(&server);
        assert!(started.elapsed() < Duration::from_secs(1), "a normal client waited {:?}", started.elapsed());
    }
    for (i, stream, _) in idle.iter_mut().rev().take(30) {
        stream.set_nonblocking(true).unwrap();
        let mut byte = [0u8; 1];
        let open = matches!(stream.read(&mut byte), Err(err) if err.kind() == ErrorKind::WouldBlock);
        assert!(open, "idle connection {i} was closed early, {:?} after the first", opened.elapsed());
        stream.set_nonblocking(false).unwrap();
    }

    // A keep-alive connection left idle after a request is closed too.
    let mut kept = server.connect();
    kept.write_all(get_me(&server.addr).as_bytes()).unwrap();
    assert_eq!(read_response(&mut kept).status, 200);

    for (i, stream, at) in &mut idle {
        // Closed within its timeout (3 s), give or take scheduling.
        let deadline = *at + Duration::from_secs(5);
        if *i % 3 == 2 {
            // A stalled body is answered 408 in our error shape, and the connection closes.
            let res = read_response(stream);
            assert_eq!(res.status, 408, "{}", res.body);
            assert_eq!(res.header("connection"), Some("close"));
            assert!(res.body.contains("\"detail\""), "{}", res.body);
        }
        assert!(closed_by(stream, deadline), "idle connection {i} still open after {:?}", at.elapsed());
    }
    assert!(closed_by(&mut kept, Instant::now() + Duration::from_secs(4)), "an idle keep-alive connection stays open");
    // Nothing was created by the stalled bodies, and the server still answers.
    normal_request(&server);
    assert!(server.terminate().success());
}

#[test]
fn past_the_connection_cap_a_normal_client_is_served_once_idle_connections_are_gone() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--header-timeout-secs", "2", "--max-connections", "40"]);
    let baseline = server.open_sockets();
    let opened = Instant::now();
    let idle: Vec<TcpStream> = (0..100).map(|_| server.connect()).collect();
    std::thread::sleep(Duration::from_millis(300));
    if let (Some(before), Some(now)) = (baseline, server.open_sockets()) {
        // The first 40 are accepted; the rest wait in the listen backlog, not in the server.
        assert!(now <= before + 40, "{now} sockets open with 100 idle clients (was {before})");
        assert!(now >= before + 30, "the idle clients were not accepted: {now} sockets (was {before})");
    }
    let mut stream = server.connect();
    stream.write_all(get_me(&server.addr).as_bytes()).unwrap();
    let res = read_response(&mut stream);
    let waited = opened.elapsed();
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(waited >= Duration::from_millis(1500), "answered in {waited:?}, before any slot was free");
    assert!(waited < Duration::from_secs(12), "answered only after {waited:?}");
    drop(idle);
    assert!(server.terminate().success());
}

#[test]
fn an_answer_that_leaves_the_body_unread_closes_the_connection() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--body-limit-mb", "1"]);
    let addr = server.addr.clone();
    let big = 2 * 1024 * 1024;

    // A declared length over the limit: 413 at once, in our shape, and the connection closes.
    let mut stream = server.connect();
    let search = format!("/api/v1/datasets/{}/records/search", uuid::Uuid::new_v4());
    let head = format!(
        "POST {search} HTTP/1.1\r\nHost: {addr}\r\nX-Argilla-Api-Key: {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {big}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&vec![b' '; 64 * 1024]).unwrap();
    let res = read_response(&mut stream);
    assert_eq!(res.status, 413, "{}", res.body);
    assert_eq!(res.header("connection"), Some("close"));
    let body: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(body["detail"], "Request body is larger than the limit of 1048576 bytes");
    assert!(closed_by(&mut stream, Instant::now() + Duration::from_secs(5)));

    // A chunked body that grows past the limit while it is read: the same.
    let mut stream = server.connect();
    let head = format!(
        "POST {search} HTTP/1.1\r\nHost: {addr}\r\nX-Argilla-Api-Key: {KEY}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent <= 1024 * 1024 + chunk.len() {
        if stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).is_err()
            || stream.write_all(&chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            break;
        }
        sent += chunk.len();
    }
    let res = read_response(&mut stream);
    assert_eq!(res.status, 413, "{}", res.body);
    assert_eq!(res.header("connection"), Some("close"));
    assert!(res.body.contains("larger than the limit"), "{}", res.body);
    assert!(closed_by(&mut stream, Instant::now() + Duration::from_secs(5)));

    // A 401 answered before the body is read closes the connection; a request whose body was
    // read keeps it open for the next one.
    let mut stream = server.connect();
    let body = r#"{"name": "kept"}"#;
    let unread = format!(
        "POST /api/v1/workspaces HTTP/1.1\r\nHost: {addr}\r\nX-Argilla-Api-Key: wrong\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(unread.as_bytes()).unwrap();
    let res = read_response(&mut stream);
    assert_eq!(res.status, 401);
    assert_eq!(res.header("connection"), Some("close"));
    let mut stream = server.connect();
    let read = unread.replace("X-Argilla-Api-Key: wrong", &format!("X-Argilla-Api-Key: {KEY}"));
    stream.write_all(read.as_bytes()).unwrap();
    let res = read_response(&mut stream);
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.header("connection"), None);
    stream.write_all(get_me(&addr).as_bytes()).unwrap();
    assert_eq!(read_response(&mut stream).status, 200);
    assert!(server.terminate().success());
}

#[test]
fn sigterm_closes_idle_connections_and_finishes_a_request_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--header-timeout-secs", "60", "--body-timeout-secs", "60"]);
    let idle: Vec<TcpStream> = (0..20).map(|_| server.connect()).collect();
    let mut kept = server.connect();
    kept.write_all(get_me(&server.addr).as_bytes()).unwrap();
    assert_eq!(read_response(&mut kept).status, 200);
    // A request whose body is still coming when the signal arrives.
    let mut in_flight = server.connect();
    let body = r#"{"name": "late"}"#;
    let head = format!(
        "POST /api/v1/workspaces HTTP/1.1\r\nHost: {}\r\nX-Argilla-Api-Key: {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        body.len()
    );
    in_flight.write_all(head.as_bytes()).unwrap();
    in_flight.write_all(&body.as_bytes()[..4]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let pid = server.child.id().to_string();
    let started = Instant::now();
    Command::new("kill").arg("-TERM").arg(&pid).status().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    in_flight.write_all(&body.as_bytes()[4..]).unwrap();
    let res = read_response(&mut in_flight);
    assert_eq!(res.status, 201, "{}", res.body);
    let status = server.terminate();
    assert!(status.success());
    assert!(started.elapsed() < Duration::from_secs(10), "SIGTERM waited {:?} for idle clients", started.elapsed());
    drop(idle);
}

#[test]
fn a_slow_body_that_keeps_moving_is_read_and_a_trickle_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--body-timeout-secs", "2"]);
    let send = |name: &str, len: usize, chunk: usize, pause: Duration| {
        let mut stream = server.connect();
        let mut body = format!(r#"{{"name": "{name}"}}"#).into_bytes();
        body.resize(len, b' ');
        let head = format!(
            "POST /api/v1/workspaces HTTP/1.1\r\nHost: {}\r\nX-Argilla-Api-Key: {KEY}\r\n\
             Content-Type: application/json\r\nContent-Length: {len}\r\n\r\n",
            server.addr
        );
        stream.write_all(head.as_bytes()).unwrap();
        let started = Instant::now();
        // The answer is read as it comes, while the body is still being sent.
        let mut reader = stream.try_clone().unwrap();
        let answered = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = std::sync::Arc::clone(&answered);
        let reader = std::thread::spawn(move || {
            let res = read_response(&mut reader);
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            (res, started.elapsed())
        });
        for part in body.chunks(chunk) {
            if answered.load(std::sync::atomic::Ordering::SeqCst) || stream.write_all(part).is_err() {
                break;
            }
            std::thread::sleep(pause);
        }
        reader.join().unwrap()
    };
    // 6 KiB over about 4 s, 1.5 KiB a second: longer than the timeout, never stalled.
    let (res, took) = send("slow", 6 * 1024, 1536, Duration::from_secs(1));
    assert_eq!(res.status, 201, "{}", res.body);
    assert!(took > Duration::from_secs(3), "{took:?}");
    // 200 bytes every half second: bytes keep coming, but less than 1 KiB in 2 s.
    let (res, took) = send("trickle", 6 * 1024, 200, Duration::from_millis(500));
    assert_eq!(res.status, 408, "{}", res.body);
    assert_eq!(res.header("connection"), Some("close"));
    assert!(took < Duration::from_secs(5), "cut off after {took:?}");
    assert!(server.terminate().success());
}

#[test]
fn a_client_that_sends_its_whole_oversized_body_before_reading_still_gets_the_413() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--body-limit-mb", "1"]);
    // As httpx and requests do: the whole body first, then the response.
    let len = 24 * 1024 * 1024;
    let mut stream = server.connect();
    let head = format!(
        "POST /api/v1/workspaces HTTP/1.1\r\nHost: {}\r\nX-Argilla-Api-Key: {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {len}\r\n\r\n",
        server.addr
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&vec![b' '; len]).expect("the server reads (and drops) the rest of the body");
    let res = read_response(&mut stream);
    assert_eq!(res.status, 413, "{}", res.body);
    assert_eq!(res.header("connection"), Some("close"));
    assert!(closed_by(&mut stream, Instant::now() + Duration::from_secs(5)));
}
