//! A YAML document as a compact tree with a span on every node.
//!
//! Built straight from saphyr-parser's event stream. Aliases are kept as
//! references to the anchored node, never copied, and the size they would
//! expand to is bounded, so an alias bomb costs nothing but a diagnostic.
//! Duplicate keys and a second document are refused here, because the event
//! stream is the only place that still sees them.

use crate::code::Code;
use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use crate::diagnostic::{FileId, Label, Pos, Problem, Span};

/// Index of a node in [`Document::nodes`].
pub(crate) type NodeIdx = u32;

/// Aliases may expand a document to at most this many nodes more than it
/// has, or this many times its size, whichever is larger.
const ALIAS_EXPANSION_FLOOR: u64 = 1_000_000;
const ALIAS_EXPANSION_FACTOR: u64 = 10;

/// How a node is stored: children live in the document's shared pools, so a
/// node costs no allocation of its own.
#[derive(Debug)]
enum Stored<'a> {
    Scalar {
        text: Cow<'a, str>,
        plain: bool,
        tag: Option<Box<TagName>>,
    },
    Seq {
        start: u32,
        len: u32,
    },
    Map {
        start: u32,
        len: u32,
    },
    Alias(NodeIdx),
}

/// A node's value as the checker sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'d> {
    Scalar {
        text: &'d str,
        plain: bool,
        /// The tag's suffix for `!!core` tags, the whole tag otherwise.
        tag: Option<&'d TagName>,
    },
    Seq(&'d [NodeIdx]),
    /// Key and value node of each entry, in file order.
    Map(&'d [(NodeIdx, NodeIdx)]),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TagName {
    Core(String),
    Other(String),
}

#[derive(Debug)]
struct Node<'a> {
    stored: Stored<'a>,
    span: Span,
}

#[derive(Debug, Default)]
pub(crate) struct Document<'a> {
    nodes: Vec<Node<'a>>,
    items: Vec<NodeIdx>,
    entries: Vec<(NodeIdx, NodeIdx)>,
    /// The root of the first document.
    pub root: Option<NodeIdx>,
    /// The root of every document, for [`parse_stream`].
    pub roots: Vec<NodeIdx>,
}

impl<'a> Document<'a> {
    /// Marks every span of the tree as being in `file`.
    pub(crate) fn set_file(&mut self, file: FileId) {
        for node in &mut self.nodes {
            node.span.file = file;
        }
    }

    /// Moves `other`'s nodes into this tree, after its own: one tree for
    /// the files of one architecture, whose roots are in [`Document::roots`]
    /// in the order the files were read. O(size of `other`).
    pub(crate) fn append(&mut self, other: Document<'a>) {
        let nodes = self.nodes.len() as NodeIdx;
        let items = self.items.len() as u32;
        let entries = self.entries.len() as u32;
        for mut node in other.nodes {
            node.stored = match node.stored {
                Stored::Seq { start, len } => Stored::Seq {
                    start: start + items,
                    len,
                },
                Stored::Map { start, len } => Stored::Map {
                    start: start + entries,
                    len,
                },
                Stored::Alias(target) => Stored::Alias(target + nodes),
                scalar => scalar,
            };
            self.nodes.push(node);
        }
        self.items
            .extend(other.items.into_iter().map(|i| i + nodes));
        self.entries.extend(
            other
                .entries
                .into_iter()
                .map(|(k, v)| (k + nodes, v + nodes)),
        );
        self.roots
            .extend(other.roots.into_iter().map(|r| r + nodes));
        if self.root.is_none() {
            self.root = self.roots.first().copied();
        }
    }
}

impl Document<'_> {
    /// How many nodes the tree holds.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The node's value, looking through an alias, with the node's own span
    /// (for an alias: where it is used).
    pub(crate) fn get(&self, idx: NodeIdx) -> (Value<'_>, Span) {
        let node = &self.nodes[idx as usize];
        let stored = match node.stored {
            Stored::Alias(target) => &self.nodes[target as usize].stored,
            ref other => other,
        };
        let value = match stored {
            Stored::Scalar { text, plain, tag } => Value::Scalar {
                text,
                plain: *plain,
                tag: tag.as_deref(),
            },
            Stored::Seq { start, len } => {
                Value::Seq(&self.items[*start as usize..(*start + *len) as usize])
            }
            Stored::Map { start, len } => {
                Value::Map(&self.entries[*start as usize..(*start + *len) as usize])
            }
            Stored::Alias(_) => Value::Seq(&[]),
        };
        (value, node.span)
    }

    fn key_text(&self, idx: NodeIdx) -> Option<&str> {
        match self.get(idx).0 {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }
}

fn pos(m: &Marker) -> Pos {
    Pos {
        line: m.line() as u32,
        col: m.col() as u32,
    }
}

/// An open sequence or mapping: where its children start in the builder's
/// stacks.
enum Frame {
    Seq {
        idx: NodeIdx,
        start: usize,
    },
    Map {
        idx: NodeIdx,
        start: usize,
        pending_key: Option<NodeIdx>,
    },
}

/// Parses `text` into a [`Document`] and the problems found on the way.
/// Duplicate keys leave a usable document (the first key counts); syntax
/// errors, a second document and alias bombs leave none.
pub(crate) fn parse(text: &str) -> (Option<Document<'_>>, Vec<Problem>) {
    match parse_inner(text, false) {
        Ok((doc, problems)) => (Some(doc), problems),
        Err(problems) => (None, problems),
    }
}

/// Like [`parse`], but a file may hold several documents (`---`), as
/// Backstage catalog files do; their roots are in [`Document::roots`].
pub(crate) fn parse_stream(text: &str) -> (Option<Document<'_>>, Vec<Problem>) {
    match parse_inner(text, true) {
        Ok((doc, problems)) => (Some(doc), problems),
        Err(problems) => (None, problems),
    }
}

fn parse_inner(text: &str, many: bool) -> Result<(Document<'_>, Vec<Problem>), Vec<Problem>> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    while let Some(event) = parser.next_event() {
        let (event, span) = match event {
            Ok(ok) => ok,
            Err(err) => {
                builder.problems.push(syntax_problem(&err, text));
                return Err(builder.problems);
            }
        };
        let span = Span::new(pos(&span.start), pos(&span.end));
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 && !many {
                    builder.problems.push(
                        Problem::new(
                            Code::SecondDocument,
                            "a file holds exactly one YAML document",
                            Label::new(span, "a second document starts here"),
                        )
                        .with_help("put each architecture in a file of its own"),
                    );
                    return Err(builder.problems);
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| {
                    Box::new(if t.is_yaml_core_schema() {
                        TagName::Core(t.suffix.clone())
                    } else {
                        TagName::Other(format!("{}{}", t.handle, t.suffix))
                    })
                });
                let plain = style == ScalarStyle::Plain;
                let idx = builder.push(Stored::Scalar { text, plain, tag }, span, 1);
                builder.anchor(anchor, idx);
                builder.attach(idx);
            }
            Event::SequenceStart(anchor, _) => {
                let idx = builder.push(Stored::Seq { start: 0, len: 0 }, span, 1);
                builder.anchor(anchor, idx);
                let start = builder.open_items.len();
                builder.stack.push(Frame::Seq { idx, start });
            }
            Event::MappingStart(anchor, _) => {
                let idx = builder.push(Stored::Map { start: 0, len: 0 }, span, 1);
                builder.anchor(anchor, idx);
                let start = builder.open_entries.len();
                builder.stack.push(Frame::Map {
                    idx,
                    start,
                    pending_key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close(span),
            Event::Alias(anchor) => {
                let Some(&target) = builder.anchors.get(&anchor) else {
                    builder.problems.push(Problem::new(
                        Code::YamlSyntax,
                        "alias to an unknown anchor",
                        Label::new(span, "no anchor of this name before here"),
                    ));
                    return Err(builder.problems);
                };
                let size = builder.sizes[target as usize];
                builder.expansion = builder.expansion.saturating_add(size);
                let budget = ALIAS_EXPANSION_FLOOR
                    .max(ALIAS_EXPANSION_FACTOR.saturating_mul(text.len() as u64));
                if builder.expansion > budget {
                    builder.problems.push(
                        Problem::new(
                            Code::AliasBomb,
                            format!("aliases would expand this file past {budget} nodes"),
                            Label::new(span, "expansion passes the limit here"),
                        )
                        .with_help("a file this size needs no such expansion: write the repeated parts out, or use fewer nested aliases"),
                    );
                    return Err(builder.problems);
                }
                let idx = builder.push(Stored::Alias(target), span, size);
                builder.attach(idx);
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    let mut problems = builder.problems;
    problems.extend(super::tabs::tab_problems(text, &builder.doc));
    Ok((builder.doc, problems))
}

#[derive(Default)]
struct Builder<'a> {
    doc: Document<'a>,
    /// Expanded size of each node (aliases count as what they stand for).
    sizes: Vec<u64>,
    stack: Vec<Frame>,
    /// Children of the open sequences and entries of the open mappings,
    /// innermost last; moved into the document's pools when they close.
    open_items: Vec<NodeIdx>,
    open_entries: Vec<(NodeIdx, NodeIdx)>,
    anchors: HashMap<usize, NodeIdx>,
    expansion: u64,
    problems: Vec<Problem>,
}

impl<'a> Builder<'a> {
    fn push(&mut self, stored: Stored<'a>, span: Span, size: u64) -> NodeIdx {
        let idx = self.doc.nodes.len() as NodeIdx;
        self.doc.nodes.push(Node { stored, span });
        self.sizes.push(size);
        idx
    }

    fn anchor(&mut self, anchor: usize, idx: NodeIdx) {
        if anchor != 0 {
            self.anchors.insert(anchor, idx);
        }
    }

    /// Hangs a finished node on its parent.
    fn attach(&mut self, idx: NodeIdx) {
        let size = self.sizes[idx as usize];
        match self.stack.last_mut() {
            None => {
                self.doc.root.get_or_insert(idx);
                self.doc.roots.push(idx);
            }
            Some(Frame::Seq { .. }) => self.open_items.push(idx),
            Some(Frame::Map { pending_key, .. }) => match pending_key.take() {
                Some(key) => self.open_entries.push((key, idx)),
                None => *pending_key = Some(idx),
            },
        }
        if let Some(Frame::Seq { idx: parent, .. } | Frame::Map { idx: parent, .. }) =
            self.stack.last()
        {
            let parent = *parent as usize;
            self.sizes[parent] = self.sizes[parent].saturating_add(size);
        }
    }

    fn close(&mut self, end: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let idx = match frame {
            Frame::Seq { idx, start } => {
                let pool = self.doc.items.len() as u32;
                self.doc.items.extend_from_slice(&self.open_items[start..]);
                self.open_items.truncate(start);
                let len = self.doc.items.len() as u32 - pool;
                self.doc.nodes[idx as usize].stored = Stored::Seq { start: pool, len };
                idx
            }
            Frame::Map { idx, start, .. } => {
                let pool = self.doc.entries.len() as u32;
                self.doc
                    .entries
                    .extend_from_slice(&self.open_entries[start..]);
                self.open_entries.truncate(start);
                let len = self.doc.entries.len() as u32 - pool;
                self.doc.nodes[idx as usize].stored = Stored::Map { start: pool, len };
                self.duplicate_keys(pool as usize, len as usize);
                idx
            }
        };
        let node = &mut self.doc.nodes[idx as usize];
        if end.end > node.span.end {
            node.span.end = end.end;
        }
        // The parent counted this node as 1 when it was pushed; attach adds the rest.
        self.attach(idx);
    }

    /// Reports every key of a mapping that repeats an earlier one. Sorting
    /// keeps this O(n log n) for the large sections of big files.
    fn duplicate_keys(&mut self, start: usize, len: usize) {
        let doc = &self.doc;
        let mut keys: Vec<(&str, usize)> = (start..start + len)
            .filter_map(|i| doc.key_text(doc.entries[i].0).map(|k| (k, i)))
            .collect();
        keys.sort_unstable();
        let mut found = Vec::new();
        for pair in keys.windows(2) {
            if pair[0].0 == pair[1].0 {
                let first = keys
                    .iter()
                    .find(|(k, _)| *k == pair[0].0)
                    .map_or(pair[0].1, |&(_, i)| i);
                found.push((first, pair[1].1));
            }
        }
        found.sort_by_key(|&(_, dup)| dup);
        for (first, dup) in found {
            let (first, dup) = (self.doc.entries[first].0, self.doc.entries[dup].0);
            let name = self.doc.key_text(dup).unwrap_or_default().to_string();
            let problem = Problem::new(
                Code::DuplicateKey,
                format!("duplicate key `{name}`"),
                Label::new(
                    self.doc.nodes[dup as usize].span,
                    "this key is already used",
                ),
            )
            .with_secondary(Label::new(
                self.doc.nodes[first as usize].span,
                "first used here",
            ))
            .with_help("YAML keeps only one of the two values; remove or rename one");
            self.problems.push(problem);
        }
    }
}

fn syntax_problem(err: &ScanError, text: &str) -> Problem {
    let mut at = Pos {
        line: err.marker().line() as u32,
        col: err.marker().col() as u32,
    };
    let info = err.info();
    // saphyr may point past the tab, or at the line before: point at the
    // first tab in an indentation from that line on.
    if info.contains("tab") {
        at = super::tabs::first_indent_tab(text, at.line).unwrap_or(at);
    }
    let help = if info.contains("tab") {
        Some("indent with spaces: YAML does not allow tabs for indentation".to_string())
    } else if info.contains("recursion limit") {
        Some("the file nests deeper than any architecture needs".to_string())
    } else {
        None
    };
    Problem::new(
        Code::YamlSyntax,
        format!("invalid YAML: {info}"),
        Label::new(Span::point(at), "here"),
    )
    .with_help_opt(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<Code> {
        parse(text).1.iter().map(|p| p.code).collect()
    }

    #[test]
    fn duplicate_key_points_at_the_second_one() {
        let (doc, problems) = parse("a: 1\nb: 2\na: 3\n");
        assert!(doc.is_some());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, Code::DuplicateKey);
        assert_eq!(problems[0].primary.span.start, Pos { line: 3, col: 0 });
        assert_eq!(problems[0].secondary[0].span.start, Pos { line: 1, col: 0 });
    }

    #[test]
    fn second_document_is_refused() {
        assert_eq!(codes("a: 1\n---\nb: 2\n"), [Code::SecondDocument]);
    }

    #[test]
    fn billion_laughs_is_refused_quickly() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            text.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert_eq!(codes(&text), [Code::AliasBomb]);
    }

    #[test]
    fn aliases_share_the_anchored_node() {
        let doc = parse("a: &x {k: v}\nb: *x\n").0.unwrap();
        let Value::Map(entries) = doc.get(doc.root.unwrap()).0 else {
            panic!("root is a map")
        };
        let (a, b) = (entries[0].1, entries[1].1);
        assert!(matches!(doc.get(b).0, Value::Map(_)));
        assert_eq!(doc.get(b).1.start, Pos { line: 2, col: 3 });
        assert_ne!(a, b);
    }

    #[test]
    fn deep_nesting_is_a_diagnostic() {
        let text = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(codes(&text), [Code::YamlSyntax]);
    }

    #[test]
    fn tabs_are_a_diagnostic_with_help() {
        let problems = parse("a:\n\tb: 1\n").1;
        assert!(problems[0].help.as_deref().unwrap().contains("spaces"));
    }
}
