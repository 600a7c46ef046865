//! The phone-layout check the window tests run on every screen at 390 × 844: nothing wider
//! than the screen, no target smaller than 44 × 44 px, each offender named.

use super::{App, DESKTOP, PHONE};
use std::time::Duration;

impl App {
    /// At phone size (390 × 844), what breaks the phone layout on the screen as it is: any
    /// element reaching past the right edge (the document must never be wider than the
    /// viewport), and any visible interactive element smaller than 44 × 44 px. A checkbox or
    /// radio is measured by the label around it (what a finger hits); a link inside a sentence
    /// is exempt (WCAG 2.5.8's inline exception). Each offender is named by its tag, id, classes
    /// and text. Leaves the window at phone size.
    pub async fn phone_layout_offenders(&self) -> Vec<String> {
        self.resize(PHONE).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let found = self
            .js(
                r#"
const vw = document.documentElement.clientWidth;
const name = (el) => {
  const cls = [...el.classList].slice(0, 3).map(c => '.' + c).join('');
  const text = (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30);
  return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + (text ? ` "${text}"` : '');
};
const shown = (el) => {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) return false;
  // Inside a closed <details> (a menu, the score's reasons) is not on screen.
  const folded = el.closest('details:not([open])');
  if (folded && !el.closest('summary') && el !== folded) return false;
  const s = getComputedStyle(el);
  return s.visibility !== 'hidden' && s.display !== 'none';
};
const out = [];
if (document.documentElement.scrollWidth > vw + 1) {
  // Name the outermost elements past the edge, so the cause is in the message.
  const past = [...document.querySelectorAll('body *')]
    .filter(el => shown(el) && el.getBoundingClientRect().right > vw + 1
      && !(el.parentElement && el.parentElement.getBoundingClientRect().right > vw + 1))
    .slice(0, 3).map(name).join(', ');
  out.push(`the document is ${document.documentElement.scrollWidth} px wide in a ${vw} px viewport (${past})`);
}
for (const el of document.querySelectorAll('body *')) {
  if (!shown(el)) continue;
  const r = el.getBoundingClientRect();
  // Inside a box that scrolls sideways on purpose (tab strips) is not past the edge.
  let clipped = false;
  for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
  }
  if (!clipped && r.right > vw + 1) out.push(`${name(el)} reaches ${Math.round(r.right)} px`);
}
const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=tab]';
for (let el of document.querySelectorAll(targets)) {
  // Screen-reader-only controls (a file input behind its visible button) are not targets.
  if (!shown(el) || el.disabled || el.closest('.visually-hidden')) continue;
  // A link set inline in running text is exempt; one standing alone is a target like any.
  if (el.matches('a') && getComputedStyle(el).display === 'inline' && el.parentElement
      && el.parentElement.textContent.trim().length > el.textContent.trim().length) continue;
  if (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')) el = el.closest('label');
  const r = el.getBoundingClientRect();
  if (r.width < 43.5 || r.height < 43.5) {
    out.push(`${name(el)} is ${Math.round(r.width)}×${Math.round(r.height)} px`);
  }
}
return [...new Set(out)];
"#,
                vec![],
            )
            .await;
        found
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What breaks the phone layout on this screen (see [`App::phone_layout_offenders`]), each
    /// line naming the screen; back to desktop size after.
    pub async fn phone_layout(&self, screen: &str) -> Vec<String> {
        let offenders = self.phone_layout_offenders().await;
        let slug: String = screen
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        self.screenshot(&format!("layout-{slug}-phone.png")).await;
        self.resize(DESKTOP).await;
        offenders
            .into_iter()
            .map(|o| format!("{screen}: {o}"))
            .collect()
    }

    /// Fails naming every offender when the screen breaks the phone layout.
    pub async fn assert_phone_layout(&self, screen: &str) {
        let offenders = self.phone_layout(screen).await;
        assert!(
            offenders.is_empty(),
            "at 390 × 844:\n  {}",
            offenders.join("\n  ")
        );
    }
}
