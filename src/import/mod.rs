//! Importing architectures from where teams already describe their systems.
//! Pure: files come in as text, the architecture goes out as text; reading
//! files and following `Location` entities is the command line's job.

pub mod backstage;
pub mod catalog;
mod yaml_out;
