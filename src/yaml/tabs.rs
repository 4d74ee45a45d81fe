//! Format v1 §1: a tab used for indentation is an error. saphyr refuses a
//! line indented with tabs alone, but accepts spaces then a tab before a
//! block mapping key or sequence item (`   \ttier: high`), and points at the
//! character after the tab. This check finds those lines and points at the
//! tab itself.
//!
//! Cost: one pass over the lines; the tree is walked only when some line
//! has a tab in its indentation.

use crate::code::Code;
use crate::diagnostic::{Label, Pos, Problem, Span};

use super::tree::{Document, NodeIdx, Value};

/// A line whose indentation holds a tab: 1-based line, the tab's column,
/// the column of the first character after the indentation.
#[derive(Clone, Copy)]
struct TabLine {
    line: u32,
    tab: u32,
    content: u32,
}

fn tab_lines(text: &str) -> Vec<TabLine> {
    let mut found = Vec::new();
    // Most files hold no tab at all: one fast scan says so.
    if !text.as_bytes().contains(&b'\t') {
        return found;
    }
    for (i, line) in text.lines().enumerate() {
        let line = if i == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let rest = &line[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if let Some(tab) = line[..indent].find('\t') {
            found.push(TabLine {
                line: i as u32 + 1,
                tab: tab as u32,
                content: indent as u32,
            });
        }
    }
    found
}

/// The first tab in an indentation on line `from` (1-based) or after.
pub(crate) fn first_indent_tab(text: &str, from: u32) -> Option<Pos> {
    tab_lines(text)
        .into_iter()
        .find(|t| t.line >= from)
        .map(|t| Pos {
            line: t.line,
            col: t.tab,
        })
}

/// The problems of tabs used for indentation in block collections.
/// Only the nodes in `nodes`, those of this file, are looked at.
pub(crate) fn tab_problems(
    text: &str,
    doc: &Document<'_>,
    nodes: std::ops::Range<usize>,
) -> Vec<Problem> {
    let lines = tab_lines(text);
    if lines.is_empty() {
        return Vec::new();
    }
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut problems = Vec::new();
    let mut reported = std::collections::HashSet::new();
    for idx in nodes {
        let (value, span) = doc.get(idx as NodeIdx);
        let children: Vec<NodeIdx> = match value {
            Value::Map(entries) => entries.iter().map(|&(k, _)| k).collect(),
            Value::Seq(items) => items.to_vec(),
            Value::Scalar { .. } => continue,
        };
        for child in children {
            let at = doc.get(child).1.start;
            let hit = lines
                .binary_search_by_key(&at.line, |t| t.line)
                .ok()
                .map(|i| lines[i])
                .filter(|t| t.content <= at.col && !reported.contains(&t.line));
            // Children of a flow collection (`{`, `[`) may be separated by tabs.
            let hit = hit.filter(|_| !is_flow(text, &starts, span));
            if let Some(t) = hit {
                reported.insert(t.line);
                let tab = Pos {
                    line: t.line,
                    col: t.tab,
                };
                let end = Pos {
                    line: t.line,
                    col: t.tab + 1,
                };
                problems.push(
                    Problem::new(
                        Code::YamlSyntax,
                        "invalid YAML: a tab in the indentation",
                        Label::new(Span::new(tab, end), "tab"),
                    )
                    .with_help("indent with spaces: YAML does not allow tabs for indentation"),
                );
            }
        }
    }
    problems
}

/// Whether a collection is written in flow style: its first character is
/// `{` or `[`. Looks at one line, up to the collection's column.
fn is_flow(text: &str, starts: &[usize], span: Span) -> bool {
    let Some(&from) = starts.get(span.start.line.saturating_sub(1) as usize) else {
        return false;
    };
    let line = text[from..].split('\n').next().unwrap_or("");
    let line = line.trim_start_matches('\u{feff}');
    matches!(line.chars().nth(span.start.col as usize), Some('{' | '['))
}

#[cfg(test)]
mod tests {
    use crate::yaml::tree::parse;

    fn tab_errors(text: &str) -> Vec<(u32, u32)> {
        parse(text)
            .1
            .iter()
            .filter(|p| p.message.contains("tab"))
            .map(|p| (p.primary.span.start.line, p.primary.span.start.col))
            .collect()
    }

    #[test]
    fn a_tab_after_spaces_in_the_indentation_is_an_error_on_the_tab() {
        assert_eq!(tab_errors("a:\n  b:\n   \tc: 1\n"), [(3, 3)]);
        assert_eq!(tab_errors("a:\n  - x\n \t - y\n"), [(3, 1)]);
    }

    #[test]
    fn tabs_elsewhere_are_not_indentation() {
        assert!(tab_errors("a: {b: 1,\n \tc: 2}\n").is_empty());
        assert!(tab_errors("a: |\n  x\n  \ty\n").is_empty());
        assert!(tab_errors("a: 1 \t# comment\n \t# only a comment\n").is_empty());
    }
}
