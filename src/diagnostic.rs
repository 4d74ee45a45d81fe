//! Problems found in a file, located by line and column, and their rendering
//! as miette diagnostics.
//!
//! The loader records positions as (line, column in characters) because that is
//! what the YAML parser gives and what a person counts. Byte offsets, which
//! miette needs, are worked out only when a problem is rendered.

use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::code::Code;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};

/// A place in a file: 1-based line, 0-based column counted in characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 0-based column, in characters (Unicode scalar values).
    pub col: u32,
}

/// A stretch of a file, from `start` (inclusive) to `end` (exclusive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First position inside.
    pub start: Pos,
    /// First position after.
    pub end: Pos,
}

impl Span {
    /// The stretch from `start` to `end`.
    pub fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }
    /// An empty stretch at one position.
    pub fn point(at: Pos) -> Self {
        Span { start: at, end: at }
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
}

impl SourceFile {
    /// A file's name and text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            // The parser counts columns after a byte-order mark on line 1.
            if self.text.starts_with('\u{feff}') {
                starts[0] = '\u{feff}'.len_utf8();
            }
            starts.extend(
                self.text
                    .bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            );
            starts
        })
    }

    /// Byte offset of a position, clamped to the text.
    pub fn offset(&self, pos: Pos) -> usize {
        let starts = self.line_starts();
        let line = (pos.line.max(1) as usize - 1).min(starts.len() - 1);
        let start = starts[line];
        let rest = &self.text[start..];
        let mut offset = start;
        for (n, (i, c)) in rest.char_indices().enumerate() {
            if n == pos.col as usize || c == '\n' {
                return start + i;
            }
            offset = start + i + c.len_utf8();
        }
        offset
    }

    /// A span as miette's byte range, cut at the end of its first line.
    pub fn source_span(&self, span: Span) -> SourceSpan {
        let start = self.offset(span.start);
        let end = self.offset(span.end).max(start);
        // A label over a line break reads badly; stop at the end of the first line.
        let end = match self.text[start..end].find(['\r', '\n']) {
            Some(i) => start + i,
            None => end,
        };
        SourceSpan::new(start.into(), end - start)
    }

    /// A problem ready for miette to render against this file.
    pub fn diagnostic(self: &Arc<Self>, problem: &Problem) -> FileDiagnostic {
        let message = &problem.message;
        let help = problem.help.as_deref();
        let labels = (&problem.primary, &problem.secondary[..]);
        self.located(problem.code.name(), message, labels, help)
    }

    /// A message under any code's name (a check rule's too), at labels in this file.
    pub fn located(
        self: &Arc<Self>,
        code: &'static str,
        message: &str,
        (primary, secondary): (&Label, &[Label]),
        help: Option<&str>,
    ) -> FileDiagnostic {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(primary.text.clone()).filter(|t| !t.is_empty()),
            self.source_span(primary.span),
        )];
        labels.extend(secondary.iter().map(|l| {
            LabeledSpan::new_with_span(
                Some(l.text.clone()).filter(|t| !t.is_empty()),
                self.source_span(l.span),
            )
        }));
        FileDiagnostic {
            severity: miette::Severity::Error,
            code,
            message: message.to_string(),
            help: help.map(str::to_string),
            labels,
            source: NamedSource::new(self.name.clone(), Arc::clone(&self.text)),
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
    source: NamedSource<Arc<str>>,
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
}

/// A file that could not be loaded, with every problem found in it.
#[derive(Debug)]
pub struct LoadError {
    /// The file, for the snippets.
    pub file: Arc<SourceFile>,
    /// Every problem, sorted by position.
    pub problems: Vec<Problem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_not_bytes() {
        let file = SourceFile::new("f", "a: 1\n카카오: x\n");
        let pos = Pos { line: 2, col: 5 };
        assert_eq!(&file.text[file.offset(pos)..], "x\n");
    }

    #[test]
    fn offsets_skip_a_byte_order_mark() {
        let file = SourceFile::new("f", "\u{feff}ab: 1\r\nc: 2\r\n");
        assert_eq!(
            &file.text[file.offset(Pos { line: 1, col: 1 })..],
            "b: 1\r\nc: 2\r\n"
        );
        assert_eq!(
            &file.text[file.offset(Pos { line: 2, col: 0 })..],
            "c: 2\r\n"
        );
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let file = SourceFile::new("f", "a");
        assert_eq!(file.offset(Pos { line: 9, col: 9 }), 1);
    }
}
