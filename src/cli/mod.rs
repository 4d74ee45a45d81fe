//! The `spof` command: parses arguments, loads files, runs the engine and
//! hands results to the report layer. `main.rs` only calls [`run`].

mod args;
mod beyond;
mod check;
mod diagram;
mod diff;
mod import;
mod progress;
mod tooling;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

pub(crate) use args::{
    CheckArgs, CheckFormat, Cli, Command, DiagramArgs, Format, ImportSource, LayoutArg, TargetArgs,
};

use spof::engine::{self, FailureGraph, TargetSelection};
use spof::load::{self, LoadFailure, Loaded};
use spof::model::{Architecture, NodeId};
use spof::report::diagnostics::DiagnosticWriter;
use spof::report::notice::{self, Notice, Refusal};
use spof::report::{human, json, style::Style};

/// Exit statuses of format v1 §9.
pub(crate) const OK: u8 = 0;
pub(crate) const FINDINGS: u8 = 1;
pub(crate) const INVALID: u8 = 2;
/// The output could not be written (sysexits' EX_IOERR).
pub(crate) const IO_ERROR: u8 = 74;
/// The reader of the output went away (128 + SIGPIPE, as shells report it).
pub(crate) const BROKEN_PIPE: u8 = 141;

/// Where a command writes, and whether each stream is a terminal.
pub(crate) struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub out_style: Style,
    pub err_style: Style,
    /// Whether long work may draw a progress bar on stderr.
    pub progress: bool,
    /// `--max-problems`: how many problems of one file to draw.
    pub max_problems: usize,
    /// `--max-file-mb`, in bytes: the most spof reads of one file.
    pub max_file_bytes: u64,
}

impl Io<'_> {
    /// The writer for diagnostics on stderr, as the options ask.
    pub(crate) fn diagnostic_writer(&self) -> DiagnosticWriter {
        DiagnosticWriter::new(self.err_style.color).with_max_problems(self.max_problems)
    }
}

/// Runs spof with the process's arguments and standard streams.
pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            if let Some(flag) = hyphen_id_after(std::env::args().skip(1)) {
                let _ = writeln!(std::io::stderr(), "{}", notice::hyphen_id_hint(flag));
            }
            return ExitCode::from(if err.use_stderr() { INVALID } else { OK });
        }
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let out_style = Style::detect(stdout.is_terminal());
    let err_terminal = stderr.is_terminal();
    let err_style = Style::detect(err_terminal);
    // Stdout is line-buffered; reports of a large file are millions of lines.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    // Not locked for the whole run: the progress bar writes from its own thread.
    let mut err = stderr;
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        out_style,
        err_style,
        progress: err_terminal && !cli.quiet,
        max_problems: cli.max_problems,
        max_file_bytes: cli.max_file_mb.saturating_mul(1 << 20),
    };
    let code = run(cli, &mut io).and_then(|code| io.out.flush().map(|()| code));
    match code {
        Ok(code) => ExitCode::from(code),
        Err(error) => ExitCode::from(output_failed(&error, &mut io)),
    }
}

/// The option (`--fail`, `--target`, `--focus`) followed by a word that
/// starts with `-`: likely an id clap took for an option.
fn hyphen_id_after(args: impl Iterator<Item = String>) -> Option<&'static str> {
    let args: Vec<String> = args.collect();
    args.windows(2).find_map(|w| {
        let flag = ["--fail", "--target", "--focus"]
            .into_iter()
            .find(|f| w[0] == *f)?;
        (w[1].starts_with('-') && w[1] != "-").then_some(flag)
    })
}

/// Runs one parsed command; returns the exit status, or the error that
/// stopped its output.
pub(crate) fn run(cli: Cli, io: &mut Io<'_>) -> std::io::Result<u8> {
    let result = match cli.command {
        Command::Validate { files } => validate(&files, io),
        Command::Audit {
            file,
            chains,
            targets,
            format,
        } => audit(&file, &targets, chains, format, io),
        Command::WhatIf { file, fail, format } => what_if(&file, &fail, format, io),
        Command::Check(args) => check::check(&args, io),
        Command::Diagram(args) => diagram::diagram(&args, io),
        Command::Cuts {
            file,
            max_order,
            max_tries,
            max_sets,
            targets,
            format,
        } => {
            // 0 is no bound.
            let bounds = spof::engine::cuts::Bounds {
                max_tries: (max_tries > 0).then_some(max_tries),
                max_sets: (max_sets > 0).then_some(max_sets),
            };
            beyond::cuts(&file, max_order as usize, bounds, &targets, format, io)
        }
        Command::Export {
            file,
            target,
            format: _,
            output,
        } => beyond::export(&file, &target, output.as_deref(), io),
        Command::Availability {
            file,
            importance,
            max_work,
            targets,
            format,
        } => {
            // 0 is no bound.
            let max_work = (max_work > 0).then_some(max_work);
            beyond::availability(&file, &targets, (importance, max_work), format, io)
        }
        Command::Explain { code } => check::explain(code.as_deref(), io),
        Command::Init { file } => init(&file, io),
        Command::Import(ImportSource::Backstage {
            catalogs,
            kubernetes,
            zones,
            cluster,
            output,
            force,
        }) => {
            let options = spof::import::kubernetes::Options { cluster, zones };
            let joined = (!kubernetes.is_empty()).then_some((kubernetes.as_slice(), &options));
            import::backstage(&catalogs, joined, output.as_deref(), force, io)
        }
        Command::Import(ImportSource::Kubernetes {
            paths,
            zones,
            cluster,
            output,
            force,
        }) => {
            let options = spof::import::kubernetes::Options { cluster, zones };
            import::kubernetes(&paths, &options, output.as_deref(), force, io)
        }
        Command::Schema => io
            .out
            .write_all(spof::schema::schema_text().as_bytes())
            .map(|()| OK),
        Command::Completions { shell } => tooling::completions(shell, io),
        Command::Man { dir } => tooling::man(dir.as_deref(), io),
        Command::Ids { words } => tooling::ids(&words, io),
        Command::Diff {
            base,
            head,
            base_ref,
            min_tier,
            format,
        } => diff::diff(
            &base,
            head.as_deref(),
            base_ref.as_deref(),
            min_tier.tier(),
            format,
            io,
        ),
    };
    result
}

/// A report that could not be written whole. A closed pipe (`spof audit
/// big.yaml | head`) ends quietly with 141, as a shell reports SIGPIPE; any
/// other failure (a full disk) is said on stderr with 74 (sysexits'
/// EX_IOERR), never the 2 of invalid input.
fn output_failed(error: &std::io::Error, io: &mut Io<'_>) -> u8 {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return BROKEN_PIPE;
    }
    let notice = Notice::CannotWriteOutput {
        error: error.to_string(),
    };
    let _ = tell(io, &notice);
    IO_ERROR
}

pub(crate) type CmdResult = std::io::Result<u8>;

/// Writes `bytes` to the file at `path`, or says why not (exit 2).
pub(crate) fn write_file(path: &Path, bytes: &[u8], io: &mut Io<'_>) -> CmdResult {
    match std::fs::write(path, bytes) {
        Ok(()) => Ok(OK),
        Err(e) => cannot_write(io, path, &e, None),
    }
}

/// Says that `path` could not be written, and why; the exit status.
pub(crate) fn cannot_write(
    io: &mut Io<'_>,
    path: &Path,
    error: &std::io::Error,
    refusal: Option<Refusal>,
) -> CmdResult {
    let path = path.display().to_string();
    let error = error.to_string();
    tell(
        io,
        &Notice::CannotWrite {
            path,
            error,
            refusal,
        },
    )?;
    Ok(INVALID)
}

/// Writes a notice to stderr.
pub(crate) fn tell(io: &mut Io<'_>, notice: &Notice) -> std::io::Result<()> {
    let writer = io.diagnostic_writer();
    notice::write(io.err, notice, &writer)
}

/// Loads a file, or reports why not on stderr.
pub(crate) fn load(path: &Path, io: &mut Io<'_>) -> std::io::Result<Option<Loaded>> {
    match load::load_model(path, io.max_file_bytes) {
        Ok(loaded) => Ok(Some(loaded)),
        Err(failure) => {
            report_failure(&failure, io)?;
            Ok(None)
        }
    }
}

/// The model of a command that loads one file, kept until the process
/// ends instead of freed: a million services are millions of small
/// allocations, and freeing them one by one took a tenth of a second
/// after the report was written at a million services, where the end of
/// the process frees them at once. Not for a command that loads files in turn (`validate`), which
/// would hold them all.
pub(crate) fn kept_to_exit(loaded: Loaded) -> &'static Loaded {
    Box::leak(Box::new(loaded))
}

pub(crate) fn report_failure(failure: &LoadFailure, io: &mut Io<'_>) -> std::io::Result<()> {
    let writer = io.diagnostic_writer();
    match failure {
        LoadFailure::Io { path, error } => notice::write(
            io.err,
            &Notice::CannotRead {
                path: path.clone(),
                error: error.to_string(),
            },
            &writer,
        ),
        LoadFailure::Invalid(error) => writer.write_load_error(io.err, error),
    }
}

/// The starter file of `spof init`.
pub(crate) const STARTER: &str = include_str!("starter.yaml");

fn init(file: &Path, io: &mut Io<'_>) -> CmdResult {
    if file == Path::new("-") {
        io.out.write_all(STARTER.as_bytes())?;
        return Ok(OK);
    }
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .and_then(|mut f| f.write_all(STARTER.as_bytes()));
    let path = file.display().to_string();
    match written {
        Ok(()) => {
            tell(io, &Notice::WroteStarter { path })?;
            Ok(OK)
        }
        Err(e) => cannot_write(io, file, &e, Some(Refusal::InitNeverOverwrites)),
    }
}

fn validate(files: &[std::path::PathBuf], io: &mut Io<'_>) -> CmdResult {
    let mut code = OK;
    for file in files {
        if load(file, io)?.is_none() {
            code = INVALID;
        }
    }
    Ok(code)
}

/// Resolves ids given on the command line; unknown ones are reported with a hint.
pub(crate) fn resolve_ids(
    arch: &Architecture,
    ids: &[String],
    flag: &'static str,
    io: &mut Io<'_>,
) -> std::io::Result<Option<Vec<NodeId>>> {
    let mut resolved = Vec::with_capacity(ids.len());
    let mut ok = true;
    for id in ids {
        match arch.id_of(id) {
            Some(n) => resolved.push(n),
            None => {
                ok = false;
                let mut known: Vec<String> = arch.nodes.iter().map(|n| n.id.to_string()).collect();
                known.sort_unstable();
                let id = id.clone();
                tell(io, &Notice::UnknownId { flag, id, known })?;
            }
        }
    }
    Ok(ok.then_some(resolved))
}

pub(crate) fn target_selection(
    arch: &Architecture,
    args: &TargetArgs,
    io: &mut Io<'_>,
) -> std::io::Result<Option<TargetSelection>> {
    if args.target.is_empty() {
        return Ok(Some(TargetSelection::MinTier(args.min_tier.tier())));
    }
    Ok(resolve_ids(arch, &args.target, "--target", io)?.map(TargetSelection::Named))
}

fn audit(
    file: &Path,
    targets: &TargetArgs,
    chains: usize,
    format: Format,
    io: &mut Io<'_>,
) -> CmdResult {
    let Some(loaded) = load(file, io)? else {
        return Ok(INVALID);
    };
    let arch = &kept_to_exit(loaded).arch;
    let Some(targets) = target_selection(arch, targets, io)? else {
        return Ok(INVALID);
    };
    let graph = FailureGraph::build(arch);
    // JSON has every list and chain, as format v1 §9 asks: those are
    // recomputed SPOF by SPOF as they are written, so memory stays bounded
    // however much each one takes down. Human output counts, and shows
    // `--chains` chains (0: all), found in the ranking's own pass, and
    // shows SPOFs that fail together as one (`engine::Fold`).
    let shown = match format {
        Format::Human => engine::Shown {
            chains: (chains > 0).then_some(chains),
            lists: false,
            fold: true,
        },
        Format::Json => engine::Shown::ALL,
    };
    let (ranking, described) = progress::with_bar(io.progress, "auditing candidates", |p| {
        engine::rank_showing(arch, &graph, &targets, p, shown)
    });
    let spofs = ranking.details_described(arch, &graph, described);
    match format {
        Format::Human => {
            let counts = human::AuditCounts {
                spofs: ranking.order.len(),
                targets: ranking.targets,
                candidates: ranking.candidates,
            };
            human::write_spofs(io.out, arch, counts, spofs, io.out_style)?
        }
        Format::Json => json::write_spofs(io.out, arch, ranking.order.len(), spofs)?,
    }
    Ok(OK)
}

fn what_if(file: &Path, fail: &[String], format: Format, io: &mut Io<'_>) -> CmdResult {
    let Some(loaded) = load(file, io)? else {
        return Ok(INVALID);
    };
    let arch = &loaded.arch;
    let Some(failed) = resolve_ids(arch, fail, "--fail", io)? else {
        return Ok(INVALID);
    };
    let graph = FailureGraph::build(arch);
    let outcome = engine::what_if(arch, &graph, &failed);
    match format {
        Format::Human => human::write_what_if(io.out, arch, &outcome, io.out_style)?,
        Format::Json => json::write_what_if(io.out, arch, &outcome)?,
    }
    Ok(OK)
}
