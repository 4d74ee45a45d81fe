//! Reports for a person reading a terminal, perhaps at 3 a.m.: the worst
//! first, numbers written as people write them, chains as arrows.

use crate::diagnostic::visible;
use std::io::{self, Write};

use crate::engine::{Audit, Fold, ScenarioOutcome, Spof, State};
use crate::model::{Architecture, NodeId, Tier};

use super::style::Style;
use super::thousands;

/// `target ← middle ← cause`.
pub fn chain_text(arch: &Architecture, from: NodeId, chain: &[NodeId]) -> String {
    // Sized for ids of up to 11 bytes, most of them, at once: twenty
    // chains per failure, thousands of failures.
    let guess = chain.len() * (" ← ".len() + 11);
    let mut text = String::with_capacity(arch.name_of(from).len() + guess);
    text.push_str(arch.name_of(from));
    for id in chain {
        text.push_str(" ← ");
        text.push_str(arch.name_of(*id));
    }
    text
}

fn describe(arch: &Architecture, id: NodeId) -> String {
    let node = arch.node(id);
    let mut parts = vec![node.kind().as_str().to_string()];
    if let Some(tier) = node.tier() {
        parts.push(tier.as_str().to_string());
    }
    if node.users() > 0 {
        parts.push(format!("{} users", thousands(node.users())));
    }
    if let Some(name) = node.about.name() {
        parts.push(format!("\"{}\"", visible(name)));
    }
    parts.join(", ")
}

/// The audit for people, with every SPOF's details.
pub fn write_audit(
    out: &mut dyn Write,
    arch: &Architecture,
    audit: &Audit,
    style: Style,
) -> io::Result<()> {
    let counts = AuditCounts {
        spofs: audit.spofs.len(),
        targets: audit.targets,
        candidates: audit.candidates,
    };
    write_spofs(out, arch, counts, audit.spofs.iter(), style)
}

/// The sizes an audit report starts with.
#[derive(Clone, Copy, Debug)]
pub struct AuditCounts {
    /// Single points of failure found.
    pub spofs: usize,
    /// Targets.
    pub targets: usize,
    /// Candidates failed one by one.
    pub candidates: usize,
}

/// The audit report from SPOFs given one at a time, so that their details
/// need not all be in memory ([`crate::engine::Ranking::details`]).
pub fn write_spofs<S: std::borrow::Borrow<Spof> + Sync>(
    out: &mut dyn Write,
    arch: &Architecture,
    counts: AuditCounts,
    spofs: impl Iterator<Item = S>,
    style: Style,
) -> io::Result<()> {
    let title = visible(arch.name.as_deref().unwrap_or("architecture"));
    if counts.targets == 0 {
        return writeln!(
            out,
            "{} {title}: no targets, so nothing was checked ({} candidates)\n  no service or integration reaches the tier bar (high by default): give the ones that matter a `tier`, or lower the bar with --min-tier",
            style.yellow("!"),
            counts.candidates
        );
    }
    if counts.spofs == 0 {
        return writeln!(
            out,
            "{} {title}: no single point of failure ({} targets, {} candidates checked)",
            style.green("✓"),
            counts.targets,
            counts.candidates
        );
    }
    let n = counts.spofs;
    writeln!(
        out,
        "{} {title}: {} single point{} of failure ({} targets, {} candidates checked)",
        style.red("✗"),
        style.bold(&n.to_string()),
        if n == 1 { "" } else { "s" },
        counts.targets,
        counts.candidates
    )?;
    // Tens of megabytes for a large file: worded on every thread, a
    // window of SPOFs at a time (up to 4,096, or about 2^22 ids of chains,
    // so that memory holds a window, not the report), written in order.
    const WINDOW: usize = 4096;
    const IDS: usize = 1 << 22;
    let mut spofs = spofs.enumerate().peekable();
    while spofs.peek().is_some() {
        let mut ids = 0;
        let mut window: Vec<(usize, S)> = Vec::new();
        while window.len() < WINDOW && ids < IDS {
            let Some((rank, spof)) = spofs.next() else {
                break;
            };
            ids += spof
                .borrow()
                .chains
                .iter()
                .map(|(_, c)| c.len() + 1)
                .sum::<usize>();
            window.push((rank, spof));
        }
        let texts = crate::engine::parallel::map_chunked(
            &window,
            64,
            &crate::engine::Progress::default(),
            || (),
            |(), (rank, spof)| {
                // One shown with another is written there.
                if let Fold::Into(_) = spof.borrow().fold {
                    return None;
                }
                let mut text = vec![b'\n'];
                // Writing to memory cannot fail.
                let _ = write_spof(&mut text, arch, rank + 1, spof.borrow(), style);
                Some(text)
            },
        );
        for text in texts.into_iter().flatten() {
            out.write_all(&text)?;
        }
    }
    Ok(())
}

fn write_spof(
    out: &mut dyn Write,
    arch: &Architecture,
    rank: usize,
    spof: &Spof,
    style: Style,
) -> io::Result<()> {
    writeln!(
        out,
        "{rank}. {}  ({})",
        style.red(arch.name_of(spof.id)),
        describe(arch, spof.id)
    )?;
    if let Fold::Head(others) = &spof.fold {
        let n = others.len();
        writeln!(
            out,
            "   and {} more that fail{} together with it, in a cycle of hard dependencies: the failure of any one takes down all the others and the same nodes",
            thousands(n as u64),
            if n == 1 { "s" } else { "" }
        )?;
    }
    let reach = spof.reach;
    let tiers: Vec<String> = Tier::NAMES
        .iter()
        .zip(reach.by_tier)
        .filter(|(_, count)| *count > 0)
        .map(|(name, count)| format!("{count} {name}"))
        .collect();
    writeln!(
        out,
        "   takes down {} target{} ({}); {} node{} down, {} degraded",
        reach.targets,
        if reach.targets == 1 { "" } else { "s" },
        tiers.join(", "),
        reach.down,
        if reach.down == 1 { "" } else { "s" },
        reach.degraded
    )?;
    writeln!(
        out,
        "   users affected: {}",
        style.bold(&thousands(spof.users_affected))
    )?;
    let mut chains: Vec<&(NodeId, Vec<NodeId>)> = spof.chains.iter().collect();
    // Most important targets first; ids keep the order stable.
    chains.sort_by_key(|(t, _)| std::cmp::Reverse(arch.node(*t).tier()));
    for (target, chain) in chains {
        let tier = arch.node(*target).tier().map_or("", Tier::as_str);
        writeln!(out, "   {tier:<8}  {}", chain_text(arch, *target, chain))?;
    }
    let more = reach.targets.saturating_sub(spof.chains.len());
    if more > 0 {
        writeln!(
            out,
            "   … and {more} more target{} (`--chains 0` or `--format json` shows every chain)",
            if more == 1 { "" } else { "s" }
        )?;
    }
    if let Fold::Head(others) = &spof.fold {
        write_others(out, arch, others)?;
    }
    Ok(())
}

/// The first few of the SPOFs shown with another, and how many more.
fn write_others(out: &mut dyn Write, arch: &Architecture, others: &[NodeId]) -> io::Result<()> {
    const FIRST: usize = 8;
    let names: Vec<&str> = others
        .iter()
        .take(FIRST)
        .map(|&id| arch.name_of(id))
        .collect();
    let rest = others.len().saturating_sub(FIRST);
    write!(out, "   the others: {}", names.join(", "))?;
    if rest > 0 {
        write!(
            out,
            ", … and {} more (`--format json` lists each on its own)",
            thousands(rest as u64)
        )?;
    }
    writeln!(out)
}

/// `spof what-if` for people.
pub fn write_what_if(
    out: &mut dyn Write,
    arch: &Architecture,
    outcome: &ScenarioOutcome,
    style: Style,
) -> io::Result<()> {
    let failed: Vec<&str> = outcome.failed.iter().map(|id| arch.name_of(*id)).collect();
    writeln!(
        out,
        "what if {} fail{}: {} down, {} degraded, {} up",
        failed.join(" + "),
        if failed.len() == 1 { "s" } else { "" },
        outcome.count(State::Down),
        outcome.count(State::Degraded),
        outcome.count(State::Up)
    )?;
    for (state, heading) in [(State::Down, "down"), (State::Degraded, "degraded")] {
        let nodes: Vec<_> = outcome.nodes.iter().filter(|n| n.state == state).collect();
        if nodes.is_empty() {
            continue;
        }
        writeln!(out)?;
        let heading = match state {
            State::Down => style.red(heading),
            _ => style.yellow(heading),
        };
        writeln!(out, "{heading}")?;
        for node in nodes {
            let why = if node.cause.is_empty() {
                "failed".to_string()
            } else {
                chain_text(arch, node.id, &node.cause)
            };
            writeln!(
                out,
                "  {}  ({})",
                style.bold(arch.name_of(node.id)),
                describe(arch, node.id)
            )?;
            writeln!(out, "      {}", style.dim(&why))?;
        }
    }
    Ok(())
}
