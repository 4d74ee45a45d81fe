//! `spof check` and `spof explain`.

use std::collections::BTreeSet;

use miette::MietteDiagnostic;

use super::{load, CheckArgs, CheckFormat, CmdResult, Io, FINDINGS, INVALID, OK};
use crate::check::baseline::{Baseline, Key};
use crate::check::{self, Rule, Severity};
use crate::engine::FailureGraph;
use crate::load::Loaded;
use crate::report::diagnostics::DiagnosticWriter;
use crate::report::findings::{self, FileFindings};
use crate::report::json;
use crate::suggest;

pub fn check(args: &CheckArgs, io: &mut Io<'_>) -> CmdResult {
    let mut loaded: Vec<Loaded> = Vec::new();
    let mut invalid = false;
    for file in &args.files {
        match load(file, io)? {
            Some(l) => loaded.push(l),
            None => invalid = true,
        }
    }
    if invalid {
        return Ok(INVALID);
    }
    let baseline = match &args.baseline {
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Baseline::from_json(&text))
        {
            Ok(b) => Some(b),
            Err(e) => {
                let d =
                    MietteDiagnostic::new(format!("cannot use baseline {}: {e}", path.display()))
                        .with_code("spof::baseline")
                        .with_help("write one with `spof check --write-baseline FILE ...`");
                DiagnosticWriter::new(io.err_style.color).write(io.err, &d)?;
                return Ok(INVALID);
            }
        },
        None => None,
    };
    let config = match read_config(args.config.as_deref(), io)? {
        Some(c) => c,
        None => return Ok(INVALID),
    };
    let min_tier = args
        .min_tier
        .map(|t| t.tier())
        .or(config.min_tier)
        .unwrap_or(crate::model::Tier::High);
    let mut files = Vec::with_capacity(loaded.len());
    let mut recorded = Baseline::default();
    for l in &loaded {
        let graph = FailureGraph::build(&l.arch);
        let mut found = check::check(&l.arch, &graph, min_tier);
        let mut suppressed = Vec::new();
        found.retain_mut(|f| {
            let Some(level) = config.level(f.rule) else {
                return false;
            };
            f.severity = level;
            let node = l.arch.node(f.node);
            let inline = node
                .suppressions
                .iter()
                .find(|s| s.rule == f.rule.code()[5..])
                .map(|s| s.reason.clone());
            let reason =
                inline.or_else(|| config.ignored(f.rule, &node.id).map(|i| i.reason.clone()));
            match reason {
                Some(reason) => {
                    suppressed.push((f.clone(), reason));
                    false
                }
                None => true,
            }
        });
        let key = |f: &check::Finding| Key {
            rule: f.rule.code().to_string(),
            file: l.source.name.clone(),
            node: l.arch.name_of(f.node).to_string(),
        };
        recorded.keys.extend(found.iter().map(key));
        let mut stale = Vec::new();
        if let Some(b) = &baseline {
            let now: BTreeSet<Key> = found.iter().map(key).collect();
            found.retain(|f| !b.keys.contains(&key(f)));
            stale = b
                .keys
                .iter()
                .filter(|k| k.file == l.source.name && !now.contains(k))
                .map(|k| (k.rule.clone(), k.node.clone()))
                .collect();
        }
        files.push(FileFindings {
            arch: &l.arch,
            source: &l.source,
            findings: found,
            suppressed,
            stale,
        });
    }
    if let Some(path) = &args.write_baseline {
        let text = json::to_text(&recorded.to_json());
        if let Err(e) = std::fs::write(path, text) {
            let d = MietteDiagnostic::new(format!("cannot write {}: {e}", path.display()))
                .with_code("spof::baseline");
            DiagnosticWriter::new(io.err_style.color).write(io.err, &d)?;
            return Ok(INVALID);
        }
        writeln!(
            io.err,
            "wrote {} finding{} to {}",
            recorded.keys.len(),
            if recorded.keys.len() == 1 { "" } else { "s" },
            path.display()
        )?;
        return Ok(OK);
    }
    match args.format {
        CheckFormat::Human => findings::write_human(io.out, &files, io.out_style.color)?,
        CheckFormat::Json => io
            .out
            .write_all(json::to_text(&findings::json(&files)).as_bytes())?,
        CheckFormat::Sarif => io
            .out
            .write_all(json::to_text(&findings::sarif(&files)).as_bytes())?,
        CheckFormat::Github => findings::write_github(io.out, &files)?,
        CheckFormat::Markdown => findings::write_markdown(io.out, &files)?,
    }
    let failing = files
        .iter()
        .flat_map(|f| &f.findings)
        .any(|f| f.severity() == Severity::Error || args.strict);
    Ok(if failing { FINDINGS } else { OK })
}

/// The configuration: `--config FILE`, else `.spof.yaml` here, else defaults.
fn read_config(
    path: Option<&std::path::Path>,
    io: &mut Io<'_>,
) -> std::io::Result<Option<check::config::CheckConfig>> {
    let default = std::path::Path::new(".spof.yaml");
    let path = match path {
        Some(p) => p,
        None if default.exists() => default,
        None => return Ok(Some(Default::default())),
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            let d = MietteDiagnostic::new(format!("cannot read {}: {e}", path.display()))
                .with_code("spof::config");
            DiagnosticWriter::new(io.err_style.color).write(io.err, &d)?;
            return Ok(None);
        }
    };
    match check::config::parse(&path.display().to_string(), &text) {
        Ok(c) => Ok(Some(c)),
        Err(e) => {
            DiagnosticWriter::new(io.err_style.color).write_load_error(io.err, &e)?;
            Ok(None)
        }
    }
}

pub fn explain(code: Option<&str>, io: &mut Io<'_>) -> CmdResult {
    let Some(code) = code else {
        for rule in Rule::ALL {
            writeln!(
                io.out,
                "{:<36} {:<8} {}",
                rule.code(),
                rule.severity().as_str(),
                rule.summary()
            )?;
        }
        return Ok(OK);
    };
    match Rule::parse(code) {
        Some(rule) => {
            writeln!(io.out, "{} ({})\n", rule.code(), rule.severity().as_str())?;
            writeln!(io.out, "{}\n", rule.summary())?;
            writeln!(io.out, "{}", rule.explanation())?;
            Ok(OK)
        }
        None => {
            let codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
            let mut d = MietteDiagnostic::new(format!("no rule is called `{code}`"))
                .with_code("spof::unknown-rule");
            let hint = suggest::hint(code, codes.iter().copied())
                .unwrap_or_else(|| format!("the rules are {}", codes.join(", ")));
            d = d.with_help(hint);
            DiagnosticWriter::new(io.err_style.color).write(io.err, &d)?;
            Ok(INVALID)
        }
    }
}
