//! The architecture as a Mermaid flowchart, which GitHub draws in comments,
//! step summaries and Markdown files: the whole graph (`spof diagram
//! --format mermaid`) or one single point of failure's blast radius (in the
//! Markdown report of `check`).
//!
//! Node ids are generated (`n12`); ids and names appear only inside quoted
//! labels, escaped as Mermaid entities, so nothing a file holds changes the
//! chart's structure. Sites nested by `within` are subgraphs, written with an
//! explicit stack (no recursion on a chain's depth).

use std::fmt::Write as _;

use crate::diagnostic::visible;
use crate::model::{Architecture, Dependency, Mode, NodeDetail, NodeId};

/// A label as Mermaid reads it inside `["..."]`: quotes and the characters
/// Mermaid treats as markup written as entities (`#quot;`, `#35;`, ...).
pub fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in visible(text).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn name(id: NodeId) -> String {
    format!("n{}", id.0)
}

/// The whole architecture: sites as nested subgraphs, arrows from a node
/// to what it needs (dotted when soft). Linear in nodes and references.
pub fn graph(arch: &Architecture) -> String {
    let mut out = String::from("flowchart LR\n");
    let mut children: Vec<Vec<NodeId>> = vec![Vec::new(); arch.nodes.len()];
    let mut roots = Vec::new();
    for id in arch.node_ids() {
        match arch.node(id).detail {
            NodeDetail::Site {
                within: Some(p), ..
            } => children[p.index()].push(id),
            NodeDetail::Site { .. } => roots.push(id),
            _ => {}
        }
    }
    // `Some(site)` opens its subgraph, `None` closes the innermost.
    let mut stack: Vec<Option<NodeId>> = roots.iter().rev().map(|&r| Some(r)).collect();
    while let Some(next) = stack.pop() {
        let Some(site) = next else {
            out.push_str("  end\n");
            continue;
        };
        let node = arch.node(site);
        let _ = writeln!(
            out,
            "  subgraph s{}[{}]",
            site.0,
            label(node.display_name())
        );
        let _ = writeln!(out, "    {}[{}]", name(site), label(&node.id));
        stack.push(None);
        stack.extend(children[site.index()].iter().rev().map(|&c| Some(c)));
    }
    for id in arch.node_ids() {
        let node = arch.node(id);
        match &node.detail {
            NodeDetail::Site { .. } => {}
            NodeDetail::Service { .. } => {
                let _ = writeln!(out, "  {}[{}]", name(id), label(&node.id));
            }
            NodeDetail::Integration { .. } => {
                let _ = writeln!(out, "  {}{{{{{}}}}}", name(id), label(&node.id));
            }
        }
    }
    for id in arch.node_ids() {
        edges(arch, id, &mut out);
    }
    out
}

fn edges(arch: &Architecture, id: NodeId, out: &mut String) {
    let me = name(id);
    let mut to = |target: NodeId, mode: Mode| {
        let arrow = if mode == Mode::Soft { "-.->" } else { "-->" };
        let _ = writeln!(out, "  {me} {arrow} {}", name(target));
    };
    let node = arch.node(id);
    match &node.detail {
        NodeDetail::Site {
            within: Some(p), ..
        } => to(*p, Mode::Hard),
        NodeDetail::Service {
            runs_in: Some(p), ..
        } => p.entries().iter().for_each(|e| to(e.site, Mode::Hard)),
        NodeDetail::Integration {
            provider, fallback, ..
        } => {
            to(*provider, Mode::Hard);
            fallback.iter().for_each(|f| to(*f, Mode::Soft));
        }
        _ => {}
    }
    for dep in arch.depends_on(node) {
        match dep {
            Dependency::On { target, mode } => to(*target, *mode),
            Dependency::AnyOf(group) => {
                let group = arch.group(*group);
                group.members.iter().for_each(|m| to(*m, group.mode));
            }
        }
    }
    if let NodeDetail::Integration { consumer, mode, .. } = &node.detail {
        let arrow = if *mode == Mode::Soft { "-.->" } else { "-->" };
        let _ = writeln!(out, "  {} {arrow} {me}", name(*consumer));
    }
}

/// One single point of failure and the targets it takes down (at most
/// `most`, then a count): what a reviewer sees in a pull request.
pub fn blast_radius(arch: &Architecture, spof: NodeId, targets: &[NodeId], most: usize) -> String {
    let mut out = String::from("flowchart LR\n");
    let _ = writeln!(out, "  {}[{}]", name(spof), label(arch.name_of(spof)));
    let _ = writeln!(out, "  style {} fill:#c0392b,color:#fff", name(spof));
    for &t in targets.iter().take(most) {
        let _ = writeln!(out, "  {}[{}]", name(t), label(arch.name_of(t)));
        let _ = writeln!(out, "  {} ==>|takes down| {}", name(spof), name(t));
    }
    if targets.len() > most {
        let more = format!("{} more", targets.len() - most);
        let _ = writeln!(out, "  more[{}]", label(&more));
        let _ = writeln!(out, "  {} ==> more", name(spof));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_out_of_their_quotes() {
        assert_eq!(label("a\"b"), "\"a#quot;b\"");
        assert_eq!(label("x]; click n1 call y"), "\"x]; click n1 call y\"");
        assert_eq!(label("<b>#1</b>"), "\"#lt;b#gt;#35;1#lt;/b#gt;\"");
        assert_eq!(label("\u{1b}[2J"), "\"␛[2J\"");
    }

    #[test]
    fn sites_nest_as_subgraphs_without_recursion() {
        let mut text = String::from("version: 1\nsites:\n  s0: {}\n");
        for i in 1..5000 {
            text.push_str(&format!("  s{i}: {{within: s{}}}\n", i - 1));
        }
        let arch = crate::load::load_str("t.yaml", text).unwrap().arch;
        let chart = graph(&arch);
        assert_eq!(chart.matches("subgraph").count(), 5000);
        assert_eq!(chart.lines().filter(|l| l.trim() == "end").count(), 5000);
    }
}
