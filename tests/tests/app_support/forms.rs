//! Steps several window tests share: filling a picker, adding a contact or a listing, finding a
//! card.

use super::App;

impl App {
    /// Sets a date or time input's value as its picker would, then tells the page.
    pub async fn set_input(&self, css: &str, value: &str) {
        self.wait_for(css).await;
        self.js(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1];
             el.dispatchEvent(new Event('input', {bubbles: true}));
             el.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![css.into(), value.into()],
        )
        .await;
    }

    /// Adds a contact through the new-contact dialog and waits for its screen.
    pub async fn new_contact(&self, given: &str, family: &str, email: &str) {
        self.click("#new-contact-button").await;
        self.wait_for("#new-contact").await;
        self.type_into("#new-contact-given-name", given).await;
        self.type_into("#new-contact-family-name", family).await;
        self.type_into("#new-contact-emails-0-address", email).await;
        self.click("#new-contact-save").await;
        self.until_text("#contact-name", &format!("{given} {family}"))
            .await;
    }

    /// Fills the open listing editor's address and price and saves, waiting for the listing's
    /// screen.
    pub async fn fill_listing(&self, line1: &str, city: &str, country: &str, price: &str) {
        self.type_into("#listing-form-address-line1", line1).await;
        self.type_into("#listing-form-address-city", city).await;
        self.type_into("#listing-form-address-country", country)
            .await;
        self.type_into("#listing-form-price", price).await;
        self.click("#listing-save").await;
        self.wait_for("#listing-price").await;
    }

    /// The contact id of the first card (or row) showing `name`, once the screen shows one (a
    /// screen just navigated to may still be loading).
    pub async fn card_id(&self, name: &str) -> String {
        let find = || async {
            let id = self
                .js(
                    "return Array.from(document.querySelectorAll('[data-contact-id]'))
                       .find(e => e.textContent.includes(arguments[0]))?.dataset.contactId ?? ''",
                    vec![name.into()],
                )
                .await;
            id.as_str().unwrap_or_default().to_owned()
        };
        self.until(&format!("a card for {name}"), || async {
            !find().await.is_empty()
        })
        .await;
        find().await
    }

    /// Drags the pipeline card of `name` to the column of `stage` with the mouse.
    pub async fn drag_to_stage(&self, name: &str, stage: &str) {
        let card = format!(
            ".kanban-card[data-contact-id='{}']",
            self.card_id(name).await
        );
        self.drag(&card, &format!("#column-{stage}")).await;
        self.until_text(&format!("#column-{stage}"), name).await;
    }
}
