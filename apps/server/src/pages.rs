//! The web pages: the customer widget, its demo page and the agent console.
//!
//! The files live under `web/` at the repository root and are compiled into
//! the binary (`include_bytes!`), so `cargo run -p chat-server` serves the
//! whole product with no front-end build step. They are plain ES modules and
//! CSS; the URL of each one is fixed in [`ASSETS`], so nothing outside that
//! table can be served (no path traversal, also with `CHAT_WEB_DIR`).
//!
//! This lives in the server crate rather than in a crate of its own because
//! the pages are a client of the whole application (REST and socket) and no
//! library crate needs them; it is registered as the default service, after
//! `/api` and `/ws`, so it can never shadow them.
//!
//! Every answer carries `X-Content-Type-Options: nosniff`, `Referrer-Policy`,
//! a strong `ETag` (revalidated with `If-None-Match`, `Cache-Control:
//! no-cache` because the URLs are not fingerprinted), and HTML pages a strict
//! Content-Security-Policy: scripts, styles and connections from this origin
//! only (plus its `ws:`/`wss:` form), no inline script or style, no plugins;
//! images also from `blob:` (attachments are fetched with the caller's token
//! and shown through blob URLs).

use std::path::PathBuf;
use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};

/// Who may frame a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    /// Not framed at all (the console: clickjacking).
    Deny,
    /// By pages of this origin (the demo page).
    SameOrigin,
    /// By any site: the widget's frame is meant to be embedded anywhere.
    Anyone,
}

/// One embedded file.
struct Asset {
    /// The URL path it is served at.
    url: &'static str,
    /// Its path under `web/` (for `CHAT_WEB_DIR`).
    file: &'static str,
    /// The compiled-in bytes.
    body: &'static [u8],
    /// `Content-Type`.
    content_type: &'static str,
    /// `Some` for HTML pages: their CSP `frame-ancestors`.
    page: Option<Framing>,
}

macro_rules! asset {
    ($url:literal, $file:literal, $ct:expr) => {
        asset!($url, $file, $ct, None)
    };
    ($url:literal, $file:literal, $ct:expr, $page:expr) => {
        Asset {
            url: $url,
            file: $file,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/", $file)),
            content_type: $ct,
            page: $page,
        }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Every file served, by URL.
static ASSETS: &[Asset] = &[
    asset!("/", "demo/index.html", HTML, Some(Framing::SameOrigin)),
    asset!("/demo/demo.css", "demo/demo.css", CSS),
    asset!("/widget.js", "widget/embed.js", JS),
    asset!(
        "/widget/frame",
        "widget/frame.html",
        HTML,
        Some(Framing::Anyone)
    ),
    asset!("/widget/frame.js", "widget/frame.js", JS),
    asset!("/widget/frame.css", "widget/frame.css", CSS),
    asset!("/widget/i18n.js", "widget/i18n.js", JS),
    asset!("/widget/away.js", "widget/away.js", JS),
    asset!("/widget/prechat.js", "widget/prechat.js", JS),
    asset!("/shared/socket.js", "shared/socket.js", JS),
    asset!("/shared/dom.js", "shared/dom.js", JS),
    asset!("/shared/format.js", "shared/format.js", JS),
    asset!("/shared/emoji.js", "shared/emoji.js", JS),
    asset!("/shared/files.js", "shared/files.js", JS),
    asset!("/shared/notices.js", "shared/notices.js", JS),
    asset!("/shared/base.css", "shared/base.css", CSS),
    asset!("/favicon.svg", "shared/favicon.svg", SVG),
    asset!("/console", "console/index.html", HTML, Some(Framing::Deny)),
    asset!("/console/app.js", "console/app.js", JS),
    asset!("/console/api.js", "console/api.js", JS),
    asset!("/console/admin.js", "console/admin.js", JS),
    asset!("/console/chart.js", "console/chart.js", JS),
    asset!("/console/hours.js", "console/hours.js", JS),
    asset!("/console/i18n.js", "console/i18n.js", JS),
    asset!("/console/prechat.js", "console/prechat.js", JS),
    asset!("/console/console.css", "console/console.css", CSS),
];

/// Serving options.
#[derive(Clone, Debug, Default)]
pub struct PagesConfig {
    /// `CHAT_WEB_DIR`: read the files from this `web/` folder on every
    /// request instead of the compiled-in copies (front-end development).
    pub dir: Option<PathBuf>,
}

/// Registers the pages as the default service; unknown paths still get the
/// API's JSON 404.
pub fn configure(config: PagesConfig) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(config))
            .default_service(web::to(serve));
    }
}

fn find(path: &str) -> Option<(usize, &'static Asset)> {
    // `/console/` and `/console` are the same page.
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    ASSETS.iter().enumerate().find(|(_, a)| a.url == path)
}

/// Strong ETags of the compiled-in files (FNV-1a: identity, not security).
fn etags() -> &'static [String] {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    TAGS.get_or_init(|| ASSETS.iter().map(|a| etag_of(a.body)).collect())
}

fn etag_of(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{h:016x}-{}\"", bytes.len())
}

async fn serve(req: HttpRequest, config: web::Data<PagesConfig>) -> HttpResponse {
    let Some((index, asset)) = find(req.path()) else {
        return chat_admin::http::not_found(req).await;
    };
    let head = req.method() == Method::HEAD;
    if !head && req.method() != Method::GET {
        return chat_admin::http::error::method_not_allowed().await;
    }
    let (body, etag): (std::borrow::Cow<'static, [u8]>, String) = match &config.dir {
        None => (asset.body.into(), etags()[index].clone()),
        Some(dir) => {
            let path = dir.join(asset.file);
            match web::block(move || std::fs::read(path)).await {
                Ok(Ok(bytes)) => {
                    let tag = etag_of(&bytes);
                    (bytes.into(), tag)
                }
                _ => return chat_admin::http::not_found(req).await,
            }
        }
    };
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::CONTENT_TYPE, asset.content_type))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    match asset.page {
        Some(framing) => {
            res.insert_header((header::CONTENT_SECURITY_POLICY, csp(&req, framing)));
            match framing {
                Framing::Deny => {
                    res.insert_header((header::X_FRAME_OPTIONS, "DENY"));
                }
                Framing::SameOrigin => {
                    res.insert_header((header::X_FRAME_OPTIONS, "SAMEORIGIN"));
                }
                Framing::Anyone => {}
            }
        }
        None => {
            // The loader script is included by other sites' pages.
            let corp = if asset.url == "/widget.js" {
                "cross-origin"
            } else {
                "same-origin"
            };
            res.insert_header(("cross-origin-resource-policy", corp));
        }
    }
    if fresh {
        return res.finish();
    }
    if head {
        let len = body.len();
        return res
            .insert_header((header::CONTENT_LENGTH, HeaderValue::from(len)))
            .status(StatusCode::OK)
            .finish();
    }
    res.body(body.into_owned())
}

/// The page policy. `connect-src` names the socket's `ws:`/`wss:` origin
/// explicitly (older browsers do not read `'self'` as covering it); the host
/// comes from the request and is only used when it is a plain host[:port].
fn csp(req: &HttpRequest, framing: Framing) -> String {
    let host = req.connection_info().host().to_owned();
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    let sockets = if plain {
        format!(" ws://{host} wss://{host}")
    } else {
        String::new()
    };
    let ancestors = match framing {
        Framing::Deny => "'none'",
        Framing::SameOrigin => "'self'",
        Framing::Anyone => "*",
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'{sockets}; media-src 'self' data:; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-src 'self'; frame-ancestors {ancestors}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_unique_and_found() {
        for (i, a) in ASSETS.iter().enumerate() {
            assert_eq!(find(a.url).map(|(j, _)| j), Some(i), "{}", a.url);
            assert!(!a.body.is_empty(), "{} is empty", a.file);
        }
        assert!(find("/console/").is_some());
        assert!(find("/../Cargo.toml").is_none());
        assert!(find("/api/v1/nope").is_none());
    }

    #[test]
    fn etags_differ_by_content() {
        assert_ne!(etag_of(b"a"), etag_of(b"b"));
        assert_eq!(etag_of(b"abc"), etag_of(b"abc"));
    }
}
