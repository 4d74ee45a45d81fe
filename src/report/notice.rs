//! What the command line has to tell that is not about a place in a file:
//! a file it cannot read or write, an id that is not there, a tool that is
//! missing, a file it wrote. The CLI builds these as data; only this module
//! words them.

use miette::MietteDiagnostic;

use crate::code::Code;
use crate::diagnostic::visible;
use crate::suggest;

/// One message for stderr, as data.
#[derive(Debug)]
pub enum Notice {
    /// A file given by the user could not be read.
    CannotRead {
        /// The path as given.
        path: String,
        /// Why not, in the operating system's words.
        error: String,
    },
    /// An output file could not be written.
    CannotWrite {
        /// The path as given.
        path: String,
        /// Why not, in the operating system's words.
        error: String,
        /// What the user can do about it, when spof refused on purpose.
        refusal: Option<Refusal>,
    },
    /// An id given on the command line is not in the file.
    UnknownId {
        /// The option that named it (`--fail`).
        flag: &'static str,
        /// The id as given.
        id: String,
        /// Every id of the file, for the did-you-mean hint.
        known: Vec<String>,
    },
    /// `--base-ref` with two files.
    BaseRefWithTwoFiles,
    /// A baseline could not be read or written.
    Baseline {
        /// The path as given.
        path: String,
        /// Why not.
        error: String,
        /// Whether it was being read (not written).
        reading: bool,
    },
    /// The check configuration could not be read.
    CannotReadConfig {
        /// The path as given.
        path: String,
        /// Why not.
        error: String,
    },
    /// `spof explain` named no rule and no code.
    UnknownRule {
        /// The name as given.
        name: String,
        /// Every rule and code name, for the hint.
        known: Vec<&'static str>,
    },
    /// `git show` failed for `--base-ref`.
    Git {
        /// `REV:./PATH`.
        spec: String,
        /// What git said, or why it could not run.
        problem: String,
    },
    /// A fault tree was asked of a target that depends on a cycle.
    Cycle {
        /// The target.
        target: String,
        /// The ids of the cycle, in order.
        cycle: Vec<String>,
    },
    /// The report could not be written to standard output.
    CannotWriteOutput {
        /// Why not, in the operating system's words.
        error: String,
    },
    /// A configuration `ignore` entry names a node that no file has.
    IgnoreNamesNoNode {
        /// The configuration file.
        config: String,
        /// The node it names.
        node: String,
        /// Its rule.
        rule: &'static str,
    },
    /// A diagram output file with an unknown extension.
    DiagramFormat {
        /// The extension, without its dot.
        extension: String,
    },
    /// Graphviz's `dot` is not installed.
    GraphvizMissing,
    /// Graphviz ran and failed.
    GraphvizFailed {
        /// What it said.
        message: String,
    },
    /// The automatic layout chose sfdp for a large drawing.
    SfdpChosen {
        /// How many nodes are drawn.
        drawn: usize,
    },
    /// A diagram would draw more nodes than `--max-nodes`.
    DiagramTooLarge {
        /// How many nodes it would draw.
        drawn: usize,
        /// The limit.
        limit: usize,
    },
    /// A cut-set search would try more sets than `--max-tries`, or find
    /// more than `--max-sets`.
    CutsTooLarge {
        /// The bound it passed.
        bound: crate::engine::cuts::TooLarge,
        /// The largest set asked for.
        max_order: usize,
    },
    /// `spof availability` would do more work than `--max-work`.
    AvailabilityTooLarge {
        /// The bound it passed.
        bound: crate::engine::availability::TooMuchWork,
        /// Whether it was the importance of parts (`--importance`) that
        /// passed it, not the availability.
        importance: bool,
    },
    /// A SARIF log left findings out to stay within what GitHub accepts.
    SarifTruncated {
        /// Results written.
        kept: usize,
        /// Results left out.
        left_out: usize,
    },
    /// A catalog file could not be imported.
    ImportFailed {
        /// What went wrong, with the file's name.
        problem: ImportProblem,
    },
    /// Something the import skipped or stopped at.
    ImportSkipped {
        /// What was skipped, and why.
        problem: ImportProblem,
    },
    /// `spof init` wrote its starter.
    WroteStarter {
        /// The path written.
        path: String,
    },
    /// An import was written.
    WroteImport {
        /// The path written.
        path: String,
        /// Nodes in it.
        nodes: usize,
        /// Files read.
        files: usize,
        /// What the files were.
        source: Source,
        /// `TODO(spof)` comments left for the user.
        todos: usize,
    },
    /// A baseline was written.
    WroteBaseline {
        /// The path written.
        path: String,
        /// Findings recorded.
        findings: usize,
    },
    /// The man pages were written.
    WroteManPages {
        /// The folder.
        dir: String,
        /// The main page, for the hint.
        main_page: String,
    },
}

/// Why spof would not write a file, and what to pass instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `spof init` never overwrites.
    InitNeverOverwrites,
    /// An import overwrites only with `--force`.
    ImportNeedsForce,
}

/// What to say when an id that starts with `-` was taken for an option.
pub fn hyphen_id_hint(flag: &str) -> String {
    format!("note: an id that starts with `-` is written with `=`: {flag}=-ID")
}

/// What an import read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Backstage catalog files.
    Catalog,
    /// Kubernetes manifests.
    Manifests,
}

/// A problem of the Backstage import that is not at a place in a file.
#[derive(Debug)]
pub enum ImportProblem {
    /// The files read hold nothing the import makes a node of.
    NothingToImport {
        /// Files read.
        files: usize,
    },
    /// More files than the import reads.
    TooManyFiles {
        /// The limit.
        limit: usize,
    },
    /// A catalog file is not UTF-8.
    NotUtf8 {
        /// The file.
        path: String,
    },
    /// A catalog file could not be read.
    CannotRead {
        /// The file.
        path: String,
        /// Why not.
        error: String,
    },
    /// A file named by a Location could not be read.
    LocationUnreadable {
        /// The file.
        path: String,
        /// Why not.
        error: String,
    },
    /// A Location target outside the catalog's folder.
    LocationOutside {
        /// The file it names.
        path: String,
        /// The folder it must stay in.
        root: String,
    },
    /// A Location target that names nothing the import can read.
    Location {
        /// The catalog file with the Location.
        file: String,
        /// The target as written.
        target: String,
        /// Why it was skipped.
        why: &'static str,
    },
    /// The import's own output failed to load: a bug.
    OutputInvalid,
}

impl Notice {
    /// The registry code this notice is shown with.
    pub fn code(&self) -> Code {
        match self {
            Notice::CannotRead { .. } => Code::Read,
            Notice::CannotWrite { .. } | Notice::CannotWriteOutput { .. } => Code::Write,
            Notice::UnknownId { .. } => Code::UnknownId,
            Notice::BaseRefWithTwoFiles => Code::Usage,
            Notice::Baseline { .. } => Code::Baseline,
            Notice::CannotReadConfig { .. } | Notice::IgnoreNamesNoNode { .. } => Code::Config,
            Notice::UnknownRule { .. } => Code::UnknownRule,
            Notice::Git { .. } => Code::Git,
            Notice::Cycle { .. } => Code::Cycle,
            Notice::DiagramFormat { .. } => Code::DiagramFormat,
            Notice::GraphvizMissing => Code::GraphvizMissing,
            Notice::GraphvizFailed { .. } => Code::GraphvizFailed,
            Notice::DiagramTooLarge { .. } => Code::DiagramTooLarge,
            Notice::CutsTooLarge { .. } => Code::CutsTooLarge,
            Notice::AvailabilityTooLarge { .. } => Code::AvailabilityTooLarge,
            Notice::SarifTruncated { .. } => Code::SarifTruncated,
            Notice::ImportFailed { .. } | Notice::ImportSkipped { .. } => Code::Import,
            Notice::SfdpChosen { .. }
            | Notice::WroteStarter { .. }
            | Notice::WroteImport { .. }
            | Notice::WroteBaseline { .. }
            | Notice::WroteManPages { .. } => Code::Write,
        }
    }

    /// A plain line (no diagnostic frame), for notes about work done.
    pub fn plain(&self) -> Option<String> {
        let line = match self {
            Notice::SfdpChosen { drawn } => format!(
                "note: {drawn} nodes to draw: using the sfdp layout (dot would take minutes); \
                 choose with --layout, or draw less with --focus ID"
            ),
            Notice::WroteStarter { path } => format!("wrote {path}; next: spof audit {path}"),
            Notice::WroteImport {
                path,
                nodes,
                files,
                source,
                todos,
            } => format!(
                "wrote {path}: {nodes} nodes from {files} {} file{}, {todos} with TODO(spof) to fill in; next: spof audit {path}",
                match source {
                    Source::Catalog => "catalog",
                    Source::Manifests => "manifest",
                },
                if *files == 1 { "" } else { "s" },
            ),
            Notice::WroteBaseline { path, findings } => format!(
                "wrote {findings} finding{} to {path}",
                if *findings == 1 { "" } else { "s" }
            ),
            Notice::WroteManPages { dir, main_page } => {
                format!("wrote the man pages to {dir}; read one with: man -l {main_page}")
            }
            _ => return None,
        };
        Some(visible(&line).into_owned())
    }

    /// The diagnostic miette draws: message, code, help and severity.
    pub fn diagnostic(&self) -> MietteDiagnostic {
        let (message, help): (String, Option<String>) = match self {
            Notice::CannotRead { path, error } => (format!("cannot read {path}: {error}"), None),
            Notice::CannotWrite { path, error, refusal } => (
                format!("cannot write {path}: {error}"),
                refusal.map(|r| {
                    match r {
                        Refusal::InitNeverOverwrites => {
                            "spof init never overwrites a file; name another, or `-` for stdout"
                        }
                        Refusal::ImportNeedsForce => "pass --force to replace an earlier import",
                    }
                    .to_string()
                }),
            ),
            Notice::CannotWriteOutput { error } => (
                format!("the report could not be written whole: {error}"),
                Some("the exit status is 74; nothing after this point was written".into()),
            ),
            Notice::UnknownId { flag, id, known } => (
                format!("{flag} names `{id}`, which is not in the file"),
                suggest::hint(id, known.iter().map(String::as_str)),
            ),
            Notice::BaseRefWithTwoFiles => (
                "give one file with --base-ref, or two files without it".into(),
                None,
            ),
            Notice::Baseline {
                path,
                error,
                reading,
            } => {
                if *reading {
                    (
                        format!("cannot use baseline {path}: {error}"),
                        Some("write one with `spof check --write-baseline FILE ...`".into()),
                    )
                } else {
                    (format!("cannot write {path}: {error}"), None)
                }
            }
            Notice::IgnoreNamesNoNode { config, node, rule } => (
                format!("{config}: an `ignore` entry for {rule} names `{node}`, which no file has"),
                Some("remove the entry, or correct the id".into()),
            ),
            Notice::CannotReadConfig { path, error } => {
                (format!("cannot read {path}: {error}"), None)
            }
            Notice::UnknownRule { name, known } => (
                format!("no rule is called `{name}`"),
                Some(
                    suggest::hint(name, known.iter().copied())
                        .unwrap_or_else(|| format!("the rules are {}", known.join(", "))),
                ),
            ),
            Notice::Git { spec, problem } => (
                format!("cannot read {spec} from git: {problem}"),
                Some("run inside the repository, with the revision fetched (e.g. `git fetch origin main`)".into()),
            ),
            Notice::Cycle { target, cycle } => {
                let mut names = cycle.clone();
                if let Some(first) = cycle.first() {
                    names.push(first.clone());
                }
                (
                    format!(
                        "`{target}` depends on a cycle ({}), and a fault tree cannot hold one",
                        names.join(" → ")
                    ),
                    Some("`spof cuts` and `spof availability` handle cycles; MEF export needs an acyclic cone".into()),
                )
            }
            Notice::DiagramFormat { extension } => (
                format!("cannot write a diagram as `.{extension}`"),
                Some("use an output file ending in .dot, .svg, .png or .pdf".into()),
            ),
            Notice::GraphvizMissing => (
                "Graphviz's `dot` is not installed, so the diagram cannot be rendered".into(),
                Some("install Graphviz (`apt-get install graphviz`, `brew install graphviz`), or write DOT with `-o FILE.dot`".into()),
            ),
            Notice::GraphvizFailed { message } => (format!("Graphviz failed: {message}"), None),
            Notice::DiagramTooLarge { drawn, limit } => (
                format!("this diagram would draw {drawn} nodes, more than --max-nodes ({limit}): no layout draws that many legibly"),
                Some("draw a part with `--focus ID --depth N`, or the sites with `--collapse`; `--max-nodes 0` draws everything".into()),
            ),
            Notice::CutsTooLarge { bound, max_order } => {
                use crate::engine::cuts::TooLarge;
                let (message, flag) = match bound {
                    TooLarge::Tries { limit } => (
                        format!("cut sets of order up to {max_order} would need more than --max-tries ({limit}) sets tried: the answer itself may be that large"),
                        "--max-tries",
                    ),
                    TooLarge::Sets { limit, order_one: None } => (
                        format!("there are more than --max-sets ({limit}) cut sets of order up to {max_order}, counted per target"),
                        "--max-sets",
                    ),
                    TooLarge::Sets { limit, order_one: Some(count) } => (
                        format!("there are more than --max-sets ({limit}) cut sets of order up to {max_order}, counted per target: {count} of order 1 alone"),
                        "--max-sets",
                    ),
                };
                let smaller = if *max_order > 2 {
                    "ask for smaller sets with `--max-order 2`, or for fewer targets"
                } else {
                    "ask for fewer targets"
                };
                let help = format!("{smaller} with `--target ID` or `--min-tier critical`; `{flag} 0` lifts the bound");
                (message, Some(help))
            }
            Notice::AvailabilityTooLarge { bound, importance } => {
                let what = if *importance {
                    "the importance of their parts"
                } else {
                    "the availability of these targets"
                };
                let limit = bound.limit;
                (
                    format!("{what} would take more than --max-work ({limit}) steps"),
                    Some("ask for fewer targets with `--target ID` or `--min-tier critical`; `--max-work 0` lifts the bound".into()),
                )
            }
            Notice::SarifTruncated { kept, left_out } => (
                format!("the SARIF log holds {kept} findings, the most severe first, and leaves {left_out} out: GitHub code scanning rejects a run of more than 25,000"),
                Some("`--format json` lists every finding; a baseline (`--write-baseline`) or `.spof.yaml` levels make fewer".into()),
            ),
            Notice::ImportFailed { problem } | Notice::ImportSkipped { problem } => {
                (import_problem(problem), None)
            }
            Notice::SfdpChosen { .. }
            | Notice::WroteStarter { .. }
            | Notice::WroteImport { .. }
            | Notice::WroteBaseline { .. }
            | Notice::WroteManPages { .. } => (self.plain().unwrap_or_default(), None),
        };
        // Paths, ids and what git said come from users and files: printable only.
        let message = visible(&message).into_owned();
        let mut d = MietteDiagnostic::new(message).with_code(self.code().name());
        if let Some(help) = help {
            d = d.with_help(visible(&help).into_owned());
        }
        if matches!(
            self,
            Notice::ImportSkipped { .. }
                | Notice::IgnoreNamesNoNode { .. }
                | Notice::SarifTruncated { .. }
        ) {
            d = d.with_severity(miette::Severity::Warning);
        }
        d
    }
}

fn import_problem(problem: &ImportProblem) -> String {
    match problem {
        ImportProblem::TooManyFiles { limit } => format!("stopped after {limit} files: import fewer at a time"),
        ImportProblem::NotUtf8 { path } => format!("{path} is not UTF-8"),
        ImportProblem::CannotRead { path, error } => format!("cannot read {path}: {error}"),
        ImportProblem::LocationUnreadable { path, error } => {
            format!("skipped {path}, named by a Location: {error}")
        }
        ImportProblem::LocationOutside { path, root } => format!(
            "skipped {path}, named by a Location: it is outside {root}, the catalog's folder, and spof reads nothing outside it"
        ),
        ImportProblem::Location { file, target, why } => {
            format!("{file}: location `{target}` {why}")
        }
        ImportProblem::NothingToImport { files } => format!(
            "nothing to import in the {files} file{} read: no workload, Service, Ingress or catalog entity became a node (is it the right path?)",
            if *files == 1 { "" } else { "s" }
        ),
        ImportProblem::OutputInvalid => {
            "the import made a file spof cannot read: this is a bug in spof".into()
        }
    }
}

#[cfg(feature = "cli")]
/// Writes a notice: notes about work done as one plain line, the rest as
/// framed diagnostics.
pub fn write(
    out: &mut dyn std::io::Write,
    notice: &Notice,
    writer: &super::diagnostics::DiagnosticWriter,
) -> std::io::Result<()> {
    match notice.plain() {
        Some(line) => writeln!(out, "{line}"),
        None => writer.write(out, &notice.diagnostic()),
    }
}

impl std::fmt::Display for crate::check::baseline::BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::check::baseline::BaselineError::*;
        match self {
            NotJson(e) => write!(f, "{e}"),
            NotABaseline => f.write_str("not a spof baseline (no \"spof_baseline\": 1)"),
            NoFindings => f.write_str("no \"findings\" list"),
            MissingField(name) => write!(f, "a finding has no \"{name}\""),
            BadField(name) => write!(f, "a finding's \"{name}\" is not what spof writes there"),
        }
    }
}
