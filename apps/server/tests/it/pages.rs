//! The web pages (widget, demo, console) as a browser gets them from a real
//! server: content types, the Content-Security-Policy and the other security
//! headers, revalidation, and that they never shadow the API or the socket.
//! Only SQLite: serving the pages does not touch the database. What the pages
//! do in a browser is tested by web/tests (headless Chromium).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use crate::common;

use std::path::{Path, PathBuf};

use common::{Backend, TestApp, request};

const PAGES: &[(&str, &str)] = &[
    ("/", "'self'"),
    ("/widget/frame", "*"),
    ("/console", "'none'"),
];

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_strict_policy_and_security_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for (path, ancestors) in PAGES {
        let r = app.get(path, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(
            r.headers["content-type"], "text/html; charset=utf-8",
            "{path}"
        );
        let csp = &r.headers["content-security-policy"];
        for directive in [
            "default-src 'self'",
            "script-src 'self';",
            "style-src 'self';",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} in {csp}");
        }
        assert!(!csp.contains("unsafe"), "{path}: nothing unsafe in {csp}");
        let host = app.addr.to_string();
        assert!(
            csp.contains(&format!("connect-src 'self' ws://{host} wss://{host};")),
            "{path}: the socket's origin in {csp}"
        );
        assert!(
            csp.ends_with(&format!("frame-ancestors {ancestors}")),
            "{path}: {csp}"
        );
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(r.headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(r.headers["cache-control"], "no-cache", "{path}");
        assert!(r.headers["etag"].starts_with('"'), "{path}: strong ETag");
    }
    let console = app.get("/console", None).await;
    assert_eq!(console.headers["x-frame-options"], "DENY");
    let frame = app.get("/widget/frame", None).await;
    assert!(
        !frame.headers.contains_key("x-frame-options"),
        "the widget frame may be embedded by any site"
    );
    // A Host that is not a plain host[:port] never reaches the policy.
    let raw = raw_get(app.addr, "/console", "evil.example;script-src").await;
    let csp = raw
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .unwrap()
        .to_owned();
    assert!(
        !csp.contains("evil") && csp.contains("connect-src 'self';"),
        "{csp}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_and_styles_have_their_types_and_revalidate() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = app.get("/widget.js", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(
        r.headers["cross-origin-resource-policy"], "cross-origin",
        "other sites include the loader"
    );
    assert!(r.text.contains("/widget/frame"));
    let css = app.get("/widget/frame.css", None).await;
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.headers["cross-origin-resource-policy"], "same-origin");
    assert_eq!(css.headers["x-content-type-options"], "nosniff");

    let etag = r.headers["etag"].clone();
    let again = common::get_with(app.addr, "/widget.js", ("if-none-match", etag.as_str())).await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    assert_eq!(again.headers["etag"], etag);
    let stale = common::get_with(app.addr, "/widget.js", ("if-none-match", "\"other\"")).await;
    assert_eq!(stale.status, 200);

    let head = request(app.addr, "HEAD", "/console", &[], None).await;
    assert_eq!(head.status, 200);
    assert!(head.text.is_empty());
    assert_eq!(head.headers["content-type"], "text/html; charset=utf-8");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_never_shadow_the_api_or_the_socket() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for path in [
        "/nope",
        "/console/nope.js",
        "/widget/../Cargo.toml",
        "/api/v1/nope",
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.error_code(), "not_found", "{path}");
    }
    let r = app
        .post_json("/console", &serde_json::json!({}), None)
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(r.error_code(), "method_not_allowed");
    // The socket and the API still answer for themselves.
    let r = app.get("/ws", None).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (400, "validation_failed")
    );
    let r = app.get("/api/v1/me", None).await;
    assert_eq!(r.status, 401);
    assert_eq!(app.get("/healthz", None).await.status, 200);
    app.stop().await;
}

/// Every same-origin reference in the pages (script, stylesheet, icon, ES
/// module import) is served: a file renamed without updating the asset table
/// fails here, not in a browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_referenced_file_is_served() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut refs = Vec::new();
    for (path, _) in PAGES {
        let html = app.get(path, None).await.text;
        for attr in ["src=\"", "href=\""] {
            for part in html.split(attr).skip(1) {
                let url = part.split('"').next().unwrap();
                if url.starts_with('/') {
                    refs.push(url.to_owned());
                }
            }
        }
    }
    for file in js_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for part in text.split("from '").skip(1) {
            refs.push(part.split('\'').next().unwrap().to_owned());
        }
    }
    refs.sort();
    refs.dedup();
    assert!(refs.len() > 10, "found the references: {refs:?}");
    for url in refs {
        let r = app.get(&url, None).await;
        assert_eq!(r.status, 200, "{url} is referenced but not served");
    }
    app.stop().await;
}

/// Message text and names must never be parsed as HTML, and the CSP forbids
/// inline code: the pages' sources use neither.
#[test]
fn sources_use_no_html_sinks_and_no_inline_code() {
    for file in js_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ] {
            assert!(!text.contains(sink), "{} uses {sink}", file.display());
        }
    }
    for page in ["demo/index.html", "widget/frame.html", "console/index.html"] {
        let html = std::fs::read_to_string(web_dir().join(page)).unwrap();
        for part in html.split("<script").skip(1) {
            let tag = part.split('>').next().unwrap();
            assert!(tag.contains("src="), "{page}: inline script");
        }
        assert!(!html.contains("<style"), "{page}: inline style");
        assert!(!html.contains(" style="), "{page}: style attribute");
        let handler = html.split(" on").skip(1).any(|rest| {
            let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert!(!handler, "{page}: inline event handler");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_dir_serves_from_disk_for_development() {
    let dir = std::env::temp_dir().join(format!("chat-web-{}", uuid::Uuid::now_v7().simple()));
    copy_dir(&web_dir(), &dir);
    std::fs::write(dir.join("widget/embed.js"), "// edited on disk\n").unwrap();
    let db = chat_store::testing::TestDb::sqlite().await;
    let data = common::data_dir();
    let app = TestApp::spawn_on(db, data, &[("CHAT_WEB_DIR", dir.to_str().unwrap())]).await;
    let r = app.get("/widget.js", None).await;
    assert_eq!((r.status, r.text.as_str()), (200, "// edited on disk\n"));
    // Still only the files of the table.
    assert_eq!(app.get("/tests/package.json", None).await.status, 404);
    app.stop().await;
    std::fs::remove_dir_all(dir).unwrap();
}

async fn raw_get(addr: std::net::SocketAddr, path: &str, host: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).to_lowercase()
}

fn js_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["shared", "widget", "console", "demo"] {
        for entry in std::fs::read_dir(web_dir().join(sub)).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "js") {
                out.push(p);
            }
        }
    }
    assert!(!out.is_empty());
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "node_modules" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
