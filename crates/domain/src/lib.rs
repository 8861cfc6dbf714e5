//! Records, events and rules of Azukari.
//!
//! Pure: this crate knows no SQL, no files, no clock and no UI. Callers pass `now`, so every
//! rule can be tested at any instant. Everything that changes state is an [`Event`]; the store
//! applies events and journals them, and replaying the journal rebuilds the state.

pub mod event;
pub mod ids;
pub mod import;
pub mod journal;
pub mod permission;
pub mod record;
pub mod rules;
pub mod time;
pub mod view;

pub use event::Event;
pub use ids::*;
pub use permission::{ReadScope, Role, UseCase};
pub use record::*;
pub use rules::Refusal;
pub use time::Instant;
