//! spof finds the single points of failure in an architecture written as a
//! YAML file (format v1).
//!
//! The pieces, in the order data flows through them:
//! - [`load`] turns a file into a validated [`model::Architecture`], or into
//!   every problem in the file ([`diagnostic`]);
//! - [`engine`] computes states under failures, single points of failure,
//!   cut sets and availability on an index-based graph;
//! - [`report`] formats results (human, JSON, SARIF, GitHub, DOT);
//! The command line (`src/cli/`) is the binary's, not the library's: it
//! parses arguments, reads files and picks a writer.

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
pub mod suggest;
pub mod yaml;
