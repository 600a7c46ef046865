//! A public listing's page (issue 17, DESIGN decision 16): server-rendered HTML with the
//! organisation's name, accent and disclaimer, the photos (thumbnails, each opening the whole
//! picture), the facts, upcoming open houses in the listing agent's zone, a map link, the
//! embedded tour (Matterport or CloudPano in a sandboxed frame, or the listing's own 360°
//! picture in a scrolling viewer), floor plans, and the organisation's question form for it.
//!
//! A small beacon script (its hash in the CSP, nothing else runs) reports a view, the time
//! spent when the visitor leaves, and which parts they opened (`data-hotspot`): the tour
//! analytics the agent sees in the app. Rendering is a pure function of what it is given, so
//! it can be tested and measured without a server.

use crate::links::escape;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fieldstone_model::blob::BlobRef;
use fieldstone_model::branding::Branding;
use fieldstone_model::locale::Locale;
use fieldstone_model::{Listing, MediaKind, OrgId};
use std::fmt::Write;

/// Tour hosts whose players may be framed (their own sandboxed origin).
const TOUR_HOSTS: [&str; 2] = ["https://my.matterport.com/", "https://app.cloudpano.com/"];

const STYLE: &str = "*{box-sizing:border-box}body{margin:0;font-family:system-ui,sans-serif;\
color:#1f2933;line-height:1.5;background:#f7f7f5}header.brand{background:var(--accent);color:#fff;\
padding:.75rem 1rem}header.brand strong{font-size:1.1rem}header.brand span{display:block;\
opacity:.9;font-size:.9rem}main{max-width:64rem;margin:0 auto;padding:1rem}\
.top{display:grid;gap:0 1.5rem}@media(min-width:900px){.top{grid-template-columns:3fr 2fr}\
.top h1{margin-top:0}}.hero{margin:0;border-radius:10px;overflow:hidden;background:#e4e7eb;aspect-ratio:3/2}\
.hero img{width:100%;height:100%;object-fit:cover;display:block}\
.thumbs{list-style:none;padding:0;margin:.75rem 0;display:grid;gap:.5rem;\
grid-template-columns:repeat(auto-fill,minmax(96px,1fr))}.thumbs a{display:block;min-height:44px}\
.thumbs img{width:100%;aspect-ratio:4/3;object-fit:cover;border-radius:6px;display:block}\
h1{font-size:1.6rem;margin:1rem 0 0}.where{color:#52606d;margin:0}\
.price{font-size:1.5rem;font-weight:700;margin:.5rem 0}.facts{list-style:none;padding:0;\
display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;margin:.5rem 0 1rem}.facts li{font-weight:600}\
section{background:#fff;border-radius:10px;padding:1rem;margin:1rem 0}\
section h2{font-size:1.15rem;margin:0 0 .5rem}.features{padding-left:1.25rem}\
.tour iframe{width:100%;aspect-ratio:16/9;border:0;border-radius:6px}\
.pano{overflow-x:auto;border-radius:6px;background:#111;min-height:44px}\
.pano img{height:320px;width:auto;max-width:none;display:block}.note{color:#52606d;font-size:.9rem}\
.plans img{max-width:100%;border-radius:6px}a{color:var(--accent)}\
.button{display:inline-block;background:var(--accent);color:#fff;text-decoration:none;\
font-weight:600;padding:.75rem 1.5rem;border-radius:6px;min-height:48px}\
.actions{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin:1rem 0}\
.actions a:not(.button){min-height:44px;display:inline-flex;align-items:center}\
footer{max-width:64rem;margin:0 auto;padding:1rem;color:#52606d;font-size:.85rem}\
a:focus-visible,.pano:focus-visible{outline:3px solid #93c5fd}";

/// The beacon: a view at load, each opened part, and the time on the page when the visitor
/// leaves (`pagehide`, or the tab hidden), each sent once, by `sendBeacon` (never delays
/// leaving; no cookie, no identifier).
const SCRIPT: &str = "(function(){var u=document.body.getAttribute('data-beacon'),t0=Date.now(),\
done=false;function send(o){var b=JSON.stringify(o);if(navigator.sendBeacon){navigator.sendBeacon(u,\
new Blob([b],{type:'application/json'}))}else{fetch(u,{method:'POST',body:b,keepalive:true,\
headers:{'content-type':'application/json'}})}}send({kind:'view'});document.addEventListener('click',\
function(e){var h=e.target.closest('[data-hotspot]');if(h){send({kind:'hotspot',hotspot:\
h.getAttribute('data-hotspot')})}});function leave(){if(done)return;done=true;send({kind:'time',\
seconds:Math.round((Date.now()-t0)/1000)})}document.addEventListener('visibilitychange',function(){\
if(document.visibilityState==='hidden')leave()});window.addEventListener('pagehide',leave)})();";

/// Everything the page shows.
pub struct PageInput<'a> {
    pub org: OrgId,
    pub org_name: &'a str,
    pub branding: &'a Branding,
    pub listing: &'a Listing,
    /// The listing agent's zone: open-house times read as the agent advertises them.
    pub zone: Tz,
    pub now: DateTime<Utc>,
}

/// The page and the CSP that lets exactly its style and script run.
pub struct Rendered {
    pub html: String,
    pub csp: String,
}

fn sha256_b64(text: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text))
}

/// A query value, percent-encoded (unreserved characters kept).
fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// The page's address for `listing` of `org` (relative to the server).
pub fn path(org: OrgId, listing: &Listing) -> String {
    format!("/l/{org}/{}", listing.id)
}

/// Whether an external tour's address is a player the page may frame.
pub fn frameable(uri: &str) -> bool {
    TOUR_HOSTS.iter().any(|host| uri.starts_with(host))
}

pub fn render(input: &PageInput<'_>) -> Rendered {
    let listing = input.listing;
    let base = path(input.org, listing);
    let locale = Locale {
        currency: listing.currency.clone(),
        ..Locale::default()
    };
    let address = &listing.address;
    let mut body = String::with_capacity(8 * 1024);
    let _ = write!(
        body,
        "<header class=\"brand\"><strong>{}</strong>{}</header><main>",
        escape(input.org_name),
        input
            .branding
            .tagline
            .as_deref()
            .map_or(String::new(), |t| format!("<span>{}</span>", escape(t)))
    );

    let blobs = |kind: MediaKind| {
        listing
            .media
            .iter()
            .filter(move |m| m.kind == kind)
            .filter_map(|m| BlobRef::parse(&m.uri).map(|b| (b, m.caption.clone())))
            .filter(|(b, _)| b.kind.is_image())
    };
    let photos: Vec<_> = blobs(MediaKind::Photo).collect();
    let count = photos.len();
    body.push_str("<div class=\"top\"><div class=\"gallery\">");
    if let Some((cover, _)) = photos.first() {
        let _ = write!(
            body,
            "<figure class=\"hero\"><img src=\"{base}/photo/{}\" alt=\"{}, photo 1 of {count}\"></figure>",
            cover.file_name(),
            escape(&address.line1)
        );
    }
    if count > 1 {
        body.push_str("<ul class=\"thumbs\" aria-label=\"All photos\">");
        for (i, (blob, caption)) in photos.iter().enumerate() {
            let n = i + 1;
            let alt = caption
                .as_deref()
                .map_or_else(|| format!("Photo {n} of {count}"), escape);
            let _ = write!(
                body,
                "<li><a href=\"{base}/photo/{name}\" target=\"_blank\" rel=\"noopener\" \
                 data-hotspot=\"photo-{n}\"><img src=\"{base}/thumb/{name}\" alt=\"{alt}\" \
                 loading=\"lazy\"></a></li>",
                name = blob.file_name()
            );
        }
        body.push_str("</ul>");
    }
    body.push_str("</div><div class=\"summary\">");

    let place = [
        Some(address.city.as_str()),
        address.region.as_deref(),
        address.postal_code.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let _ = write!(
        body,
        "<h1>{}</h1><p class=\"where\">{}</p><p class=\"price\">{}</p><ul class=\"facts\">",
        escape(&address.line1),
        escape(&place),
        escape(&locale.money(listing.price, &listing.currency))
    );
    let mut facts = Vec::new();
    if let Some(beds) = listing.beds {
        facts.push(format!("{beds} bed{}", if beds == 1 { "" } else { "s" }));
    }
    if let Some(baths) = listing.baths {
        facts.push(format!(
            "{baths} bath{}",
            if baths.0 == 10 { "" } else { "s" }
        ));
    }
    if let Some(area) = listing.living_area {
        facts.push(area.to_string());
    }
    facts.push(listing.property_type.label().to_owned());
    if listing.status == fieldstone_model::ListingStatus::Pending {
        facts.push("Under offer".to_owned());
    }
    for fact in facts {
        let _ = write!(body, "<li>{}</li>", escape(&fact));
    }
    body.push_str("</ul>");

    let _ = write!(
        body,
        "<div class=\"actions\"><a class=\"button\" href=\"/forms/{org}?listing={id}\" \
         data-hotspot=\"ask\">Ask about this home</a><a href=\"{map}\" target=\"_blank\" \
         rel=\"noopener\" data-hotspot=\"map\">See it on a map</a></div></div></div>",
        org = input.org,
        id = listing.id,
        map = escape(&map_link(listing)),
    );

    if !listing.description.trim().is_empty() || !listing.features.is_empty() {
        body.push_str("<section><h2>About this home</h2>");
        for paragraph in listing
            .description
            .split("\n\n")
            .filter(|p| !p.trim().is_empty())
        {
            let _ = write!(body, "<p>{}</p>", escape(paragraph.trim()));
        }
        if !listing.features.is_empty() {
            body.push_str("<ul class=\"features\">");
            for feature in &listing.features {
                let _ = write!(body, "<li>{}</li>", escape(feature));
            }
            body.push_str("</ul>");
        }
        body.push_str("</section>");
    }

    let tour = listing
        .media
        .iter()
        .find(|m| m.kind == MediaKind::ExternalTour && frameable(&m.uri));
    let pano = blobs(MediaKind::Media360).next();
    if tour.is_some() || pano.is_some() {
        body.push_str("<section class=\"tour\" id=\"tour\"><h2>Tour</h2>");
        if let Some(tour) = tour {
            // Clicks inside another origin's frame are not seen; focusing the frame is.
            let _ = write!(
                body,
                "<div data-hotspot=\"tour\"><iframe src=\"{}\" title=\"3D tour of {}\" \
                 sandbox=\"allow-scripts allow-same-origin allow-popups\" allow=\"fullscreen; xr-spatial-tracking\" \
                 loading=\"lazy\"></iframe></div>",
                escape(&tour.uri),
                escape(&address.line1)
            );
        }
        if let Some((blob, _)) = pano {
            let _ = write!(
                body,
                "<div class=\"pano\" tabindex=\"0\" data-hotspot=\"pano\" role=\"group\" \
                 aria-label=\"360° view: scroll sideways or use the arrow keys to look around\">\
                 <img src=\"{base}/photo/{}\" alt=\"360° view of {}\"></div>\
                 <p class=\"note\">360° view: drag or scroll sideways to look around.</p>",
                blob.file_name(),
                escape(&address.line1)
            );
        }
        body.push_str("</section>");
    }
    let other_tours: Vec<_> = listing
        .media
        .iter()
        // Only https links: a document pushed by a hostile device is not trusted to have been
        // through the editor's checks (a `javascript:` link must never reach a client).
        .filter(|m| {
            m.kind == MediaKind::ExternalTour && !frameable(&m.uri) && m.uri.starts_with("https://")
        })
        .collect();
    if !other_tours.is_empty() && tour.is_none() {
        body.push_str("<section><h2>Tour</h2>");
        for m in other_tours {
            let _ = write!(
                body,
                "<p><a href=\"{}\" target=\"_blank\" rel=\"noopener\" data-hotspot=\"tour\">{}</a></p>",
                escape(&m.uri),
                escape(m.caption.as_deref().unwrap_or("Open the virtual tour"))
            );
        }
        body.push_str("</section>");
    }

    let plans: Vec<_> = blobs(MediaKind::Floorplan).collect();
    if !plans.is_empty() {
        body.push_str("<section class=\"plans\"><h2>Floor plans</h2>");
        for (i, (blob, caption)) in plans.iter().enumerate() {
            let _ = write!(
                body,
                "<a href=\"{base}/photo/{name}\" target=\"_blank\" rel=\"noopener\" \
                 data-hotspot=\"floorplan-{n}\"><img src=\"{base}/thumb/{name}\" alt=\"{alt}\" \
                 loading=\"lazy\"></a>",
                name = blob.file_name(),
                n = i + 1,
                alt = caption
                    .as_deref()
                    .map_or_else(|| format!("Floor plan {}", i + 1), escape),
            );
        }
        body.push_str("</section>");
    }

    let upcoming: Vec<_> = listing
        .open_houses
        .iter()
        .filter(|o| o.ends_at > input.now)
        .collect();
    if !upcoming.is_empty() {
        body.push_str("<section><h2>Open houses</h2><ul>");
        for open in upcoming {
            let (from, to) = (
                open.starts_at.with_timezone(&input.zone),
                open.ends_at.with_timezone(&input.zone),
            );
            let _ = write!(
                body,
                "<li><time datetime=\"{}\">{}, {}–{}</time></li>",
                open.starts_at.to_rfc3339(),
                escape(&locale.date(from.date_naive(), true)),
                from.format("%H:%M"),
                to.format("%H:%M")
            );
        }
        let _ = write!(
            body,
            "</ul><p class=\"note\">Times in {}.</p></section>",
            escape(input.zone.name())
        );
    }
    body.push_str("</main><footer>");
    if let Some(disclaimer) = &input.branding.disclaimer {
        for line in disclaimer.lines().filter(|l| !l.trim().is_empty()) {
            let _ = write!(body, "<p>{}</p>", escape(line));
        }
    }
    let _ = write!(
        body,
        "<p>Listed by {}{}.</p></footer>",
        escape(input.org_name),
        listing
            .mls_number
            .as_deref()
            .map_or(String::new(), |n| format!(" · MLS# {}", escape(n)))
    );

    let style = format!(":root{{--accent:{}}}{STYLE}", input.branding.accent());
    let title = format!("{} — {}", address.line1, input.org_name);
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><meta name=\"description\" content=\"{}\"><style>{style}</style></head>\
         <body data-beacon=\"{base}/beacon\">{body}<script>{SCRIPT}</script></body></html>",
        escape(&title),
        escape(&format!(
            "{} in {}: {}",
            listing.property_type.label(),
            address.city,
            locale.money(listing.price, &listing.currency)
        )),
    );
    let frames = TOUR_HOSTS
        .iter()
        .map(|h| h.trim_end_matches('/'))
        .collect::<Vec<_>>()
        .join(" ");
    let csp = format!(
        "default-src 'none'; img-src 'self'; style-src 'sha256-{}'; script-src 'sha256-{}'; \
         connect-src 'self'; frame-src {frames}; form-action 'self'; base-uri 'none'; \
         frame-ancestors 'none'",
        sha256_b64(&style),
        sha256_b64(SCRIPT)
    );
    Rendered { html, csp }
}

fn map_link(listing: &Listing) -> String {
    let address = &listing.address;
    match (address.latitude, address.longitude) {
        (Some(lat), Some(lon)) => format!(
            "https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=17/{lat:.6}/{lon:.6}"
        ),
        _ => format!(
            "https://www.openstreetmap.org/search?query={}",
            query_value(&address.one_line())
        ),
    }
}

/// The hotspot names a page can report: what the beacon's `hotspot` must be.
pub fn known_hotspot(name: &str) -> bool {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix).is_some_and(|n| {
            !n.is_empty()
                && n.len() <= 3
                && n.bytes().all(|b| b.is_ascii_digit())
                && !n.starts_with('0')
        })
    };
    matches!(name, "tour" | "pano" | "ask" | "map") || numbered("photo-") || numbered("floorplan-")
}

#[cfg(test)]
mod tests;
