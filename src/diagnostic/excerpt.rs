//! The few lines of a file a diagnostic shows, made safe and cheap to print.
//!
//! miette reads snippets through [`SourceCode`]. Given the whole file, it
//! scans from the start for every label (quadratic in the number of
//! diagnostics), panics on a label past column 65,535 (a format width),
//! counts columns in bytes, and echoes whatever bytes the file holds, ESC
//! and BEL included. An [`Excerpt`] is built once per diagnostic from the
//! labels' lines only: long lines are clipped to a window around the
//! labels, control characters are replaced by visible symbols, and line
//! numbers stay those of the file. Building one costs the lines it shows.

use std::borrow::Cow;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::{SourceFile, Span};

/// Lines shown above and below a label (miette's default).
const CONTEXT: usize = 1;
/// Labels at most this many lines apart are shown in one snippet, with the
/// lines between; farther apart, in two.
const MERGE_GAP: usize = 20;
/// A line longer than this (in bytes) is clipped around its labels.
const LONG_LINE: usize = 400;
/// Characters shown before the first label of a clipped line, and in all.
const CLIP_BEFORE: usize = 60;
const CLIP_WIDTH: usize = 240;

/// Text as it may be printed to a terminal or a CI log: control characters
/// (ESC, BEL, carriage returns, line breaks, ...) and bidirectional
/// overrides become visible symbols (`␛`), one character for one, so
/// columns do not move. Tabs are kept.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(shown_as).collect())
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How [`visible`] shows one character.
pub(crate) fn shown_as(c: char) -> char {
    match c {
        // The Unicode "control pictures" block: ␀ ... ␟.
        '\u{0}'..='\u{1f}' if c != '\t' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        c if needs_escape(c) => '\u{fffd}',
        c => c,
    }
}

/// A run of consecutive lines of the file in the excerpt's text.
#[derive(Debug)]
struct Segment {
    /// Byte range in [`Excerpt::text`]; every line ends with `\n`.
    start: usize,
    end: usize,
    /// The file's 0-based line number of its first line.
    first_line: usize,
    /// Per line: what to add to a column of the excerpt to get the file's
    /// (non-zero on a clipped line).
    shifts: Vec<isize>,
}

/// What miette reads for one diagnostic.
#[derive(Debug)]
pub struct Excerpt {
    name: String,
    text: String,
    segments: Vec<Segment>,
}

/// One label's place on its line: 0-based line, columns in characters.
#[derive(Clone, Copy)]
struct Place {
    line: usize,
    start: usize,
    end: usize,
}

impl Excerpt {
    /// The excerpt for labels at `spans`, and each span in its text.
    pub(super) fn new(file: &SourceFile, spans: &[Span]) -> (Excerpt, Vec<SourceSpan>) {
        let lines = file.line_count();
        let places: Vec<Place> = spans.iter().map(|s| place(*s, lines)).collect();
        let mut excerpt = Excerpt {
            name: visible(&file.name).into_owned(),
            text: String::new(),
            segments: Vec::new(),
        };
        let mut located = vec![SourceSpan::from((0, 0)); places.len()];
        // The empty "line" after a final line break is shown only when a
        // label is on it (the end of the file), as miette does.
        let last = if file.text.ends_with('\n') && lines > 1 {
            lines - 2
        } else {
            lines - 1
        };
        for range in ranges(&places, last) {
            excerpt.add_segment(file, range, &places, &mut located);
        }
        (excerpt, located)
    }

    /// Writes lines `first..=last` of the file, clipped and made visible,
    /// and locates the labels on them.
    fn add_segment(
        &mut self,
        file: &SourceFile,
        (first, last): (usize, usize),
        places: &[Place],
        located: &mut [SourceSpan],
    ) {
        let start = self.text.len();
        let mut shifts = Vec::with_capacity(last - first + 1);
        let anchor = places
            .iter()
            .filter(|p| (first..=last).contains(&p.line))
            .map(|p| p.start)
            .min()
            .unwrap_or(0);
        for line in first..=last {
            let raw = file.line_text(line);
            let on_line = || {
                places
                    .iter()
                    .enumerate()
                    .filter(move |(_, p)| p.line == line)
            };
            let from = on_line().map(|(_, p)| p.start).min().unwrap_or(anchor);
            let shown = Shown::of(file, raw, line, from);
            let line_start = self.text.len();
            for (i, p) in on_line() {
                let a = line_start + shown.byte_of(p.start);
                let b = line_start + shown.byte_of(p.end.max(p.start));
                located[i] = SourceSpan::from((a, b - a));
            }
            self.text.push_str(&shown.text);
            self.text.push('\n');
            shifts.push(shown.from as isize - isize::from(shown.prefix));
        }
        self.segments.push(Segment {
            start,
            end: self.text.len(),
            first_line: first,
            shifts,
        });
    }
}

/// Where each label is: its line, and its columns cut at the end of that line.
fn place(span: Span, lines: usize) -> Place {
    let line = (span.start.line.max(1) as usize - 1).min(lines - 1);
    let start = span.start.col as usize;
    let end = if span.end.line == span.start.line {
        span.end.col as usize
    } else {
        usize::MAX
    };
    Place { line, start, end }
}

/// The line ranges to show: each label's line with its context (up to
/// line `last`), merged when close; sorted.
fn ranges(places: &[Place], last: usize) -> Vec<(usize, usize)> {
    let mut wanted: Vec<(usize, usize)> = places
        .iter()
        .map(|p| {
            let first = p.line.saturating_sub(CONTEXT);
            (first, (p.line + CONTEXT).min(last.max(p.line)))
        })
        .collect();
    wanted.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in wanted {
        match merged.last_mut() {
            Some(last) if a <= last.1 + MERGE_GAP + 1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// One line as shown: clipped when long, made visible.
struct Shown {
    text: String,
    /// The first column of the file's line that is shown.
    from: usize,
    /// Whether `…` stands before it.
    prefix: bool,
    /// Columns shown (without the `…` marks).
    width: usize,
}

impl Shown {
    fn of(file: &SourceFile, raw: &str, line: usize, label_col: usize) -> Shown {
        if raw.len() <= LONG_LINE {
            let text = visible(raw).into_owned();
            let width = text.chars().count();
            return Shown {
                text,
                from: 0,
                prefix: false,
                width,
            };
        }
        let from = label_col.saturating_sub(CLIP_BEFORE);
        let a = file.byte_in_line(line, raw, from);
        let b = file.byte_in_line(line, raw, from + CLIP_WIDTH);
        let mut text = String::new();
        let prefix = a > 0;
        if prefix {
            text.push('…');
        }
        let middle = visible(&raw[a..b]);
        let width = middle.chars().count();
        text.push_str(&middle);
        if b < raw.len() {
            text.push('…');
        }
        Shown {
            text,
            from,
            prefix,
            width,
        }
    }

    /// Byte offset in `text` of the file's column `col`, clamped to what is shown.
    fn byte_of(&self, col: usize) -> usize {
        let local = col.saturating_sub(self.from).min(self.width) + usize::from(self.prefix);
        self.text
            .char_indices()
            .nth(local)
            .map_or(self.text.len(), |(i, _)| i)
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (at, end) = (span.offset(), span.offset() + span.len());
        let segment = self
            .segments
            .iter()
            .find(|s| s.start <= at && end <= s.end)
            .ok_or(MietteError::OutOfBounds)?;
        let text = &self.text[segment.start..segment.end];
        let starts: Vec<usize> = std::iter::once(segment.start)
            .chain(text.match_indices('\n').map(|(i, _)| segment.start + i + 1))
            .filter(|&o| o < segment.end)
            .collect();
        let line_of = |offset: usize| starts.partition_point(|&o| o <= offset).saturating_sub(1);
        let first = line_of(at);
        let last = line_of(end.saturating_sub(1).max(at));
        let from = first.saturating_sub(before);
        let to = (last + after).min(starts.len() - 1);
        let (a, b) = (
            starts[from],
            starts.get(to + 1).copied().unwrap_or(segment.end),
        );
        let shown = self.text[starts[first]..at].chars().count() as isize;
        let column = (shown + segment.shifts[first]).max(0) as usize;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[a..b],
            SourceSpan::from((a, b - a)),
            segment.first_line + from,
            column,
            segment.first_line + to,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;

    fn span(line: u32, start: u32, end: u32) -> Span {
        Span::new(Pos { line, col: start }, Pos { line, col: end })
    }

    #[test]
    fn control_characters_become_visible_one_for_one() {
        assert_eq!(visible("a\u{1b}[2Jb\u{7}"), "a␛[2Jb␇");
        assert_eq!(visible("tab\tstays"), "tab\tstays");
        assert_eq!(visible("line\nbreak\r"), "line␊break␍");
        assert_eq!(visible("\u{202e}evil"), "\u{fffd}evil");
        assert!(matches!(visible("plain 카카오"), Cow::Borrowed(_)));
    }

    #[test]
    fn long_lines_are_clipped_around_the_label() {
        let line = format!("{}BAD{}", "x".repeat(70_000), "y".repeat(10_000));
        let file = SourceFile::new("f", format!("a: 1\n{line}\nb: 2\n"));
        let (excerpt, spans) = Excerpt::new(&file, &[span(2, 70_000, 70_003)]);
        assert!(excerpt.text.len() < 1_000, "{}", excerpt.text.len());
        let s = spans[0];
        assert_eq!(&excerpt.text[s.offset()..s.offset() + s.len()], "BAD");
        let contents = excerpt.read_span(&s, 1, 1).unwrap();
        assert_eq!(contents.line(), 0);
        let header = excerpt.read_span(&s, 0, 0).unwrap();
        assert_eq!(header.line(), 1);
        // The file's column, in characters, though the line is clipped.
        assert_eq!(header.column(), 70_000);
    }

    #[test]
    fn far_labels_get_segments_of_their_own() {
        let text: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        let file = SourceFile::new("f", text);
        let (excerpt, spans) = Excerpt::new(&file, &[span(3, 0, 4), span(90, 0, 4)]);
        assert_eq!(excerpt.segments.len(), 2);
        assert_eq!(excerpt.text.lines().count(), 6);
        let far = excerpt.read_span(&spans[1], 1, 1).unwrap();
        assert_eq!(far.line(), 88);
        let both = SourceSpan::from((spans[0].offset(), spans[1].offset() - spans[0].offset()));
        assert!(excerpt.read_span(&both, 1, 1).is_err());
    }
}
