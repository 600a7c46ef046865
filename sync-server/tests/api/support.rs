//! A real server on a loopback port over a real SQLite store in a temp dir, organisations set up
//! through the store, and small clients for the JSON and binary routes.

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT};
use chrono::{DateTime, Utc};
use fieldstone_model::{Clock, FixedClock, OrgId, TeamId, UserId};
use fieldstone_protocol::account::{Role, Session};
use fieldstone_protocol::*;
use fieldstone_server::auth::{hash_token, new_token, Passwords};
use fieldstone_server::config::Config;
use fieldstone_server::store::NewUser;
use fieldstone_server::store::PostgresStore;
use fieldstone_server::{AppState, SqliteStore, Store};
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestServer {
    pub url: String,
    pub store: Arc<dyn Store>,
    pub clock: Arc<FixedClock>,
    pub passwords: Passwords,
    pub http: reqwest::Client,
    /// The running server's shared state, for what the server does by itself (its own writes).
    pub state: AppState,
    config: Config,
    _shutdown: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
    /// The PostgreSQL database, when on PostgreSQL (dropped last).
    pg: Option<crate::pg::PgDatabase>,
}

/// Runs blocking work on a plain thread (see `TestServer::with_store`).
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(f)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Serves `app` (a provider's double) on a free loopback port for the rest of the test;
/// answers its address.
pub async fn serve_loopback(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// Pushes `contact` as a new document from a device of `token`'s user; it must be accepted.
pub async fn push_new_contact(s: &TestServer, token: &str, contact: &fieldstone_model::Contact) {
    let (doc, _) = fieldstone_doc::contact::create(ActorId::random(), contact).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let doc_id = DocId::new(fieldstone_doc::contact::KIND, contact.id).expect("id");
    let answer = s.push(token, vec![device.unsent(&doc_id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
}

/// A contact named `given family`, owned by `owner`, made now (not stored).
pub fn new_contact(
    owner: fieldstone_model::UserId,
    given: &str,
    family: &str,
) -> fieldstone_model::Contact {
    let input = fieldstone_model::ContactInput {
        given_name: given.into(),
        family_name: family.into(),
        ..fieldstone_model::ContactInput::default()
    };
    fieldstone_model::Contact::create(
        fieldstone_model::ContactId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        owner,
        now(),
    )
}

pub fn now() -> DateTime<Utc> {
    chrono::Utc::now()
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(Config::default()).await
    }

    pub async fn start_with(config: Config) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_in(dir, None, config, Arc::new(FixedClock::new(now()))).await
    }

    /// The same on a PostgreSQL database of its own (these tests are ignored unless asked for,
    /// and fail without a PostgreSQL server).
    pub async fn start_postgres(config: Config) -> Self {
        let admin_url = crate::pg::require_postgres_url();
        let pg = off_runtime(move || crate::pg::PgDatabase::create(&admin_url));
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_in(dir, Some(pg), config, Arc::new(FixedClock::new(now()))).await
    }

    /// Stops this server and starts a new process's worth of it on the same data: nothing
    /// cached survives, everything stored does.
    pub async fn restart(self) -> Self {
        let config = self.config.clone();
        self.restart_with(config).await
    }

    /// The same with another configuration.
    pub async fn restart_with(self, config: Config) -> Self {
        let TestServer {
            clock,
            _dir,
            _shutdown,
            pg,
            ..
        } = self;
        drop(_shutdown);
        Self::start_in(_dir, pg, config, clock).await
    }

    async fn start_in(
        dir: tempfile::TempDir,
        pg: Option<crate::pg::PgDatabase>,
        config: Config,
        clock: Arc<FixedClock>,
    ) -> Self {
        // Blobs beside the test's database, never in the working directory.
        let mut config = config;
        if config.blobs.dir.is_none() {
            config.blobs.dir = Some(dir.path().join("blobs"));
        }
        let store: Arc<dyn Store> = match &pg {
            Some(db) => {
                let url = db.url.clone();
                Arc::new(off_runtime(move || {
                    PostgresStore::connect(&url).expect("PostgreSQL store")
                }))
            }
            None => Arc::new(SqliteStore::open(dir.path()).expect("store")),
        };
        let passwords =
            Passwords::new(config.auth.argon2_memory_kib, config.auth.argon2_iterations)
                .expect("argon2");
        let state = AppState::new(
            store.clone(),
            config.clone(),
            clock.clone() as Arc<dyn Clock>,
        )
        .expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = fieldstone_server::public_url(listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(fieldstone_server::serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        Self {
            url,
            store,
            clock,
            passwords,
            http: reqwest::Client::new(),
            state,
            config,
            _dir: dir,
            pg,
            _shutdown: tx,
        }
    }

    /// Another server process on this one's PostgreSQL database (its own state, caches and
    /// background work; the database is the only thing they share). PostgreSQL only: the SQLite
    /// store serves one process.
    pub async fn beside(&self) -> TestServer {
        let url = self
            .pg
            .as_ref()
            .expect("a second server needs the PostgreSQL store")
            .url
            .clone();
        let store: Arc<dyn Store> = Arc::new(off_runtime(move || {
            PostgresStore::connect(&url).expect("PostgreSQL store")
        }));
        let state = AppState::new(
            store.clone(),
            self.config.clone(),
            self.clock.clone() as Arc<dyn Clock>,
        )
        .expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = fieldstone_server::public_url(listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(fieldstone_server::serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        TestServer {
            url,
            store,
            clock: self.clock.clone(),
            passwords: Passwords::new(
                self.config.auth.argon2_memory_kib,
                self.config.auth.argon2_iterations,
            )
            .expect("argon2"),
            http: reqwest::Client::new(),
            state,
            config: self.config.clone(),
            _dir: tempfile::tempdir().expect("tempdir"),
            // The first server owns (and drops) the database.
            pg: None,
            _shutdown: tx,
        }
    }

    pub fn store_path(&self) -> std::path::PathBuf {
        self._dir.path().join("fieldstone.db")
    }

    /// Runs `f` on the store from a plain thread: the blocking PostgreSQL client must not run
    /// on the test's async runtime (the server itself calls the store from blocking threads).
    pub fn with_store<T: Send>(&self, f: impl FnOnce(&dyn Store) -> T + Send) -> T {
        let store = Arc::clone(&self.store);
        off_runtime(move || f(store.as_ref()))
    }

    pub fn org(&self, name: &str) -> OrgId {
        self.with_store(|store| store.create_org(name, now()).expect("org").id)
    }

    pub fn team(&self, org: OrgId, name: &str) -> TeamId {
        self.with_store(|store| store.create_team(org, name).expect("team").id)
    }

    pub fn user(&self, org: OrgId, email: &str, role: Role, team: Option<TeamId>) -> UserId {
        let password_hash = self.passwords.hash(PASSWORD).expect("hash");
        self.with_store(|store| {
            let user = store
                .create_user(
                    org,
                    &NewUser {
                        email: email.into(),
                        display_name: email.split('@').next().unwrap_or("x").into(),
                        role,
                        password_hash,
                    },
                    now(),
                )
                .expect("user");
            if let Some(team) = team {
                assert!(store.add_member(org, team, user.id).expect("member"));
            }
            user.id
        })
    }

    /// A device and session for a user, made directly in the store (sign-in is tested on its
    /// own; this keeps the other tests fast).
    pub fn token(&self, org: OrgId, user: UserId) -> String {
        let token = new_token();
        let hash = hash_token(&token);
        self.with_store(|store| {
            let device = store
                .create_device(org, user, "test device", now())
                .expect("device");
            store
                .create_session(
                    org,
                    user,
                    device.id,
                    &hash,
                    now() + chrono::Duration::days(30),
                )
                .expect("session");
        });
        token
    }

    pub async fn login(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.json(
            "POST",
            "/v2/auth/login",
            None,
            Some(
                serde_json::json!({"email": email, "password": password, "device_name": "laptop"}),
            ),
        )
        .await
    }

    pub async fn session(&self, email: &str) -> Session {
        let (status, body) = self.login(email, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).expect("session")
    }

    pub async fn json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("send");
        let status = response.status();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A binary sync call; `Err((status, error body))` for a non-2xx answer.
    pub async fn sync<Req: serde::Serialize, Resp: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        request: &Req,
    ) -> Result<Resp, (StatusCode, Value)> {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(token)
            .header("content-type", SYNC_CONTENT_TYPE)
            .body(codec::encode(request).expect("encode"))
            .send()
            .await
            .expect("send");
        let status = response.status();
        let bytes = response.bytes().await.expect("body");
        if !status.is_success() {
            return Err((
                status,
                serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            ));
        }
        Ok(codec::decode(&bytes).expect("decode"))
    }

    pub async fn push(&self, token: &str, docs: Vec<DocPush>) -> PushResponse {
        self.sync("/v2/sync/push", token, &PushRequest { docs })
            .await
            .expect("push")
    }

    /// Pulls every page from the given cursors; returns the documents and the final cursors.
    pub async fn pull_all(
        &self,
        token: &str,
        mut cursors: Vec<ScopeCursor>,
    ) -> (Vec<DocUpdate>, Vec<ScopeCursor>) {
        let mut docs = Vec::new();
        loop {
            let page: PullResponse = self
                .sync(
                    "/v2/sync/pull",
                    token,
                    &PullRequest {
                        cursors: cursors.clone(),
                        max_docs: 1000,
                    },
                )
                .await
                .expect("pull");
            docs.extend(page.docs);
            cursors = page.cursors;
            if !page.more {
                return (docs, cursors);
            }
        }
    }
}

/// A device's document: an Automerge doc with this device's actor, whose changes we send.
pub struct Device {
    pub doc: AutoCommit,
    /// Heads when changes were last sent (or loaded from the server).
    sent: Vec<automerge::ChangeHash>,
}

impl Device {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            doc: AutoCommit::new().with_actor(ActorId::random()),
            sent: Vec::new(),
        }
    }

    /// A new contact-like document: kind, owner, stage (a real record also has its `id`; the
    /// server checks it against the document id when present).
    pub fn create(owner: UserId) -> Self {
        let mut device = Self::new();
        for (key, value) in [
            ("kind", "contact"),
            ("owner", owner.to_string().as_str()),
            ("stage", "new"),
        ] {
            device.doc.put(ROOT, key, value).expect("put");
        }
        device.doc.commit();
        device
    }

    /// Starts from the server's copy, as another device of some user.
    pub fn from_snapshot(bytes: &[u8]) -> Self {
        let mut doc = AutoCommit::load(bytes)
            .expect("load")
            .with_actor(ActorId::random());
        let sent = doc.get_heads();
        Self { doc, sent }
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.doc.put(ROOT, key, value).expect("put");
        self.doc.commit();
    }

    /// Changes not sent yet, as one document's push.
    pub fn unsent(&mut self, doc_id: &DocId) -> DocPush {
        let changes: Vec<Vec<u8>> = self
            .doc
            .get_changes(&self.sent)
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect();
        self.sent = self.doc.get_heads();
        DocPush {
            doc_id: doc_id.clone(),
            changes,
        }
    }

    pub fn get(&self, key: &str) -> Option<String> {
        use automerge::ReadDoc;
        match self.doc.get(ROOT, key).ok().flatten()? {
            (automerge::Value::Scalar(s), _) => match s.as_ref() {
                automerge::ScalarValue::Str(t) => Some(t.to_string()),
                _ => None,
            },
            _ => None,
        }
    }
}

pub fn doc_id(n: u32) -> DocId {
    DocId::new("contact", format!("00000000-0000-4000-8000-{n:012}")).expect("id")
}

/// The value of `key` in a saved document.
pub fn field(bytes: &[u8], key: &str) -> Option<String> {
    Device::from_snapshot(bytes).get(key)
}

pub fn has_doc(docs: &[DocUpdate], id: &DocId) -> bool {
    docs.iter().any(|d| &d.doc_id == id)
}

pub type LiveSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A live-news socket, returned once the server is listening on it (a ping answered by the
/// server's loop proves it has subscribed, so no news can be missed after this returns).
pub async fn live(s: &TestServer, token: &str) -> LiveSocket {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    let mut request = format!("{}/v2/sync/live", s.url.replace("http://", "ws://"))
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    socket
        .send(Message::Ping(b"ready?".to_vec().into()))
        .await
        .expect("ping");
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("pong in time")
            .expect("open")
            .expect("message");
        if matches!(message, Message::Pong(_)) {
            return socket;
        }
    }
}

/// Runs each story (an `async fn(TestServer)` of the calling module, with its config) on SQLite
/// and, when a PostgreSQL server is configured (always under CI), on PostgreSQL.
macro_rules! on_both_stores {
    ($( $story:ident ( $config:expr ); )*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $story() {
                    super::$story(crate::support::TestServer::start_with($config).await).await
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL: FIELDSTONE_TEST_POSTGRES_URL (cargo xtask test starts one and runs ignored tests)"]
                async fn $story() {
                    super::$story(crate::support::TestServer::start_postgres($config).await).await
                }
            )*
        }
    };
}
pub(crate) use on_both_stores;
