//! Baselines: today's findings recorded, so CI fails only on new ones.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

/// How a baseline names a file: relative to `here` (the current folder)
/// when it is inside it, without `./`, with `/` between parts, so that
/// `x.yaml`, `./x.yaml` and `/repo/x.yaml` (from `/repo`) are one file.
pub fn file_name(path: &std::path::Path, here: Option<&std::path::Path>) -> String {
    let path = here.and_then(|h| path.strip_prefix(h).ok()).unwrap_or(path);
    let tidy: std::path::PathBuf = path
        .components()
        .filter(|c| *c != std::path::Component::CurDir)
        .collect();
    tidy.to_string_lossy().replace('\\', "/")
}

/// Why a baseline could not be read; the report layer words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaselineError {
    /// Not JSON at all (the parser's words).
    NotJson(String),
    /// JSON without `"spof_baseline": 1`.
    NotABaseline,
    /// No `findings` list.
    NoFindings,
    /// A finding without this field.
    MissingField(&'static str),
}

/// What identifies a finding across runs: rule, file and node id. Messages
/// and lines may change without making a finding new.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The rule's code (`spof/single-point-of-failure`).
    pub rule: String,
    /// The file as named on the command line.
    pub file: String,
    /// The id of the node the finding is about.
    pub node: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
/// Findings accepted once, so that CI fails only on new ones.
pub struct Baseline {
    /// The accepted findings.
    pub keys: BTreeSet<Key>,
    /// For an accepted single point of failure, the targets it took down
    /// when it was accepted: one that takes down more has grown, and is
    /// new again. A key without an entry accepts whatever it takes down.
    pub accepted: BTreeMap<Key, Vec<String>>,
}

impl Baseline {
    /// Whether the baseline accepts a finding with this key that takes
    /// down `targets` (ids; empty for rules that take down nothing).
    pub fn accepts(&self, key: &Key, targets: &[String]) -> bool {
        self.keys.contains(key)
            && self
                .accepted
                .get(key)
                .is_none_or(|ok| targets.iter().all(|t| ok.binary_search(t).is_ok()))
    }

    /// The JSON `--write-baseline` writes.
    pub fn to_json(&self) -> Value {
        let findings: Vec<Value> = self
            .keys
            .iter()
            .map(|k| {
                let mut entry = json!({ "rule": k.rule, "file": k.file, "node": k.node });
                if let Some(targets) = self.accepted.get(k) {
                    entry["takes_down"] = json!(targets);
                }
                entry
            })
            .collect();
        json!({ "spof_baseline": 1, "findings": findings })
    }

    /// Reads a baseline written by `--write-baseline`.
    pub fn from_json(text: &str) -> Result<Baseline, BaselineError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| BaselineError::NotJson(e.to_string()))?;
        if value.get("spof_baseline") != Some(&json!(1)) {
            return Err(BaselineError::NotABaseline);
        }
        let findings = value
            .get("findings")
            .and_then(Value::as_array)
            .ok_or(BaselineError::NoFindings)?;
        let mut keys = BTreeSet::new();
        let mut accepted = BTreeMap::new();
        for f in findings {
            let field = |name: &'static str| {
                f.get(name)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or(BaselineError::MissingField(name))
            };
            let key = Key {
                rule: field("rule")?,
                file: field("file")?,
                node: field("node")?,
            };
            if let Some(list) = f.get("takes_down").and_then(Value::as_array) {
                let targets = list.iter().filter_map(Value::as_str).map(str::to_string);
                accepted.insert(key.clone(), targets.collect());
            }
            keys.insert(key);
        }
        Ok(Baseline { keys, accepted })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_one_way() {
        use std::path::Path;
        let here = Some(Path::new("/repo"));
        for given in ["x/a.yaml", "./x/a.yaml", "/repo/x/a.yaml", "x/./a.yaml"] {
            assert_eq!(file_name(Path::new(given), here), "x/a.yaml", "{given}");
        }
        assert_eq!(
            file_name(Path::new("/elsewhere/a.yaml"), here),
            "/elsewhere/a.yaml"
        );
    }

    #[test]
    fn round_trip() {
        let mut b = Baseline::default();
        b.keys.insert(Key {
            rule: "spof/single-point-of-failure".into(),
            file: "a.yaml".into(),
            node: "판교".into(),
        });
        let text = b.to_json().to_string();
        assert_eq!(Baseline::from_json(&text), Ok(b));
        assert!(Baseline::from_json("{}").is_err());
        assert!(Baseline::from_json("not json").is_err());
    }
}
