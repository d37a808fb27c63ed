//! Signing webhook payloads: `X-Chat-Signature: t=<unix seconds>,v1=<hex>`
//! where `<hex>` is HMAC-SHA256, keyed with the webhook's secret (the whole
//! `whsec_…` string, as bytes), of `"<t>.<raw body>"`.
//!
//! The timestamp is inside the signed text, so a receiver that refuses old
//! timestamps (five minutes is usual) also refuses replays of a captured
//! request; the delivery id (`X-Chat-Delivery`) lets it drop repeats of a
//! delivery that was retried.

use chat_domain::model::WebhookSecret;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Chat-Signature";
/// The header carrying the event name.
pub const EVENT_HEADER: &str = "X-Chat-Event";
/// The header carrying the delivery id (the same on every attempt).
pub const DELIVERY_HEADER: &str = "X-Chat-Delivery";
/// The header carrying the attempt number (1 for the first).
pub const ATTEMPT_HEADER: &str = "X-Chat-Attempt";

/// What secrets start with, so that they are recognisable in a config file
/// (and by secret scanners).
pub const SECRET_PREFIX: &str = "whsec_";

/// A new secret: the prefix and 32 random bytes (256 bits) in hex.
pub fn new_secret() -> WebhookSecret {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    WebhookSecret::new(format!("{SECRET_PREFIX}{}", hex::encode(bytes)))
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Chat-Signature` value for `body` sent at `timestamp`.
pub fn signature(secret: &WebhookSecret, timestamp: i64, body: &[u8]) -> String {
    signatures(&[secret], timestamp, body)
}

/// The `X-Chat-Signature` value with one `v1` per secret, in order (the
/// current secret, then the previous one during a rotation's overlap).
pub fn signatures(secrets: &[&WebhookSecret], timestamp: i64, body: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        let digest = mac(secret.expose(), timestamp, body)
            .finalize()
            .into_bytes();
        header.push_str(",v1=");
        header.push_str(&hex::encode(digest));
    }
    header
}

/// Checks a signature header as a receiver would: some `v1` matches (in
/// constant time) and `t` is within `tolerance_secs` of `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> bool {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(t) = timestamp else {
        return false;
    };
    if (now - t).abs() > tolerance_secs {
        return false;
    }
    candidates
        .iter()
        .any(|c| mac(secret, t, body).verify_slice(c).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_refuse_tampering() {
        let secret = new_secret();
        assert!(secret.expose().starts_with(SECRET_PREFIX));
        assert_eq!(secret.expose().len(), SECRET_PREFIX.len() + 64);
        assert_ne!(new_secret(), secret);
        let body = br#"{"event":"ping"}"#;
        let header = signature(&secret, 1_700_000_000, body);
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify(secret.expose(), &header, body, 1_700_000_100, 300));
        assert!(!verify(secret.expose(), &header, b"{}", 1_700_000_100, 300));
        assert!(!verify("whsec_other", &header, body, 1_700_000_100, 300));
        assert!(!verify(secret.expose(), &header, body, 1_700_001_000, 300));
        assert!(!verify(secret.expose(), "v1=00", body, 1_700_000_000, 300));
        // During a rotation both secrets verify.
        let old = new_secret();
        let both = signatures(&[&secret, &old], 1_700_000_000, body);
        assert_eq!(both.matches("v1=").count(), 2);
        assert!(verify(secret.expose(), &both, body, 1_700_000_000, 300));
        assert!(verify(old.expose(), &both, body, 1_700_000_000, 300));
        assert!(!verify(
            new_secret().expose(),
            &both,
            body,
            1_700_000_000,
            300
        ));
    }

    #[test]
    fn known_vector() {
        // Computed independently:
        // printf '1.{}' | openssl dgst -sha256 -hmac 'whsec_test'
        assert_eq!(
            signature(&WebhookSecret::new("whsec_test".into()), 1, b"{}"),
            "t=1,v1=7500d5d4be4b3ef07af1fe56f7d522d135cdaa7530de557e67cc1049c52de094"
        );
    }
}
