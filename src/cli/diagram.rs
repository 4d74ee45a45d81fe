//! `spof diagram`: DOT always; SVG, PNG and PDF through Graphviz's `dot`.

use std::path::Path;

use super::args::{DiagramFormat, GroupArg};
use super::{
    load, resolve_ids, tell, write_file, CmdResult, DiagramArgs, Io, LayoutArg, INVALID, OK,
};
use spof::engine::{self, FailureGraph, TargetSelection};
use spof::report::dot::{self, Overlay};
use spof::report::notice::Notice;

/// Above this many drawn nodes, `dot` takes minutes; sfdp takes seconds.
const AUTO_SFDP_ABOVE: usize = 1_000;

pub(super) fn diagram(args: &DiagramArgs, io: &mut Io<'_>) -> CmdResult {
    let Some(loaded) = load(&args.file, io)? else {
        return Ok(INVALID);
    };
    let loaded = super::kept_to_exit(loaded);
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
    let mermaid = args.format == DiagramFormat::Mermaid
        || args
            .output
            .as_deref()
            .and_then(|p| p.extension())
            .is_some_and(|e| e == "mmd" || e == "mermaid");
    if mermaid {
        // Mermaid is drawn by whoever reads it (GitHub, an editor): text only.
        let text = spof::report::mermaid::graph(arch);
        return match &args.output {
            None => io.out.write_all(text.as_bytes()).map(|()| OK),
            Some(path) => write_file(path, text.as_bytes(), io),
        };
    }
    let format = match args.output.as_deref().map(output_format) {
        None => None,
        Some(Ok(f)) => f,
        Some(Err(extension)) => {
            tell(io, &Notice::DiagramFormat { extension })?;
            return Ok(INVALID);
        }
    };
    let graph = FailureGraph::build(arch);
    let mut overlay = Overlay::default();
    if let Some(f) = focus {
        overlay.only = Some(graph.neighbourhood(f, args.depth));
    }
    // Counted before anything costly is drawn or ranked.
    let drawn = if args.collapse {
        arch.nodes
            .iter()
            .filter(|n| n.kind() == spof::model::NodeKind::Site)
            .count()
    } else {
        overlay
            .only
            .as_ref()
            .map_or(arch.nodes.len(), |o| o.iter().filter(|&&x| x).count())
    };
    if args.max_nodes > 0 && drawn > args.max_nodes {
        tell(
            io,
            &Notice::DiagramTooLarge {
                drawn,
                limit: args.max_nodes,
            },
        )?;
        return Ok(INVALID);
    }
    if args.group == GroupArg::File {
        overlay.files = Some(loaded.sources.iter().map(|s| s.name.clone()).collect());
    }
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
    let graph = if args.collapse {
        dot::collapsed_graph(arch, &overlay)
    } else {
        dot::graph(arch, &overlay)
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
        LayoutArg::Dot => "dot",
        LayoutArg::Sfdp => "sfdp",
        LayoutArg::Neato => "neato",
        LayoutArg::Auto if drawn > AUTO_SFDP_ABOVE => {
            tell(io, &Notice::SfdpChosen { drawn })?;
            "sfdp"
        }
        LayoutArg::Auto => "dot",
    };
    match render(&text, format, layout) {
        Ok(bytes) => write_file(output, &bytes, io),
        Err(e) => {
            let notice = if e.kind() == std::io::ErrorKind::NotFound {
                Notice::GraphvizMissing
            } else {
                let message = e.to_string().trim().to_string();
                Notice::GraphvizFailed { message }
            };
            tell(io, &notice)?;
            Ok(INVALID)
        }
    }
}

/// Runs Graphviz's `dot` with the DOT text on stdin and the picture on
/// stdout. Its arguments are fixed words (`-Tsvg`, `-Ksfdp`): nothing a user
/// or a file gives reaches its command line.
fn render(text: &str, format: &str, layout: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("dot")
        .arg(format!("-T{format}"))
        .arg(format!("-K{layout}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Written from another thread: dot may fill its stdout before it has
    // read all of its stdin.
    let mut stdin = child.stdin.take();
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.as_mut().map(|s| s.write_all(input.as_bytes())));
    let out = child.wait_with_output()?;
    let _ = writer.join();
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        Err(std::io::Error::other(said))
    }
}

/// `None` for DOT; the Graphviz format otherwise; the extension when unknown.
fn output_format(path: &Path) -> Result<Option<&'static str>, String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "dot" | "gv" => Ok(None),
        "svg" => Ok(Some("svg")),
        "png" => Ok(Some("png")),
        "pdf" => Ok(Some("pdf")),
        _ => Err(ext),
    }
}
