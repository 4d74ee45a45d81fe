//! Importing architectures from where teams already describe their systems.
//! Pure: files come in as text, the architecture goes out as text; reading
//! files and following `Location` entities is the command line's job.

mod address;
pub mod backstage;
pub mod catalog;
pub mod kubernetes;
pub mod manifest;
mod yaml_out;

/// What the import made.
#[derive(Debug)]
pub struct Imported {
    /// The architecture file, valid format v1 as written.
    pub text: String,
    /// How many nodes it holds.
    pub nodes: usize,
    /// Nodes that still need a human: no placement, no tier, not in the catalog.
    pub todos: usize,
}
