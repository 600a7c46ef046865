//! Checks for where media live: a relative path inside the app's media folder, or an https URL
//! on someone else's site. Both refuse anything that could escape or smuggle a scheme.

pub const URL_MAX_CHARS: usize = 2048;
pub const PATH_MAX_CHARS: usize = 512;

/// An external web address: `https://`, a host, no spaces, no credentials.
pub fn check_https_url(url: &str) -> Result<(), String> {
    if url.chars().count() > URL_MAX_CHARS {
        return Err(format!(
            "A web address can be at most {URL_MAX_CHARS} characters."
        ));
    }
    let Some(rest) = url.strip_prefix("https://") else {
        return Err("A web address must start with https://.".to_owned());
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("A web address cannot contain spaces or control characters.".to_owned());
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.contains('@') {
        return Err("A web address cannot contain a user name or password.".to_owned());
    }
    let plausible_host = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        && !host.starts_with(['.', '-', ':']);
    if !plausible_host {
        return Err(format!("{url:?} has no valid host name after https://."));
    }
    Ok(())
}

/// A media file stored with the app: a relative path such as `photos/front.jpg`, never absolute,
/// never climbing out with a `..` segment, never a URL or a drive letter.
pub fn check_relative_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("Enter the file's path.".to_owned());
    }
    if path.chars().count() > PATH_MAX_CHARS {
        return Err(format!(
            "A file path can be at most {PATH_MAX_CHARS} characters."
        ));
    }
    if path.chars().any(char::is_control) {
        return Err("A file path cannot contain control characters.".to_owned());
    }
    if path.contains('\\') {
        return Err("A file path uses / between folders, not \\.".to_owned());
    }
    if path.starts_with('/') {
        return Err(
            "A file path must be relative to the app's media folder, not start with /.".to_owned(),
        );
    }
    if path.contains(':') {
        return Err(
            "A file path cannot contain a colon; web addresses belong in an external tour."
                .to_owned(),
        );
    }
    for segment in path.split('/') {
        match segment {
            ".." => return Err("A file path cannot contain a .. folder.".to_owned()),
            "" | "." => {
                return Err("A file path cannot contain empty or . folder names.".to_owned())
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls() {
        assert!(check_https_url("https://tours.example.com/3d?id=7#start").is_ok());
        assert!(check_https_url("https://[::1]:8443/t").is_ok());
        for bad in [
            "http://tours.example.com/",
            "HTTPS://example.com",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://user:pw@example.com/",
            "https://.example.com",
            "ftp://example.com",
            "javascript:alert(1)",
        ] {
            assert!(check_https_url(bad).is_err(), "{bad} accepted");
        }
        let long = format!("https://example.com/{}", "a".repeat(URL_MAX_CHARS));
        assert!(check_https_url(&long).is_err());
    }

    #[test]
    fn relative_paths() {
        for good in [
            "photos/front.jpg",
            "a",
            "floor plans/level 1.pdf",
            "x/..y/z",
        ] {
            assert!(check_relative_path(good).is_ok(), "{good} rejected");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../secret.jpg",
            "photos/../../x.jpg",
            "photos/..",
            "C:/photos/a.jpg",
            "photos\\a.jpg",
            "https://example.com/a.jpg",
            "photos//a.jpg",
            "./a.jpg",
            "a\nb",
        ] {
            assert!(check_relative_path(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_relative_path(&"a".repeat(PATH_MAX_CHARS + 1)).is_err());
    }
}
