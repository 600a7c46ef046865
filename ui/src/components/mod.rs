//! Presentational components: props in, callbacks out, no shell calls. They render on the host
//! too, which is how their tests run (`yew::ServerRenderer`).

pub mod header;
pub mod lead_form;
pub mod lead_list;

pub use header::Header;
pub use lead_form::{FormRefs, LeadForm};
pub use lead_list::LeadList;
