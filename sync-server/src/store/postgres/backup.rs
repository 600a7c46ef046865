//! `backup` for PostgreSQL: a `pg_dump` custom-format archive (one consistent snapshot, while
//! the servers keep running), restorable with `pg_restore`.

use crate::store::StoreError;
use std::path::Path;
use std::process::{Command, Stdio};

pub fn pg_dump(url: &str, dest: &Path) -> Result<(), StoreError> {
    if dest.exists() {
        return Err(StoreError::Conflict(format!(
            "{} already exists; choose a new file",
            dest.display()
        )));
    }
    // The password goes through the environment, not the command line others can read.
    let (target, password) = without_password(url);
    let mut cmd = Command::new("pg_dump");
    cmd.args(["--format=custom", "--no-password", "--file"])
        .arg(dest)
        .arg("--dbname")
        .arg(&target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Unavailable(
                "pg_dump is not on PATH: install the PostgreSQL client tools (Debian: \
                 postgresql-client) or back up the database with pg_dump yourself"
                    .into(),
            ))
        }
        Err(e) => return Err(StoreError::Unavailable(format!("cannot run pg_dump: {e}"))),
    };
    if !out.status.success() {
        let _ = std::fs::remove_file(dest);
        return Err(StoreError::Database(format!(
            "pg_dump failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// `postgres://user:secret@host/db` → (`postgres://user@host/db`, the decoded password).
/// Key=value connection strings, and URLs without a password, are returned as they are.
pub fn without_password(url: &str) -> (String, Option<String>) {
    let unchanged = || (url.to_owned(), None);
    let Some((scheme, rest)) = url.split_once("://") else {
        return unchanged();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((userinfo, hosts)) = authority.rsplit_once('@') else {
        return unchanged();
    };
    let Some((user, _)) = userinfo.split_once(':') else {
        return unchanged();
    };
    let password = url.parse::<::postgres::Config>().ok().and_then(|c| {
        c.get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    });
    (format!("{scheme}://{user}@{hosts}{tail}"), password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_decoded() {
        assert_eq!(
            without_password("postgres://fs:s%40cret@db.example:5433/crm?sslmode=disable"),
            (
                "postgres://fs@db.example:5433/crm?sslmode=disable".to_owned(),
                Some("s@cret".to_owned())
            )
        );
        assert_eq!(
            without_password("postgresql://fs@127.0.0.1/postgres"),
            ("postgresql://fs@127.0.0.1/postgres".to_owned(), None)
        );
        assert_eq!(
            without_password("host=/run/postgresql user=fs"),
            ("host=/run/postgresql user=fs".to_owned(), None)
        );
    }
}
