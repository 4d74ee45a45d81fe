//! The top level of a file, its three sections, and the body of each node.

use crate::code::Code;
use crate::diagnostic::{Label, Pos, Problem, Span};
use crate::model::{About, DependsOn, Id, Notes, Suppression};
use crate::model::{Architecture, Mode, Node, NodeDetail, NodeId, NodeKind, SiteKind, Tier};
use crate::rule::Rule;
use crate::yaml::scalar::Resolved;
use crate::yaml::tree::{NodeIdx, Value};

use super::checker::{Checker, Field};
use super::fields::Context;
use super::references::{Place, Want};
use super::symbols::{Declared, Repeat};

/// The sections of a file, in model order.
pub(super) const SECTIONS: [(&str, NodeKind); 3] = [
    ("sites", NodeKind::Site),
    ("services", NodeKind::Service),
    ("integrations", NodeKind::Integration),
];

/// The names of [`SECTIONS`], as the YAML reader's stream takes them.
pub(super) const SECTION_NAMES: [&str; 3] = ["sites", "services", "integrations"];

/// A node found in a section, before its body is read.
struct Entry<'d> {
    id: &'d str,
    id_span: Span,
    body: NodeIdx,
    kind: NodeKind,
}

impl<'d> Checker<'d, '_, '_> {
    /// Checks one entry of a section: its id, then (for the first
    /// declaration of the id) its body, kept as a node. `streamed` is true
    /// when the YAML reader did not see the section's keys, so that a key
    /// given twice is reported here.
    pub(super) fn entry(&mut self, key: NodeIdx, body: NodeIdx, kind: NodeKind, streamed: bool) {
        let id_span = self.span(key);
        let Some((id, sym)) = self.declare_entry(key, id_span, kind, streamed) else {
            return;
        };
        let entry = Entry {
            id,
            id_span,
            body,
            kind,
        };
        let mut node = self.node(&entry, sym);
        node.id = self.st.symbols.take_building();
        self.st.nodes.push(node);
        self.st.syms.push(sym);
    }

    /// Checks one entry of the streamed section `SECTIONS[which]`, as the
    /// YAML reader hands it over.
    pub(super) fn streamed_entry(&mut self, which: usize, key: NodeIdx, body: NodeIdx) {
        self.entry(key, body, SECTIONS[which].1, true);
    }

    /// Checks and declares an entry's id: its symbol, when the id is valid
    /// and declared here first (a second declaration's body is not read).
    fn declare_entry(
        &mut self,
        key: NodeIdx,
        id_span: Span,
        kind: NodeKind,
        streamed: bool,
    ) -> Option<(&'d str, NodeId)> {
        let id = match self.id_key(key) {
            Ok(id) => id,
            Err(problem) => {
                if streamed {
                    self.invalid_key_repeat(key, kind, id_span);
                }
                // After the key's repeat, as the YAML reader reports it first.
                self.report(*problem);
                return None;
            }
        };
        // Its node is read next, and pushed after the ones before it.
        let at = self.st.nodes.len() as u32;
        let (sym, before) = self.st.symbols.declare(id, kind, at, &self.st.nodes);
        let first = if before {
            self.st.declared(sym)
        } else {
            self.st.building = id_span;
            None
        };
        if streamed {
            if let Some(repeat) = same_section(first, kind, id_span) {
                // YAML keeps the first of a repeated key.
                self.repeated_key(id, id_span, Some(repeat));
                return None;
            }
            if first.is_none() {
                let repeat = self.invalid_key(id, kind, id_span);
                self.repeated_key(id, id_span, repeat);
            }
        }
        let Some(first) = first else {
            return Some((id, sym));
        };
        // In one section of one file a repeat is a duplicate key, reported
        // by the YAML reader (or above, when streamed).
        if first.kind != kind || first.span.file != id_span.file {
            let text = id.into();
            let span = id_span;
            self.st.repeats.push(Repeat {
                sym,
                text,
                kind,
                span,
            });
        }
        None
    }

    /// A key of a streamed section that is no valid id: reported if it
    /// repeats a key of the section (`1` after `!!str 1`, or `1` twice),
    /// and kept for the keys after it.
    fn invalid_key_repeat(&mut self, key: NodeIdx, kind: NodeKind, at: Span) {
        let Some(raw) = self.doc.key_text(key) else {
            return;
        };
        let sym = self.st.symbols.get(raw, &self.st.nodes);
        let declared = sym.and_then(|sym| self.st.declared(sym));
        let first = same_section(declared, kind, at).or_else(|| self.invalid_key(raw, kind, at));
        self.repeated_key(raw, at, first);
        let place = (at.file, kind_index(kind), raw.to_string());
        self.st.invalid_keys.entry(place).or_insert(at);
    }

    /// Reports a key of a streamed section that the same section already
    /// has (`first`), as the YAML reader does for the mappings it keeps
    /// whole.
    fn repeated_key(&mut self, raw: &str, at: Span, first: Option<Span>) {
        if let Some(first) = first {
            self.report(crate::yaml::tree::duplicate_key(raw, at, first));
        }
    }

    /// Where a key that is no valid id was first written in the same
    /// section, if it was (such keys are few, and kept).
    fn invalid_key(&self, raw: &str, kind: NodeKind, at: Span) -> Option<Span> {
        if self.st.invalid_keys.is_empty() {
            return None;
        }
        let place = (at.file, kind_index(kind), raw.to_string());
        self.st.invalid_keys.get(&place).copied()
    }

    /// The top level of every file, the entries of the sections that were
    /// not streamed, and what needs every file read: the references to ids
    /// declared further on, repeated ids, the model's numbering, integration
    /// tiers and `within` loops.
    pub(super) fn architecture(&mut self) -> Architecture {
        let mut arch = Architecture::default();
        if self.doc.roots.is_empty() {
            self.missing_version(Span::point(Pos { line: 1, col: 0 }));
            return arch;
        }
        // One root per file of the architecture, the file named on the
        // command line first (§11): one namespace of ids across them.
        for (i, &root) in self.doc.roots.clone().iter().enumerate() {
            let Some(fields) = self.fields(root, Context::Top, "the file") else {
                continue;
            };
            let field = |name: &str| fields.iter().find(|f| f.key == name);
            match field("version") {
                Some(f) => self.version(f),
                None => self.missing_version(Span::point(self.span(root).start)),
            }
            // An included file's name and description describe that file only.
            let name = field("name").and_then(|f| self.string(f.value, "`name`"));
            let description =
                field("description").and_then(|f| self.string(f.value, "`description`"));
            if i == 0 {
                (arch.name, arch.description) = (name, description);
            }
            if let Some(f) = field("include") {
                self.strings(f.value, "`include`");
            }
            // In file order; YAML keeps the first of a repeated key.
            let mut seen = [false; 3];
            for f in &fields {
                if let Some(k) = SECTIONS.iter().position(|&(name, _)| name == f.key) {
                    if !std::mem::replace(&mut seen[k], true) {
                        self.section(f, SECTIONS[k].1);
                    }
                }
            }
        }
        self.check_pending();
        self.report_repeats();
        arch.nodes = self.numbered(&mut arch.ids);
        arch.dependencies = std::mem::take(&mut self.st.dependencies);
        let groups = std::mem::take(&mut self.st.groups);
        arch.groups =
            super::symbols::groups_in_model_order(&arch.nodes, &mut arch.dependencies, groups);
        self.inherit_integration_tiers(&mut arch);
        self.within_cycles(&arch);
        arch
    }

    /// The nodes in model order (sites of every file first, then services,
    /// then integrations, each in file order, whatever the split or the
    /// order sections were read in), renumbered from symbols to model ids.
    /// Reordered in place: the nodes are the bulk of the model, and a
    /// second copy of them would be the load's peak.
    fn numbered(&mut self, ids: &mut crate::model::IdIndex) -> Vec<Node> {
        let mut nodes = std::mem::take(&mut self.st.nodes);
        let mut syms = std::mem::take(&mut self.st.syms);
        let key = |n: &Node| (kind_index(n.kind()), n.id_span);
        if !nodes.is_sorted_by_key(key) {
            let mut order: Vec<usize> = (0..nodes.len()).collect();
            order.sort_unstable_by_key(|&i| key(&nodes[i]));
            permute(&mut nodes, &mut syms, order);
        }
        // The node at place `at` becomes `NodeId(at)` (`numbering`).
        let to = self.st.symbols.numbering(syms);
        for sym in &mut self.st.inherit {
            *sym = to.get(*sym).unwrap_or(*sym);
        }
        *ids = std::mem::take(&mut self.st.symbols.ids);
        super::symbols::renumber_groups(&mut self.st.groups, &|sym| to.get(sym));
        let (dependencies, groups) = (&mut self.st.dependencies, &self.st.groups);
        for (at, node) in nodes.iter_mut().enumerate() {
            let me = NodeId(at as u32);
            super::symbols::renumber(node, (&mut dependencies[..], groups), me, &to);
        }
        nodes
    }

    fn missing_version(&mut self, at: Span) {
        self.report(missing_version(at));
    }

    fn version(&mut self, field: &Field<'_>) {
        if let Some(Resolved::Int(Some(1))) = self.scalar(field.value) {
            return;
        }
        let found = match self.doc.get(field.value).0 {
            Value::Scalar { text, .. } => format!("`{text}`"),
            _ => self.kind_name(field.value).to_string(),
        };
        self.report(
            Problem::new(
                Code::Version,
                format!("unsupported version {found}"),
                Label::new(self.span(field.value), "this tool reads format version 1"),
            )
            .with_help("write `version: 1` (the integer, unquoted)"),
        );
    }

    /// The entries of a section the YAML reader kept whole (one with an
    /// anchor, or in a file with a tab); a streamed one holds none here.
    fn section(&mut self, field: &Field<'d>, kind: NodeKind) {
        let doc = self.doc;
        let pairs = match doc.get(field.value).0 {
            Value::Map(pairs) => pairs,
            _ if self.is_null(field.value) => return,
            _ => {
                let what = format!("`{}`", field.key);
                self.wrong_type(field.value, &what, "a mapping of id to definition");
                return;
            }
        };
        for &(key, body) in pairs {
            self.entry(key, body, kind, false);
        }
    }

    /// Reports each id declared more than once in two sections or two
    /// files, once, pointing at every place it is declared.
    fn report_repeats(&mut self) {
        let mut repeats = std::mem::take(&mut self.st.repeats);
        repeats.sort_by_key(|r| r.sym);
        for group in repeats.chunk_by(|a, b| a.sym == b.sym) {
            let Some(first) = self.st.declared(group[0].sym) else {
                continue;
            };
            let mut sections = vec![section_name(first.kind)];
            sections.extend(group.iter().map(|r| section_name(r.kind)));
            sections.dedup();
            let files = group.iter().any(|r| r.span.file != first.span.file);
            let message = if files {
                format!("`{}` is declared in two files", group[0].text)
            } else {
                format!(
                    "`{}` is declared in {}",
                    group[0].text,
                    sections.join(" and ")
                )
            };
            let mut problem = Problem::new(
                Code::DuplicateId,
                message,
                Label::new(group[0].span, "declared again here"),
            )
            .with_secondary(Label::new(first.span, "first declared here"))
            .with_help("all ids share one namespace: rename one of them");
            for extra in &group[1..] {
                problem = problem.with_secondary(Label::new(extra.span, "and here"));
            }
            self.report(problem);
        }
    }

    fn node(&mut self, entry: &Entry<'d>, me: NodeId) -> Node {
        let ctx = match entry.kind {
            NodeKind::Site => Context::Site,
            NodeKind::Service => Context::Service,
            NodeKind::Integration => Context::Integration,
        };
        // The body's name is formatted only when it is not a mapping (the one
        // message that uses it), not once for every node of a large file.
        let fields = if matches!(self.doc.get(entry.body).0, Value::Map(_)) {
            self.fields(entry.body, ctx, "")
        } else {
            let what = format!("the definition of `{}`", entry.id);
            self.fields(entry.body, ctx, &what)
        };
        let fields = fields.unwrap_or_default();
        let field = |name: &str| fields.iter().find(|f| f.key == name);
        let mut node = Node {
            // Taken from the symbols once the node is read (`entry`).
            id: Id::default(),
            about: About::new(
                field("name").and_then(|f| self.text(f.value, "`name`")),
                field("owner").and_then(|f| self.text(f.value, "`owner`")),
                Notes {
                    description: field("description")
                        .and_then(|f| self.string(f.value, "`description`")),
                    // An integration's is read with its other fields.
                    feature: None,
                    tags: field("tags").map_or_else(Vec::new, |f| self.strings(f.value, "`tags`")),
                    suppressions: field("x-spof-ignore")
                        .map_or_else(Vec::new, |f| self.suppressions(f.value)),
                },
            ),
            availability: field("availability")
                .and_then(|f| self.availability(f))
                .into(),
            depends_on: match field("depends_on") {
                Some(f) => {
                    let list = self.dependencies(f.value, Place::DependsOn, me);
                    DependsOn::push(&mut self.st.dependencies, list)
                }
                None => DependsOn::default(),
            },
            detail: NodeDetail::Site {
                kind: SiteKind::Datacenter,
                within: None,
                operator: None,
            },
            id_span: entry.id_span.into(),
        };
        let tier = |c: &mut Self| {
            field("tier").and_then(|f| c.choice(f.value, "`tier`", &Tier::NAMES, Tier::parse))
        };
        let users = |c: &mut Self| {
            let f = field("users")?;
            let n = c.count(f.value, "`users`")?;
            match c.st.users_total.checked_add(n) {
                Some(total) => c.st.users_total = total,
                None => c.report(
                    Problem::new(
                        Code::InvalidNumber,
                        "the users of all nodes add up past 18,446,744,073,709,551,615",
                        Label::new(c.span(f.value), "the total passes 64 bits here"),
                    )
                    .with_help("spof adds users up to report who is affected; count them in thousands or millions"),
                ),
            }
            Some(n)
        };
        node.detail = match entry.kind {
            NodeKind::Site => NodeDetail::Site {
                kind: field("kind")
                    .and_then(|f| self.choice(f.value, "`kind`", &SiteKind::NAMES, SiteKind::parse))
                    .unwrap_or_default(),
                within: field("within")
                    .and_then(|f| self.reference(f.value, Want::Site, Place::Within, Some(me))),
                operator: field("operator").and_then(|f| self.text(f.value, "`operator`")),
            },
            NodeKind::Service => NodeDetail::Service {
                tier: tier(self).unwrap_or_default(),
                users: users(self).unwrap_or(0),
                logical: field("logical")
                    .and_then(|f| self.boolean(f.value, "`logical`"))
                    .unwrap_or(false),
                external: field("external")
                    .and_then(|f| self.boolean(f.value, "`external`"))
                    .unwrap_or(false),
                runs_in: field("runs_in").and_then(|f| self.placement(f.value, me)),
            },
            NodeKind::Integration => {
                let mut side = |name: &str, place: Place| match field(name) {
                    Some(f) => self.reference(f.value, Want::Service, place, Some(me)),
                    None => {
                        self.report(
                            Problem::new(
                                Code::MissingField,
                                format!("integration `{}` has no `{name}`", entry.id),
                                Label::new(entry.id_span, format!("`{name}` missing")),
                            )
                            .with_help(format!("name the service in `{name}: SERVICE_ID`")),
                        );
                        None
                    }
                };
                let consumer = side("consumer", Place::Consumer);
                let provider = side("provider", Place::Provider);
                let fallback = match field("fallback") {
                    Some(f) => self.fallbacks(f, me),
                    None => Vec::new(),
                };
                // In the notes: few nodes have one, and every node would
                // carry its room.
                if let Some(feature) =
                    field("feature").and_then(|f| self.text(f.value, "`feature`"))
                {
                    node.about.notes_mut().feature = Some(feature);
                }
                NodeDetail::Integration {
                    consumer: consumer.unwrap_or(me),
                    provider: provider.unwrap_or(me),
                    mode: field("mode")
                        .and_then(|f| self.mode(f))
                        .unwrap_or(Mode::Hard),
                    fallback: fallback.into(),
                    // Marked as unset with Low + INHERIT until the consumer is known.
                    tier: tier(self).unwrap_or(INHERIT_TIER),
                    users: users(self).unwrap_or(0),
                }
            }
        };
        if entry.kind == NodeKind::Integration && field("tier").is_none() {
            self.st.inherit.push(me);
        }
        node
    }

    /// `x-spof-ignore: [{ rule: RULE, reason: WHY }]`: check findings
    /// silenced on this node. A reason is required: it is what a reviewer reads.
    fn suppressions(&mut self, idx: NodeIdx) -> Vec<Suppression> {
        let doc = self.doc;
        let items = match doc.get(idx).0 {
            Value::Seq(items) => items,
            _ => {
                self.wrong_type(
                    idx,
                    "`x-spof-ignore`",
                    "a list of `{ rule: RULE, reason: WHY }`",
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for &item in items {
            let (Value::Map(entries), span) = doc.get(item) else {
                self.wrong_type(
                    item,
                    "an `x-spof-ignore` entry",
                    "a mapping `{ rule: RULE, reason: WHY }`",
                );
                continue;
            };
            let mut rule = None;
            let mut reason = None;
            for &(k, v) in entries {
                match doc.get(k).0 {
                    Value::Scalar { text: "rule", .. } => rule = Some(v),
                    Value::Scalar { text: "reason", .. } => reason = Some(v),
                    _ => self.report(Problem::new(
                        Code::Suppression,
                        "an `x-spof-ignore` entry has only `rule` and `reason`",
                        Label::new(self.span(k), "unknown field"),
                    )),
                }
            }
            let rule = rule.and_then(|r| self.string(r, "`rule`").map(|t| (t, r)));
            let reason = reason
                .and_then(|r| self.string(r, "`reason`"))
                .filter(|r| !r.trim().is_empty());
            let Some((rule, rule_idx)) = rule else {
                self.report(
                    Problem::new(
                        Code::Suppression,
                        "an `x-spof-ignore` entry needs the `rule` it silences",
                        Label::new(span, "no rule"),
                    )
                    .with_help("run `spof explain` for the rules"),
                );
                continue;
            };
            let Some(parsed) = Rule::parse(&rule) else {
                let codes = Rule::ALL.map(Rule::slug);
                let help = crate::suggest::hint(rule.trim_start_matches("spof/"), codes)
                    .unwrap_or_else(|| format!("the rules are {}", codes.join(", ")));
                self.report(
                    Problem::new(
                        Code::Suppression,
                        format!("no check rule is called `{rule}`"),
                        Label::new(self.span(rule_idx), "unknown rule"),
                    )
                    .with_help(help),
                );
                continue;
            };
            let Some(reason) = reason else {
                self.report(
                    Problem::new(
                        Code::Suppression,
                        "an `x-spof-ignore` entry needs a `reason`",
                        Label::new(span, "no reason given"),
                    )
                    .with_help("say why this finding is accepted, for the next reviewer"),
                );
                continue;
            };
            out.push(Suppression {
                rule: parsed,
                reason,
            });
        }
        out
    }

    fn fallbacks(&mut self, field: &Field<'_>, me: NodeId) -> Vec<NodeId> {
        let doc = self.doc;
        match doc.get(field.value).0 {
            Value::Seq(items) => items
                .iter()
                .filter_map(|&i| self.reference(i, Want::Any, Place::Fallback, Some(me)))
                .collect(),
            _ if self.is_null(field.value) => Vec::new(),
            _ => {
                self.wrong_type(field.value, "`fallback`", "a list of ids");
                Vec::new()
            }
        }
    }

    fn availability(&mut self, field: &Field<'_>) -> Option<f64> {
        let value = match self.scalar(field.value) {
            Some(Resolved::Float(f)) => f,
            Some(Resolved::Int(Some(i))) => i as f64,
            _ => {
                self.wrong_type(field.value, "`availability`", "a number in (0, 1]");
                return None;
            }
        };
        if value > 0.0 && value <= 1.0 {
            return Some(value);
        }
        self.report(
            Problem::new(
                Code::AvailabilityRange,
                format!("`availability` must be above 0 and at most 1, found {value}"),
                Label::new(self.span(field.value), "outside (0, 1]"),
            )
            .with_help("write it as a probability: 99.95% is 0.9995"),
        );
        None
    }

    fn inherit_integration_tiers(&mut self, arch: &mut Architecture) {
        for me in std::mem::take(&mut self.st.inherit) {
            let consumer = match arch.nodes[me.index()].detail {
                NodeDetail::Integration { consumer, .. } => consumer,
                _ => continue,
            };
            let inherited = arch.nodes.get(consumer.index()).and_then(Node::tier);
            if let NodeDetail::Integration { tier, .. } = &mut arch.nodes[me.index()].detail {
                *tier = inherited.unwrap_or_default();
            }
        }
    }

    /// Containment must be a tree: report each `within` loop once.
    fn within_cycles(&mut self, arch: &Architecture) {
        let parent = |id: NodeId| match arch.nodes[id.index()].detail {
            NodeDetail::Site { within, .. } => within,
            _ => None,
        };
        // 0 = unvisited, 1 = on the current path, 2 = done.
        let mut state = vec![0u8; arch.nodes.len()];
        for start in arch.node_ids() {
            let mut path = Vec::new();
            let mut at = Some(start);
            while let Some(node) = at {
                match state[node.index()] {
                    2 => break,
                    1 => {
                        let from = path.iter().position(|&n| n == node).unwrap_or(0);
                        self.report_cycle(arch, &path[from..]);
                        break;
                    }
                    _ => {
                        state[node.index()] = 1;
                        path.push(node);
                        at = parent(node);
                    }
                }
            }
            for node in path {
                state[node.index()] = 2;
            }
        }
    }

    fn report_cycle(&mut self, arch: &Architecture, cycle: &[NodeId]) {
        let names: Vec<&str> = cycle.iter().map(|&n| arch.name_of(n)).collect();
        let mut ring = names.join(" → ");
        ring.push_str(" → ");
        ring.push_str(names[0]);
        let mut problem = Problem::new(
            Code::WithinCycle,
            format!("sites contain each other: {ring}"),
            Label::new(
                arch.node(cycle[0]).id_span.span(),
                "this site is inside itself",
            ),
        )
        .with_help("`within` must form a tree: remove one `within` of the loop");
        for &n in &cycle[1..] {
            problem =
                problem.with_secondary(Label::new(arch.node(n).id_span.span(), "part of the loop"));
        }
        self.report(problem);
    }
}

/// Placeholder tier of an integration that has none of its own, replaced
/// by the consumer's once every node is read.
const INHERIT_TIER: Tier = Tier::Low;

/// The first declaration's place, if it was in the same section as `at`
/// (same kind, same file: a file has one section of each kind).
fn same_section(first: Option<Declared>, kind: NodeKind, at: Span) -> Option<Span> {
    first
        .filter(|d| d.kind == kind && d.span.file == at.file)
        .map(|d| d.span)
}

/// Puts `nodes[order[i]]` (and its symbol) at `i`, in place: each cycle
/// of the permutation is walked once, with swaps. O(n).
fn permute(nodes: &mut [Node], syms: &mut [NodeId], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        // Follow the cycle through `start`, marking each place done.
        while order[at] != start {
            let from = order[at];
            nodes.swap(at, from);
            syms.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

/// Sites, then services, then integrations: the model's order of kinds.
fn kind_index(kind: NodeKind) -> usize {
    match kind {
        NodeKind::Site => 0,
        NodeKind::Service => 1,
        NodeKind::Integration => 2,
    }
}

fn section_name(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Site => "`sites`",
        NodeKind::Service => "`services`",
        NodeKind::Integration => "`integrations`",
    }
}

/// The problem of a file without `version: 1`.
pub(super) fn missing_version(at: Span) -> Problem {
    Problem::new(
        Code::Version,
        "the file has no `version`",
        Label::new(at, "`version: 1` expected in this mapping"),
    )
    .with_help("add `version: 1` at the top of the file")
}
