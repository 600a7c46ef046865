//! Presentational components: props in, callbacks out, no shell calls. They render on the host
//! too, which is how their tests run (`yew::ServerRenderer`).

pub mod bulk_bar;
pub mod composer;
pub mod composer_message;
pub mod conflict_dialog;
pub mod contact_actions;
pub mod contact_fields;
pub mod contact_filters;
pub mod contact_head;
pub mod contact_list;
pub mod custom_fields;
pub mod custom_filter;
pub mod dialog;
pub mod field;
pub mod follow_up_plan;
pub mod icons;
pub mod kiosk_start;
pub mod lead_offers;
pub mod listing_activity;
pub mod listing_card;
pub mod listing_fields;
pub mod listing_gallery;
pub mod listing_photo;
pub mod matches;
pub mod nav;
pub mod pickers;
pub mod ready_to_send;
pub mod score;
pub mod search_box;
pub mod settings_account;
pub mod settings_device;
pub mod settings_follow_up;
pub mod settings_invitation;
pub mod settings_locale;
pub mod settings_phone;
pub mod settings_records;
pub mod settings_usage;
pub mod states;
pub mod task_dialog;
pub mod timeline;
pub mod timeline_message;
pub mod topbar;
pub mod undo;

pub use nav::Nav;
pub use topbar::TopBar;
