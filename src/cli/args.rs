//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// `spof availability --max-work`'s default, in steps.
const MAX_WORK: u64 = 10_000_000_000;

#[derive(Parser, Debug)]
#[command(
    name = "spof",
    version = concat!(env!("CARGO_PKG_VERSION"), " (architecture format v1)"),
    about = "Find the single points of failure in an architecture written as code",
    long_about = "Find the single points of failure in an architecture written as code.\n\n\
        Describe sites, services and the integrations between organisations in a YAML file \
        (format v1), then ask what fails when something burns down.",
    after_help = "Exit status: 0 success, 1 findings at the failing level (check), 2 invalid input or usage, 74 the report could not be written whole (a full disk), 141 the reader of the output went away (a closed pipe)."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Never draw a progress bar (one appears on a terminal for work over a second)
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Show at most this many problems of a file (0: all); the count of the rest is said
    #[arg(long, global = true, value_name = "N", default_value_t = 1000)]
    pub max_problems: usize,
    /// Read no file larger than this many MiB (architecture, includes, catalogs, config, baseline)
    #[arg(long, global = true, value_name = "MIB", default_value_t = 256)]
    pub max_file_mb: u64,
}

/// The text `diagram` writes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DiagramFormat {
    /// Graphviz DOT
    Dot,
    /// A Mermaid flowchart
    Mermaid,
}

/// How `diagram` groups the nodes outside site clusters.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GroupArg {
    /// By `owner`
    Owner,
    /// By the file each node is written in (with `include`)
    File,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Check files against format v1 and print every problem found
    Validate {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// List the single points of failure, worst first
    Audit {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Cause chains shown per single point of failure in human output, the most important targets first (0: all); JSON has every chain
        #[arg(long, default_value_t = 20, value_name = "N")]
        chains: usize,
        #[command(flatten)]
        targets: TargetArgs,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Show every node's state when the given nodes fail
    #[command(name = "what-if")]
    WhatIf {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// A node that fails (repeat for several)
        #[arg(
            long = "fail",
            value_name = "ID",
            required = true,
            long_help = "A node that fails (repeat for several). An id that starts with `-` is written with `=`: --fail=-ID."
        )]
        fail: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Lint for CI: exit 1 when a file has a single point of failure
    Check(CheckArgs),
    /// The single points of failure a change adds and removes (exit 1 when it adds one)
    Diff {
        /// The file before the change (or, with --base-ref, the file itself)
        #[arg(value_name = "BASE_FILE")]
        base: PathBuf,
        /// The file after the change
        #[arg(value_name = "HEAD_FILE", required_unless_present = "base_ref")]
        head: Option<PathBuf>,
        /// Take the base from this git revision of the file (e.g. origin/main)
        #[arg(long, value_name = "REV")]
        base_ref: Option<String>,
        #[arg(long, value_enum, default_value_t = TierArg::High, value_name = "TIER")]
        min_tier: TierArg,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Draw the architecture with Graphviz (DOT on stdout, or SVG/PNG/PDF with -o)
    Diagram(DiagramArgs),
    /// Minimal cut sets: the sets of failures that take each target down
    Cuts {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Largest set to look for
        #[arg(long, default_value_t = 2, value_name = "K", value_parser = clap::value_parser!(u32).range(1..=4))]
        max_order: u32,
        /// Refuse to try more sets than this (0: no limit); fewer targets or a smaller --max-order try fewer
        #[arg(long, default_value_t = 20_000_000, value_name = "N")]
        max_tries: u64,
        /// Refuse to find more cut sets than this, each counted per target (0: no limit)
        #[arg(long, default_value_t = 50_000_000, value_name = "N")]
        max_sets: u64,
        #[command(flatten)]
        targets: TargetArgs,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Each target's availability from its parts' `availability`
    Availability {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Also rank each target's parts by Birnbaum importance and risk achievement worth
        #[arg(long)]
        importance: bool,
        /// Refuse to do more work than this many steps (0: no limit); fewer targets do less
        #[arg(long, default_value_t = MAX_WORK, value_name = "N")]
        max_work: u64,
        #[command(flatten)]
        targets: TargetArgs,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Write a target's fault tree for other tools (Open-PSA MEF XML, read by SCRAM)
    Export {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The target whose failure is the top event
        #[arg(long, value_name = "ID")]
        target: String,
        #[arg(long, value_enum, default_value_t = ExportFormat::Mef)]
        format: ExportFormat,
        /// Write here instead of stdout
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Explain a rule of `check` or a diagnostic code (e.g. `spof explain single-point-of-failure`, `spof explain spof::duplicate-id`)
    Explain {
        /// A rule or diagnostic code; omit to list them all
        code: Option<String>,
    },
    /// Write a commented starter file (valid as written)
    Init {
        /// Where to write it; `-` for stdout
        #[arg(value_name = "FILE", default_value = "architecture.yaml")]
        file: PathBuf,
    },
    /// Write an architecture file from what teams already describe (a Backstage catalog)
    #[command(subcommand)]
    Import(ImportSource),
    /// Print the JSON Schema of format v1, for editors (also in schema/spof-v1.schema.json)
    Schema,
    /// Print shell completions (bash, zsh, fish, powershell, elvish); bash, zsh and fish also complete ids
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write every page (spof.1, spof-audit.1, ...) to a folder
    Man {
        /// Folder to write the pages to (default: the page of `spof` on stdout)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// The ids of the file among WORDS, for shell completion
    #[command(name = "__ids", hide = true)]
    Ids {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        words: Vec<String>,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct CheckArgs {
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Lowest tier whose loss fails the check [default: the config's, else high]
    #[arg(long, value_enum, value_name = "TIER")]
    pub min_tier: Option<TierArg>,
    /// Rule levels and accepted findings [default: .spof.yaml when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Fail only on findings that are not in this baseline file
    #[arg(long, value_name = "BASELINE")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in this file and exit 0
    #[arg(long, value_name = "BASELINE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
}

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct DiagramArgs {
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Draw the states when these nodes fail (repeat for several)
    #[arg(
        long = "fail",
        value_name = "ID",
        long_help = "Draw the states when these nodes fail (repeat for several). An id that starts with `-` is written with `=`: --fail=-ID."
    )]
    pub fail: Vec<String>,
    /// Mark every single point of failure
    #[arg(long)]
    pub spofs: bool,
    /// Lowest tier that counts as a target for --spofs
    #[arg(long, value_enum, default_value_t = TierArg::High, value_name = "TIER")]
    pub min_tier: TierArg,
    /// Draw only the neighbourhood of this node
    #[arg(
        long,
        value_name = "ID",
        long_help = "Draw only the neighbourhood of this node. An id that starts with `-` is written with `=`: --focus=-ID."
    )]
    pub focus: Option<String>,
    /// How many steps around --focus to draw
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub depth: u32,
    /// Draw each site as one node with counts, and the dependencies between sites
    #[arg(long, conflicts_with = "focus")]
    pub collapse: bool,
    /// Refuse to draw more nodes than this (0: no limit); --focus and --collapse draw less
    #[arg(long, default_value_t = 20_000, value_name = "N")]
    pub max_nodes: usize,
    /// Group what runs outside the site clusters by owner, or by the file it is written in
    #[arg(long, value_enum, default_value_t = GroupArg::Owner)]
    pub group: GroupArg,
    /// Write Mermaid (GitHub draws it in Markdown) instead of DOT; also chosen by -o FILE.mmd
    #[arg(long, value_enum, default_value_t = DiagramFormat::Dot)]
    pub format: DiagramFormat,
    /// Graphviz layout engine; auto picks sfdp above 1,000 nodes
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
    pub layout: LayoutArg,
    /// Write here instead of stdout; the extension picks the format (.dot, .svg, .png, .pdf)
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExportFormat {
    /// Open-PSA Model Exchange Format XML
    Mef,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LayoutArg {
    Auto,
    Dot,
    Sfdp,
    Neato,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CheckFormat {
    Human,
    Json,
    Sarif,
    Github,
    Markdown,
}

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct TargetArgs {
    /// Lowest tier that counts as a target
    #[arg(long, value_enum, default_value_t = TierArg::High, value_name = "TIER")]
    pub min_tier: TierArg,
    /// Name the targets instead (repeat for several)
    #[arg(
        long = "target",
        value_name = "ID",
        long_help = "Name the targets instead (repeat for several). An id that starts with `-` is written with `=`: --target=-ID."
    )]
    pub target: Vec<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TierArg {
    Critical,
    High,
    Medium,
    Low,
}

impl TierArg {
    pub(crate) fn tier(self) -> spof::model::Tier {
        use spof::model::Tier;
        match self {
            TierArg::Critical => Tier::Critical,
            TierArg::High => Tier::High,
            TierArg::Medium => Tier::Medium,
            TierArg::Low => Tier::Low,
        }
    }
}

#[derive(Subcommand, Debug)]
pub(crate) enum ImportSource {
    /// Read Backstage catalog files (catalog-info.yaml) and write a spof file
    Backstage {
        /// Catalog files or folders holding a catalog-info.yaml; `Location` entities are followed
        #[arg(required = true, value_name = "CATALOG")]
        catalogs: Vec<PathBuf>,
        /// Kubernetes manifests: a component annotated `backstage.io/kubernetes-id: X` takes the placement of the workload labelled X
        #[arg(long, value_name = "PATH", num_args = 1..)]
        kubernetes: Vec<PathBuf>,
        /// With --kubernetes: the zones the cluster's nodes are in, when the manifests do not name them
        #[arg(
            long,
            value_name = "ZONE,...",
            value_delimiter = ',',
            requires = "kubernetes"
        )]
        zones: Vec<String>,
        /// With --kubernetes: the cluster's site id
        #[arg(long, value_name = "ID", default_value = "cluster", value_parser = site_id)]
        cluster: String,
        /// Where to write the architecture (default: stdout)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace the output file if it exists
        #[arg(long)]
        force: bool,
    },
    /// Read Kubernetes manifests (files, folders, `helm template` or `kubectl get -o yaml` output; `-` for stdin) and write a spof file
    Kubernetes {
        /// Manifest files, folders of them (walked for .yaml, .yml and .json), or `-` for stdin
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The zones the cluster's nodes are in, when the manifests do not name them
        #[arg(long, value_name = "ZONE,...", value_delimiter = ',')]
        zones: Vec<String>,
        /// The cluster's site id
        #[arg(long, value_name = "ID", default_value = "cluster", value_parser = site_id)]
        cluster: String,
        /// Where to write the architecture (default: stdout)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace the output file if it exists
        #[arg(long)]
        force: bool,
    },
}

/// A site id given on the command line: not empty, no control characters.
fn site_id(text: &str) -> Result<String, String> {
    if text.is_empty() || text.chars().any(char::is_control) {
        Err("an id must not be empty or hold control characters".into())
    } else {
        Ok(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
