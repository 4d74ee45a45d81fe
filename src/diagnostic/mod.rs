//! Problems found in a file, located by line and column, and their rendering
//! as miette diagnostics.
//!
//! The loader records positions as (line, column in characters) because that is
//! what the YAML parser gives and what a person counts. Byte offsets, which
//! miette needs, are worked out only when a problem is rendered.

use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::code::Code;
use std::collections::HashMap;
use std::sync::Mutex;

use miette::{Diagnostic, LabeledSpan};

mod excerpt;
mod key_span;

pub(crate) use excerpt::shown_as;
pub use excerpt::{visible, Excerpt};
pub use key_span::KeySpan;

/// A place in a file: 1-based line, 0-based column counted in characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 0-based column, in characters (Unicode scalar values).
    pub col: u32,
}

/// Which file of an architecture a place is in: the index into the
/// architecture's sources (the root first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

impl FileId {
    /// The file named on the command line.
    pub const ROOT: FileId = FileId(0);

    /// The index into the sources.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A stretch of a file, from `start` (inclusive) to `end` (exclusive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Which file of the architecture: 0 for the root, then the included
    /// files in the order they were read (see `load::Loaded::sources`).
    pub file: FileId,
    /// First position inside.
    pub start: Pos,
    /// First position after.
    pub end: Pos,
}

impl Span {
    /// The stretch from `start` to `end`.
    pub fn new(start: Pos, end: Pos) -> Self {
        Span {
            file: FileId::ROOT,
            start,
            end,
        }
    }
    /// An empty stretch at one position.
    pub fn point(at: Pos) -> Self {
        Span {
            file: FileId::ROOT,
            start: at,
            end: at,
        }
    }
}

/// A label under a stretch of source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it says (may be empty).
    pub text: String,
}

impl Label {
    /// A label with its text.
    pub fn new(span: Span, text: impl Into<String>) -> Self {
        Label {
            span,
            text: text.into(),
        }
    }
}

/// One problem in one file. `code` is stable (documented in the README) so
/// that scripts and tests may rely on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The registry code (`spof::duplicate-id`).
    pub code: Code,
    /// The one-line message.
    pub message: String,
    /// The label on the culprit.
    pub primary: Label,
    /// Labels on related places (the first declaration of a duplicate, ...).
    pub secondary: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Problem {
    /// A problem with its code, message and primary label.
    pub fn new(code: Code, message: impl Into<String>, primary: Label) -> Self {
        Problem {
            code,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
        }
    }
    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// Sets or clears the help line.
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
    /// The same problem, every label in `file` (for a problem found by
    /// reading one file of several).
    pub fn in_file(mut self, file: FileId) -> Self {
        self.primary.span.file = file;
        for label in &mut self.secondary {
            label.span.file = file;
        }
        self
    }

    /// Adds a label on a related place.
    pub fn with_secondary(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }
}

/// The text of a file with its name, and the line table used to turn
/// (line, column) into byte offsets.
#[derive(Debug)]
pub struct SourceFile {
    /// How diagnostics name the file.
    pub name: String,
    /// The whole text.
    pub text: Arc<str>,
    line_starts: OnceLock<Vec<usize>>,
    /// For long lines: the byte offset of every 1,024th character.
    checkpoints: Mutex<HashMap<usize, Vec<usize>>>,
}

impl SourceFile {
    /// A file's name and text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
            checkpoints: Mutex::new(HashMap::new()),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            // The parser counts columns after a byte-order mark on line 1.
            if self.text.starts_with('\u{feff}') {
                starts[0] = '\u{feff}'.len_utf8();
            }
            // A line ends at LF, CRLF or a lone CR, as YAML's line breaks
            // do (YAML 1.2 §5.4): the parser's lines are these.
            let bytes = self.text.as_bytes();
            starts.extend((bytes.iter().enumerate()).filter_map(|(i, &b)| {
                let lone_cr = b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
                (b == b'\n' || lone_cr).then_some(i + 1)
            }));
            starts
        })
    }

    /// How many lines the file has (a final line break starts an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// Line `line` (0-based) without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let starts = self.line_starts();
        let start = starts[line];
        let end = starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let text = &self.text[start..end.max(start)];
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// The byte offset in `text` (line `line`'s text) of character column
    /// `col`, clamped to the line. A long line gets an index of every 1,024th
    /// character the first time, so that many diagnostics on one line of a
    /// minified file cost no more than the line.
    pub fn byte_in_line(&self, line: usize, text: &str, col: usize) -> usize {
        const STEP: usize = 1024;
        if text.len() <= STEP {
            return text.char_indices().nth(col).map_or(text.len(), |(i, _)| i);
        }
        let mut cache = match self.checkpoints.lock() {
            Ok(cache) => cache,
            Err(poisoned) => poisoned.into_inner(),
        };
        let marks = cache
            .entry(line)
            .or_insert_with(|| text.char_indices().step_by(STEP).map(|(i, _)| i).collect());
        let Some(&from) = marks.get(col / STEP) else {
            return text.len();
        };
        text[from..]
            .char_indices()
            .nth(col % STEP)
            .map_or(text.len(), |(i, _)| from + i)
    }

    /// A problem ready for miette to render against this file.
    pub fn diagnostic(&self, problem: &Problem) -> FileDiagnostic {
        let message = &problem.message;
        let help = problem.help.as_deref();
        let labels = (&problem.primary, &problem.secondary[..]);
        self.located(problem.code.name(), message, labels, help)
    }

    /// A message under any code's name (a check rule's too), at labels in
    /// this file. Every text a file controls is made [`visible`], and the
    /// snippet is an [`Excerpt`]: only the lines shown, clipped when long.
    pub fn located(
        &self,
        code: &'static str,
        message: &str,
        (primary, secondary): (&Label, &[Label]),
        help: Option<&str>,
    ) -> FileDiagnostic {
        let spans: Vec<Span> = std::iter::once(primary)
            .chain(secondary)
            .map(|l| l.span)
            .collect();
        let (source, located) = Excerpt::new(self, &spans);
        let text = |l: &Label| Some(visible(&l.text).into_owned()).filter(|t| !t.is_empty());
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            text(primary),
            located[0],
        )];
        labels.extend(
            secondary
                .iter()
                .zip(&located[1..])
                .map(|(l, &at)| LabeledSpan::new_with_span(text(l), at)),
        );
        FileDiagnostic {
            severity: miette::Severity::Error,
            code,
            message: visible(message).into_owned(),
            help: help.map(|h| visible(h).into_owned()),
            labels,
            source,
            related: Vec::new(),
        }
    }
}

/// A [`Problem`] bound to its file, as miette wants it.
#[derive(Debug)]
pub struct FileDiagnostic {
    severity: miette::Severity,
    code: &'static str,
    message: String,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    source: Excerpt,
    /// Notes with their own snippets (in other files).
    related: Vec<FileDiagnostic>,
}

impl FileDiagnostic {
    /// Shows the diagnostic as an error or a warning.
    pub fn with_severity(mut self, severity: miette::Severity) -> Self {
        self.severity = severity;
        self
    }
}

impl fmt::Display for FileDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FileDiagnostic {}

impl Diagnostic for FileDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
    }
}

/// A file that could not be loaded, with every problem found in it.
#[derive(Debug)]
pub struct LoadError {
    /// The root file, for the snippets.
    pub file: Arc<SourceFile>,
    /// The files it includes, in the order they were read (`FileId(1)` on).
    pub others: Vec<Arc<SourceFile>>,
    /// Every problem, sorted by position.
    pub problems: Vec<Problem>,
}

impl LoadError {
    /// The file a place is in.
    pub fn file_of(&self, file: FileId) -> &Arc<SourceFile> {
        match file.index() {
            0 => &self.file,
            i => self.others.get(i - 1).unwrap_or(&self.file),
        }
    }

    /// A problem ready to render: its snippet in the file of its primary
    /// label; labels in other files (the first declaration of an id in
    /// another file) are shown as related notes, each with its own file.
    pub fn diagnostic(&self, problem: &Problem) -> FileDiagnostic {
        let home = problem.primary.span.file;
        let (here, elsewhere): (Vec<Label>, Vec<Label>) = problem
            .secondary
            .iter()
            .cloned()
            .partition(|l| l.span.file == home);
        let mut main = self.file_of(home).located(
            problem.code.name(),
            &problem.message,
            (&problem.primary, &here),
            problem.help.as_deref(),
        );
        main.related = elsewhere
            .iter()
            .map(|l| {
                let mut note =
                    self.file_of(l.span.file)
                        .located(problem.code.name(), &l.text, (l, &[]), None);
                note.severity = miette::Severity::Advice;
                note
            })
            .collect();
        main
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_without_their_breaks() {
        let file = SourceFile::new("f", "\u{feff}ab: 1\r\nc: 2\r\n");
        assert_eq!(file.line_count(), 3);
        assert_eq!(file.line_text(0), "ab: 1");
        assert_eq!(file.line_text(1), "c: 2");
        assert_eq!(file.line_text(2), "");
    }

    /// A lone CR ends a line, as in YAML: the parser's line numbers must
    /// find the line they mean.
    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let file = SourceFile::new("f", "a: 1\rb: 2\r\nc: 3\n");
        assert_eq!(file.line_count(), 4);
        assert_eq!(file.line_text(0), "a: 1");
        assert_eq!(file.line_text(1), "b: 2");
        assert_eq!(file.line_text(2), "c: 3");
        assert_eq!(file.line_text(3), "");
    }

    #[test]
    fn columns_count_characters_on_long_lines_too() {
        let long = format!("{}카카오{}", "x".repeat(5000), "y".repeat(5000));
        let file = SourceFile::new("f", format!("a: 1\n{long}\n"));
        let line = file.line_text(1);
        let at = file.byte_in_line(1, line, 5001);
        assert_eq!(&line[at..at + 6], "카오");
        assert_eq!(file.byte_in_line(1, line, 999_999), line.len());
        let short = SourceFile::new("f", "카카오: x\n");
        assert_eq!(
            short.byte_in_line(0, short.line_text(0), 5),
            "카카오: ".len()
        );
    }
}
