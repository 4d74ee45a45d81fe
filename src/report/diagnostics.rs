//! Problems in files rendered the way rustc shows errors, through miette.

use std::io::{self, Write};
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use crate::diagnostic::{visible, LoadError, SourceFile};

/// Renders diagnostics at a fixed width so output is the same on every machine.
pub struct DiagnosticWriter {
    handler: GraphicalReportHandler,
    /// At most this many problems of one file are drawn (0: all).
    max_problems: usize,
}

impl DiagnosticWriter {
    /// A writer with or without colour.
    pub fn new(color: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        DiagnosticWriter {
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .with_links(false),
            max_problems: 1000,
        }
    }

    /// Draws at most `max` problems of one file (0: all), then their count.
    pub fn with_max_problems(mut self, max: usize) -> Self {
        self.max_problems = max;
        self
    }

    /// Renders one diagnostic.
    pub fn write(&self, out: &mut dyn Write, diagnostic: &dyn Diagnostic) -> io::Result<()> {
        let mut text = String::new();
        // Rendering into a String cannot fail for lack of space; a fmt error
        // here would be a bug in a label, so show the plain message instead.
        if self.handler.render_report(&mut text, diagnostic).is_err() {
            text = format!("error: {}\n", visible(&diagnostic.to_string()));
        }
        out.write_all(text.as_bytes())
    }

    /// The problems of a file that failed to load (the first
    /// `max_problems`, in order), then a one-line summary. Time is linear in
    /// the problems drawn and the lines they show, not in the file.
    pub fn write_load_error(&self, out: &mut dyn Write, error: &LoadError) -> io::Result<()> {
        let file: &Arc<SourceFile> = &error.file;
        let n = error.problems.len();
        let shown = if self.max_problems == 0 {
            n
        } else {
            n.min(self.max_problems)
        };
        for problem in &error.problems[..shown] {
            self.write(out, &error.diagnostic(problem))?;
            writeln!(out)?;
        }
        let name = visible(&file.name);
        if shown < n {
            writeln!(
                out,
                "note: {} more problems in {name} are not shown (--max-problems 0 shows all)",
                n - shown
            )?;
        }
        writeln!(
            out,
            "error: {name} has {n} problem{}",
            if n == 1 { "" } else { "s" }
        )
    }
}
