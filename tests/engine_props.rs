//! The engine checked against a naive fixpoint written plainly from format
//! v1 §7, on random architectures of every shape.

use std::collections::{BTreeMap, HashSet};

use proptest::prelude::*;
use spof::check::{Detail, Fix, Verified};
use spof::engine::{self, FailureGraph, State, TargetSelection};
use spof::model::*;

/// A small deterministic generator, so a failing case is its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// An `any_of` group kept in `groups`, and the dependency on it.
fn any_of(groups: &mut Vec<AnyOf>, members: Vec<NodeId>, min: u32, mode: Mode) -> Dependency {
    groups.push(AnyOf {
        members: members.into(),
        min,
        mode,
    });
    Dependency::AnyOf(GroupId(groups.len() as u32 - 1))
}

fn node(id: String, detail: NodeDetail) -> Node {
    Node {
        id: id.into(),
        about: Default::default(),
        availability: Availability::NONE,
        depends_on: Default::default(),
        detail,
        id_span: Default::default(),
    }
}

/// A random valid architecture: sites (with `within` trees), services with
/// every placement form, `requires`, hard/soft/`any_of` dependencies and
/// cycles, and integrations with fallbacks.
pub fn random_architecture(seed: u64) -> Architecture {
    let mut rng = Rng(seed | 1);
    let sites = 1 + rng.below(4);
    let services = 1 + rng.below(7);
    let integrations = rng.below(3);
    let total = sites + services + integrations;
    let mut arch = Architecture::default();
    let mode = |rng: &mut Rng| {
        if rng.chance(30) {
            Mode::Soft
        } else {
            Mode::Hard
        }
    };
    // Ids chosen so that file order and id order differ.
    let name = |i: usize| format!("n{}", (i * 7) % total + 10 * (i % 3));
    let deps =
        |rng: &mut Rng, groups: &mut Vec<AnyOf>, me: usize, count: usize| -> Vec<Dependency> {
            let mut out = vec![];
            for _ in 0..count {
                let pick = |rng: &mut Rng| loop {
                    let t = rng.below(total);
                    if t != me {
                        return NodeId(t as u32);
                    }
                };
                if total < 2 {
                    break;
                }
                if rng.chance(30) {
                    let n = 1 + rng.below(3);
                    let members: Vec<NodeId> = (0..n).map(|_| pick(rng)).collect();
                    let min = 1 + rng.below(n) as u32;
                    let mode = mode(rng);
                    out.push(any_of(groups, members, min, mode));
                } else {
                    out.push(Dependency::On {
                        target: pick(rng),
                        mode: mode(rng),
                    });
                }
            }
            out
        };
    for i in 0..sites {
        let within = (i > 0 && rng.chance(40)).then(|| NodeId(rng.below(i) as u32));
        let mut n = node(
            name(i),
            NodeDetail::Site {
                kind: SiteKind::Datacenter,
                within,
                operator: None,
            },
        );
        let count = if rng.chance(20) { 1 } else { 0 };
        let list = deps(&mut rng, &mut arch.groups, i, count);
        n.depends_on = DependsOn::push(&mut arch.dependencies, list);
        arch.nodes.push(n);
    }
    for s in 0..services {
        let i = sites + s;
        let runs_in = if rng.chance(80) {
            let entries_n = 1 + rng.below(3);
            let entries = (0..entries_n)
                .map(|_| PlacementEntry {
                    site: NodeId(rng.below(sites) as u32),
                    requires: if rng.chance(30) {
                        let list = deps(&mut rng, &mut arch.groups, i, 1);
                        Requires::push(&mut arch.dependencies, list)
                    } else {
                        Requires::default()
                    },
                })
                .collect();
            let min = 1 + rng.below(entries_n) as u32;
            Some(Placement::new(entries, min))
        } else {
            None
        };
        let tier = [Tier::Low, Tier::Medium, Tier::High, Tier::Critical][rng.below(4)];
        let mut n = node(
            name(i),
            NodeDetail::Service {
                tier,
                users: rng.below(1000) as u64,
                logical: rng.chance(20),
                external: false,
                runs_in,
            },
        );
        let count = rng.below(3);
        let list = deps(&mut rng, &mut arch.groups, i, count);
        n.depends_on = DependsOn::push(&mut arch.dependencies, list);
        if rng.chance(60) {
            n.availability = Some([0.9, 0.99, 0.5, 0.999][rng.below(4)]).into();
        }
        arch.nodes.push(n);
    }
    for g in 0..integrations {
        let i = sites + services + g;
        let service = |rng: &mut Rng| NodeId((sites + rng.below(services)) as u32);
        let fallback = (0..rng.below(3))
            .map(|_| loop {
                let t = rng.below(total);
                if t != i {
                    break NodeId(t as u32);
                }
            })
            .collect();
        let tier = [Tier::Low, Tier::Medium, Tier::High, Tier::Critical][rng.below(4)];
        let n = node(
            name(i),
            NodeDetail::Integration {
                consumer: service(&mut rng),
                provider: service(&mut rng),
                mode: mode(&mut rng),
                fallback,
                tier,
                users: rng.below(100) as u64,
            },
        );
        arch.nodes.push(n);
    }
    // Make the names unique whatever the arithmetic above gave.
    for (i, n) in arch.nodes.iter_mut().enumerate() {
        n.id = format!("{}-{i}", n.id).into();
    }
    arch.reindex();
    arch
}

// ---- The naive reference, written from the spec's words. ----

fn group(states: &[State], min: usize) -> State {
    let not_down = states.iter().filter(|s| **s != State::Down).count();
    let up = states.iter().filter(|s| **s == State::Up).count();
    if not_down < min {
        State::Down
    } else if up < min {
        State::Degraded
    } else {
        State::Up
    }
}

fn combine(reqs: &[(State, Mode)]) -> State {
    if reqs
        .iter()
        .any(|&(s, m)| m == Mode::Hard && s == State::Down)
    {
        State::Down
    } else if reqs.iter().any(|&(s, m)| {
        (m == Mode::Hard && s == State::Degraded) || (m == Mode::Soft && s == State::Down)
    }) {
        State::Degraded
    } else {
        State::Up
    }
}

fn dep_state(arch: &Architecture, states: &[State], dep: &Dependency) -> (State, Mode) {
    match dep {
        Dependency::On { target, mode } => (states[target.index()], *mode),
        Dependency::AnyOf(any) => {
            let any = arch.group(*any);
            let s: Vec<State> = any.members.iter().map(|m| states[m.index()]).collect();
            (group(&s, any.min as usize), any.mode)
        }
    }
}

fn requirements(arch: &Architecture, states: &[State], id: NodeId) -> Vec<(State, Mode)> {
    let node = arch.node(id);
    let mut reqs: Vec<(State, Mode)> = arch
        .depends_on(node)
        .iter()
        .map(|d| dep_state(arch, states, d))
        .collect();
    match &node.detail {
        NodeDetail::Site {
            within: Some(p), ..
        } => reqs.push((states[p.index()], Mode::Hard)),
        NodeDetail::Service {
            runs_in: Some(placement),
            ..
        } => {
            let entries: Vec<State> = placement
                .entries()
                .iter()
                .map(|e| {
                    let mut r = vec![(states[e.site.index()], Mode::Hard)];
                    r.extend(arch.requires(e).iter().map(|d| dep_state(arch, states, d)));
                    combine(&r)
                })
                .collect();
            reqs.push((group(&entries, placement.min() as usize), Mode::Hard));
        }
        NodeDetail::Integration {
            provider, fallback, ..
        } => {
            let mut s = vec![states[provider.index()]];
            s.extend(fallback.iter().map(|f| states[f.index()]));
            reqs.push((group(&s, 1), Mode::Hard));
        }
        _ => {}
    }
    for other in &arch.nodes {
        if let NodeDetail::Integration { consumer, mode, .. } = other.detail {
            if consumer == id {
                reqs.push((states[arch.id_of(&other.id).unwrap().index()], mode));
            }
        }
    }
    reqs
}

/// The candidates with an `availability`, and that availability.
fn failable_parts(arch: &Architecture) -> Vec<(NodeId, f64)> {
    arch.node_ids()
        .filter(|&c| arch.node(c).is_candidate())
        .filter_map(|c| arch.node(c).availability.get().map(|a| (c, a)))
        .collect()
}

/// P(`target` not down) when each of `failable` fails independently with
/// probability 1 - its availability: every failure set, weighed.
fn exhaustive_availability(arch: &Architecture, failable: &[(NodeId, f64)], target: NodeId) -> f64 {
    let mut up = 0.0;
    for mask in 0u32..(1 << failable.len()) {
        let mut p = 1.0;
        let mut failed = vec![];
        for (i, &(id, a)) in failable.iter().enumerate() {
            if mask & (1 << i) != 0 {
                p *= 1.0 - a;
                failed.push(id);
            } else {
                p *= a;
            }
        }
        if naive_states(arch, &failed)[target.index()] != State::Down {
            up += p;
        }
    }
    up
}

/// Start with all up except the failed, then lower until nothing changes.
pub fn naive_states(arch: &Architecture, failed: &[NodeId]) -> Vec<State> {
    let mut states = vec![State::Up; arch.nodes.len()];
    for f in failed {
        states[f.index()] = State::Down;
    }
    loop {
        let mut changed = false;
        for id in arch.node_ids() {
            if failed.contains(&id) {
                continue;
            }
            let new = combine(&requirements(arch, &states, id)).min(states[id.index()]);
            if new != states[id.index()] {
                states[id.index()] = new;
                changed = true;
            }
        }
        if !changed {
            return states;
        }
    }
}

/// The ids a node directly needs (format v1 §9's list for `cause`).
fn direct_requirements(arch: &Architecture, id: NodeId) -> HashSet<NodeId> {
    let node = arch.node(id);
    let mut out = HashSet::new();
    let add_deps = |deps: &[Dependency], out: &mut HashSet<NodeId>| {
        for d in deps {
            match d {
                Dependency::On { target, .. } => {
                    out.insert(*target);
                }
                Dependency::AnyOf(any) => out.extend(arch.group(*any).members.iter().copied()),
            }
        }
    };
    add_deps(arch.depends_on(node), &mut out);
    match &node.detail {
        NodeDetail::Site {
            within: Some(p), ..
        } => {
            out.insert(*p);
        }
        NodeDetail::Service {
            runs_in: Some(pl), ..
        } => {
            for e in pl.entries() {
                out.insert(e.site);
                add_deps(arch.requires(e), &mut out);
            }
        }
        NodeDetail::Integration {
            provider, fallback, ..
        } => {
            out.insert(*provider);
            out.extend(fallback.iter().copied());
        }
        _ => {}
    }
    for (i, other) in arch.nodes.iter().enumerate() {
        if let NodeDetail::Integration { consumer, .. } = other.detail {
            if consumer == id {
                out.insert(NodeId(i as u32));
            }
        }
    }
    out
}

fn check_chain(
    arch: &Architecture,
    states: &[State],
    failed: &[NodeId],
    id: NodeId,
    chain: &[NodeId],
) {
    let state = states[id.index()];
    if state == State::Up || failed.contains(&id) {
        assert!(
            chain.is_empty(),
            "{}: chain {chain:?} should be empty",
            arch.name_of(id)
        );
        return;
    }
    assert!(
        !chain.is_empty(),
        "{} is {state:?} without a cause",
        arch.name_of(id)
    );
    let mut prev = id;
    for &step in chain {
        assert!(
            direct_requirements(arch, prev).contains(&step),
            "{} is not a direct requirement of {}",
            arch.name_of(step),
            arch.name_of(prev)
        );
        assert_ne!(
            states[step.index()],
            State::Up,
            "chain passes through up node"
        );
        prev = step;
    }
    assert!(
        failed.contains(chain.last().unwrap()),
        "chain does not end at a failed node"
    );
}

/// Every SPOF (targets of tier `medium` and up) with its lists, and the
/// same without lists, showing `chains` chains, as human output gets them
/// (from the ranking's own pass); described after the ranking instead,
/// they must be the same.
fn listed_and_counted(
    arch: &Architecture,
    graph: &FailureGraph,
    chains: Option<usize>,
) -> (Vec<engine::Spof>, Vec<engine::Spof>) {
    let targets = TargetSelection::MinTier(Tier::Medium);
    let progress = engine::Progress::default();
    let ranking = engine::rank(arch, graph, &targets, &progress);
    let listed = ranking.details(arch, graph).collect();
    let shown = engine::Shown {
        chains,
        lists: false,
        fold: false,
    };
    let after: Vec<engine::Spof> = ranking.details_showing(arch, graph, shown).collect();
    let (again, described) = engine::rank_showing(arch, graph, &targets, &progress, shown);
    let counted: Vec<engine::Spof> = again.details_described(arch, graph, described).collect();
    assert_eq!(
        after, counted,
        "described in the ranking's pass or after it"
    );
    (listed, counted)
}

/// The audit of `arch` with targets of tier `tier` and up against the
/// naive fixpoint of each candidate alone: the SPOFs, what each takes down
/// and degrades, its users, a valid chain per target, the ranking, and the
/// targets `check` keeps (most important tier first, by id within one).
fn audit_matches_naive(arch: &Architecture, tier: Tier) -> Result<(), TestCaseError> {
    let graph = FailureGraph::build(arch);
    let audit = engine::audit(arch, &graph, &TargetSelection::MinTier(tier));
    let is_target = |id: NodeId| arch.node(id).tier().is_some_and(|t| t >= tier);
    let mut expected = vec![];
    for c in arch.node_ids().filter(|&c| arch.node(c).is_candidate()) {
        let states = naive_states(arch, &[c]);
        let down: Vec<NodeId> = arch
            .node_ids()
            .filter(|&n| n != c && states[n.index()] == State::Down)
            .collect();
        if down.iter().any(|&n| is_target(n)) {
            expected.push((c, states, down));
        }
    }
    prop_assert_eq!(audit.spofs.len(), expected.len());
    for (c, states, down) in &expected {
        let spof = audit
            .spofs
            .iter()
            .find(|s| s.id == *c)
            .expect("SPOF missing");
        let got: HashSet<NodeId> = spof.takes_down.iter().copied().collect();
        prop_assert_eq!(got, down.iter().copied().collect::<HashSet<_>>());
        let degraded: HashSet<NodeId> = arch
            .node_ids()
            .filter(|&n| states[n.index()] == State::Degraded)
            .collect();
        prop_assert_eq!(
            spof.degrades.iter().copied().collect::<HashSet<_>>(),
            degraded
        );
        let users: u64 = down
            .iter()
            .chain(std::iter::once(c))
            .map(|n| arch.node(*n).users())
            .sum();
        prop_assert_eq!(spof.users_affected, users);
        let targets_down: Vec<NodeId> = spof.chains.iter().map(|(t, _)| *t).collect();
        prop_assert_eq!(
            targets_down.len(),
            down.iter().filter(|&&n| is_target(n)).count()
        );
        for (t, chain) in &spof.chains {
            check_chain(arch, states, &[*c], *t, chain);
        }
        // Sorted by id, as the spec asks.
        let names: Vec<&str> = spof.takes_down.iter().map(|n| arch.name_of(*n)).collect();
        let mut sorted = names.clone();
        sorted.sort();
        prop_assert_eq!(names, sorted);
    }
    // Ranked: critical targets, users, nodes down, id.
    for pair in audit.spofs.windows(2) {
        let key = |s: &spof::engine::Spof| {
            (
                std::cmp::Reverse(s.critical_down),
                std::cmp::Reverse(s.users_affected),
                std::cmp::Reverse(s.takes_down.len()),
                arch.name_of(s.id).to_string(),
            )
        };
        prop_assert!(key(&pair[0]) <= key(&pair[1]));
    }
    let progress = engine::Progress::default();
    let (_, taken) =
        engine::rank_keeping_targets(arch, &graph, &TargetSelection::MinTier(tier), &progress);
    prop_assert_eq!(taken.len(), expected.len());
    for (c, targets, users) in taken {
        let (_, _, down) = expected.iter().find(|e| e.0 == c).expect("SPOF missing");
        let mut want: Vec<NodeId> = down.iter().copied().filter(|&n| is_target(n)).collect();
        want.sort_by_key(|&n| {
            (
                std::cmp::Reverse(arch.node(n).tier()),
                arch.name_of(n).to_string(),
            )
        });
        prop_assert_eq!(targets.to_vec(), want, "targets of {}", arch.name_of(c));
        let all: u64 = down
            .iter()
            .chain(std::iter::once(&c))
            .map(|n| arch.node(*n).users())
            .sum();
        prop_assert_eq!(users, all);
    }
    Ok(())
}

/// The verdict on `fix` for SPOF `c` (which takes `targets` down) that the
/// naive fixpoint gives on the model with the fix made, as `check`
/// describes it: the services a fix moves (or the SPOF it replicates) no
/// longer hear from their placement, since the site added is up; every
/// target must survive each scenario the fix is about.
fn naive_verdict(arch: &Architecture, c: NodeId, targets: &[NodeId], fix: &Fix) -> Verified {
    let sites_of = |id: NodeId| match &arch.node(id).detail {
        NodeDetail::Service {
            runs_in: Some(p), ..
        } => p.entries().iter().map(|e| e.site).collect(),
        _ => Vec::new(),
    };
    let (held, scenarios) = match fix {
        Fix::PlaceAlsoIn {
            services,
            site: Some(_),
        } => (services.clone(), vec![c]),
        Fix::ReplicateIn { site: Some(_) } => (vec![c], sites_of(c)),
        Fix::Logical => (Vec::new(), sites_of(c)),
        _ => return Verified::Unchecked,
    };
    let mut edited = arch.clone();
    for s in held {
        if let NodeDetail::Service { runs_in, .. } = &mut edited.nodes[s.index()].detail {
            *runs_in = None;
        }
    }
    let survives = |failed: &NodeId| {
        let states = naive_states(&edited, &[*failed]);
        targets.iter().all(|t| states[t.index()] != State::Down)
    };
    if scenarios.iter().all(survives) {
        Verified::Enough
    } else {
        Verified::NotEnough
    }
}

/// All subsets of `items` with at most `k` members, smallest first.
fn subsets(items: &[NodeId], k: usize) -> Vec<Vec<NodeId>> {
    let mut out = vec![vec![]];
    for &item in items {
        let more: Vec<Vec<NodeId>> = out
            .iter()
            .filter(|s| s.len() < k)
            .map(|s| {
                let mut s = s.clone();
                s.push(item);
                s
            })
            .collect();
        out.extend(more);
    }
    out.retain(|s| !s.is_empty());
    out.sort_by_key(|s| s.len());
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn what_if_matches_the_naive_fixpoint(seed in any::<u64>(), picks in proptest::collection::vec(any::<u16>(), 1..4)) {
        let arch = random_architecture(seed);
        let failed: Vec<NodeId> = picks.iter().map(|p| NodeId((*p as usize % arch.nodes.len()) as u32)).collect();
        let graph = FailureGraph::build(&arch);
        let outcome = engine::what_if(&arch, &graph, &failed);
        let expected = naive_states(&arch, &failed);
        for n in &outcome.nodes {
            prop_assert_eq!(n.state, expected[n.id.index()], "state of {}", arch.name_of(n.id));
            check_chain(&arch, &expected, &failed, n.id, &n.cause);
        }
    }

    #[test]
    fn audit_matches_the_naive_fixpoint(seed in any::<u64>(), min_tier in 0usize..4) {
        let arch = random_architecture(seed);
        let tier = [Tier::Low, Tier::Medium, Tier::High, Tier::Critical][min_tier];
        audit_matches_naive(&arch, tier)?;
    }

    /// Every fix `check` reports has the verdict the naive fixpoint gives
    /// on the model with the fix made (small files: all are checked).
    #[test]
    fn fix_verdicts_match_the_naive_fixpoint(seed in any::<u64>(), min_tier in 0usize..4) {
        let arch = random_architecture(seed);
        let tier = [Tier::Low, Tier::Medium, Tier::High, Tier::Critical][min_tier];
        let graph = FailureGraph::build(&arch);
        let config = spof::load::config::CheckConfig::default();
        let outcome = spof::check::run(&arch, &graph, &["t.yaml"], tier, &config, None);
        // Every rule's findings, by line then rule, as `check` lists them
        // (`run` settles the single points of failure apart and merges).
        let plain = spof::check::check(&arch, &graph, tier);
        let keys = |fs: &[spof::check::Finding]| {
            fs.iter().map(|f| (arch.node(f.node).id_span, f.rule)).collect::<Vec<_>>()
        };
        prop_assert_eq!(keys(&outcome.findings), keys(&plain));
        prop_assert!(keys(&plain).windows(2).all(|w| w[0] <= w[1]), "sorted by line, then rule");
        for f in &outcome.findings {
            let Detail::SinglePoint { targets, fix, verified, .. } = &f.detail else {
                continue;
            };
            let want = naive_verdict(&arch, f.node, &targets.to_vec(), fix);
            prop_assert_eq!(*verified, want, "fix {:?} of {}", fix, arch.name_of(f.node));
        }
    }

    /// Without lists (as human output asks), every count agrees with the
    /// lists, the chains shown are the most important targets (by id
    /// among equals), and each chain is valid.
    #[test]
    fn counted_details_agree_with_the_lists(seed in any::<u64>(), shown in 0usize..4) {
        let arch = random_architecture(seed);
        let graph = FailureGraph::build(&arch);
        let chains = (shown > 0).then_some(shown);
        let (listed, counted) = listed_and_counted(&arch, &graph, chains);
        prop_assert_eq!(listed.len(), counted.len());
        for (full, count) in listed.iter().zip(&counted) {
            prop_assert_eq!(full.id, count.id);
            prop_assert_eq!(full.reach, count.reach);
            prop_assert_eq!(full.reach.down, full.takes_down.len());
            prop_assert_eq!(full.reach.degraded, full.degrades.len());
            prop_assert_eq!(full.reach.targets, full.targets.len());
            prop_assert_eq!(full.users_affected, count.users_affected);
            prop_assert_eq!(full.critical_down, count.critical_down);
            let mut want = full.targets.clone();
            want.sort_by_key(|t| std::cmp::Reverse(arch.node(*t).tier()));
            want.truncate(chains.unwrap_or(usize::MAX));
            let mut got: Vec<NodeId> = count.chains.iter().map(|(t, _)| *t).collect();
            got.sort_by_key(|t| std::cmp::Reverse(arch.node(*t).tier()));
            let tiers = |v: &[NodeId]| v.iter().map(|t| arch.node(*t).tier()).collect::<Vec<_>>();
            prop_assert_eq!(tiers(&got), tiers(&want));
            let mut want_ids = want.clone();
            want_ids.sort();
            let mut got_ids = got.clone();
            got_ids.sort();
            prop_assert_eq!(got_ids, want_ids);
            let states = naive_states(&arch, &[count.id]);
            for (t, chain) in &count.chains {
                check_chain(&arch, &states, &[count.id], *t, chain);
            }
        }
    }

    #[test]
    fn cut_sets_match_brute_force(seed in any::<u64>(), k in 1usize..4) {
        let arch = random_architecture(seed);
        let graph = FailureGraph::build(&arch);
        let candidates: Vec<NodeId> = arch.node_ids().filter(|&c| arch.node(c).is_candidate()).collect();
        let targets: Vec<NodeId> = arch.node_ids().filter(|&t| arch.node(t).tier().is_some()).collect();
        let found = engine::cuts::minimal_cut_sets(&arch, &graph, &targets, k);
        // The audit counts the sets of order 1 (to refuse a search too
        // large before it starts): as many as the search finds.
        let named = engine::TargetSelection::Named(targets.clone());
        let counted = engine::audit::rank(&arch, &graph, &named, &engine::Progress::default()).targets_taken_down;
        let order_one = found.iter().flat_map(|c| c.sets.iter()).filter(|s| s.len() == 1).count();
        prop_assert_eq!(counted, order_one as u64);
        // Every search, per target and shared (pairs from where they
        // meet, or propagated on their base), gives the same sets.
        use engine::cuts::Search;
        for search in [Search::PerTarget, Search::Shared, Search::SharedPropagated] {
            let other = engine::cuts::minimal_cut_sets_searching(&arch, &graph, &targets, k, &engine::Progress::default(), search);
            prop_assert_eq!(&other, &found, "{:?}", search);
        }
        for tc in &found {
            let t = tc.target;
            let pool: Vec<NodeId> = candidates.iter().copied().filter(|&c| c != t).collect();
            let mut minimal: Vec<Vec<NodeId>> = vec![];
            for set in subsets(&pool, k) {
                if minimal.iter().any(|m| m.iter().all(|x| set.contains(x))) {
                    continue;
                }
                if naive_states(&arch, &set)[t.index()] == State::Down {
                    minimal.push(set);
                }
            }
            let norm = |sets: &[Vec<NodeId>]| {
                let mut v: Vec<Vec<String>> = sets.iter().map(|s| {
                    let mut n: Vec<String> = s.iter().map(|x| arch.name_of(*x).to_string()).collect();
                    n.sort();
                    n
                }).collect();
                v.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
                v
            };
            prop_assert_eq!(norm(&tc.sets.to_vecs()), norm(&minimal), "target {}", arch.name_of(t));
            // The engine's own order is the spec's: by size, then ids.
            let own: Vec<Vec<String>> = tc.sets.iter().map(|s| s.iter().map(|x| arch.name_of(*x).to_string()).collect()).collect();
            prop_assert_eq!(own, norm(&tc.sets.to_vecs()));
        }
    }

    #[test]
    fn availability_matches_exhaustive_enumeration(seed in any::<u64>()) {
        let arch = random_architecture(seed);
        let graph = FailureGraph::build(&arch);
        let failable = failable_parts(&arch);
        // All targets at once (which skips the cones no failure reaches)
        // give what each alone gives.
        let targets: Vec<NodeId> = arch.node_ids().filter(|&t| arch.node(t).tier().is_some()).collect();
        let each = engine::availability::availability_of_each(&arch, &graph, &targets, &Default::default());
        for (&t, together) in targets.iter().zip(&each) {
            let got = engine::availability::availability(&arch, &graph, t);
            prop_assert_eq!(&got, together);
            let expected = exhaustive_availability(&arch, &failable, t);
            // The spec asks 1e-9 of an exact answer; the decision diagram
            // is exact to rounding and the walk stops 1e-12 short, so hold
            // both to 1e-12 (3,000 cases passed at 1e-14).
            prop_assert!((got.availability - expected).abs() < 1e-12, "{}: {} vs {}", arch.name_of(t), got.availability, expected);
        }
    }

    #[test]
    fn importance_matches_conditional_enumeration(seed in any::<u64>()) {
        let arch = random_architecture(seed);
        let graph = FailureGraph::build(&arch);
        let failable: Vec<(NodeId, f64)> = arch
            .node_ids()
            .filter(|&c| arch.node(c).is_candidate())
            .filter_map(|c| arch.node(c).availability.get().filter(|a| *a < 1.0).map(|a| (c, a)))
            .collect();
        // P(target up) with `fixed` forced up (false) or down (true).
        let p_up = |t: NodeId, fixed: Option<(NodeId, bool)>| {
            let free: Vec<(NodeId, f64)> = failable.iter().copied().filter(|(id, _)| Some(*id) != fixed.map(|f| f.0)).collect();
            let mut total = 0.0;
            for mask in 0u32..(1 << free.len()) {
                let mut p = 1.0;
                let mut failed: Vec<NodeId> = fixed.filter(|f| f.1).map(|f| f.0).into_iter().collect();
                for (i, &(id, a)) in free.iter().enumerate() {
                    if mask & (1 << i) != 0 { p *= 1.0 - a; failed.push(id); } else { p *= a; }
                }
                if naive_states(&arch, &failed)[t.index()] != State::Down {
                    total += p;
                }
            }
            total
        };
        for t in arch.node_ids().filter(|&t| arch.node(t).tier().is_some()).take(3) {
            let Some(list) = engine::availability::importance(&arch, &graph, t) else { continue };
            for imp in list {
                let expected = p_up(t, Some((imp.part, false))) - p_up(t, Some((imp.part, true)));
                prop_assert!((imp.birnbaum - expected).abs() < 1e-9, "{} on {}: {} vs {}", arch.name_of(imp.part), arch.name_of(t), imp.birnbaum, expected);
            }
        }
    }
}

proptest! {
    // Each case samples 200,000 times per target: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Monte Carlo over shared samples: each target's estimate is the same
    /// alone as with every other target (its count depends on its cone
    /// only), and close to the exhaustive truth (the tolerance is about
    /// nine standard deviations of 200,000 samples).
    #[test]
    fn monte_carlo_is_the_same_alone_and_close_to_the_truth(seed in any::<u64>()) {
        let arch = random_architecture(seed);
        let graph = FailureGraph::build(&arch);
        let failable = failable_parts(&arch);
        let targets: Vec<NodeId> = arch.node_ids().filter(|&t| arch.node(t).tier().is_some()).collect();
        let progress = Default::default();
        let together = engine::availability::monte_carlo_of_each(&arch, &graph, &targets, &progress);
        let exact = engine::availability::availability_of_each(&arch, &graph, &targets, &progress);
        for ((&t, mc), exact) in targets.iter().zip(&together).zip(&exact) {
            let alone = engine::availability::monte_carlo_of_each(&arch, &graph, &[t], &progress);
            prop_assert_eq!(&alone[0], mc);
            prop_assert_eq!(mc.parts, exact.parts);
            let engine::availability::Method::MonteCarlo { ci95, .. } = mc.method else {
                panic!("not sampled");
            };
            prop_assert!(ci95.0 <= mc.availability && mc.availability <= ci95.1);
            let expected = exhaustive_availability(&arch, &failable, t);
            prop_assert!((mc.availability - expected).abs() < 0.01, "{}: {} vs {}", arch.name_of(t), mc.availability, expected);
        }
    }
}

/// A random valid architecture around a large cycle: a ring of 64 to 95
/// services, each needing the next hard (so any of them failing takes the
/// whole ring down), with random chords across it (hard, soft, `any_of`),
/// services outside that need ring members or each other, and services
/// upstream that ring members need (hard or soft) and that need each
/// other (so some failures take the ring down, some only degrade it, some
/// neither), and satellites that need any of two members and that a
/// member needs (outside the ring's hard cycle, they fail together with
/// it). Sites hold some of them. Large enough that the engine crosses
/// the ring along its own search inside it (a "large hard component").
fn ring_architecture(seed: u64) -> Architecture {
    let mut rng = Rng(seed | 1);
    let sites = 2;
    let ring = 64 + rng.below(32);
    let outside = 5 + rng.below(20);
    // Sometimes enough upstream services for whole batches of failures
    // that take the ring down (64 lanes), which start from its states.
    let upstream = if rng.chance(50) {
        rng.below(12)
    } else {
        64 + rng.below(96)
    };
    let satellites = rng.below(4);
    // The member that needs each satellite.
    let needs_satellite: Vec<usize> = (0..satellites).map(|_| rng.below(ring)).collect();
    let mut arch = Architecture::default();
    for i in 0..sites {
        arch.nodes.push(node(
            format!("site{i}"),
            NodeDetail::Site {
                kind: SiteKind::Datacenter,
                within: None,
                operator: None,
            },
        ));
    }
    let on = |target: usize, mode| Dependency::On {
        target: NodeId(target as u32),
        mode,
    };
    let soft_or_hard = |rng: &mut Rng| {
        if rng.chance(50) {
            Mode::Soft
        } else {
            Mode::Hard
        }
    };
    for s in 0..ring + outside + upstream + satellites {
        let i = sites + s;
        let mut deps = vec![];
        if s >= ring + outside + upstream {
            let (a, b) = (rng.below(ring), rng.below(ring));
            let members = vec![NodeId((sites + a) as u32), NodeId((sites + b) as u32)];
            deps.push(any_of(&mut arch.groups, members, 1, Mode::Hard));
        } else if s >= ring + outside {
            // Upstream: on the upstream services before it.
            let before = s - ring - outside;
            let mut chosen = vec![];
            for _ in 0..rng.below(3).min(before) {
                let t = sites + ring + outside + rng.below(before);
                if !chosen.contains(&t) {
                    chosen.push(t);
                    let mode = soft_or_hard(&mut rng);
                    deps.push(on(t, mode));
                }
            }
        } else if s < ring {
            deps.push(on(sites + (s + 1) % ring, Mode::Hard));
            for (k, _) in needs_satellite.iter().enumerate().filter(|&(_, &m)| m == s) {
                deps.push(on(sites + ring + outside + upstream + k, Mode::Hard));
            }
            if upstream > 0 && rng.chance(20) {
                let t = sites + ring + outside + rng.below(upstream);
                let mode = soft_or_hard(&mut rng);
                deps.push(on(t, mode));
            }
            if rng.chance(30) {
                let chord = sites + rng.below(ring);
                if chord != i {
                    let mode = if rng.chance(30) {
                        Mode::Soft
                    } else {
                        Mode::Hard
                    };
                    deps.push(on(chord, mode));
                }
            }
        } else {
            for _ in 0..1 + rng.below(3) {
                let t = sites + rng.below(s);
                if rng.chance(20) {
                    let other = sites + rng.below(s);
                    let members = vec![NodeId(t as u32), NodeId(other as u32)];
                    deps.push(any_of(&mut arch.groups, members, 1, Mode::Hard));
                } else {
                    let mode = if rng.chance(20) {
                        Mode::Soft
                    } else {
                        Mode::Hard
                    };
                    deps.push(on(t, mode));
                }
            }
        }
        let runs_in = rng
            .chance(30)
            .then(|| Placement::one(NodeId(rng.below(sites) as u32)));
        let tier = [Tier::Low, Tier::Medium, Tier::High, Tier::Critical][rng.below(4)];
        let mut n = node(
            format!("s{s}"),
            NodeDetail::Service {
                tier,
                users: rng.below(1000) as u64,
                logical: false,
                external: false,
                runs_in,
            },
        );
        n.depends_on = DependsOn::push(&mut arch.dependencies, deps);
        arch.nodes.push(n);
    }
    arch.reindex();
    arch
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Failures inside a large cycle: every chain, listed or shown, is a
    /// path of direct requirements, none up, from the target to the
    /// failure, and the counts agree with the naive fixpoint.
    #[test]
    fn chains_cross_large_cycles(seed in any::<u64>(), shown in 1usize..4) {
        let arch = ring_architecture(seed);
        // Its members share one lane (`engine/sharing.rs`).
        audit_matches_naive(&arch, [Tier::Low, Tier::Medium, Tier::High][shown - 1])?;
        let graph = FailureGraph::build(&arch);
        let (listed, counted) = listed_and_counted(&arch, &graph, Some(shown));
        prop_assert_eq!(listed.len(), counted.len());
        for (full, count) in listed.iter().zip(&counted) {
            let states = naive_states(&arch, &[full.id]);
            let down = arch.node_ids().filter(|&n| n != full.id && states[n.index()] == State::Down);
            prop_assert_eq!(full.takes_down.len(), down.count());
            prop_assert_eq!(full.reach, count.reach);
            prop_assert_eq!(count.chains.len(), shown.min(full.targets.len()));
            for (t, chain) in full.chains.iter().chain(&count.chains) {
                check_chain(&arch, &states, &[full.id], *t, chain);
            }
        }
    }

    /// Human output folds SPOFs that fail together into the first of
    /// them: each folded SPOF takes down, with itself, exactly what its
    /// head does with itself, and ranks alike; the head is described as
    /// it is unfolded and names exactly those folded into it; and the
    /// members of the ring do fold.
    #[test]
    fn large_cycles_fold_what_fails_together(seed in any::<u64>(), shown in 1usize..4) {
        let arch = ring_architecture(seed);
        let graph = FailureGraph::build(&arch);
        let (listed, counted) = listed_and_counted(&arch, &graph, Some(shown));
        let folded = folded(&arch, &graph, Some(shown));
        let ids = |spofs: &[engine::Spof]| spofs.iter().map(|s| s.id).collect::<Vec<_>>();
        prop_assert_eq!(ids(&folded), ids(&listed));
        let with_itself = |s: &engine::Spof| {
            let mut all = s.takes_down.clone();
            all.push(s.id);
            all.sort();
            all
        };
        let at = |id: NodeId| listed.iter().position(|s| s.id == id);
        let mut into: BTreeMap<NodeId, Vec<NodeId>> = BTreeMap::new();
        for (i, spof) in folded.iter().enumerate() {
            match &spof.fold {
                engine::Fold::Into(head) => {
                    let h = at(*head).expect("the head is a SPOF");
                    prop_assert!(h < i, "the head ranks first");
                    prop_assert_eq!(with_itself(&listed[h]), with_itself(&listed[i]));
                    let key = |s: &engine::Spof| (s.critical_down, s.users_affected, s.takes_down.len());
                    prop_assert_eq!(key(&listed[h]), key(&listed[i]));
                    into.entry(*head).or_default().push(spof.id);
                }
                fold => {
                    let mut unfolded = spof.clone();
                    unfolded.fold = engine::Fold::Alone;
                    prop_assert_eq!(&unfolded, &counted[i]);
                    if let engine::Fold::Head(others) = fold {
                        let mut by_id = others.clone();
                        by_id.sort_by(|a, b| arch.name_of(*a).cmp(arch.name_of(*b)));
                        prop_assert_eq!(&by_id, others);
                    }
                }
            }
        }
        for spof in &folded {
            let others = match &spof.fold {
                engine::Fold::Head(others) => others.clone(),
                _ => Vec::new(),
            };
            let mut expected = into.remove(&spof.id).unwrap_or_default();
            expected.sort_by(|a, b| arch.name_of(*a).cmp(arch.name_of(*b)));
            prop_assert_eq!(others, expected);
        }
        // Every member of the ring takes down the ring, so at most two
        // (one per count of critical targets among them) head it.
        prop_assert!(folded.iter().filter(|s| matches!(s.fold, engine::Fold::Into(_))).count() > 0);
    }
}

/// The SPOFs as human output gets them, folded ([`engine::Fold`]), from
/// the ranking's own pass; described after the ranking instead, they must
/// be the same.
fn folded(arch: &Architecture, graph: &FailureGraph, chains: Option<usize>) -> Vec<engine::Spof> {
    let targets = TargetSelection::MinTier(Tier::Medium);
    let progress = engine::Progress::default();
    let shown = engine::Shown {
        chains,
        lists: false,
        fold: true,
    };
    let ranking = engine::rank(arch, graph, &targets, &progress);
    let after: Vec<engine::Spof> = ranking.details_showing(arch, graph, shown).collect();
    let (again, described) = engine::rank_showing(arch, graph, &targets, &progress, shown);
    let folded: Vec<engine::Spof> = again.details_described(arch, graph, described).collect();
    assert_eq!(after, folded, "folded in the ranking's pass or after it");
    folded
}
