//! `spof diagram`: DOT always; SVG, PNG and PDF through Graphviz's `dot`.

use std::path::Path;

use graphviz_rust::cmd::{CommandArg, Format, Layout};
use miette::MietteDiagnostic;

use super::{load, resolve_ids, CmdResult, DiagramArgs, Io, LayoutArg, INVALID, OK};
use crate::engine::{self, FailureGraph, TargetSelection};
use crate::report::diagnostics::DiagnosticWriter;
use crate::report::dot::{self, Overlay};

/// Above this many drawn nodes, `dot` takes minutes; sfdp takes seconds.
const AUTO_SFDP_ABOVE: usize = 1_000;

pub fn diagram(args: &DiagramArgs, io: &mut Io<'_>) -> CmdResult {
    let Some(loaded) = load(&args.file, io)? else {
        return Ok(INVALID);
    };
    let arch = &loaded.arch;
    let Some(failed) = resolve_ids(arch, &args.fail, "--fail", io)? else {
        return Ok(INVALID);
    };
    let focus = match &args.focus {
        Some(id) => match resolve_ids(arch, std::slice::from_ref(id), "--focus", io)? {
            Some(ids) => Some(ids[0]),
            None => return Ok(INVALID),
        },
        None => None,
    };
    let format = match args.output.as_deref().map(output_format) {
        None => None,
        Some(Ok(f)) => f,
        Some(Err(ext)) => {
            let d = MietteDiagnostic::new(format!("cannot write a diagram as `.{ext}`"))
                .with_code("spof::diagram-format")
                .with_help("use an output file ending in .dot, .svg, .png or .pdf");
            DiagnosticWriter::new(io.err_style.color).write(io.err, &d)?;
            return Ok(INVALID);
        }
    };
    let graph = FailureGraph::build(arch);
    let mut overlay = Overlay::default();
    if !failed.is_empty() {
        let outcome = engine::what_if(arch, &graph, &failed);
        let mut states = vec![engine::State::Up; arch.nodes.len()];
        for n in &outcome.nodes {
            states[n.id.index()] = n.state;
        }
        overlay.states = Some(states);
        overlay.failed = failed;
    }
    if args.spofs {
        // Only which nodes are SPOFs matters here, not what they take down.
        let ranking = engine::rank(
            arch,
            &graph,
            &TargetSelection::MinTier(args.min_tier.tier()),
            &engine::Progress::default(),
        );
        overlay.spofs = ranking.order.into_iter().collect();
    }
    if let Some(f) = focus {
        overlay.only = Some(graph.neighbourhood(f, args.depth));
    }
    let (drawn, graph) = if args.collapse {
        let sites = arch
            .nodes
            .iter()
            .filter(|n| n.kind() == crate::model::NodeKind::Site)
            .count();
        (sites, dot::collapsed_graph(arch, &overlay))
    } else {
        let drawn = overlay
            .only
            .as_ref()
            .map_or(arch.nodes.len(), |o| o.iter().filter(|&&x| x).count());
        (drawn, dot::graph(arch, &overlay))
    };
    let text = dot::to_dot(&graph);
    let Some(output) = &args.output else {
        io.out.write_all(text.as_bytes())?;
        return Ok(OK);
    };
    let Some(format) = format else {
        return write_file(output, text.as_bytes(), io);
    };
    let layout = match args.layout {
        LayoutArg::Dot => Layout::Dot,
        LayoutArg::Sfdp => Layout::Sfdp,
        LayoutArg::Neato => Layout::Neato,
        LayoutArg::Auto if drawn > AUTO_SFDP_ABOVE => {
            writeln!(
                io.err,
                "note: {drawn} nodes to draw: using the sfdp layout (dot would take minutes); \
                 choose with --layout, or draw less with --focus ID"
            )?;
            Layout::Sfdp
        }
        LayoutArg::Auto => Layout::Dot,
    };
    match graphviz_rust::exec_dot(
        text,
        vec![CommandArg::Format(format), CommandArg::Layout(layout)],
    ) {
        Ok(bytes) => write_file(output, &bytes, io),
        Err(e) => {
            let d = if e.kind() == std::io::ErrorKind::NotFound {
                MietteDiagnostic::new("Graphviz's `dot` is not installed, so the diagram cannot be rendered")
                    .with_code("spof::graphviz-missing")
                    .with_help("install Graphviz (`apt-get install graphviz`, `brew install graphviz`), or write DOT with `-o FILE.dot`")
            } else {
                MietteDiagnostic::new(format!("Graphviz failed: {}", e.to_string().trim()))
                    .with_code("spof::graphviz-failed")
            };
            DiagnosticWriter::new(io.err_style.color).write(io.err, &d)?;
            Ok(INVALID)
        }
    }
}

/// `None` for DOT; the Graphviz format otherwise; the extension when unknown.
fn output_format(path: &Path) -> Result<Option<Format>, String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "dot" | "gv" => Ok(None),
        "svg" => Ok(Some(Format::Svg)),
        "png" => Ok(Some(Format::Png)),
        "pdf" => Ok(Some(Format::Pdf)),
        _ => Err(ext),
    }
}

fn write_file(path: &Path, bytes: &[u8], io: &mut Io<'_>) -> CmdResult {
    match std::fs::write(path, bytes) {
        Ok(()) => Ok(OK),
        Err(e) => {
            let d = MietteDiagnostic::new(format!("cannot write {}: {e}", path.display()))
                .with_code("spof::write");
            DiagnosticWriter::new(io.err_style.color).write(io.err, &d)?;
            Ok(INVALID)
        }
    }
}
