//! Where webhooks may point (SSRF protection). An admin account must not
//! become a way to make the server call its own network: loopback, private,
//! link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
//! unique-local and multicast addresses are refused unless
//! `CHAT_WEBHOOK_ALLOW_PRIVATE=true`.
//!
//! Checked twice: when a URL is saved (IP literals and `localhost`), and at
//! each connection, by the HTTP client's resolver (names resolving to a
//! refused address, including a name that changed its answer since it was
//! saved). Redirects are not followed and proxies are not used, so the
//! address checked is the address connected to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use chat_domain::model::check_url_shape;
use chat_domain::{DomainError, DomainResult};
use reqwest::Url;

/// Is this an address an outside receiver cannot have?
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => internal_v4(v4),
            None => internal_v6(v6),
        },
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10, carrier-grade NAT (often internal in clouds).
        || (a == 100 && (64..128).contains(&b))
        // 198.18.0.0/15, benchmarking; 240.0.0.0/4, reserved.
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // 64:ff9b::/96 NAT64 can reach IPv4 internals.
        || (first == 0x64 && ip.segments()[1] == 0xff9b)
}

/// Checks a webhook URL as it is saved: shape, http(s), a host, no
/// credentials, and (unless `allow_internal`) no internal IP literal or
/// `localhost`. Returns the URL to store. Errors name the `url` field.
pub fn check_url(raw: &str, allow_internal: bool) -> DomainResult<String> {
    let shaped = check_url_shape(raw)?;
    let url = Url::parse(&shaped)
        .map_err(|e| DomainError::invalid("url", format!("is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(DomainError::invalid(
            "url",
            "must be an http:// or https:// URL",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(DomainError::invalid(
            "url",
            "must not contain credentials (the signature authenticates deliveries)",
        ));
    }
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        return Err(DomainError::invalid("url", "must name a host"));
    };
    if !allow_internal && refused_host(host) {
        return Err(DomainError::invalid(
            "url",
            "must not point to a loopback, private or link-local address \
             (set CHAT_WEBHOOK_ALLOW_PRIVATE=true to allow it)",
        ));
    }
    Ok(shaped)
}

/// `host` as the URL parser gives it: a name, an IPv4 literal, or an IPv6
/// literal in brackets.
fn refused_host(host: &str) -> bool {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    match literal.parse::<IpAddr>() {
        Ok(ip) => is_internal(ip),
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

/// Re-checks a stored URL just before sending (the setting may have changed
/// since it was saved). IP literals never reach the resolver, so they are
/// checked here.
pub(crate) fn check_before_send(url: &Url, allow_internal: bool) -> Result<(), String> {
    if allow_internal {
        return Ok(());
    }
    match url.host_str() {
        Some(host) if refused_host(host) => Err(REFUSED.to_owned()),
        Some(_) => Ok(()),
        None => Err("the URL has no host".to_owned()),
    }
}

const REFUSED: &str = "refused: the destination is a loopback, private or link-local address (CHAT_WEBHOOK_ALLOW_PRIVATE)";

/// The HTTP client's resolver: the system's, minus refused addresses.
pub(crate) struct GuardedResolver {
    pub(crate) allow_internal: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_internal;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allow || !is_internal(a.ip()))
                .collect();
            if kept.is_empty() {
                return Err(REFUSED.into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn the_resolver_drops_internal_answers() {
        use reqwest::dns::Resolve as _;
        let name = |n: &str| n.parse::<reqwest::dns::Name>().unwrap();
        let guarded = GuardedResolver {
            allow_internal: false,
        };
        let refused = guarded.resolve(name("localhost")).await.err().unwrap();
        assert!(refused.to_string().starts_with("refused"), "{refused}");
        let open = GuardedResolver {
            allow_internal: true,
        };
        let addrs: Vec<SocketAddr> = open.resolve(name("localhost")).await.unwrap().collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }

    #[test]
    fn urls_are_checked_with_the_field_named() {
        let field = |raw: &str| match check_url(raw, false) {
            Err(DomainError::Validation { field, .. }) => field,
            other => panic!("{raw}: {other:?}"),
        };
        for bad in [
            "ftp://example.com",
            "https://",
            "http://127.0.0.1:8080/hook",
            "http://[::1]/hook",
            "http://localhost/hook",
            "http://api.localhost/hook",
            "http://169.254.169.254/latest/meta-data",
            "https://user:pw@example.com/hook",
            "not a url",
        ] {
            assert_eq!(field(bad), "url", "{bad}");
        }
        assert_eq!(
            check_url("https://example.com/hook?x=1", false).unwrap(),
            "https://example.com/hook?x=1"
        );
        assert!(check_url("http://127.0.0.1:8080/hook", true).is_ok());
    }
}
