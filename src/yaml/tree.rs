//! A YAML document as a compact tree with a span on every node.
//!
//! Built straight from saphyr-parser's event stream. Aliases are kept as
//! references to the anchored node, never copied, and the size they would
//! expand to is bounded, so an alias bomb costs nothing but a diagnostic.
//! Duplicate keys and a second document are refused here, because the event
//! stream is the only place that still sees them.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use crate::diagnostic::{Label, Pos, Problem, Span};

/// Index of a node in [`Document::nodes`].
pub type NodeIdx = u32;

/// Aliases may expand a document to at most this many nodes more than it
/// has, or this many times its size, whichever is larger.
const ALIAS_EXPANSION_FLOOR: u64 = 1_000_000;
const ALIAS_EXPANSION_FACTOR: u64 = 10;

#[derive(Debug)]
pub enum Value<'a> {
    Scalar {
        text: Cow<'a, str>,
        plain: bool,
        /// The tag's suffix for `!!core` tags, the whole tag otherwise.
        tag: Option<TagName>,
    },
    Seq(Vec<NodeIdx>),
    /// Key and value node of each entry, in file order.
    Map(Vec<(NodeIdx, NodeIdx)>),
    /// A use of an anchor (`*name`): the anchored node.
    Alias(NodeIdx),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagName {
    Core(String),
    Other(String),
}

#[derive(Debug)]
pub struct Node<'a> {
    pub value: Value<'a>,
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct Document<'a> {
    pub nodes: Vec<Node<'a>>,
    pub root: Option<NodeIdx>,
}

impl<'a> Document<'a> {
    /// The node's value, looking through an alias, with the node's own span
    /// (for an alias: where it is used).
    pub fn get(&self, idx: NodeIdx) -> (&Value<'a>, Span) {
        let node = &self.nodes[idx as usize];
        match node.value {
            Value::Alias(target) => (&self.nodes[target as usize].value, node.span),
            _ => (&node.value, node.span),
        }
    }
}

fn pos(m: &Marker) -> Pos {
    Pos {
        line: m.line() as u32,
        col: m.col() as u32,
    }
}

enum Frame {
    Seq {
        idx: NodeIdx,
        items: Vec<NodeIdx>,
    },
    Map {
        idx: NodeIdx,
        entries: Vec<(NodeIdx, NodeIdx)>,
        pending_key: Option<NodeIdx>,
        seen: HashMap<String, NodeIdx>,
    },
}

/// Parses `text` into a [`Document`] and the problems found on the way.
/// Duplicate keys leave a usable document (the first key counts); syntax
/// errors, a second document and alias bombs leave none.
pub fn parse(text: &str) -> (Option<Document<'_>>, Vec<Problem>) {
    match parse_inner(text) {
        Ok((doc, problems)) => (Some(doc), problems),
        Err(problems) => (None, problems),
    }
}

fn parse_inner(text: &str) -> Result<(Document<'_>, Vec<Problem>), Vec<Problem>> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    while let Some(event) = parser.next_event() {
        let (event, span) = match event {
            Ok(ok) => ok,
            Err(err) => {
                builder.problems.push(syntax_problem(&err));
                return Err(builder.problems);
            }
        };
        let span = Span::new(pos(&span.start), pos(&span.end));
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    builder.problems.push(
                        Problem::new(
                            "spof::second-document",
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
                    if t.is_yaml_core_schema() {
                        TagName::Core(t.suffix.clone())
                    } else {
                        TagName::Other(format!("{}{}", t.handle, t.suffix))
                    }
                });
                let plain = style == ScalarStyle::Plain;
                let idx = builder.push(Value::Scalar { text, plain, tag }, span, 1);
                builder.anchor(anchor, idx);
                builder.attach(idx);
            }
            Event::SequenceStart(anchor, _) => {
                let idx = builder.push(Value::Seq(Vec::new()), span, 1);
                builder.anchor(anchor, idx);
                builder.stack.push(Frame::Seq {
                    idx,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                let idx = builder.push(Value::Map(Vec::new()), span, 1);
                builder.anchor(anchor, idx);
                builder.stack.push(Frame::Map {
                    idx,
                    entries: Vec::new(),
                    pending_key: None,
                    seen: HashMap::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close(span),
            Event::Alias(anchor) => {
                let Some(&target) = builder.anchors.get(&anchor) else {
                    builder.problems.push(Problem::new(
                        "spof::yaml-syntax",
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
                            "spof::alias-bomb",
                            format!("aliases would expand this file past {budget} nodes"),
                            Label::new(span, "expansion passes the limit here"),
                        )
                        .with_help("a file this size needs no such expansion: write the repeated parts out, or use fewer nested aliases"),
                    );
                    return Err(builder.problems);
                }
                let idx = builder.push(Value::Alias(target), span, size);
                builder.attach(idx);
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    Ok((builder.doc, builder.problems))
}

#[derive(Default)]
struct Builder<'a> {
    doc: Document<'a>,
    /// Expanded size of each node (aliases count as what they stand for).
    sizes: Vec<u64>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, NodeIdx>,
    expansion: u64,
    problems: Vec<Problem>,
}

impl<'a> Builder<'a> {
    fn push(&mut self, value: Value<'a>, span: Span, size: u64) -> NodeIdx {
        let idx = self.doc.nodes.len() as NodeIdx;
        self.doc.nodes.push(Node { value, span });
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
        let duplicate = match self.stack.last_mut() {
            None => {
                self.doc.root = Some(idx);
                None
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(idx);
                None
            }
            Some(Frame::Map {
                entries,
                pending_key,
                seen,
                ..
            }) => match pending_key.take() {
                Some(key) => {
                    entries.push((key, idx));
                    None
                }
                None => {
                    *pending_key = Some(idx);
                    key_text(&self.doc, idx)
                        .and_then(|text| seen.insert(text, idx).map(|first| (first, idx)))
                }
            },
        };
        if let Some(Frame::Seq { idx: parent, .. } | Frame::Map { idx: parent, .. }) =
            self.stack.last()
        {
            let parent = *parent as usize;
            self.sizes[parent] = self.sizes[parent].saturating_add(size);
        }
        if let Some((first, dup)) = duplicate {
            let name = key_text(&self.doc, dup).unwrap_or_default();
            self.problems.push(
                Problem::new(
                    "spof::duplicate-key",
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
                .with_help("YAML keeps only one of the two values; remove or rename one"),
            );
        }
    }

    fn close(&mut self, end: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let idx = match frame {
            Frame::Seq { idx, items } => {
                self.doc.nodes[idx as usize].value = Value::Seq(items);
                idx
            }
            Frame::Map { idx, entries, .. } => {
                self.doc.nodes[idx as usize].value = Value::Map(entries);
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
}

fn key_text(doc: &Document<'_>, idx: NodeIdx) -> Option<String> {
    match doc.get(idx).0 {
        Value::Scalar { text, .. } => Some(text.to_string()),
        _ => None,
    }
}

fn syntax_problem(err: &ScanError) -> Problem {
    let at = Pos {
        line: err.marker().line() as u32,
        col: err.marker().col() as u32,
    };
    let info = err.info();
    let help = if info.contains("tab") {
        Some("indent with spaces: YAML does not allow tabs for indentation".to_string())
    } else if info.contains("recursion limit") {
        Some("the file nests deeper than any architecture needs".to_string())
    } else {
        None
    };
    Problem::new(
        "spof::yaml-syntax",
        format!("invalid YAML: {info}"),
        Label::new(Span::point(at), "here"),
    )
    .with_help_opt(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        parse(text).1.iter().map(|p| p.code).collect()
    }

    #[test]
    fn duplicate_key_points_at_the_second_one() {
        let (doc, problems) = parse("a: 1\nb: 2\na: 3\n");
        assert!(doc.is_some());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, "spof::duplicate-key");
        assert_eq!(problems[0].primary.span.start, Pos { line: 3, col: 0 });
        assert_eq!(problems[0].secondary[0].span.start, Pos { line: 1, col: 0 });
    }

    #[test]
    fn second_document_is_refused() {
        assert_eq!(codes("a: 1\n---\nb: 2\n"), ["spof::second-document"]);
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
        assert_eq!(codes(&text), ["spof::alias-bomb"]);
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
        assert_eq!(codes(&text), ["spof::yaml-syntax"]);
    }

    #[test]
    fn tabs_are_a_diagnostic_with_help() {
        let problems = parse("a:\n\tb: 1\n").1;
        assert!(problems[0].help.as_deref().unwrap().contains("spaces"));
    }
}
