//! `spof cuts` and `spof availability`: beyond single failures.

use std::path::Path;

use super::{
    load, target_selection, tell, write_file, CmdResult, Format, Io, TargetArgs, INVALID, OK,
};
use spof::engine::{availability as avail, cuts, FailureGraph};
use spof::model::{Architecture, NodeId};
use spof::report::notice::Notice;
use spof::report::{beyond, json};

/// The targets in id order.
fn targets_of(
    arch: &Architecture,
    args: &TargetArgs,
    io: &mut Io<'_>,
) -> std::io::Result<Option<Vec<NodeId>>> {
    let Some(selection) = target_selection(arch, args, io)? else {
        return Ok(None);
    };
    let flags = selection.flags(arch);
    let mut ids: Vec<NodeId> = arch.node_ids().filter(|id| flags[id.index()]).collect();
    ids.sort_by(|a, b| arch.name_of(*a).cmp(arch.name_of(*b)));
    Ok(Some(ids))
}

/// The file and its targets, or `None` when either was reported as wrong.
fn load_with_targets(
    file: &Path,
    args: &TargetArgs,
    io: &mut Io<'_>,
) -> std::io::Result<Option<(&'static spof::load::Loaded, Vec<NodeId>)>> {
    let Some(loaded) = load(file, io)? else {
        return Ok(None);
    };
    let loaded = super::kept_to_exit(loaded);
    Ok(targets_of(&loaded.arch, args, io)?.map(|t| (loaded, t)))
}

pub(super) fn cuts(
    file: &Path,
    max_order: usize,
    bounds: cuts::Bounds,
    args: &TargetArgs,
    format: Format,
    io: &mut Io<'_>,
) -> CmdResult {
    let Some((loaded, targets)) = load_with_targets(file, args, io)? else {
        return Ok(INVALID);
    };
    let arch = &loaded.arch;
    let graph = FailureGraph::build(arch);
    let found = super::progress::with_bar(io.progress, "cut sets of targets", |p| {
        cuts::minimal_cut_sets_with(arch, &graph, &targets, max_order, p, bounds)
    });
    let found = match found {
        Ok(found) => found,
        Err(bound) => {
            tell(io, &Notice::CutsTooLarge { bound, max_order })?;
            return Ok(INVALID);
        }
    };
    match format {
        Format::Human => beyond::write_cuts(io.out, arch, &found, max_order, io.out_style)?,
        Format::Json => json::write_cuts(io.out, arch, &found)?,
    }
    Ok(OK)
}

/// `spof availability`; `max_work` bounds the availability and the
/// importance, each on its own.
pub(super) fn availability(
    file: &Path,
    args: &TargetArgs,
    (with_importance, max_work): (bool, Option<u64>),
    format: Format,
    io: &mut Io<'_>,
) -> CmdResult {
    let Some((loaded, targets)) = load_with_targets(file, args, io)? else {
        return Ok(INVALID);
    };
    let arch = &loaded.arch;
    let graph = FailureGraph::build(arch);
    let results = super::progress::with_bar(io.progress, "availability of targets", |p| {
        avail::availability_of_each_within(arch, &graph, &targets, p, max_work)
    });
    let importance = match with_importance.then_some(results.as_ref()) {
        Some(Ok(_)) => Some(super::progress::with_bar(
            io.progress,
            "importance of parts",
            |p| avail::importance_of_each_within(arch, &graph, &targets, p, max_work),
        )),
        _ => None,
    };
    let (results, importance) = match (results, importance.transpose()) {
        (Ok(results), Ok(importance)) => (results, importance),
        (Err(bound), _) => {
            let importance = false;
            tell(io, &Notice::AvailabilityTooLarge { bound, importance })?;
            return Ok(INVALID);
        }
        (_, Err(bound)) => {
            let importance = true;
            tell(io, &Notice::AvailabilityTooLarge { bound, importance })?;
            return Ok(INVALID);
        }
    };
    match format {
        Format::Human => {
            beyond::write_availability(io.out, arch, &results, io.out_style)?;
            if let Some(imp) = &importance {
                beyond::write_importance(io.out, arch, &results, imp)?;
            }
        }
        Format::Json => {
            let mut doc = beyond::availability_json(arch, &results);
            if let Some(imp) = &importance {
                beyond::add_importance_json(&mut doc, arch, imp);
            }
            io.out.write_all(json::to_text(&doc).as_bytes())?;
        }
    }
    Ok(OK)
}

pub(super) fn export(
    file: &Path,
    target: &str,
    output: Option<&Path>,
    io: &mut Io<'_>,
) -> CmdResult {
    let Some(loaded) = load(file, io)? else {
        return Ok(INVALID);
    };
    let arch = &loaded.arch;
    let Some(ids) = super::resolve_ids(arch, &[target.to_string()], "--target", io)? else {
        return Ok(INVALID);
    };
    let graph = FailureGraph::build(arch);
    let tree = match spof::engine::fault_tree::fault_tree(arch, &graph, ids[0]) {
        Ok(tree) => tree,
        Err(cycle) => {
            let cycle = cycle
                .iter()
                .map(|id| arch.name_of(*id).to_string())
                .collect();
            let target = target.to_string();
            tell(io, &Notice::Cycle { target, cycle })?;
            return Ok(INVALID);
        }
    };
    let text = spof::report::mef::write(arch, &tree);
    match output {
        None => io.out.write_all(text.as_bytes())?,
        Some(path) => {
            if write_file(path, text.as_bytes(), io)? != OK {
                return Ok(INVALID);
            }
        }
    }
    Ok(OK)
}
