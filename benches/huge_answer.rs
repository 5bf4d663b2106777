//! Peak memory when a server answers 512 MB: a loopback server sends a 200 with a 512 MB JSON
//! body (a list page that never ends) to a customer-list request; the client stops reading at
//! its body limit (32 MiB) and reports the answer as too large. Prints the process's peak RSS
//! (`VmHWM`) before and after.
//!
//! Run: `cargo bench --bench huge_answer`

// A benchmark may stop on a failed set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use secrecy::SecretString;
use syncro_tui::api::{ApiError, ClientConfig, CustomerQuery, SyncroClient};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BODY: u64 = 512 * 1024 * 1024;

fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = s.read(&mut buf).await;
                // `/api/v1/customers?...` says its length; any other path streams without one
                // (read until the connection closes), so the limit is met while reading.
                let says_length = String::from_utf8_lossy(&buf).contains("GET /api/v1/customers");
                let head = if says_length {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {BODY}\r\n\r\n"
                    )
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
                        .to_string()
                };
                if s.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let mut sent = 0u64;
                let start = b"{\"customers\":[";
                let _ = s.write_all(start).await;
                sent += start.len() as u64;
                let chunk = "{\"id\":1,\"business_name\":\"x\"},".repeat(2048);
                while sent < BODY {
                    let n = (BODY - sent).min(chunk.len() as u64) as usize;
                    if s.write_all(&chunk.as_bytes()[..n]).await.is_err() {
                        return;
                    }
                    sent += n as u64;
                }
            });
        }
    });
    for (label, base) in [
        (
            "with its length in the headers",
            format!("http://{addr}/api/v1"),
        ),
        (
            "streamed without a length",
            format!("http://{addr}/streamed/api/v1"),
        ),
    ] {
        let before = peak_kb();
        let cfg = ClientConfig::new(base, SecretString::from("bench-key-0001".to_string()));
        let client = SyncroClient::new(cfg).unwrap();
        let t = std::time::Instant::now();
        let result = client
            .list_customers(&CustomerQuery {
                page: 1,
                ..CustomerQuery::default()
            })
            .await;
        let took = t.elapsed();
        let after = peak_kb();
        let outcome = match result {
            Err(ApiError::TooLarge { limit }) => {
                format!("refused as too large (limit {limit} bytes)")
            }
            Err(e) => format!("error: {e}"),
            Ok(p) => format!("read {} customers (unexpected)", p.items.len()),
        };
        println!(
            "a 512 MB answer to a customer page, {label}: {outcome} after {:.1} s; peak RSS {} MB before, {} MB after",
            took.as_secs_f64(),
            before / 1024,
            after / 1024
        );
    }
}
