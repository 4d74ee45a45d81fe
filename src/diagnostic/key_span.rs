//! Where a node's id is written, in 16 bytes rather than a [`Span`]'s 20.

use super::{FileId, Pos, Span};

/// A [`Span`] that is on one line, as a node's id nearly always is: an
/// implicit YAML key cannot span lines. Every node holds one, and 4 bytes
/// less brought a node from 100 bytes of fields to 96, hence 8 bytes less
/// with alignment (issue #18: a terse file's model within 3x of the file).
///
/// A span over several lines (an explicit `? ` key) keeps its end line and
/// ends at that line's start: its label still starts at the id and covers
/// every line of it but the last.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeySpan {
    /// Which file.
    pub file: FileId,
    start: Pos,
    /// The end's column on the start's line, or [`OTHER_LINE`] with the
    /// end's line.
    end: u32,
}

/// The flag of [`KeySpan::end`] for an end on another line.
const OTHER_LINE: u32 = 1 << 31;

impl KeySpan {
    /// The span as a [`Span`].
    pub fn span(self) -> Span {
        let end = if self.end & OTHER_LINE == 0 {
            Pos {
                line: self.start.line,
                col: self.end,
            }
        } else {
            Pos {
                line: self.end & !OTHER_LINE,
                col: 0,
            }
        };
        Span {
            file: self.file,
            start: self.start,
            end,
        }
    }
}

impl From<Span> for KeySpan {
    fn from(span: Span) -> Self {
        let end = if span.end.line == span.start.line && span.end.col < OTHER_LINE {
            span.end.col
        } else {
            OTHER_LINE | span.end.line.min(OTHER_LINE - 1)
        };
        KeySpan {
            file: span.file,
            start: span.start,
            end,
        }
    }
}

/// In the order of their [`Span`]s.
impl Ord for KeySpan {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.span().cmp(&other.span())
    }
}

impl PartialOrd for KeySpan {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(file: u32, (l0, c0): (u32, u32), (l1, c1): (u32, u32)) -> Span {
        Span {
            file: FileId(file),
            start: Pos { line: l0, col: c0 },
            end: Pos { line: l1, col: c1 },
        }
    }

    #[test]
    fn a_span_on_one_line_is_kept_whole() {
        for s in [
            span(0, (1, 0), (1, 0)),
            span(3, (7, 2), (7, 9)),
            span(
                u32::MAX,
                (u32::MAX, OTHER_LINE - 2),
                (u32::MAX, OTHER_LINE - 1),
            ),
        ] {
            assert_eq!(KeySpan::from(s).span(), s);
        }
        assert_eq!(std::mem::size_of::<KeySpan>(), 16);
    }

    #[test]
    fn a_span_over_lines_ends_at_its_last_lines_start() {
        let s = span(1, (4, 6), (6, 3));
        assert_eq!(KeySpan::from(s).span(), span(1, (4, 6), (6, 0)));
        // A column past what the flag leaves is taken as another line.
        let wide = span(0, (2, 0), (2, OTHER_LINE));
        assert_eq!(KeySpan::from(wide).span(), span(0, (2, 0), (2, 0)));
    }

    #[test]
    fn key_spans_sort_as_their_spans() {
        let spans = [
            span(0, (2, 5), (2, 9)),
            span(0, (2, 5), (3, 1)),
            span(0, (1, 9), (1, 12)),
            span(1, (1, 0), (1, 1)),
        ];
        let mut by_span = spans;
        by_span.sort();
        let mut by_key = spans.map(KeySpan::from);
        by_key.sort();
        assert_eq!(
            by_key.map(KeySpan::span),
            by_span.map(|s| KeySpan::from(s).span())
        );
    }
}
