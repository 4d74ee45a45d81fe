//! The `check` configuration: `.spof.yaml` (or `--config FILE`).
//!
//! ```yaml
//! check:
//!   min_tier: high                 # the failing level when --min-tier is not given
//!   rules:                         # error | warning | off, per rule
//!     shared-fate: off
//!     integration-without-fallback: error
//!   ignore:                        # accepted findings, each with a reason
//!     - { rule: single-point-of-failure, node: zone-a, reason: "migration in Q3" }
//! ```

use crate::code::Code;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diagnostic::{Label, LoadError, Problem, SourceFile, Span};
use crate::model::Tier;
use crate::suggest;
use crate::yaml::scalar::{resolve, Resolved};
use crate::yaml::tree::{self, Document, NodeIdx, Value};

use crate::rule::{Rule, Severity};

/// A rule's level: `None` turns it off.
pub type Level = Option<Severity>;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
/// A team's settings for `spof check`.
pub struct CheckConfig {
    /// `check.min_tier`: the failing level when `--min-tier` is not given.
    pub min_tier: Option<Tier>,
    /// `check.rules`: each rule's level, where the file sets one.
    pub levels: BTreeMap<Rule, Level>,
    /// `check.ignore`: accepted findings.
    pub ignore: Vec<Ignore>,
}

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignore {
    /// The rule it silences.
    pub rule: Rule,
    /// The id of the node.
    pub node: String,
    /// Why, for the next reviewer.
    pub reason: String,
}

impl CheckConfig {
    /// The failing level: the command line's, else the configuration's, else `high`.
    pub fn min_tier(&self, from_command_line: Option<Tier>) -> Tier {
        from_command_line.or(self.min_tier).unwrap_or(Tier::High)
    }

    /// A rule's level: the configuration's, else the rule's default.
    pub fn level(&self, rule: Rule) -> Level {
        self.levels
            .get(&rule)
            .copied()
            .unwrap_or(Some(rule.severity()))
    }

    /// The `ignore` entry that accepts `rule` on `node`, if any.
    pub fn ignored(&self, rule: Rule, node: &str) -> Option<&Ignore> {
        self.ignore
            .iter()
            .find(|i| i.rule == rule && i.node == node)
    }
}

struct Reader<'d, 'a> {
    doc: &'d Document<'a>,
    problems: Vec<Problem>,
}

impl<'d> Reader<'d, '_> {
    fn text(&self, idx: NodeIdx) -> Option<&'d str> {
        match self.doc.get(idx).0 {
            Value::Scalar { text, plain, .. } => match resolve(text, plain, None) {
                Resolved::Str(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    fn problem(&mut self, at: Span, message: String, label: &str, help: Option<String>) {
        self.problems
            .push(Problem::new(Code::Config, message, Label::new(at, label)).with_help_opt(help));
    }

    fn map(&mut self, idx: NodeIdx, what: &str, keys: &[&str]) -> Vec<(&'d str, NodeIdx)> {
        let (value, span) = self.doc.get(idx);
        let Value::Map(entries) = value else {
            self.problem(
                span,
                format!("{what} must be a mapping"),
                "expected a mapping",
                None,
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for &(k, v) in entries {
            let key_span = self.doc.get(k).1;
            match self.text(k) {
                Some(key) if keys.contains(&key) => out.push((key, v)),
                Some(key) if key.starts_with("x-") => {}
                Some(key) => {
                    let help = suggest::hint(key, keys.iter().copied());
                    self.problem(
                        key_span,
                        format!("unknown field `{key}` in {what}"),
                        "unknown field",
                        help,
                    );
                }
                None => self.problem(
                    key_span,
                    format!("keys of {what} must be strings"),
                    "not a string",
                    None,
                ),
            }
        }
        out
    }

    fn rule(&mut self, idx: NodeIdx) -> Option<Rule> {
        let span = self.doc.get(idx).1;
        let text = self.text(idx).unwrap_or_default();
        let rule = Rule::parse(text);
        if rule.is_none() {
            let codes = Rule::ALL.map(Rule::slug);
            let help = suggest::hint(text.trim_start_matches("spof/"), codes)
                .unwrap_or_else(|| format!("the rules are {}", codes.join(", ")));
            self.problem(
                span,
                format!("no check rule is called `{text}`"),
                "unknown rule",
                Some(help),
            );
        }
        rule
    }
}

/// Reads a configuration file's text; problems come back located.
pub fn parse(name: &str, text: &str) -> Result<CheckConfig, LoadError> {
    let file = Arc::new(SourceFile::new(name, text));
    let (doc, mut problems) = tree::parse(text);
    let mut config = CheckConfig::default();
    if let Some(doc) = doc.as_ref() {
        let mut r = Reader {
            doc,
            problems: Vec::new(),
        };
        if let Some(root) = doc.root {
            for (_, check) in r.map(root, "the configuration", &["check"]) {
                for (key, value) in r.map(check, "`check`", &["min_tier", "rules", "ignore"]) {
                    match key {
                        "min_tier" => {
                            config.min_tier = r.text(value).and_then(Tier::parse);
                            if config.min_tier.is_none() {
                                let span = doc.get(value).1;
                                r.problem(
                                    span,
                                    "`min_tier` must be critical, high, medium or low".into(),
                                    "not a tier",
                                    None,
                                );
                            }
                        }
                        "rules" => {
                            let entries = match doc.get(value).0 {
                                Value::Map(entries) => entries,
                                _ => &[][..],
                            };
                            for &(k, v) in entries {
                                let Some(rule) = r.rule(k) else { continue };
                                let level = match r.text(v) {
                                    Some("error") => Some(Severity::Error),
                                    Some("warning") => Some(Severity::Warning),
                                    Some("off") => None,
                                    _ => {
                                        let span = doc.get(v).1;
                                        r.problem(
                                            span,
                                            "a rule's level is error, warning or off".into(),
                                            "not a level",
                                            None,
                                        );
                                        continue;
                                    }
                                };
                                config.levels.insert(rule, level);
                            }
                        }
                        _ => {
                            let items = match doc.get(value).0 {
                                Value::Seq(items) => items,
                                _ => &[][..],
                            };
                            for &item in items {
                                let span = doc.get(item).1;
                                let fields =
                                    r.map(item, "an `ignore` entry", &["rule", "node", "reason"]);
                                let get = |name: &str| {
                                    fields.iter().find(|(k, _)| *k == name).map(|&(_, v)| v)
                                };
                                let rule = get("rule").and_then(|v| r.rule(v));
                                let node = get("node").and_then(|v| r.text(v));
                                let reason = get("reason")
                                    .and_then(|v| r.text(v))
                                    .filter(|t| !t.trim().is_empty());
                                match (rule, node, reason) {
                                    (Some(rule), Some(node), Some(reason)) => {
                                        config.ignore.push(Ignore {
                                            rule,
                                            node: node.to_string(),
                                            reason: reason.to_string(),
                                        })
                                    }
                                    (_, _, None) if rule.is_some() => r.problem(
                                        span,
                                        "an `ignore` entry needs a `reason`".into(),
                                        "no reason",
                                        Some("say why this finding is accepted".into()),
                                    ),
                                    (Some(_), None, _) => r.problem(
                                        span,
                                        "an `ignore` entry needs the `node` it is about".into(),
                                        "no node",
                                        None,
                                    ),
                                    _ => {}
                                }
                            }
                        }
                    }
                }
            }
        }
        problems.append(&mut r.problems);
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(LoadError {
            file,
            others: Vec::new(),
            problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_ignores_are_read() {
        let text = "check:\n  min_tier: critical\n  rules:\n    shared-fate: off\n    spof/integration-without-fallback: error\n  ignore:\n    - { rule: single-point-of-failure, node: zone-a, reason: moving in Q3 }\n";
        let c = parse("c.yaml", text).unwrap();
        assert_eq!(c.min_tier, Some(Tier::Critical));
        assert_eq!(c.level(Rule::SharedFate), None);
        assert_eq!(
            c.level(Rule::IntegrationWithoutFallback),
            Some(Severity::Error)
        );
        assert_eq!(c.level(Rule::StandbyNeedsPrimary), Some(Severity::Warning));
        assert_eq!(
            c.ignored(Rule::SinglePointOfFailure, "zone-a")
                .unwrap()
                .reason,
            "moving in Q3"
        );
    }

    #[test]
    fn mistakes_are_located() {
        let text = "check:\n  rules:\n    shared-fat: off\n  ignore:\n    - { rule: single-point-of-failure, node: a }\n  colour: red\n";
        let e = parse("c.yaml", text).unwrap_err();
        let codes: Vec<(u32, &str)> = e
            .problems
            .iter()
            .map(|p| (p.primary.span.start.line, p.message.as_str()))
            .collect();
        assert_eq!(codes.len(), 3, "{codes:?}");
        assert!(e
            .problems
            .iter()
            .any(|p| p.help.as_deref() == Some("did you mean `shared-fate`?")));
    }
}
