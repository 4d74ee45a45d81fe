//! `spof diff BASE HEAD` and `spof diff FILE --base-ref REV`.

use std::path::Path;
use std::process::Command;

use super::{load, report_failure, tell, CmdResult, Format, Io, FINDINGS, INVALID, OK};
use crate::check::diff::{self, Diff};
use crate::load::{self as loader, LoadFailure, Loaded};
use crate::model::Tier;
use crate::report::notice::Notice;
use crate::report::{json, thousands};

pub fn diff(
    base: &Path,
    head: Option<&Path>,
    base_ref: Option<&str>,
    min_tier: Tier,
    format: Format,
    io: &mut Io<'_>,
) -> CmdResult {
    // With --base-ref the one file given is the head; its base comes from git.
    let (base_loaded, head_path) = match base_ref {
        Some(rev) => {
            if head.is_some() {
                tell(io, &Notice::BaseRefWithTwoFiles)?;
                return Ok(INVALID);
            }
            (from_git(rev, base, io)?, base)
        }
        None => (load(base, io)?, head.unwrap_or(base)),
    };
    let head_loaded = load(head_path, io)?;
    let (Some(b), Some(h)) = (base_loaded, head_loaded) else {
        return Ok(INVALID);
    };
    let d = diff::diff(&b.arch, &h.arch, min_tier);
    match format {
        Format::Human => write_human(io, &b.source.name, &h.source.name, &d)?,
        Format::Json => io.out.write_all(json::to_text(&to_json(&d)).as_bytes())?,
    }
    Ok(if d.added.is_empty() { OK } else { FINDINGS })
}

fn from_git(rev: &str, path: &Path, io: &mut Io<'_>) -> std::io::Result<Option<Loaded>> {
    let spec = format!("{rev}:./{}", path.display());
    let output = Command::new("git").args(["show", &spec]).output();
    let problem = match output {
        Ok(o) if o.status.success() => {
            return match loader::load_bytes(&spec, o.stdout) {
                Ok(l) => Ok(Some(l)),
                Err(e) => {
                    report_failure(&LoadFailure::Invalid(e), io)?;
                    Ok(None)
                }
            };
        }
        Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
        Err(e) => format!("cannot run git: {e}"),
    };
    tell(io, &Notice::Git { spec, problem })?;
    Ok(None)
}

fn write_human(io: &mut Io<'_>, base: &str, head: &str, d: &Diff) -> std::io::Result<()> {
    let style = io.out_style;
    writeln!(io.out, "single points of failure, {base} → {head}")?;
    if d.added.is_empty() && d.removed.is_empty() {
        writeln!(io.out, "  no change")?;
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
                io.out,
                "  {sign} {} ({}): takes down {targets}; {} users affected",
                style.bold(&s.id),
                s.kind,
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
        io.out,
        "users at risk: {} → {} ({sign}{})",
        thousands(before),
        thousands(after),
        thousands(change.unsigned_abs() as u64)
    )
}

fn to_json(d: &Diff) -> serde_json::Value {
    let list = |l: &[diff::SpofSummary]| -> Vec<serde_json::Value> {
        l.iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id, "kind": s.kind, "takes_down_targets": s.targets,
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
