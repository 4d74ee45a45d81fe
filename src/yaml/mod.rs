//! Reading YAML with spans: the tree and the core-schema scalar rules.

pub mod json;
pub mod scalar;
pub mod tree;
