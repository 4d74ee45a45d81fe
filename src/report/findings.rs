//! `spof check` findings in every format CI systems read: human (miette),
//! JSON, SARIF 2.1.0, GitHub workflow annotations and Markdown.

use std::io::{self, Write};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::check::{Finding, Rule, Severity};
use crate::diagnostic::{Label, Problem, SourceFile};
use crate::model::Architecture;

use super::diagnostics::DiagnosticWriter;

/// The findings of one file, with what is needed to locate them.
pub struct FileFindings<'a> {
    pub arch: &'a Architecture,
    pub source: &'a Arc<SourceFile>,
    pub findings: Vec<Finding>,
    /// Findings silenced by `x-spof-ignore` or the configuration, with the reason.
    pub suppressed: Vec<(Finding, String)>,
    /// Baseline entries for this file that no longer occur: (rule, node).
    pub stale: Vec<(String, String)>,
}

/// 1-based line and column of the finding's node id, columns in characters.
pub fn location(arch: &Architecture, f: &Finding) -> (u32, u32, u32) {
    let span = arch.node(f.node).id_span;
    let end = if span.end.line == span.start.line {
        span.end.col + 1
    } else {
        span.start.col + 1
    };
    (span.start.line, span.start.col + 1, end)
}

fn label_text(rule: Rule) -> &'static str {
    match rule {
        Rule::SinglePointOfFailure => "single point of failure",
        Rule::StandbyNeedsPrimary => "this standby cannot take over",
        Rule::IntegrationWithoutFallback => "no fallback",
        Rule::SharedFate => "alternatives share one fate",
    }
}

pub fn write_human(out: &mut dyn Write, files: &[FileFindings<'_>], color: bool) -> io::Result<()> {
    let writer = DiagnosticWriter::new(color);
    let (mut errors, mut warnings) = (0, 0);
    for file in files {
        for f in &file.findings {
            let problem = Problem::new(
                f.rule.code(),
                f.message.clone(),
                Label::new(file.arch.node(f.node).id_span, label_text(f.rule)),
            )
            .with_help(format!("fix: {}", f.fix));
            // Related nodes are named in the message; labels far apart would
            // make miette print every line between them.
            let severity = match f.severity() {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            };
            writer.write(
                out,
                &file.source.diagnostic(&problem).with_severity(severity),
            )?;
            writeln!(out)?;
            match f.severity() {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
        }
        for (rule, node) in &file.stale {
            writeln!(
                out,
                "note: baseline entry no longer occurs: {rule} on `{node}` in {}",
                file.source.name
            )?;
        }
        for (f, reason) in &file.suppressed {
            writeln!(
                out,
                "note: suppressed {} on `{}` in {}: {reason}",
                f.rule.code(),
                file.arch.name_of(f.node),
                file.source.name
            )?;
        }
    }
    writeln!(
        out,
        "spof check: {errors} error{}, {warnings} warning{} in {} file{}",
        plural(errors),
        plural(warnings),
        files.len(),
        plural(files.len())
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn json(files: &[FileFindings<'_>]) -> Value {
    let mut findings = Vec::new();
    let mut stale = Vec::new();
    let mut suppressed = Vec::new();
    for file in files {
        for f in &file.findings {
            let (line, column, _) = location(file.arch, f);
            findings.push(json!({
                "file": file.source.name,
                "rule": f.rule.code(),
                "severity": f.severity().as_str(),
                "node": file.arch.name_of(f.node),
                "line": line,
                "column": column,
                "message": f.message,
                "fix": f.fix,
            }));
        }
        for (rule, node) in &file.stale {
            stale.push(json!({ "file": file.source.name, "rule": rule, "node": node }));
        }
        for (f, reason) in &file.suppressed {
            suppressed.push(json!({
                "file": file.source.name,
                "rule": f.rule.code(),
                "node": file.arch.name_of(f.node),
                "reason": reason,
            }));
        }
    }
    let count = |s: Severity| {
        files
            .iter()
            .flat_map(|f| &f.findings)
            .filter(|f| f.severity() == s)
            .count()
    };
    json!({
        "findings": findings,
        "stale": stale,
        "suppressed": suppressed,
        "summary": { "errors": count(Severity::Error), "warnings": count(Severity::Warning) },
    })
}

pub fn sarif(files: &[FileFindings<'_>]) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.code(),
                "name": r.name(),
                "shortDescription": { "text": r.summary() },
                "fullDescription": { "text": r.summary() },
                "help": { "text": r.explanation() },
                "defaultConfiguration": { "level": r.severity().as_str() },
            })
        })
        .collect();
    let mut results = Vec::new();
    for file in files {
        let all = file
            .findings
            .iter()
            .map(|f| (f, None))
            .chain(file.suppressed.iter().map(|(f, r)| (f, Some(r))));
        for (f, reason) in all {
            let (line, column, end) = location(file.arch, f);
            let index = Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
            let mut result = json!({
                "ruleId": f.rule.code(),
                "ruleIndex": index,
                "level": f.severity().as_str(),
                "message": { "text": format!("{}. Fix: {}", f.message, f.fix) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&file.source.name) },
                        "region": {
                            "startLine": line,
                            "startColumn": column,
                            "endLine": line,
                            "endColumn": end,
                        },
                    },
                }],
                "partialFingerprints": {
                    "spofFinding/v1": format!("{}:{}", f.rule.code(), file.arch.name_of(f.node)),
                },
            });
            if let Some(reason) = reason {
                result["suppressions"] = json!([{ "kind": "inSource", "justification": reason }]);
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "spof",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A relative path as a SARIF URI: forward slashes, no `./`.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    path.strip_prefix("./").unwrap_or(&path).to_string()
}

/// `::error file=F,line=L,col=C,title=T::message`, escaped as GitHub asks.
pub fn write_github(out: &mut dyn Write, files: &[FileFindings<'_>]) -> io::Result<()> {
    for file in files {
        for f in &file.findings {
            let (line, col, end) = location(file.arch, f);
            writeln!(
                out,
                "::{} file={},line={line},col={col},endColumn={end},title={}::{}",
                f.severity().as_str(),
                escape_property(&file.source.name),
                escape_property(f.rule.code()),
                escape_data(&format!("{}. Fix: {}", f.message, f.fix))
            )?;
        }
        for (rule, node) in &file.stale {
            writeln!(
                out,
                "::notice file={}::{}",
                escape_property(&file.source.name),
                escape_data(&format!(
                    "baseline entry no longer occurs: {rule} on `{node}`"
                ))
            )?;
        }
    }
    Ok(())
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
pub fn write_markdown(out: &mut dyn Write, files: &[FileFindings<'_>]) -> io::Result<()> {
    let total: usize = files.iter().map(|f| f.findings.len()).sum();
    writeln!(out, "### spof check")?;
    writeln!(out)?;
    if total == 0 {
        writeln!(
            out,
            "No findings in {} file{}.",
            files.len(),
            plural(files.len())
        )?;
        return Ok(());
    }
    writeln!(out, "| | Rule | Where | Finding | Fix |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for file in files {
        for f in &file.findings {
            let (line, _, _) = location(file.arch, f);
            let icon = match f.severity() {
                Severity::Error => "❌",
                Severity::Warning => "⚠️",
            };
            writeln!(
                out,
                "| {icon} | `{}` | {}:{line} | {} | {} |",
                f.rule.code(),
                cell(&file.source.name),
                cell(&f.message),
                cell(&f.fix)
            )?;
        }
    }
    Ok(())
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_what_it_must() {
        assert_eq!(escape_data("50% down\nnext"), "50%25 down%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn uris_use_forward_slashes() {
        assert_eq!(uri("./graphs\\a.yaml"), "graphs/a.yaml");
    }
}
