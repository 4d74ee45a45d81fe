//! `spof check` findings in every format CI systems read: human (miette),
//! JSON, SARIF 2.1.0, GitHub workflow annotations and Markdown.

use std::io::{self, Write};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::check::{
    Alternative, Detail, Finding, Fix, Group, Outcome, Rule, Severity, SuppressedBy, Verified,
};
use crate::diagnostic::SourceFile;
use crate::engine::Targets;
use crate::model::{Architecture, NodeId, NodeKind};

/// The verdict on one file, with what is needed to locate and word it.
pub struct FileFindings<'a> {
    /// The file's model.
    pub arch: &'a Architecture,
    /// The text of its files, the root first (`Span::file` indexes it).
    pub sources: &'a [Arc<SourceFile>],
    /// What `check::run` decided.
    pub outcome: Outcome,
}

impl FileFindings<'_> {
    /// The file a node is written in.
    pub fn source_of(&self, node: NodeId) -> &Arc<SourceFile> {
        let file = self.arch.node(node).id_span.file.index();
        &self.sources[file.min(self.sources.len().saturating_sub(1))]
    }

    /// The name of the file a node is written in.
    pub fn file_of(&self, node: NodeId) -> &str {
        &self.source_of(node).name
    }

    /// The root file's name (for what belongs to no node).
    pub fn root_name(&self) -> &str {
        self.sources.first().map_or("", |s| s.name.as_str())
    }
}

/// `` `a`, `b` and 3 more ``: at most `most` names.
fn list(arch: &Architecture, ids: &[NodeId], most: usize) -> String {
    list_of(arch, (ids.iter().copied(), ids.len()), most)
}

/// [`list`] of `len` ids given one at a time.
fn list_of(
    arch: &Architecture,
    (ids, len): (impl Iterator<Item = NodeId>, usize),
    most: usize,
) -> String {
    // One string, no string per name: a check writes hundreds of
    // thousands of these.
    let mut out = String::new();
    for (i, id) in ids.take(most).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        quoted(&mut out, arch.name_of(id));
    }
    if len > most {
        out.push_str(", and ");
        out.push_str(&(len - most).to_string());
        out.push_str(" more");
    }
    out
}

/// `` `name` `` appended to `out`.
fn quoted(out: &mut String, name: &str) {
    out.push('`');
    out.push_str(name);
    out.push('`');
}

/// `` `a`, `b`, an entry ``, appended to `out`.
fn alternatives(out: &mut String, arch: &Architecture, alternatives: &[Alternative]) {
    for (i, a) in alternatives.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match a {
            Alternative::Node(id) => quoted(out, arch.name_of(*id)),
            Alternative::Entry => out.push_str("an entry"),
        }
    }
}

/// The finding in one sentence.
pub fn message(arch: &Architecture, f: &Finding) -> String {
    let me = arch.name_of(f.node);
    match &f.detail {
        Detail::SinglePoint {
            targets,
            users_affected,
            ..
        } => {
            let what = if arch.node(f.node).kind() == NodeKind::Site {
                "site"
            } else {
                "service"
            };
            let users = if *users_affected > 0 {
                format!(" ({} users affected)", super::thousands(*users_affected))
            } else {
                String::new()
            };
            format!(
                "{what} `{me}` is a single point of failure: it takes down {}{users}",
                list_of(arch, (targets.iter(), targets.len()), 4)
            )
        }
        Detail::StandbyNeedsPrimary {
            standby_site,
            needed,
            primary,
            ..
        } => format!(
            "the standby of `{me}` in `{}` needs `{}`, which goes down with `{}`, the site it stands by for",
            arch.name_of(*standby_site),
            arch.name_of(*needed),
            arch.name_of(*primary)
        ),
        Detail::IntegrationWithoutFallback {
            provider,
            consumer,
            tier,
        } => format!(
            "integration `{me}` ({} tier) has no fallback: when `{}` is down, `{}` loses it",
            tier.as_str(),
            arch.name_of(*provider),
            arch.name_of(*consumer)
        ),
        Detail::NoTargets { min_tier } => format!(
            "nothing in this architecture has tier {} or above, so nothing is checked",
            min_tier.as_str()
        ),
        Detail::SharedFate {
            group,
            alternatives: alts,
            common,
        } => {
            let what = match group {
                Group::Placement => "the placement",
                Group::AnyOf => "an `any_of` group",
                Group::Providers => "the provider and fallbacks",
            };
            // Most findings of a large file are these: written piece by
            // piece, without the formatting machinery.
            let mut out = String::with_capacity(128);
            out.push_str(what);
            out.push_str(" of ");
            quoted(&mut out, me);
            out.push_str(" (");
            alternatives(&mut out, arch, alts);
            out.push_str(") is not redundant: all go down with ");
            quoted(&mut out, arch.name_of(*common));
            out
        }
    }
}

/// The edit for a single point of failure, and what the engine said of it.
fn single_point_fix(
    arch: &Architecture,
    node: NodeId,
    targets: &Targets,
    fix: &Fix,
    verified: Verified,
) -> String {
    let me = arch.name_of(node);
    let alternative = "or give what needs it an alternative (`any_of`) or a fallback";
    let (edit, survives) = match fix {
        Fix::PlaceAlsoIn { services, .. } if services.is_empty() => {
            // Nothing is placed in it: what it takes down goes through
            // integrations or a site's own requirements.
            let integrations: Vec<NodeId> = targets
                .iter()
                .filter(|t| arch.node(*t).kind() == NodeKind::Integration)
                .collect();
            return if integrations.is_empty() {
                format!("give what needs `{me}` an alternative that does not depend on it (`any_of`)")
            } else {
                format!(
                    "give {} a `fallback` that does not depend on `{me}`",
                    list(arch, &integrations, 3)
                )
            };
        }
        Fix::PlaceAlsoIn {
            services,
            site: Some(site),
        } => (
            format!(
                "also run {} in `{}`, a site `{me}` does not take down (`runs_in: [..., {}]`)",
                list(arch, services, 3),
                arch.name_of(*site),
                arch.name_of(*site)
            ),
            format!("the loss of `{me}`"),
        ),
        Fix::PlaceAlsoIn { services, site: None } => (
            format!(
                "give {} a second place to run that `{me}` does not take down (`runs_in: [SITE, OTHER_SITE]`)",
                list(arch, services, 3)
            ),
            String::new(),
        ),
        Fix::Logical => {
            let edit = format!(
                "`{me}` runs in several places but can still fail as one deployable: mark it `logical: true` if only its places can take it down, {alternative}"
            );
            return match verified {
                Verified::Enough => format!(
                    "{edit}; checked: with `logical: true` every target survives the loss of any one of its sites"
                ),
                Verified::NotEnough => format!(
                    "{edit}; checked: `logical: true` is not enough, as losing one of its sites still takes a target down"
                ),
                Verified::Unchecked => edit,
            };
        }
        Fix::Alternative => {
            return format!(
                "`{me}` is run by another organisation: give what needs it an alternative (`any_of`) or a fallback"
            )
        }
        Fix::ReplicateIn { site: Some(site) } => {
            let first = match &arch.node(node).detail {
                crate::model::NodeDetail::Service { runs_in: Some(p), .. } => {
                    p.entries().first().map(|e| arch.name_of(e.site)).unwrap_or_default()
                }
                _ => "",
            };
            (
                format!(
                    "run replicas of `{me}` in `{}` too and mark it `logical: true` (`runs_in: [{first}, {}]`), {alternative}",
                    arch.name_of(*site),
                    arch.name_of(*site)
                ),
                format!("the loss of `{first}`"),
            )
        }
        Fix::ReplicateIn { site: None } => (
            format!("run replicas of `{me}` in two places and mark it `logical: true`, {alternative}"),
            String::new(),
        ),
    };
    match verified {
        Verified::Enough => format!("{edit}; checked: with that change every target survives {survives}"),
        Verified::NotEnough => format!(
            "{edit}; not enough on its own: with that change a target still goes down with {survives}"
        ),
        Verified::Unchecked => edit,
    }
}

/// The smallest change that removes the finding, in words.
pub fn fix(arch: &Architecture, f: &Finding) -> String {
    let me = arch.name_of(f.node);
    match &f.detail {
        Detail::SinglePoint {
            targets,
            fix,
            verified,
            ..
        } => single_point_fix(arch, f.node, targets, fix, *verified),
        Detail::StandbyNeedsPrimary {
            standby_site,
            needed,
            primary,
            fix,
        } => {
            let checked = match fix {
                Verified::Enough => format!(
                    "; checked: with that change `{me}` survives the loss of `{}`",
                    arch.name_of(*primary)
                ),
                Verified::NotEnough => "; not enough on its own: the standby needs more".into(),
                Verified::Unchecked => String::new(),
            };
            format!(
                "run `{}` outside `{}` as well (e.g. also in `{}`){checked}",
                arch.name_of(*needed),
                arch.name_of(*primary),
                arch.name_of(*standby_site)
            )
        }
        Detail::IntegrationWithoutFallback { provider, .. } => format!(
            "add `fallback: [ALTERNATIVE]` to `{me}`: something that does the same job without `{}`",
            arch.name_of(*provider)
        ),
        Detail::NoTargets { .. } => "give the services that matter `tier: high` or `critical`, or lower the bar with --min-tier".to_string(),
        Detail::SharedFate {
            alternatives: alts,
            common,
            ..
        } => {
            let mut out = String::with_capacity(96);
            out.push_str("move one of ");
            alternatives(&mut out, arch, alts);
            out.push_str(" out from under ");
            quoted(&mut out, arch.name_of(*common));
            out
        }
    }
}

/// 1-based line and column of the finding's node id, columns in characters.
pub fn location(arch: &Architecture, f: &Finding) -> (u32, u32, u32) {
    let span = arch.node(f.node).id_span.span();
    let end = if span.end.line == span.start.line {
        span.end.col + 1
    } else {
        span.start.col + 1
    };
    (span.start.line, span.start.col + 1, end)
}

/// The few words under a finding's node id in the human report.
pub fn label_text(rule: Rule) -> &'static str {
    match rule {
        Rule::SinglePointOfFailure => "single point of failure",
        Rule::StandbyNeedsPrimary => "this standby cannot take over",
        Rule::IntegrationWithoutFallback => "no fallback",
        Rule::SharedFate => "alternatives share one fate",
        Rule::NoTargets => "the architecture begins here",
    }
}

/// The human report: each finding as a diagnostic, then notes and a summary line.
#[cfg(feature = "cli")]
pub fn write_human(out: &mut dyn Write, files: &[FileFindings<'_>], color: bool) -> io::Result<()> {
    let writer = super::diagnostics::DiagnosticWriter::new(color);
    let (mut errors, mut warnings) = (0, 0);
    for file in files {
        for f in &file.outcome.findings {
            let label = crate::diagnostic::Label::new(
                file.arch.node(f.node).id_span.span(),
                label_text(f.rule),
            );
            let help = format!("fix: {}", fix(file.arch, f));
            let text = message(file.arch, f);
            let diagnostic =
                file.source_of(f.node)
                    .located(f.rule.code(), &text, (&label, &[]), Some(&help));
            // Related nodes are named in the message; labels far apart would
            // make miette print every line between them.
            let severity = match f.severity() {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            };
            writer.write(out, &diagnostic.with_severity(severity))?;
            writeln!(out)?;
            match f.severity() {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
        }
        for k in &file.outcome.stale {
            writeln!(
                out,
                "note: baseline entry no longer occurs: {} on `{}` in {}",
                k.rule, k.node, k.file
            )?;
        }
        for s in &file.outcome.suppressed {
            writeln!(
                out,
                "note: suppressed {} on `{}` in {}: {}",
                s.finding.rule.code(),
                file.arch.name_of(s.finding.node),
                file.file_of(s.finding.node),
                s.reason
            )?;
        }
    }
    let accepted: usize = files.iter().map(|f| f.outcome.in_baseline.len()).sum();
    let accepted = if accepted > 0 {
        format!(", {accepted} accepted by the baseline")
    } else {
        String::new()
    };
    let (checked, checkable) = fixes_checked(files);
    // Said only when the work bound left some fixes unchecked: a reader then
    // knows which "fix:" lines the engine did not run.
    let unchecked = if checked < checkable {
        format!("; {checked} of {checkable} fixes checked by the engine (work bound reached)")
    } else {
        String::new()
    };
    writeln!(
        out,
        "spof check: {errors} error{}, {warnings} warning{}{accepted} in {} file{}{unchecked}",
        plural(errors),
        plural(warnings),
        files.len(),
        plural(files.len())
    )
}

/// Fixes the engine checked, and how many it could have, over all files.
fn fixes_checked(files: &[FileFindings<'_>]) -> (usize, usize) {
    files.iter().fold((0, 0), |(a, b), f| {
        (a + f.outcome.fixes_checked.0, b + f.outcome.fixes_checked.1)
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The findings as one JSON document.
pub fn json(files: &[FileFindings<'_>]) -> Value {
    let mut findings = Vec::new();
    let mut stale = Vec::new();
    let mut suppressed = Vec::new();
    for file in files {
        for f in &file.outcome.findings {
            let (line, column, _) = location(file.arch, f);
            findings.push(json!({
                "file": file.file_of(f.node),
                "rule": f.rule.code(),
                "severity": f.severity().as_str(),
                "node": file.arch.name_of(f.node),
                "line": line,
                "column": column,
                "message": message(file.arch, f),
                "fix": fix(file.arch, f),
            }));
        }
        for k in &file.outcome.stale {
            stale.push(json!({ "file": k.file, "rule": k.rule, "node": k.node }));
        }
        for s in &file.outcome.suppressed {
            suppressed.push(json!({
                "file": file.file_of(s.finding.node),
                "rule": s.finding.rule.code(),
                "node": file.arch.name_of(s.finding.node),
                "reason": s.reason,
            }));
        }
    }
    let count = |s: Severity| {
        files
            .iter()
            .flat_map(|f| &f.outcome.findings)
            .filter(|f| f.severity() == s)
            .count()
    };
    json!({
        "findings": findings,
        "stale": stale,
        "suppressed": suppressed,
        "summary": {
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "in_baseline": files.iter().map(|f| f.outcome.in_baseline.len()).sum::<usize>(),
            "fixes_checked": fixes_checked(files).0,
            "fixes_checkable": fixes_checked(files).1,
        },
    })
}

/// Results a SARIF log holds at most: GitHub code scanning rejects a run
/// with more (and shows 5,000, the most severe first).
pub const SARIF_MAX_RESULTS: usize = 25_000;

/// Related locations a SARIF result holds at most: GitHub shows 100 and
/// rejects a result with more than 1,000. A failure that takes down
/// thousands of targets names them all in its message count and in JSON.
pub const SARIF_MAX_RELATED: usize = 100;

/// How many results the SARIF log of `files` leaves out to stay within
/// [`SARIF_MAX_RESULTS`] (the CLI says so on stderr).
pub fn sarif_left_out(files: &[FileFindings<'_>]) -> usize {
    let all: usize = files
        .iter()
        .map(|f| f.outcome.findings.len() + f.outcome.suppressed.len())
        .sum();
    all.saturating_sub(SARIF_MAX_RESULTS)
}

/// The findings as a SARIF 2.1.0 log: at most [`SARIF_MAX_RESULTS`], the
/// most severe first (errors, then warnings, each in report order), with
/// the number left out in the run's `properties.omittedResults`.
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
        let all = file.outcome.findings.iter().map(|f| (f, None)).chain(
            file.outcome
                .suppressed
                .iter()
                .map(|s| (&s.finding, Some((&s.reason, s.by)))),
        );
        for (f, suppression) in all {
            let (line, column, end) = location(file.arch, f);
            let index = Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
            let mut result = json!({
                "ruleId": f.rule.code(),
                "ruleIndex": index,
                "level": f.severity().as_str(),
                "message": { "text": format!("{}. Fix: {}", message(file.arch, f), fix(file.arch, f)) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(file.file_of(f.node)) },
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
            let related = related_locations(file, f);
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            if let Some((reason, by)) = suppression {
                let kind = match by {
                    SuppressedBy::Inline => "inSource",
                    SuppressedBy::Config => "external",
                };
                result["suppressions"] = json!([{ "kind": kind, "justification": reason }]);
            }
            results.push((f.severity(), result));
        }
    }
    let left_out = results.len().saturating_sub(SARIF_MAX_RESULTS);
    if left_out > 0 {
        // Stable: report order within a severity.
        results.sort_by_key(|(severity, _)| std::cmp::Reverse(*severity));
        results.truncate(SARIF_MAX_RESULTS);
    }
    let results: Vec<Value> = results.into_iter().map(|(_, r)| r).collect();
    let mut log = json!({
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
    });
    if left_out > 0 {
        log["runs"][0]["properties"] = json!({ "omittedResults": left_out });
    }
    log
}

/// The related nodes of a finding, each at its id in the file.
fn related_locations(file: &FileFindings<'_>, f: &Finding) -> Vec<Value> {
    f.related()
        .into_iter()
        .take(SARIF_MAX_RELATED)
        .enumerate()
        .map(|(i, id)| {
            let span = file.arch.node(id).id_span.span();
            let end = if span.end.line == span.start.line {
                span.end.col + 1
            } else {
                span.start.col + 1
            };
            json!({
                "id": i,
                "message": { "text": format!("`{}`", file.arch.name_of(id)) },
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(file.file_of(id)) },
                    "region": {
                        "startLine": span.start.line,
                        "startColumn": span.start.col + 1,
                        "endLine": span.start.line,
                        "endColumn": end,
                    },
                },
            })
        })
        .collect()
}

/// A relative path as a SARIF `artifactLocation.uri` (RFC 3986): forward
/// slashes, no `./`, and every byte outside the unreserved set
/// percent-encoded (spaces, `#`, `?`, `%`, non-ASCII as UTF-8).
pub(crate) fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `::error file=F,line=L,col=C,title=T::message`, escaped as GitHub asks.
pub fn write_github(out: &mut dyn Write, files: &[FileFindings<'_>]) -> io::Result<()> {
    // A check of a large file writes hundreds of thousands of annotations:
    // they are worded on every thread, a window at a time (so that memory
    // holds one window of lines, not all), into one text per chunk (a
    // string per line cost as much to free and copy, on one thread, as to
    // word), and written in order.
    const WINDOW: usize = 16_384;
    for file in files {
        for window in file.outcome.findings.chunks(WINDOW) {
            let texts = crate::engine::parallel::fold_chunked(
                window,
                256,
                &crate::engine::Progress::default(),
                String::new,
                |text, f| github_line(text, file, f),
                |text| text,
            );
            for text in texts {
                out.write_all(text.as_bytes())?;
            }
        }
        for k in &file.outcome.stale {
            writeln!(
                out,
                "::notice file={}::{}",
                escape_property(&k.file),
                escape_data(&format!(
                    "baseline entry no longer occurs: {} on `{}`",
                    k.rule, k.node
                ))
            )?;
        }
    }
    Ok(())
}

/// One finding as a GitHub workflow command, with its newline, added to
/// `line`.
fn github_line(line: &mut String, file: &FileFindings<'_>, f: &Finding) {
    let (l, col, end) = location(file.arch, f);
    line.push_str("::");
    line.push_str(f.severity().as_str());
    line.push_str(" file=");
    escape_workflow(line, file.file_of(f.node), true);
    // Writing to a `String` cannot fail.
    let _ = std::fmt::Write::write_fmt(
        line,
        format_args!(",line={l},col={col},endColumn={end},title="),
    );
    escape_workflow(line, f.rule.code(), true);
    line.push_str("::");
    escape_workflow(line, &message(file.arch, f), false);
    line.push_str(". Fix: ");
    escape_workflow(line, &fix(file.arch, f), false);
    line.push('\n');
}

/// Escapes as GitHub's workflow commands ask (`%`, CR, LF), and makes every
/// other control character visible: an annotation lands in a public log.
pub(crate) fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_workflow(&mut out, text, false);
    out
}

pub(crate) fn escape_property(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_workflow(&mut out, text, true);
    out
}

/// Appends `text` to `out` with GitHub's workflow-command escapes (`%`,
/// CR, LF; in a property also `:` and `,`) and
/// [`crate::diagnostic::visible`], in one pass: a check of a large file
/// writes hundreds of thousands of these.
fn escape_workflow(out: &mut String, text: &str, property: bool) {
    // Most messages are plain ASCII with nothing to escape: copied whole.
    // The test has no branch and no early exit, so that it runs on many
    // bytes at a time.
    let special =
        |b: u8| !(0x20..0x7f).contains(&b) | (b == b'%') | (property & ((b == b':') | (b == b',')));
    if !text.bytes().fold(false, |any, b| any | special(b)) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(crate::diagnostic::shown_as(c)),
        }
    }
}

/// A summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
pub fn write_markdown(out: &mut dyn Write, files: &[FileFindings<'_>]) -> io::Result<()> {
    write_markdown_table(out, files)?;
    // What each single point of failure takes down, drawn: GitHub renders
    // Mermaid in comments and step summaries. The first ten, to keep a
    // comment readable.
    let spofs = files.iter().flat_map(|file| {
        file.outcome
            .findings
            .iter()
            .filter_map(move |f| match &f.detail {
                Detail::SinglePoint { targets, .. } => Some((file.arch, f.node, targets)),
                _ => None,
            })
    });
    for (arch, node, targets) in spofs.take(10) {
        writeln!(out, "\n#### `{}` takes down\n", cell(arch.name_of(node)))?;
        writeln!(out, "```mermaid")?;
        let targets = targets.to_vec();
        out.write_all(super::mermaid::blast_radius(arch, node, &targets, 8).as_bytes())?;
        writeln!(out, "```")?;
    }
    Ok(())
}

fn write_markdown_table(out: &mut dyn Write, files: &[FileFindings<'_>]) -> io::Result<()> {
    let total: usize = files.iter().map(|f| f.outcome.findings.len()).sum();
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
        for f in &file.outcome.findings {
            let (line, _, _) = location(file.arch, f);
            let icon = match f.severity() {
                Severity::Error => "❌",
                Severity::Warning => "⚠️",
            };
            writeln!(
                out,
                "| {icon} | `{}` | {}:{line} | {} | {} |",
                f.rule.code(),
                cell(file.file_of(f.node)),
                cell(&message(file.arch, f)),
                cell(&fix(file.arch, f))
            )?;
        }
    }
    Ok(())
}

pub(crate) fn cell(text: &str) -> String {
    crate::diagnostic::visible(&text.replace('|', "\\|").replace('\n', " ")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_what_it_must() {
        assert_eq!(escape_data("50% down\nnext"), "50%25 down%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        // Terminal controls and bidi overrides are shown, never written raw;
        // CR and LF stay GitHub's escapes; tabs and Hangul pass.
        assert_eq!(
            escape_property("x\u{1b}[31m\r\n\u{202e}\t카:,%"),
            "x\u{241b}[31m%0D%0A\u{fffd}\t카%3A%2C%25"
        );
        assert_eq!(escape_data("a:b\u{7}"), "a:b\u{2407}");
    }

    #[test]
    fn uris_use_forward_slashes() {
        assert_eq!(uri("./graphs\\a.yaml"), "graphs/a.yaml");
        assert_eq!(uri("my dir/카#1.yaml"), "my%20dir/%EC%B9%B4%231.yaml");
    }
}
