//! The architecture as a Graphviz graph, written as DOT text.
//!
//! Layout choices, documented in the README:
//! - each site is a cluster, nested by `within`, holding a small anchor node
//!   (edges to a site point at it) and the services that run only there;
//! - a service that can run in several sites sits outside the clusters, with
//!   a junction ("1 of 2") whose edges go to each site it can run in; a
//!   standby entry with `requires` is a small "standby" node linked to its
//!   site and to what it requires;
//! - other services are grouped by `owner`; integrations sit between the
//!   organisations, linked to provider and fallbacks;
//! - arrows point from a node to what it needs; hard solid, soft dashed.
//!
//! Every id in the DOT text is generated (`n12`, `g3`); ids and names from the
//! file appear only inside quoted labels, escaped, so nothing a user writes
//! can change the graph's structure or turn into HTML.
//!
//! Clusters are flat in the statement list ([`Stmt::Open`] ... [`Stmt::Close`]),
//! so neither building nor writing a graph recurses, however deep sites nest
//! through `within`: writing costs the size of the text.

use std::collections::BTreeMap;

use crate::engine::State;
use crate::model::{Architecture, Dependency, Mode, NodeDetail, NodeId, NodeKind, Placement};

use super::thousands;

/// What to draw on top of the architecture.
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    /// State of every node under `--fail`, if given.
    pub states: Option<Vec<State>>,
    /// The failed nodes of the scenario.
    pub failed: Vec<NodeId>,
    /// Single points of failure to mark (`--spofs`).
    pub spofs: Vec<NodeId>,
    /// Only these nodes are drawn (`--focus`); all when `None`.
    pub only: Option<Vec<bool>>,
    /// Group by file instead of owner (`--group file`): each file's name,
    /// indexed by `Span::file`.
    pub files: Option<Vec<String>>,
}

/// Quotes text for a DOT label so that `dot` shows it as written.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            // Graphviz reads `&amp;` in a label as `&`: escape it so ids show as written.
            '&' => out.push_str("&amp;"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `key="value"`, the value already quoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute(String, String);

/// A node statement: its generated name and attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// `n12`, `g3`, `legend0`: never text from the file.
    pub name: String,
    /// Its attributes, in order.
    pub attributes: Vec<Attribute>,
}

/// One statement of the DOT text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// A graph or cluster attribute.
    Attribute(Attribute),
    /// `node[...]`: defaults for the nodes that follow.
    NodeDefaults(Vec<Attribute>),
    /// `edge[...]`: defaults for the edges that follow.
    EdgeDefaults(Vec<Attribute>),
    /// A node.
    Node(Node),
    /// `from -> to [...]`.
    Edge(String, String, Vec<Attribute>),
    /// `subgraph NAME {`: a cluster begins.
    Open(String),
    /// `}`: the innermost open cluster ends.
    Close,
}

/// A whole `digraph`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    /// Its statements, clusters flat.
    pub stmts: Vec<Stmt>,
}

fn attr(key: &str, value: &str) -> Attribute {
    Attribute(key.to_string(), quote(value))
}

fn node_name(id: NodeId) -> String {
    format!("n{}", id.0)
}

fn edge(from: &str, to: &str, attributes: Vec<Attribute>) -> Stmt {
    Stmt::Edge(from.to_string(), to.to_string(), attributes)
}

fn dot_node(name: &str, attributes: Vec<Attribute>) -> Stmt {
    Stmt::Node(Node {
        name: name.to_string(),
        attributes,
    })
}

fn style_for(mode: Mode) -> Attribute {
    attr(
        "style",
        if mode == Mode::Soft {
            "dashed"
        } else {
            "solid"
        },
    )
}

struct Drawer<'a> {
    arch: &'a Architecture,
    overlay: &'a Overlay,
    /// Per node: failed by the scenario, marked as a SPOF (looked up once
    /// per node drawn, so flags rather than a search of the overlay's lists).
    is_failed: Vec<bool>,
    is_spof: Vec<bool>,
    helpers: usize,
    edges: Vec<Stmt>,
}

impl<'a> Drawer<'a> {
    fn new(arch: &'a Architecture, overlay: &'a Overlay) -> Self {
        let flags = |ids: &[NodeId]| {
            let mut flags = vec![false; arch.nodes.len()];
            for id in ids {
                flags[id.index()] = true;
            }
            flags
        };
        Drawer {
            arch,
            overlay,
            is_failed: flags(&overlay.failed),
            is_spof: flags(&overlay.spofs),
            helpers: 0,
            edges: Vec::new(),
        }
    }

    fn shown(&self, id: NodeId) -> bool {
        self.overlay.only.as_ref().is_none_or(|o| o[id.index()])
    }

    fn helper_name(&mut self) -> String {
        self.helpers += 1;
        format!("g{}", self.helpers)
    }

    fn label(&self, id: NodeId) -> String {
        let node = self.arch.node(id);
        let mut lines = vec![node.id.to_string()];
        if let Some(name) = node.about.name() {
            if *name != *node.id {
                lines.push(name.to_string());
            }
        }
        let mut facts = Vec::new();
        if let Some(tier) = node.tier() {
            facts.push(tier.as_str().to_string());
        }
        if node.users() > 0 {
            facts.push(format!("{} users", thousands(node.users())));
        }
        if let Some(f) = node.feature() {
            lines.push(f.to_string());
        }
        if !facts.is_empty() {
            lines.push(facts.join(" · "));
        }
        if self.is_spof[id.index()] {
            lines.insert(0, "SINGLE POINT OF FAILURE".to_string());
        }
        lines.join("\n")
    }

    fn node_stmt(&self, id: NodeId) -> Stmt {
        let node = self.arch.node(id);
        let shape = match node.kind() {
            NodeKind::Site => "folder",
            NodeKind::Service if node.is_logical() => "box",
            NodeKind::Service => "box3d",
            NodeKind::Integration => "hexagon",
        };
        let mut attrs = vec![attr("label", &self.label(id)), attr("shape", shape)];
        let mut style = vec!["filled"];
        if node.kind() == NodeKind::Service && node.is_logical() {
            style.push("rounded");
        }
        let (fill, font) = match self.overlay.states.as_ref().map(|s| s[id.index()]) {
            _ if self.is_failed[id.index()] => ("#c0392b", "white"),
            Some(State::Down) => ("#f5b7b1", "black"),
            Some(State::Degraded) => ("#fdebd0", "black"),
            Some(State::Up) => ("#d5f5e3", "black"),
            None => ("white", "black"),
        };
        attrs.push(attr("fillcolor", fill));
        attrs.push(attr("fontcolor", font));
        if self.is_spof[id.index()] {
            attrs.push(attr("color", "#c0392b"));
            attrs.push(attr("penwidth", "3"));
            style.push("bold");
        }
        attrs.push(attr("style", &style.join(",")));
        dot_node(&node_name(id), attrs)
    }

    /// Edges for a dependency list from gate `from`.
    fn dependencies(&mut self, from: &str, deps: &[Dependency], extra: &mut Vec<Stmt>) {
        for dep in deps {
            match dep {
                Dependency::On { target, mode } => {
                    if self.shown(*target) {
                        self.edges
                            .push(edge(from, &node_name(*target), vec![style_for(*mode)]));
                    }
                }
                Dependency::AnyOf(group) => {
                    let group = self.arch.group(*group);
                    let g = self.helper_name();
                    let label = format!("{} of {}", group.min, group.members.len());
                    extra.push(dot_node(&g, junction(&label)));
                    self.edges.push(edge(from, &g, vec![style_for(group.mode)]));
                    let shown: Vec<NodeId> = (group.members.iter().copied())
                        .filter(|m| self.shown(*m))
                        .collect();
                    for m in shown {
                        self.edges
                            .push(edge(&g, &node_name(m), vec![attr("style", "solid")]));
                    }
                }
            }
        }
    }

    fn placement(&mut self, id: NodeId, placement: &Placement, extra: &mut Vec<Stmt>) {
        let me = node_name(id);
        let from = if placement.entries().len() == 1 {
            me.clone()
        } else {
            let g = self.helper_name();
            let label = format!("{} of {}", placement.min(), placement.entries().len());
            extra.push(dot_node(&g, junction(&label)));
            self.edges
                .push(edge(&me, &g, vec![attr("label", "runs in")]));
            g
        };
        for entry in placement.entries() {
            let site = node_name(entry.site);
            if entry.requires.is_empty() {
                if self.shown(entry.site) {
                    self.edges
                        .push(edge(&from, &site, vec![attr("color", "#2c3e50")]));
                }
                continue;
            }
            let g = self.helper_name();
            let label = format!("standby in {}", self.arch.name_of(entry.site));
            extra.push(dot_node(
                &g,
                vec![
                    attr("label", &label),
                    attr("shape", "note"),
                    attr("fontsize", "10"),
                    attr("style", "dashed"),
                ],
            ));
            self.edges.push(edge(&from, &g, vec![]));
            if self.shown(entry.site) {
                self.edges
                    .push(edge(&g, &site, vec![attr("color", "#2c3e50")]));
            }
            let before = self.edges.len();
            let arch = self.arch;
            self.dependencies(&g, arch.requires(entry), extra);
            for e in &mut self.edges[before..] {
                if let Stmt::Edge(_, _, attributes) = e {
                    attributes.push(attr("label", "requires"));
                    attributes.push(attr("color", "#8e44ad"));
                }
            }
        }
    }
}

fn junction(label: &str) -> Vec<Attribute> {
    vec![
        attr("label", label),
        attr("shape", "diamond"),
        attr("fontsize", "9"),
        attr("style", "filled"),
        attr("fillcolor", "#ecf0f1"),
    ]
}

/// The single site a service runs in, when it runs in exactly one.
fn home_site(detail: &NodeDetail) -> Option<NodeId> {
    match detail {
        NodeDetail::Service {
            runs_in: Some(p), ..
        } if p.entries().len() == 1 => Some(p.entries()[0].site),
        _ => None,
    }
}

/// Builds the whole graph.
pub fn graph(arch: &Architecture, overlay: &Overlay) -> Graph {
    let mut d = Drawer::new(arch, overlay);
    let mut top = preamble(arch);
    let groups = Groups::of(&d);
    let mut extra = Vec::new();
    for &site in &groups.roots {
        clusters(&d, site, &groups, &mut top);
    }
    for (i, (owner, ids)) in groups.by_owner.iter().enumerate() {
        let mut stmts = vec![
            Stmt::Attribute(attr("label", owner)),
            Stmt::Attribute(attr("style", "dotted")),
        ];
        stmts.extend(ids.iter().map(|&id| d.node_stmt(id)));
        top.push(Stmt::Open(format!("cluster_owner_{i}")));
        top.extend(stmts);
        top.push(Stmt::Close);
    }
    for &id in &groups.loose {
        top.push(d.node_stmt(id));
    }
    // Edges, in file order.
    let drawn: Vec<NodeId> = arch.node_ids().filter(|&id| d.shown(id)).collect();
    for id in drawn {
        d.edges_of(id, &mut extra);
    }
    top.extend(extra);
    if overlay.states.is_some() || !overlay.spofs.is_empty() {
        top.extend(legend(overlay));
    }
    top.append(&mut d.edges);
    Graph { stmts: top }
}

/// Where each drawn node goes: inside a site's cluster, in its owner's
/// group, or loose; and which sites nest in which.
struct Groups {
    inside: BTreeMap<NodeId, Vec<NodeId>>,
    children: BTreeMap<NodeId, Vec<NodeId>>,
    roots: Vec<NodeId>,
    by_owner: BTreeMap<String, Vec<NodeId>>,
    loose: Vec<NodeId>,
}

impl Groups {
    fn of(d: &Drawer<'_>) -> Groups {
        let mut g = Groups {
            inside: BTreeMap::new(),
            children: BTreeMap::new(),
            roots: Vec::new(),
            by_owner: BTreeMap::new(),
            loose: Vec::new(),
        };
        for id in d.arch.node_ids().filter(|&id| d.shown(id)) {
            let node = d.arch.node(id);
            match &node.detail {
                NodeDetail::Site { within, .. } => match within.filter(|w| d.shown(*w)) {
                    Some(parent) => g.children.entry(parent).or_default().push(id),
                    None => g.roots.push(id),
                },
                NodeDetail::Integration { .. } if d.overlay.files.is_none() => g.loose.push(id),
                detail => match home_site(detail).filter(|s| d.shown(*s)) {
                    Some(site) => g.inside.entry(site).or_default().push(id),
                    None => match group_of(d, node) {
                        Some(group) => g.by_owner.entry(group).or_default().push(id),
                        None => g.loose.push(id),
                    },
                },
            }
        }
        g
    }
}

/// The group a node outside the site clusters is drawn in: its file's name
/// (`--group file`) or its owner.
fn group_of(d: &Drawer<'_>, node: &crate::model::Node) -> Option<String> {
    match &d.overlay.files {
        Some(names) => names.get(node.id_span.file.index()).cloned(),
        None => node.about.owner().map(str::to_string),
    }
}

/// The graph's own attributes.
fn preamble(arch: &Architecture) -> Vec<Stmt> {
    let mut top = vec![
        Stmt::Attribute(attr("rankdir", "LR")),
        Stmt::Attribute(attr("compound", "true")),
        Stmt::Attribute(attr("fontname", "Helvetica")),
        Stmt::Attribute(attr("newrank", "true")),
    ];
    if let Some(name) = &arch.name {
        top.push(Stmt::Attribute(attr("label", name)));
        top.push(Stmt::Attribute(attr("labelloc", "t")));
    }
    top.push(Stmt::NodeDefaults(vec![
        attr("fontname", "Helvetica"),
        attr("fontsize", "11"),
    ]));
    top.push(Stmt::EdgeDefaults(vec![
        attr("fontname", "Helvetica"),
        attr("fontsize", "9"),
    ]));
    top
}

impl Drawer<'_> {
    /// The edges out of node `id`: containment, placement, integration and
    /// dependency edges; junction nodes go to `extra`.
    fn edges_of(&mut self, id: NodeId, extra: &mut Vec<Stmt>) {
        let d = self;
        let arch = d.arch;
        let node = arch.node(id);
        let me = node_name(id);
        match &node.detail {
            NodeDetail::Site { within, .. } => {
                if let Some(p) = within.filter(|p| d.shown(*p)) {
                    d.edges.push(edge(
                        &me,
                        &node_name(p),
                        vec![attr("label", "within"), attr("style", "dotted")],
                    ));
                }
            }
            NodeDetail::Service {
                runs_in: Some(p), ..
            } => d.placement(id, p, extra),
            NodeDetail::Service { .. } => {}
            NodeDetail::Integration {
                consumer,
                provider,
                mode,
                fallback,
                ..
            } => {
                if d.shown(*consumer) {
                    d.edges.push(edge(
                        &node_name(*consumer),
                        &me,
                        vec![style_for(*mode), attr("color", "#2980b9")],
                    ));
                }
                if d.shown(*provider) {
                    d.edges.push(edge(
                        &me,
                        &node_name(*provider),
                        vec![attr("label", "provider"), attr("color", "#2980b9")],
                    ));
                }
                let shown: Vec<NodeId> = fallback.iter().copied().filter(|f| d.shown(*f)).collect();
                for f in shown {
                    d.edges.push(edge(
                        &me,
                        &node_name(f),
                        vec![
                            attr("label", "fallback"),
                            attr("style", "dashed"),
                            attr("color", "#27ae60"),
                        ],
                    ));
                }
            }
        }
        d.dependencies(&me, arch.depends_on(node), extra);
    }
}

/// The cluster of `site` and, nested in it, those of the sites within it,
/// depth first with an explicit stack: a `within` chain of any depth costs
/// its length.
fn clusters(d: &Drawer<'_>, root: NodeId, groups: &Groups, out: &mut Vec<Stmt>) {
    // `Some(site)`: open its cluster; `None`: close the innermost.
    let mut stack = vec![Some(root)];
    while let Some(next) = stack.pop() {
        let Some(site) = next else {
            out.push(Stmt::Close);
            continue;
        };
        cluster_head(d, site, groups, out);
        stack.push(None);
        let children = groups.children.get(&site).into_iter().flatten();
        stack.extend(children.rev().map(|&c| Some(c)));
    }
}

/// A site's cluster up to its nested clusters: label, style, its anchor
/// node and what runs only there.
fn cluster_head(d: &Drawer<'_>, site: NodeId, groups: &Groups, out: &mut Vec<Stmt>) {
    let node = d.arch.node(site);
    let kind = match &node.detail {
        NodeDetail::Site { kind, .. } => kind.as_str(),
        _ => "site",
    };
    out.push(Stmt::Open(format!("cluster_{}", node_name(site))));
    out.push(Stmt::Attribute(attr(
        "label",
        &format!("{} ({kind})", node.display_name()),
    )));
    out.push(Stmt::Attribute(attr("style", "rounded")));
    if d.is_failed[site.index()] {
        out.push(Stmt::Attribute(attr("color", "#c0392b")));
        out.push(Stmt::Attribute(attr("penwidth", "3")));
    }
    out.push(d.node_stmt(site));
    for &id in groups.inside.get(&site).into_iter().flatten() {
        out.push(d.node_stmt(id));
    }
}

fn legend(overlay: &Overlay) -> Vec<Stmt> {
    let mut stmts = vec![
        Stmt::Open("cluster_legend".to_string()),
        Stmt::Attribute(attr("label", "legend")),
        Stmt::Attribute(attr("style", "dashed")),
    ];
    let mut entries: Vec<(&str, &str, &str)> = Vec::new();
    if overlay.states.is_some() {
        entries.extend([
            ("failed", "#c0392b", "white"),
            ("down", "#f5b7b1", "black"),
            ("degraded", "#fdebd0", "black"),
            ("up", "#d5f5e3", "black"),
        ]);
    }
    for (i, (label, fill, font)) in entries.iter().enumerate() {
        stmts.push(dot_node(
            &format!("legend{i}"),
            vec![
                attr("label", label),
                attr("shape", "box"),
                attr("style", "filled"),
                attr("fillcolor", fill),
                attr("fontcolor", font),
            ],
        ));
    }
    if !overlay.spofs.is_empty() {
        stmts.push(dot_node(
            "legend_spof",
            vec![
                attr("label", "single point of failure"),
                attr("shape", "box"),
                attr("color", "#c0392b"),
                attr("penwidth", "3"),
            ],
        ));
    }
    stmts.push(Stmt::Close);
    stmts
}

/// Per site: services placed there and how many are critical; per pair of
/// sites: how many dependencies run from one to the other. O(nodes +
/// references × placements).
struct SiteCounts {
    counts: BTreeMap<NodeId, (usize, usize)>,
    links: BTreeMap<(NodeId, NodeId), usize>,
}

impl SiteCounts {
    fn of(arch: &Architecture) -> SiteCounts {
        // The sites each service can run in.
        let homes = |id: NodeId| -> Vec<NodeId> {
            match &arch.node(id).detail {
                NodeDetail::Site { .. } => vec![id],
                NodeDetail::Service {
                    runs_in: Some(p), ..
                } => p.entries().iter().map(|e| e.site).collect(),
                _ => Vec::new(),
            }
        };
        let mut counts: BTreeMap<NodeId, (usize, usize)> = BTreeMap::new();
        let mut links: BTreeMap<(NodeId, NodeId), usize> = BTreeMap::new();
        for id in arch.node_ids() {
            let node = arch.node(id);
            if node.kind() == NodeKind::Service {
                for site in homes(id) {
                    let c = counts.entry(site).or_default();
                    c.0 += 1;
                    if node.tier() == Some(crate::model::Tier::Critical) {
                        c.1 += 1;
                    }
                }
            }
            let mut needs: Vec<NodeId> = Vec::new();
            for dep in arch.depends_on(node) {
                match dep {
                    Dependency::On { target, .. } => needs.push(*target),
                    Dependency::AnyOf(group) => needs.extend(&arch.group(*group).members),
                }
            }
            if let NodeDetail::Site {
                within: Some(p), ..
            } = node.detail
            {
                needs.push(p);
            }
            for from in homes(id) {
                for &to in &needs {
                    for to_site in homes(to) {
                        if to_site != from {
                            *links.entry((from, to_site)).or_default() += 1;
                        }
                    }
                }
            }
        }
        SiteCounts { counts, links }
    }
}

/// Each site as one node with what runs there counted, and one edge per pair
/// of sites whose services depend on each other (`--collapse`): the shape of
/// a large architecture, small enough for `dot`.
pub fn collapsed_graph(arch: &Architecture, overlay: &Overlay) -> Graph {
    let d = Drawer::new(arch, overlay);
    let SiteCounts { counts, links } = SiteCounts::of(arch);
    let mut stmts = vec![
        Stmt::Attribute(attr("rankdir", "LR")),
        Stmt::Attribute(attr("fontname", "Helvetica")),
        Stmt::NodeDefaults(vec![attr("fontname", "Helvetica"), attr("fontsize", "11")]),
    ];
    if let Some(name) = &arch.name {
        stmts.push(Stmt::Attribute(attr(
            "label",
            &format!("{name} (sites collapsed)"),
        )));
        stmts.push(Stmt::Attribute(attr("labelloc", "t")));
    }
    for id in arch
        .node_ids()
        .filter(|&id| arch.node(id).kind() == NodeKind::Site)
    {
        let Stmt::Node(mut n) = d.node_stmt(id) else {
            continue;
        };
        let (services, critical) = counts.get(&id).copied().unwrap_or_default();
        let mut label = d.label(id);
        label.push_str(&format!("\n{services} services"));
        if critical > 0 {
            label.push_str(&format!(", {critical} critical"));
        }
        n.attributes[0] = attr("label", &label);
        stmts.push(Stmt::Node(n));
    }
    for ((from, to), count) in links {
        let label = if count == 1 {
            "1 dependency".to_string()
        } else {
            format!("{count} dependencies")
        };
        stmts.push(edge(
            &node_name(from),
            &node_name(to),
            vec![attr("label", &label)],
        ));
    }
    if overlay.states.is_some() || !overlay.spofs.is_empty() {
        stmts.extend(legend(overlay));
    }
    Graph { stmts }
}

/// The DOT text of a graph, ending with a newline.
/// Levels of indentation written at most.
const MAX_INDENT: usize = 16;

/// The DOT text of a graph: two spaces of indent per open cluster, as
/// graphviz-rust printed it before (byte for byte). Linear in the text.
pub fn to_dot(graph: &Graph) -> String {
    use std::fmt::Write as _;
    let mut text = String::from("digraph spof {\n");
    let mut depth = 1;
    for stmt in &graph.stmts {
        if *stmt == Stmt::Close {
            depth -= 1;
        }
        // Indentation is for people; past a few levels it would make the
        // text grow with the square of a `within` chain's depth.
        for _ in 0..depth.min(MAX_INDENT) {
            text.push_str("  ");
        }
        let _ = match stmt {
            Stmt::Attribute(Attribute(k, v)) => write!(text, "{k}={v}"),
            Stmt::NodeDefaults(a) => write!(text, "node{}", attributes(a)),
            Stmt::EdgeDefaults(a) => write!(text, "edge{}", attributes(a)),
            Stmt::Node(n) => write!(text, "{}{}", n.name, attributes(&n.attributes)),
            Stmt::Edge(from, to, a) if a.is_empty() => write!(text, "{from} -> {to}"),
            Stmt::Edge(from, to, a) => write!(text, "{from} -> {to} {}", attributes(a)),
            Stmt::Open(name) => write!(text, "subgraph {name} {{"),
            Stmt::Close => write!(text, "}}"),
        };
        text.push('\n');
        if matches!(stmt, Stmt::Open(_)) {
            depth += 1;
        }
    }
    text.push_str("}\n");
    text
}

/// `[k="v" k2="v2"]`, or nothing.
fn attributes(list: &[Attribute]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = list
        .iter()
        .map(|Attribute(k, v)| format!("{k}={v}"))
        .collect();
    format!("[{}]", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting_keeps_text_as_written() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote("two\nlines"), r#""two\nlines""#);
        assert_eq!(quote("<b>{x} -> y</b>"), r#""<b>{x} -> y</b>""#);
        assert_eq!(quote("판교 🔥"), "\"판교 🔥\"");
    }
}
