//! `spof diff` as text and JSON.

use std::io::{self, Write};

use super::style::Style;
use super::thousands;
use crate::check::diff::{self, Diff};

/// At most four ids, then how many more.
fn some(ids: &[String]) -> String {
    let mut text = ids.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 4 {
        text.push_str(&format!(" and {} more", ids.len() - 4));
    }
    text
}

/// The human report: added, grown and removed single points of failure,
/// and users at risk.
pub fn write_human(
    out: &mut dyn Write,
    base: &str,
    head: &str,
    d: &Diff,
    style: Style,
) -> io::Result<()> {
    writeln!(out, "single points of failure, {base} → {head}")?;
    if d.added.is_empty() && d.grown.is_empty() && d.removed.is_empty() {
        writeln!(out, "  no change")?;
    }
    for s in &d.added {
        writeln!(
            out,
            "  {} {} ({}): takes down {}; {} users affected",
            style.red("+ added  "),
            style.bold(&s.id),
            s.kind.as_str(),
            some(&s.targets),
            thousands(s.users_affected)
        )?;
    }
    for g in &d.grown {
        let newly = if g.newly_takes_down.is_empty() {
            String::new()
        } else {
            format!("now also takes down {}; ", some(&g.newly_takes_down))
        };
        writeln!(
            out,
            "  {} {} ({}): {newly}users affected {} → {}",
            style.red("↑ grown  "),
            style.bold(&g.head.id),
            g.head.kind.as_str(),
            thousands(g.users_affected_base),
            thousands(g.head.users_affected)
        )?;
    }
    for s in &d.removed {
        writeln!(
            out,
            "  {} {} ({}): took down {}; {} users affected",
            style.green("- removed"),
            style.bold(&s.id),
            s.kind.as_str(),
            some(&s.targets),
            thousands(s.users_affected)
        )?;
    }
    let (before, after) = d.users_at_risk;
    let change = i128::from(after) - i128::from(before);
    let sign = if change > 0 {
        "+"
    } else if change < 0 {
        "-"
    } else {
        "±"
    };
    writeln!(
        out,
        "users at risk: {} → {} ({sign}{})",
        thousands(before),
        thousands(after),
        thousands(change.unsigned_abs() as u64)
    )
}

/// The JSON document of a diff.
pub fn to_json(d: &Diff) -> serde_json::Value {
    let entry = |s: &diff::SpofSummary| {
        serde_json::json!({
            "id": s.id, "kind": s.kind.as_str(), "takes_down": s.takes_down,
            "takes_down_targets": s.targets, "users_affected": s.users_affected,
        })
    };
    let grown: Vec<serde_json::Value> = d
        .grown
        .iter()
        .map(|g| {
            let mut e = entry(&g.head);
            e["newly_takes_down"] = serde_json::json!(g.newly_takes_down);
            e["users_affected_base"] = serde_json::json!(g.users_affected_base);
            e
        })
        .collect();
    serde_json::json!({
        "added": d.added.iter().map(entry).collect::<Vec<_>>(),
        "grown": grown,
        "removed": d.removed.iter().map(entry).collect::<Vec<_>>(),
        "users_at_risk": {
            "base": d.users_at_risk.0,
            "head": d.users_at_risk.1,
            "change": i128::from(d.users_at_risk.1) - i128::from(d.users_at_risk.0),
        },
    })
}
