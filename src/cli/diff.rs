//! `spof diff BASE HEAD` and `spof diff FILE --base-ref REV`.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use super::{load, report_failure, tell, CmdResult, Format, Io, FINDINGS, INVALID, OK};
use spof::check::diff;
use spof::load::{self as loader, LoadFailure, Loaded, SourceTree};
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
            report::diff::write_human(io.out, &b.source().name, &h.source().name, &d, io.out_style)?
        }
        Format::Json => io
            .out
            .write_all(json::to_text(&report::diff::to_json(&d)).as_bytes())?,
    }
    Ok(if d.worse() { FINDINGS } else { OK })
}

/// A git revision as a [`SourceTree`]: `git show` reads, `git ls-tree`
/// lists. Every value from the user comes after `--end-of-options`.
struct GitTree<'r> {
    rev: &'r str,
    limit: u64,
}

impl GitTree<'_> {
    fn git(&self, args: &[&str]) -> Result<Vec<u8>, String> {
        let out = Command::new("git")
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// `REV:./path`, as git names a file of a revision relative to here.
    fn spec(&self, path: &Path) -> String {
        format!("{}:./{}", self.rev, path.display())
    }
}

impl SourceTree for GitTree<'_> {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        let bytes = self.git(&["show", "--end-of-options", &self.spec(path)])?;
        if bytes.len() as u64 > self.limit {
            return Err(format!(
                "it is larger than {} MiB (raise the limit with --max-file-mb)",
                self.limit >> 20
            ));
        }
        Ok(bytes)
    }

    fn resolve(&self, path: &Path) -> Result<PathBuf, String> {
        // A revision holds no links to follow: names are worked out by name.
        let mut out = PathBuf::new();
        for c in path.components() {
            match c {
                Component::ParentDir if !out.pop() => out.push(".."),
                Component::ParentDir | Component::CurDir => {}
                c => out.push(c),
            }
        }
        Ok(out)
    }

    fn children(&self, dir: &Path) -> Vec<(PathBuf, bool)> {
        let Ok(listing) = self.git(&["ls-tree", "--end-of-options", &self.spec(dir)]) else {
            return Vec::new();
        };
        let mut out: Vec<(PathBuf, bool)> = String::from_utf8_lossy(&listing)
            .lines()
            .filter_map(|line| {
                let (meta, name) = line.split_once('\t')?;
                Some((dir.join(name), meta.split(' ').nth(1) == Some("tree")))
            })
            .collect();
        out.sort();
        out
    }
}

/// The architecture at `path` as of revision `rev`, its includes too. A
/// root the revision does not have (a file the change adds) is an empty
/// architecture (§12: everything in HEAD is added).
fn from_git(rev: &str, path: &Path, io: &mut Io<'_>) -> std::io::Result<Option<Loaded>> {
    // git names files of a revision relative to here: an absolute path
    // given on the command line is made relative first.
    let here = std::env::current_dir().ok();
    let relative = here.as_deref().and_then(|h| path.strip_prefix(h).ok());
    let path = relative.unwrap_or(path);
    let tree = GitTree {
        rev,
        limit: io.max_file_bytes,
    };
    let spec = tree.spec(path);
    let bytes = match tree.read(path) {
        Ok(bytes) => bytes,
        Err(problem)
            if tree
                .git(&[
                    "rev-parse",
                    "--verify",
                    "--end-of-options",
                    &format!("{rev}^{{commit}}"),
                ])
                .is_ok()
                && (problem.contains("does not exist")
                    || problem.contains("exists on disk, but not in")) =>
        {
            return Ok(Some(empty(&spec)));
        }
        Err(problem) => {
            tell(io, &Notice::Git { spec, problem })?;
            return Ok(None);
        }
    };
    let loaded = loader::text_of(&spec, bytes)
        .map_err(LoadFailure::Invalid)
        .and_then(|root| loader::load_tree(root, path, &tree));
    match loaded {
        Ok(l) => Ok(Some(l)),
        Err(e) => {
            report_failure(&e, io)?;
            Ok(None)
        }
    }
}

/// An architecture with nothing in it, named `name`.
fn empty(name: &str) -> Loaded {
    let source = std::sync::Arc::new(spof::diagnostic::SourceFile::new(name, ""));
    Loaded {
        arch: Default::default(),
        sources: vec![source],
    }
}
