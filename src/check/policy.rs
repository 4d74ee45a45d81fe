//! What a team's settings do to the findings: rule levels, suppressions
//! (inline `x-spof-ignore` and the configuration's `ignore`), the baseline
//! and its stale entries. One call, [`run`], so that the CLI, an editor
//! server or a web view get the same verdict.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::engine::lanes::Layout;
use crate::engine::{parallel, FailureGraph, Targets};
use crate::model::{Architecture, NodeId, Tier};
use crate::rule::{Rule, Severity};

use super::baseline::{Accepted, Baseline, Digest, Key};
use super::Finding;
use crate::load::config::{CheckConfig, Ignore};

/// Where a suppression was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressedBy {
    /// `x-spof-ignore` on the node.
    Inline,
    /// An `ignore` entry of the configuration.
    Config,
}

/// A finding silenced on purpose, with the reason a reviewer reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    /// The finding, at its configured level.
    pub finding: Finding,
    /// Why it is accepted.
    pub reason: String,
    /// Where it was silenced.
    pub by: SuppressedBy,
}

/// The verdict on one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Findings to report, sorted by line, then rule.
    pub findings: Vec<Finding>,
    /// Findings the baseline already holds (not reported, still recorded).
    pub in_baseline: Vec<Finding>,
    /// Findings silenced by a suppression.
    pub suppressed: Vec<Suppressed>,
    /// Baseline entries for this file that no longer occur.
    pub stale: Vec<Key>,
    /// Fixes of reported single points of failure the engine checked, and
    /// how many it could have (the rest are past the work budget).
    pub fixes_checked: (usize, usize),
}

impl Outcome {
    /// Whether the file fails the build: an error-level finding, or any
    /// finding under `--strict`.
    pub fn fails(&self, strict: bool) -> bool {
        self.findings
            .iter()
            .any(|f| strict || f.severity == Severity::Error)
    }

    /// The baseline entries that would accept today's findings.
    pub fn baseline_keys<'a>(
        &'a self,
        arch: &'a Architecture,
        files: &'a [&'a str],
    ) -> impl Iterator<Item = Key> + 'a {
        self.findings
            .iter()
            .chain(&self.in_baseline)
            .map(move |f| key(arch, files, f))
    }
}

/// The ids of the targets a single point of failure takes down, sorted.
fn targets(arch: &Architecture, f: &Finding) -> Vec<String> {
    let mut ids: Vec<String> = match &f.detail {
        super::Detail::SinglePoint { targets, .. } => targets
            .iter()
            .map(|t| arch.name_of(t).to_string())
            .collect(),
        _ => Vec::new(),
    };
    ids.sort_unstable();
    ids
}

/// The [`Digest`]s of findings' targets. A list shared by many findings
/// (every member of a large cycle, every failure that takes it down) is
/// summed once, so the digests of all findings cost what their lists
/// hold, not findings × targets. Lists of one finding's own are not kept.
struct Digests<'a> {
    arch: &'a Architecture,
    /// Shared lists by address, each held so that no other list can take
    /// its address while the digests are in use.
    shared: HashMap<*const NodeId, (Arc<[NodeId]>, Digest)>,
}

impl<'a> Digests<'a> {
    fn new(arch: &'a Architecture) -> Self {
        Digests {
            arch,
            shared: HashMap::new(),
        }
    }

    /// How many targets `f` takes down (none for rules that take down
    /// nothing). O(1).
    fn count(f: &Finding) -> usize {
        match &f.detail {
            super::Detail::SinglePoint { targets, .. } => targets.len(),
            _ => 0,
        }
    }

    /// The digest of the targets `f` takes down.
    fn of(&mut self, f: &Finding) -> Digest {
        match &f.detail {
            super::Detail::SinglePoint { targets, .. } => self.of_targets(targets),
            _ => Digest::default(),
        }
    }

    fn of_targets(&mut self, targets: &Targets) -> Digest {
        let id = |t: NodeId| Digest::of_id(self.arch.name_of(t));
        let (base, adds) = targets.parts();
        let sum = || base.iter().fold(Digest::default(), |d, &t| d.plus(id(t)));
        let shared = match self.shared.get(&base.as_ptr()) {
            Some((_, d)) => *d,
            None if Arc::strong_count(base) > 1 => {
                let d = sum();
                self.shared.insert(base.as_ptr(), (Arc::clone(base), d));
                d
            }
            None => sum(),
        };
        let added = adds.iter().fold(shared, |d, &(_, t)| d.plus(id(t)));
        match targets.left_out() {
            Some(t) => added.minus(id(t)),
            None => added,
        }
    }

    /// Whether `baseline` accepts `f`, the key and targets compared.
    fn accepted(&mut self, baseline: &Baseline, files: &[&str], f: &Finding) -> bool {
        let arch = self.arch;
        let (key, count) = (key(arch, files, f), Self::count(f));
        baseline.accepts(&key, count, || self.of(f), || targets(arch, f))
    }
}

/// The baseline that accepts today's findings, with what each single point
/// of failure takes down.
impl Outcome {
    /// A baseline accepting every finding reported or already accepted.
    pub fn baseline(&self, arch: &Architecture, files: &[&str]) -> Baseline {
        let mut b = Baseline::default();
        let mut digests = Digests::new(arch);
        for f in self.findings.iter().chain(&self.in_baseline) {
            let k = key(arch, files, f);
            let count = Digests::count(f);
            if count > 0 {
                let took = Accepted::of(count, || digests.of(f), || targets(arch, f));
                b.accepted.insert(k.clone(), took);
            }
            b.keys.insert(k);
        }
        b
    }
}

/// The baseline entry of a finding: its rule, the file its node is in and
/// the node's id.
fn key(arch: &Architecture, files: &[&str], f: &Finding) -> Key {
    let file = arch.node(f.node).id_span.file.index();
    Key {
        rule: f.rule.code().to_string(),
        file: files.get(file).copied().unwrap_or_default().to_string(),
        node: arch.name_of(f.node).to_string(),
    }
}

/// Runs every rule on `arch` and applies the configuration and the
/// baseline. `files` names the architecture's files (the root first, as
/// `Span::file` counts them), as baselines record them.
pub fn run(
    arch: &Architecture,
    graph: &FailureGraph,
    files: &[&str],
    min_tier: Tier,
    config: &CheckConfig,
    baseline: Option<&Baseline>,
) -> Outcome {
    let points = super::single_points(arch, graph, min_tier);
    let ignores = Ignores::of(config);
    let settle = |findings| settle(arch, (files, config, &ignores, baseline), findings);
    // The single points of failure are settled and their fixes checked
    // while the other rules run: each alone leaves a thread idle.
    let (others, mut outcome) = parallel::both(
        || {
            settle(super::other_rules(
                arch,
                graph,
                min_tier,
                (points.groups, &points.ranks),
            ))
        },
        || {
            let mut outcome = settle(points.findings);
            check_fixes(arch, graph, &points.layout, &mut outcome);
            outcome
        },
    );
    let merge = |a, b| super::merge_by_line(arch, a, b, |f: &Finding| f);
    outcome.findings = merge(outcome.findings, others.findings);
    outcome.in_baseline = merge(outcome.in_baseline, others.in_baseline);
    outcome.suppressed = super::merge_by_line(
        arch,
        outcome.suppressed,
        others.suppressed,
        |s: &Suppressed| &s.finding,
    );
    if let Some(b) = baseline {
        let now: BTreeSet<Key> = outcome.baseline_keys(arch, files).collect();
        outcome.stale = b
            .keys
            .iter()
            .filter(|k| files.contains(&k.file.as_str()) && !now.contains(k))
            .cloned()
            .collect();
    }
    outcome
}

/// `findings` at their configured levels, each reported, in the baseline
/// or suppressed (a rule turned off drops its findings), in their order.
fn settle(
    arch: &Architecture,
    (files, config, ignores, baseline): (&[&str], &CheckConfig, &Ignores<'_>, Option<&Baseline>),
    findings: Vec<Finding>,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut digests = Digests::new(arch);
    for mut f in findings {
        let Some(level) = config.level(f.rule) else {
            continue;
        };
        f.severity = level;
        match suppression(arch, ignores, &f) {
            Some((reason, by)) => outcome.suppressed.push(Suppressed {
                finding: f,
                reason,
                by,
            }),
            None if baseline.is_some_and(|b| digests.accepted(b, files, &f)) => {
                outcome.in_baseline.push(f);
            }
            None => outcome.findings.push(f),
        }
    }
    outcome
}

/// Checks the fixes of the single points of failure `outcome` reports,
/// on the audit's `layout`; the others are not worth the engine's time.
fn check_fixes(arch: &Architecture, graph: &FailureGraph, layout: &Layout, outcome: &mut Outcome) {
    let mut checker = super::fixes::Checker::new(arch);
    let fixes: Vec<_> = outcome
        .findings
        .iter()
        .filter_map(|f| match &f.detail {
            super::Detail::SinglePoint { targets, fix, .. } => Some((f.node, targets, fix)),
            _ => None,
        })
        .collect();
    let mut losses = super::fixes::SiteLosses::new(site_losses(outcome));
    let mut verdicts = checker
        .verify_all((arch, graph, layout), &fixes, &mut losses)
        .into_iter();
    for f in &mut outcome.findings {
        if let super::Detail::SinglePoint { verified, .. } = &mut f.detail {
            *verified = verdicts.next().unwrap_or(super::Verified::Unchecked);
        }
    }
    outcome.fixes_checked = (checker.checked, checker.checkable);
}

/// The targets each single point of failure takes down (reported, in the
/// baseline or silenced alike): each site's are what a `logical: true`
/// fix is judged by, and each service's what a replica of another
/// service beside it may be judged by (`SiteLosses::shares_fate`).
fn site_losses<'o>(outcome: &'o Outcome) -> impl Iterator<Item = (NodeId, &'o Targets)> + 'o {
    let suppressed = outcome.suppressed.iter().map(|s| &s.finding);
    (outcome
        .findings
        .iter()
        .chain(&outcome.in_baseline)
        .chain(suppressed))
    .filter_map(|f| match &f.detail {
        super::Detail::SinglePoint { targets, .. } => Some((f.node, targets)),
        _ => None,
    })
}

/// The configuration's `ignore` entries by (rule, node), the first entry
/// for each: looked up once per finding, and a configuration may list
/// thousands (a list searched per finding made `check` quadratic).
struct Ignores<'c>(HashMap<(Rule, &'c str), &'c Ignore>);

impl<'c> Ignores<'c> {
    fn of(config: &'c CheckConfig) -> Self {
        let mut map = HashMap::with_capacity(config.ignore.len());
        for i in &config.ignore {
            map.entry((i.rule, i.node.as_str())).or_insert(i);
        }
        Ignores(map)
    }
}

/// The reason a finding is silenced, inline first, then by the configuration.
fn suppression(
    arch: &Architecture,
    ignores: &Ignores<'_>,
    f: &Finding,
) -> Option<(String, SuppressedBy)> {
    let node = arch.node(f.node);
    let inline = node.suppressions().iter().find(|s| s.rule == f.rule);
    match inline {
        Some(s) => Some((s.reason.clone(), SuppressedBy::Inline)),
        None => ignores
            .0
            .get(&(f.rule, &*node.id))
            .map(|i| (i.reason.clone(), SuppressedBy::Config)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::config;
    use crate::load::config::CheckConfig;
    use crate::load::load_str;
    use crate::rule::Rule;

    const FILE: &str = "version: 1\nsites:\n  dc: {}\n  old:\n    x-spof-ignore: [{ rule: single-point-of-failure, reason: later }]\nservices:\n  api:\n    tier: high\n    logical: true\n    runs_in: dc\n  db:\n    tier: high\n    logical: true\n    runs_in: old\n";

    fn outcome(config_text: &str, baseline: Option<&Baseline>) -> Outcome {
        let arch = load_str("a.yaml", FILE).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let config = config::parse("c.yaml", config_text).unwrap();
        run(&arch, &graph, &["a.yaml"], Tier::High, &config, baseline)
    }

    #[test]
    fn levels_suppressions_and_baselines_apply_in_order() {
        let o = outcome("check: {}\n", None);
        // `dc` takes down `api`; `old` takes down `db` but is silenced inline.
        let nodes: Vec<u32> = o.findings.iter().map(|f| f.node.0).collect();
        assert_eq!(nodes, [0]);
        assert!(o.fails(false));
        assert_eq!(o.suppressed.len(), 1);
        assert_eq!(o.suppressed[0].by, SuppressedBy::Inline);
        assert_eq!(o.suppressed[0].reason, "later");
        let off = outcome(
            "check:\n  rules:\n    single-point-of-failure: warning\n",
            None,
        );
        assert!(!off.fails(false) && off.fails(true));
        let ignored = outcome(
            "check:\n  ignore:\n    - { rule: single-point-of-failure, node: dc, reason: moving }\n",
            None,
        );
        assert!(ignored
            .suppressed
            .iter()
            .any(|s| s.by == SuppressedBy::Config && s.reason == "moving"));
        let mut b = Baseline::default();
        b.keys.insert(Key {
            rule: Rule::SinglePointOfFailure.code().into(),
            file: "a.yaml".into(),
            node: "dc".into(),
        });
        b.keys.insert(Key {
            rule: Rule::SharedFate.code().into(),
            file: "a.yaml".into(),
            node: "gone".into(),
        });
        let o = outcome("check: {}\n", Some(&b));
        assert_eq!(o.in_baseline.len(), 1);
        assert_eq!(o.stale.len(), 1);
        assert_eq!(o.stale[0].node, "gone");
    }

    #[test]
    fn a_baseline_does_not_accept_a_spof_that_grew() {
        let base = "version: 1\nsites:\n  dc1: {}\n  dc2: {}\nservices:\n  a: {tier: high, runs_in: dc1}\n  b: {tier: high, runs_in: [dc1, dc2]}\n";
        let grown = base.replace("runs_in: [dc1, dc2]", "runs_in: dc1");
        let config = CheckConfig::default();
        let run_on = |text: &str, b: Option<&Baseline>| {
            let arch = load_str("a.yaml", text).unwrap().arch;
            let graph = FailureGraph::build(&arch);
            let o = run(&arch, &graph, &["a.yaml"], Tier::High, &config, b);
            (o.baseline(&arch, &["a.yaml"]), o)
        };
        let (accepted, _) = run_on(base, None);
        assert_eq!(run_on(base, Some(&accepted)).1.findings.len(), 0);
        let (_, now) = run_on(&grown, Some(&accepted));
        assert_eq!(now.findings.len(), 1, "dc1 now also takes down b");
        // Read back from its JSON, the baseline still knows what it accepted.
        let text = accepted.to_json().to_string();
        let read = Baseline::from_json(&text).unwrap();
        assert_eq!(read, accepted);
    }

    /// A ring of 70 services, each needing the next, each with a service
    /// of its own that one more needs: ring members share one list, and
    /// the own services add a target to it.
    fn ring(renamed: Option<usize>, without_more: Option<usize>) -> String {
        let name = |k: usize| match renamed {
            Some(r) if r == k => format!("m{k:03}"),
            _ => format!("n{k:03}"),
        };
        let n = 70;
        let mut text = String::from("version: 1\nservices:\n");
        for i in 0..n {
            let (ring, own, more) = (4 * i, 4 * i + 1, 4 * i + 2);
            let (me, next, own) = (name(ring), name(4 * ((i + 1) % n)), name(own));
            text += &format!("  {me}: {{tier: high, depends_on: [{next}, {own}]}}\n");
            text += &format!("  {own}: {{tier: high}}\n");
            if without_more != Some(i) {
                text += &format!("  {}: {{tier: high, depends_on: [{own}]}}\n", name(more));
            }
        }
        text
    }

    /// Digests summed by shared list equal digests summed target by
    /// target; and a baseline that records long lists by count and
    /// digest still tells a finding that grew (one more target, or as
    /// many with another) from one that shrank.
    #[test]
    fn counted_entries_tell_a_grown_spof() {
        let config = CheckConfig::default();
        let run_on = |text: &str, b: Option<&Baseline>| {
            let arch = load_str("a.yaml", text).unwrap().arch;
            let graph = FailureGraph::build(&arch);
            let o = run(&arch, &graph, &["a.yaml"], Tier::High, &config, b);
            let mut digests = Digests::new(&arch);
            for f in &o.findings {
                let naive = (targets(&arch, f).iter())
                    .fold(Digest::default(), |d, t| d.plus(Digest::of_id(t)));
                assert_eq!(digests.of(f), naive, "{}", arch.name_of(f.node));
            }
            (o.baseline(&arch, &["a.yaml"]), o.findings.len())
        };
        let (accepted, found) = run_on(&ring(None, None), None);
        assert_eq!(found, 140);
        let counted = (accepted.accepted.values())
            .filter(|a| matches!(a, Accepted::Counted { .. }))
            .count();
        assert_eq!(counted, 140, "every finding takes down 69 or 70 targets");
        let read = Baseline::from_json(&accepted.to_json().to_string()).unwrap();
        assert_eq!(read, accepted);
        assert_eq!(run_on(&ring(None, None), Some(&read)).1, 0);
        // `n004` renamed: every other finding takes down as many targets,
        // one of them new; and `m004` is a new finding itself.
        assert_eq!(run_on(&ring(Some(4), None), Some(&read)).1, 140);
        // `n002` gone: `n001` takes down one target fewer; nothing grew.
        assert_eq!(run_on(&ring(None, Some(0)), Some(&read)).1, 0);
    }
}
