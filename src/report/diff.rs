//! `spof diff` as text and JSON.

use std::io::{self, Write};

use super::style::Style;
use super::thousands;
use crate::check::diff::{self, Diff};

/// The human report: added and removed single points of failure, and users at risk.
pub fn write_human(
    out: &mut dyn Write,
    base: &str,
    head: &str,
    d: &Diff,
    style: Style,
) -> io::Result<()> {
    writeln!(out, "single points of failure, {base} → {head}")?;
    if d.added.is_empty() && d.removed.is_empty() {
        writeln!(out, "  no change")?;
    }
    for (sign, list) in [("+ added  ", &d.added), ("- removed", &d.removed)] {
        for s in list {
            let sign = if sign.starts_with('+') {
                style.red(sign)
            } else {
                style.green(sign)
            };
            let mut targets = s
                .targets
                .iter()
                .take(4)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if s.targets.len() > 4 {
                targets.push_str(&format!(" and {} more", s.targets.len() - 4));
            }
            writeln!(
                out,
                "  {sign} {} ({}): takes down {targets}; {} users affected",
                style.bold(&s.id),
                s.kind.as_str(),
                thousands(s.users_affected)
            )?;
        }
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
    let list = |l: &[diff::SpofSummary]| -> Vec<serde_json::Value> {
        l.iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id, "kind": s.kind.as_str(), "takes_down_targets": s.targets,
                    "users_affected": s.users_affected,
                })
            })
            .collect()
    };
    serde_json::json!({
        "added": list(&d.added),
        "removed": list(&d.removed),
        "users_at_risk": {
            "base": d.users_at_risk.0,
            "head": d.users_at_risk.1,
            "change": i128::from(d.users_at_risk.1) - i128::from(d.users_at_risk.0),
        },
    })
}
