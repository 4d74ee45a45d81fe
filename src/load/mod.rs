//! Loading: a file's bytes in, a validated [`Architecture`] or every problem
//! in the file out.
//!
//! The YAML is read into a spanned tree (`yaml::tree`) and a
//! hand-written checker walks it, so that one run reports every mistake,
//! each at its line and column.

mod checker;
pub mod fields;
mod nodes;
pub mod read;
mod references;

use crate::code::Code;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Label, LoadError, Pos, Problem, SourceFile, Span};
use crate::model::Architecture;
use crate::yaml::tree;

/// A valid file: its model and its text (for reports that point into it).
#[derive(Debug)]
pub struct Loaded {
    /// The validated model.
    pub arch: Architecture,
    /// The file's text, for reports that point into it.
    pub source: Arc<SourceFile>,
}

/// Why a file gave no model.
#[derive(Debug)]
pub enum LoadFailure {
    /// The file could not be read at all.
    Io {
        /// The path as given.
        path: String,
        /// Why it was not read.
        error: read::ReadError,
    },
    /// The file was read and has problems.
    Invalid(LoadError),
}

/// Reads (safely, see [`read::read_file`]: a regular file of at most
/// `limit` bytes) and validates the file at `path`.
pub fn load_path(path: &Path, limit: u64) -> Result<Loaded, LoadFailure> {
    let name = path.display().to_string();
    let bytes = read::read_file(path, limit).map_err(|error| LoadFailure::Io {
        path: name.clone(),
        error,
    })?;
    load_bytes(&name, bytes).map_err(LoadFailure::Invalid)
}

/// Validates a file's bytes; `name` is how diagnostics name the file.
pub fn load_bytes(name: &str, bytes: Vec<u8>) -> Result<Loaded, LoadError> {
    match String::from_utf8(bytes) {
        Ok(text) => load_str(name, text),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let before = String::from_utf8_lossy(&bytes[..valid]);
            let at = end_of(&before);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let problem = Problem::new(
                Code::NotUtf8,
                "the file is not valid UTF-8",
                Label::new(
                    Span::new(
                        at,
                        Pos {
                            line: at.line,
                            col: at.col + 1,
                        },
                    ),
                    "invalid byte",
                ),
            )
            .with_help("save the file as UTF-8");
            Err(LoadError {
                file: Arc::new(SourceFile::new(name, text)),
                problems: vec![problem],
            })
        }
    }
}

/// Validates a file's text.
pub fn load_str(name: &str, text: impl Into<Arc<str>>) -> Result<Loaded, LoadError> {
    let source = Arc::new(SourceFile::new(name, text));
    let text = &source.text;
    let problems = match text.find('\0') {
        Some(nul) => vec![Problem::new(
            Code::NulByte,
            "the file contains a NUL byte",
            Label::new(Span::point(end_of(&text[..nul])), "NUL byte"),
        )
        .with_help("this looks like a binary file, not YAML")],
        None => match tree::parse(text) {
            (Some(doc), mut problems) => {
                let mut checker = checker::Checker::new(&doc);
                let arch = checker.architecture();
                problems.append(&mut checker.problems);
                if problems.is_empty() {
                    return Ok(Loaded {
                        arch,
                        source: Arc::clone(&source),
                    });
                }
                problems
            }
            (None, problems) => problems,
        },
    };
    let mut problems = problems;
    problems.sort_by_key(|p| p.primary.span);
    Err(LoadError {
        file: source,
        problems,
    })
}

/// The position just after `text`, as the YAML reader counts it.
fn end_of(text: &str) -> Pos {
    let line = text.matches('\n').count() as u32 + 1;
    let last = text.rfind('\n').map_or(text, |i| &text[i + 1..]);
    let col = last.trim_start_matches('\u{feff}').chars().count() as u32;
    Pos { line, col }
}
