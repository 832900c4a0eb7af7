//! The local AWS stand-in for the tests: one moto_server per test binary on a free port (through
//! `infra/moto_server.py`), the SDK configuration that points at it, and the mail it captured.

use aws_sdk_dynamodb::config::Credentials;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::{free_port, workspace_root};

/// The endpoint of this test binary's moto_server, started on first use. A watchdog shell stops it
/// when the test process exits.
pub fn moto_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    static WATCHDOG: OnceLock<std::sync::Mutex<std::process::Child>> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        // `infra/moto_server.py`: moto with DynamoDB requests applied one at a time (why: there).
        let moto = std::env::var("MOTO_SERVER").unwrap_or_else(|_| {
            let root = workspace_root();
            format!(
                "\"{}\" \"{}\"",
                root.join(".venv/bin/python").display(),
                root.join("infra/moto_server.py").display()
            )
        });
        let port = free_port();
        let script = format!(
            "{moto} -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; \
             while kill -0 {parent} 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 0.5; done; kill $m 2>/dev/null",
            parent = std::process::id()
        );
        let watchdog = Command::new("bash")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .spawn()
            .expect("starting moto_server (run ./infra/test.sh, or set MOTO_SERVER)");
        // Held for the life of the test process; the watchdog ends itself and moto when we exit.
        WATCHDOG.get_or_init(|| std::sync::Mutex::new(watchdog));
        let addr = format!("127.0.0.1:{port}");
        for _ in 0..300 {
            if std::net::TcpStream::connect(&addr).is_ok() {
                return format!("http://{addr}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server did not start on {addr}");
    })
}

pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto_endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .load()
        .await
}

/// Mail the local SES stand-in has captured ({source, destinations, subject, body}), newest last:
/// `infra/moto_server.py`'s `/_portal/mailbox.json` (not `/moto-api/data.json`, which dumps every
/// test's table and slows as the run goes on).
pub async fn sent_mail() -> Vec<Value> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = moto_endpoint().trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("moto");
    let request = format!("GET /_portal/mailbox.json HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("response");
    let text = String::from_utf8_lossy(&raw);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    serde_json::from_str(body).expect("the mailbox (infra/moto_server.py)")
}
