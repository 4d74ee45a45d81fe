//! `spof check` and `spof explain`: read the files, the configuration and
//! the baseline; `check::run` decides; a report writer writes.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{report_failure, tell, CheckArgs, CheckFormat, CmdResult, Io, FINDINGS, INVALID, OK};
use spof::check::baseline::{self, Baseline};
use spof::check::{self};
use spof::engine::FailureGraph;
use spof::load::config::CheckConfig;
use spof::load::read::read_file;
use spof::load::{self as load, LoadFailure, Loaded};
use spof::report::explain::{self, Explained};
use spof::report::findings::{self, FileFindings};
use spof::report::json;
use spof::report::notice::Notice;
use spof::report::problems::{self, Unloaded};

pub(super) fn check(args: &CheckArgs, io: &mut Io<'_>) -> CmdResult {
    let mut loaded: Vec<Loaded> = Vec::new();
    let mut failed: Vec<(String, LoadFailure)> = Vec::new();
    for file in &args.files {
        match load::load_path(file, io.max_file_bytes) {
            Ok(l) => loaded.push(l),
            Err(failure) => {
                report_failure(&failure, io)?;
                failed.push((file.display().to_string(), failure));
            }
        }
    }
    if !failed.is_empty() {
        // Every format says what is wrong, so that CI shows it where it
        // shows findings: SARIF results, annotations, a JSON document.
        let unloaded: Vec<Unloaded<'_>> = failed
            .iter()
            .map(|(file, failure)| match failure {
                LoadFailure::Io { error, .. } => Unloaded::Unread {
                    file,
                    error: error.to_string(),
                },
                LoadFailure::Invalid(e) => Unloaded::Invalid(e),
            })
            .collect();
        match args.format {
            CheckFormat::Human => {}
            CheckFormat::Json => io
                .out
                .write_all(json::to_text(&problems::json(&unloaded)).as_bytes())?,
            CheckFormat::Sarif => io
                .out
                .write_all(json::to_text(&problems::sarif(&unloaded)).as_bytes())?,
            CheckFormat::Github => problems::write_github(io.out, &unloaded)?,
            CheckFormat::Markdown => problems::write_markdown(io.out, &unloaded)?,
        }
        return Ok(INVALID);
    }
    let baseline = match &args.baseline {
        Some(path) => match read_baseline(path, io.max_file_bytes) {
            Ok(b) => Some(b),
            Err(error) => {
                let path = path.display().to_string();
                tell(
                    io,
                    &Notice::Baseline {
                        path,
                        error,
                        reading: true,
                    },
                )?;
                return Ok(INVALID);
            }
        },
        None => None,
    };
    // Each file's configuration: --config, else the nearest `.spof.yaml`
    // from its folder up to the repository's root; each read once.
    let mut configs: Vec<CheckConfig> = Vec::with_capacity(loaded.len());
    let mut read: Vec<(Option<PathBuf>, CheckConfig)> = Vec::new();
    for file in &args.files {
        let path = args.config.clone().or_else(|| nearest_config(file));
        let config = match read.iter().find(|(p, _)| *p == path) {
            Some((_, c)) => c.clone(),
            None => {
                let Some(c) = read_config(path.as_deref(), io)? else {
                    return Ok(INVALID);
                };
                read.push((path, c.clone()));
                c
            }
        };
        configs.push(config);
    }
    // An `ignore` entry for a node no file has is a typo or a leftover.
    for (path, config) in &read {
        for i in &config.ignore {
            if !loaded.iter().any(|l| l.arch.id_of(&i.node).is_some()) {
                let config = path
                    .as_deref()
                    .map_or(String::new(), |p| p.display().to_string());
                let notice = Notice::IgnoreNamesNoNode {
                    config,
                    node: i.node.clone(),
                    rule: i.rule.code(),
                };
                tell(io, &notice)?;
            }
        }
    }
    // How baselines name each architecture's files, worked out once.
    let file_names: Vec<Vec<String>> = loaded
        .iter()
        .map(|l| l.sources.iter().map(|s| baseline_name(&s.name)).collect())
        .collect();
    let files: Vec<FileFindings<'_>> = loaded
        .iter()
        .zip(&configs)
        .zip(&file_names)
        .map(|((l, config), names)| {
            let min_tier = config.min_tier(args.min_tier.map(|t| t.tier()));
            let graph = FailureGraph::build(&l.arch);
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let baseline = baseline.as_ref();
            let outcome = check::run(&l.arch, &graph, &names, min_tier, config, baseline);
            FileFindings {
                arch: &l.arch,
                sources: &l.sources,
                outcome,
            }
        })
        .collect();
    if let Some(path) = &args.write_baseline {
        let mut recorded = Baseline::default();
        for (f, names) in files.iter().zip(&file_names) {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let b = f.outcome.baseline(f.arch, &names);
            recorded.keys.extend(b.keys);
            recorded.accepted.extend(b.accepted);
        }
        let path = path.display().to_string();
        if let Err(e) = write_baseline(&path, &recorded) {
            tell(
                io,
                &Notice::Baseline {
                    path,
                    error: e.to_string(),
                    reading: false,
                },
            )?;
            return Ok(INVALID);
        }
        let findings = recorded.keys.len();
        tell(io, &Notice::WroteBaseline { path, findings })?;
        return Ok(OK);
    }
    match args.format {
        CheckFormat::Human => findings::write_human(io.out, &files, io.out_style.color)?,
        CheckFormat::Json => io
            .out
            .write_all(json::to_text(&findings::json(&files)).as_bytes())?,
        CheckFormat::Sarif => {
            io.out
                .write_all(json::to_text(&findings::sarif(&files)).as_bytes())?;
            let left_out = findings::sarif_left_out(&files);
            if left_out > 0 {
                let kept = findings::SARIF_MAX_RESULTS;
                tell(io, &Notice::SarifTruncated { kept, left_out })?;
            }
        }
        CheckFormat::Github => findings::write_github(io.out, &files)?,
        CheckFormat::Markdown => findings::write_markdown(io.out, &files)?,
    }
    let failing = files.iter().any(|f| f.outcome.fails(args.strict));
    // As `kept_to_exit`: the findings and models are left to the end of
    // the process, which frees them at once.
    std::mem::forget(files);
    std::mem::forget(loaded);
    Ok(if failing { FINDINGS } else { OK })
}

/// Writes `baseline` to the file at `path`, one entry at a time.
fn write_baseline(path: &str, baseline: &Baseline) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    json::write_baseline(&mut out, baseline)?;
    // Flushed here so that an error writing the last of it is reported.
    out.flush()
}

/// How a baseline names a file (see [`baseline::file_name`]), from here.
fn baseline_name(name: &str) -> String {
    baseline::file_name(Path::new(name), std::env::current_dir().ok().as_deref())
}

fn read_baseline(path: &Path, limit: u64) -> Result<Baseline, String> {
    let bytes = read_file(path, limit).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "it is not UTF-8".to_string())?;
    Baseline::from_json(&text).map_err(|e| e.to_string())
}

/// The `.spof.yaml` nearest to `file`: in its folder, else in the folder
/// above, up to the repository's root (a folder with `.git`) or the
/// filesystem's root.
fn nearest_config(file: &Path) -> Option<PathBuf> {
    let here = std::env::current_dir().ok()?;
    let start = here.join(file);
    for dir in start.ancestors().skip(1) {
        let candidate = dir.join(".spof.yaml");
        if candidate.is_file() {
            // Named as the user would: relative to here when it can be.
            let shown = candidate.strip_prefix(&here).map(Path::to_path_buf);
            return Some(shown.unwrap_or(candidate));
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// The configuration at `path`, or the defaults; `None` (reported) when it
/// cannot be read.
fn read_config(path: Option<&Path>, io: &mut Io<'_>) -> std::io::Result<Option<CheckConfig>> {
    let Some(path) = path else {
        return Ok(Some(CheckConfig::default()));
    };
    let text = match read_file(path, io.max_file_bytes).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            let (path, error) = (path.display().to_string(), "it is not UTF-8".to_string());
            tell(io, &Notice::CannotReadConfig { path, error })?;
            return Ok(None);
        }
        Err(e) => {
            let (path, error) = (path.display().to_string(), e.to_string());
            tell(io, &Notice::CannotReadConfig { path, error })?;
            return Ok(None);
        }
    };
    match spof::load::config::parse(&path.display().to_string(), &text) {
        Ok(c) => Ok(Some(c)),
        Err(e) => {
            io.diagnostic_writer().write_load_error(io.err, &e)?;
            Ok(None)
        }
    }
}

pub(super) fn explain(name: Option<&str>, io: &mut Io<'_>) -> CmdResult {
    let Some(name) = name else {
        explain::write_list(io.out)?;
        return Ok(OK);
    };
    match Explained::parse(name) {
        Some(what) => {
            explain::write_one(io.out, what)?;
            Ok(OK)
        }
        None => {
            let known = Explained::names();
            tell(
                io,
                &Notice::UnknownRule {
                    name: name.to_string(),
                    known,
                },
            )?;
            Ok(INVALID)
        }
    }
}
