//! The client's address behind trusted reverse proxies. A request that comes from a proxy the
//! operator named (`--trusted-proxies`) is taken to be from the address that proxy reports in
//! `X-Forwarded-For`: the entries are read from the right (the nearest hop first), proxies the
//! operator trusts are skipped, and the first other address is the client's. An entry that is not
//! an address ends the walk at the hop before it, so a client cannot choose its address by
//! writing the header itself: only what trusted proxies appended is believed. Without trusted
//! proxies, or from any other peer, the header is ignored.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed: networks (`10.0.0.0/8`) or single addresses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        Self(nets)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer` with `headers`: `peer` itself unless it is a
    /// trusted proxy that says otherwise. The port is the peer's (the header carries none).
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> SocketAddr {
        if self.is_empty() || !self.trusts(peer.ip()) {
            return peer;
        }
        let mut client = peer.ip();
        // Every `X-Forwarded-For` line, as one list in order (a proxy may add a line of its own).
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .flat_map(|value| value.to_str().unwrap_or("!").split(','))
            .map(str::trim)
            .collect();
        for hop in hops.into_iter().rev() {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        SocketAddr::new(client, peer.port())
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of networks or addresses; empty for none.
    fn from_str(text: &str) -> Result<Self, String> {
        text.split(',').map(str::trim).filter(|it| !it.is_empty()).map(parse_net).collect::<Result<_, _>>().map(Self)
    }
}

/// `10.0.0.0/8`, `fd00::/8`, or one address (`192.0.2.7`, `::1`).
pub fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    IpNet::from_str(text)
        .or_else(|_| IpAddr::from_str(text).map(IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| format!("`{text}` is not an IP network (like 10.0.0.0/8) or address"))
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port (`192.0.2.7:4711`,
/// `[2001:db8::1]:4711`) as some proxies write it.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    IpAddr::from_str(hop)
        .ok()
        .or_else(|| SocketAddr::from_str(hop).ok().map(|it| it.ip()))
        .or_else(|| hop.strip_prefix('[').and_then(|it| it.strip_suffix(']')).and_then(|it| IpAddr::from_str(it).ok()))
        .map(canonical)
}

/// An IPv4 address a dual-stack socket reports as `::ffff:a.b.c.d` is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append("x-forwarded-for", line.parse().unwrap());
        }
        map
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 40_000)
    }

    fn client(trusted: &str, from: &str, lines: &[&str]) -> String {
        let trusted: TrustedProxies = trusted.parse().unwrap();
        trusted.client(peer(from), &headers(lines)).ip().to_string()
    }

    #[test]
    fn the_header_is_ignored_without_trusted_proxies_or_from_another_peer() {
        assert_eq!(client("", "10.0.0.1", &["203.0.113.9"]), "10.0.0.1");
        assert_eq!(client("10.0.0.0/8", "198.51.100.4", &["203.0.113.9"]), "198.51.100.4");
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &["203.0.113.9"]), "203.0.113.9");
        // No header: the proxy itself.
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &[]), "10.0.0.1");
        // A single address is trusted as a /32.
        assert_eq!(client("10.0.0.1", "10.0.0.1", &["203.0.113.9"]), "203.0.113.9");
        assert_eq!(client("10.0.0.1", "10.0.0.2", &["203.0.113.9"]), "10.0.0.2");
    }

    #[test]
    fn what_the_client_wrote_itself_is_not_believed() {
        // The client sent `X-Forwarded-For: 1.2.3.4`; the proxy appended the address it saw.
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &["1.2.3.4, 203.0.113.9"]), "203.0.113.9");
        // Two trusted proxies in a row: the one nearest the client is skipped too.
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &["1.2.3.4, 203.0.113.9, 10.0.0.7"]), "203.0.113.9");
        // Lines are one list in order.
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &["1.2.3.4", "203.0.113.9, 10.0.0.7"]), "203.0.113.9");
    }

    #[test]
    fn garbage_ends_the_walk_at_the_last_trusted_hop() {
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &["not-an-ip"]), "10.0.0.1");
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &["203.0.113.9, unknown, 10.0.0.7"]), "10.0.0.7");
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &[""]), "10.0.0.1");
    }

    #[test]
    fn ports_brackets_and_mapped_addresses_are_read() {
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &["203.0.113.9:4711"]), "203.0.113.9");
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &["[2001:db8::1]:4711"]), "2001:db8::1");
        assert_eq!(client("10.0.0.0/8", "10.0.0.1", &["[2001:db8::1]"]), "2001:db8::1");
        assert_eq!(client("10.0.0.0/8", "::ffff:10.0.0.1", &["203.0.113.9"]), "203.0.113.9");
        assert_eq!(client("fd00::/8", "fd00::1", &["2001:db8::5"]), "2001:db8::5");
    }

    #[test]
    fn lists_parse_and_bad_entries_are_named() {
        let list: TrustedProxies = " 10.0.0.0/8 , 192.0.2.7,::1 ".parse().unwrap();
        assert_eq!(list.0.len(), 3);
        assert!("".parse::<TrustedProxies>().unwrap().is_empty());
        let err = "10.0.0.0/8,proxy.local".parse::<TrustedProxies>().unwrap_err();
        assert!(err.contains("`proxy.local`"), "{err}");
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
    }
}
