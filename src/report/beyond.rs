//! Reports for cut sets and availability.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::engine::availability::{Importance, Method, TargetAvailability};
use crate::engine::cuts::TargetCuts;
use crate::model::Architecture;

use super::json::ids;
use super::style::Style;
use super::thousands;

/// `spof cuts` as JSON (format v1 §10).
pub fn cuts_json(arch: &Architecture, cuts: &[TargetCuts]) -> Value {
    let cuts: Vec<Value> = cuts
        .iter()
        .map(|c| {
            let sets: Vec<Value> = c.sets.iter().map(|s| ids(arch, s)).collect();
            json!({ "target": arch.name_of(c.target), "sets": sets })
        })
        .collect();
    json!({ "cuts": cuts })
}

/// `spof cuts` for people.
pub fn write_cuts(
    out: &mut dyn Write,
    arch: &Architecture,
    cuts: &[TargetCuts],
    max_order: usize,
    style: Style,
) -> io::Result<()> {
    // Most important targets first: tier, then users, then id.
    let mut order: Vec<&TargetCuts> = cuts.iter().collect();
    order.sort_by_key(|c| {
        let n = arch.node(c.target);
        (std::cmp::Reverse(n.tier()), std::cmp::Reverse(n.users()))
    });
    writeln!(
        out,
        "minimal cut sets up to order {max_order} for {} target{}",
        cuts.len(),
        if cuts.len() == 1 { "" } else { "s" }
    )?;
    // An answer can hold tens of millions of sets (130 MB of text for
    // 100,000 `tree` services): targets are written on every thread, a
    // window of about a million sets at a time (so that memory holds one
    // window's text, not all of it; a target with more sets is a window
    // of its own), each into its own text, written in order.
    const WINDOW: usize = 1 << 20;
    let mut rest = &order[..];
    while !rest.is_empty() {
        let mut sets = 0;
        let end = rest
            .iter()
            .position(|c| {
                sets += c.sets.len() + 1;
                sets >= WINDOW
            })
            .map_or(rest.len(), |i| i + 1);
        let texts = crate::engine::parallel::map_chunked(
            &rest[..end],
            1,
            &crate::engine::Progress::default(),
            || (),
            |(), c| {
                let mut text = Vec::new();
                // Writing to memory cannot fail.
                let _ = write_target_cuts(&mut text, arch, c, max_order, style);
                text
            },
        );
        for text in texts {
            out.write_all(&text)?;
        }
        rest = &rest[end..];
    }
    Ok(())
}

/// One target's part of [`write_cuts`]: its name and facts, then its sets.
fn write_target_cuts(
    out: &mut Vec<u8>,
    arch: &Architecture,
    c: &TargetCuts,
    max_order: usize,
    style: Style,
) -> io::Result<()> {
    let n = arch.node(c.target);
    let mut facts = vec![n.tier().map_or("", |t| t.as_str()).to_string()];
    if n.users() > 0 {
        facts.push(format!("{} users", thousands(n.users())));
    }
    writeln!(out)?;
    writeln!(out, "{}  ({})", style.bold(&n.id), facts.join(", "))?;
    if c.sets.is_empty() {
        writeln!(
            out,
            "  {}",
            style.green(&format!(
                "no set of {max_order} or fewer failures takes it down"
            ))
        )?;
    }
    // Written name by name: an answer can hold tens of millions of
    // sets, and building each line first took about twice as long
    // (19 million sets of `hub` at 30,000 services: 1 s more).
    for set in &c.sets {
        write!(out, "  order {}: ", set.len())?;
        let names = |out: &mut dyn Write| {
            for (i, id) in set.iter().enumerate() {
                if i > 0 {
                    out.write_all(b" + ")?;
                }
                out.write_all(arch.name_of(*id).as_bytes())?;
            }
            Ok(())
        };
        if set.len() == 1 {
            style.write_red(out, names)?;
        } else {
            names(out)?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `spof availability` as JSON (format v1 §10).
pub fn availability_json(arch: &Architecture, results: &[TargetAvailability]) -> Value {
    let targets: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut v = json!({
                "id": arch.name_of(r.target),
                "availability": r.availability,
            });
            match &r.method {
                Method::Exact => {
                    v["method"] = json!("exact");
                }
                Method::MonteCarlo { samples, ci95 } => {
                    v["method"] = json!("monte-carlo");
                    v["ci95"] = json!([ci95.0, ci95.1]);
                    v["samples"] = json!(samples);
                }
            }
            v["parts"] = json!(r.parts);
            v
        })
        .collect();
    json!({ "targets": targets })
}

/// Expected downtime a year at this availability, as a person says it.
pub fn downtime_per_year(availability: f64) -> String {
    let minutes = (1.0 - availability) * 365.25 * 24.0 * 60.0;
    if minutes < 1.0 {
        format!("{:.0} s", minutes * 60.0)
    } else if minutes < 60.0 {
        format!("{minutes:.0} min")
    } else if minutes < 48.0 * 60.0 {
        format!("{:.1} h", minutes / 60.0)
    } else {
        format!("{:.1} days", minutes / 60.0 / 24.0)
    }
}

/// `spof availability` for people.
pub fn write_availability(
    out: &mut dyn Write,
    arch: &Architecture,
    results: &[TargetAvailability],
    style: Style,
) -> io::Result<()> {
    let width = results
        .iter()
        .map(|r| arch.name_of(r.target).chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    writeln!(
        out,
        "{:<width$}  {:>12}  {:>14}  method",
        "target", "availability", "down a year"
    )?;
    // A line per target, 51,000 of them for 100,000 `tree` services: worded
    // on every thread, a window at a time, into one text per chunk, and
    // written in order (on one thread it was the last 20-30 ms of the
    // command, the other thread idle).
    const WINDOW: usize = 65_536;
    for window in results.chunks(WINDOW) {
        let texts = crate::engine::parallel::fold_chunked(
            window,
            256,
            &crate::engine::Progress::default(),
            Vec::new,
            |text, r| {
                // Writing to memory cannot fail.
                let _ = write_availability_line(text, arch, r, (width, style));
            },
            |text| text,
        );
        for text in texts {
            out.write_all(&text)?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "Parts fail independently with probability 1 - availability; parts without one never fail.\nDegraded counts as available."
    )
}

/// One target's line of [`write_availability`], its name padded to
/// `width`.
fn write_availability_line(
    out: &mut Vec<u8>,
    arch: &Architecture,
    r: &TargetAvailability,
    (width, style): (usize, Style),
) -> io::Result<()> {
    let method = match &r.method {
        Method::Exact => format!(
            "exact over {} part{}",
            r.parts,
            if r.parts == 1 { "" } else { "s" }
        ),
        Method::MonteCarlo { samples, ci95 } => format!(
            "monte carlo, {} samples, 95% in [{:.6}%, {:.6}%]",
            thousands(u64::from(*samples)),
            ci95.0 * 100.0,
            ci95.1 * 100.0
        ),
    };
    let pct = format!("{:.6}%", r.availability * 100.0);
    writeln!(
        out,
        "{:<width$}  {:>12}  {:>14}  {}",
        arch.name_of(r.target),
        style.bold(&pct),
        downtime_per_year(r.availability),
        style.dim(&method)
    )
}

/// Each target's parts, most important first (the five that matter most).
pub fn write_importance(
    out: &mut dyn Write,
    arch: &Architecture,
    results: &[TargetAvailability],
    importance: &[Option<Vec<Importance>>],
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "What to harden first (Birnbaum importance; RAW = how many times likelier the target is down when the part is):")?;
    for (r, imp) in results.iter().zip(importance) {
        writeln!(out, "  {}", arch.name_of(r.target))?;
        match imp {
            None => writeln!(out, "    (too many combinations for an exact ranking)")?,
            Some(list) if list.is_empty() => writeln!(
                out,
                "    no part with an availability below 1 can take it down"
            )?,
            Some(list) => {
                for i in list.iter().take(5) {
                    let raw = i.raw.map_or("-".to_string(), |r| format!("{r:.1}"));
                    writeln!(
                        out,
                        "    {:<28} Birnbaum {:.6}  RAW {raw}",
                        arch.name_of(i.part),
                        i.birnbaum
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// Adds each target's importance table to the availability JSON.
pub fn add_importance_json(
    doc: &mut Value,
    arch: &Architecture,
    importance: &[Option<Vec<Importance>>],
) {
    let Some(targets) = doc["targets"].as_array_mut() else {
        return;
    };
    for (t, imp) in targets.iter_mut().zip(importance) {
        t["importance"] = match imp {
            None => Value::Null,
            Some(list) => Value::Array(
                list.iter()
                    .map(|i| json!({ "id": arch.name_of(i.part), "birnbaum": i.birnbaum, "raw": i.raw }))
                    .collect(),
            ),
        };
    }
}
