//! The HTTP API against a real listener on port 0 and a real SQLite store in a temp dir.

mod access;
mod ai;
mod auth;
mod calendar;
mod calls;
mod campaign_triggers;
mod campaigns;
mod connections;
mod contact_index;
mod dispatch;
mod follow_up;
mod hostile;
mod intake;
mod lockout;
mod mls;
mod not_mine;
mod open_house;
mod openai;
mod ops;
mod org_ai;
mod org_outreach;
mod outreach;
#[path = "../common/pg.rs"]
mod pg;
mod reassign;
mod reso;
mod routing;
mod routing_claims;
mod sendgrid_api;
mod share_targets;
mod support;
mod sync;
mod tenancy;
mod texts;
mod web_form;
mod weekly;
