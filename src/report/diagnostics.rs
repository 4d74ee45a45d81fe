//! Problems in files rendered the way rustc shows errors, through miette.

use std::io::{self, Write};
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use crate::diagnostic::{LoadError, SourceFile};

/// Renders diagnostics at a fixed width so output is the same on every machine.
pub struct DiagnosticWriter {
    handler: GraphicalReportHandler,
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
        }
    }

    /// Renders one diagnostic.
    pub fn write(&self, out: &mut dyn Write, diagnostic: &dyn Diagnostic) -> io::Result<()> {
        let mut text = String::new();
        // Rendering into a String cannot fail for lack of space; a fmt error
        // here would be a bug in a label, so show the plain message instead.
        if self.handler.render_report(&mut text, diagnostic).is_err() {
            text = format!("error: {diagnostic}\n");
        }
        out.write_all(text.as_bytes())
    }

    /// Every problem of a file that failed to load, then a one-line summary.
    pub fn write_load_error(&self, out: &mut dyn Write, error: &LoadError) -> io::Result<()> {
        let file: &Arc<SourceFile> = &error.file;
        for problem in &error.problems {
            self.write(out, &file.diagnostic(problem))?;
            writeln!(out)?;
        }
        let n = error.problems.len();
        writeln!(
            out,
            "error: {} has {n} problem{}",
            file.name,
            if n == 1 { "" } else { "s" }
        )
    }
}
