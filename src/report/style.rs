//! Colour for terminals: on when the stream is a terminal and `NO_COLOR` is
//! unset, off otherwise, so piped output and tests see plain text.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// Colours and emphasis for a terminal, or none.
pub struct Style {
    /// Whether to write ANSI colour codes.
    pub color: bool,
}

/// The code of red text (down), bold.
const RED: &str = "1;31";

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

    /// What `text` writes to `out`, painted as [`Self::paint`] would, for
    /// text not worth building first (one of millions of lines).
    fn write_painted(
        self,
        code: &str,
        out: &mut dyn std::io::Write,
        text: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        if self.color {
            write!(out, "\x1b[{code}m")?;
        }
        text(out)?;
        if self.color {
            out.write_all(b"\x1b[0m")?;
        }
        Ok(())
    }

    /// What `text` writes, in red (down), as [`Self::red`] paints it.
    pub fn write_red(
        self,
        out: &mut dyn std::io::Write,
        text: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.write_painted(RED, out, text)
    }

    /// Bold text.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
    /// Red text (down).
    pub fn red(self, text: &str) -> String {
        self.paint(RED, text)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Written as it goes, red text is the text [`Style::red`] builds,
    /// with colour and without.
    #[test]
    fn red_written_is_red_built() {
        for color in [true, false] {
            let style = Style { color };
            let mut out = Vec::new();
            style
                .write_red(&mut out, |o| o.write_all(b"a + b"))
                .unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), style.red("a + b"));
        }
        assert_eq!(Style { color: true }.red("x"), "\x1b[1;31mx\x1b[0m");
    }
}
