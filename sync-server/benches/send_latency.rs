//! Time from a device's send to the SMTP server's accept, online: a real server on a loopback
//! port (SQLite store in a temp dir, the default email timings) whose `[email]` relay is a
//! small SMTP receiver in this process, so the accept is timed on the same clock as the push.
//! A device pushes one email at a time through the sync API; a sample is from just before the
//! push request to the receiver reading the message's final `\r\n.\r\n`. Prints p50, p90, p99
//! and the worst.
//!
//! A timed run rather than criterion (each sample waits for a real send). Run with
//! `cargo bench -p fieldstone-server --bench send_latency` (`SAMPLES=n`, `GAP_MS=n` for the
//! pause between sends).

mod common;

use common::{message_push, ms, percentile, secret_key, Harbour, Serving};
use fieldstone_model::{Clock, FixedClock};
use fieldstone_server::config::Config;
use fieldstone_server::dispatch::EmailConfig;
use fieldstone_server::AppState;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

// The server binary's allocator, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Speaks just enough SMTP to accept mail; for each message, sends its Message-ID and the
/// instant its final `\r\n.\r\n` was read.
fn smtp_session(
    stream: TcpStream,
    accepted: tokio::sync::mpsc::UnboundedSender<(String, Instant)>,
) {
    let mut out = stream.try_clone().expect("clone");
    let mut lines = BufReader::new(stream);
    let mut say = |text: &str| out.write_all(text.as_bytes()).is_ok();
    if !say("220 bench.test ESMTP\r\n") {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answered = match verb.as_str() {
            "EHLO" => say("250-bench.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"),
            "DATA" => {
                if !say("354 end with <CRLF>.<CRLF>\r\n") {
                    return;
                }
                let mut message_id = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    if message_id.is_empty()
                        && line.len() > 11
                        && line[..11].eq_ignore_ascii_case("message-id:")
                    {
                        message_id = line[11..].trim().to_owned();
                    }
                }
                let at = Instant::now();
                let _ = accepted.send((message_id, at));
                say("250 2.0.0 queued\r\n")
            }
            "QUIT" => {
                say("221 bye\r\n");
                return;
            }
            // HELO, MAIL, RCPT, RSET, NOOP: all fine by this relay.
            _ => say("250 2.0.0 ok\r\n"),
        };
        if !answered {
            return;
        }
    }
}

fn main() {
    let samples = common::env("SAMPLES", 200).max(1);
    let gap = Duration::from_millis(common::env("GAP_MS", 100) as u64);
    let dir = tempfile::tempdir().expect("tempdir");

    let relay = TcpListener::bind("127.0.0.1:0").expect("bind relay");
    let relay_port = relay.local_addr().expect("addr").port();
    let (accepted_tx, mut accepted) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for stream in relay.incoming() {
            let Ok(stream) = stream else { continue };
            let tx = accepted_tx.clone();
            std::thread::spawn(move || smtp_session(stream, tx));
        }
    });

    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let at = clock.now();
    // The default timings (poll every 2 s): a push's news should wake the dispatcher at once.
    let email = EmailConfig::new(
        &format!("smtp://127.0.0.1:{relay_port}"),
        "crm@harbour.test",
    );
    let config = Config {
        email: Some(email),
        secret_key: Some(secret_key()),
        ..Config::default()
    };
    let harbour = Harbour::open(&dir.path().join("data"), at);
    let token = harbour.device_token(at);

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let state = runtime
        .block_on(async { AppState::new(harbour.store.clone(), config, clock.clone()) })
        .expect("state");
    runtime.block_on(async {
        let server = Serving::start(state).await;
        let base = server.base.clone();
        let http = reqwest::Client::new();
        let mut to_accept = Vec::with_capacity(samples);
        let mut to_answer = Vec::with_capacity(samples);
        for n in 0..samples {
            // Written on the device before the clock starts: the user pressed Send.
            let message = harbour.email(&format!("Three homes near the park ({n})"), at);
            let id = message.id;
            let push = message_push(&message);

            let started = Instant::now();
            let pushed = common::push(&http, &base, &token, vec![push]).await;
            let answered = started.elapsed();
            assert_eq!(pushed.accepted, 1, "{pushed:?}");
            let wanted = format!("<{id}.");
            // One message at a time: the next one the relay accepts must be this one.
            let (message_id, accepted_at) =
                tokio::time::timeout(Duration::from_secs(30), accepted.recv())
                    .await
                    .expect("the relay accepted the message in time")
                    .expect("relay running");
            assert!(
                message_id.starts_with(&wanted),
                "the relay saw {message_id}, waiting for {wanted}"
            );
            to_accept.push(accepted_at.duration_since(started));
            to_answer.push(answered);
            tokio::time::sleep(gap).await;
        }
        server.stop().await;
        let first = to_accept[0];
        to_accept.sort();
        to_answer.sort();
        println!(
            "{samples} emails, one at a time ({} ms apart), device push to SMTP accept: \
             p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms (the first, with the \
             relay connection opened: {:.1} ms)",
            gap.as_millis(),
            ms(percentile(&to_accept, 0.50)),
            ms(percentile(&to_accept, 0.90)),
            ms(percentile(&to_accept, 0.99)),
            ms(*to_accept.last().expect("one")),
            ms(first),
        );
        println!(
            "of which the push's own answer: p50 {:.1} ms, p99 {:.1} ms",
            ms(percentile(&to_answer, 0.50)),
            ms(percentile(&to_answer, 0.99)),
        );
    });
}
