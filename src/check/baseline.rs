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
    /// A finding whose field does not hold what it should.
    BadField(&'static str),
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

/// At most this many targets of a single point of failure are recorded by
/// id; one that takes down more is recorded by count and digest. Listing
/// every target made a baseline grow with findings × targets: 281 MB of
/// JSON at 10,000 services where a cycle takes most of the file down, and
/// out of memory at 30,000.
pub const LISTED_MAX: usize = 32;

/// What an accepted single point of failure took down when it was accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Accepted {
    /// The targets' ids, sorted.
    Listed(Vec<String>),
    /// More than [`LISTED_MAX`] targets: how many, and their [`Digest`].
    Counted {
        /// How many targets.
        count: usize,
        /// The digest of their ids.
        digest: Digest,
    },
}

impl Accepted {
    /// What a single point of failure takes down, as a baseline records
    /// it: `ids` (sorted, called only when there are at most
    /// [`LISTED_MAX`]) or `count` and `digest` (called only past that).
    pub fn of(
        count: usize,
        digest: impl FnOnce() -> Digest,
        ids: impl FnOnce() -> Vec<String>,
    ) -> Accepted {
        if count <= LISTED_MAX {
            Accepted::Listed(ids())
        } else {
            Accepted::Counted {
                count,
                digest: digest(),
            }
        }
    }

    /// Whether a single point of failure that takes down `count` targets,
    /// with this `digest`, takes down nothing it did not when accepted.
    /// `ids` (sorted) is called only for a listed entry no shorter, and
    /// `digest` only for a counted entry of the same count.
    ///
    /// A counted entry cannot tell every change: the same count with another
    /// digest has a new target, and so has a larger count, but a smaller
    /// count is taken as the entry having shrunk, though it may have gained
    /// a target while losing more. `spof diff` compares target by target.
    pub fn allows(
        &self,
        count: usize,
        digest: impl FnOnce() -> Digest,
        ids: impl FnOnce() -> Vec<String>,
    ) -> bool {
        match self {
            Accepted::Listed(ok) => {
                count <= ok.len() && ids().iter().all(|t| ok.binary_search(t).is_ok())
            }
            Accepted::Counted {
                count: was,
                digest: then,
            } => count < *was || (count == *was && digest() == *then),
        }
    }
}

/// A digest of a set of ids: the wrapping sum of each id's hash, so that
/// a list shared by many findings is summed once, and the targets one
/// finding adds or leaves out adjust it. Stable across runs and machines:
/// FNV-1a, then MurmurHash3's finalizer so that similar ids spread.
///
/// Not a defence against a crafted file: whoever can edit the
/// architecture in a pull request can edit its baseline too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Digest(pub u64);

impl Digest {
    /// The digest of the one id `id`.
    pub fn of_id(id: &str) -> Digest {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^= h >> 33;
        Digest(h)
    }

    /// The digest of this set with `other`'s ids added (the sets apart).
    pub fn plus(self, other: Digest) -> Digest {
        Digest(self.0.wrapping_add(other.0))
    }

    /// The digest of this set without `other`'s ids (which it holds).
    pub fn minus(self, other: Digest) -> Digest {
        Digest(self.0.wrapping_sub(other.0))
    }

    /// As a baseline writes it: 16 hexadecimal digits.
    pub fn to_hex(self) -> String {
        format!("{:016x}", self.0)
    }

    /// Read back from [`Digest::to_hex`].
    pub fn from_hex(text: &str) -> Option<Digest> {
        let well_formed = text.len() == 16 && text.bytes().all(|b| b.is_ascii_hexdigit());
        well_formed
            .then(|| u64::from_str_radix(text, 16).ok())
            .flatten()
            .map(Digest)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
/// Findings accepted once, so that CI fails only on new ones.
pub struct Baseline {
    /// The accepted findings.
    pub keys: BTreeSet<Key>,
    /// For an accepted single point of failure, what it took down when it
    /// was accepted: one that takes down more has grown, and is new again.
    /// A key without an entry accepts whatever it takes down.
    pub accepted: BTreeMap<Key, Accepted>,
}

impl Baseline {
    /// Whether the baseline accepts a finding with this key that takes
    /// down `count` targets with this `digest` (`digest` and `ids`, sorted,
    /// called only when they are needed; no targets for rules that take
    /// down nothing).
    pub fn accepts(
        &self,
        key: &Key,
        count: usize,
        digest: impl FnOnce() -> Digest,
        ids: impl FnOnce() -> Vec<String>,
    ) -> bool {
        self.keys.contains(key)
            && self
                .accepted
                .get(key)
                .is_none_or(|ok| ok.allows(count, digest, ids))
    }

    /// The entries `--write-baseline` writes, one JSON object each, in
    /// order: a baseline is written one entry at a time.
    pub fn entries(&self) -> impl Iterator<Item = Value> + '_ {
        self.keys.iter().map(|k| {
            let mut entry = json!({ "rule": k.rule, "file": k.file, "node": k.node });
            match self.accepted.get(k) {
                Some(Accepted::Listed(targets)) => entry["takes_down"] = json!(targets),
                Some(Accepted::Counted { count, digest }) => {
                    entry["takes_down_count"] = json!(count);
                    entry["takes_down_digest"] = json!(digest.to_hex());
                }
                None => {}
            }
            entry
        })
    }

    /// The JSON `--write-baseline` writes, as one value.
    pub fn to_json(&self) -> Value {
        let findings: Vec<Value> = self.entries().collect();
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
            if let Some(took) = accepted_of(f)? {
                accepted.insert(key.clone(), took);
            }
            keys.insert(key);
        }
        Ok(Baseline { keys, accepted })
    }
}

/// What an entry read from JSON says its finding took down, if anything.
fn accepted_of(f: &Value) -> Result<Option<Accepted>, BaselineError> {
    if let Some(list) = f.get("takes_down").and_then(Value::as_array) {
        let mut ids: Vec<String> = list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        // Sorted as written; sorted again should a hand edit have moved one.
        ids.sort_unstable();
        return Ok(Some(Accepted::Listed(ids)));
    }
    let Some(count) = f.get("takes_down_count") else {
        return Ok(None);
    };
    let count = count
        .as_u64()
        .and_then(|c| usize::try_from(c).ok())
        .ok_or(BaselineError::BadField("takes_down_count"))?;
    let digest = f
        .get("takes_down_digest")
        .ok_or(BaselineError::MissingField("takes_down_digest"))?
        .as_str()
        .and_then(Digest::from_hex)
        .ok_or(BaselineError::BadField("takes_down_digest"))?;
    Ok(Some(Accepted::Counted { count, digest }))
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
