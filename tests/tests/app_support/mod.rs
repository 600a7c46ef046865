//! The real app window, driven through tauri-driver + WebKitWebDriver under a real X display
//! (Xvfb in CI): launching the built app with its own data dirs, finding and typing into
//! elements, waiting for the page to say something, dragging, and screenshots at desktop and
//! phone size.
//!
//! Shared by the `app_*` test binaries (each includes it with `mod app_support;`), which need
//! the app built with its bundled UI and a display, so they are `#[ignore]`d in a plain
//! `cargo test`; `cargo xtask test` builds everything, starts Xvfb and runs them.

#![allow(dead_code)]

mod forms;
mod layout;
mod links;
mod messages;

use fantoccini::{Client, ClientBuilder, Locator};
use fieldstone_tests::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(30);

/// The sizes every screen is photographed at: a laptop and a phone (CSS pixels).
pub const DESKTOP: (u32, u32) = (1280, 800);
pub const PHONE: (u32, u32) = (390, 844);

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end tests through `cargo xtask test`")
    })
}

pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("FIELDSTONE_SCREENSHOT_DIR")
        .map_or_else(|| target_dir().join("screenshots"), PathBuf::from)
}

/// Where the window syncs: a server and a session token, or nowhere (local only).
#[derive(Clone, Copy)]
pub struct Sync<'a> {
    pub url: &'a str,
    pub token: &'a str,
}

/// What the window finds for a system keyring (a Secret Service on its D-Bus session bus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keyring {
    /// Whatever the test's own environment has.
    #[default]
    Inherited,
    /// A private D-Bus session bus with an unlocked gnome-keyring, for this window only (so
    /// signing in stores its token there and never in the user's own keyring).
    Unlocked,
    /// A session bus address where nothing listens: no keyring at all.
    Missing,
}

/// A private session bus (`dbus-daemon`) with gnome-keyring on it; gnome-keyring quits when
/// the bus goes.
struct PrivateBus {
    daemon: Child,
    address: String,
}

impl PrivateBus {
    fn start(dir: &std::path::Path) -> PrivateBus {
        use std::io::{BufRead, Write};
        std::fs::create_dir_all(dir).expect("bus dir");
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", dir.join("bus").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon (install the test packages: `cargo xtask test` does)");
        let mut address = String::new();
        let stdout = daemon.stdout.take().expect("dbus-daemon's stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut address)
            .expect("the bus address");
        let address = address.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        // Forks into the background once ready, its login keyring unlocked with the password
        // read from stdin.
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", dir)
            .env("XDG_RUNTIME_DIR", dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gnome-keyring-daemon (install the test packages)");
        keyring
            .stdin
            .take()
            .expect("gnome-keyring's stdin")
            .write_all(b"test-keyring-password")
            .expect("unlock the keyring");
        let started = keyring.wait().expect("gnome-keyring-daemon started");
        assert!(started.success(), "gnome-keyring-daemon failed: {started}");
        PrivateBus { daemon, address }
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// One running app window with its own data dirs, driver and WebDriver session.
pub struct App {
    pub client: Client,
    driver: Child,
    /// `127.0.0.1:port` of tauri-driver and the session id, to end the session from `Drop`.
    session: (String, String),
    /// Declared before `home`: dropped (and stopped) before its directory goes.
    bus: Option<PrivateBus>,
    home: tempfile::TempDir,
}

/// tauri-driver started with the app's data dirs under `home`, before any window exists:
/// [`Driver::open`] then starts the app. Split from [`App::launch`] so a benchmark can time the
/// app's start alone.
pub struct Driver {
    child: Child,
    port: u16,
    bus: Option<PrivateBus>,
    home: tempfile::TempDir,
}

impl Driver {
    /// `home` may hold data already: the app's database is
    /// `home/data/com.fieldstone.crm/fieldstone.db`.
    pub async fn start(home: tempfile::TempDir, sync: Option<Sync<'_>>) -> Driver {
        Self::start_with(home, sync, Keyring::Inherited).await
    }

    /// Like [`Driver::start`], with the window's keyring chosen.
    pub async fn start_with(
        home: tempfile::TempDir,
        sync: Option<Sync<'_>>,
        keyring: Keyring,
    ) -> Driver {
        let driver_bin = required_env("TAURI_DRIVER_BIN");
        let native = std::env::var("WEBKIT_WEBDRIVER_BIN")
            .unwrap_or_else(|_| "/usr/bin/WebKitWebDriver".into());
        let (port, native_port) = (free_port(), free_port());
        let mut command = Command::new(driver_bin);
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .args(["--native-driver", &native])
            // The app inherits these through the driver: its own data dirs and server.
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("FIELDSTONE_SYNC_INTERVAL_MS", "200")
            .env("FIELDSTONE_SYNC_MAX_BACKOFF_MS", "1000")
            // Under Xvfb (software GL) WebKit's compositor stops producing frames, so
            // screenshots show a stale page; plain rendering keeps them true to the DOM.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env_remove("FIELDSTONE_SERVER_URL")
            .env_remove("FIELDSTONE_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(sync) = sync {
            command
                .env("FIELDSTONE_SERVER_URL", sync.url)
                .env("FIELDSTONE_TOKEN", sync.token);
        }
        let bus = match keyring {
            Keyring::Inherited => None,
            Keyring::Unlocked => {
                let bus = PrivateBus::start(&home.path().join("bus"));
                command.env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
                Some(bus)
            }
            Keyring::Missing => {
                let nowhere = home.path().join("no-bus-here");
                command.env(
                    "DBUS_SESSION_BUS_ADDRESS",
                    format!("unix:path={}", nowhere.display()),
                );
                None
            }
        };
        links::catch_links(home.path());
        let child = command.spawn().expect("start tauri-driver");
        eventually("tauri-driver listens", WAIT, || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        })
        .await;
        Driver {
            child,
            port,
            bus,
            home,
        }
    }

    /// A WebDriver session: WebKitWebDriver starts the app process now. Returns once the
    /// session exists; the page may still be loading.
    pub async fn open(self) -> App {
        let app_bin = required_env("FIELDSTONE_APP_BIN");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({ "application": app_bin }));
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("WebDriver session with the app");
        let session_id = client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("WebDriver session id");
        App {
            client,
            driver: self.child,
            session: (format!("127.0.0.1:{}", self.port), session_id),
            bus: self.bus,
            home: self.home,
        }
    }
}

impl App {
    pub async fn launch(sync: Option<Sync<'_>>) -> App {
        Self::launch_with(sync, Keyring::Inherited).await
    }

    /// Like [`App::launch`], with the window's keyring chosen.
    pub async fn launch_with(sync: Option<Sync<'_>>, keyring: Keyring) -> App {
        let home = tempfile::tempdir().expect("tempdir");
        let app = Driver::start_with(home, sync, keyring).await.open().await;
        app.wait_for("#nav-today").await;
        app.resize(DESKTOP).await;
        app
    }

    /// The private session bus of a window launched with [`Keyring::Unlocked`].
    pub fn bus_address(&self) -> Option<&str> {
        self.bus.as_ref().map(|bus| bus.address.as_str())
    }

    pub async fn resize(&self, (width, height): (u32, u32)) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize the window");
        // The viewport follows the window asynchronously; wait until the page sees it.
        self.until(&format!("the page is {width} px wide"), || async move {
            self.js("return window.innerWidth", vec![]).await.as_u64() == Some(u64::from(width))
        })
        .await;
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        tokio::time::timeout(WAIT, self.client.execute(script, args))
            .await
            .unwrap_or_else(|_| panic!("the page did not answer: {script}"))
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                let page = self.page_text().await;
                panic!("{css} did not appear: {e}\n--- the page says ---\n{page}");
            }
        }
    }

    /// What the page says, for failure messages.
    pub async fn page_text(&self) -> String {
        let script = "return location.hash + '\\n' + document.body.innerText";
        match tokio::time::timeout(Duration::from_secs(5), self.client.execute(script, vec![]))
            .await
        {
            Ok(Ok(text)) => text.as_str().unwrap_or_default().to_owned(),
            _ => "(the page did not answer)".to_owned(),
        }
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.js(
            "return document.querySelector(arguments[0]) !== null",
            vec![Value::from(css)],
        )
        .await
        .as_bool()
            == Some(true)
    }

    pub async fn click(&self, css: &str) {
        let element = self.wait_for(css).await;
        // Scrolled into view first: a sticky bar may otherwise sit over the element.
        self.js(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})",
            vec![Value::from(css)],
        )
        .await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.expect("clear");
        // WebKitWebDriver rejects an empty `text` as missing; clearing already did the job.
        if !text.is_empty() {
            field.send_keys(text).await.expect("type");
        }
    }

    /// Picks the option with this value in a `<select>`.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value='{value}']")).await;
    }

    pub async fn press(&self, keys: &str) {
        let body = self.wait_for("body").await;
        body.send_keys(keys).await.expect("keys");
    }

    /// `textContent` of the first match: WebDriver's visible-text heuristics drop ellipsised
    /// (`overflow: hidden`) text that the screen shows.
    pub async fn dom_text(&self, css: &str) -> String {
        self.wait_for(css).await;
        self.js(
            "return document.querySelector(arguments[0]).textContent",
            vec![Value::from(css)],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// `textContent` of every match, trimmed.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let value = self
            .js(
                "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent.trim())",
                vec![Value::from(css)],
            )
            .await;
        serde_json::from_value(value).expect("a list of texts")
    }

    pub async fn value_of(&self, css: &str) -> String {
        self.wait_for(css).await;
        self.js(
            "return document.querySelector(arguments[0]).value",
            vec![Value::from(css)],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Polls the page until `check` passes, re-reading the DOM each time.
    pub async fn until<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = std::time::Instant::now() + WAIT;
        while !check().await {
            if std::time::Instant::now() > deadline {
                let page = self.page_text().await;
                panic!("gave up waiting for: {what}\n--- the page says ---\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the first match's text contains `text`.
    pub async fn until_text(&self, css: &str, text: &str) {
        self.until(&format!("{css} says {text:?}"), || async move {
            self.exists(css).await && self.dom_text(css).await.contains(text)
        })
        .await;
    }

    pub async fn until_gone(&self, css: &str) {
        self.until(&format!("{css} is gone"), || async move {
            !self.exists(css).await
        })
        .await;
    }

    pub async fn sync_state(&self) -> String {
        match self.client.find(Locator::Css("#sync-status")).await {
            Ok(badge) => badge
                .attr("data-state")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub async fn until_synced(&self, state: &str) {
        self.until(&format!("sync says {state}"), || async move {
            self.sync_state().await == state
        })
        .await;
    }

    /// Opens a section from the navigation.
    pub async fn goto(&self, section: &str) {
        self.click(&format!("#nav-{section}")).await;
        self.until(&format!("{section} is shown"), || async move {
            self.js("return location.hash", vec![])
                .await
                .as_str()
                .is_some_and(|hash| hash.starts_with(&format!("#/{section}")))
        })
        .await;
    }

    pub async fn screenshot(&self, name: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        // Let a just-finished transition settle so the picture shows the final state.
        tokio::time::sleep(Duration::from_millis(250)).await;
        // Under Xvfb (software rendering, other tests sharing both cores) WebKit sometimes
        // stops drawing until the window is next resized, and a screenshot then never comes
        // (seen after a sign-in, and once or twice a full run elsewhere). One resize round trip
        // makes it draw again; a page whose layout truly never settles still fails here.
        let png = match tokio::time::timeout(WAIT, self.client.screenshot()).await {
            Ok(png) => png,
            Err(_) => {
                let size = self.client.get_window_size().await.expect("window size");
                let (width, height) = (
                    u32::try_from(size.0).unwrap_or(DESKTOP.0),
                    u32::try_from(size.1).unwrap_or(DESKTOP.1),
                );
                self.resize((width + 10, height)).await;
                self.resize((width, height)).await;
                tokio::time::timeout(WAIT, self.client.screenshot())
                    .await
                    .unwrap_or_else(|_| panic!("the screenshot {name} did not come"))
            }
        }
        .expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }

    /// `{name}-desktop.png` at 1280×800 and `{name}-phone.png` at 390×844, back to desktop.
    pub async fn screens(&self, name: &str) {
        self.screenshot(&format!("{name}-desktop.png")).await;
        self.resize(PHONE).await;
        self.js("window.scrollTo(0, 0)", vec![]).await;
        self.screenshot(&format!("{name}-phone.png")).await;
        self.resize(DESKTOP).await;
    }

    /// Like [`App::screens`], with `css` scrolled to the middle of the view at each size: a part
    /// of a long page or of a scrolling dialog.
    pub async fn screens_at(&self, name: &str, css: &str) {
        let centre = || async {
            self.wait_for(css).await;
            self.js(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})",
                vec![Value::from(css)],
            )
            .await;
        };
        centre().await;
        self.screenshot(&format!("{name}-desktop.png")).await;
        self.resize(PHONE).await;
        centre().await;
        self.screenshot(&format!("{name}-phone.png")).await;
        self.resize(DESKTOP).await;
    }

    /// A mouse drag as the webview's HTML5 drag-and-drop delivers it: dragstart on the source,
    /// dragenter/dragover/drop on the target, dragend on the source.
    pub async fn drag(&self, from: &str, to: &str) {
        self.wait_for(from).await;
        self.wait_for(to).await;
        self.js(
            r"const [from, to] = [document.querySelector(arguments[0]), document.querySelector(arguments[1])];
              const data = new DataTransfer();
              const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
              fire(from, 'dragstart'); fire(to, 'dragenter'); fire(to, 'dragover'); fire(to, 'drop'); fire(from, 'dragend');",
            vec![Value::from(from), Value::from(to)],
        )
        .await;
    }

    /// A finger drag: pointer events of type touch, from the source's centre to the target's.
    pub async fn touch_drag(&self, from: &str, to: &str) {
        self.wait_for(from).await;
        self.wait_for(to).await;
        self.js(
            r"const [from, to] = [document.querySelector(arguments[0]), document.querySelector(arguments[1])];
              const centre = el => { const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; };
              const [x0, y0] = centre(from), [x1, y1] = centre(to);
              const fire = (el, type, x, y) => el.dispatchEvent(new PointerEvent(type, {bubbles: true, cancelable: true, pointerId: 7, pointerType: 'touch', isPrimary: true, clientX: x, clientY: y}));
              fire(from, 'pointerdown', x0, y0);
              for (let i = 1; i <= 8; i++) { fire(from, 'pointermove', x0 + (x1 - x0) * i / 8, y0 + (y1 - y0) * i / 8); }
              fire(from, 'pointerup', x1, y1);",
            vec![Value::from(from), Value::from(to)],
        )
        .await;
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        stop_gracefully(&mut self.driver);
    }
}

/// SIGTERM, not SIGKILL: tauri-driver then stops WebKitWebDriver and the app too.
fn stop_gracefully(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..50 {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for App {
    fn drop(&mut self) {
        if let Ok(None) = self.driver.try_wait() {
            // A failed test never reaches `close()`: end the session here so WebKitWebDriver
            // closes the app, which would otherwise outlive the driver.
            end_session_blocking(&self.session.0, &self.session.1);
            stop_gracefully(&mut self.driver);
        }
    }
}

/// `DELETE /session/{id}` with plain std I/O (no async runtime in `Drop`).
fn end_session_blocking(addr: &str, session_id: &str) {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
}

/// Syncs a device of this process (a teammate's phone) until `check` finds what it waits
/// for: the window pushes on its own clock.
pub async fn sync_until<T>(
    replica: &std::sync::Arc<fieldstone_replica::Replica>,
    client: &fieldstone_replica::SyncClient,
    what: &str,
    check: impl Fn(&fieldstone_replica::Replica) -> Option<T>,
) -> T {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        fieldstone_replica::sync::sync_once(replica, client)
            .await
            .expect("the device syncs");
        if let Some(found) = check(replica) {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
