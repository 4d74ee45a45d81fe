//! The walk over a YAML tree that checks every rule of format v1 and builds
//! the model. It never stops at the first problem: each helper records what
//! is wrong and returns what it could make of the rest.

use crate::code::Code;

use crate::diagnostic::{Label, Problem, Span};
use crate::model::{AnyOf, Dependency, Node, NodeId};
use crate::suggest;
use crate::yaml::scalar::{resolve, Resolved};
use crate::yaml::tree::{Document, NodeIdx, TagName, Value};

use super::fields::Context;
use super::symbols::{Declared, Pending, Repeat, Symbols};

/// What the checker keeps from one entry to the next while files stream
/// through it: the problems, the ids, and the nodes read so far.
#[derive(Debug, Default)]
pub(super) struct State {
    pub problems: Vec<Problem>,
    pub symbols: Symbols,
    /// References to ids not declared when they were read.
    pub pending: Vec<Pending>,
    /// Keys of streamed sections that are no valid id (rare), by file,
    /// section and text: where each was first written.
    pub invalid_keys: std::collections::HashMap<(crate::diagnostic::FileId, usize, String), Span>,
    /// Second declarations of ids, reported together at the end.
    pub repeats: Vec<Repeat>,
    /// Nodes read so far, in the order they were read, and their symbols.
    pub nodes: Vec<Node>,
    /// Their `depends_on` lists and their placement entries' `requires`
    /// lists, each where its node or entry says.
    pub dependencies: Vec<Dependency>,
    /// The `any_of` groups those lists name.
    pub groups: Vec<AnyOf>,
    pub syms: Vec<NodeId>,
    /// Where the id of the node being read is written: a declaration names
    /// its node's place in `nodes`, and this one is not there yet.
    pub building: Span,
    /// Integrations without a tier of their own, which take their consumer's.
    pub inherit: Vec<NodeId>,
    /// `users` of every node so far: it must fit in 64 bits, so that no sum
    /// of users (each node counted once) can overflow.
    pub users_total: u64,
    /// What "did you mean" hints for unknown ids may still cost, in ids
    /// compared (see `Checker::unknown_id_hint`).
    pub hint_budget: usize,
}

/// The fewest bytes a file in the usual layout spends on a node (its key,
/// a field or two, its references): the state is sized for the text's
/// length over this before the first entry is read. The id table is then
/// never rehashed (each rehash hashes every id again), and the node list
/// never copied; a denser file grows them as usual, and capacity never
/// touched costs address space, not memory.
const BYTES_PER_NODE: usize = 128;

/// The most nodes reserved up front (what the default 256 MiB file limit
/// allows): a larger limit and a sparse file must not ask for more address
/// space than the machine will give.
const RESERVED_NODES_MOST: usize = 1 << 21;

impl State {
    /// The declaration of a symbol, if it has one yet, with the span of its
    /// id: from its node, or from `building` for the node being read.
    pub(super) fn declared(&self, sym: NodeId) -> Option<Declared> {
        let (kind, at) = self.symbols.declaration(sym, &self.nodes)?;
        let span = self
            .nodes
            .get(at as usize)
            .map_or(self.building, |n| n.id_span.span());
        Some(Declared {
            id: sym,
            kind,
            span,
        })
    }

    /// The state for files of `bytes` bytes in all.
    pub(super) fn new(bytes: usize) -> Self {
        let nodes = (bytes / BYTES_PER_NODE).min(RESERVED_NODES_MOST);
        let mut state = State {
            hint_budget: HINT_BUDGET,
            nodes: Vec::with_capacity(nodes),
            syms: Vec::with_capacity(nodes),
            // Most nodes of such a file need a few others.
            dependencies: Vec::with_capacity(nodes.saturating_mul(4)),
            ..State::default()
        };
        state.symbols.reserve(nodes);
        state
    }
}

/// The checker over one tree: the whole of a file, or one entry of a
/// section as the file streams by, with the state it carries between them.
pub(super) struct Checker<'d, 'a, 's> {
    pub doc: &'d Document<'a>,
    pub st: &'s mut State,
}

/// Ids compared for "did you mean" hints in one load, at most: each hint
/// compares the unknown id with every declared one, so a hostile file of
/// many unknown ids among many declared ones would otherwise cost their
/// product (20,000 of each: minutes). Kept far above what any real file
/// spends, so only such a file loses hints; its problems are all reported.
pub(super) const HINT_BUDGET: usize = 2_000_000;

/// A field of a mapping: its key (text and node) and its value node.
#[derive(Clone, Copy)]
pub(super) struct Field<'d> {
    pub key: &'d str,
    pub key_span: Span,
    pub value: NodeIdx,
}

impl<'d, 'a, 's> Checker<'d, 'a, 's> {
    pub(super) fn new(doc: &'d Document<'a>, st: &'s mut State) -> Self {
        Checker { doc, st }
    }

    pub(super) fn report(&mut self, problem: Problem) {
        self.st.problems.push(problem);
    }

    pub(super) fn span(&self, idx: NodeIdx) -> Span {
        self.doc.span(idx)
    }

    /// The scalar at `idx` as the core schema reads it, or `None` for a
    /// sequence or mapping.
    pub(super) fn scalar(&mut self, idx: NodeIdx) -> Option<Resolved<'d>> {
        let (value, span) = self.doc.get(idx);
        match value {
            Value::Scalar { text, plain, tag } => {
                let tag = match tag {
                    None => None,
                    Some(TagName::Core(suffix)) => Some(suffix.as_str()),
                    Some(TagName::Other(tag)) => {
                        self.report(
                            Problem::new(
                                Code::UnsupportedTag,
                                format!("unsupported tag `{tag}`"),
                                Label::new(span, "spof does not know this tag"),
                            )
                            .with_help(
                                "remove the tag; only YAML core tags such as `!!str` are read",
                            ),
                        );
                        None
                    }
                };
                Some(resolve(text, plain, tag))
            }
            _ => None,
        }
    }

    /// How a message names the kind of value at `idx`.
    pub(super) fn kind_name(&mut self, idx: NodeIdx) -> &'static str {
        match self.doc.get(idx).0 {
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
            _ => self.scalar(idx).map_or("a value", |r| r.kind_name()),
        }
    }

    pub(super) fn is_null(&mut self, idx: NodeIdx) -> bool {
        matches!(self.doc.get(idx).0, Value::Scalar { .. })
            && matches!(self.scalar(idx), Some(Resolved::Null))
    }

    pub(super) fn wrong_type(&mut self, idx: NodeIdx, what: &str, expected: &str) {
        let found = self.kind_name(idx);
        let help = if found != "a list" && found != "a mapping" && expected.contains("string") {
            Some("quote it to make it a string".to_string())
        } else {
            None
        };
        let problem = Problem::new(
            Code::WrongType,
            format!("{what} must be {expected}, found {found}"),
            Label::new(self.span(idx), format!("expected {expected}")),
        )
        .with_help_opt(help);
        self.report(problem);
    }

    /// The fields of the mapping at `idx` (`null` is an empty mapping).
    /// Unknown keys are reported, `x-` keys skipped.
    pub(super) fn fields(
        &mut self,
        idx: NodeIdx,
        ctx: Context,
        what: &str,
    ) -> Option<Vec<Field<'d>>> {
        let doc = self.doc;
        let entries = match doc.get(idx).0 {
            Value::Map(entries) => entries,
            _ if self.is_null(idx) => return Some(Vec::new()),
            _ => {
                self.wrong_type(idx, what, "a mapping");
                return None;
            }
        };
        let mut fields = Vec::with_capacity(entries.len());
        for &(key, value) in entries {
            let key_span = self.span(key);
            let text = match doc.get(key).0 {
                Value::Scalar { text, .. } => text,
                _ => {
                    self.report(Problem::new(
                        Code::WrongType,
                        format!("keys of {} must be strings", ctx.noun()),
                        Label::new(key_span, "not a string key"),
                    ));
                    continue;
                }
            };
            if text == "x-spof-ignore" && ctx.is_node() {
                fields.push(Field {
                    key: text,
                    key_span,
                    value,
                });
                continue;
            }
            if text.starts_with("x-") {
                continue;
            }
            if ctx.has(text) {
                fields.push(Field {
                    key: text,
                    key_span,
                    value,
                });
                continue;
            }
            self.unknown_key(text, key_span, ctx);
        }
        Some(fields)
    }

    fn unknown_key(&mut self, key: &str, span: Span, ctx: Context) {
        if ctx == Context::AnyOfMember && key == "mode" {
            self.report(
                Problem::new(
                    Code::MemberMode,
                    "a member of `any_of` cannot have its own `mode`",
                    Label::new(span, "mode set on a member"),
                )
                .with_help("set `mode` once, on the `any_of` group"),
            );
            return;
        }
        let elsewhere = ctx.elsewhere(key);
        let problem = if key == "<<" {
            Problem::new(
                Code::UnknownKey,
                "merge keys (`<<`) are not part of YAML 1.2",
                Label::new(span, "not read"),
            )
            .with_help("write the fields out; anchors and aliases on whole values still work")
        } else if let Some(&other) = elsewhere.first() {
            Problem::new(
                Code::MisplacedKey,
                format!("`{key}` is not a field of {}", ctx.noun()),
                Label::new(span, "not allowed here"),
            )
            .with_help(format!("`{key}` is a field of {}", other.noun()))
        } else {
            let known = ctx.keys();
            let help = suggest::hint(key, known.iter().copied()).unwrap_or_else(|| {
                format!(
                    "the fields of {} are {}; names starting with `x-` are free for your own use",
                    ctx.noun(),
                    quoted_list(&known)
                )
            });
            Problem::new(
                Code::UnknownKey,
                format!("unknown field `{key}` in {}", ctx.noun()),
                Label::new(span, "unknown field"),
            )
            .with_help(help)
        };
        self.report(problem);
    }

    pub(super) fn string(&mut self, idx: NodeIdx, what: &str) -> Option<String> {
        match self.scalar(idx) {
            Some(Resolved::Str(s)) => Some(s.to_string()),
            _ => {
                self.wrong_type(idx, what, "a string");
                None
            }
        }
    }

    /// A string kept in the model, where it is held without spare capacity
    /// (`string` allocates exactly, so the conversion does not copy).
    pub(super) fn text(&mut self, idx: NodeIdx, what: &str) -> Option<Box<str>> {
        self.string(idx, what).map(String::into_boxed_str)
    }

    pub(super) fn boolean(&mut self, idx: NodeIdx, what: &str) -> Option<bool> {
        match self.scalar(idx) {
            Some(Resolved::Bool(b)) => Some(b),
            _ => {
                let problem = Problem::new(
                    Code::WrongType,
                    format!(
                        "{what} must be `true` or `false`, found {}",
                        self.kind_name(idx)
                    ),
                    Label::new(self.span(idx), "expected true or false"),
                )
                .with_help(
                    "YAML 1.2 reads only `true` and `false` as booleans (not yes/no/on/off)",
                );
                self.report(problem);
                None
            }
        }
    }

    pub(super) fn strings(&mut self, idx: NodeIdx, what: &str) -> Vec<String> {
        let doc = self.doc;
        match doc.get(idx).0 {
            Value::Seq(items) => items
                .iter()
                .filter_map(|&item| self.string(item, &format!("each of {what}")))
                .collect(),
            _ if self.is_null(idx) => Vec::new(),
            _ => {
                self.wrong_type(idx, what, "a list of strings");
                Vec::new()
            }
        }
    }

    /// A word from a fixed set (`tier: critical`), with a hint for typos.
    pub(super) fn choice<T>(
        &mut self,
        idx: NodeIdx,
        what: &str,
        names: &[&'static str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = match self.scalar(idx) {
            Some(Resolved::Str(s)) => s,
            _ => {
                let expected = format!("one of {}", quoted_list(names));
                self.wrong_type(idx, what, &expected);
                return None;
            }
        };
        if let Some(value) = parse(text) {
            return Some(value);
        }
        let help = suggest::hint(text, names.iter().copied())
            .unwrap_or_else(|| format!("use one of {}", quoted_list(names)));
        self.report(
            Problem::new(
                Code::InvalidValue,
                format!("{what} cannot be `{text}`"),
                Label::new(
                    self.span(idx),
                    format!("expected one of {}", quoted_list(names)),
                ),
            )
            .with_help(help),
        );
        None
    }

    /// A non-negative integer count, such as `users` or `min`.
    pub(super) fn count(&mut self, idx: NodeIdx, what: &str) -> Option<u64> {
        let span = self.span(idx);
        let problem = match self.scalar(idx) {
            Some(Resolved::Int(Some(n))) if n >= 0 => match u64::try_from(n) {
                Ok(n) => return Some(n),
                Err(_) => Problem::new(
                    Code::InvalidNumber,
                    format!("{what} is too large"),
                    Label::new(span, "larger than 18,446,744,073,709,551,615"),
                ),
            },
            Some(Resolved::Int(Some(_))) => Problem::new(
                Code::InvalidNumber,
                format!("{what} cannot be negative"),
                Label::new(span, "negative"),
            ),
            Some(Resolved::Int(None)) => Problem::new(
                Code::InvalidNumber,
                format!("{what} is too large"),
                Label::new(span, "does not fit in 64 bits"),
            ),
            Some(Resolved::Float(f)) => Problem::new(
                Code::InvalidNumber,
                format!("{what} must be a whole number, found {f}"),
                Label::new(span, "not a whole number"),
            ),
            _ => {
                self.wrong_type(idx, what, "a whole number");
                return None;
            }
        };
        self.report(problem);
        None
    }

    /// Checks an id written as a mapping key: the id, or the problem with
    /// it (not yet reported, so that a repeated key is reported first).
    pub(super) fn id_key(&mut self, idx: NodeIdx) -> Result<&'d str, Box<Problem>> {
        let span = self.span(idx);
        let resolved = match self.doc.get(idx).0 {
            Value::Scalar { .. } => self.scalar(idx),
            _ => None,
        };
        let text = match resolved {
            Some(Resolved::Str(s)) => s,
            Some(other) => {
                let raw = match self.doc.get(idx).0 {
                    Value::Scalar { text, .. } => text.to_string(),
                    _ => String::new(),
                };
                let shown = if raw.is_empty() {
                    "~".to_string()
                } else {
                    raw.clone()
                };
                return Err(Box::new(
                    Problem::new(
                        Code::InvalidId,
                        format!(
                            "id `{shown}` is read by YAML as {}, not a string",
                            other.kind_name()
                        ),
                        Label::new(span, "not a string"),
                    )
                    .with_help(format!("quote it: \"{raw}\":")),
                ));
            }
            None => {
                return Err(Box::new(Problem::new(
                    Code::InvalidId,
                    "an id must be a string",
                    Label::new(span, "not a string"),
                )));
            }
        };
        let trouble = if text.is_empty() {
            Some(("an id cannot be empty", "empty id"))
        } else if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
            Some((
                "an id cannot begin or end with whitespace",
                "surrounding whitespace",
            ))
        } else if text.chars().any(char::is_control) {
            Some((
                "an id cannot contain control characters",
                "control character",
            ))
        } else {
            None
        };
        if let Some((message, label)) = trouble {
            return Err(Box::new(
                Problem::new(Code::InvalidId, message, Label::new(span, label))
                    .with_help(format!("write it as {:?}", text.trim())),
            ));
        }
        Ok(text)
    }
}

pub(super) fn quoted_list(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    quoted.join(", ")
}
