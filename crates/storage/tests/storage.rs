//! One suite, two adapters: the local folder, and S3 against a real
//! S3-compatible server (moto's standalone server).
//!
//! The S3 test is `#[ignore = "needs …"]` (the MariaDB tests' convention):
//! `cargo test -- --include-ignored` runs it, against
//! `CHAT_TEST_S3_ENDPOINT` (`.ci/run` starts moto and sets it) or, when that
//! is unset, against a `moto_server` it starts itself from `PATH` (and
//! stops). With neither, it fails saying what to install.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chat_domain::attachment::{ObjectStorage, StorageError};
use chat_storage::{Storage, StorageUrl};

/// What every adapter must do.
async fn suite(s: &Storage) {
    let run = uuid::Uuid::new_v4();
    let a = format!("attachments/{run}/a");
    let b = format!("attachments/{run}/b");
    let other = format!("attachments/{run}-other/c");

    // Round trip, every byte value.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    s.put(&a, bytes.clone()).await.unwrap();
    assert_eq!(s.get(&a).await.unwrap(), bytes);
    // Overwrite.
    s.put(&a, b"second".to_vec()).await.unwrap();
    assert_eq!(s.get(&a).await.unwrap(), b"second");
    // A missing key is NotFound, not a backend failure.
    assert_eq!(
        s.get(&b).await.unwrap_err(),
        StorageError::NotFound(b.clone())
    );
    // Listing by prefix: only this customer's keys.
    s.put(&b, vec![1]).await.unwrap();
    s.put(&other, vec![2]).await.unwrap();
    assert_eq!(
        s.list(&format!("attachments/{run}")).await.unwrap(),
        vec![a.clone(), b.clone()]
    );
    // A 3 MiB object (above S3's single-part sweet spot, below the upload limit).
    let big = vec![7u8; 3 * 1024 * 1024];
    s.put(&b, big.clone()).await.unwrap();
    assert_eq!(s.get(&b).await.unwrap().len(), big.len());
    // Delete, and delete again (idempotent).
    for key in [&a, &b, &other] {
        s.delete(key).await.unwrap();
        s.delete(key).await.unwrap();
        assert!(matches!(
            s.get(key).await.unwrap_err(),
            StorageError::NotFound(_)
        ));
    }
    assert!(
        s.list(&format!("attachments/{run}"))
            .await
            .unwrap()
            .is_empty()
    );
    // Keys that could escape the store are refused.
    assert!(matches!(
        s.put("attachments/../../etc/x", vec![1]).await,
        Err(StorageError::Backend(_))
    ));
}

#[tokio::test]
async fn local_folder() {
    let dir = std::env::temp_dir().join(format!("chat-storage-{}", uuid::Uuid::new_v4()));
    let storage = Storage::open(&StorageUrl::Folder(dir.clone()), []).unwrap();
    suite(&storage).await;
    // Nothing escaped the folder, and the emptied folders were removed.
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        left.iter().all(|e| e.as_ref().unwrap().path().is_dir()),
        "{left:?}"
    );
}

/// A moto server this test started; killed on drop.
struct Moto(Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One raw HTTP request to the S3 server (moto creates buckets without
/// signatures), returning the status code.
fn http(endpoint: &str, method: &str, path: &str) -> std::io::Result<u16> {
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let addr: SocketAddr = host
        .parse()
        .map_err(|e| std::io::Error::other(format!("{host}: {e}")))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {answer:?}")))
}

/// The endpoint to test against, and the server started for it (if any).
fn s3_endpoint() -> (String, Option<Moto>) {
    if let Some(url) = std::env::var("CHAT_TEST_S3_ENDPOINT")
        .ok()
        .filter(|v| !v.is_empty())
    {
        return (url, None);
    }
    let port = free_port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "needs an S3-compatible server: set CHAT_TEST_S3_ENDPOINT, or install moto \
                 (pip install 'moto[server]') so that moto_server is on PATH ({e})"
            )
        });
    let moto = Moto(child);
    let endpoint = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while http(&endpoint, "GET", "/").is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    (endpoint, Some(moto))
}

#[tokio::test]
#[ignore = "needs an S3-compatible server (CHAT_TEST_S3_ENDPOINT, or moto_server on PATH)"]
async fn s3_compatible() {
    let (endpoint, _moto) = s3_endpoint();
    let bucket = format!("chat-test-{}", uuid::Uuid::new_v4().simple());
    let created = http(&endpoint, "PUT", &format!("/{bucket}")).unwrap();
    assert!(created < 300, "creating the bucket: HTTP {created}");
    let vars = [
        ("AWS_ENDPOINT", endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        // Not ours: ignored, not an error.
        ("AWS_PAGER", ""),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let url = StorageUrl::parse(Some(&format!("s3://{bucket}/chat/prod")), "/".as_ref()).unwrap();
    let storage = Storage::open(&url, vars).unwrap();
    suite(&storage).await;
    // The prefix is applied: nothing outside it, nothing left inside.
    assert_eq!(
        http(&endpoint, "DELETE", &format!("/{bucket}")).unwrap(),
        204
    );
}
