//! End-to-end test of the Listings screens in the real Tauri window (tauri-driver +
//! WebKitWebDriver under a real X display): the empty grid, a new listing refused by the engine
//! and then fixed, a photo picked from a real image file on disk (and a file that is not one),
//! the grid with price, status and cover photo, the listing's gallery, features, tour link and
//! open house, and an edit. Screenshots of each land in the screenshot directory.

mod app_support;

use app_support::App;
use chrono::{Duration, Local};

/// Sets a date or time input's value as its picker would, then tells the page.
async fn set_input(app: &App, css: &str, value: &str) {
    app.wait_for(css).await;
    app.js(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1];
         el.dispatchEvent(new Event('input', {bubbles: true}));
         el.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![css.into(), value.into()],
    )
    .await;
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).expect("chunk size");
    png.extend_from_slice(&len.to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// A real PNG file (RGB, zlib with stored blocks) of a little house under a sky: no image
/// crate needed, and the webview must decode it to show it.
fn house_png(width: u32, height: u32, dusk: bool) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            let (fx, fy) = (x * 1000 / width, y * 1000 / height);
            let roof = (250..450).contains(&fy) && fx.abs_diff(500) * 100 <= (fy - 250) * 125;
            let rgb = if roof {
                [168, 62, 50]
            } else if (300..700).contains(&fx) && (450..850).contains(&fy) {
                if (440..560).contains(&fx) && fy >= 620 {
                    [92, 60, 40]
                } else {
                    [232, 220, 196]
                }
            } else if fy >= 800 {
                [96, 150, 80]
            } else {
                let sky = u8::try_from(150 + fy / 10).unwrap_or(255);
                if dusk {
                    [sky, 140, 120]
                } else {
                    [120, sky, 230]
                }
            };
            raw.extend_from_slice(&rgb);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = u16::try_from(block.len()).expect("block size");
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// The `naturalWidth` of the first image matching `css` once the webview has decoded it.
async fn decoded_width(app: &App, css: &str) -> u64 {
    let width = || async {
        app.js(
            "const img = document.querySelector(arguments[0]);
             return img && img.complete ? img.naturalWidth : 0",
            vec![css.into()],
        )
        .await
        .as_u64()
        .unwrap_or(0)
    };
    app.until(&format!("{css} shows a decoded picture"), || async {
        width().await > 0
    })
    .await;
    width().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_listing_is_created_with_a_photo_shown_in_the_grid_and_edited() {
    let files = tempfile::tempdir().expect("tempdir");
    let photo = files.path().join("front.png");
    std::fs::write(&photo, house_png(640, 480, false)).expect("write the photo");
    let second = files.path().join("dusk.png");
    std::fs::write(&second, house_png(480, 360, true)).expect("write the photo");
    let not_a_photo = files.path().join("notes.png");
    std::fs::write(&not_a_photo, "a shopping list, not a picture").expect("write the file");

    let app = App::launch(None).await;
    app.goto("listings").await;
    app.until_text("#listings-empty", "No listings yet").await;
    app.screens("listings-empty").await;

    // The engine's verdict lands next to each field it names; nothing is written.
    app.click("#new-listing-button").await;
    app.wait_for("#listing-editor").await;
    app.type_into("#listing-form-address-line1", "12 Elm Street")
        .await;
    app.type_into("#listing-form-address-city", "Springfield")
        .await;
    app.type_into("#listing-form-address-country", "UK").await;
    app.click("#listing-save").await;
    app.until_text("#listing-form-price-error", "above zero")
        .await;
    app.until_text("#listing-form-address-country-error", "is GB")
        .await;
    assert_eq!(
        app.js("return document.activeElement.id", vec![]).await,
        "listing-form-address-country",
        "focus goes to the first refused field"
    );
    app.screens_at("listing-form-refused", "#listing-form-price")
        .await;

    // Text where a number belongs is caught by the form itself.
    app.type_into("#listing-form-price", "lots").await;
    app.click("#listing-save").await;
    app.until_text("#listing-form-price-error", "whole number")
        .await;
    app.type_into("#listing-form-price", "425,000").await;
    app.type_into("#listing-form-address-country", "US").await;
    app.until_gone("#listing-form-address-country-error").await;
    app.type_into("#listing-form-beds", "3").await;
    app.type_into("#listing-form-baths", "2.5").await;
    app.type_into("#listing-form-living-area", "1850").await;
    app.type_into(
        "#listing-form-description",
        "A bright family house on a quiet street, a short walk from the station.",
    )
    .await;
    app.type_into("#listing-form-features", "Garden, Garage, Fireplace")
        .await;

    // Photos come from files on this device: one that is not an image is refused by name.
    let picker = app.wait_for("#listing-form-photos").await;
    picker
        .send_keys(&not_a_photo.to_string_lossy())
        .await
        .expect("pick a file");
    app.until_text("#listing-form-photos-error", "notes.png")
        .await;
    app.until_text("#listing-form-photos-error", "not a JPEG, PNG or WebP")
        .await;
    let picker = app.wait_for("#listing-form-photos").await;
    picker
        .send_keys(&photo.to_string_lossy())
        .await
        .expect("pick the photo");
    app.until_gone("#listing-form-photos-error").await;
    // The form's strip shows the 320 px thumbnail made on this device, not the whole photo.
    assert_eq!(
        decoded_width(&app, "#listing-form-photos-list img.listing-photo").await,
        320
    );

    app.click("#listing-form-add-tour").await;
    app.type_into(
        "#listing-form-media-1-uri",
        "https://tours.example.com/12-elm",
    )
    .await;
    app.click("#listing-form-add-open-house").await;
    let day = (Local::now().date_naive() + Duration::days(7)).to_string();
    set_input(&app, "#listing-form-open-houses-0-date", &day).await;
    set_input(&app, "#listing-form-open-houses-0-starts-at", "14:00").await;
    set_input(&app, "#listing-form-open-houses-0-ends-at", "16:00").await;
    app.screens_at("listing-form", "#listing-form-photos-list")
        .await;
    app.click("#listing-save").await;

    // Stored: the listing's screen opens with everything that was written.
    app.until_text("#listing-price", "$425,000").await;
    app.until_text("#listing-status", "Active").await;
    app.until_text("#listing-address", "12 Elm Street").await;
    assert_eq!(
        decoded_width(&app, "#listing-gallery img.listing-photo").await,
        640
    );
    app.until_text("#listing-facts", "2.5").await;
    app.until_text("#listing-facts", "1,850 sq ft").await;
    assert_eq!(
        app.texts("#listing-features li").await,
        ["Garden", "Garage", "Fireplace"]
    );
    app.until_text("#listing-tours", "tours.example.com").await;
    assert_eq!(
        app.js(
            "return document.querySelector('#listing-tours a').getAttribute('href')",
            vec![]
        )
        .await,
        "https://tours.example.com/12-elm"
    );
    app.until_text("#listing-open-houses", "14:00–16:00").await;
    app.screens_at("listing-about", "#listing-features").await;

    // Today lists the coming open house, with the way there.
    app.goto("today").await;
    app.until_text("#today-open-houses", "12 Elm Street, Springfield")
        .await;
    app.until_text("#today-open-houses", "14:00").await;
    assert!(
        app.exists("#today-open-houses .today-booking__directions")
            .await
    );
    app.screens_at("today-open-houses", "#today-open-houses")
        .await;

    // A second listing without a photo, so the grid shows both kinds of card.
    app.goto("listings").await;
    app.until_text("#listing-grid", "$425,000").await;
    app.click("#new-listing-button").await;
    app.wait_for("#listing-editor").await;
    app.type_into("#listing-form-address-line1", "3 Oak Lane")
        .await;
    app.type_into("#listing-form-address-city", "Shelbyville")
        .await;
    app.type_into("#listing-form-price", "615000").await;
    app.select("#listing-form-property-type", "condo").await;
    app.select("#listing-form-status", "pending").await;
    app.click("#listing-save").await;
    app.until_text("#listing-price", "$615,000").await;

    app.goto("listings").await;
    app.until("both cards are shown", || async {
        app.texts("#listing-grid .listing-card__address").await == ["3 Oak Lane", "12 Elm Street"]
    })
    .await;
    assert_eq!(
        app.texts("#listing-grid .listing-card__price").await,
        ["$615,000", "$425,000"]
    );
    assert_eq!(
        app.texts("#listing-grid .listing-card__status").await,
        ["Pending", "Active"]
    );
    // The grid shows thumbnails too; the gallery above showed the whole 640 px photo.
    assert_eq!(
        decoded_width(&app, "#listing-grid img.listing-photo").await,
        320
    );
    app.screens("listings").await;

    // The status filter and search ask the engine.
    app.click("#listing-status-pending").await;
    app.until("only the pending one", || async {
        app.texts("#listing-grid .listing-card__address").await == ["3 Oak Lane"]
    })
    .await;
    app.click("#listing-status-all").await;
    app.press("/").await;
    app.until("the search box has focus", || async {
        app.js("return document.activeElement.id", vec![]).await == "listing-search"
    })
    .await;
    app.type_into("#listing-search", "elm").await;
    app.until("only Elm Street matches", || async {
        app.texts("#listing-grid .listing-card__address").await == ["12 Elm Street"]
    })
    .await;

    // Edit: a price and a status, saved and shown.
    app.click("#listing-grid .listing-card").await;
    app.until_text("#listing-price", "$425,000").await;
    app.click("#listing-edit").await;
    app.wait_for("#listing-editor").await;
    assert_eq!(app.value_of("#listing-form-price").await, "425000");
    app.type_into("#listing-form-price", "410000").await;
    app.select("#listing-form-status", "pending").await;
    let picker = app.wait_for("#listing-form-photos").await;
    picker
        .send_keys(&second.to_string_lossy())
        .await
        .expect("pick a second photo");
    app.until("both photos are in the form", || async {
        app.texts("#listing-form-photos-list li").await.len() == 2
    })
    .await;
    app.click("#listing-save").await;
    app.until_gone("#listing-editor").await;
    app.until_text("#listing-saved", "Saved").await;
    app.until_text("#listing-price", "$410,000").await;
    app.until_text("#listing-status", "Pending").await;
    // The first photo is still the cover; the arrow keys step through the gallery.
    app.until_text("#gallery-count", "1 / 2").await;
    assert_eq!(
        decoded_width(&app, "#listing-gallery .gallery__stage img").await,
        640
    );
    app.screens("listing").await;
    let gallery = app.wait_for("#listing-gallery").await;
    gallery.send_keys("\u{e014}").await.expect("arrow right"); // ArrowRight
    app.until_text("#gallery-count", "2 / 2").await;
    assert_eq!(
        decoded_width(&app, "#listing-gallery .gallery__stage img").await,
        480
    );
    app.click("#gallery-next").await;
    app.until_text("#gallery-count", "1 / 2").await;
    app.close().await;
}
