//! Loading a file without keeping its text (issue #18: memory within 3x of
//! the file). The file is read in blocks, and every scalar keeps its own
//! text for as long as its entry is in the tree. What stays is the model
//! alone, where a load that keeps the text holds the file whole beside it.
//!
//! The blocks go a line at a time to the subset reader
//! ([`crate::yaml::subset`]), which reads the block YAML that
//! nearly every architecture file is written in several times faster than
//! saphyr-parser, while another thread checks the entries it has read
//! ([`checked_aside`]). A file outside that subset is read again from its
//! start, a character at a time, by saphyr-parser.
//!
//! Only the common case goes this way: one file, read in one pass with no
//! problem. Anything else (a problem of any kind, an `include`, a tab, an
//! anchor or alias, a NUL, bytes that are not UTF-8, a file past the limit
//! or one that cannot be read, a tree of more than
//! [`tree::LEAN_TREE_NODES`] nodes outside the streamed entries) gives
//! `None`, as early as it is seen, and the caller loads the file
//! the usual way, so every answer and every diagnostic is the one that way
//! gives. Only commands that never quote the file after loading it may use
//! this: the file's [`SourceFile`] has its name and no text.
//!
//! Architecture invariant: a lean load gives `Some` only when the usual
//! load would give the same model with no problem (`load::tests` checks
//! both ways on the same files).

use std::cell::Cell;
use std::io::{Read, Seek};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};

use super::{checker, nodes, Loaded};
use crate::diagnostic::{FileId, SourceFile};
use crate::yaml::subset::{self, Unsupported};
use crate::yaml::tree::{self, NodeIdx, Value};

/// Bytes read from the file at a time; a line longer than this is left to
/// saphyr-parser.
const BLOCK: usize = 1 << 16;

/// The model of the file `reader` (named `name` in diagnostics, `len`
/// bytes long as far as its metadata says), or `None` when it must be
/// loaded the usual way (see the module's documentation). The file is read
/// by the subset reader, and read again from its start by saphyr-parser
/// if it is outside the subset.
pub(super) fn load(
    name: &str,
    mut reader: impl Read + Seek,
    len: u64,
    limit: u64,
) -> Option<Loaded> {
    match load_lines(name, &mut reader, len, limit) {
        Ok(answer) => answer,
        Err(Unsupported) => {
            reader.rewind().ok()?;
            load_chars(name, reader, len, limit)
        }
    }
}

/// The lean load by the subset reader; `Err` for a file outside the
/// subset.
fn load_lines(
    name: &str,
    reader: impl Read,
    len: u64,
    limit: u64,
) -> Result<Option<Loaded>, Unsupported> {
    let give_up = Cell::new(false);
    let mut lines = FileLines::new(reader, limit, &give_up);
    let file = Arc::new(SourceFile::new(name, ""));
    by_subset(&mut lines, &give_up, len, file)
}

/// The load of a file already read whole, whose text is kept (`check`
/// quotes it): by the subset reader over its lines, with the model the
/// usual load gives, in a fraction of its time. `None` when the usual
/// load must read it: after a problem, for an `include`, and for a file
/// outside the subset (saphyr-parser reads a text it holds faster than a
/// character at a time).
pub(super) fn load_text(file: &Arc<SourceFile>) -> Option<Loaded> {
    let give_up = Cell::new(false);
    let mut lines = TextLines {
        rest: Some(&file.text),
        give_up: &give_up,
        refused: false,
    };
    let len = file.text.len() as u64;
    by_subset(&mut lines, &give_up, len, file.clone()).ok()?
}

/// Lines the subset reader reads, and how they stopped if not at the end.
trait LineSource: subset::Lines {
    /// At what a lean load leaves to the usual one (see [`FileLines`]).
    fn refused(&self) -> bool;
    /// At a line too long for it: saphyr-parser may read it.
    fn long(&self) -> bool;
}

/// The lean load of `file`, `len` bytes long, from its `lines`: read on
/// this thread, checked on another ([`checked_aside`]).
fn by_subset(
    lines: &mut impl LineSource,
    give_up: &Cell<bool>,
    len: u64,
    file: Arc<SourceFile>,
) -> Result<Option<Loaded>, Unsupported> {
    let mut doc = tree::Document::default();
    let state = checker::State::new(usize::try_from(len).unwrap_or(usize::MAX));
    let (read, mut state, copied) = checked_aside(state, give_up, |sink| {
        let stream = tree::Stream {
            sections: &nodes::SECTION_NAMES,
            sink,
        };
        tree::parse_lines(&mut doc, lines, FileId::ROOT, stream)
    });
    // A source that stopped early looked like the end of the file to the
    // reader: its answer stands for nothing.
    if lines.long() {
        return Err(Unsupported);
    }
    if lines.refused() || !copied {
        return Ok(None);
    }
    let read = read?;
    Ok(finish(file, &doc, &mut state, &read))
}

/// Entries the reader hands to the checker's thread at a time: enough that
/// handing them over costs little beside checking them, few enough that
/// the batches in flight (up to four) hold little memory: 256 held 3 MB
/// more than a load on one thread at 100,000 services (2.8x to 3.0x the
/// file, where the aim is 3x), 64 holds 0.7 MB more, at about the same
/// speed (32 was 15% slower at a million).
const BATCH: usize = 64;

/// Entries of streamed sections, copied out of the reader's tree.
#[derive(Default)]
struct Batch {
    doc: tree::Document<'static>,
    /// The section's index, and the entry's key and value in `doc`.
    entries: Vec<(usize, NodeIdx, NodeIdx)>,
}

/// Runs `read` with a sink that checks each entry into `state` on a
/// thread of its own, `BATCH` entries at a time, in the order they come:
/// the checker (ids looked up and interned, references, nodes) and the
/// YAML reader (with the copies) are each about half of a lean load, so
/// each works while the other does. The state is the one a check on this thread would
/// leave. The first problem stops the checking and sets `give_up` for the
/// reader. Also says whether every entry could be copied (not one holding
/// an alias, which the usual load reads).
fn checked_aside<T>(
    mut state: checker::State,
    give_up: &Cell<bool>,
    read: impl FnOnce(&mut dyn FnMut(&tree::Document<'_>, usize, NodeIdx, NodeIdx)) -> T,
) -> (T, checker::State, bool) {
    let failed = AtomicBool::new(false);
    let (to_checker, batches) = mpsc::sync_channel::<Batch>(2);
    let (to_reader, spares) = mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        let failed = &failed;
        let checker = scope.spawn(move || {
            for mut batch in batches {
                for &(which, key, body) in &batch.entries {
                    if failed.load(Ordering::Relaxed) {
                        break;
                    }
                    checker::Checker::new(&batch.doc, &mut state).streamed_entry(which, key, body);
                    if !state.problems.is_empty() {
                        failed.store(true, Ordering::Relaxed);
                    }
                }
                batch.doc.clear();
                batch.entries.clear();
                // The reader may be done with spares: nothing to tell it.
                let _ = to_reader.send(batch);
            }
            state
        });
        let mut copied = true;
        let mut batch = Batch::default();
        let mut sink = |doc: &tree::Document<'_>, which: usize, key: NodeIdx, body: NodeIdx| {
            if failed.load(Ordering::Relaxed) || !copied {
                give_up.set(true);
                return;
            }
            let key = doc.copy_into(key, &mut batch.doc);
            match key.zip(doc.copy_into(body, &mut batch.doc)) {
                Some((key, body)) => batch.entries.push((which, key, body)),
                None => copied = false,
            }
            if batch.entries.len() >= BATCH {
                let next = spares.try_recv().unwrap_or_default();
                // Fails only when the checker's thread panicked, which
                // `join` reports below.
                let _ = to_checker.send(std::mem::replace(&mut batch, next));
            }
        };
        let answer = read(&mut sink);
        if !batch.entries.is_empty() {
            let _ = to_checker.send(batch);
        }
        drop(to_checker);
        let state = checker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (answer, state, copied)
    })
}

/// The lean load by saphyr-parser, a character at a time.
fn load_chars(name: &str, reader: impl Read, len: u64, limit: u64) -> Option<Loaded> {
    let give_up = Cell::new(false);
    let mut chars = FileChars::new(reader, limit, &give_up);
    let mut doc = tree::Document::default();
    let mut state = checker::State::new(usize::try_from(len).unwrap_or(usize::MAX));
    let read = {
        let mut sink = checking(&mut state, &give_up);
        let stream = tree::Stream {
            sections: &nodes::SECTION_NAMES,
            sink: &mut sink,
        };
        tree::parse_chars(&mut doc, &mut chars, FileId::ROOT, stream)
    };
    if chars.refused {
        return None;
    }
    finish(Arc::new(SourceFile::new(name, "")), &doc, &mut state, &read)
}

/// The sink of a streamed read: each entry goes to the checker, and the
/// first problem sets `give_up`, which stops the reading (the rest of the
/// file is left to the usual load, which reads it whole and reports every
/// problem).
fn checking<'s>(
    state: &'s mut checker::State,
    give_up: &'s Cell<bool>,
) -> impl FnMut(&tree::Document<'_>, usize, NodeIdx, NodeIdx) + 's {
    move |doc, which, key, body| {
        checker::Checker::new(doc, state).streamed_entry(which, key, body);
        if !state.problems.is_empty() {
            give_up.set(true);
        }
    }
}

/// The model, once the file is read: `None` after any problem or stop.
fn finish(
    file: Arc<SourceFile>,
    doc: &tree::Document<'_>,
    state: &mut checker::State,
    read: &tree::Streamed,
) -> Option<Loaded> {
    if !read.read || !read.problems.is_empty() || read.stopped {
        return None;
    }
    if includes(doc) {
        return None;
    }
    let arch = checker::Checker::new(doc, state).architecture();
    if !state.problems.is_empty() {
        return None;
    }
    Some(Loaded {
        arch,
        sources: vec![file],
    })
}

/// Whether the root mapping has an `include` key (§11): the included files
/// are read the usual way.
fn includes(doc: &tree::Document<'_>) -> bool {
    let Some(root) = doc.root else {
        return false;
    };
    let Value::Map(fields) = doc.get(root).0 else {
        return false;
    };
    fields
        .iter()
        .any(|&(key, _)| doc.key_text(key) == Some("include"))
}

/// The lines of a file as it is read, a block at a time, without their
/// line breaks (`\r\n` or `\n`). Stops, as at the end of the file, and
/// sets `refused` at what a lean load leaves to the usual one (a read
/// error, a line that is not UTF-8, more bytes than the limit, `give_up`
/// set), or sets `long` at a line longer than a block.
pub(super) struct FileLines<'g, R> {
    reader: R,
    give_up: &'g Cell<bool>,
    /// Bytes read and not yet handed out are `bytes[start..end]`.
    bytes: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    read: u64,
    limit: u64,
    pub refused: bool,
    pub long: bool,
}

impl<'g, R: Read> FileLines<'g, R> {
    pub(super) fn new(reader: R, limit: u64, give_up: &'g Cell<bool>) -> Self {
        FileLines {
            reader,
            give_up,
            bytes: vec![0; BLOCK],
            start: 0,
            end: 0,
            eof: false,
            read: 0,
            limit,
            refused: false,
            long: false,
        }
    }

    /// Reads more after the bytes not handed out (moved to the front);
    /// `false` when nothing more will come.
    #[cold]
    #[inline(never)]
    fn fill(&mut self) -> bool {
        self.bytes.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end == self.bytes.len() {
            self.long = true;
            return false;
        }
        loop {
            match self.reader.read(&mut self.bytes[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return true;
                }
                Ok(n) => {
                    self.read += n as u64;
                    self.end += n;
                    if self.read > self.limit {
                        self.refused = true;
                        return false;
                    }
                    return true;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.refused = true;
                    return false;
                }
            }
        }
    }

    /// The bytes `start..end` as a line, minus a `\r` before its `\n`.
    fn line(&mut self, start: usize, end: usize, crlf: bool) -> Option<&str> {
        let end = if crlf && end > start && self.bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        let line = std::str::from_utf8(&self.bytes[start..end]).ok();
        self.refused |= line.is_none();
        line
    }
}

impl<R: Read> LineSource for FileLines<'_, R> {
    fn refused(&self) -> bool {
        self.refused
    }

    fn long(&self) -> bool {
        self.long
    }
}

/// The lines of a text held whole, as [`FileLines`] gives a file's.
struct TextLines<'t, 'g> {
    rest: Option<&'t str>,
    give_up: &'g Cell<bool>,
    refused: bool,
}

impl subset::Lines for TextLines<'_, '_> {
    fn next_line(&mut self) -> Option<&str> {
        if self.give_up.get() {
            self.refused = true;
            return None;
        }
        let rest = self.rest?;
        match rest.split_once('\n') {
            Some((line, after)) => {
                self.rest = Some(after);
                Some(line.strip_suffix('\r').unwrap_or(line))
            }
            None => {
                self.rest = None;
                (!rest.is_empty()).then_some(rest)
            }
        }
    }
}

impl LineSource for TextLines<'_, '_> {
    fn refused(&self) -> bool {
        self.refused
    }

    fn long(&self) -> bool {
        false
    }
}

impl<R: Read> subset::Lines for FileLines<'_, R> {
    fn next_line(&mut self) -> Option<&str> {
        if self.give_up.get() {
            self.refused = true;
        }
        if self.refused || self.long {
            return None;
        }
        loop {
            let start = self.start;
            if let Some(n) = self.bytes[start..self.end].iter().position(|&b| b == b'\n') {
                self.start = start + n + 1;
                return self.line(start, start + n, true);
            }
            if self.eof {
                if start == self.end {
                    return None;
                }
                self.start = self.end;
                return self.line(start, self.end, false);
            }
            if !self.fill() {
                return None;
            }
        }
    }
}

/// The characters of a file as it is read, a block at a time. Stops, as at
/// the end of the file, at what a lean load leaves to the usual one, and
/// sets `refused`: a read error, bytes that are not UTF-8, a NUL, a tab,
/// more bytes than the limit, or `give_up` set (checked once a block).
pub(super) struct FileChars<'g, R> {
    reader: R,
    give_up: &'g Cell<bool>,
    /// The last block read; its first `carry` bytes are the start of a
    /// character cut by the block before.
    bytes: Vec<u8>,
    carry: usize,
    /// The decoded block, and the next character's byte in it.
    text: String,
    at: usize,
    read: u64,
    limit: u64,
    pub refused: bool,
}

impl<'g, R: Read> FileChars<'g, R> {
    pub(super) fn new(reader: R, limit: u64, give_up: &'g Cell<bool>) -> Self {
        FileChars {
            reader,
            give_up,
            bytes: vec![0; BLOCK],
            carry: 0,
            text: String::new(),
            at: 0,
            read: 0,
            limit,
            refused: false,
        }
    }

    /// Decodes the next block into `text`; `false` at the end or when
    /// refused. Once a block: kept out of `next`, which runs once a
    /// character.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) -> bool {
        loop {
            if self.refused || self.give_up.get() {
                return self.refuse();
            }
            let n = match self.reader.read(&mut self.bytes[self.carry..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return self.refuse(),
            };
            if n == 0 {
                // Bytes of a character the file never finishes.
                return self.carry > 0 && self.refuse();
            }
            self.read += n as u64;
            if self.read > self.limit {
                return self.refuse();
            }
            let end = self.carry + n;
            let valid = match std::str::from_utf8(&self.bytes[..end]) {
                Ok(_) => end,
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(_) => return self.refuse(),
            };
            self.text.clear();
            self.text
                .push_str(std::str::from_utf8(&self.bytes[..valid]).unwrap_or_default());
            self.at = 0;
            self.bytes.copy_within(valid..end, 0);
            self.carry = end - valid;
            if self.text.contains(['\0', '\t']) {
                return self.refuse();
            }
            if !self.text.is_empty() {
                return true;
            }
        }
    }

    fn refuse(&mut self) -> bool {
        self.refused = true;
        false
    }
}

impl<R: Read> Iterator for FileChars<'_, R> {
    type Item = char;

    #[inline]
    fn next(&mut self) -> Option<char> {
        if self.at >= self.text.len() && !self.refill() {
            return None;
        }
        // Most of a file is ASCII: one byte, no decoding.
        if let Some(&byte) = self.text.as_bytes().get(self.at).filter(|b| b.is_ascii()) {
            self.at += 1;
            return Some(char::from(byte));
        }
        let c = self.text.get(self.at..)?.chars().next()?;
        self.at += c.len_utf8();
        Some(c)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes a call, to cut
    /// characters and lines between blocks.
    pub(in crate::load) struct Trickle<'b> {
        pub all: &'b [u8],
        pub at: usize,
        pub step: usize,
    }

    impl<'b> Trickle<'b> {
        pub(in crate::load) fn new(all: &'b [u8], step: usize) -> Self {
            Trickle { all, at: 0, step }
        }
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let rest = &self.all[self.at..];
            let n = self.step.min(buf.len()).min(rest.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.at += n;
            Ok(n)
        }
    }

    impl Seek for Trickle<'_> {
        /// Only back to the start, as a lean load does.
        fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
            assert_eq!(to, std::io::SeekFrom::Start(0));
            self.at = 0;
            Ok(0)
        }
    }

    /// [`load_chars`], which [`load`] tries only for a file outside the
    /// subset, for the tests to compare both ways on every file.
    pub(in crate::load) fn by_chars(text: &str, step: usize) -> Option<Loaded> {
        let trickle = Trickle::new(text.as_bytes(), step);
        load_chars("m.yaml", trickle, text.len() as u64, u64::MAX)
    }

    /// [`load_lines`]: `Err` outside the subset.
    pub(in crate::load) fn by_lines(
        text: &str,
        step: usize,
    ) -> Result<Option<Loaded>, Unsupported> {
        let trickle = Trickle::new(text.as_bytes(), step);
        load_lines("m.yaml", trickle, text.len() as u64, u64::MAX)
    }

    fn chars(bytes: &[u8], step: usize, limit: u64) -> (String, bool) {
        let give_up = Cell::new(false);
        let mut chars = FileChars::new(Trickle::new(bytes, step), limit, &give_up);
        let text: String = chars.by_ref().collect();
        (text, chars.refused)
    }

    #[test]
    fn characters_cut_between_blocks_come_whole() {
        let text = "é€𝄞 plain ascii, then 한국어";
        for step in 1..8 {
            assert_eq!(
                chars(text.as_bytes(), step, 1 << 20),
                (text.to_string(), false)
            );
        }
    }

    #[test]
    fn a_file_without_its_text_still_locates_a_finding() {
        // What a report of a lean load's file does: no line to quote, and
        // no panic for it.
        let file = SourceFile::new("big.yaml", "");
        let at = crate::diagnostic::Pos { line: 100, col: 7 };
        let label = crate::diagnostic::Label::new(crate::diagnostic::Span::point(at), "here");
        let diagnostic = file.located("spof::spof", "a finding", (&label, &[]), None);
        assert!(format!("{diagnostic:?}").contains("a finding"));
    }

    #[test]
    fn refuses_what_the_usual_load_handles() {
        for bad in [&b"a: \xff"[..], b"a:\tb", b"a: \0", b"a: \xe2\x82"] {
            assert!(chars(bad, 2, 1 << 20).1, "{bad:?}");
        }
        assert!(chars(b"version: 1", 3, 5).1, "past the limit");
        let give_up = Cell::new(false);
        let mut stopped = FileChars::new(&b"version: 1\nsites: {}\n"[..], 1 << 20, &give_up);
        assert_eq!(stopped.next(), Some('v'));
        give_up.set(true);
        // The block already read is finished, then nothing more.
        assert_eq!(stopped.by_ref().count(), 20);
        assert!(stopped.refused);
        assert!(!chars(b"version: 1", 3, 10).1, "at the limit");
    }
}
