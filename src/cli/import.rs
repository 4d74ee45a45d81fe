//! `spof import backstage`: reads catalog files (following `Location`
//! entities to the files they name) and writes an architecture file.

use std::collections::{BTreeSet, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{cannot_write, tell, CmdResult, Io, INVALID, OK};
use spof::import::{backstage, catalog, kubernetes, manifest, Imported};
use spof::load::read;
use spof::report::notice::{ImportProblem, Notice, Refusal, Source};

/// Catalog files to read at most: a Location loop or a huge glob stops here.
const MAX_FILES: usize = 10_000;

pub(super) fn backstage(
    catalogs: &[PathBuf],
    cluster: Option<(&[PathBuf], &kubernetes::Options)>,
    output: Option<&Path>,
    force: bool,
    io: &mut Io<'_>,
) -> CmdResult {
    // The cluster first: a catalog joined to manifests that do not read
    // would silently lose its placements.
    let placements = match cluster {
        Some((paths, options)) => match read_manifests(paths, io)? {
            Some((objects, _)) => Some(kubernetes::placements(&objects, options)),
            None => return Ok(INVALID),
        },
        None => None,
    };
    let writer = io.diagnostic_writer();
    // Each path with the root it must stay in (the folder of the catalog
    // the user named) and whether a Location named it (then a missing file
    // is a warning, as Backstage goes on without it) or the user did (an
    // error).
    let mut queue: VecDeque<(PathBuf, PathBuf, bool)> = VecDeque::new();
    for p in catalogs {
        if p.is_dir() && !p.join("catalog-info.yaml").is_file() {
            // A folder without a catalog-info.yaml: every YAML file in it.
            let found = yaml_files(p, MAX_FILES + 1);
            queue.extend(found.into_iter().map(|f| (f, p.clone(), false)));
            continue;
        }
        let file = catalog_file(p);
        let root = file
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        queue.push_back((file, root, false));
    }
    let mut seen = BTreeSet::new();
    let mut entities = Vec::new();
    let mut failed = false;
    let mut files = 0;
    while let Some((path, root, from_location)) = queue.pop_front() {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !seen.insert(key) {
            continue;
        }
        if seen.len() > MAX_FILES {
            // A limit reached is an error: an import that silently stops
            // would leave part of the organisation out.
            failed = true;
            let problem = ImportProblem::TooManyFiles { limit: MAX_FILES };
            tell(io, &Notice::ImportFailed { problem })?;
            break;
        }
        // A Location may not lead out of the catalog's folder (Backstage
        // resolves relative targets the same way): `../secrets.yaml`,
        // `/etc/passwd` and links out are named, never read.
        if from_location && path.exists() && !read::is_inside(&root, &path) {
            let (path, root) = (path.display().to_string(), root.display().to_string());
            let problem = ImportProblem::LocationOutside { path, root };
            tell(io, &Notice::ImportSkipped { problem })?;
            continue;
        }
        let text = match read::read_file(&path, io.max_file_bytes).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                failed = true;
                let problem = ImportProblem::NotUtf8 {
                    path: path.display().to_string(),
                };
                tell(io, &Notice::ImportFailed { problem })?;
                continue;
            }
            Err(e) if from_location => {
                let (path, error) = (path.display().to_string(), e.to_string());
                let problem = ImportProblem::LocationUnreadable { path, error };
                tell(io, &Notice::ImportSkipped { problem })?;
                continue;
            }
            Err(e) => {
                failed = true;
                let (path, error) = (path.display().to_string(), e.to_string());
                let problem = ImportProblem::CannotRead { path, error };
                tell(io, &Notice::ImportFailed { problem })?;
                continue;
            }
        };
        let name = path.display().to_string();
        let (file, source) = match catalog::read(&name, &text) {
            Ok(read) => read,
            Err(load_error) => {
                failed = true;
                writer.write_load_error(io.err, &load_error)?;
                continue;
            }
        };
        files += 1;
        for problem in &file.warnings {
            let d = source
                .diagnostic(problem)
                .with_severity(miette::Severity::Warning);
            writer.write(io.err, &d)?;
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        for target in &file.locations {
            match location_files(dir, target) {
                Ok(found) => queue.extend(found.into_iter().map(|p| (p, root.clone(), true))),
                Err(why) => {
                    let (file, target) = (name.clone(), target.clone());
                    let problem = ImportProblem::Location { file, target, why };
                    tell(io, &Notice::ImportSkipped { problem })?;
                }
            }
        }
        entities.extend(file.entities);
    }
    if failed {
        return Ok(INVALID);
    }
    let imported = backstage::import(&entities, files, placements.as_ref());
    deliver(&imported, output, force, files, Source::Catalog, io)
}

/// Checks an import loads, then writes it to `output` (never over a file
/// without `force`) or to stdout.
fn deliver(
    imported: &Imported,
    output: Option<&Path>,
    force: bool,
    files: usize,
    source: Source,
    io: &mut Io<'_>,
) -> CmdResult {
    let writer = io.diagnostic_writer();
    // An empty import would be a file that passes every check: a wrong
    // path must not look like an architecture without single points of failure.
    if imported.nodes == 0 {
        let problem = ImportProblem::NothingToImport { files };
        tell(io, &Notice::ImportFailed { problem })?;
        return Ok(INVALID);
    }
    // The import promises a file spof reads as written; check before writing.
    if let Err(load_error) = spof::load::load_str("imported.yaml", imported.text.as_str()) {
        writer.write_load_error(io.err, &load_error)?;
        let problem = ImportProblem::OutputInvalid;
        tell(io, &Notice::ImportFailed { problem })?;
        return Ok(INVALID);
    }
    let Some(output) = output.filter(|o| *o != Path::new("-")) else {
        io.out.write_all(imported.text.as_bytes())?;
        return Ok(OK);
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let written = options
        .open(output)
        .and_then(|mut f| f.write_all(imported.text.as_bytes()));
    let path = output.display().to_string();
    match written {
        Ok(()) => {
            let (nodes, todos) = (imported.nodes, imported.todos);
            tell(
                io,
                &Notice::WroteImport {
                    path,
                    nodes,
                    files,
                    source,
                    todos,
                },
            )?;
            Ok(OK)
        }
        Err(e) => cannot_write(io, output, &e, Some(Refusal::ImportNeedsForce)),
    }
}

/// `spof import kubernetes`: reads manifest files, folders of them, or
/// stdin (`-`), and writes an architecture file.
pub(super) fn kubernetes(
    paths: &[PathBuf],
    options: &kubernetes::Options,
    output: Option<&Path>,
    force: bool,
    io: &mut Io<'_>,
) -> CmdResult {
    let Some((objects, files)) = read_manifests(paths, io)? else {
        return Ok(INVALID);
    };
    let imported = kubernetes::import(&objects, files, options);
    deliver(&imported, output, force, files, Source::Manifests, io)
}

/// The objects of every manifest under `paths`, and how many files held
/// them; `None` when one could not be read (each problem is told).
pub(super) fn read_manifests(
    paths: &[PathBuf],
    io: &mut Io<'_>,
) -> std::io::Result<Option<(Vec<manifest::Object>, usize)>> {
    let writer = io.diagnostic_writer();
    let mut files: Vec<PathBuf> = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(yaml_files(p, MAX_FILES + 1));
        } else {
            files.push(p.clone());
        }
    }
    if files.len() > MAX_FILES {
        let problem = ImportProblem::TooManyFiles { limit: MAX_FILES };
        tell(io, &Notice::ImportFailed { problem })?;
        return Ok(None);
    }
    let mut objects = Vec::new();
    let mut failed = false;
    for path in &files {
        let text = if path == Path::new("-") {
            read_stdin(io.max_file_bytes)
        } else {
            read::read_file(path, io.max_file_bytes)
        };
        let name = path.display().to_string();
        let text = match text.map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                failed = true;
                let problem = ImportProblem::NotUtf8 { path: name };
                tell(io, &Notice::ImportFailed { problem })?;
                continue;
            }
            Err(e) => {
                failed = true;
                let problem = ImportProblem::CannotRead {
                    path: name,
                    error: e.to_string(),
                };
                tell(io, &Notice::ImportFailed { problem })?;
                continue;
            }
        };
        match manifest::read(&name, &text) {
            Ok((file, source)) => {
                for problem in &file.warnings {
                    let d = source
                        .diagnostic(problem)
                        .with_severity(miette::Severity::Warning);
                    writer.write(io.err, &d)?;
                }
                objects.extend(file.objects);
            }
            Err(load_error) => {
                failed = true;
                writer.write_load_error(io.err, &load_error)?;
            }
        }
    }
    Ok((!failed).then_some((objects, files.len())))
}

/// Standard input, at most `limit` bytes (more is an error, as for a file).
fn read_stdin(limit: u64) -> Result<Vec<u8>, read::ReadError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(read::ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// A directory stands for the `catalog-info.yaml` in it.
fn catalog_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("catalog-info.yaml")
    } else {
        path.to_path_buf()
    }
}

/// The `.yaml`, `.yml` and `.json` files under `dir`, sorted, at most `most`; folders
/// are walked with an explicit stack, links to folders are not followed.
fn yaml_files(dir: &Path, most: usize) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<std::fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for e in entries {
            let path = e.path();
            let Ok(kind) = e.file_type() else { continue };
            let yaml = path
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json");
            if kind.is_dir() {
                stack.push(path);
            } else if yaml && found.len() < most {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The files a `Location` target names: a relative path, whose last part
/// may hold `*` wildcards. URLs are not fetched.
fn location_files(dir: &Path, target: &str) -> Result<Vec<PathBuf>, &'static str> {
    if target.contains("://") {
        return Err("is a URL, which spof does not fetch: pass the file itself");
    }
    let path = dir.join(target.trim_start_matches("./"));
    let Some(pattern) = path.file_name().and_then(|n| n.to_str()) else {
        return Err("names no file");
    };
    if !pattern.contains('*') {
        return Ok(vec![catalog_file(&path)]);
    }
    let parent = path.parent().unwrap_or(Path::new("."));
    let mut found: Vec<PathBuf> = std::fs::read_dir(parent)
        .map_err(|_| "names a folder that cannot be read")?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| wildcard(pattern, n))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// `*` matches any run of characters; everything else matches itself.
fn wildcard(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards() {
        assert!(wildcard("*.yaml", "a.yaml"));
        assert!(wildcard("team-*-info.yaml", "team-a-info.yaml"));
        assert!(!wildcard("*.yaml", "a.yml"));
        assert!(!wildcard("a*a", "a"));
        assert!(wildcard("*", "anything"));
    }
}
