#![allow(dead_code)] // each test binary that includes this file uses part of it
//! A PostgreSQL database of its own for each test, shared by the store stories and the API
//! tests (included by path in both binaries).
//!
//! PostgreSQL runs when `FIELDSTONE_TEST_POSTGRES_URL` names a server the tests may create
//! databases on (`cargo xtask test` starts a private one). Without the variable the PostgreSQL
//! variants are skipped, except under CI, where they fail.

pub const URL_VAR: &str = "FIELDSTONE_TEST_POSTGRES_URL";

/// The configured server's URL, for tests that were asked for by name or with
/// `--include-ignored`: without one they fail, saying how to get one, rather than pass having
/// tested nothing.
pub fn require_postgres_url() -> String {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{URL_VAR} is not set: run `cargo xtask test` (it starts a private PostgreSQL) or point \
             {URL_VAR} at a server where this user may create databases"
        ),
    }
}

/// A database of its own for one test, dropped (with any connection left) at the end.
pub struct PgDatabase {
    pub admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create(admin_url: &str) -> Self {
        let name = format!("fs_test_{}", uuid::Uuid::new_v4().simple());
        admin(admin_url)
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        Self {
            admin_url: admin_url.to_owned(),
            url: with_database(admin_url, &name),
            name,
        }
    }

    /// Runs `sql` in this database, outside any store.
    pub fn execute(&self, sql: &str) {
        admin(&self.url).batch_execute(sql).expect(sql);
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // On a thread of its own: the blocking client must not run on an async test's runtime.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            postgres::Client::connect(&admin_url, postgres::NoTls).and_then(|mut c| {
                c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}: {dropped:?}", self.name);
        }
    }
}

pub fn admin(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("connect to the test PostgreSQL")
}

/// The same server URL naming database `name` (URL or key=value form).
pub fn with_database(url: &str, name: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return format!("{url} dbname={name}");
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, format!("?{query}")),
        None => (rest, String::new()),
    };
    let authority = rest
        .split_once('/')
        .map_or(rest, |(authority, _)| authority);
    format!("{scheme}://{authority}/{name}{query}")
}
