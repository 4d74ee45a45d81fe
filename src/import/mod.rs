//! Importing architectures from where teams already describe their systems.
//! Pure: files come in as text, the architecture goes out as text; reading
//! files and following `Location` entities is the command line's job.

mod address;
pub mod backstage;
pub mod catalog;
pub mod kubernetes;
pub mod manifest;
mod yaml_out;

use std::sync::Arc;

use crate::diagnostic::{LoadError, SourceFile, Span};
use crate::yaml::{json::to_json, tree};

/// One YAML document of an input file, where it starts, and its value as
/// JSON (`None`: nested too deeply to convert). Empty documents (after a
/// trailing `---`) are left out.
type Document = (Span, Option<serde_json::Value>);

/// The documents of a catalog or manifest file. A file that is not YAML is
/// an error with every problem found.
fn documents(name: &str, text: &str) -> Result<(Vec<Document>, Arc<SourceFile>), LoadError> {
    let source = Arc::new(SourceFile::new(name, text));
    let (doc, problems) = tree::parse_stream(text);
    let doc = match doc {
        Some(doc) if problems.is_empty() => doc,
        _ => {
            return Err(LoadError {
                file: source,
                others: Vec::new(),
                problems,
            })
        }
    };
    let documents = doc
        .roots
        .iter()
        .map(|&root| (doc.get(root).1, to_json(&doc, root)))
        .filter(|(_, value)| !value.as_ref().is_some_and(serde_json::Value::is_null))
        .collect();
    Ok((documents, source))
}

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
