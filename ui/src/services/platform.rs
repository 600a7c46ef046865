//! The webview's own facilities: the location hash (the current screen), global keyboard
//! shortcuts, the clock and the local time zone, focus and timers. Off the webview these are
//! inert (a fixed clock, no events), which is all host tests need.

use chrono::{DateTime, Utc};

/// A key pressed anywhere in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPress {
    pub key: String,
    /// Ctrl, Alt or Meta held.
    pub with_modifier: bool,
    /// The focus is in a text field, a select or editable content.
    pub typing: bool,
}

#[cfg(target_arch = "wasm32")]
pub use webview::*;

#[cfg(not(target_arch = "wasm32"))]
pub use host::*;

#[cfg(not(target_arch = "wasm32"))]
mod host {
    use super::KeyPress;
    use chrono::{DateTime, Utc};

    /// Removes its listener when dropped (nothing to remove off the webview).
    pub struct Listener;

    impl Drop for Listener {
        fn drop(&mut self) {}
    }

    pub fn current_hash() -> String {
        String::new()
    }

    /// Nothing to copy to off the webview.
    pub fn copy_text(_text: &str) -> bool {
        false
    }

    pub fn set_hash(_hash: &str) {}

    pub fn on_hash_change(_handler: impl Fn(String) + 'static) -> Listener {
        Listener
    }

    pub fn on_key_down(_handler: impl Fn(KeyPress) -> bool + 'static) -> Listener {
        Listener
    }

    /// A fixed instant, so host renders are reproducible.
    pub fn now() -> DateTime<Utc> {
        DateTime::UNIX_EPOCH
    }

    pub fn utc_offset_minutes(_at: DateTime<Utc>) -> i32 {
        0
    }

    pub fn time_zone_name() -> String {
        "UTC".into()
    }

    pub fn focus(_id: &str) {}

    pub fn scroll_to_top() {}

    pub fn apply_layouts(_root: &str) {}

    pub fn scroll_into_view_on_phone(_css: &str) {}

    pub fn mark(_name: &str) {}

    pub fn on_scroll(_handler: impl Fn() + 'static) -> Listener {
        Listener
    }

    pub fn near_page_end(_margin: f64) -> bool {
        false
    }

    pub fn after(_ms: u32, _f: impl FnOnce() + 'static) -> Listener {
        Listener
    }
}

#[cfg(target_arch = "wasm32")]
mod webview {
    use super::KeyPress;
    use chrono::{DateTime, Utc};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    /// A listener (or timer) that is removed (cancelled) when dropped.
    pub struct Listener {
        target: Option<web_sys::EventTarget>,
        event: &'static str,
        closure: Option<Closure<dyn FnMut(web_sys::Event)>>,
        timer: Option<(i32, Closure<dyn FnMut()>)>,
    }

    impl Drop for Listener {
        fn drop(&mut self) {
            if let (Some(target), Some(closure)) = (&self.target, &self.closure) {
                // Removing a listener that is gone already is harmless.
                let _ = target.remove_event_listener_with_callback(
                    self.event,
                    closure.as_ref().unchecked_ref(),
                );
            }
            if let (Some((handle, _)), Some(window)) = (&self.timer, web_sys::window()) {
                window.clear_timeout_with_handle(*handle);
            }
        }
    }

    fn listen(
        target: Option<web_sys::EventTarget>,
        event: &'static str,
        handler: impl FnMut(web_sys::Event) + 'static,
    ) -> Listener {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
        if let Some(target) = &target {
            if target
                .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
                .is_err()
            {
                web_sys::console::warn_1(&format!("Fieldstone: cannot listen to {event}").into());
            }
        }
        Listener {
            target,
            event,
            closure: Some(closure),
            timer: None,
        }
    }

    pub fn current_hash() -> String {
        web_sys::window()
            .and_then(|window| window.location().hash().ok())
            .unwrap_or_default()
    }

    pub fn set_hash(hash: &str) {
        if current_hash() == hash {
            return;
        }
        if let Some(window) = web_sys::window() {
            // A refused hash change leaves the screen as it is; nothing to recover.
            let _ = window.location().set_hash(hash);
        }
    }

    pub fn on_hash_change(handler: impl Fn(String) + 'static) -> Listener {
        let target = web_sys::window().map(web_sys::EventTarget::from);
        listen(target, "hashchange", move |_| handler(current_hash()))
    }

    /// `handler` answers whether it took the key; a taken key does nothing else (a `/` that
    /// focuses the search box is not also typed into it).
    pub fn on_key_down(handler: impl Fn(KeyPress) -> bool + 'static) -> Listener {
        let target = web_sys::window().map(web_sys::EventTarget::from);
        listen(target, "keydown", move |event| {
            let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            let typing = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok())
                .is_some_and(|element| {
                    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        || element.is_content_editable()
                });
            let press = KeyPress {
                key: key.key(),
                with_modifier: key.ctrl_key() || key.alt_key() || key.meta_key(),
                typing,
            };
            if handler(press) {
                event.prevent_default();
            }
        })
    }

    pub fn now() -> DateTime<Utc> {
        let ms = js_sys::Date::now();
        // Milliseconds since 1970 fit an i64 for the next 285,000 years.
        #[allow(clippy::cast_possible_truncation)]
        DateTime::from_timestamp_millis(ms as i64).unwrap_or(DateTime::UNIX_EPOCH)
    }

    /// Minutes east of UTC in the device's time zone at `at` (daylight saving included).
    pub fn utc_offset_minutes(at: DateTime<Utc>) -> i32 {
        #[allow(clippy::cast_precision_loss)]
        let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
        // getTimezoneOffset is minutes *west* of UTC, at most ±14 h.
        #[allow(clippy::cast_possible_truncation)]
        let west = date.get_timezone_offset() as i32;
        -west
    }

    /// The device's IANA time zone ("Europe/London"), or "UTC" if the webview does not say.
    pub fn time_zone_name() -> String {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &JsValue::from_str("timeZone"))
            .ok()
            .and_then(|zone| zone.as_string())
            .filter(|zone| !zone.is_empty())
            .unwrap_or_else(|| "UTC".into())
    }

    /// Puts the keyboard focus on the element with this id, if there is one.
    pub fn focus(id: &str) {
        let element = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.get_element_by_id(id))
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            // Focus is a convenience; a refusal is harmless.
            let _ = element.focus();
        }
    }

    /// A named instant on the page's performance timeline (see `performance.getEntriesByName`).
    pub fn mark(name: &str) {
        if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
            // Only benchmarks read marks; one not set is not worth a message.
            let _ = performance.mark(name);
        }
    }

    pub fn scroll_to_top() {
        if let Some(window) = web_sys::window() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    }

    /// Sets the position of every `[data-layout]` element under `root` from its
    /// `data-layout="top:10%;height:5%;…"` through the CSSOM: the CSP admits no inline style
    /// attributes, and the calendar's grid needs per-booking positions. Only the four box
    /// properties are taken, whatever the attribute holds.
    pub fn apply_layouts(root: &str) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(list) = document.query_selector_all(&format!("{root} [data-layout]")) else {
            return;
        };
        for i in 0..list.length() {
            let Some(element) = list
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            else {
                continue;
            };
            let Some(layout) = element.get_attribute("data-layout") else {
                continue;
            };
            let style = element.style();
            for (property, value) in layout.split(';').filter_map(|p| p.split_once(':')) {
                if matches!(property, "top" | "height" | "left" | "width") {
                    // A refused value leaves the element where CSS put it.
                    let _ = style.set_property(property, value);
                }
            }
        }
    }

    /// Scrolls the first element matching `css` to the top of the view when the window is
    /// phone-narrow (the week opens at today there).
    pub fn scroll_into_view_on_phone(css: &str) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let narrow = window
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .is_some_and(|w| w <= 480.0);
        if let (true, Some(element)) = (
            narrow,
            window
                .document()
                .and_then(|d| d.query_selector(css).ok().flatten()),
        ) {
            element.scroll_into_view();
        }
    }

    /// Calls `handler` on every scroll of the window (passive: it never delays scrolling).
    pub fn on_scroll(handler: impl Fn() + 'static) -> Listener {
        let target = web_sys::window().map(web_sys::EventTarget::from);
        listen(target, "scroll", move |_| handler())
    }

    /// Whether the window is scrolled to within `margin` pixels of the page's end (or the page
    /// is no taller than the window).
    pub fn near_page_end(margin: f64) -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let Some(root) = window.document().and_then(|d| d.document_element()) else {
            return false;
        };
        let scrolled = window.scroll_y().unwrap_or(0.0);
        let height = window
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(0.0);
        f64::from(root.scroll_height()) - (scrolled + height) < margin
    }

    /// Puts `text` on the clipboard (`navigator.clipboard.writeText`); `false` when the webview
    /// offers no clipboard.
    pub fn copy_text(text: &str) -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let get = |target: &JsValue, key: &str| {
            js_sys::Reflect::get(target, &JsValue::from_str(key))
                .ok()
                .filter(|v| !v.is_undefined() && !v.is_null())
        };
        let Some(clipboard) = get(&window, "navigator").and_then(|n| get(&n, "clipboard")) else {
            return false;
        };
        let Some(write) =
            get(&clipboard, "writeText").and_then(|w| w.dyn_into::<js_sys::Function>().ok())
        else {
            return false;
        };
        write.call1(&clipboard, &JsValue::from_str(text)).is_ok()
    }

    /// Runs `f` once after `ms` milliseconds, unless the returned guard is dropped first.
    pub fn after(ms: u32, f: impl FnOnce() + 'static) -> Listener {
        let closure = Closure::once(f);
        let handle = web_sys::window()
            .and_then(|window| {
                window
                    .set_timeout_with_callback_and_timeout_and_arguments_0(
                        closure.as_ref().unchecked_ref(),
                        i32::try_from(ms).unwrap_or(i32::MAX),
                    )
                    .ok()
            })
            .unwrap_or_default();
        Listener {
            target: None,
            event: "timeout",
            closure: None,
            timer: Some((handle, closure)),
        }
    }
}

/// Today's date and the time zone facts screens need, taken once per render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    /// Minutes east of UTC, now.
    pub offset_minutes: i32,
}

impl Clock {
    pub fn read() -> Clock {
        let now = now();
        Clock {
            now,
            offset_minutes: utc_offset_minutes(now),
        }
    }
}
