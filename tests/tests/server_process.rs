//! The server binary as an operator meets it: graceful shutdown with live connections open,
//! configuration refused at start-up with every problem listed and no secret printed, and
//! structured logs that carry request ids.

use fieldstone_tests::*;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Waits for the process to exit, killing it (and failing) after `limit`.
fn wait_exit(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sigterm(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_server_cleanly_even_with_a_live_connection_open() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("server");
    let token = create_account(&data, "ada@example.com");
    let mut child = Command::new(server_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let url = line.trim().trim_start_matches("listening on ").to_owned();

    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("{}/v2/sync/live", url.replace("http://", "ws://"))
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let (_socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("live connection");

    sigterm(child.id());
    let status = wait_exit(&mut child, Duration::from_secs(20));
    assert!(status.success(), "a clean exit, not a crash: {status}");
}

#[test]
fn invalid_configuration_is_refused_with_every_problem_and_no_secret() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = tmp.path().join("server.toml");
    std::fs::write(
        &config,
        "database_url = \"mysql://fs:hunter2@db/fieldstone\"\n[limits]\nhot_docs = 1\n[auth]\nargon2_memory_kib = 64\n",
    )
    .expect("write");
    let output = Command::new(server_bin())
        .args(["--config"])
        .arg(&config)
        .arg("serve")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in ["hot_docs", "argon2_memory_kib", "database_url"] {
        assert!(stderr.contains(expected), "names {expected}: {stderr}");
    }
    assert!(!stderr.contains("hunter2"), "secret printed: {stderr}");

    // A typo in a key is caught, not ignored.
    std::fs::write(&config, "[limits]\nhot_doc = 5\n").expect("write");
    let output = Command::new(server_bin())
        .arg("--config")
        .arg(&config)
        .arg("serve")
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("hot_doc"));

    // An unreachable PostgreSQL: a clear error, the password redacted.
    let output = Command::new(server_bin())
        .args([
            "--database-url",
            "postgres://fs:hunter2@127.0.0.1:1/fieldstone",
            "admin",
            "stats",
        ])
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("postgres://fs:***@127.0.0.1:1"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "secret printed: {stderr}");
}

#[test]
fn json_logs_carry_the_request_id_the_client_sees() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(server_bin())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--data-dir",
        ])
        .arg(tmp.path())
        .env("RUST_LOG", "info,tower_http=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .trim()
        .trim_start_matches("listening on http://")
        .to_owned();

    // A bare request, so this test needs no HTTP client.
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    let request_id = answer
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .expect("a request id header")
        .trim()
        .to_owned();

    sigterm(child.id());
    assert!(wait_exit(&mut child, Duration::from_secs(20)).success());
    let mut logs = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut logs)
        .expect("logs");
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l.to_string().contains(&request_id)),
        "no log line carries {request_id}: {logs}"
    );
}

/// The operator's view of an attack: a weak Argon2 setting is refused at start-up, and the
/// organisation's audit log (read with `admin audit`) names failed sign-ins with the address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_hashing_is_refused_and_failed_sign_ins_reach_the_audit_log() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = tmp.path().join("server.toml");
    std::fs::write(
        &config,
        "[auth]\nargon2_memory_kib = 19456\nargon2_iterations = 1\n",
    )
    .expect("write");
    let output = Command::new(server_bin())
        .arg("--config")
        .arg(&config)
        .arg("serve")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("OWASP"));

    let data = tmp.path().join("data");
    let org = Org::create(&data, "Harbour");
    org.user("ada@harbour.test", "agent", None);
    let server = ServerProcess::start(&data, "127.0.0.1:0");
    let status = reqwest::Client::new()
        .post(format!("{}/v2/auth/login", server.url))
        .json(&serde_json::json!({"email": "ada@harbour.test", "password": "a wrong guess", "device_name": "x"}))
        .send()
        .await
        .expect("login")
        .status();
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    let log = admin(&data, &["audit", "--org", "Harbour"]);
    assert!(
        log.contains("login_failed")
            && log.contains("ada@harbour.test")
            && log.contains("127.0.0.1"),
        "{log}"
    );
}

/// Runs `fieldstone-server admin <args>` on `data` with the given secret key (or none) and
/// standard input; answers (success, stdout, stderr).
fn admin_with(
    data: &std::path::Path,
    key: Option<&str>,
    stdin: &str,
    args: &[&str],
) -> (bool, String, String) {
    use std::io::Write;
    let mut command = Command::new(server_bin());
    command.arg("admin").args(args).arg("--data-dir").arg(data);
    command.env_remove("FIELDSTONE_SECRET_KEY");
    if let Some(key) = key {
        command.env("FIELDSTONE_SECRET_KEY", key);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    let output = child.wait_with_output().expect("output");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_operator_sets_plans_providers_and_do_not_call_lists_and_sealed_secrets_need_their_key() {
    const KEY: &str = "b3BlcmF0b3IncyBzZWNyZXQga2V5IGZvciB0aGUgdGVzdHM=";
    const TOKEN: &str = "the-twilio-auth-token";
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("server");
    let org = Org::create(&data, "Harbour");

    let (ok, _, err) = admin_with(
        &data,
        None,
        "",
        &["set-plan", "--org", &org.id, "--plan", "gold"],
    );
    assert!(
        !ok && err.contains("--plan must be free, starter, pro or enterprise"),
        "{err}"
    );
    let (ok, _, err) = admin_with(
        &data,
        None,
        "",
        &[
            "set-plan",
            "--org",
            "Harbour",
            "--plan",
            "starter",
            "--time-zone",
            "Europe/Paris",
        ],
    );
    assert!(ok, "{err}");
    let (ok, out, err) = admin_with(&data, None, "", &["usage", "--org", "Harbour"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("plan\tstarter\nmonth\t"), "{out}");

    let settings = r#"{"account_sid":"AC0123456789abcdef0123456789abcdef","from":"+15005550006"}"#;
    let set = [
        "set-provider",
        "--org",
        "Harbour",
        "--kind",
        "sms",
        "--settings",
        settings,
    ];
    // Without the server's key nothing can be sealed, so nothing is stored.
    let (ok, _, err) = admin_with(&data, None, TOKEN, &set);
    assert!(!ok && err.contains("secret_key"), "{err}");
    let (ok, _, err) = admin_with(&data, Some(KEY), TOKEN, &set);
    assert!(ok, "{err}");
    let (ok, out, err) = admin_with(&data, None, "", &["providers", "--org", "Harbour"]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("sms\t") && out.contains("secret set"),
        "{out}"
    );
    assert!(
        !out.contains(TOKEN) && !err.contains(TOKEN),
        "the secret is never printed"
    );
    let db = std::fs::read(data.join("fieldstone.db")).unwrap_or_default();
    assert!(
        !db.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
        "sealed at rest"
    );

    let list = tmp.path().join("dnc.csv");
    std::fs::write(
        &list,
        "phone\n+1 555 000 1111\nnot a number\n(555) 000-2222\n",
    )
    .expect("write");
    let (ok, out, err) = admin_with(
        &data,
        None,
        "",
        &[
            "import-dnc",
            "--org",
            "Harbour",
            "--file",
            list.to_str().expect("path"),
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "added 2, already listed 0, rejected 1");
    assert!(err.contains("line 3:"), "{err}");

    // The server refuses to start without the key the secrets were sealed with ...
    let output = Command::new(server_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env_remove("FIELDSTONE_SECRET_KEY")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("sealed with the server's secret_key"),
        "{stderr}"
    );
    // ... and starts with it.
    let mut child = Command::new(server_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("FIELDSTONE_SECRET_KEY", KEY)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    assert!(line.starts_with("listening on "), "{line}");
    let _ = child.kill();
    let _ = child.wait();
}
