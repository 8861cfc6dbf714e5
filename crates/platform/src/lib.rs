//! What differs between Linux and Windows, in one place: which folders a store may not live in,
//! where Azukari keeps its files, how text reaches a console, the user's language, and how a
//! windowed app tells of an error it cannot show in its window.
//!
//! Each decision is a pure function over Windows- or Linux-shaped input, tested on every
//! platform; the few calls into the operating system that feed them are behind `cfg`, and the
//! Windows API calls are in `windows.rs`, the only module of the workspace with `unsafe`.

pub mod console;
pub mod dialog;
pub mod folders;
pub mod locale;
pub mod priority;
pub mod share;

#[cfg(windows)]
mod windows;
