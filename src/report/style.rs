//! Colour for terminals: on when the stream is a terminal and `NO_COLOR` is
//! unset, off otherwise, so piped output and tests see plain text.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// Colours and emphasis for a terminal, or none.
pub struct Style {
    /// Whether to write ANSI colour codes.
    pub color: bool,
}

impl Style {
    /// No colour.
    pub const PLAIN: Style = Style { color: false };

    /// Colour when `is_terminal` and the user did not ask for none.
    pub fn detect(is_terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: is_terminal && !no_color,
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Bold text.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
    /// Red text (down).
    pub fn red(self, text: &str) -> String {
        self.paint("1;31", text)
    }
    /// Yellow text (degraded).
    pub fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }
    /// Green text (up).
    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }
    /// Dim text.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}
