//! Loading: a file's bytes in, a validated [`Architecture`] or every problem
//! in the file out.
//!
//! The YAML is read into a spanned tree (`yaml::tree`), each entry of a
//! section handed to a hand-written checker as soon as it is read and then
//! dropped, so that one run reports every mistake, each at its line and
//! column, without holding a big file's tree. See ARCHITECTURE.md, "The
//! loader".

mod checker;
pub mod config;
pub mod fields;
mod include;
mod lean;

pub use include::{FileSystem, SourceTree};
mod nodes;
pub mod read;
mod references;
mod symbols;

use crate::code::Code;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{FileId, Label, LoadError, Pos, Problem, SourceFile, Span};
use crate::model::Architecture;
use crate::yaml::tree;

/// A valid architecture: its model and the text of its files (for reports
/// that point into them).
#[derive(Debug)]
pub struct Loaded {
    /// The validated model.
    pub arch: Architecture,
    /// Every file, the root first, then the included ones in the order they
    /// were read; `Span::file` indexes it.
    pub sources: Vec<Arc<SourceFile>>,
}

impl Loaded {
    /// The root file: the one named on the command line.
    pub fn source(&self) -> &Arc<SourceFile> {
        &self.sources[FileId::ROOT.index()]
    }

    /// The file a place is in.
    pub fn source_of(&self, file: FileId) -> &Arc<SourceFile> {
        self.sources.get(file.index()).unwrap_or(self.source())
    }
}

/// Why a file gave no model.
#[derive(Debug)]
pub enum LoadFailure {
    /// The file could not be read at all.
    Io {
        /// The path as given.
        path: String,
        /// Why it was not read.
        error: read::ReadError,
    },
    /// The file was read and has problems.
    Invalid(LoadError),
}

/// Reads (safely, see [`read::read_file`]: regular files of at most
/// `limit` bytes) and validates the file at `path` with every file it
/// includes (§11).
pub fn load_path(path: &Path, limit: u64) -> Result<Loaded, LoadFailure> {
    read_and_load(path, limit, true)
}

/// [`load_path`], trying the subset reader on the text first if `subset`
/// (see [`lean::load_text`]).
fn read_and_load(path: &Path, limit: u64, subset: bool) -> Result<Loaded, LoadFailure> {
    let name = path.display().to_string();
    let bytes = read::read_file(path, limit).map_err(|error| LoadFailure::Io {
        path: name.clone(),
        error,
    })?;
    let root = match text_of(&name, bytes) {
        Ok(root) => root,
        Err(e) => return Err(LoadFailure::Invalid(e)),
    };
    if let Some(loaded) = subset.then(|| lean::load_text(&root)).flatten() {
        return Ok(loaded);
    }
    load_tree(root, path, &FileSystem { limit })
}

/// Like [`load_path`], for commands that never quote the file once it is
/// loaded (all but `check`, whose human report shows the lines it is
/// about): a file of one piece, read with no problem, is read in blocks
/// and its text is not kept, so that the file is never in memory whole
/// beside its model. Every other file is loaded by [`load_path`]; the
/// answer is the same either way (see `lean`).
pub fn load_model(path: &Path, limit: u64) -> Result<Loaded, LoadFailure> {
    if let Ok((file, len)) = read::open_file(path, limit) {
        let name = path.display().to_string();
        if let Some(loaded) = lean::load(&name, file, len, limit) {
            return Ok(loaded);
        }
    }
    // The subset reader has had its turn.
    read_and_load(path, limit, false)
}

/// The lean load of one file given as a reader (`len` bytes long, read no
/// further than `limit`): `Some` only when the file is of one piece and
/// valid, with the model [`load_bytes`] would give and no text kept; `None`
/// when it must be loaded the usual way (see [`load_model`]).
pub fn load_lean(
    name: &str,
    reader: impl std::io::Read + std::io::Seek,
    len: u64,
    limit: u64,
) -> Option<Loaded> {
    lean::load(name, reader, len, limit)
}

/// Validates the root file (already read from `path`) with every file it
/// includes, read from `tree`: the file system, or a git revision.
pub fn load_tree(
    root: Arc<SourceFile>,
    path: &Path,
    tree: &dyn SourceTree,
) -> Result<Loaded, LoadFailure> {
    let found = include::discover(root, path, tree);
    check_files(found.files, found.problems, true).map_err(LoadFailure::Invalid)
}

/// Validates a file's bytes; `name` is how diagnostics name the file.
/// Includes are not followed: there is no folder to follow them in.
pub fn load_bytes(name: &str, bytes: Vec<u8>) -> Result<Loaded, LoadError> {
    check_files(vec![text_of(name, bytes)?], Vec::new(), true)
}

/// Validates a file's text (includes are not followed).
pub fn load_str(name: &str, text: impl Into<Arc<str>>) -> Result<Loaded, LoadError> {
    check_files(
        vec![Arc::new(SourceFile::new(name, text))],
        Vec::new(),
        true,
    )
}

/// A file's bytes as text, or the problem that they are not UTF-8.
pub fn text_of(name: &str, bytes: Vec<u8>) -> Result<Arc<SourceFile>, LoadError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Arc::new(SourceFile::new(name, text))),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let before = String::from_utf8_lossy(&bytes[..valid]);
            let at = end_of(&before);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let end = Pos {
                line: at.line,
                col: at.col + 1,
            };
            let problem = Problem::new(
                Code::NotUtf8,
                "the file is not valid UTF-8",
                Label::new(Span::new(at, end), "invalid byte"),
            )
            .with_help("save the file as UTF-8");
            Err(LoadError {
                file: Arc::new(SourceFile::new(name, text)),
                others: Vec::new(),
                problems: vec![problem],
            })
        }
    }
}

/// Checks the files of one architecture as one: each is read as YAML, the
/// entries of its sections checked one at a time as they are read (so no
/// file's tree is ever held whole), then the checker reads the top level of
/// every file and what needs them all.
/// `stream: false` reads each file whole first, as a file with a tab is
/// read; the tests check that both ways give the same answer.
fn check_files(
    files: Vec<Arc<SourceFile>>,
    mut problems: Vec<Problem>,
    stream: bool,
) -> Result<Loaded, LoadError> {
    let mut doc = tree::Document::default();
    let mut state = checker::State::new(files.iter().map(|f| f.text.len()).sum());
    let mut readable = true;
    for (i, source) in files.iter().enumerate() {
        let file = FileId(i as u32);
        let text = &source.text;
        if let Some(nul) = text.find('\0') {
            let mut at = Span::point(end_of(&text[..nul]));
            at.file = file;
            problems.push(
                Problem::new(
                    Code::NulByte,
                    "the file contains a NUL byte",
                    Label::new(at, "NUL byte"),
                )
                .with_help("this looks like a binary file, not YAML"),
            );
            readable = false;
            continue;
        }
        let roots = doc.roots.len();
        let mut sink = |doc: &tree::Document<'_>, which: usize, key, body| {
            checker::Checker::new(doc, &mut state).streamed_entry(which, key, body);
        };
        let stream_to = tree::Stream {
            sections: &nodes::SECTION_NAMES,
            sink: &mut sink,
        };
        let stream = stream.then_some(stream_to);
        let (read, found) = tree::parse_into(&mut doc, text, file, false, stream);
        problems.extend(found.into_iter().map(|p| p.in_file(file)));
        if !read {
            readable = false;
        } else if doc.roots.len() == roots && i > 0 {
            // An empty included file: the checker sees no root for it.
            let at = Span::point(Pos { line: 1, col: 0 });
            problems.push(nodes::missing_version(Span { file, ..at }));
        }
    }
    if readable {
        let arch = checker::Checker::new(&doc, &mut state).architecture();
        problems.append(&mut state.problems);
        if problems.is_empty() {
            return Ok(Loaded {
                arch,
                sources: files,
            });
        }
    }
    // A file that could not be read leaves only its syntax problem: what
    // the checker found in the entries before it is dropped with the rest.
    problems.sort_by_key(|p| p.primary.span);
    let mut files = files.into_iter();
    Err(LoadError {
        file: files
            .next()
            .unwrap_or_else(|| Arc::new(SourceFile::new("", ""))),
        others: files.collect(),
        problems,
    })
}

/// The position just after `text`, as the YAML reader counts it.
fn end_of(text: &str) -> Pos {
    let line = text.matches('\n').count() as u32 + 1;
    let last = text.rfind('\n').map_or(text, |i| &text[i + 1..]);
    let col = last.trim_start_matches('\u{feff}').chars().count() as u32;
    Pos { line, col }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a load says, in a form two loads can be compared by.
    fn outcome(files: &[(&str, &str)], stream: bool) -> Result<Architecture, Vec<String>> {
        let files = files
            .iter()
            .map(|(name, text)| Arc::new(SourceFile::new(*name, *text)))
            .collect();
        match check_files(files, Vec::new(), stream) {
            Ok(loaded) => Ok(loaded.arch),
            Err(e) => Err(e.problems.iter().map(|p| format!("{p:?}")).collect()),
        }
    }

    /// A file that could not be read as YAML reports its syntax problem
    /// and, read whole, the repeated keys of the mappings closed before it;
    /// streamed, a repeated key of a section is the checker's and goes with
    /// the rest of its problems. Either is right: compare without them.
    fn unread(outcome: Result<Architecture, Vec<String>>) -> Result<Architecture, Vec<String>> {
        outcome.map_err(|problems| {
            let syntax = problems.iter().any(|p| {
                ["YamlSyntax", "AliasBomb", "SecondDocument"]
                    .iter()
                    .any(|c| p.starts_with(&format!("Problem {{ code: {c},")))
            });
            problems
                .into_iter()
                .filter(|p| !syntax || !p.starts_with("Problem { code: DuplicateKey,"))
                .collect()
        })
    }

    fn same_both_ways(files: &[(&str, &str)]) {
        assert_eq!(outcome(files, true), outcome(files, false), "{files:?}");
    }

    /// A lean load (text not kept), read a few bytes at a time: `Some` only
    /// with the model the usual load gives. Both readers of a lean load
    /// are tried, whichever `lean::load` would pick: the subset reader
    /// answers the same as saphyr-parser's wherever it answers.
    fn lean(text: &str) -> Option<Architecture> {
        let usual = outcome(&[("m.yaml", text)], true);
        let by_chars = lean::tests::by_chars(text, 3);
        if let Ok(by_lines) = lean::tests::by_lines(text, 3) {
            let arch = |l: &Option<Loaded>| l.as_ref().map(|l| l.arch.clone());
            assert_eq!(arch(&by_lines), arch(&by_chars), "{text}");
        }
        let whole = Arc::new(SourceFile::new("m.yaml", text));
        if let Some(kept) = lean::load_text(&whole) {
            assert_eq!(Ok(&kept.arch), usual.as_ref(), "{text}");
            assert!(Arc::ptr_eq(&kept.sources[0], &whole), "the text is kept");
        }
        let trickle = lean::tests::Trickle::new(text.as_bytes(), 3);
        let loaded = lean::load("m.yaml", trickle, text.len() as u64, u64::MAX);
        assert_eq!(loaded.is_some(), by_chars.is_some());
        let loaded = loaded?;
        assert!(loaded.sources[0].text.is_empty());
        assert_eq!(Ok(&loaded.arch), usual.as_ref());
        Some(loaded.arch)
    }

    #[test]
    fn a_lean_load_gives_the_usual_model_or_leaves_the_file_to_it() {
        let kakao = include_str!("../../graphs/kakao-2022.yaml");
        assert!(lean(kakao).is_some(), "a valid file is loaded lean");
        let by_lines = lean::tests::by_lines(kakao, 3);
        assert!(matches!(by_lines, Ok(Some(_))), "by the subset reader");
        let whole = Arc::new(SourceFile::new("k.yaml", kakao));
        assert!(
            lean::load_text(&whole).is_some(),
            "by the subset reader, text kept"
        );
        // Every example of one file is in the subset.
        for example in [
            include_str!("../../graphs/active-active.yaml"),
            include_str!("../../graphs/kakao-2022-fixed.yaml"),
            include_str!("../../graphs/partner-login.yaml"),
            include_str!("../../graphs/startup-one-region.yaml"),
        ] {
            assert!(lean(example).is_some());
            assert!(matches!(lean::tests::by_lines(example, 5), Ok(Some(_))));
        }
        let forward = "version: 1\nservices:\n  é: { runs_in: [dc, 'd c'], depends_on: [{ any_of: [f, g] }] }\n  f: { runs_in: dc }\n  g: { runs_in: dc, name: \"G \\u00e9\" }\nsites:\n  dc: {}\n  'd c': { within: dc }\n";
        assert!(lean(forward).is_some(), "{forward}");
        // The same places, whatever the line ends and a byte-order mark.
        let crlf = forward.replace('\n', "\r\n");
        assert!(lean(&crlf).is_some());
        assert!(lean(&format!("\u{feff}{forward}")).is_some());
        // Left to the usual load: problems, anchors, includes and tabs.
        for text in TRICKY {
            assert!(lean(text).is_none(), "{text}");
        }
        let include = "version: 1\ninclude: [more.yaml]\nsites:\n  dc: {}\n";
        assert!(lean(include).is_none());
        let tab = "version: 1\nsites:\n  dc: { description: \"a\tb\" }\n";
        assert!(outcome(&[("m.yaml", tab)], true).is_ok());
        assert!(lean(tab).is_none());
    }

    /// A file of `n` services in several of the checker's batches of
    /// entries, each service needing ones before and after it, some in a
    /// group, some on a quorum of sites, `odd` written in place of
    /// service `at`.
    fn many_entries(n: usize, (at, odd): (usize, &str)) -> String {
        let mut text =
            String::from("version: 1\nsites:\n  dc: {}\n  dc2: {}\n  dc3: {}\nservices:\n");
        for i in 0..n {
            let line = match i % 4 {
                _ if i == at => odd.to_string(),
                0 => format!("  s{i}: {{ runs_in: dc, depends_on: [s{}] }}", (i + 7) % n),
                1 => format!("  s{i}: {{ runs_in: {{ sites: [dc, dc2, dc3], min: 2 }} }}"),
                2 => format!(
                    "  s{i}: {{ runs_in: [dc, dc2], depends_on: [{{ any_of: [s{}, s{}] }}] }}",
                    i / 2,
                    (i + 1) % n
                ),
                _ => format!("  s{i}:\n    runs_in: dc3\n    users: {i}\n    tier: high"),
            };
            text.push_str(&line);
            text.push('\n');
        }
        text
    }

    #[test]
    fn a_lean_load_in_many_batches_gives_the_usual_model_or_none() {
        // Forty batches and then some: the reader and the checker's thread
        // overlap, and batches come back to the reader to be filled again.
        let n = 2_600;
        let plain = many_entries(n, (usize::MAX, ""));
        let arch = lean(&plain).expect("a valid file is loaded lean");
        assert_eq!(arch.nodes.len(), n + 3);
        // A problem in a late batch: the usual load reports it.
        let late = many_entries(n, (2_500, "  s2500: { runs_in: nowhere }"));
        assert!(lean(&late).is_none());
        assert!(outcome(&[("m.yaml", &late)], true).is_err());
        // So is one in the first entry, whose batch is still being filled.
        let first = many_entries(n, (0, "  s0: { runs_in: dc, tier: nope }"));
        assert!(lean(&first).is_none());
    }

    /// Files where reading entry by entry has to wait for the end: ids
    /// used before they are declared, declared twice, in sections out of
    /// model order, across files, and entries holding anchors and aliases.
    const TRICKY: [&str; 8] = [
        "version: 1\nservices:\n  a: { runs_in: dc, depends_on: [b, zz] }\n  b: { runs_in: dc }\nsites:\n  dc: {}\n  b: {}\n",
        "version: 1\nservices:\n  a: { runs_in: dc }\n  a: { runs_in: nowhere }\n  c: { runs_in: a }\nsites:\n  dc: { within: a }\n",
        "version: 1\nintegrations:\n  i: { consumer: a, provider: dc }\nservices:\n  a: { runs_in: &p [dc] }\n  b: { runs_in: *p, depends_on: [a, a, b] }\nsites:\n  dc: {}\n",
        "version: 1\nsites: &s\n  dc: {}\nservices:\n  a: { runs_in: dc, depends_on: [{ any_of: [b, q], min: 2 }] }\n  b: { runs_in: dc }\nsites:\n  other: {}\n",
        "version: 1\nsites:\n  x: { within: y }\n  y: { within: x }\n  1: {}\n  1: {}\n  ' sp': {}\n",
        "services:\n  a: { tier: nope, users: -1, runs_in: { sites: [dc, dc2], min: 3 } }\nsites: [dc]\n",
        "version: 1\nsites:\n  dc: &d { kind: power }\n  dc2: *d\nservices:\n  a: { runs_in: [dc, dc2], x-spof-ignore: [{ rule: nope }] }\n",
        "version: 1\nservices:\n  a: { runs_in: dc, depends_on: [dcc] }\nsites:\n  dc: {}\n  dcc: {}\nintegrations:\n  j: { consumer: a, provider: dcc, fallback: [a, nope] }\n",
    ];

    #[test]
    fn streaming_and_whole_files_agree() {
        for text in TRICKY {
            same_both_ways(&[("a.yaml", text)]);
        }
        same_both_ways(&[("a.yaml", TRICKY[0]), ("b.yaml", TRICKY[7])]);
        same_both_ways(&[
            ("a.yaml", TRICKY[2]),
            ("b.yaml", "version: 1\nsites:\n  dc: {}\n"),
        ]);
        let kakao = include_str!("../../graphs/kakao-2022.yaml");
        same_both_ways(&[("kakao.yaml", kakao)]);
    }

    /// References reach the nodes they name, declared before or after
    /// them, whether the nodes keep the places they were read in (the
    /// numbering is made from their symbols in place) or move (sites read
    /// after services).
    #[test]
    fn references_reach_their_nodes_whether_or_not_nodes_move() {
        let services = "services:\n  a: { runs_in: dc, depends_on: [c] }\n  b: { runs_in: dc, depends_on: [a, c] }\n  c: { runs_in: dc }\n";
        let sites = "sites:\n  dc: {}\n";
        for text in [
            format!("version: 1\n{sites}{services}"),
            format!("version: 1\n{services}{sites}"),
        ] {
            for lean in [true, false] {
                let arch = outcome(&[("a.yaml", &text)], lean).expect("valid");
                let named = |id: &str| {
                    let node = arch.node(arch.id_of(id).expect("declared"));
                    let on = arch.depends_on(node).iter().map(|d| match d {
                        crate::model::Dependency::On { target, .. } => arch.name_of(*target),
                        crate::model::Dependency::AnyOf(_) => "a group",
                    });
                    on.collect::<Vec<&str>>()
                };
                assert_eq!(
                    (named("a"), named("b"), named("c")),
                    (vec!["c"], vec!["a", "c"], vec![])
                );
                let ids: Vec<&str> = arch.nodes.iter().map(|n| &*n.id).collect();
                assert_eq!(ids, ["dc", "a", "b", "c"]);
            }
        }
    }

    #[test]
    fn nodes_are_put_in_model_order_in_place() {
        let text = "version: 1\nintegrations:\n  i: { consumer: a, provider: b }\nservices:\n  b: { runs_in: dc, depends_on: [a] }\n  a: { runs_in: [dc2, dc], external: true }\nsites:\n  dc2: { within: dc }\n  dc: {}\n";
        let arch = outcome(&[("a.yaml", text)], true).expect("valid");
        let ids: Vec<&str> = arch.nodes.iter().map(|n| &*n.id).collect();
        assert_eq!(ids, ["dc2", "dc", "b", "a", "i"]);
        for (i, node) in arch.nodes.iter().enumerate() {
            assert_eq!(arch.id_of(&node.id), Some(crate::model::NodeId(i as u32)));
        }
        assert_eq!(arch, outcome(&[("a.yaml", text)], false).expect("valid"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Mutated files, valid or not, load the same entry by entry as
        /// whole.
        #[test]
        fn mutated_files_load_the_same_streamed(
            seed in 0usize..TRICKY.len() + 1,
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..6),
        ) {
            let kakao = include_str!("../../graphs/kakao-2022.yaml");
            let mut bytes = TRICKY.get(seed).copied().unwrap_or(kakao).as_bytes().to_vec();
            for (at, byte, op) in edits {
                if bytes.is_empty() {
                    break;
                }
                let at = at % bytes.len();
                match op {
                    0 => bytes[at] = b"\n:-[]{}&*!|>'\",?x a1"[byte as usize % 19],
                    1 => bytes.insert(at, b"\n:-[]{}&*!|>'\",?x a1"[byte as usize % 19]),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            let files = [("m.yaml", &*text)];
            prop_assert_eq!(unread(outcome(&files, true)), unread(outcome(&files, false)));
            // Asserts inside: a lean load that answers gives the same model.
            lean(&text);
        }
    }

    /// A declared id's text is its node's, and the node being read is not
    /// in the list yet (`Symbols::building`): the id table grows while the
    /// first node names thousands of ids declared after it, and every id,
    /// its own included, is still found after.
    #[test]
    fn ids_are_found_after_the_table_grows_while_a_node_is_read() {
        let n = 3000;
        let names: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
        let mut text = format!(
            "version: 1\nservices:\n  first: {{ depends_on: [{}] }}\n  second: {{ depends_on: [first] }}\n",
            names.join(", ")
        );
        for name in &names {
            text += &format!("  {name}: {{}}\n");
        }
        text += "  third: { depends_on: [frist] }\n";
        let Err(error) = load_str("m.yaml", text.as_str()) else {
            panic!("one unknown id");
        };
        // `frist` alone is unknown, with `first` as its hint.
        let [problem] = &error.problems[..] else {
            panic!("{:?}", error.problems);
        };
        assert!(
            problem.help.as_deref().unwrap_or("").contains("`first`"),
            "{problem:?}"
        );
        let text = text.replace("frist", "first");
        let arch = load_str("m.yaml", text).expect("loads").arch;
        assert_eq!(arch.nodes.len(), n + 3);
        for id in ["first", "second", "third", "x0", "x2999"] {
            let at = arch.id_of(id).expect("found");
            assert_eq!(&*arch.nodes[at.index()].id, id);
        }
        let first = arch.id_of("first").expect("found");
        let second = arch.id_of("second").expect("found");
        let [needs] = arch.depends_on(arch.node(second)) else {
            panic!("one dependency");
        };
        assert!(matches!(needs, crate::model::Dependency::On { target, .. } if *target == first));
    }
}
