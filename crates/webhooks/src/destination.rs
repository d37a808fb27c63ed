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

/// Is this an address an outside receiver cannot have? IPv6 addresses that
/// carry an IPv4 address (IPv4-mapped, -compatible and -translated, 6to4,
/// Teredo, NAT64) are refused when that IPv4 address would be: each is a
/// way to write 127.0.0.1 or 10.0.0.1 that a gateway or the host's own
/// stack may turn back into it.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6) || embedded_v4(v6).into_iter().flatten().any(internal_v4),
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
    let [s0, s1, s2, ..] = ip.segments();
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 the
        // former site-local.
        || (s0 & 0xfe00) == 0xfc00
        || (s0 & 0xffc0) == 0xfe80
        || (s0 & 0xffc0) == 0xfec0
        // 64:ff9b:1::/48, NAT64 for local use (RFC 8215): the network's own.
        || (s0 == 0x64 && s1 == 0xff9b && s2 == 1)
        // 2001:db8::/32 documentation; 100::/64 discard.
        || (s0 == 0x2001 && s1 == 0x0db8)
        || (s0 == 0x100 && s1 == 0 && s2 == 0 && ip.segments()[3] == 0)
}

/// The IPv4 addresses an IPv6 address carries, if any.
fn embedded_v4(ip: Ipv6Addr) -> [Option<Ipv4Addr>; 2] {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Some(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    match s {
        // ::a.b.c.d (compatible, deprecated), ::ffff:a.b.c.d (mapped),
        // ::ffff:0:a.b.c.d (translated, SIIT).
        [0, 0, 0, 0, 0, 0, hi, lo]
        | [0, 0, 0, 0, 0, 0xffff, hi, lo]
        | [0, 0, 0, 0, 0xffff, 0, hi, lo] => [v4(hi, lo), None],
        // 64:ff9b::/96, NAT64's well-known prefix: the gateway connects to
        // the IPv4 address in the last 32 bits.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => [v4(hi, lo), None],
        // 2002::/16, 6to4: the relay's IPv4 address in bits 16-47.
        [0x2002, hi, lo, ..] => [v4(hi, lo), None],
        // 2001::/32, Teredo: the server's IPv4 address in bits 32-63, the
        // client's in the last 32 bits with every bit flipped.
        [0x2001, 0, server_hi, server_lo, _, _, client_hi, client_lo] => {
            [v4(server_hi, server_lo), v4(!client_hi, !client_lo)]
        }
        _ => [None, None],
    }
}

/// An IPv4 address in any of the forms `inet_aton` (and so many HTTP
/// stacks) accepts: one to four dot-separated parts, each decimal, octal
/// (leading `0`) or hexadecimal (`0x`), the last filling the remaining
/// bytes (`127.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`). `None` when
/// `host` is not one (a name).
fn loose_ipv4(host: &str) -> Option<Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut numbers = Vec::with_capacity(parts.len());
    for part in &parts {
        let (digits, radix) =
            if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
                (hex, 16)
            } else if part.len() > 1 && part.starts_with('0') {
                (&part[1..], 8)
            } else {
                (*part, 10)
            };
        let n = if digits.is_empty() && radix == 16 {
            0
        } else {
            u32::from_str_radix(digits, radix).ok()?
        };
        numbers.push(n);
    }
    let (last, leading) = numbers.split_last()?;
    if leading.iter().any(|n| *n > 255) {
        return None;
    }
    let rest_bits = 8 * (4 - leading.len() as u32);
    if rest_bits < 32 && *last >= 1 << rest_bits {
        return None;
    }
    let high = leading
        .iter()
        .enumerate()
        .fold(0u32, |acc, (i, n)| acc | (n << (24 - 8 * i as u32)));
    Some(Ipv4Addr::from(high | last))
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
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return is_internal(ip);
    }
    // The URL parser already rewrites these forms to dotted decimal; this
    // keeps the guard right whoever hands it a host.
    if let Some(v4) = loose_ipv4(literal) {
        return internal_v4(v4);
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
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

    #[test]
    fn ipv6_forms_that_carry_an_internal_ipv4_are_internal() {
        for ip in [
            // IPv4-mapped, -compatible, -translated.
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "::ffff:0:192.168.1.1",
            // 6to4 of 127.0.0.1 and 169.254.169.254.
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            // Teredo, client 127.0.0.1 (obfuscated: 0x80ff:0xfffe), public server.
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            // Teredo whose server is internal.
            "2001:0:a00:1::",
            // NAT64 of 127.0.0.1 and 10.1.2.3; local-use NAT64.
            "64:ff9b::7f00:1",
            "64:ff9b::10.1.2.3",
            "64:ff9b:1::8.8.8.8",
            // Site-local, documentation, discard.
            "fec0::1",
            "2001:db8::1",
            "100::1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            // The same forms around public IPv4 addresses are fine.
            "::ffff:8.8.8.8",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
            "64:ff9b::8.8.8.8",
        ] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn every_ipv4_spelling_is_read() {
        for (host, ip) in [
            ("127.0.0.1", "127.0.0.1"),
            ("2130706433", "127.0.0.1"),
            ("0x7f.1", "127.0.0.1"),
            ("0x7F000001", "127.0.0.1"),
            ("0177.0.0.1", "127.0.0.1"),
            ("127.1", "127.0.0.1"),
            ("10.1.258", "10.1.1.2"),
            ("169.254.43518", "169.254.169.254"),
            ("0", "0.0.0.0"),
            ("127.0.0.1.", "127.0.0.1"),
        ] {
            assert_eq!(loose_ipv4(host), Some(ip.parse().unwrap()), "{host}");
        }
        for name in [
            "example.com",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.65536",
            "09.1.1.1",
            "a.b",
            "",
        ] {
            assert_eq!(loose_ipv4(name), None, "{name}");
        }
        for host in [
            "2130706433",
            "0x7f.1",
            "0177.0.0.1",
            "127.1",
            "[2002:7f00:1::]",
            "[::ffff:7f00:1]",
        ] {
            assert!(refused_host(host), "{host}");
        }
        assert!(!refused_host("134744072"), "8.8.8.8");
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
            "http://2130706433/hook",
            "http://0x7f.1/hook",
            "http://0177.0.0.1/hook",
            "http://127.1/hook",
            "http://[2002:7f00:1::]/hook",
            "http://[64:ff9b::7f00:1]/hook",
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
            "http://[::ffff:169.254.169.254]/hook",
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
