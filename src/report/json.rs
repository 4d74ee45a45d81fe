//! JSON documents exactly as format v1 §9–§10 lays them out: one document,
//! keys in a fixed order, lists sorted.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::check::baseline::Baseline;
use crate::engine::{Audit, ScenarioOutcome, Spof};
use crate::model::{Architecture, NodeId};

/// A list of ids.
pub fn ids(arch: &Architecture, ids: &[NodeId]) -> Value {
    Value::Array(ids.iter().map(|id| json!(arch.name_of(*id))).collect())
}

/// A JSON string, escaped as serde_json escapes it. Ids rarely hold a
/// character to escape (serde_json escapes only `"`, `\\` and controls), and
/// large audits write millions of them, so those are copied whole.
fn string(out: &mut dyn Write, text: &str) -> io::Result<()> {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.write_all(b"\"")?;
        out.write_all(text.as_bytes())?;
        return out.write_all(b"\"");
    }
    serde_json::to_writer(&mut *out, text).map_err(io::Error::other)
}

/// A list of ids at `indent` spaces, laid out as serde_json's pretty printer does.
/// Lines are gathered in a buffer and written a few kilobytes at a time: an
/// audit writes millions of ids, and a call through `dyn Write` per piece
/// of each line cost more than the line.
fn id_list(
    out: &mut dyn Write,
    arch: &Architecture,
    ids: &[NodeId],
    indent: usize,
) -> io::Result<()> {
    if ids.is_empty() {
        return out.write_all(b"[]");
    }
    const FLUSH_AT: usize = 1 << 16;
    let mut buf: Vec<u8> = Vec::with_capacity(FLUSH_AT.min(ids.len() * 32) + 256);
    buf.extend_from_slice(b"[\n");
    for (i, id) in ids.iter().enumerate() {
        let text = arch.name_of(*id);
        buf.resize(buf.len() + indent + 2, b' ');
        if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            buf.push(b'"');
            buf.extend_from_slice(text.as_bytes());
            buf.push(b'"');
        } else {
            string(&mut buf, text)?;
        }
        buf.extend_from_slice(if i + 1 < ids.len() { b",\n" } else { b"\n" });
        if buf.len() >= FLUSH_AT {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    buf.resize(buf.len() + indent, b' ');
    buf.push(b']');
    out.write_all(&buf)
}

/// `what-if` as JSON, streamed: the same text as [`what_if`] pretty-printed,
/// without building the document first (it is large for large files).
pub fn write_what_if(
    out: &mut dyn Write,
    arch: &Architecture,
    outcome: &ScenarioOutcome,
) -> io::Result<()> {
    out.write_all(b"{\n  \"failed\": ")?;
    id_list(out, arch, &outcome.failed, 2)?;
    out.write_all(b",\n  \"nodes\": ")?;
    if outcome.nodes.is_empty() {
        out.write_all(b"[]")?;
    } else {
        out.write_all(b"[\n")?;
        for (i, n) in outcome.nodes.iter().enumerate() {
            out.write_all(b"    {\n      \"id\": ")?;
            string(out, arch.name_of(n.id))?;
            write!(
                out,
                ",\n      \"kind\": \"{}\",\n      \"state\": \"{}\",\n      \"cause\": ",
                arch.node(n.id).kind().as_str(),
                n.state.as_str()
            )?;
            id_list(out, arch, &n.cause, 6)?;
            out.write_all(if i + 1 < outcome.nodes.len() {
                b"\n    },\n"
            } else {
                b"\n    }\n"
            })?;
        }
        out.write_all(b"  ]")?;
    }
    out.write_all(b"\n}\n")
}

/// `audit` as JSON, streamed; the same text as [`audit`] pretty-printed.
pub fn write_audit(out: &mut dyn Write, arch: &Architecture, audit: &Audit) -> io::Result<()> {
    write_spofs(out, arch, audit.spofs.len(), audit.spofs.iter())
}

/// The audit's JSON from `count` SPOFs given one at a time, so that their
/// details need not all be in memory ([`crate::engine::Ranking::details`]).
pub fn write_spofs<S: std::borrow::Borrow<Spof>>(
    out: &mut dyn Write,
    arch: &Architecture,
    count: usize,
    spofs: impl Iterator<Item = S>,
) -> io::Result<()> {
    out.write_all(b"{\n  \"spofs\": ")?;
    if count == 0 {
        return out.write_all(b"[]\n}\n");
    }
    out.write_all(b"[\n")?;
    for (i, s) in spofs.enumerate() {
        let s: &Spof = s.borrow();
        out.write_all(b"    {\n      \"id\": ")?;
        string(out, arch.name_of(s.id))?;
        write!(
            out,
            ",\n      \"kind\": \"{}\",\n      \"takes_down\": ",
            arch.node(s.id).kind().as_str()
        )?;
        id_list(out, arch, &s.takes_down, 6)?;
        out.write_all(b",\n      \"degrades\": ")?;
        id_list(out, arch, &s.degrades, 6)?;
        write!(
            out,
            ",\n      \"users_affected\": {},\n      \"chains\": ",
            s.users_affected
        )?;
        if s.chains.is_empty() {
            out.write_all(b"{}")?;
        } else {
            out.write_all(b"{\n")?;
            for (j, (target, chain)) in s.chains.iter().enumerate() {
                out.write_all(b"        ")?;
                string(out, arch.name_of(*target))?;
                out.write_all(b": ")?;
                id_list(out, arch, chain, 8)?;
                out.write_all(if j + 1 < s.chains.len() {
                    b",\n"
                } else {
                    b"\n"
                })?;
            }
            out.write_all(b"      }")?;
        }
        out.write_all(if i + 1 < count {
            b"\n    },\n"
        } else {
            b"\n    }\n"
        })?;
    }
    out.write_all(b"  ]\n}\n")
}

/// `spof what-if` as JSON (format v1 §9).
pub fn what_if(arch: &Architecture, outcome: &ScenarioOutcome) -> Value {
    let nodes: Vec<Value> = outcome
        .nodes
        .iter()
        .map(|n| {
            json!({
                "id": arch.name_of(n.id),
                "kind": arch.node(n.id).kind().as_str(),
                "state": n.state.as_str(),
                "cause": ids(arch, &n.cause),
            })
        })
        .collect();
    json!({ "failed": ids(arch, &outcome.failed), "nodes": nodes })
}

/// `spof audit` as JSON (format v1 §9).
pub fn audit(arch: &Architecture, audit: &Audit) -> Value {
    let spofs: Vec<Value> = audit
        .spofs
        .iter()
        .map(|s| {
            let mut chains = serde_json::Map::new();
            for (target, chain) in &s.chains {
                chains.insert(arch.name_of(*target).to_string(), ids(arch, chain));
            }
            json!({
                "id": arch.name_of(s.id),
                "kind": arch.node(s.id).kind().as_str(),
                "takes_down": ids(arch, &s.takes_down),
                "degrades": ids(arch, &s.degrades),
                "users_affected": s.users_affected,
                "chains": chains,
            })
        })
        .collect();
    json!({ "spofs": spofs })
}

/// `cuts` as JSON, streamed: the same text as
/// [`super::beyond::cuts_json`] pretty-printed, without building the
/// document (hundreds of megabytes at a million services).
pub fn write_cuts(
    out: &mut dyn Write,
    arch: &Architecture,
    cuts: &[crate::engine::cuts::TargetCuts],
) -> io::Result<()> {
    if cuts.is_empty() {
        return out.write_all(b"{\n  \"cuts\": []\n}\n");
    }
    out.write_all(b"{\n  \"cuts\": [\n")?;
    for (i, c) in cuts.iter().enumerate() {
        out.write_all(b"    {\n      \"target\": ")?;
        string(out, arch.name_of(c.target))?;
        out.write_all(b",\n      \"sets\": ")?;
        if c.sets.is_empty() {
            out.write_all(b"[]")?;
        } else {
            out.write_all(b"[\n")?;
            for (j, set) in c.sets.iter().enumerate() {
                out.write_all(b"        ")?;
                id_list(out, arch, set, 8)?;
                out.write_all(if j + 1 < c.sets.len() { b",\n" } else { b"\n" })?;
            }
            out.write_all(b"      ]")?;
        }
        out.write_all(if i + 1 < cuts.len() {
            b"\n    },\n"
        } else {
            b"\n    }\n"
        })?;
    }
    out.write_all(b"  ]\n}\n")
}

/// A baseline as [`to_text`] would write [`Baseline::to_json`], one entry
/// at a time: a baseline of many findings is never one JSON value in
/// memory. Pretty-printed entries are indented line by line, which is
/// safe because JSON strings hold no raw line breaks.
pub fn write_baseline(out: &mut dyn Write, baseline: &Baseline) -> io::Result<()> {
    out.write_all(b"{\n  \"spof_baseline\": 1,\n  \"findings\": [")?;
    let mut any = false;
    for entry in baseline.entries() {
        out.write_all(if any { b",\n" } else { b"\n" })?;
        any = true;
        let text = serde_json::to_string_pretty(&entry).map_err(io::Error::other)?;
        for (i, line) in text.split('\n').enumerate() {
            out.write_all(if i == 0 { b"    " } else { b"\n    " })?;
            out.write_all(line.as_bytes())?;
        }
    }
    out.write_all(if any { b"\n  ]\n}\n" } else { b"]\n}\n" })
}

/// Pretty JSON with a final newline.
pub fn to_text(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, FailureGraph, TargetSelection};
    use crate::load::load_str;

    /// Ids copied whole and ids escaped read as serde_json writes them.
    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in [
            "api",
            "",
            "q\"uote",
            "back\\slash",
            "tab\there",
            "nul\u{0}",
            "del\u{7f}",
            "카카오톡",
            "emoji 🔥",
            "line\nbreak",
            "\u{1f}",
        ] {
            let mut out = Vec::new();
            string(&mut out, text).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(text).unwrap()
            );
        }
    }

    /// The streamed text is exactly the pretty-printed document, so either
    /// can be trusted to follow format v1 §9.
    #[test]
    fn streamed_json_equals_the_document() {
        let text = "version: 1\nsites:\n  dc: {}\n  \"q\\\"uote\": {}\nservices:\n  api:\n    tier: critical\n    runs_in: dc\n  web:\n    tier: high\n    depends_on: [api, { on: \"q\\\"uote\", mode: soft }]\n";
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        for failed in [
            vec![],
            vec![arch.id_of("dc").unwrap()],
            vec![arch.id_of("q\"uote").unwrap()],
        ] {
            let outcome = engine::what_if(arch, &graph, &failed);
            let mut streamed = Vec::new();
            write_what_if(&mut streamed, arch, &outcome).unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                to_text(&what_if(arch, &outcome))
            );
        }
        for selection in [
            TargetSelection::default(),
            TargetSelection::MinTier(crate::model::Tier::Low),
        ] {
            let audit = engine::audit(arch, &graph, &selection);
            let mut streamed = Vec::new();
            write_audit(&mut streamed, arch, &audit).unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                to_text(&super::audit(arch, &audit))
            );
        }
        for targets in [vec![], arch.node_ids().collect::<Vec<_>>()] {
            for order in [1, 2] {
                let found = engine::cuts::minimal_cut_sets(arch, &graph, &targets, order);
                let mut streamed = Vec::new();
                write_cuts(&mut streamed, arch, &found).unwrap();
                assert_eq!(
                    String::from_utf8(streamed).unwrap(),
                    to_text(&super::super::beyond::cuts_json(arch, &found))
                );
            }
        }
        let empty = engine::audit(arch, &graph, &TargetSelection::Named(vec![]));
        let mut streamed = Vec::new();
        write_audit(&mut streamed, arch, &empty).unwrap();
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            to_text(&super::audit(arch, &empty))
        );
    }

    /// A baseline written entry by entry reads as the one JSON document,
    /// with no entry, with ids to escape, listed and counted.
    #[test]
    fn a_streamed_baseline_equals_the_document() {
        use crate::check::baseline::{Accepted, Digest, Key};
        let mut b = Baseline::default();
        let check = |b: &Baseline| {
            let mut streamed = Vec::new();
            write_baseline(&mut streamed, b).unwrap();
            assert_eq!(String::from_utf8(streamed).unwrap(), to_text(&b.to_json()));
        };
        check(&b);
        for (node, took) in [
            (
                "판교",
                Some(Accepted::Listed(vec!["a\nb".into(), "q\"".into()])),
            ),
            ("plain", None),
            (
                "big",
                Some(Accepted::Counted {
                    count: 40,
                    digest: Digest(7),
                }),
            ),
        ] {
            let key = Key {
                rule: "spof/single-point-of-failure".into(),
                file: "a.yaml".into(),
                node: node.into(),
            };
            if let Some(took) = took {
                b.accepted.insert(key.clone(), took);
            }
            b.keys.insert(key);
        }
        check(&b);
    }
}
