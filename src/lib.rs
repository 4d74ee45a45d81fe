//! spof finds the single points of failure in an architecture written as a
//! YAML file (format v1).
//!
//! The layers, in the order data flows through them; each uses only those
//! before it (ARCHITECTURE.md has the invariants):
//! - [`yaml`] reads YAML into a spanned tree, [`diagnostic`] locates
//!   problems, [`code`] and [`rule`] are the registry of what a user sees;
//! - [`load`] turns a file into a validated [`model::Architecture`], or into
//!   every problem in the file;
//! - [`engine`] computes states under failures, single points of failure,
//!   cut sets and availability on an index-based graph;
//! - [`check`] applies the CI rules and a team's settings, as data;
//! - [`report`] is the only part that turns results into text (human,
//!   JSON, SARIF, GitHub, Markdown, DOT, MEF).
//!
//! The command line (`src/cli/`) belongs to the binary, not the library:
//! it parses arguments, reads files and picks a writer.

// The library never prints: results go to the `Write` a caller gives.
#![warn(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

pub mod check;
pub mod code;
pub mod diagnostic;
pub mod engine;
pub mod import;
pub mod load;
pub mod model;
pub mod report;
pub mod rule;
pub mod schema;
pub(crate) mod suggest;
pub mod yaml;
