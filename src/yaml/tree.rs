//! A YAML document as a compact tree with a span on every node.
//!
//! Built straight from saphyr-parser's event stream. A node is 32 bytes and
//! owns no allocation: a scalar whose value is written as-is in the file is
//! kept as a slice of the file's text (saphyr hands every plain scalar over
//! as a fresh `String`, which the builder drops), and only scalars with
//! escapes or folded lines keep text of their own. The files of one
//! architecture are read into one tree, each after the other, so no tree is
//! ever copied. Aliases are kept as references to the anchored node, never
//! copied, and the size they would expand to is bounded, so an alias bomb
//! costs nothing but a diagnostic. Duplicate keys and a second document are
//! refused here, because the event stream is the only place that still sees
//! them.

use crate::code::Code;
use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{BufferedInput, Event, Input, Marker, Parser, ScalarStyle, ScanError};

use super::subset;
use crate::diagnostic::{FileId, Label, Pos, Problem, Span};

/// Index of a node in [`Document::nodes`].
pub(crate) type NodeIdx = u32;

/// The most nodes a tree read by [`parse_chars`] holds before it stops:
/// the top level of a file and one entry at a time are far fewer.
pub(crate) const LEAN_TREE_NODES: usize = 100_000;

/// Aliases may expand a document to at most this many nodes more than it
/// has, or this many times its size, whichever is larger.
const ALIAS_EXPANSION_FLOOR: u64 = 1_000_000;
const ALIAS_EXPANSION_FACTOR: u64 = 10;

/// How a node is stored: children live in the document's shared pools and
/// scalar text in the file (or the pool of owned text), so a node costs no
/// allocation of its own.
#[derive(Debug, Clone, Copy)]
enum Stored {
    Scalar {
        /// Byte offset in the file's text, or index in `owned`.
        at: u32,
        /// Length in bytes (unused when `owned`).
        len: u32,
        plain: bool,
        owned: bool,
        tagged: bool,
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
struct Node {
    stored: Stored,
    span: Span,
}

#[derive(Debug, Default)]
pub(crate) struct Document<'a> {
    nodes: Vec<Node>,
    items: Vec<NodeIdx>,
    entries: Vec<(NodeIdx, NodeIdx)>,
    /// The text of each file, by [`FileId`]: borrowed scalars are slices of
    /// it.
    sources: Vec<&'a str>,
    /// The text of scalars that are not written as-is in their file (or
    /// of every scalar of a file read as characters), one after the other:
    /// one string, not one allocation per scalar, as a streamed entry may
    /// hold millions of scalars.
    owned_text: String,
    /// Where each owned scalar starts in `owned_text` (it ends where the
    /// next starts).
    owned: Vec<usize>,
    /// The tags of tagged nodes, in node order (tags are rare).
    tags: Vec<(NodeIdx, TagName)>,
    /// The root of the first document.
    pub root: Option<NodeIdx>,
    /// The root of every document, in the order the files were read.
    pub roots: Vec<NodeIdx>,
}

impl Document<'_> {
    /// How many nodes the tree holds.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The node's own span (for an alias: where it is used), as
    /// [`Document::get`] gives it, without reading the value.
    pub(crate) fn span(&self, idx: NodeIdx) -> Span {
        self.nodes[idx as usize].span
    }

    /// The node's value, looking through an alias, with the node's own span
    /// (for an alias: where it is used).
    pub(crate) fn get(&self, idx: NodeIdx) -> (Value<'_>, Span) {
        let node = &self.nodes[idx as usize];
        let (target, stored) = match node.stored {
            Stored::Alias(target) => (target, &self.nodes[target as usize]),
            _ => (idx, node),
        };
        let value = match stored.stored {
            Stored::Scalar {
                at,
                len,
                plain,
                owned,
                tagged,
            } => Value::Scalar {
                text: self.scalar_text(stored.span.file, at, len, owned),
                plain,
                tag: if tagged { self.tag(target) } else { None },
            },
            Stored::Seq { start, len } => Value::Seq(
                self.items
                    .get(start as usize..(start + len) as usize)
                    .unwrap_or_default(),
            ),
            Stored::Map { start, len } => Value::Map(
                self.entries
                    .get(start as usize..(start + len) as usize)
                    .unwrap_or_default(),
            ),
            Stored::Alias(_) => Value::Seq(&[]),
        };
        (value, node.span)
    }

    fn scalar_text(&self, file: FileId, at: u32, len: u32, owned: bool) -> &str {
        if owned {
            let at = at as usize;
            let start = self.owned.get(at).copied().unwrap_or_default();
            let end = self.owned.get(at + 1).copied();
            let end = end.unwrap_or(self.owned_text.len());
            return self.owned_text.get(start..end).unwrap_or_default();
        }
        let source = self.sources.get(file.index()).copied().unwrap_or_default();
        source
            .get(at as usize..at as usize + len as usize)
            .unwrap_or_default()
    }

    fn tag(&self, idx: NodeIdx) -> Option<&TagName> {
        let at = self.tags.binary_search_by_key(&idx, |(i, _)| *i).ok()?;
        Some(&self.tags[at].1)
    }

    /// The text of a scalar as written (before the core schema reads it).
    pub(crate) fn key_text(&self, idx: NodeIdx) -> Option<&str> {
        match self.get(idx).0 {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Copies the tree under `idx` to the end of `into`, with its spans and
    /// tags, every scalar's text owned there: the copy's index, or `None`
    /// for a tree that holds an alias (or an index past the end).
    /// Recursive, as deep as the tree: the readers bound the nesting.
    /// O(its nodes and text).
    pub(crate) fn copy_into(&self, idx: NodeIdx, into: &mut Document<'static>) -> Option<NodeIdx> {
        let node = self.nodes.get(idx as usize)?;
        // Placed before its children, as the builder places it, so that
        // `tags` stay in node order.
        let at = into.nodes.len() as NodeIdx;
        into.nodes.push(Node {
            stored: node.stored,
            span: node.span,
        });
        let stored = match node.stored {
            Stored::Alias(_) => return None,
            Stored::Scalar {
                at: text_at,
                len,
                plain,
                owned,
                tagged,
            } => {
                into.owned.push(into.owned_text.len());
                (into.owned_text).push_str(self.scalar_text(node.span.file, text_at, len, owned));
                if tagged {
                    into.tags.push((at, self.tag(idx)?.clone()));
                }
                Stored::Scalar {
                    at: (into.owned.len() - 1) as u32,
                    len: 0,
                    plain,
                    owned: true,
                    tagged,
                }
            }
            Stored::Seq { start, len } => {
                let items = self
                    .items
                    .get(start as usize..start as usize + len as usize)?;
                // The children's own lists go after this one's.
                let first = into.items.len();
                into.items.resize(first + items.len(), 0);
                for (i, &item) in items.iter().enumerate() {
                    into.items[first + i] = self.copy_into(item, into)?;
                }
                Stored::Seq {
                    start: first as u32,
                    len,
                }
            }
            Stored::Map { start, len } => {
                let entries = (self.entries).get(start as usize..start as usize + len as usize)?;
                let first = into.entries.len();
                into.entries.resize(first + entries.len(), (0, 0));
                for (i, &(key, value)) in entries.iter().enumerate() {
                    let key = self.copy_into(key, into)?;
                    into.entries[first + i] = (key, self.copy_into(value, into)?);
                }
                Stored::Map {
                    start: first as u32,
                    len,
                }
            }
        };
        into.nodes[at as usize].stored = stored;
        Some(at)
    }

    /// Empties the tree, keeping its buffers for the next.
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.items.clear();
        self.entries.clear();
        self.sources.clear();
        self.owned_text.clear();
        self.owned.clear();
        self.tags.clear();
        self.root = None;
        self.roots.clear();
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
        /// Set on a streamed section: its entries go to the sink, not here.
        section: Option<Section>,
    },
}

/// A top-level mapping whose entries are handed over one at a time.
#[derive(Clone, Copy)]
struct Section {
    /// Which of [`Stream::sections`] it is.
    which: usize,
    /// A repeated key: YAML keeps the first, so its entries are dropped.
    repeated: bool,
    /// The pools' lengths before its first entry: what each entry is
    /// truncated back to once the sink has read it.
    marks: Marks,
}

#[derive(Clone, Copy)]
struct Marks {
    nodes: usize,
    items: usize,
    entries: usize,
    owned: usize,
    tags: usize,
    anchors: usize,
}

/// Reads the entries of some top-level mappings one at a time: the sink
/// sees each entry (key, value) of the mapping under the root key
/// `sections[which]` as soon as it is complete, with everything read so far,
/// and the entry's nodes are then dropped (kept when they define an anchor,
/// which a later alias may name). The tree of a big file is thus never held
/// whole: memory is that of one entry, plus what the sink keeps.
pub(crate) struct Stream<'s, 'a> {
    /// The root keys whose mappings are streamed.
    pub sections: &'s [&'s str],
    /// Called with the document, the section's index, and the entry's key and value.
    pub sink: &'s mut dyn FnMut(&Document<'a>, usize, NodeIdx, NodeIdx),
}

/// Parses `text` into a [`Document`] and the problems found on the way.
/// Duplicate keys leave a usable document (the first key counts); syntax
/// errors, a second document and alias bombs leave none.
pub(crate) fn parse(text: &str) -> (Option<Document<'_>>, Vec<Problem>) {
    let mut doc = Document::default();
    let (read, problems) = parse_into(&mut doc, text, FileId::ROOT, false, None);
    (read.then_some(doc), problems)
}

/// Like [`parse`], but a file may hold several documents (`---`), as
/// Backstage catalog files do; their roots are in [`Document::roots`].
pub(crate) fn parse_stream(text: &str) -> (Option<Document<'_>>, Vec<Problem>) {
    let mut doc = Document::default();
    let (read, problems) = parse_into(&mut doc, text, FileId::ROOT, true, None);
    (read.then_some(doc), problems)
}

/// Reads `text`, the file `file` of an architecture, into `doc` after the
/// files already there, and returns whether it was read (no syntax error,
/// no second document, no alias bomb) and the problems found, located in
/// `file`. A file that was not read leaves `doc` unusable. With a
/// [`Stream`], the entries of its sections go to its sink instead of the
/// tree (a file with a tab is read whole: finding the tabs needs the tree).
pub(crate) fn parse_into<'a>(
    doc: &mut Document<'a>,
    text: &'a str,
    file: FileId,
    many: bool,
    stream: Option<Stream<'_, 'a>>,
) -> (bool, Vec<Problem>) {
    let stream = stream.filter(|_| !many && !text.as_bytes().contains(&b'\t'));
    // Files written by people and generators hold about one node per 10
    // bytes: reserving that once spares the copies of a growing vector
    // (pages reserved but never written cost no memory). A streamed file
    // holds one entry at a time.
    let expected = if stream.is_none() { text.len() / 8 } else { 0 };
    doc.nodes.reserve(expected);
    let first = doc.nodes.len();
    let mut builder = Builder::new(doc, file, text, expected, stream);
    match builder.read(Parser::new_from_str(text), text, many) {
        Ok(()) => {
            let mut problems = builder.problems;
            problems.extend(super::tabs::tab_problems(text, doc, first..doc.len()));
            (true, problems)
        }
        Err(()) => (false, builder.problems),
    }
}

/// How [`parse_chars`] went.
pub(crate) struct Streamed {
    /// Read with no syntax error, second document or alias bomb.
    pub read: bool,
    /// The problems found, as [`parse_into`] gives them.
    pub problems: Vec<Problem>,
    /// Stopped at an anchor or alias, or once the tree held more than
    /// [`LEAN_TREE_NODES`] nodes: the text was not kept, so the exact
    /// answer for those (the alias budget is a multiple of the text's
    /// length; a tree that big is no architecture's top level) is left to
    /// a reading of the whole file.
    pub stopped: bool,
}

/// Like [`parse_into`] with a [`Stream`] (one file, one document), for a
/// file given as characters and not kept: every scalar keeps its own text,
/// and only for as long as its entry is in the tree. The caller makes sure
/// the file has no tab (finding tabs needs the text).
pub(crate) fn parse_chars<'a>(
    doc: &mut Document<'a>,
    chars: impl Iterator<Item = char>,
    file: FileId,
    stream: Stream<'_, 'a>,
) -> Streamed {
    let mut builder = Builder::new(doc, file, "", 0, Some(stream));
    builder.lean = true;
    let read = builder
        .read(Parser::new(BufferedInput::new(chars)), "", false)
        .is_ok();
    Streamed {
        read,
        stopped: builder.stopped,
        problems: builder.problems,
    }
}

/// Like [`parse_chars`], for a file given as lines and read by the subset
/// reader instead of saphyr-parser (much faster); `Err` when the file is
/// outside the subset (see [`super::subset`]), and must be read by
/// [`parse_chars`] from its start.
pub(crate) fn parse_lines<'a>(
    doc: &mut Document<'a>,
    lines: &mut impl subset::Lines,
    file: FileId,
    stream: Stream<'_, 'a>,
) -> Result<Streamed, subset::Unsupported> {
    let mut builder = Builder::new(doc, file, "", 0, Some(stream));
    builder.lean = true;
    subset::read(lines, &mut builder)?;
    Ok(Streamed {
        read: true,
        stopped: builder.stopped,
        problems: builder.problems,
    })
}

/// The subset reader's events build the tree as saphyr-parser's do.
impl subset::Events for Builder<'_, '_, '_> {
    fn scalar(&mut self, text: &str, plain: bool, start: Pos, end: Pos) {
        let span = self.span(start, end);
        let idx = self.owned_scalar(text, plain, false, span);
        self.attach(idx);
    }

    fn open(&mut self, seq: bool, at: Pos) {
        let span = self.span(at, at);
        self.start(seq, 0, span);
    }

    fn close(&mut self, at: Pos) {
        let span = self.span(at, at);
        Builder::close(self, span);
    }

    fn stop(&mut self) -> bool {
        if self.doc.nodes.len() > LEAN_TREE_NODES {
            self.stopped = true;
        }
        self.stopped || !self.problems.is_empty()
    }
}

/// From the parser's character indices to byte offsets in the file. Events
/// come in file order, so one forward walk serves them all; a file of ASCII
/// (the usual case) needs no walk.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        Offsets {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    /// The byte offset of the character at `index`; `None` behind the walk.
    fn byte_of(&mut self, index: usize) -> Option<usize> {
        if self.ascii {
            return Some(index);
        }
        if index < self.chars {
            return None;
        }
        // Walk forward from where the last call stopped, keeping what was
        // walked even when `index` is past the end: no character is walked
        // twice, whatever the markers say.
        let rest = self.text.get(self.bytes..)?;
        let mut chars = rest.chars();
        while self.chars < index {
            let c = chars.next()?;
            self.chars += 1;
            self.bytes += c.len_utf8();
        }
        Some(self.bytes)
    }

    /// Where `value`, the scalar starting at character `index`, is written
    /// as-is in the file (after its opening quote for a quoted one).
    fn slice_of(&mut self, index: usize, value: &str, plain: bool) -> Option<(u32, u32)> {
        let mut at = self.byte_of(index)?;
        if !plain {
            match self.text.as_bytes().get(at) {
                Some(b'\'' | b'"') => at += 1,
                _ => return None,
            }
        }
        let end = at.checked_add(value.len())?;
        (self.text.get(at..end)? == value).then_some(())?;
        Some((u32::try_from(at).ok()?, u32::try_from(value.len()).ok()?))
    }
}

struct Builder<'d, 's, 'a> {
    doc: &'d mut Document<'a>,
    file: FileId,
    offsets: Offsets<'a>,
    /// Expanded size of each node of this file (aliases count as what they
    /// stand for), from `first` on.
    sizes: Vec<u64>,
    first: NodeIdx,
    stream: Option<Stream<'s, 'a>>,
    /// Anchors defined so far: an entry that defines one is kept.
    anchored: usize,
    stack: Vec<Frame>,
    /// Children of the open sequences and entries of the open mappings,
    /// innermost last; moved into the document's pools when they close.
    open_items: Vec<NodeIdx>,
    open_entries: Vec<(NodeIdx, NodeIdx)>,
    anchors: HashMap<usize, NodeIdx>,
    expansion: u64,
    problems: Vec<Problem>,
    /// Reading characters whose text is not kept ([`parse_chars`]): stop
    /// at an anchor or a big tree, and say so in `stopped`.
    lean: bool,
    stopped: bool,
}

impl<'d, 's, 'a> Builder<'d, 's, 'a> {
    fn new(
        doc: &'d mut Document<'a>,
        file: FileId,
        text: &'a str,
        expected: usize,
        stream: Option<Stream<'s, 'a>>,
    ) -> Self {
        // Scalars of this file are slices of `text` (none when it is empty).
        if doc.sources.len() <= file.index() {
            doc.sources.resize(file.index() + 1, "");
        }
        doc.sources[file.index()] = text;
        let first = doc.nodes.len() as NodeIdx;
        Builder {
            doc,
            file,
            offsets: Offsets::new(text),
            sizes: Vec::with_capacity(expected),
            first,
            stream,
            stack: Vec::new(),
            open_items: Vec::new(),
            open_entries: Vec::new(),
            anchors: HashMap::new(),
            anchored: 0,
            expansion: 0,
            problems: Vec::new(),
            lean: false,
            stopped: false,
        }
    }

    /// Reads every event of `parser`, over `text` (or over characters not
    /// kept, when `text` is empty); `Err` after a problem that leaves no
    /// usable tree.
    fn read<I: Input>(
        &mut self,
        mut parser: Parser<'a, I>,
        text: &'a str,
        many: bool,
    ) -> Result<(), ()> {
        let mut documents = 0;
        while let Some(event) = parser.next_event() {
            if self.lean && (self.anchored > 0 || self.doc.nodes.len() > LEAN_TREE_NODES) {
                self.stopped = true;
                return Err(());
            }
            let (event, marks) = match event {
                Ok(ok) => ok,
                Err(err) => {
                    self.problems.push(syntax_problem(&err, text));
                    return Err(());
                }
            };
            let span = self.span(pos(&marks.start), pos(&marks.end));
            match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 && !many {
                        self.problems.push(second_document(span));
                        return Err(());
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let idx = self.scalar(value, style, tag, marks.start.index(), span);
                    self.anchor(anchor, idx);
                    self.attach(idx);
                }
                Event::SequenceStart(anchor, _) => self.start(true, anchor, span),
                Event::MappingStart(anchor, _) => self.start(false, anchor, span),
                Event::SequenceEnd | Event::MappingEnd => self.close(span),
                Event::Alias(anchor) => {
                    let idx = self.alias(anchor, span, text.len())?;
                    self.attach(idx);
                }
                Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            }
        }
        Ok(())
    }

    fn span(&self, start: Pos, end: Pos) -> Span {
        Span {
            file: self.file,
            ..Span::new(start, end)
        }
    }

    /// Opens a sequence (`seq`) or a mapping.
    fn start(&mut self, seq: bool, anchor: usize, span: Span) {
        if seq {
            let idx = self.push(Stored::Seq { start: 0, len: 0 }, span, 1);
            self.anchor(anchor, idx);
            let start = self.open_items.len();
            self.stack.push(Frame::Seq { idx, start });
            return;
        }
        let idx = self.push(Stored::Map { start: 0, len: 0 }, span, 1);
        // An anchored section may be named by an alias: kept whole.
        let section = if anchor == 0 { self.section() } else { None };
        self.anchor(anchor, idx);
        let start = self.open_entries.len();
        self.stack.push(Frame::Map {
            idx,
            start,
            pending_key: None,
            section,
        });
    }

    /// Stores a scalar as text of its own.
    fn owned_scalar(&mut self, text: &str, plain: bool, tagged: bool, span: Span) -> NodeIdx {
        self.doc.owned.push(self.doc.owned_text.len());
        self.doc.owned_text.push_str(text);
        let stored = Stored::Scalar {
            at: (self.doc.owned.len() - 1) as u32,
            len: 0,
            plain,
            owned: true,
            tagged,
        };
        self.push(stored, span, 1)
    }

    /// Stores a scalar: as a slice of the file when it is written there
    /// as-is, else as text of its own.
    fn scalar(
        &mut self,
        value: Cow<'a, str>,
        style: ScalarStyle,
        tag: Option<Cow<'a, saphyr_parser::Tag>>,
        index: usize,
        span: Span,
    ) -> NodeIdx {
        let plain = style == ScalarStyle::Plain;
        let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted);
        let slice = if plain || quoted {
            self.offsets.slice_of(index, &value, plain)
        } else {
            None
        };
        let tagged = tag.is_some();
        let idx = match slice {
            Some((at, len)) => {
                let stored = Stored::Scalar {
                    at,
                    len,
                    plain,
                    owned: false,
                    tagged,
                };
                self.push(stored, span, 1)
            }
            None => self.owned_scalar(&value, plain, tagged, span),
        };
        if let Some(t) = tag {
            let name = if t.is_yaml_core_schema() {
                TagName::Core(t.suffix.clone())
            } else {
                TagName::Other(format!("{}{}", t.handle, t.suffix))
            };
            self.doc.tags.push((idx, name));
        }
        idx
    }

    /// An alias node, or `Err` when its anchor is unknown or the expansion
    /// passes the budget.
    fn alias(&mut self, anchor: usize, span: Span, text_len: usize) -> Result<NodeIdx, ()> {
        let Some(&target) = self.anchors.get(&anchor) else {
            self.problems.push(Problem::new(
                Code::YamlSyntax,
                "alias to an unknown anchor",
                Label::new(span, "no anchor of this name before here"),
            ));
            return Err(());
        };
        let size = self.size(target);
        self.expansion = self.expansion.saturating_add(size);
        let budget =
            ALIAS_EXPANSION_FLOOR.max(ALIAS_EXPANSION_FACTOR.saturating_mul(text_len as u64));
        if self.expansion > budget {
            self.problems.push(
                Problem::new(
                    Code::AliasBomb,
                    format!("aliases would expand this file past {budget} nodes"),
                    Label::new(span, "expansion passes the limit here"),
                )
                .with_help("a file this size needs no such expansion: write the repeated parts out, or use fewer nested aliases"),
            );
            return Err(());
        }
        Ok(self.push(Stored::Alias(target), span, size))
    }

    fn size(&self, idx: NodeIdx) -> u64 {
        self.sizes
            .get(idx.wrapping_sub(self.first) as usize)
            .copied()
            .unwrap_or(1)
    }

    fn push(&mut self, stored: Stored, span: Span, size: u64) -> NodeIdx {
        let idx = self.doc.nodes.len() as NodeIdx;
        self.doc.nodes.push(Node { stored, span });
        self.sizes.push(size);
        idx
    }

    fn anchor(&mut self, anchor: usize, idx: NodeIdx) {
        if anchor != 0 {
            self.anchors.insert(anchor, idx);
            self.anchored += 1;
        }
    }

    /// The streamed section a mapping starting now is, if it is one: the
    /// value of a key of the root mapping that the stream names.
    fn section(&self) -> Option<Section> {
        let stream = self.stream.as_ref()?;
        let [Frame::Map {
            start,
            pending_key: Some(key),
            ..
        }] = self.stack.as_slice()
        else {
            return None;
        };
        let name = self.doc.key_text(*key)?;
        let which = stream.sections.iter().position(|s| *s == name)?;
        let repeated = self.open_entries[*start..]
            .iter()
            .any(|&(k, _)| self.doc.key_text(k) == Some(name));
        Some(Section {
            which,
            repeated,
            marks: self.marks(),
        })
    }

    fn marks(&self) -> Marks {
        Marks {
            nodes: self.doc.nodes.len(),
            items: self.doc.items.len(),
            entries: self.doc.entries.len(),
            owned: self.doc.owned.len(),
            tags: self.doc.tags.len(),
            anchors: self.anchored,
        }
    }

    /// Hands a complete entry of a streamed section to the sink, then drops
    /// its nodes unless it defined an anchor.
    fn stream_entry(&mut self, key: NodeIdx, value: NodeIdx) {
        let Some(Frame::Map {
            section: Some(section),
            ..
        }) = self.stack.last()
        else {
            return;
        };
        let section = *section;
        if let (false, Some(stream)) = (section.repeated, self.stream.as_mut()) {
            (stream.sink)(&*self.doc, section.which, key, value);
        }
        let marks = section.marks;
        if marks.anchors != self.anchored {
            // Kept: the entries after it are dropped back to here.
            let now = self.marks();
            if let Some(Frame::Map {
                section: Some(section),
                ..
            }) = self.stack.last_mut()
            {
                section.marks = now;
            }
            return;
        }
        let doc = &mut *self.doc;
        doc.nodes.truncate(marks.nodes);
        doc.items.truncate(marks.items);
        doc.entries.truncate(marks.entries);
        if let Some(&start) = doc.owned.get(marks.owned) {
            doc.owned_text.truncate(start);
        }
        doc.owned.truncate(marks.owned);
        doc.tags.truncate(marks.tags);
        self.sizes.truncate(marks.nodes - self.first as usize);
    }

    /// Hangs a finished node on its parent.
    fn attach(&mut self, idx: NodeIdx) {
        let size = self.size(idx);
        match self.stack.last_mut() {
            None => {
                self.doc.root.get_or_insert(idx);
                self.doc.roots.push(idx);
            }
            Some(Frame::Seq { .. }) => self.open_items.push(idx),
            Some(Frame::Map {
                pending_key,
                section,
                ..
            }) => match pending_key.take() {
                Some(key) if section.is_some() => {
                    self.stream_entry(key, idx);
                    return;
                }
                Some(key) => self.open_entries.push((key, idx)),
                None => *pending_key = Some(idx),
            },
        }
        if let Some(Frame::Seq { idx: parent, .. } | Frame::Map { idx: parent, .. }) =
            self.stack.last()
        {
            let parent = parent.wrapping_sub(self.first) as usize;
            if let Some(s) = self.sizes.get_mut(parent) {
                *s = s.saturating_add(size);
            }
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
        if len < 2 {
            return;
        }
        let doc = &self.doc;
        let key = |i: usize| doc.key_text(doc.entries[i].0);
        // (first use, repeat), by repeat.
        let mut found = Vec::new();
        if len <= 8 {
            // Most mappings of a file are small: pairwise, nothing allocated.
            for j in start + 1..start + len {
                let Some(k) = key(j) else { continue };
                if let Some(i) = (start..j).find(|&i| key(i) == Some(k)) {
                    found.push((i, j));
                }
            }
        } else {
            let mut keys: Vec<(&str, usize)> = (start..start + len)
                .filter_map(|i| key(i).map(|k| (k, i)))
                .collect();
            keys.sort_unstable();
            // Each run of one key starts at its first use.
            for run in keys.chunk_by(|a, b| a.0 == b.0) {
                found.extend(run[1..].iter().map(|&(_, dup)| (run[0].1, dup)));
            }
            found.sort_unstable_by_key(|&(_, dup)| dup);
        }
        for (first, dup) in found {
            let (first, dup) = (self.doc.entries[first].0, self.doc.entries[dup].0);
            let name = self.doc.key_text(dup).unwrap_or_default();
            let problem = duplicate_key(
                name,
                self.doc.nodes[dup as usize].span,
                self.doc.nodes[first as usize].span,
            );
            self.problems.push(problem);
        }
    }
}

/// The problem of a key that repeats one of the same mapping.
pub(crate) fn duplicate_key(name: &str, repeat: Span, first: Span) -> Problem {
    Problem::new(
        Code::DuplicateKey,
        format!("duplicate key `{name}`"),
        Label::new(repeat, "this key is already used"),
    )
    .with_secondary(Label::new(first, "first used here"))
    .with_help("YAML keeps only one of the two values; remove or rename one")
}

fn second_document(span: Span) -> Problem {
    Problem::new(
        Code::SecondDocument,
        "a file holds exactly one YAML document",
        Label::new(span, "a second document starts here"),
    )
    .with_help("put each architecture in a file of its own")
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

    /// The tree under `idx` in words: values, tags and spans.
    fn dump(doc: &Document<'_>, idx: NodeIdx) -> String {
        let (value, span) = doc.get(idx);
        let at = format!(
            "@{}:{}-{}:{}",
            span.start.line, span.start.col, span.end.line, span.end.col
        );
        match value {
            Value::Scalar { text, plain, tag } => format!("{text:?}{plain}{tag:?}{at}"),
            Value::Seq(items) => {
                let items: Vec<String> = items.iter().map(|&i| dump(doc, i)).collect();
                format!("[{}]{at}", items.join(", "))
            }
            Value::Map(entries) => {
                let entries = entries
                    .iter()
                    .map(|&(k, v)| format!("{}: {}", dump(doc, k), dump(doc, v)));
                format!("{{{}}}{at}", entries.collect::<Vec<_>>().join(", "))
            }
        }
    }

    #[test]
    fn a_copied_tree_reads_as_the_original() {
        let text =
            "a: { b: [1, \"t\\u00e9\", !!str 2, [x, { y: z }]], 'c d': !custom e }\nf: [g]\n";
        let (doc, problems) = parse(text);
        assert_eq!(problems, []);
        let doc = doc.expect("read");
        let root = doc.root.expect("a root");
        let mut into = Document::default();
        // Into a tree that already holds one, as a batch does.
        let first = doc.copy_into(root, &mut into).expect("no alias");
        let second = doc.copy_into(root, &mut into).expect("no alias");
        assert_eq!(dump(&into, first), dump(&doc, root));
        assert_eq!(dump(&into, second), dump(&doc, root));
        assert!(dump(&doc, root).contains("Some(Core(\"str\"))"));
        into.clear();
        assert_eq!(into.len(), 0);
        let (aliased, _) = parse("a: &x [1]\nb: *x\n");
        let aliased = aliased.expect("read");
        let root = aliased.root.expect("a root");
        assert_eq!(aliased.copy_into(root, &mut into), None);
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

    fn scalars(doc: &Document<'_>) -> Vec<String> {
        (0..doc.len() as NodeIdx)
            .filter_map(|i| match doc.get(i).0 {
                Value::Scalar { text, .. } => Some(text.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn scalars_read_the_same_whether_borrowed_or_owned() {
        // Plain, quoted, escaped, folded, block and non-ASCII scalars, and
        // a non-ASCII file, where character indices are not byte offsets.
        let text = "é: 'ü x'\nb: \"t\\u00e9\"\nc: plain é\nd: >\n  one\n  two\ne: |\n  lit\nf: 'it''s'\ng: ''\nh:\n";
        let doc = parse(text).0.unwrap();
        assert_eq!(
            scalars(&doc),
            [
                "é",
                "ü x",
                "b",
                "té",
                "c",
                "plain é",
                "d",
                "one two\n",
                "e",
                "lit\n",
                "f",
                "it's",
                "g",
                "",
                "h",
                ""
            ]
        );
        // Only what is not written as-is owns its text.
        assert_eq!(doc.owned.len(), 4, "{:?}", doc.owned);
    }

    #[test]
    fn files_share_one_tree_and_keep_their_own_text_and_spans() {
        let (a, b) = ("x: 1\n", "y: [2, 3]\n");
        let mut doc = Document::default();
        assert!(parse_into(&mut doc, a, FileId(0), false, None).0);
        assert!(parse_into(&mut doc, b, FileId(1), false, None).0);
        assert_eq!(doc.roots.len(), 2);
        assert_eq!(scalars(&doc), ["x", "1", "y", "2", "3"]);
        let Value::Map(entries) = doc.get(doc.roots[1]).0 else {
            panic!("a map")
        };
        let span = doc.get(entries[0].0).1;
        assert_eq!(
            (span.file, span.start),
            (FileId(1), Pos { line: 1, col: 0 })
        );
    }

    /// Reads `text` streaming its `services`, and returns the tree left
    /// and, for each entry, its key and the scalars of its value as the
    /// sink saw them.
    fn streamed(text: &str) -> (usize, Vec<(String, Vec<String>)>) {
        let mut seen = Vec::new();
        let mut doc = Document::default();
        let mut sink = |doc: &Document<'_>, which: usize, key: NodeIdx, value: NodeIdx| {
            assert_eq!(which, 0);
            let mut values = Vec::new();
            let mut stack = vec![value];
            while let Some(at) = stack.pop() {
                match doc.get(at).0 {
                    Value::Scalar { text, .. } => values.push(text.to_string()),
                    Value::Seq(items) => stack.extend(items.iter().rev()),
                    Value::Map(entries) => {
                        stack.extend(entries.iter().rev().flat_map(|&(k, v)| [v, k]))
                    }
                }
            }
            seen.push((doc.key_text(key).unwrap_or("?").to_string(), values));
        };
        let stream = Stream {
            sections: &["services"],
            sink: &mut sink,
        };
        let (read, problems) = parse_into(&mut doc, text, FileId::ROOT, false, Some(stream));
        let repeats = problems
            .iter()
            .filter(|p| p.code == Code::DuplicateKey)
            .count();
        assert!(read && problems.len() == repeats, "{problems:?}");
        (doc.len(), seen)
    }

    /// Reads `text` as characters not kept, streaming its `services`.
    fn lean(text: &str) -> (Streamed, usize) {
        let mut doc = Document::default();
        let mut entries = 0;
        let mut sink = |_: &Document<'_>, _: usize, _: NodeIdx, _: NodeIdx| entries += 1;
        let stream = Stream {
            sections: &["services"],
            sink: &mut sink,
        };
        let read = parse_chars(&mut doc, text.chars(), FileId::ROOT, stream);
        (read, entries)
    }

    #[test]
    fn characters_not_kept_stream_and_stop_where_the_text_is_needed() {
        let mut text = String::from("version: 1\nservices:\n");
        for i in 0..1000 {
            text.push_str(&format!("  s{i}: {{ note: \"é\\u00e9 {i}\" }}\n"));
        }
        let (read, entries) = lean(&text);
        assert!(read.read && !read.stopped && read.problems.is_empty());
        assert_eq!(entries, 1000);
        // An anchor: stopped at once.
        let (read, entries) = lean("services:\n  a: &x {}\n  b: *x\n  c: {}\n");
        assert!(read.stopped && !read.read);
        assert!(entries <= 1, "{entries}");
        // A tree no architecture's top level needs: stopped at the bound.
        let big = format!("x: [{}]\n", vec!["a"; LEAN_TREE_NODES + 10].join(","));
        let (read, _) = lean(&big);
        assert!(read.stopped && !read.read);
    }

    #[test]
    fn a_streamed_section_keeps_no_entry_it_handed_over() {
        let mut text = String::from("version: 1\nservices:\n");
        for i in 0..1000 {
            text.push_str(&format!(
                "  s{i}: {{ runs_in: [a, b], depends_on: [x{i}] }}\n"
            ));
        }
        let (left, seen) = streamed(&text);
        assert_eq!(seen.len(), 1000);
        assert_eq!(
            seen[7],
            (
                "s7".to_string(),
                ["runs_in", "a", "b", "depends_on", "x7"]
                    .map(String::from)
                    .to_vec()
            )
        );
        // The root, its two keys, `1` and the emptied section.
        assert_eq!(left, 5);
    }

    #[test]
    fn an_anchor_in_a_streamed_entry_is_kept_for_later_aliases() {
        let text = "services:\n  a: { runs_in: &p [dc1, dc2] }\n  b: { runs_in: *p }\n  c: { runs_in: dc3 }\nsites: &s { k: v }\nother: *s\n";
        let (left, seen) = streamed(text);
        let runs: Vec<Vec<String>> = seen.into_iter().map(|(_, v)| v).collect();
        assert_eq!(runs[0], ["runs_in", "dc1", "dc2"]);
        assert_eq!(runs[1], ["runs_in", "dc1", "dc2"]);
        assert_eq!(runs[2], ["runs_in", "dc3"]);
        // a's entry stays (6 nodes); b's and c's are dropped.
        assert!(left > 6 && left < 20, "{left}");
    }

    #[test]
    fn a_repeated_streamed_section_is_not_handed_over() {
        // The root mapping is read whole: its repeated key is reported there.
        let (_, seen) = streamed("services:\n  a: 1\nservices:\n  b: 2\n");
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, "a");
    }

    #[test]
    fn tabs_are_a_diagnostic_with_help() {
        let problems = parse("a:\n\tb: 1\n").1;
        assert!(problems[0].help.as_deref().unwrap().contains("spaces"));
    }
}
