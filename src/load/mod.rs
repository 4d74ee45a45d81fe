//! Loading: a file's bytes in, a validated [`Architecture`] or every problem
//! in the file out.
//!
//! The YAML is read into a spanned tree (`yaml::tree`) and a
//! hand-written checker walks it, so that one run reports every mistake,
//! each at its line and column.

mod checker;
pub mod config;
pub mod fields;
mod include;

pub use include::{FileSystem, SourceTree};
mod nodes;
pub mod read;
mod references;

use crate::code::Code;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{FileId, Label, LoadError, Pos, Problem, SourceFile, Span};
use crate::model::Architecture;
use crate::yaml::tree;

/// A valid architecture: its model and the text of its files (for reports
/// that point into them).
#[derive(Debug)]
pub struct Loaded {
    /// The validated model.
    pub arch: Architecture,
    /// Every file, the root first, then the included ones in the order they
    /// were read; `Span::file` indexes it.
    pub sources: Vec<Arc<SourceFile>>,
}

impl Loaded {
    /// The root file: the one named on the command line.
    pub fn source(&self) -> &Arc<SourceFile> {
        &self.sources[FileId::ROOT.index()]
    }

    /// The file a place is in.
    pub fn source_of(&self, file: FileId) -> &Arc<SourceFile> {
        self.sources.get(file.index()).unwrap_or(self.source())
    }
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

/// Reads (safely, see [`read::read_file`]: regular files of at most
/// `limit` bytes) and validates the file at `path` with every file it
/// includes (§11).
pub fn load_path(path: &Path, limit: u64) -> Result<Loaded, LoadFailure> {
    let name = path.display().to_string();
    let bytes = read::read_file(path, limit).map_err(|error| LoadFailure::Io {
        path: name.clone(),
        error,
    })?;
    let root = match text_of(&name, bytes) {
        Ok(root) => root,
        Err(e) => return Err(LoadFailure::Invalid(e)),
    };
    load_tree(root, path, &FileSystem { limit })
}

/// Validates the root file (already read from `path`) with every file it
/// includes, read from `tree`: the file system, or a git revision.
pub fn load_tree(
    root: Arc<SourceFile>,
    path: &Path,
    tree: &dyn SourceTree,
) -> Result<Loaded, LoadFailure> {
    let found = include::discover(root, path, tree);
    check_files(found.files, found.problems).map_err(LoadFailure::Invalid)
}

/// Validates a file's bytes; `name` is how diagnostics name the file.
/// Includes are not followed: there is no folder to follow them in.
pub fn load_bytes(name: &str, bytes: Vec<u8>) -> Result<Loaded, LoadError> {
    check_files(vec![text_of(name, bytes)?], Vec::new())
}

/// Validates a file's text (includes are not followed).
pub fn load_str(name: &str, text: impl Into<Arc<str>>) -> Result<Loaded, LoadError> {
    check_files(vec![Arc::new(SourceFile::new(name, text))], Vec::new())
}

/// A file's bytes as text, or the problem that they are not UTF-8.
pub fn text_of(name: &str, bytes: Vec<u8>) -> Result<Arc<SourceFile>, LoadError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Arc::new(SourceFile::new(name, text))),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let before = String::from_utf8_lossy(&bytes[..valid]);
            let at = end_of(&before);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let end = Pos {
                line: at.line,
                col: at.col + 1,
            };
            let problem = Problem::new(
                Code::NotUtf8,
                "the file is not valid UTF-8",
                Label::new(Span::new(at, end), "invalid byte"),
            )
            .with_help("save the file as UTF-8");
            Err(LoadError {
                file: Arc::new(SourceFile::new(name, text)),
                others: Vec::new(),
                problems: vec![problem],
            })
        }
    }
}

/// Checks the files of one architecture as one: each is read as YAML, then
/// the checker walks all of them together.
fn check_files(
    files: Vec<Arc<SourceFile>>,
    mut problems: Vec<Problem>,
) -> Result<Loaded, LoadError> {
    let mut doc = tree::Document::default();
    let mut readable = true;
    for (i, source) in files.iter().enumerate() {
        let file = FileId(i as u32);
        let text = &source.text;
        if let Some(nul) = text.find('\0') {
            let mut at = Span::point(end_of(&text[..nul]));
            at.file = file;
            problems.push(
                Problem::new(
                    Code::NulByte,
                    "the file contains a NUL byte",
                    Label::new(at, "NUL byte"),
                )
                .with_help("this looks like a binary file, not YAML"),
            );
            readable = false;
            continue;
        }
        let roots = doc.roots.len();
        let (read, found) = tree::parse_into(&mut doc, text, file, false);
        problems.extend(found.into_iter().map(|p| p.in_file(file)));
        if !read {
            readable = false;
        } else if doc.roots.len() == roots && i > 0 {
            // An empty included file: the checker sees no root for it.
            let at = Span::point(Pos { line: 1, col: 0 });
            problems.push(nodes::missing_version(Span { file, ..at }));
        }
    }
    if readable {
        let mut checker = checker::Checker::new(&doc);
        let arch = checker.architecture();
        problems.append(&mut checker.problems);
        if problems.is_empty() {
            return Ok(Loaded {
                arch,
                sources: files,
            });
        }
    }
    problems.sort_by_key(|p| p.primary.span);
    let mut files = files.into_iter();
    Err(LoadError {
        file: files
            .next()
            .unwrap_or_else(|| Arc::new(SourceFile::new("", ""))),
        others: files.collect(),
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
