//! The client's address, for throttling and the audit log.
//!
//! `X-Forwarded-For` is trivially forged, so it is believed only when the
//! direct peer is a configured proxy; then the rightmost address that is not
//! itself a trusted proxy is the client.

use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{Ready, ready};

/// Addresses of reverse proxies whose `X-Forwarded-For` is trusted.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<IpAddr>);

impl TrustedProxies {
    /// The client address of `req` under these rules.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr().map(|a| a.ip())?;
        if !self.0.contains(&peer) {
            return Some(peer);
        }
        let hops: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        // Walk from the right (the hop our proxy added) past trusted proxies.
        // An entry that does not parse ends the walk: everything to its left
        // may be the client's own invention.
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.0.contains(&ip) => continue,
                Ok(ip) => return Some(ip),
                Err(_) => return Some(peer),
            }
        }
        Some(peer)
    }
}

/// Extractor: the client address (as text), `None` when unknown.
#[derive(Clone, Debug)]
pub struct ClientIp(pub Option<String>);

impl FromRequest for ClientIp {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let rules = req.app_data::<web::Data<TrustedProxies>>();
        let ip = match rules {
            Some(r) => r.client_ip(req),
            None => req.peer_addr().map(|a| a.ip()),
        };
        ready(Ok(ClientIp(ip.map(|ip| ip.to_string()))))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn req(peer: &str, xff: Option<&str>) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(format!("{peer}:4000").parse().unwrap());
        if let Some(x) = xff {
            r = r.insert_header(("X-Forwarded-For", x));
        }
        r.to_http_request()
    }

    #[test]
    fn forwarded_for_is_trusted_only_from_proxies() {
        let rules = TrustedProxies(vec!["10.0.0.1".parse().unwrap()]);
        let ip = |peer, xff| rules.client_ip(&req(peer, xff)).unwrap().to_string();
        // A direct client cannot spoof its address.
        assert_eq!(ip("203.0.113.9", Some("1.2.3.4")), "203.0.113.9");
        // Through the proxy, the client is the rightmost untrusted hop.
        assert_eq!(
            ip("10.0.0.1", Some("1.2.3.4, 198.51.100.7")),
            "198.51.100.7"
        );
        assert_eq!(
            ip("10.0.0.1", Some("198.51.100.7, 10.0.0.1")),
            "198.51.100.7"
        );
        // Garbage or no header: the proxy itself.
        assert_eq!(ip("10.0.0.1", Some("nonsense")), "10.0.0.1");
        // A forged entry left of an unparsable hop is not believed.
        assert_eq!(
            ip("10.0.0.1", Some("1.2.3.4, 198.51.100.7:5000")),
            "10.0.0.1"
        );
        assert_eq!(ip("10.0.0.1", None), "10.0.0.1");
    }
}
