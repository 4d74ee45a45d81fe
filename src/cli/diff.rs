//! `spof diff BASE HEAD` and `spof diff FILE --base-ref REV`.

use std::path::Path;
use std::process::Command;

use super::{load, report_failure, tell, CmdResult, Format, Io, FINDINGS, INVALID, OK};
use spof::check::diff;
use spof::load::{self as loader, LoadFailure, Loaded};
use spof::model::Tier;
use spof::report::notice::Notice;
use spof::report::{self, json};

pub(super) fn diff(
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
        Format::Human => {
            report::diff::write_human(io.out, &b.source.name, &h.source.name, &d, io.out_style)?
        }
        Format::Json => io
            .out
            .write_all(json::to_text(&report::diff::to_json(&d)).as_bytes())?,
    }
    Ok(if d.added.is_empty() { OK } else { FINDINGS })
}

fn from_git(rev: &str, path: &Path, io: &mut Io<'_>) -> std::io::Result<Option<Loaded>> {
    let spec = format!("{rev}:./{}", path.display());
    // The revision comes from the user: after `--end-of-options`, git reads
    // it as a revision even when it starts with `-`.
    let output = Command::new("git")
        .args(["show", "--end-of-options", &spec])
        .output();
    let problem = match output {
        Ok(o) if o.status.success() && o.stdout.len() as u64 > io.max_file_bytes => format!(
            "it is larger than {} MiB (raise the limit with --max-file-mb)",
            io.max_file_bytes >> 20
        ),
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
