//! Files that did not load, in the machine formats CI reads: so that
//! `spof check --format sarif` on a broken file still uploads results that
//! point at the broken lines, and `--format github` still annotates them.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::code::Code;
use crate::diagnostic::{LoadError, Problem};

/// A file that could not be checked.
pub enum Unloaded<'a> {
    /// It could not be read at all.
    Unread {
        /// The path as given.
        file: &'a str,
        /// Why.
        error: String,
    },
    /// It was read and has problems.
    Invalid(&'a LoadError),
}

/// One problem, flat: where, which code, what.
struct Flat<'a> {
    file: &'a str,
    code: &'static str,
    /// 1-based line, 1-based column in characters, end column; none when unread.
    at: Option<(u32, u32, u32)>,
    message: String,
    help: Option<&'a str>,
}

fn flat<'a>(unloaded: &'a [Unloaded<'a>]) -> Vec<Flat<'a>> {
    let mut out = Vec::new();
    for u in unloaded {
        match u {
            Unloaded::Unread { file, error } => out.push(Flat {
                file,
                code: Code::Read.name(),
                at: None,
                message: format!("cannot read {file}: {error}"),
                help: None,
            }),
            Unloaded::Invalid(e) => out.extend(e.problems.iter().map(|p| one(e, p))),
        }
    }
    out
}

fn one<'a>(e: &'a LoadError, p: &'a Problem) -> Flat<'a> {
    let span = p.primary.span;
    let end = if span.end.line == span.start.line {
        span.end.col.max(span.start.col + 1) + 1
    } else {
        span.start.col + 2
    };
    Flat {
        file: &e.file_of(span.file).name,
        code: p.code.name(),
        at: Some((span.start.line.max(1), span.start.col + 1, end)),
        message: p.message.clone(),
        help: p.help.as_deref(),
    }
}

/// `{"problems": [{file, code, line, column, message, help}]}`.
pub fn json(unloaded: &[Unloaded<'_>]) -> Value {
    let problems: Vec<Value> = flat(unloaded)
        .into_iter()
        .map(|f| {
            let (line, column) = f.at.map_or((None, None), |(l, c, _)| (Some(l), Some(c)));
            json!({
                "file": f.file, "code": f.code, "line": line, "column": column,
                "message": f.message, "help": f.help,
            })
        })
        .collect();
    json!({ "findings": [], "problems": problems, "summary": { "invalid_files": unloaded.len() } })
}

/// A SARIF 2.1.0 log whose results are the problems, each under its code as
/// a rule.
pub fn sarif(unloaded: &[Unloaded<'_>]) -> Value {
    let problems = flat(unloaded);
    let mut codes: Vec<&'static str> = problems.iter().map(|p| p.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|&name| {
            let code = Code::parse(name);
            json!({
                "id": name,
                "shortDescription": { "text": code.map_or("", |c| c.summary()) },
                "help": { "text": code.map_or("", |c| c.explanation()) },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let results: Vec<Value> = problems
        .iter()
        .map(|p| {
            let mut location =
                json!({ "artifactLocation": { "uri": super::findings::uri(p.file) } });
            if let Some((line, col, end)) = p.at {
                location["region"] = json!({
                    "startLine": line, "startColumn": col, "endLine": line, "endColumn": end,
                });
            }
            let text = match p.help {
                Some(help) => format!("{}. Help: {help}", p.message),
                None => p.message.clone(),
            };
            json!({
                "ruleId": p.code,
                "ruleIndex": codes.iter().position(|c| *c == p.code).unwrap_or(0),
                "level": "error",
                "message": { "text": text },
                "locations": [{ "physicalLocation": location }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "spof",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// One `::error` workflow annotation per problem.
pub fn write_github(out: &mut dyn Write, unloaded: &[Unloaded<'_>]) -> io::Result<()> {
    for p in flat(unloaded) {
        let file = super::findings::escape_property(p.file);
        let title = super::findings::escape_property(p.code);
        let message = super::findings::escape_data(&p.message);
        match p.at {
            Some((line, col, end)) => writeln!(
                out,
                "::error file={file},line={line},col={col},endColumn={end},title={title}::{message}"
            )?,
            None => writeln!(out, "::error file={file},title={title}::{message}")?,
        }
    }
    Ok(())
}

/// A Markdown table of the problems.
pub fn write_markdown(out: &mut dyn Write, unloaded: &[Unloaded<'_>]) -> io::Result<()> {
    writeln!(out, "### spof check\n")?;
    writeln!(out, "The architecture could not be checked:\n")?;
    writeln!(out, "| Code | Where | Problem |")?;
    writeln!(out, "|---|---|---|")?;
    for p in flat(unloaded) {
        let at = p.at.map_or(String::new(), |(l, _, _)| format!(":{l}"));
        writeln!(
            out,
            "| `{}` | {}{at} | {} |",
            p.code,
            super::findings::cell(p.file),
            super::findings::cell(&p.message)
        )?;
    }
    Ok(())
}
