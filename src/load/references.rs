//! References between nodes: ids in `within`, `runs_in`, `depends_on`,
//! `requires`, `consumer`, `provider` and `fallback`, and the dependency
//! and placement shapes that hold them.

use crate::code::Code;
use crate::diagnostic::{Label, Problem, Span};
use crate::model::Requires;
use crate::model::{AnyOf, Dependency, GroupId, Mode, NodeId, NodeKind, Placement, PlacementEntry};
use crate::suggest;
use crate::yaml::scalar::Resolved;
use crate::yaml::tree::{NodeIdx, Value};

use super::checker::{Checker, Field};
use super::fields::Context;
use super::symbols::{Declared, Pending};

/// Which kinds of node a reference may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Want {
    Any,
    Site,
    Service,
}

impl Want {
    fn accepts(self, kind: NodeKind) -> bool {
        match self {
            Want::Any => true,
            Want::Site => kind == NodeKind::Site,
            Want::Service => kind == NodeKind::Service,
        }
    }
    fn bare_noun(self) -> &'static str {
        match self {
            Want::Any => "site, service or integration",
            Want::Site => "site",
            Want::Service => "service",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Want::Any => "a site, service or integration",
            Want::Site => "a site",
            Want::Service => "a service",
        }
    }
}

/// Where a reference is written, as messages name it. Kept with each
/// reference that waits for the end of the load, so it is a byte, not a
/// string: a file can hold millions of references.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    DependsOn,
    Requires,
    On,
    AnyOf,
    RunsIn,
    PlacementEntry,
    Site,
    Within,
    Consumer,
    Provider,
    Fallback,
}

impl Place {
    pub(super) fn noun(self) -> &'static str {
        match self {
            Place::DependsOn => "`depends_on`",
            Place::Requires => "`requires`",
            Place::On => "`on`",
            Place::AnyOf => "`any_of`",
            Place::RunsIn => "`runs_in`",
            Place::PlacementEntry => "a placement entry",
            Place::Site => "`site`",
            Place::Within => "`within`",
            Place::Consumer => "`consumer`",
            Place::Provider => "`provider`",
            Place::Fallback => "`fallback`",
        }
    }
}

fn article(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Site => "a site",
        NodeKind::Service => "a service",
        NodeKind::Integration => "an integration",
    }
}

impl Checker<'_, '_, '_> {
    /// "did you mean" for an id no node has: the closest declared id of
    /// the kind wanted, else of any kind. O(ids) per hint, within the load's
    /// `hint_budget` (past it, none: see `HINT_BUDGET`). The hint does not
    /// depend on the order ids are visited in (`suggest::hint` breaks ties
    /// by the ids themselves).
    fn unknown_id_hint(&mut self, text: &str, want: Want) -> Option<String> {
        // A hint may read the ids twice (the kind wanted, then all).
        let symbols = &self.st.symbols;
        let cost = symbols.ids.len().saturating_mul(2);
        self.st.hint_budget = self.st.hint_budget.checked_sub(cost)?;
        // Every declared id is a node's (the hints are looked for once
        // every file is read).
        let nodes = &self.st.nodes;
        let fitting = nodes
            .iter()
            .filter(|node| want.accepts(node.kind()))
            .map(|node| &*node.id);
        let any = nodes.iter().map(|node| &*node.id);
        suggest::hint(text, fitting).or_else(|| suggest::hint(text, any))
    }

    /// Resolves the id written at `idx`; `owner` is the node that holds it,
    /// which may not name itself. An id not declared yet is taken on trust
    /// and checked once every file is read ([`Checker::check_pending`]).
    pub(super) fn reference(
        &mut self,
        idx: NodeIdx,
        want: Want,
        place: Place,
        owner: Option<NodeId>,
    ) -> Option<NodeId> {
        let what = place.noun();
        let span = self.span(idx);
        let text = match self.scalar(idx) {
            Some(Resolved::Str(s)) => s,
            _ => {
                self.wrong_type(idx, what, "an id (a string)");
                return None;
            }
        };
        let sym = self.st.symbols.intern(text, &self.st.nodes);
        // The kind alone: the declaration's span is in its node, one more
        // read from anywhere in a list of a million, for reports only.
        let Some((kind, _)) = self.st.symbols.declaration(sym, &self.st.nodes) else {
            self.st.pending.push(Pending {
                sym,
                want,
                place,
                span,
            });
            return Some(sym);
        };
        if want.accepts(kind) && Some(sym) != owner {
            return Some(sym);
        }
        let declared = self.st.declared(sym)?;
        if !want.accepts(declared.kind) {
            self.report(wrong_kind(what, text, want, span, declared));
            return None;
        }
        if Some(declared.id) == owner {
            self.report(
                Problem::new(
                    Code::SelfDependency,
                    format!("`{text}` depends on itself"),
                    Label::new(span, "a node cannot need itself"),
                )
                .with_secondary(Label::new(declared.span, "declared here"))
                .with_help("remove this reference"),
            );
            return None;
        }
        Some(declared.id)
    }

    /// Checks the references to ids that were not declared when they were
    /// read, in the order they were read: each is now declared or unknown.
    /// A pending reference keeps its symbol, not its text: the few that
    /// fail find their text in one walk of the ids, so a file that names
    /// its sites before declaring them costs no string per reference.
    pub(super) fn check_pending(&mut self) {
        let pending = std::mem::take(&mut self.st.pending);
        let (symbols, nodes) = (&self.st.symbols, &self.st.nodes);
        let fails = |p: &Pending| {
            symbols
                .declaration(p.sym, nodes)
                .is_none_or(|(kind, _)| !p.want.accepts(kind))
        };
        let failing: Vec<&Pending> = pending.iter().filter(|p| fails(p)).collect();
        if failing.is_empty() {
            return;
        }
        for p in failing {
            let text = self.st.symbols.text(p.sym, &self.st.nodes).to_string();
            let text = text.as_str();
            let problem = match self.st.declared(p.sym) {
                Some(declared) => wrong_kind(p.place.noun(), text, p.want, p.span, declared),
                None => {
                    let help = self.unknown_id_hint(text, p.want);
                    let file = if self.doc.roots.len() > 1 {
                        "any file of this architecture"
                    } else {
                        "this file"
                    };
                    Problem::new(
                        Code::UnknownId,
                        format!("{} names `{text}`, which is not in {file}", p.place.noun()),
                        Label::new(p.span, format!("no {} has this id", p.want.bare_noun())),
                    )
                    .with_help_opt(help)
                }
            };
            self.report(problem);
        }
    }

    /// A `depends_on` or `requires` list.
    pub(super) fn dependencies(
        &mut self,
        idx: NodeIdx,
        place: Place,
        owner: NodeId,
    ) -> Vec<Dependency> {
        let what = place.noun();
        let doc = self.doc;
        match doc.get(idx).0 {
            Value::Seq(items) => {
                // Sized exactly: a filtered collect starts at four, and
                // most nodes need fewer; these lists are a fifth of a model.
                let mut deps = Vec::with_capacity(items.len());
                deps.extend(
                    items
                        .iter()
                        .filter_map(|&item| self.dependency(item, place, owner)),
                );
                deps
            }
            _ if self.is_null(idx) => Vec::new(),
            _ => {
                self.wrong_type(idx, what, "a list of dependencies");
                if let Some(Resolved::Str(s)) = self.scalar(idx) {
                    if let Some(last) = self.st.problems.last_mut() {
                        last.help = Some(format!("write it as a list: [{s}]"));
                    }
                }
                Vec::new()
            }
        }
    }

    fn dependency(&mut self, idx: NodeIdx, place: Place, owner: NodeId) -> Option<Dependency> {
        let what = place.noun();
        let doc = self.doc;
        if !matches!(doc.get(idx).0, Value::Map(_)) {
            if matches!(doc.get(idx).0, Value::Seq(_)) {
                self.wrong_type(idx, &format!("an item of {what}"), "an id or a mapping");
                return None;
            }
            let target = self.reference(idx, Want::Any, place, Some(owner))?;
            return Some(Dependency::On {
                target,
                mode: Mode::Hard,
            });
        }
        let fields = self.fields(idx, Context::Dependency, what)?;
        let get = |name: &str| fields.iter().find(|f| f.key == name);
        let (on, any_of, mode_field, min_field) =
            (get("on"), get("any_of"), get("mode"), get("min"));
        let mode = match mode_field {
            Some(f) => self.mode(f)?,
            None => Mode::Hard,
        };
        match (on, any_of) {
            (Some(_), Some(second)) => {
                self.report(
                    Problem::new(
                        Code::DependencyShape,
                        "a dependency has either `on` or `any_of`, not both",
                        Label::new(second.key_span, "second target given here"),
                    )
                    .with_help("split it into two dependencies"),
                );
                None
            }
            (None, None) => {
                self.report(
                    Problem::new(
                        Code::DependencyShape,
                        "a dependency needs `on` or `any_of`",
                        Label::new(self.span(idx), "neither `on` nor `any_of`"),
                    )
                    .with_help("write `{ on: ID }` or `{ any_of: [ID, ID] }`"),
                );
                None
            }
            (Some(on), None) => {
                if let Some(min) = min_field {
                    self.report(
                        Problem::new(
                            Code::DependencyShape,
                            "`min` applies to `any_of` groups only",
                            Label::new(min.key_span, "not with `on`"),
                        )
                        .with_help("remove `min`, or make this an `any_of` group"),
                    );
                }
                let target = self.reference(on.value, Want::Any, Place::On, Some(owner))?;
                Some(Dependency::On { target, mode })
            }
            (None, Some(group)) => {
                let members = self.any_of_members(group, owner)?;
                let min = self.group_min(min_field, members.len(), "the `any_of` group")?;
                self.st.groups.push(AnyOf {
                    members: members.into(),
                    min,
                    mode,
                });
                Some(Dependency::AnyOf(GroupId(self.st.groups.len() as u32 - 1)))
            }
        }
    }

    fn any_of_members(&mut self, group: &Field<'_>, owner: NodeId) -> Option<Vec<NodeId>> {
        let doc = self.doc;
        let items = match doc.get(group.value).0 {
            Value::Seq(items) => items,
            _ if self.is_null(group.value) => &Vec::new(),
            _ => {
                self.wrong_type(group.value, "`any_of`", "a list of ids");
                return None;
            }
        };
        if items.is_empty() {
            self.report(
                Problem::new(
                    Code::EmptyGroup,
                    "`any_of` is empty",
                    Label::new(self.span(group.value), "no alternatives"),
                )
                .with_help("list at least one alternative"),
            );
            return None;
        }
        let mut members = Vec::with_capacity(items.len());
        let mut ok = true;
        for &item in items {
            let member = if matches!(doc.get(item).0, Value::Map(_)) {
                let fields = self.fields(item, Context::AnyOfMember, "an `any_of` member");
                match fields
                    .as_ref()
                    .and_then(|f| f.iter().find(|f| f.key == "on"))
                {
                    Some(on) => self.reference(on.value, Want::Any, Place::On, Some(owner)),
                    None => {
                        if fields.is_some() {
                            self.report(Problem::new(
                                Code::DependencyShape,
                                "an `any_of` member needs `on`",
                                Label::new(self.span(item), "no `on`"),
                            ));
                        }
                        None
                    }
                }
            } else {
                self.reference(item, Want::Any, Place::AnyOf, Some(owner))
            };
            match member {
                Some(m) => members.push(m),
                None => ok = false,
            }
        }
        ok.then_some(members)
    }

    /// `min` of a group of `len` members: 1 when absent, else 1..=len.
    pub(super) fn group_min(
        &mut self,
        field: Option<&Field<'_>>,
        len: usize,
        what: &str,
    ) -> Option<u32> {
        let Some(field) = field else {
            return Some(1);
        };
        let min = self.count(field.value, "`min`")?;
        if min == 0 || min > len as u64 {
            self.report(
                Problem::new(
                    Code::MinOutOfRange,
                    format!("`min` is {min}, but {what} has {len} member{}", plural(len)),
                    Label::new(
                        self.span(field.value),
                        format!("must be between 1 and {len}"),
                    ),
                )
                .with_help(format!("use a `min` from 1 to {len}")),
            );
            return None;
        }
        Some(min as u32)
    }

    pub(super) fn mode(&mut self, field: &Field<'_>) -> Option<Mode> {
        self.choice(field.value, "`mode`", &super::fields::MODES, |s| match s {
            "hard" => Some(Mode::Hard),
            "soft" => Some(Mode::Soft),
            _ => None,
        })
    }

    /// A service's `runs_in`.
    pub(super) fn placement(&mut self, idx: NodeIdx, owner: NodeId) -> Option<Placement> {
        let doc = self.doc;
        match doc.get(idx).0 {
            Value::Scalar { .. } => {
                let site = self.reference(idx, Want::Site, Place::RunsIn, Some(owner))?;
                Some(Placement::one(site))
            }
            Value::Seq(items) => {
                let entries = self.placement_entries(idx, items, owner)?;
                Some(Placement::new(entries, 1))
            }
            Value::Map(_) => {
                let fields = self.fields(idx, Context::Placement, "`runs_in`")?;
                let Some(sites) = fields.iter().find(|f| f.key == "sites") else {
                    self.report(
                        Problem::new(
                            Code::MissingField,
                            "a quorum placement needs `sites`",
                            Label::new(self.span(idx), "no `sites`"),
                        )
                        .with_help("write `runs_in: { sites: [a, b, c], min: 2 }`"),
                    );
                    return None;
                };
                let items = match doc.get(sites.value).0 {
                    Value::Seq(items) => items,
                    _ if self.is_null(sites.value) => &Vec::new(),
                    _ => {
                        self.wrong_type(sites.value, "`sites`", "a list of sites");
                        return None;
                    }
                };
                let entries = self.placement_entries(sites.value, items, owner)?;
                let min_field = fields.iter().find(|f| f.key == "min");
                let min = self.group_min(min_field, entries.len(), "the placement")?;
                Some(Placement::new(entries, min))
            }
        }
    }

    fn placement_entries(
        &mut self,
        list: NodeIdx,
        items: &[NodeIdx],
        owner: NodeId,
    ) -> Option<Vec<PlacementEntry>> {
        if items.is_empty() {
            self.report(
                Problem::new(
                    Code::EmptyPlacement,
                    "a placement lists no sites",
                    Label::new(self.span(list), "empty"),
                )
                .with_help("name at least one site, or leave `runs_in` out"),
            );
            return None;
        }
        let mut entries = Vec::with_capacity(items.len());
        let mut ok = true;
        for &item in items {
            match self.placement_entry(item, owner) {
                Some(entry) => entries.push(entry),
                None => ok = false,
            }
        }
        ok.then_some(entries)
    }

    fn placement_entry(&mut self, idx: NodeIdx, owner: NodeId) -> Option<PlacementEntry> {
        if !matches!(self.doc.get(idx).0, Value::Map(_)) {
            let site = self.reference(idx, Want::Site, Place::PlacementEntry, Some(owner))?;
            return Some(PlacementEntry {
                site,
                requires: Requires::default(),
            });
        }
        let fields = self.fields(idx, Context::PlacementEntry, "a placement entry")?;
        let mut requires = Vec::new();
        if let Some(f) = fields.iter().find(|f| f.key == "requires") {
            requires = self.dependencies(f.value, Place::Requires, owner);
        }
        let Some(site) = fields.iter().find(|f| f.key == "site") else {
            self.report(
                Problem::new(
                    Code::MissingField,
                    "a placement entry needs `site`",
                    Label::new(self.span(idx), "no `site`"),
                )
                .with_help("write `{ site: ID, requires: [...] }`"),
            );
            return None;
        };
        let site = self.reference(site.value, Want::Site, Place::Site, Some(owner))?;
        Some(PlacementEntry {
            site,
            requires: Requires::push(&mut self.st.dependencies, requires),
        })
    }
}

fn wrong_kind(what: &str, text: &str, want: Want, span: Span, declared: Declared) -> Problem {
    Problem::new(
        Code::WrongKind,
        format!(
            "{what} must name {}, but `{text}` is {}",
            want.noun(),
            article(declared.kind)
        ),
        Label::new(span, format!("expected {}", want.noun())),
    )
    .with_secondary(Label::new(
        declared.span,
        format!("`{text}` is declared here"),
    ))
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
