//! `include` (format v1 §11): the files that make one architecture.
//!
//! Starting from the root file, each file's `include` entries (paths and
//! globs relative to it) are resolved and read, breadth first, each file
//! once, in a fixed order: the root, then for each file its entries in
//! order, each glob's matches in code-point order of their paths. Every file
//! must stay inside the root file's folder (symbolic links resolved) and be
//! a regular file ([`super::read::read_file`]). A cycle is an error that
//! names its files. Problems are located at the `include` entry.
//!
//! Cost: the files' sizes, plus one directory walk per glob. Only files that
//! mention `include` are parsed here (once more when all are checked).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::code::Code;
use crate::diagnostic::{FileId, Label, Problem, SourceFile, Span};
use crate::yaml::scalar::{resolve, Resolved};
use crate::yaml::tree::{self, Value};

use super::read::read_file;

/// Where the files of an architecture are read from: the file system, or
/// (in the command line, for `diff --base-ref`) a git revision. Paths are
/// as written, relative to the current folder.
pub trait SourceTree {
    /// The bytes of the regular file at `path`, or why not.
    fn read(&self, path: &Path) -> Result<Vec<u8>, String>;
    /// The path with links and `..` worked out, to tell whether two paths
    /// name one file and whether a path stays inside a folder.
    fn resolve(&self, path: &Path) -> Result<PathBuf, String>;
    /// The entries of a folder with whether each is a folder, sorted.
    fn children(&self, dir: &Path) -> Vec<(PathBuf, bool)>;
}

/// The file system, read safely ([`read_file`]) with a size limit.
pub struct FileSystem {
    /// The most bytes read of one file.
    pub limit: u64,
}

impl SourceTree for FileSystem {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        read_file(path, self.limit).map_err(|e| e.to_string())
    }

    fn resolve(&self, path: &Path) -> Result<PathBuf, String> {
        std::fs::canonicalize(nonempty(path)).map_err(|e| e.to_string())
    }

    fn children(&self, dir: &Path) -> Vec<(PathBuf, bool)> {
        let read = std::fs::read_dir(nonempty(dir));
        let mut out: Vec<(PathBuf, bool)> = read
            .map(|r| {
                r.filter_map(Result::ok)
                    .map(|e| {
                        let path = dir.join(e.file_name());
                        let is_dir = path.is_dir();
                        (path, is_dir)
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }
}

/// `.` for the empty path (the current folder).
fn nonempty(path: &Path) -> &Path {
    if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    }
}

/// The files of one architecture, the root first, and what went wrong
/// following the includes.
pub(super) struct Files {
    pub files: Vec<Arc<SourceFile>>,
    pub problems: Vec<Problem>,
}

/// One `include` entry: its text and where it is written.
struct Entry {
    text: String,
    span: Span,
}

/// Follows the includes of `root` (read from `root_path`).
pub(super) fn discover(root: Arc<SourceFile>, root_path: &Path, tree: &dyn SourceTree) -> Files {
    let folder = root_path.parent().unwrap_or(Path::new(""));
    let mut walk = Walk {
        tree,
        top: tree
            .resolve(folder)
            .unwrap_or_else(|_| folder.to_path_buf()),
        files: vec![root],
        paths: vec![root_path.to_path_buf()],
        known: HashMap::new(),
        edges: Vec::new(),
        problems: Vec::new(),
    };
    if let Ok(real) = tree.resolve(root_path) {
        walk.known.insert(real, FileId::ROOT);
    }
    let mut i = 0;
    while i < walk.files.len() {
        let file = FileId(i as u32);
        for entry in entries(&walk.files[i], file) {
            walk.follow(file, &entry);
        }
        i += 1;
    }
    walk.cycles();
    Files {
        files: walk.files,
        problems: walk.problems,
    }
}

struct Walk<'t> {
    tree: &'t dyn SourceTree,
    /// The root file's folder, resolved: nothing outside it is read.
    top: PathBuf,
    files: Vec<Arc<SourceFile>>,
    /// The path each file was read from.
    paths: Vec<PathBuf>,
    /// Resolved path → file, so that a file reached twice is read once.
    known: HashMap<PathBuf, FileId>,
    /// (including file, included file, the entry): for cycles.
    edges: Vec<(FileId, FileId, Span)>,
    problems: Vec<Problem>,
}

impl Walk<'_> {
    fn problem(&mut self, at: Span, message: String, label: &str) {
        self.problems
            .push(Problem::new(Code::Include, message, Label::new(at, label)));
    }

    /// Resolves one entry of `from` and reads what it names.
    fn follow(&mut self, from: FileId, entry: &Entry) {
        let written = Path::new(&entry.text);
        // `..` is fine while it stays inside the root's folder (a team file
        // naming `../platform/sites.yaml`); where it leads is checked on the
        // resolved path. An absolute path never is.
        if written.is_absolute() {
            let message = format!(
                "`{}` leaves the folder of the root file; spof reads nothing outside it",
                entry.text
            );
            return self.problem(entry.span, message, "outside the root's folder");
        }
        let base = self.paths[from.index()].parent().map(Path::to_path_buf);
        let base = base.unwrap_or_default();
        let paths = if entry.text.contains(['*', '?', '[']) {
            // A glob such as `*.yaml` matches the file it is written in: that
            // one match is the file itself, not an include.
            let me = self.tree.resolve(&self.paths[from.index()]).ok();
            let mut found = glob(self.tree, &base, &entry.text, &self.top);
            found.retain(|p| self.tree.resolve(p).ok() != me);
            if found.is_empty() {
                let message = format!("`{}` matches no file", entry.text);
                return self.problem(entry.span, message, "no match");
            }
            found
        } else {
            vec![tidy(&base.join(written))]
        };
        for path in paths {
            self.read(from, entry, path);
        }
    }

    fn read(&mut self, from: FileId, entry: &Entry, path: PathBuf) {
        let shown = path.display().to_string();
        let real = match self.tree.resolve(&path) {
            Ok(real) => real,
            Err(e) => {
                let message = format!("cannot read {shown}: {e}");
                return self.problem(entry.span, message, "cannot be read");
            }
        };
        if !real.starts_with(&self.top) {
            // Where it leads is not said: a path on the CI machine is not
            // the pull request's business.
            let message = format!(
                "{shown} leads outside the folder of the root file; spof reads nothing outside it"
            );
            return self.problem(entry.span, message, "outside the root's folder");
        }
        if let Some(&known) = self.known.get(&real) {
            self.edges.push((from, known, entry.span));
            return;
        }
        let text = match self.tree.read(&path).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                let message = format!("{shown} is not UTF-8");
                return self.problem(entry.span, message, "not UTF-8");
            }
            Err(e) => {
                let message = format!("cannot read {shown}: {e}");
                return self.problem(entry.span, message, "cannot be read");
            }
        };
        let id = FileId(self.files.len() as u32);
        self.known.insert(real, id);
        self.edges.push((from, id, entry.span));
        self.files.push(Arc::new(SourceFile::new(shown, text)));
        self.paths.push(path);
    }

    /// Reports each include cycle once, at the entry that closes it.
    fn cycles(&mut self) {
        let n = self.files.len();
        let mut out: Vec<Vec<(FileId, Span)>> = vec![Vec::new(); n];
        for &(from, to, span) in &self.edges {
            out[from.index()].push((to, span));
        }
        // 0 new, 1 on the path, 2 done; an explicit stack, no recursion.
        let mut state = vec![0u8; n];
        let mut path: Vec<(FileId, usize)> = vec![(FileId::ROOT, 0)];
        state[0] = 1;
        while let Some(&mut (file, ref mut next)) = path.last_mut() {
            let Some(&(to, span)) = out[file.index()].get(*next) else {
                state[file.index()] = 2;
                path.pop();
                continue;
            };
            *next += 1;
            match state[to.index()] {
                0 => {
                    state[to.index()] = 1;
                    path.push((to, 0));
                }
                1 => {
                    let from = path.iter().position(|&(f, _)| f == to).unwrap_or(0);
                    let mut names: Vec<&str> = path[from..]
                        .iter()
                        .map(|&(f, _)| self.files[f.index()].name.as_str())
                        .collect();
                    names.push(&self.files[to.index()].name);
                    let message = format!("include cycle: {}", names.join(" → "));
                    self.problem(span, message, "closes the cycle");
                }
                _ => {}
            }
        }
    }
}

/// The `include` entries of a file, located in it. Only a file that
/// mentions `include` is parsed; the checker reports a malformed list.
fn entries(source: &SourceFile, file: FileId) -> Vec<Entry> {
    if !source.text.contains("include") {
        return Vec::new();
    }
    let (Some(doc), _) = tree::parse(&source.text) else {
        return Vec::new();
    };
    let Some(root) = doc.root else {
        return Vec::new();
    };
    let Value::Map(fields) = doc.get(root).0 else {
        return Vec::new();
    };
    let text = |idx| match doc.get(idx) {
        (Value::Scalar { text, plain, .. }, span) => match resolve(text, plain, None) {
            Resolved::Str(s) => Some((s.to_string(), span)),
            _ => None,
        },
        _ => None,
    };
    let Some(&(_, list)) = fields
        .iter()
        .find(|&&(k, _)| text(k).is_some_and(|(k, _)| k == "include"))
    else {
        return Vec::new();
    };
    let Value::Seq(items) = doc.get(list).0 else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|&i| text(i))
        .map(|(text, mut span)| {
            span.file = file;
            Entry { text, span }
        })
        .collect()
}

/// A path with its `.` parts removed.
fn tidy(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| *c != Component::CurDir)
        .collect()
}

/// The files under `base` that `pattern` matches (`*` and `?` within a name,
/// `[abc]` a set, `**` any number of folders), sorted by path, staying
/// inside `top`.
fn glob(tree: &dyn SourceTree, base: &Path, pattern: &str, top: &Path) -> Vec<PathBuf> {
    let parts: Vec<&str> = pattern
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let mut found = Vec::new();
    // (folder, index of the next part): an explicit stack, no recursion.
    let mut stack = vec![(tidy(base), 0usize)];
    // A folder linked into itself is walked once per part of the pattern.
    let mut walked = std::collections::HashSet::new();
    while let Some((dir, at)) = stack.pop() {
        let Some(&part) = parts.get(at) else {
            continue;
        };
        let real = tree.resolve(&dir);
        let Some(real) = real.ok().filter(|real| real.starts_with(top)) else {
            continue;
        };
        if !walked.insert((real, at)) {
            continue;
        }
        let last = at + 1 == parts.len();
        if part == "**" {
            // Zero folders, or one more and `**` again.
            stack.push((dir.clone(), at + 1));
            for (sub, _) in tree.children(&dir).into_iter().filter(|c| c.1) {
                stack.push((sub, at));
            }
            continue;
        }
        for (child, is_dir) in tree.children(&dir) {
            let name = child.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !matches(part, name) {
                continue;
            }
            if last && !is_dir {
                found.push(child);
            } else if !last && is_dir {
                stack.push((child, at + 1));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Glob matching of one name: `*` any run, `?` one character, `[...]` a set.
fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Dynamic programming over (pattern, name) positions: O(|p| · |n|).
    let mut reach = vec![false; n.len() + 1];
    reach[0] = true;
    let mut i = 0;
    while i < p.len() {
        let mut next = vec![false; n.len() + 1];
        let (class, width) = if p[i] == '[' {
            match p[i..].iter().position(|&c| c == ']') {
                Some(end) if end > 1 => (Some(&p[i + 1..i + end]), end + 1),
                _ => (None, 1),
            }
        } else {
            (None, 1)
        };
        for j in 0..=n.len() {
            if !reach[j] {
                continue;
            }
            match (p[i], class) {
                ('*', _) => next[j..].iter_mut().for_each(|r| *r = true),
                (_, Some(set)) if j < n.len() && set.contains(&n[j]) => next[j + 1] = true,
                ('?', None) if j < n.len() => next[j + 1] = true,
                (c, None) if c != '*' && c != '?' && j < n.len() && n[j] == c => next[j + 1] = true,
                _ => {}
            }
        }
        reach = next;
        i += width;
    }
    reach[n.len()]
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn glob_names() {
        assert!(matches("*.yaml", "team-a.yaml"));
        assert!(!matches("*.yaml", "team-a.yml"));
        assert!(matches("team-?.yaml", "team-b.yaml"));
        assert!(matches("[ab].yaml", "b.yaml"));
        assert!(!matches("[ab].yaml", "c.yaml"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXbYc"));
    }
}
