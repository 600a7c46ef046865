//! The RESO Web API as an OData 4 client sees it: a bearer token (given, or fetched with the
//! OAuth2 client-credentials grant), the service's `$metadata` (which Property fields it has
//! and whether Media can be expanded), and resources read page by page through
//! `@odata.nextLink` (server-driven paging; replication endpoints forbid `$skip`/`$orderby`).

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

/// Why talking to the MLS failed; the run's report shows it.
#[derive(Debug, thiserror::Error)]
pub enum ODataError {
    #[error("the MLS could not be reached: {0}")]
    Network(String),
    #[error("the MLS answered {status} to {what}: {body}")]
    Status {
        what: String,
        status: u16,
        body: String,
    },
    #[error("the MLS's answer to {what} is not what the Web API sends: {detail}")]
    Malformed { what: String, detail: String },
    #[error("the MLS has no Property resource in its $metadata")]
    NoProperty,
    #[error("the MLS led paging in a circle or past {0} pages")]
    Paging(usize),
}

/// How the client proves who it is.
#[derive(Debug, Clone)]
pub enum Credentials {
    Bearer(String),
    ClientCredentials {
        token_url: String,
        client_id: String,
        client_secret: String,
        scope: Option<String>,
    },
}

/// A connection to one MLS's Web API.
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
}

#[derive(Deserialize)]
struct Page {
    value: Vec<Value>,
    #[serde(rename = "@odata.nextLink", default)]
    next: Option<String>,
}

/// What `$metadata` says of the Property resource.
#[derive(Debug, Clone, Default)]
pub struct PropertyShape {
    pub fields: BTreeSet<String>,
    /// Whether `$expand=Media` can be asked for.
    pub media: bool,
}

/// The largest answer read (a page of 5,000 records with their media is a few MiB).
const BODY_MAX: usize = 64 << 20;
/// The most pages one resource is read in (a loop guard: 2,000 × the page size).
const PAGES_MAX: usize = 2_000;

fn limited(text: String) -> String {
    text.chars().take(300).collect()
}

impl Client {
    /// Connects: fetches a token when the credentials are a client's.
    pub async fn connect(
        base: &str,
        credentials: &Credentials,
        timeout: Duration,
    ) -> Result<Client, ODataError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| ODataError::Network(e.to_string()))?;
        let token = match credentials {
            Credentials::Bearer(token) => token.clone(),
            Credentials::ClientCredentials {
                token_url,
                client_id,
                client_secret,
                scope,
            } => {
                // Built before the request: the serializer is not `Send`.
                let form = {
                    let mut form = form_urlencoded::Serializer::new(String::new());
                    form.append_pair("grant_type", "client_credentials");
                    form.append_pair("client_id", client_id);
                    form.append_pair("client_secret", client_secret);
                    if let Some(scope) = scope {
                        form.append_pair("scope", scope);
                    }
                    form.finish()
                };
                let answer = http
                    .post(token_url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(form)
                    .send()
                    .await
                    .map_err(|e| ODataError::Network(e.to_string()))?;
                let status = answer.status();
                let body = answer
                    .text()
                    .await
                    .map_err(|e| ODataError::Network(e.to_string()))?;
                if !status.is_success() {
                    return Err(ODataError::Status {
                        what: "the token request".into(),
                        status: status.as_u16(),
                        body: limited(body),
                    });
                }
                serde_json::from_str::<TokenAnswer>(&body)
                    .map_err(|e| ODataError::Malformed {
                        what: "the token request".into(),
                        detail: e.to_string(),
                    })?
                    .access_token
            }
        };
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token,
        })
    }

    async fn get_text(&self, url: &str, what: &str) -> Result<String, ODataError> {
        let mut answer = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| ODataError::Network(e.to_string()))?;
        let status = answer.status();
        // Read in pieces, so an answer past the cap is cut before it is all in memory.
        let too_big = || ODataError::Malformed {
            what: what.to_owned(),
            detail: format!("the answer is larger than {} MiB", BODY_MAX >> 20),
        };
        if answer.content_length().is_some_and(|n| n > BODY_MAX as u64) {
            return Err(too_big());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = answer
            .chunk()
            .await
            .map_err(|e| ODataError::Network(e.to_string()))?
        {
            if bytes.len() + chunk.len() > BODY_MAX {
                return Err(too_big());
            }
            bytes.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(bytes).map_err(|_| ODataError::Malformed {
            what: what.to_owned(),
            detail: "the answer is not UTF-8 text".into(),
        })?;
        if !status.is_success() {
            return Err(ODataError::Status {
                what: what.to_owned(),
                status: status.as_u16(),
                body: limited(body),
            });
        }
        Ok(body)
    }

    /// The Property resource's fields and whether its Media expands, from `$metadata`.
    pub async fn property_shape(&self) -> Result<PropertyShape, ODataError> {
        let xml = self
            .get_text(&format!("{}/$metadata", self.base), "$metadata")
            .await?;
        shape_of(&xml)
    }

    /// Pages of `path_and_query` (relative to the service root), read one at a time.
    pub fn pages(&self, path_and_query: &str, what: &str) -> Pager<'_> {
        Pager {
            client: self,
            next: Some(format!("{}/{path_and_query}", self.base)),
            seen: BTreeSet::new(),
            what: what.to_owned(),
        }
    }
}

/// A resource read page by page, following `@odata.nextLink`.
pub struct Pager<'a> {
    client: &'a Client,
    next: Option<String>,
    seen: BTreeSet<String>,
    what: String,
}

impl Pager<'_> {
    /// The next page's records, or `None` after the last.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Value>>, ODataError> {
        let Some(url) = self.next.take() else {
            return Ok(None);
        };
        if self.seen.len() >= PAGES_MAX || !self.seen.insert(url.clone()) {
            return Err(ODataError::Paging(self.seen.len()));
        }
        let body = self.client.get_text(&url, &self.what).await?;
        let parsed: Page = serde_json::from_str(&body).map_err(|e| ODataError::Malformed {
            what: self.what.clone(),
            detail: e.to_string(),
        })?;
        // A next link is absolute, or relative to the service root.
        self.next = parsed.next.map(|next| {
            if next.starts_with("http://") || next.starts_with("https://") {
                next
            } else {
                format!("{}/{}", self.client.base, next.trim_start_matches('/'))
            }
        });
        Ok(Some(parsed.value))
    }
}

/// Reads the Property entity type out of an OData CSDL document.
pub fn shape_of(xml: &str) -> Result<PropertyShape, ODataError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut shape = PropertyShape::default();
    let mut in_property = false;
    let mut found = false;
    let malformed = |detail: String| ODataError::Malformed {
        what: "$metadata".into(),
        detail,
    };
    loop {
        let event = reader.read_event().map_err(|e| malformed(e.to_string()))?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name();
                let attr = |key: &str| {
                    e.attributes().flatten().find_map(|a| {
                        (a.key.local_name().as_ref() == key).then(|| a.value.to_string())
                    })
                };
                match name.as_ref() {
                    "EntityType" => {
                        in_property = attr("Name").as_deref() == Some("Property");
                        found |= in_property;
                    }
                    "Property" if in_property => {
                        if let Some(n) = attr("Name") {
                            shape.fields.insert(n);
                        }
                    }
                    "NavigationProperty" if in_property => {
                        shape.media |= attr("Name").as_deref() == Some("Media");
                    }
                    _ => {}
                }
            }
            Event::End(e) if e.local_name().as_ref() == "EntityType" => in_property = false,
            Event::Eof => break,
            _ => {}
        }
    }
    if found {
        Ok(shape)
    } else {
        Err(ODataError::NoProperty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_property_type_is_read_from_metadata() {
        let xml = r#"<?xml version="1.0"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">
 <edmx:DataServices><Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="org.reso.metadata">
  <EntityType Name="Member"><Property Name="MemberKey" Type="Edm.String"/></EntityType>
  <EntityType Name="Property"><Key><PropertyRef Name="ListingKey"/></Key>
   <Property Name="ListingKey" Type="Edm.String"/><Property Name="ListPrice" Type="Edm.Decimal"/>
   <NavigationProperty Name="Media" Type="Collection(org.reso.metadata.Media)"/>
  </EntityType>
 </Schema></edmx:DataServices></edmx:Edmx>"#;
        let shape = shape_of(xml).expect("shape");
        assert_eq!(
            shape.fields.iter().map(String::as_str).collect::<Vec<_>>(),
            ["ListPrice", "ListingKey"]
        );
        assert!(shape.media);
        assert!(matches!(
            shape_of("<Edmx><EntityType Name=\"Member\"/></Edmx>"),
            Err(ODataError::NoProperty)
        ));
        assert!(matches!(
            shape_of("<Edmx><EntityType Name=\"Property\"></Oops></Edmx>"),
            Err(ODataError::Malformed { .. })
        ));
    }
}
