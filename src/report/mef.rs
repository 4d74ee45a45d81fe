//! Open-PSA MEF XML for a fault tree, so SCRAM and other fault-tree tools
//! can take over (common-cause models, uncertainty, importance).
//!
//! Names in MEF must be identifiers, and ids here may be anything, so gates
//! and events get generated names (`g12`, `e3`) and carry the id in a
//! `<label>`.

use std::fmt::Write as _;

use crate::engine::fault_tree::{Arg, FaultTree, Logic};
use crate::engine::graph::GateId;
use crate::model::{Architecture, NodeId};

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The MEF name of a gate.
pub fn gate_name(gate: GateId) -> String {
    format!("g{}", gate.index())
}

/// The MEF name of a basic event.
pub fn event_name(id: NodeId) -> String {
    format!("e{}", id.0)
}

/// One argument as a MEF formula: a gate or a basic event.
fn formula(a: &Arg) -> String {
    match a {
        Arg::Gate(r) => format!("<gate name=\"{}\"/>", gate_name(*r)),
        Arg::Basic(id) => format!("<basic-event name=\"{}\"/>", event_name(*id)),
    }
}

/// A fault tree as an Open-PSA MEF document.
pub fn write(arch: &Architecture, tree: &FaultTree) -> String {
    let mut out = String::new();
    let target = arch.name_of(tree.target);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opsa-mef>\n");
    let _ = writeln!(out, "  <define-fault-tree name=\"spof\">");
    let _ = writeln!(out, "    <label>{} is down</label>", xml(target));
    for g in &tree.gates {
        let _ = writeln!(out, "    <define-gate name=\"{}\">", gate_name(g.gate));
        let _ = writeln!(
            out,
            "      <label>{}</label>",
            xml(g.node.map_or("group", |n| arch.name_of(n)))
        );
        let single = g.args.len() == 1;
        let (open, close) = match g.logic {
            _ if single => (String::new(), ""),
            Logic::Or => ("<or>".to_string(), "</or>"),
            Logic::AtLeast(k) if k as usize == g.args.len() => ("<and>".to_string(), "</and>"),
            Logic::AtLeast(1) => ("<or>".to_string(), "</or>"),
            Logic::AtLeast(k) => (format!("<atleast min=\"{k}\">"), "</atleast>"),
            Logic::False => {
                let _ = writeln!(out, "      <constant value=\"false\"/>\n    </define-gate>");
                continue;
            }
        };
        // A lone argument is the formula itself: MEF wants two or more in an `or`.
        let indent = if single { "      " } else { "        " };
        if !single {
            let _ = writeln!(out, "      {open}");
        }
        // An at-least gate counts a member listed twice twice, but MEF
        // readers refuse a repeated argument: the repeat goes through a
        // pass-through gate of its own, defined after this one.
        let mut seen = std::collections::HashSet::new();
        let mut repeats = Vec::new();
        for (i, a) in g.args.iter().enumerate() {
            let reference = if seen.insert(a) {
                formula(a)
            } else {
                let name = format!("{}_again{i}", gate_name(g.gate));
                repeats.push((name.clone(), a));
                format!("<gate name=\"{name}\"/>")
            };
            let _ = writeln!(out, "{indent}{reference}");
        }
        if !single {
            let _ = writeln!(out, "      {close}");
        }
        let _ = writeln!(out, "    </define-gate>");
        for (name, a) in repeats {
            let _ = writeln!(
                out,
                "    <define-gate name=\"{name}\">\n      {}\n    </define-gate>",
                formula(a)
            );
        }
    }
    let _ = writeln!(out, "  </define-fault-tree>\n  <model-data>");
    for &id in &tree.basic_events {
        let _ = writeln!(out, "    <define-basic-event name=\"{}\">", event_name(id));
        let _ = writeln!(out, "      <label>{}</label>", xml(arch.name_of(id)));
        let p = arch.node(id).availability.get().map_or(0.0, |a| 1.0 - a);
        let _ = writeln!(
            out,
            "      <float value=\"{p}\"/>\n    </define-basic-event>"
        );
    }
    let _ = writeln!(out, "  </model-data>\n</opsa-mef>");
    out
}
