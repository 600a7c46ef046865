//! The real app window, timed (issue 5): app start to the first contact rows with 10k contacts,
//! search results after each keystroke with 100k, and the wasm bundle's size. Prints the figures
//! recorded in docs/BENCHMARKS.md; nothing is asserted.
//!
//! Needs what the window tests need (the app built with its bundled UI, tauri-driver, a display;
//! see `tests/tests/app_support`), then:
//! `cargo bench -p fieldstone-tests --bench app`
//! (`FIELDSTONE_BENCH_ONLY=start|search|today|contact|grid|bundle` runs one part,
//! `FIELDSTONE_BENCH_RUNS=n` starts).
//!
//! `today`: Today at 100k contacts, from the navigation to it until its loaded day is painted
//! (the `fieldstone:today` mark). `contact`: a contact with a 500-event timeline (250 notes, 250
//! calls) among 100k, from the navigation until its header and first timeline page are painted
//! (`fieldstone:contact`).
//!
//! `grid`: the Listings grid's first page (48 listings, each with its own photo kept on this
//! device as a blob with its thumbnail), from the navigation to it until every card's thumbnail
//! is decoded and the next frame has rendered.
//!
//! The page is timed by the `fieldstone:contact-rows` performance mark, which the Contacts screen
//! sets each time a page of rows is in the DOM; "painted" is the first animation frame after it
//! plus a zero timeout, i.e. once that frame's rendering has run.

#[path = "../tests/app_support/mod.rs"]
mod app_support;
#[path = "../../shared/replica/benches/fixture/mod.rs"]
mod fixture;

use app_support::{App, Driver, DESKTOP};
use fieldstone_model::FixedClock;
use fieldstone_replica::{ContactQuery, Replica};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const MARK: &str = "fieldstone:contact-rows";
/// The Contacts screen asks for pages of this many rows (`ui/src/state/contacts.rs`).
const PAGE: u32 = 50;
/// Between keystrokes once the rows are shown, as a quick typist's gap.
const TYPING_GAP: Duration = Duration::from_millis(150);

/// Wraps `performance.mark` so each rows mark also records the frame that shows it, and keeps
/// every `input` event's time (capture phase on the document: before the app's own listener).
const INSTRUMENT: &str = r"
if (!window.__fsBench) {
  const bench = { rows: [], inputs: [] };
  window.__fsBench = bench;
  const mark = performance.mark.bind(performance);
  performance.mark = function (name, options) {
    const entry = mark(name, options);
    if (name === 'fieldstone:contact-rows') {
      const rec = { dom: performance.now(), count: document.querySelectorAll('.contact-row').length };
      bench.rows.push(rec);
      requestAnimationFrame(() => {
        rec.frame = performance.now();
        setTimeout(() => { rec.painted = performance.now(); rec.paintedEpoch = Date.now(); }, 0);
      });
    }
    return entry;
  };
  document.addEventListener('input', () => bench.inputs.push(performance.now()), true);
}
";

/// Records every `fieldstone:*` mark with the frame that paints it, by name.
const INSTRUMENT_MARKS: &str = r"
if (!window.__fsMarks) {
  const marks = {};
  window.__fsMarks = marks;
  const mark = performance.mark.bind(performance);
  performance.mark = function (name, options) {
    const entry = mark(name, options);
    if (name.startsWith('fieldstone:')) {
      const rec = { dom: performance.now() };
      (marks[name] = marks[name] || []).push(rec);
      requestAnimationFrame(() => {
        rec.frame = performance.now();
        setTimeout(() => { rec.painted = performance.now(); }, 0);
      });
    }
    return entry;
  };
}
";

/// Navigates to `hash` and returns ms from the navigation to the first `mark` painted after it.
async fn navigate_painted(app: &App, hash: &str, mark: &str) -> f64 {
    let before = app
        .js(
            "return (window.__fsMarks[arguments[0]] || []).length",
            vec![mark.into()],
        )
        .await
        .as_u64()
        .unwrap_or(0);
    let started = app
        .js(
            "const t = performance.now(); window.location.hash = arguments[0]; return t",
            vec![hash.into()],
        )
        .await
        .as_f64()
        .unwrap_or(0.0);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let painted = app
            .js(
                "const r = (window.__fsMarks[arguments[0]] || [])[arguments[1]];
                 return r && r.painted !== undefined ? r.painted : null",
                vec![mark.into(), before.into()],
            )
            .await;
        if let Some(at) = painted.as_f64() {
            return at - started;
        }
        assert!(
            Instant::now() < deadline,
            "{mark} never painted after {hash}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Adds a contact with 250 notes and 250 calls to the database at `db`; returns its id.
fn busy_contact(db: &Path, n: usize) -> fieldstone_model::ContactId {
    use fieldstone_model::{Channel, Direction, InteractionInput, NoteInput, RecordRef};
    let replica = Replica::open(db, Arc::new(FixedClock::new(fixture::t0()))).expect("open copy");
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(7);
    let contact = replica
        .create_contact(&fixture::contact_input(n + 1, &mut rng), fixture::user())
        .expect("the busy contact");
    replica
        .batch(|b| {
            for i in 0..250 {
                b.create_note(
                    &NoteInput {
                        record: RecordRef::Contact(contact.id),
                        body: format!("Viewing note {i}: liked the garden, asked about schools."),
                        pinned: false,
                    },
                    fixture::user(),
                )?;
                b.log_interaction(
                    &InteractionInput {
                        contact: contact.id,
                        listing: None,
                        channel: Channel::Call,
                        direction: Direction::Outbound,
                        summary: format!("Call {i}"),
                        outcome: None,
                        duration_seconds: Some(60),
                        occurred_at: fixture::t0() - chrono::Duration::hours(i),
                    },
                    fixture::user(),
                )?;
            }
            Ok(())
        })
        .expect("500 timeline entries");
    contact.id
}

/// How long the Contacts screen is left showing before the next navigation
/// (`FIELDSTONE_BENCH_SETTLE_MS`, default 0: straight on once its first row shows, while its
/// counts and other lookups may still be running; 1000 is a person glancing at the list).
fn settle() -> Duration {
    Duration::from_millis(
        std::env::var("FIELDSTONE_BENCH_SETTLE_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(0),
    )
}

/// Today at `n` contacts, and a contact with a 500-event timeline among them: navigation →
/// painted, `runs` times each (the screen is left for Contacts in between, for [`settle`]).
/// `which` is "today", "contact" or empty for both.
async fn day_screens(n: usize, runs: usize, which: &str) {
    let home = home_with(n);
    let db = home
        .path()
        .join("data")
        .join("com.fieldstone.crm")
        .join("fieldstone.db");
    let busy = busy_contact(&db, n);
    let app = Driver::start(home, None).await.open().await;
    app.resize(DESKTOP).await;
    app.wait_for("#nav-today").await;
    app.js(INSTRUMENT_MARKS, vec![]).await;
    let (mut today, mut contact) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        app.js("window.location.hash = '#/contacts'", vec![]).await;
        app.wait_for(".contact-row").await;
        tokio::time::sleep(settle()).await;
        if which != "contact" {
            today.push(navigate_painted(&app, "#/today", "fieldstone:today").await);
            app.js("window.location.hash = '#/contacts'", vec![]).await;
            app.wait_for(".contact-row").await;
            tokio::time::sleep(settle()).await;
        }
        if which != "today" {
            let hash = format!("#/contacts/{busy}");
            contact.push(navigate_painted(&app, &hash, "fieldstone:contact").await);
        }
    }
    if !today.is_empty() {
        summary(
            &format!("Today at {n} contacts, navigation → painted"),
            today,
        );
    }
    if !contact.is_empty() {
        summary(
            &format!("a contact with a 500-event timeline among {n}, navigation → painted"),
            contact,
        );
    }
    app.close().await;
}

/// A home dir whose app database holds `n` listings, each with its own 1600×1067 photo kept
/// in the store's media folder (blob and thumbnail), as a device that added them has.
fn home_with_listings(n: usize) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("data").join("com.fieldstone.crm");
    let replica = Replica::open(
        &dir.join("fieldstone.db"),
        Arc::new(fieldstone_tests::SystemClock),
    )
    .expect("store");
    let owner = fieldstone_model::UserId::from_uuid(uuid::Uuid::new_v4());
    for i in 0..n {
        let bytes = fieldstone_media::sample_picture(
            1600,
            1067,
            fieldstone_model::blob::BlobType::Jpeg,
            i as u8,
        );
        let blob = replica.media().add(&bytes).expect("photo");
        let mut input = fieldstone_tests::elm_street();
        input.address.line1 = format!("{} Elm Street", i + 1);
        input.media = vec![fieldstone_model::Media {
            kind: fieldstone_model::MediaKind::Photo,
            uri: blob.uri(),
            caption: None,
        }];
        replica.create_listing(&input, owner).expect("listing");
    }
    home
}

/// The Listings grid's first page with a photo on every card: navigation → every thumbnail
/// decoded and the frame after it rendered, `runs` times (from Contacts each time; the
/// photos' memory cache in the page is emptied by a reload first, so each run reads them).
async fn grid(runs: usize) {
    const CARDS: usize = 48;
    let home = home_with_listings(CARDS);
    let app = Driver::start(home, None).await.open().await;
    app.resize(DESKTOP).await;
    app.wait_for("#nav-listings").await;
    let mut times = Vec::new();
    for _ in 0..runs {
        app.js(
            "window.location.hash = '#/contacts'; window.location.reload()",
            vec![],
        )
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.wait_for("#nav-listings").await;
        app.js(
            r"window.__grid = null;
              const t = performance.now();
              window.location.hash = '#/listings';
              const poll = () => {
                const imgs = [...document.querySelectorAll('#listing-grid img.listing-photo')];
                if (imgs.length >= arguments[0] && imgs.every(i => i.complete && i.naturalWidth > 0)) {
                  requestAnimationFrame(() => setTimeout(() => { window.__grid = performance.now() - t; }, 0));
                } else {
                  requestAnimationFrame(poll);
                }
              };
              requestAnimationFrame(poll);",
            vec![CARDS.into()],
        )
        .await;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(ms) = app.js("return window.__grid", vec![]).await.as_f64() {
                times.push(ms);
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the grid's photos never all painted"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    summary(
        &format!("Listings grid, {CARDS} cards with photos, navigation → every thumbnail painted"),
        times,
    );
    app.close().await;
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
        * 1000.0
}

/// A home dir whose app database is a copy of the `n`-contact fixture.
fn home_with(n: usize) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("data").join("com.fieldstone.crm");
    std::fs::create_dir_all(&dir).expect("app data dir");
    std::fs::copy(fixture::ensure(n), dir.join("fieldstone.db")).expect("copy fixture");
    home
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn summary(label: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    println!(
        "{label}: n={} p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        values.len(),
        percentile(&values, 50.0),
        percentile(&values, 95.0),
        values[values.len() - 1]
    );
}

fn median_worst(label: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    let list: Vec<String> = values.iter().map(|v| format!("{v:.0}")).collect();
    println!(
        "{label}: median {:.0} ms, worst {:.0} ms (runs: {})",
        percentile(&values, 50.0),
        values[values.len() - 1],
        list.join(", ")
    );
}

async fn bench_state(app: &App) -> Value {
    app.js("return window.__fsBench || null", vec![]).await
}

fn num(value: &Value, key: &str) -> Option<f64> {
    value.get(key).and_then(Value::as_f64)
}

/// Waits until a rows record after index `from` has been painted; returns it.
async fn painted_rows_after(app: &App, from: usize) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let bench = bench_state(app).await;
        if let Some(rec) = bench["rows"]
            .as_array()
            .and_then(|rows| rows.get(from))
            .filter(|rec| rec.get("painted").is_some())
        {
            return rec.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no contact rows painted\n{}",
            app.page_text().await
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// One cold-process start on a copy of the 10k database: (wall ms spawn → rows painted,
/// in-page ms navigation start → rows in the DOM, → painted, ms spawn → navigation start,
/// whether the app had already drawn Today, ms navigation start → rows after a reload on
/// `#/contacts`).
async fn start_once(n: usize) -> [f64; 6] {
    let driver = Driver::start(home_with(n), None).await;
    let spawned = epoch_ms();
    let app = driver.open().await;
    // As soon as the app's page answers: instrument it and ask for Contacts. Before the wasm
    // has started, the hash makes it start there; after, it navigates.
    let seen = loop {
        let seen = app
            .js(
                &format!(
                    "{INSTRUMENT}
                     const today = document.querySelector('.page--today') !== null;
                     if (location.protocol !== 'about:') {{ location.hash = '#/contacts'; }}
                     return {{ href: location.href, today, origin: performance.timeOrigin }};"
                ),
                vec![Value::from(MARK)],
            )
            .await;
        if !seen["href"]
            .as_str()
            .unwrap_or("about:")
            .starts_with("about:")
        {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let rec = painted_rows_after(&app, 0).await;
    let origin = num(&seen, "origin").expect("performance.timeOrigin");
    let painted = num(&rec, "painted").expect("painted");
    let wall = num(&rec, "paintedEpoch").expect("painted epoch") - spawned;
    let dom = num(&rec, "dom").expect("dom");
    let today = if seen["today"].as_bool() == Some(true) {
        1.0
    } else {
        0.0
    };
    // The same page loaded again, now with `#/contacts` from the first instant: the webview and
    // the process are warm, the app starts right on Contacts.
    app.js("location.reload()", vec![]).await;
    let reload = loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let entry = app
            .js(
                "const e = performance.getEntriesByName(arguments[0]); return e.length ? e[0].startTime : null;",
                vec![Value::from(MARK)],
            )
            .await;
        if let Some(ms) = entry.as_f64() {
            break ms;
        }
    };
    app.close().await;
    [wall, dom, painted, origin - spawned, today, reload]
}

async fn start(n: usize, runs: usize) {
    println!("== app start → first contact rows, {n} contacts, {runs} runs");
    let mut all = Vec::new();
    for run in 0..runs {
        let r = start_once(n).await;
        println!(
            "run {run}: wall {:.0} ms; spawn → navigation start {:.0} ms; in page: rows in DOM {:.0} ms, painted {:.0} ms; Today drawn first: {}; after reload on #/contacts: rows in DOM {:.0} ms",
            r[0], r[3], r[1], r[2], r[4] == 1.0, r[5]
        );
        all.push(r);
    }
    let col = |i: usize| all.iter().map(|r| r[i]).collect::<Vec<_>>();
    median_worst("wall: process spawn → rows painted", col(0));
    median_worst("process spawn → page navigation start", col(3));
    median_worst("in page: navigation start → rows in DOM", col(1));
    median_worst("in page: navigation start → rows painted", col(2));
    median_worst("in page after reload on #/contacts: → rows in DOM", col(5));
}

async fn search(n: usize) {
    println!("== search as you type, {n} contacts");
    let app = Driver::start(home_with(n), None).await.open().await;
    app.wait_for("#nav-contacts").await;
    app.resize(DESKTOP).await;
    app.js(INSTRUMENT, vec![Value::from(MARK)]).await;
    app.goto("contacts").await;
    painted_rows_after(&app, 0).await;
    let field = app.wait_for("#contact-search").await;
    let (mut dom, mut frame, mut painted, mut rows) = (vec![], vec![], vec![], vec![]);
    let mut slowest: Vec<(f64, String)> = Vec::new();
    for word in fixture::SEARCH_WORDS {
        // Back to no search (not timed), then one character at a time.
        let before = bench_state(&app).await["rows"]
            .as_array()
            .map_or(0, Vec::len);
        let cleared = app
            .js(
                "const el = document.querySelector('#contact-search');
                 if (el.value === '') { return false; }
                 el.value = ''; el.dispatchEvent(new Event('input', {bubbles: true}));
                 return true;",
                vec![],
            )
            .await;
        if cleared.as_bool() == Some(true) {
            painted_rows_after(&app, before).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut typed = String::new();
        for ch in word.chars() {
            typed.push(ch);
            let state = bench_state(&app).await;
            let (from, inputs) = (
                state["rows"].as_array().map_or(0, Vec::len),
                state["inputs"].as_array().map_or(0, Vec::len),
            );
            field.send_keys(&ch.to_string()).await.expect("type");
            let rec = painted_rows_after(&app, from).await;
            let state = bench_state(&app).await;
            let input = state["inputs"]
                .get(inputs)
                .and_then(Value::as_f64)
                .expect("the keystroke's input event");
            let t = |key| num(&rec, key).expect("timing") - input;
            dom.push(t("dom"));
            frame.push(t("frame"));
            painted.push(t("painted"));
            rows.push(num(&rec, "count").unwrap_or(0.0));
            slowest.push((t("painted"), typed.clone()));
            tokio::time::sleep(TYPING_GAP).await;
        }
    }
    summary("keystroke (input event) → rows in DOM", dom);
    summary("keystroke → frame that shows them", frame);
    summary("keystroke → rows painted", painted);
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: Vec<String> = slowest
        .iter()
        .take(6)
        .map(|(ms, text)| format!("{text:?} {ms:.0} ms"))
        .collect();
    println!("slowest: {}", top.join(", "));
    println!(
        "rows shown per keystroke: {:?}",
        rows.iter().map(|r| *r as u32).collect::<Vec<_>>()
    );

    // The two commands each keystroke sends, timed in the page: IPC, JSON both ways and the
    // (debug) app's engine.
    let ipc = app
        .client
        .execute_async(
            r"const [prefixes, limit, done] = arguments;
              const invoke = window.__TAURI__.core.invoke;
              const list = [], counts = [];
              (async () => {
                for (const search of prefixes) {
                  let t = performance.now();
                  await invoke('list_contacts', { request: { search, limit } });
                  list.push(performance.now() - t);
                  t = performance.now();
                  await invoke('contact_counts', { request: { search, limit } });
                  counts.push(performance.now() - t);
                }
                done({ list, counts });
              })().catch(e => done({ error: String(e) }));",
            vec![Value::from(prefixes()), Value::from(PAGE)],
        )
        .await
        .expect("IPC timing script");
    let times = |key: &str| -> Vec<f64> {
        serde_json::from_value(ipc[key].clone())
            .unwrap_or_else(|_| panic!("IPC timings for {key}: {ipc}"))
    };
    summary(
        "command round trip from the page: list_contacts",
        times("list"),
    );
    summary(
        "command round trip from the page: contact_counts",
        times("counts"),
    );
    app.close().await;
    engine(n);
}

/// Every prefix the search part types.
fn prefixes() -> Vec<String> {
    fixture::SEARCH_WORDS
        .iter()
        .flat_map(|word| {
            let chars: Vec<char> = word.chars().collect();
            (1..=chars.len())
                .map(|i| chars[..i].iter().collect())
                .collect::<Vec<String>>()
        })
        .collect()
}

/// The same queries straight on the engine (release build, this process), 5 rounds.
fn engine(n: usize) {
    let replica = Replica::open(
        &fixture::ensure(n),
        Arc::new(FixedClock::new(fixture::t0())),
    )
    .expect("open fixture");
    let (mut list, mut counts) = (vec![], vec![]);
    for _ in 0..5 {
        for search in prefixes() {
            let query = ContactQuery {
                search: Some(search),
                limit: PAGE,
                ..Default::default()
            };
            let t = Instant::now();
            replica.list_contacts(&query).expect("list");
            list.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            replica.stage_counts(&query).expect("counts");
            counts.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    summary("engine (release): list_contacts, page of 50", list);
    summary("engine (release): stage counts", counts);
}

fn bundle() {
    let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    let wasm = dist.join("fieldstone_ui_bg.wasm");
    let Ok(bytes) = std::fs::read(&wasm) else {
        println!(
            "== bundle: {} missing (cargo xtask bundle-ui --release)",
            wasm.display()
        );
        return;
    };
    println!("== wasm bundle (ui/dist, as last bundled)");
    let kib = |n: usize| n as f64 / 1024.0;
    println!(
        "fieldstone_ui_bg.wasm raw: {} B ({:.0} KiB)",
        bytes.len(),
        kib(bytes.len())
    );
    let zstd = zstd::encode_all(&bytes[..], 19).expect("zstd");
    println!("zstd -19: {} B ({:.0} KiB)", zstd.len(), kib(zstd.len()));
    if let Some(gzip) = piped("gzip", &["-9", "-c"], &wasm) {
        println!("gzip -9: {} B ({:.0} KiB)", gzip, kib(gzip));
    }
    for file in ["fieldstone_ui.js", "styles.css", "main.js", "index.html"] {
        if let Ok(meta) = std::fs::metadata(dist.join(file)) {
            println!("{file}: {} B", meta.len());
        }
    }
    match std::process::Command::new("wasm-opt")
        .arg("--version")
        .output()
    {
        Ok(out) => println!(
            "wasm-opt present: {}",
            String::from_utf8_lossy(&out.stdout).trim()
        ),
        Err(_) => println!("wasm-opt not installed: not tried"),
    }
}

/// Size of `program args < file`'s output, if the program runs.
fn piped(program: &str, args: &[&str], file: &Path) -> Option<usize> {
    let out = std::process::Command::new(program)
        .args(args)
        .stdin(std::fs::File::open(file).ok()?)
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout.len())
}

#[tokio::main]
async fn main() {
    // Run only under `cargo bench` (cargo test runs bench targets without --bench; skip then).
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // The app (through tauri-driver) inherits this: its info lines would bury the figures.
    std::env::set_var("RUST_LOG", "warn");
    let only = std::env::var("FIELDSTONE_BENCH_ONLY").unwrap_or_default();
    let runs = std::env::var("FIELDSTONE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    if only.is_empty() || only == "bundle" {
        bundle();
    }
    if only.is_empty() || only == "start" {
        start(10_000, runs).await;
    }
    if only.is_empty() || only == "search" {
        search(100_000).await;
    }
    if only.is_empty() || only == "grid" {
        grid(runs.max(10)).await;
    }
    if only.is_empty() || only == "today" || only == "contact" {
        day_screens(100_000, runs.max(10), &only).await;
    }
}
