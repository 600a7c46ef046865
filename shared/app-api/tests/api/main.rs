//! The app API tested directly (no window, no IPC) against real SQLite files in temp dirs, a
//! real sync server process, and the real OS credential store in a private D-Bus session.

mod accounts;
mod ai;
mod broker_today;
mod calendar;
mod calls;
mod custom_fields;
mod follow_ups;
mod known_device;
mod listings;
mod local;
mod media;
mod merge;
mod messages;
mod open_house;
mod os;
mod preferences;
mod preview;
mod sharing;
mod support;
mod table;
mod usage;
mod viewer;
