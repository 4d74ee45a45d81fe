//! Fixes for single points of failure: a concrete edit of the model,
//! computed from the graph, then checked by running the engine on the model
//! with the edit made.
//!
//! - A **site** `c`: the services whose placement `c` takes down also run in
//!   a site `c` does not take down (a sibling of their site where there is
//!   one). Checked: with that, does every target survive `{c}`?
//! - A **service placed in several sites**: it is a SPOF only because it can
//!   fail as one deployable (§8). If only its places can take it down, it is
//!   `logical: true`. Checked: does every target survive the loss of each of
//!   its sites alone? The graph stays as it is, so the audit's own answer
//!   for each site is read (`SiteLosses`), not propagated again.
//! - A **service in one site**: run it in a second site as well, as
//!   replicas that fail only with their places (`logical: true`). Checked:
//!   with that, does every target survive the loss of its first site?
//! - An **external service**: not yours to move; what needs it needs an
//!   alternative or a fallback (nothing to check: the alternative is yours
//!   to name).
//!
//! A fix never moves services into a site where only other organisations'
//! services run, nor moves an external service.
//!
//! Checking another edit runs each scenario on the graph as it is, in a
//! lane of the audit's `Lanes` with the moved services' placement edges
//! left out (see `verify_round`), 64 scenarios to a pass. Work budgets
//! (gates the passes touched, and targets looked up for `logical: true`;
//! not time, so that output is the same on every machine) bound the
//! total; findings past them keep an unchecked fix, and the check's
//! outcome counts how many were checked.

use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Mutex;

use crate::engine::bits::lanes_of;
use crate::engine::fnv::Fnv;
use crate::engine::graph::GateId;
use crate::engine::lanes::{Lanes, Layout};
use crate::engine::{parallel, Progress};
use crate::engine::{FailureGraph, Scratch, State, Targets};
use crate::model::{Architecture, Dependency, Mode, NodeDetail, NodeId, NodeKind, SiteKind};

use super::{Fix, Verified};

/// Gates the checks' passes may touch in all, each fix charged its share
/// of its passes: enough for every fix of a file of a few thousand nodes.
/// A count, not time, so that output
/// is the same on every machine; and not a share of the audit's own work,
/// so that it stays the same when the audit finds the same answer with
/// less work.
const BUDGET: usize = 2_000_000;

/// Targets the `logical: true` verdicts may look up in all (see
/// [`SiteLosses`]): a lookup costs far less than a gate's propagation, so
/// these have a budget of their own, and a file whose propagations spent
/// theirs still gets these verdicts.
const LOOKUPS: usize = 2_000_000;

/// The targets of a fix's service [`SiteLosses::shares_fate`] looks for
/// among another's: enough for most (a service that fails with another
/// takes down what it does), and a bound on each look.
const SURE_LOOKS: usize = 16;

/// Counts checks against the budget.
pub(super) struct Checker {
    /// One scratch for every scenario, reset after each (in time
    /// proportional to what the scenario touched).
    scratch: Option<Scratch>,
    /// Every site a fix may use (not another organisation's).
    sites: SiteIndex,
    /// The alternative found for each site a single-site service runs in.
    alternatives: HashMap<NodeId, Option<NodeId>>,
    /// Gates the propagations may still take down.
    left: usize,
    /// Targets the `logical: true` verdicts may still look up.
    lookups_left: usize,
    /// Fixes checked by the engine.
    pub(super) checked: usize,
    /// Fixes that could have been checked.
    pub(super) checkable: usize,
}

impl Checker {
    /// A checker within [`BUDGET`] and [`LOOKUPS`].
    pub(super) fn new(arch: &Architecture) -> Self {
        Self::with_budget(arch, (BUDGET, LOOKUPS))
    }

    /// A checker whose propagations may take `budget` gates down in all,
    /// and whose `logical: true` verdicts may look up `lookups` targets.
    pub(super) fn with_budget(arch: &Architecture, (budget, lookups): (usize, usize)) -> Self {
        let sites: Vec<NodeId> = arch
            .node_ids()
            .filter(|&id| arch.node(id).kind() == NodeKind::Site)
            .collect();
        let parents: std::collections::HashSet<NodeId> =
            sites.iter().filter_map(|&id| within(arch, id)).collect();
        // A site where only other organisations' services run is theirs:
        // no fix moves your services into it.
        let mut ours = std::collections::HashSet::new();
        let mut theirs = std::collections::HashSet::new();
        for id in arch.node_ids() {
            if let NodeDetail::Service {
                runs_in: Some(p),
                external,
                ..
            } = &arch.node(id).detail
            {
                let set = if *external { &mut theirs } else { &mut ours };
                set.extend(p.entries().iter().map(|e| e.site));
            }
        }
        let sites: Vec<NodeId> = sites
            .into_iter()
            .filter(|s| ours.contains(s) || !theirs.contains(s))
            .collect();
        Checker {
            scratch: None,
            sites: SiteIndex::new(arch, sites, &parents),
            alternatives: HashMap::new(),
            left: budget,
            lookups_left: lookups,
            checked: 0,
            checkable: 0,
        }
    }

    /// What the engine says about each of `fixes` (SPOF, the targets it
    /// takes down, its fix), in order: `Unchecked` for a fix with nothing
    /// to run (no alternative site), and once the work budget is spent.
    ///
    /// Fixes are taken by how far their check goes (a replica elsewhere
    /// goes as far as its site's loss, [`SiteLosses::reach`]; a site's
    /// fix holds all the site takes down), then site by site
    /// ([`first_failed`]), then in their order: the checks that fail one
    /// site share its rounds and batches, and those that reach the whole
    /// file come last, together (on 100,000 `hub` services, 49,230 fixes
    /// checked within the budget, against 41,582 site by site alone).
    /// Taken in their order instead, every round held some services of
    /// each site, and a site whose loss reaches the whole file
    /// was propagated once a round (on 100,000 `anyof` services, 5.2
    /// million evaluations checked 3,069 of 3,492 fixes; site by site, 2.0
    /// million check them all).
    ///
    /// Fixes that need a propagation are checked in rounds ([`ROUNDS`]), 64
    /// scenarios to a pass of the lanes (`layout` is the audit's), then
    /// taken in that order while the budget lasts (what was checked past
    /// it is dropped); `logical: true` fixes are judged in that walk from
    /// what the audit found each site takes down (`losses`), and so are
    /// replicas that surely fail ([`SiteLosses::shares_fate`], a gate of
    /// the budget each). A verdict does
    /// not depend on the others, and the rounds and batches do not depend
    /// on the threads, so the result is the same whatever the threads.
    /// Verdicts come back in the order of `fixes`.
    pub(super) fn verify_all(
        &mut self,
        (arch, graph, layout): (&Architecture, &FailureGraph, &Layout),
        fixes: &[(NodeId, &Targets, &Fix)],
        losses: &mut SiteLosses<'_>,
    ) -> Vec<Verified> {
        losses.find_residents(arch);
        let mut order: Vec<usize> = (0..fixes.len()).collect();
        order.sort_by_cached_key(|&i| {
            let (c, _, fix) = fixes[i];
            let site = first_failed(arch, c, fix);
            // A replica elsewhere holds one service, and its check goes as
            // far as its site's loss; a site's fix holds all it takes down.
            let far = match fix {
                Fix::ReplicateIn { .. } => losses.reach(site),
                _ => 0,
            };
            (far, site, i)
        });
        let by_site: Vec<_> = order.iter().map(|&i| fixes[i]).collect();
        let mut verdicts = vec![Verified::Unchecked; fixes.len()];
        for (i, v) in order
            .into_iter()
            .zip(self.verify_in_order(arch, graph, layout, &by_site, losses))
        {
            verdicts[i] = v;
        }
        verdicts
    }

    /// [`Checker::verify_all`] with the fixes taken in their order.
    fn verify_in_order(
        &mut self,
        arch: &Architecture,
        graph: &FailureGraph,
        layout: &Layout,
        fixes: &[(NodeId, &Targets, &Fix)],
        losses: &mut SiteLosses<'_>,
    ) -> Vec<Verified> {
        let pool = Mutex::new(Vec::new());
        let mut out = Vec::with_capacity(fixes.len());
        let mut rest = fixes;
        let mut round = ROUNDS.0;
        while !rest.is_empty() {
            let chunk = next_round(rest, round);
            rest = &rest[chunk.len()..];
            // Checks that surely fail are judged without a propagation.
            let budget = &mut self.lookups_left;
            let sure: Vec<bool> = (chunk.iter())
                .map(|&f| losses.shares_fate(arch, f, budget))
                .collect();
            let propagated: Vec<_> = (chunk.iter().zip(&sure))
                .filter(|&(f, &sure)| propagates(f.2) && !sure)
                .map(|(f, _)| f)
                .collect();
            let mut verdicts = if self.left == 0 {
                Vec::new()
            } else {
                verify_round(arch, graph, layout, &propagated, &pool)
            }
            .into_iter();
            let mut charged = (0, 0);
            for (&(c, targets, fix), &sure) in chunk.iter().zip(&sure) {
                if !checkable(fix) {
                    out.push(Verified::Unchecked);
                    continue;
                }
                self.checkable += 1;
                let found = if *fix == Fix::Logical {
                    let left = &mut self.lookups_left;
                    (*left > 0).then(|| spend(left, losses.verdict(arch, c, targets)))
                } else if sure {
                    // Charged a gate, so that it is taken while the budget lasts.
                    (self.left > 0).then(|| spend(&mut self.left, (Verified::NotEnough, 1)))
                } else {
                    // Taken for every such fix, to stay in step with them.
                    let found = verdicts.next();
                    let found = found.filter(|_| self.left > 0);
                    charged.0 += found.map_or(0, |f| f.1);
                    charged.1 += usize::from(found.is_some());
                    found.map(|f| spend(&mut self.left, f))
                };
                self.checked += usize::from(found.is_some());
                out.push(found.unwrap_or(Verified::Unchecked));
            }
            round = next_round_size(round, charged, self.left);
        }
        out
    }
}

/// The node whose loss a check of `fix` (for `c`) fails first: the
/// service's first site for a replica elsewhere, `c` itself otherwise.
fn first_failed(arch: &Architecture, c: NodeId, fix: &Fix) -> NodeId {
    match fix {
        Fix::ReplicateIn { .. } => sites_of(arch, c).first().copied().unwrap_or(c),
        _ => c,
    }
}

/// `verdict`, its work taken from the budget `left`.
fn spend(left: &mut usize, (verdict, work): (Verified, usize)) -> Verified {
    *left = left.saturating_sub(work);
    verdict
}

/// The fixes from the start of `fixes` up to and with the `round`th that
/// needs a propagation (all of them if fewer do).
fn next_round<'f, 'a>(
    fixes: &'f [(NodeId, &'a Targets, &'a Fix)],
    round: usize,
) -> &'f [(NodeId, &'a Targets, &'a Fix)] {
    let mut seen = 0;
    let end = fixes
        .iter()
        .position(|f| {
            seen += usize::from(propagates(f.2));
            seen == round
        })
        .map_or(fixes.len(), |i| i + 1);
    &fixes[..end]
}

/// Whether the engine can check `fix`: not without an alternative site,
/// nor for an `any_of` to add.
fn checkable(fix: &Fix) -> bool {
    match fix {
        Fix::PlaceAlsoIn { site, .. } | Fix::ReplicateIn { site } => site.is_some(),
        Fix::Logical => true,
        Fix::Alternative => false,
    }
}

/// Whether checking `fix` takes a propagation of its own (see
/// [`Checker::verify_all`]).
fn propagates(fix: &Fix) -> bool {
    checkable(fix) && *fix != Fix::Logical
}

/// What each single point of failure takes down among the targets, as the
/// audit found it: a `logical: true` fix leaves the graph as it is, so its
/// verdict is whether any of its sites alone takes one of its targets
/// down, which the audit has already propagated (each candidate once, for
/// every rule); and a replica elsewhere surely fails where a service beside
/// it takes one of its targets down ([`SiteLosses::shares_fate`]).
pub(super) struct SiteLosses<'a> {
    /// The targets each single point of failure takes down; a node not
    /// here takes none down.
    audited: HashMap<NodeId, &'a Targets>,
    /// Each list made fast to look in, when first looked in. By list, not
    /// by site: sites that fail together share one list, and a file of
    /// many such sites would otherwise copy it once per site. A site's
    /// targets added to a shared list (see [`Targets`]) are a list of
    /// their own.
    lists: HashMap<*const NodeId, Membership>,
    /// For each site, the two single points of failure placed in it
    /// alone that take the most targets down, most first (see
    /// [`SiteLosses::shares_fate`]); none where a site needs a service.
    residents: HashMap<NodeId, Residents<'a>>,
}

/// A site's two largest single points of failure placed in it alone.
type Residents<'a> = [Option<(NodeId, &'a Targets)>; 2];

/// A list of nodes made fast to look in: a bitset over the file's nodes
/// where that is no larger than the list (a site that takes much down),
/// else the list sorted. So its memory is at most the list's.
enum Membership {
    Bits(Vec<u64>),
    Sorted(Vec<NodeId>),
}

impl Membership {
    fn new(list: impl ExactSizeIterator<Item = NodeId>, nodes: usize) -> Self {
        if list.len().saturating_mul(32) < nodes {
            let mut sorted: Vec<NodeId> = list.collect();
            sorted.sort_unstable();
            return Membership::Sorted(sorted);
        }
        let mut bits = vec![0u64; nodes.div_ceil(64)];
        for n in list {
            if let Some(w) = bits.get_mut(n.index() / 64) {
                *w |= 1 << (n.index() % 64);
            }
        }
        Membership::Bits(bits)
    }

    fn contains(&self, n: NodeId) -> bool {
        match self {
            Membership::Bits(bits) => bits
                .get(n.index() / 64)
                .is_some_and(|w| w & (1 << (n.index() % 64)) != 0),
            Membership::Sorted(list) => list.binary_search(&n).is_ok(),
        }
    }
}

impl<'a> SiteLosses<'a> {
    /// The sites' losses, from the audit's single points of failure.
    pub(super) fn new(audited: impl Iterator<Item = (NodeId, &'a Targets)>) -> Self {
        SiteLosses {
            audited: audited.collect(),
            lists: HashMap::new(),
            residents: HashMap::new(),
        }
    }

    /// Finds each site's [`Residents`] among the single points of failure,
    /// unless a site needs a service: then a service's failure can take a
    /// site down, and with it a replica held elsewhere, and
    /// [`SiteLosses::shares_fate`] would not hold. O(SPOFs + sites'
    /// dependencies).
    fn find_residents(&mut self, arch: &Architecture) {
        self.residents.clear();
        let needs_service = |d: &Dependency| match d {
            Dependency::On { target, .. } => arch.node(*target).kind() != NodeKind::Site,
            Dependency::AnyOf(g) => {
                (arch.group(*g).members.iter()).any(|&m| arch.node(m).kind() != NodeKind::Site)
            }
        };
        let sites_need_services = arch.node_ids().any(|id| {
            let node = arch.node(id);
            node.kind() == NodeKind::Site && arch.depends_on(node).iter().any(needs_service)
        });
        if sites_need_services {
            return;
        }
        for (&c, &targets) in &self.audited {
            let Some(site) = only_site(arch, c) else {
                continue;
            };
            // Most targets first, then lowest id: the same whatever the
            // map's order.
            type Resident<'t> = Option<(NodeId, &'t Targets)>;
            let key = |r: Resident<'_>| r.map(|(id, t)| (Reverse(t.len()), id));
            let before = |a: Resident<'_>, b: Resident<'_>| b.is_none() || key(a) < key(b);
            let top = self.residents.entry(site).or_default();
            let me = Some((c, targets));
            if before(me, top[0]) {
                *top = [me, top[0]];
            } else if before(me, top[1]) {
                top[1] = me;
            }
        }
    }

    /// Whether the check of a replica elsewhere for service `c`, which
    /// takes `targets` down, surely fails without a propagation: `c` needs
    /// its one site alone, and another single point of failure placed only
    /// in that site goes down with it (holding `c` does not hold it), and
    /// takes one of `c`'s targets down. What a failure takes down, the loss of anything that
    /// takes that failure down takes down too (no site needs a service,
    /// so that failure does not take the site, and `c`'s held placement,
    /// down). Both lists are one shared list of at least three (a target
    /// beyond the two of them), or one of `c`'s first [`SURE_LOOKS`]
    /// targets is among the other's, whose list is made fast to look in
    /// once, its length taken from `budget` (on 100,000 `anyof` services,
    /// the checks of the services beside the one whose loss reaches the
    /// whole file, each a propagation of all of it).
    ///
    /// Cost: O(1) for a shared list, else O([`SURE_LOOKS`] · log), plus
    /// each of the site's two lists made fast once.
    fn shares_fate(
        &mut self,
        arch: &Architecture,
        (c, targets, fix): (NodeId, &Targets, &Fix),
        budget: &mut usize,
    ) -> bool {
        if !matches!(fix, Fix::ReplicateIn { site: Some(_) }) {
            return false;
        }
        let Some(site) = only_site(arch, c) else {
            return false;
        };
        // An entry that needs more than its site (a standby's tooling) can
        // go down with the other failure, and `c` with it, where the held
        // replica keeps `c` up.
        if !needs_only_its_site(arch, c) {
            return false;
        }
        let Some(&top) = self.residents.get(&site) else {
            return false;
        };
        let mine = targets.parts().0;
        for (other, theirs) in top.into_iter().flatten().filter(|r| r.0 != c) {
            let (list, adds) = theirs.parts();
            if std::sync::Arc::ptr_eq(list, mine) && mine.len() >= 3 {
                return true;
            }
            let own = adds.iter().map(|&(_, t)| t);
            let parts = [
                (list.as_ptr(), list.len()),
                (adds.as_ptr().cast::<NodeId>(), adds.len()),
            ];
            let nodes = arch.nodes.len();
            for (i, (key, len)) in parts.into_iter().enumerate().filter(|p| p.1 .1 > 0) {
                if let Entry::Vacant(slot) = self.lists.entry(key) {
                    if *budget < len {
                        return false;
                    }
                    *budget -= len;
                    slot.insert(if i == 0 {
                        Membership::new(list.iter().copied(), nodes)
                    } else {
                        Membership::new(own.clone(), nodes)
                    });
                }
            }
            let [a, b] = parts.map(|(key, len)| self.lists.get(&key).filter(|_| len > 0));
            let theirs =
                |t: NodeId| t != other && [a, b].into_iter().flatten().any(|m| m.contains(t));
            *budget = budget.saturating_sub(SURE_LOOKS);
            if targets.iter().take(SURE_LOOKS).any(theirs) {
                return true;
            }
        }
        false
    }

    /// How many targets the loss of `site` takes down (0 for a site that
    /// is no single point of failure): how far a check that fails it
    /// propagates, roughly.
    fn reach(&self, site: NodeId) -> usize {
        self.audited.get(&site).map_or(0, |t| t.len())
    }

    /// The verdict on `logical: true` for SPOF `c` that takes `targets`
    /// down, and the work it took: the targets looked up (at least one
    /// per site), counted against [`LOOKUPS`].
    ///
    /// Cost: O(Σ over `c`'s sites of the targets looked up), plus making
    /// each site's list fast to look in once (O(its length), or its length
    /// · log if short).
    fn verdict(&mut self, arch: &Architecture, c: NodeId, targets: &Targets) -> (Verified, usize) {
        let mut work = 0usize;
        for s in sites_of(arch, c) {
            let Some(down) = self.audited.get(&s) else {
                work = work.saturating_add(1);
                continue;
            };
            let (shared, adds) = down.parts();
            let nodes = arch.nodes.len();
            let lists = &mut self.lists;
            lists
                .entry(shared.as_ptr())
                .or_insert_with(|| Membership::new(shared.iter().copied(), nodes));
            if !adds.is_empty() {
                let own = adds.iter().map(|&(_, t)| t);
                let key = adds.as_ptr().cast::<NodeId>();
                lists
                    .entry(key)
                    .or_insert_with(|| Membership::new(own, nodes));
            }
            let (list, own) = (
                lists.get(&shared.as_ptr()),
                lists.get(&adds.as_ptr().cast()),
            );
            let held = |t| [list, own].into_iter().flatten().any(|m| m.contains(t));
            // A shared list may hold the site itself, left out of its own.
            let mut looked = 0usize;
            let hit = targets.iter().any(|t| {
                looked += 1;
                t != s && held(t)
            });
            work = work.saturating_add(looked.max(1));
            if hit {
                return (Verified::NotEnough, work);
            }
        }
        (Verified::Enough, work)
    }
}

impl Checker {
    /// [`Checker::plan`] for each site failed in the batch `lanes` holds,
    /// read from its lane instead of a propagation of its own: the check
    /// fails every candidate once, and sites with it.
    pub(super) fn plan_sites(
        &self,
        arch: &Architecture,
        graph: &FailureGraph,
        lanes: &Lanes,
    ) -> Vec<(NodeId, Fix)> {
        let batch = lanes.batch();
        let sites = (0..batch.len())
            .filter(|&lane| arch.node(batch[lane]).kind() == NodeKind::Site)
            .fold(0u64, |word, lane| word | 1 << lane);
        if sites == 0 {
            return Vec::new();
        }
        // One pass over what the batch reached hands each service to the
        // site lanes it is down in: a service placed down is down itself.
        let mut placed: Vec<Vec<NodeId>> = vec![Vec::new(); batch.len()];
        for &g in lanes.touched() {
            let in_lanes = lanes.down(g) & sites;
            let Some(id) = graph.node_of(g).filter(|_| in_lanes != 0) else {
                continue;
            };
            let placed_in = placement_down_in(arch, id, in_lanes, |site| lanes.down(site.into()));
            for lane in lanes_of(placed_in) {
                placed[lane].push(id);
            }
        }
        let mut plans = Vec::new();
        for (lane, mut services) in placed.into_iter().enumerate() {
            if sites >> lane & 1 == 0 {
                continue;
            }
            let (c, bit) = (batch[lane], 1u64 << lane);
            let down = |id: NodeId| lanes.down(id.into()) & bit != 0;
            services.sort_unstable();
            let near = services
                .first()
                .map_or_else(|| vec![c], |&s| sites_of(arch, s));
            let site = self.sites.alternative(arch, &near, |id| !down(id));
            plans.push((c, Fix::PlaceAlsoIn { services, site }));
        }
        plans
    }

    /// The edit that removes SPOF `c`, from its kind and placement. A
    /// site's scenario is propagated (sites are few); a service's
    /// alternative site is found by containment alone, once per site.
    pub(super) fn plan(&mut self, arch: &Architecture, graph: &FailureGraph, c: NodeId) -> Fix {
        if arch.node(c).kind() == NodeKind::Site {
            let scratch = self.scratch.get_or_insert_with(|| Scratch::new(graph));
            // Only what goes down decides the plan: no degraded wave.
            scratch.propagate_down(graph, &[c]);
            let changed = scratch.changed.iter().filter_map(|&g| graph.node_of(g));
            let services = placed_down(arch, changed, |id| scratch.state(id.into()) == State::Down);
            let near = services
                .first()
                .map_or_else(|| vec![c], |&s| sites_of(arch, s));
            let site = self
                .sites
                .alternative(arch, &near, |id| scratch.state(id.into()) != State::Down);
            scratch.reset(graph);
            return Fix::PlaceAlsoIn { services, site };
        }
        if matches!(
            arch.node(c).detail,
            NodeDetail::Service { external: true, .. }
        ) {
            return Fix::Alternative;
        }
        let sites = sites_of(arch, c);
        if sites.len() > 1 {
            return Fix::Logical;
        }
        let Some(&first) = sites.first() else {
            return Fix::ReplicateIn { site: None };
        };
        let sites = &self.sites;
        let site = *self.alternatives.entry(first).or_insert_with(|| {
            sites.alternative(arch, &[first], |id| {
                !contains(arch, first, id) && !contains(arch, id, first)
            })
        });
        Fix::ReplicateIn { site }
    }
}

/// The site a site is `within`.
fn within(arch: &Architecture, id: NodeId) -> Option<NodeId> {
    match &arch.node(id).detail {
        NodeDetail::Site { within, .. } => *within,
        _ => None,
    }
}

/// Whether site `outer` is `inner` or contains it through `within`.
fn contains(arch: &Architecture, outer: NodeId, inner: NodeId) -> bool {
    let mut at = Some(inner);
    // A containment chain is a tree (§3), so no longer than the sites.
    for _ in 0..=arch.nodes.len() {
        match at {
            Some(s) if s == outer => return true,
            Some(s) => at = within(arch, s),
            None => return false,
        }
    }
    false
}

/// The one site a service's placement names, if it names one. Without
/// the list [`sites_of`] allocates: asked of every single point of
/// failure.
fn only_site(arch: &Architecture, id: NodeId) -> Option<NodeId> {
    match &arch.node(id).detail {
        NodeDetail::Service {
            runs_in: Some(p), ..
        } => match p.entries() {
            [only] => Some(only.site),
            _ => None,
        },
        _ => None,
    }
}

/// Whether every entry of a service's placement needs its site alone.
fn needs_only_its_site(arch: &Architecture, id: NodeId) -> bool {
    match &arch.node(id).detail {
        NodeDetail::Service {
            runs_in: Some(p), ..
        } => p.entries().iter().all(|e| e.requires.is_empty()),
        _ => true,
    }
}

/// The sites a service's placement names, in file order.
fn sites_of(arch: &Architecture, id: NodeId) -> Vec<NodeId> {
    match &arch.node(id).detail {
        NodeDetail::Service {
            runs_in: Some(p), ..
        } => p.entries().iter().map(|e| e.site).collect(),
        _ => Vec::new(),
    }
}

/// Services of the modelled organisation whose own placement is down in
/// a scenario (`down` says which nodes are): fewer than `min` of their
/// sites are up. In id order.
///
/// Cost: O(`changed`), the nodes the scenario changed: such a service is
/// down itself, so only those are looked at, not every node of the file
/// (which made a check quadratic in the number of sites).
fn placed_down(
    arch: &Architecture,
    changed: impl Iterator<Item = NodeId>,
    down: impl Fn(NodeId) -> bool,
) -> Vec<NodeId> {
    let mut found: Vec<NodeId> = changed
        .filter(|&id| placement_down(arch, id, &down))
        .collect();
    found.sort_unstable();
    found
}

/// Whether `id` is a service of the modelled organisation whose own
/// placement is down (`down` says which nodes are).
fn placement_down(arch: &Architecture, id: NodeId, down: impl Fn(NodeId) -> bool) -> bool {
    match &arch.node(id).detail {
        // Another organisation's service is not yours to move.
        NodeDetail::Service { external: true, .. } => false,
        NodeDetail::Service {
            runs_in: Some(p), ..
        } => {
            let up = p.entries().iter().filter(|e| !down(e.site)).count();
            up < p.min() as usize
        }
        _ => false,
    }
}

/// The lanes among `lanes` in which `id` is a service of the modelled
/// organisation whose own placement is down (`down` gives each node's
/// word): [`placement_down`] for 64 scenarios at once, the node read once
/// rather than once a lane. O(its sites), and O(its sites) a lane for a
/// quorum that is neither one site nor all.
fn placement_down_in(
    arch: &Architecture,
    id: NodeId,
    lanes: u64,
    down: impl Fn(NodeId) -> u64,
) -> u64 {
    let p = match &arch.node(id).detail {
        NodeDetail::Service {
            runs_in: Some(p),
            external: false,
            ..
        } => p,
        _ => return 0,
    };
    let (entries, min) = (p.entries(), p.min() as usize);
    let words = entries.iter().map(|e| down(e.site) & lanes);
    match (min, entries.len()) {
        (0, _) => 0,
        // Fewer sites than it needs: down whatever the sites do.
        (min, n) if min > n => lanes,
        // Down once any of the sites it needs all of is.
        (min, n) if min == n => words.fold(0, |a, w| a | w),
        // Down once every site it needs one of is.
        (1, _) => words.fold(lanes, |a, w| a & w),
        (min, _) => {
            let any = words.fold(0, |a, w| a | w);
            lanes_of(any)
                .filter(|&lane| {
                    let up = entries.iter().filter(|e| down(e.site) >> lane & 1 == 0);
                    up.count() < min
                })
                .fold(0, |a, lane| a | 1 << lane)
        }
    }
}

/// The sites a fix may use, in file order, grouped the ways
/// [`SiteIndex::alternative`] looks for one.
struct SiteIndex {
    all: Vec<NodeId>,
    /// By (kind, `within`): siblings.
    by_shape: HashMap<(SiteKind, Option<NodeId>), Vec<NodeId>>,
    by_kind: HashMap<SiteKind, Vec<NodeId>>,
    /// Sites that contain no other (where things run).
    leaves: Vec<NodeId>,
}

impl SiteIndex {
    fn new(
        arch: &Architecture,
        all: Vec<NodeId>,
        parents: &std::collections::HashSet<NodeId>,
    ) -> Self {
        let mut index = SiteIndex {
            by_shape: HashMap::new(),
            by_kind: HashMap::new(),
            leaves: all
                .iter()
                .copied()
                .filter(|id| !parents.contains(id))
                .collect(),
            all: Vec::new(),
        };
        for &id in &all {
            if let Some((kind, within)) = shape(arch, id) {
                index.by_shape.entry((kind, within)).or_default().push(id);
                index.by_kind.entry(kind).or_default().push(id);
            }
        }
        index.all = all;
        index
    }

    /// A site that `usable` accepts, as close to `near` as the file has: a
    /// sibling (same `within`, same kind), else one of the same kind, else
    /// a site that contains no other, else any. Ties go to the first in
    /// file order.
    ///
    /// Cost: the sites looked at before the first usable one in each
    /// group, not every site of the file (which made a file of many
    /// sites, each a single point of failure, quadratic).
    fn alternative(
        &self,
        arch: &Architecture,
        near: &[NodeId],
        usable: impl Fn(NodeId) -> bool,
    ) -> Option<NodeId> {
        let ok = |id: &NodeId| !near.contains(id) && usable(*id);
        let first = |list: Option<&Vec<NodeId>>| list?.iter().copied().find(ok);
        let wanted = near.first().and_then(|&s| shape(arch, s));
        wanted
            .and_then(|w| first(self.by_shape.get(&w)))
            .or_else(|| wanted.and_then(|w| first(self.by_kind.get(&w.0))))
            .or_else(|| first(Some(&self.leaves)))
            .or_else(|| first(Some(&self.all)))
    }
}

/// A site's kind and the site it is `within`; `None` for other nodes.
fn shape(arch: &Architecture, id: NodeId) -> Option<(SiteKind, Option<NodeId>)> {
    match &arch.node(id).detail {
        NodeDetail::Site { kind, within, .. } => Some((*kind, *within)),
        _ => None,
    }
}

/// Propagating fixes checked in the first round, and in the largest.
/// Their scenarios are grouped by the node that fails, 64 to a batch of
/// lanes, so a large round lets the fixes of one site's services meet;
/// but a round is checked whole before its verdicts are taken, so where
/// each pass costs much of the budget (a million services behind one
/// cycle), a round past the budget is work thrown away. So rounds start
/// small and double while what is left of the budget covers them at what
/// the last round's fixes cost ([`next_round_size`]). Numbers, not
/// multiples of the threads, so that the rounds, the batches, and the work
/// each fix is charged, are the same on every machine.
const ROUNDS: (usize, usize) = (64, 1024);

/// The size of the round after one of `size` fixes whose propagating fixes
/// were charged `charged` in all over `checked` of them, with `left` of the
/// budget: double, but no more than `left` covers at that cost per fix
/// (at least one fix).
fn next_round_size(size: usize, (charged, checked): (usize, usize), left: usize) -> usize {
    let per_fix = charged.div_ceil(checked.max(1)).max(1);
    (2 * size).min(ROUNDS.1).min(left.div_ceil(per_fix)).max(1)
}

/// One scenario of a fix's check: the node lost, the services whose
/// placement holds, and the fix's place in its round.
type Scenario<'f> = (NodeId, &'f [NodeId], usize);

/// Runs the engine as if each of `fixes` were made (each needs a
/// propagation), and says how much work each was.
///
/// No graph is rebuilt: every fix here makes some services' placement
/// hold under the scenario (the site added is up in it), which is the same
/// as those services not hearing from their placement gates. So each
/// scenario is run with those edges left out, in its own lane of the
/// audit's [`Lanes`] ([`Lanes::fail_each_holding`]): the fixes of the
/// services of one site share a batch, and its pass costs about what the
/// site's loss alone does, not that once per fix (on 100,000 `systems`
/// services, 374 of the 501 fixes checked are enough, so each such check
/// alone propagated the whole loss, 4,300 gates).
///
/// A fix is charged its share of the gates its batches touched, and a
/// sixteenth of a gate for each of its targets looked at.
fn verify_round(
    arch: &Architecture,
    graph: &FailureGraph,
    layout: &Layout,
    fixes: &[&(NodeId, &Targets, &Fix)],
    pool: &Mutex<Vec<Lanes>>,
) -> Vec<(Verified, usize)> {
    let mut scenarios: Vec<Scenario<'_>> = Vec::new();
    for (i, (c, _, fix)) in fixes.iter().map(|f| (&f.0, f.1, f.2)).enumerate() {
        match fix {
            Fix::PlaceAlsoIn { services, .. } => scenarios.push((*c, services, i)),
            Fix::ReplicateIn { .. } => {
                let held = std::slice::from_ref(c);
                scenarios.extend(sites_of(arch, *c).into_iter().map(|s| (s, held, i)));
            }
            _ => {}
        }
    }
    // In the fixes' order (`verify_all`'s): by how far each goes, then by
    // the node that fails, so that a batch's lanes reach the same gates.
    let mut batches: Vec<&[Scenario<'_>]> = scenarios.chunks(64).collect();
    // The costliest first, by the targets its fixes' nodes take down: a
    // batch whose site's loss reaches the whole file costs as much as the
    // rest of its round, and started last it ran alone (on 100,000
    // `anyof` services, 50 ms of a round's 80). Verdicts and work do not
    // depend on the order batches run in.
    batches.sort_by_cached_key(|b| Reverse(b.iter().map(|s| fixes[s.2].1.len()).sum::<usize>()));
    let new = || Lanes::new(layout);
    let run = |lanes: &mut Lanes, batch: &&[Scenario<'_>]| {
        check_batch(graph, (layout, lanes), batch, fixes)
    };
    let done = parallel::map_pooled(&batches, &Progress::default(), (pool, new), run);
    // A fix with no scenario (a service placed nowhere) loses nothing.
    let mut found = vec![(Verified::Enough, 0); fixes.len()];
    for (batch, (down, work)) in batches.iter().zip(done) {
        for (lane, &(_, _, i)) in batch.iter().enumerate() {
            if down >> lane & 1 == 1 {
                found[i].0 = Verified::NotEnough;
            }
            found[i].1 += work[lane];
        }
    }
    found
}

/// Runs `batch`, each scenario in its lane, and says in which lanes a
/// target of the lane's fix went down (the first found ends the look),
/// and the work each lane is charged. O(the batch's pass of the lanes +
/// the targets looked at).
fn check_batch(
    graph: &FailureGraph,
    (layout, lanes): (&Layout, &mut Lanes),
    batch: &[Scenario<'_>],
    fixes: &[&(NodeId, &Targets, &Fix)],
) -> (u64, Vec<usize>) {
    let failed: Vec<NodeId> = batch.iter().map(|s| s.0).collect();
    let mut held = Vec::new();
    for (lane, &(_, services, _)) in batch.iter().enumerate() {
        for &service in services {
            let me = GateId::from(service);
            let edges = graph.placement_of(service).into_iter();
            held.extend(edges.map(|r| (me, r, 1u64 << lane)));
        }
    }
    lanes.fail_each_holding(layout, &failed, &held);
    let share = lanes.touched().len().div_ceil(batch.len()).max(1);
    let mut down = 0u64;
    let work = (batch.iter().enumerate())
        .map(|(lane, &(_, _, i))| {
            let mut looked = 0;
            let hit = fixes[i].1.iter().any(|t| {
                looked += 1;
                lanes.down(t.into()) >> lane & 1 == 1
            });
            down |= u64::from(hit) << lane;
            share + looked / 16
        })
        .collect();
    (down, work)
}

/// The nodes down, sorted, under the loss of `failed` when the `held`
/// services' placement holds (as [`verify_round`] runs it in lanes).
pub(super) fn down_held(
    graph: &FailureGraph,
    scratch: &mut Scratch,
    held: &[NodeId],
    failed: NodeId,
) -> Vec<NodeId> {
    let skip = placement_edges(graph, held);
    scratch.propagate_down_along(graph, &[failed], |n| {
        skip.get(&n)
            .map_or_else(|| graph.dependents(n), Vec::as_slice)
    });
    let mut down: Vec<NodeId> = scratch
        .changed
        .iter()
        .filter(|&&g| scratch.state(g) == State::Down)
        .filter_map(|&g| graph.node_of(g))
        .collect();
    scratch.reset(graph);
    down.sort_unstable();
    down.dedup();
    down
}

/// The dependents lists of the gates `held` services take their placement
/// from, without those services' placement edges: propagating along them,
/// the services never hear that their placement went down.
///
/// A service may also depend on its one site (the same gate, a second
/// edge): only the placement's edge is left out, so it still hears of the
/// site through its dependency.
///
/// Cost: O(`held` + Σ dependents of the gates touched ·
/// log): each list is filtered once, however many held services it loses
/// (a site's list loses thousands when all its services move).
fn placement_edges(
    graph: &FailureGraph,
    held: &[NodeId],
) -> HashMap<GateId, Vec<(GateId, Mode)>, Fnv> {
    // Looked up for every gate a check's propagation reaches: FNV, not
    // SipHash (these keys are gate ids, not the file's text).
    let mut lost: HashMap<GateId, Vec<GateId>, Fnv> = HashMap::default();
    for &service in held {
        if let Some(r) = graph.placement_of(service) {
            lost.entry(r).or_default().push(GateId::from(service));
        }
    }
    lost.into_iter()
        .map(|(r, gone)| (r, without_edges(graph.dependents(r), gone)))
        .collect()
}

/// `dependents` without one hard edge to each of `gone` (a gate twice in
/// `gone` loses two).
fn without_edges(dependents: &[(GateId, Mode)], mut gone: Vec<GateId>) -> Vec<(GateId, Mode)> {
    gone.sort_unstable();
    let mut left: Vec<(GateId, usize)> = Vec::with_capacity(gone.len());
    for g in gone {
        match left.last_mut() {
            Some((last, count)) if *last == g => *count += 1,
            _ => left.push((g, 1)),
        }
    }
    let mut kept = Vec::with_capacity(dependents.len());
    for &(d, mode) in dependents {
        if mode == Mode::Hard {
            if let Ok(i) = left.binary_search_by_key(&d, |e| e.0) {
                if left[i].1 > 0 {
                    left[i].1 -= 1;
                    continue;
                }
            }
        }
        kept.push((d, mode));
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{run, Detail};
    use crate::load::config::CheckConfig;
    use crate::load::load_str;
    use crate::model::Tier;

    /// (node id, fix, verified) of every reported single point of failure.
    fn fixes(text: &str) -> Vec<(String, Fix, Verified)> {
        let arch = load_str("t.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let outcome = run(
            &arch,
            &graph,
            &["t.yaml"],
            Tier::High,
            &CheckConfig::default(),
            None,
        );
        outcome
            .findings
            .into_iter()
            .filter_map(|f| match f.detail {
                Detail::SinglePoint { fix, verified, .. } => {
                    Some((arch.name_of(f.node).to_string(), fix, verified))
                }
                _ => None,
            })
            .collect()
    }

    const SHOP: &str = "version: 1\nsites:\n  a: {kind: zone, within: r}\n  b: {kind: zone, within: r}\n  r: {kind: region}\n  theirs: {}\nservices:\n  db:\n    runs_in: a\n  api:\n    runs_in: [a, b]\n    depends_on: [db]\n  web:\n    tier: high\n    logical: true\n    runs_in: [a, b]\n    depends_on: [api, partner]\n  partner:\n    external: true\n    runs_in: theirs\n";

    #[test]
    fn a_placement_down_in_lanes_is_down_in_each_of_them_alone() {
        let text = "version: 1\nsites:\n  a: {}\n  b: {}\n  c: {}\nservices:\n  one: {runs_in: a}\n  any: {runs_in: [a, b]}\n  quorum: {runs_in: {sites: [a, b, c], min: 2}}\n  all: {runs_in: {sites: [a, b], min: 2}}\n  theirs: {runs_in: a, external: true}\n  nowhere: {}\n";
        let arch = load_str("t.yaml", text).unwrap().arch;
        let site = |s: &str| arch.id_of(s).unwrap();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200 {
            let words = [
                (site("a"), next()),
                (site("b"), next()),
                (site("c"), next()),
            ];
            let word = |n: NodeId| words.iter().find(|w| w.0 == n).map_or(0, |w| w.1);
            let lanes = next();
            for id in arch.node_ids() {
                let alone = (0..64)
                    .filter(|&lane| lanes >> lane & 1 == 1)
                    .filter(|&lane| placement_down(&arch, id, |s| word(s) >> lane & 1 == 1))
                    .fold(0u64, |a, lane| a | 1 << lane);
                assert_eq!(
                    placement_down_in(&arch, id, lanes, word),
                    alone,
                    "{}",
                    arch.name_of(id)
                );
            }
        }
    }

    #[test]
    fn each_kind_of_spof_gets_its_edit_and_the_engine_judges_it() {
        let found = fixes(SHOP);
        let of = |id: &str| found.iter().find(|f| f.0 == id).cloned().unwrap();
        let ids = |arch_text: &str, names: &[&str]| -> Vec<NodeId> {
            let arch = load_str("t.yaml", arch_text).unwrap().arch;
            names.iter().map(|n| arch.id_of(n).unwrap()).collect()
        };
        let [db, b] = ids(SHOP, &["db", "b"])[..] else {
            panic!()
        };
        // Zone a: db's only zone. Placing db in b too is enough.
        assert_eq!(
            of("a").1,
            Fix::PlaceAlsoIn {
                services: vec![db],
                site: Some(b)
            }
        );
        assert_eq!(of("a").2, Verified::Enough);
        // db in one zone: replicas in its sibling zone, logical.
        assert_eq!(of("db").1, Fix::ReplicateIn { site: Some(b) });
        assert_eq!(of("db").2, Verified::Enough);
        // api runs in two zones but needs db: logical alone is not enough.
        assert_eq!(of("api").1, Fix::Logical);
        assert_eq!(of("api").2, Verified::NotEnough);
        // Another organisation's service, and its site, are not ours to move.
        assert_eq!(of("partner").1, Fix::Alternative);
        assert_eq!(of("partner").2, Verified::Unchecked);
        assert!(
            matches!(of("theirs").1, Fix::PlaceAlsoIn { ref services, .. } if services.is_empty())
        );
    }

    #[test]
    fn past_the_work_budget_fixes_stay_unchecked_and_are_counted() {
        let arch = load_str("t.yaml", SHOP).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        // One unit: the first check spends it, the second finds none left.
        let mut checker = Checker::with_budget(&arch, (1, 1));
        let a = arch.id_of("a").unwrap();
        let db = arch.id_of("db").unwrap();
        let web = arch.id_of("web").unwrap();
        let fix_a = checker.plan(&arch, &graph, a);
        let fix_db = checker.plan(&arch, &graph, db);
        let web = Targets::new(vec![web]);
        let fixes = [(a, &web, &fix_a), (db, &web, &fix_db)];
        assert_eq!(
            checker.verify_all(
                (&arch, &graph, &Layout::new(&graph)),
                &fixes,
                &mut SiteLosses::new(std::iter::empty())
            ),
            [Verified::Enough, Verified::Unchecked]
        );
        assert_eq!((checker.checked, checker.checkable), (1, 2));
    }

    /// The budget is spent site by site: `x` comes first in the file, but
    /// its site `s2` after `y`'s `s1`, so `y` is checked and `x` is not;
    /// the verdicts still come back in the order asked.
    #[test]
    fn fixes_are_checked_in_the_order_of_their_sites() {
        let text = "version: 1\nsites:\n  s1: {}\n  s2: {}\n  s3: {}\nservices:\n  x: {runs_in: s2}\n  y: {runs_in: s1}\n  web:\n    tier: high\n    depends_on: [x, y]\n    runs_in: s3\n";
        let arch = load_str("t.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let mut checker = Checker::with_budget(&arch, (1, 1));
        let [x, y, web] = ["x", "y", "web"].map(|n| arch.id_of(n).unwrap());
        let (fix_x, fix_y) = (
            checker.plan(&arch, &graph, x),
            checker.plan(&arch, &graph, y),
        );
        assert!(matches!(fix_x, Fix::ReplicateIn { site: Some(_) }));
        assert!(matches!(fix_y, Fix::ReplicateIn { site: Some(_) }));
        let web = Targets::new(vec![web]);
        let fixes = [(x, &web, &fix_x), (y, &web, &fix_y)];
        let layout = Layout::new(&graph);
        let losses = &mut SiteLosses::new(std::iter::empty());
        let verdicts = checker.verify_all((&arch, &graph, &layout), &fixes, losses);
        assert_eq!(verdicts, [Verified::Unchecked, Verified::Enough]);
        assert_eq!((checker.checked, checker.checkable), (1, 2));
    }

    #[test]
    fn replicas_of_services_whose_site_reaches_further_are_checked_later() {
        // As above, but s1's loss reaches two targets and s2's one: y's
        // check (it fails s1) would go further, so x's comes first.
        let text = "version: 1\nsites:\n  s1: {}\n  s2: {}\n  s3: {}\nservices:\n  x: {runs_in: s2}\n  y: {runs_in: s1}\n  web:\n    tier: high\n    depends_on: [x, y]\n    runs_in: s3\n";
        let arch = load_str("t.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let mut checker = Checker::with_budget(&arch, (1, 1));
        let [x, y, web, s1, s2] = ["x", "y", "web", "s1", "s2"].map(|n| arch.id_of(n).unwrap());
        let (fix_x, fix_y) = (
            checker.plan(&arch, &graph, x),
            checker.plan(&arch, &graph, y),
        );
        let (one, two) = (Targets::new(vec![web]), Targets::new(vec![web, y]));
        let fixes = [(x, &one, &fix_x), (y, &one, &fix_y)];
        let layout = Layout::new(&graph);
        let losses = &mut SiteLosses::new([(s1, &two), (s2, &one)].into_iter());
        let verdicts = checker.verify_all((&arch, &graph, &layout), &fixes, losses);
        assert_eq!(verdicts, [Verified::Enough, Verified::Unchecked]);
        assert_eq!((checker.checked, checker.checkable), (1, 2));
    }

    /// (checked, checkable) and verdicts of the fixes of `names`, within
    /// a budget of `gates`, every single point of failure's targets known.
    fn checked_within(text: &str, names: &[&str], gates: usize) -> (Vec<Verified>, usize) {
        let arch = load_str("t.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let mut checker = Checker::with_budget(&arch, (gates, 1000));
        let ids: Vec<NodeId> = names.iter().map(|n| arch.id_of(n).unwrap()).collect();
        let plans: Vec<Fix> = ids
            .iter()
            .map(|&c| checker.plan(&arch, &graph, c))
            .collect();
        let web = Targets::new(vec![arch.id_of("web").unwrap()]);
        let fixes: Vec<_> = ids.iter().zip(&plans).map(|(&c, f)| (c, &web, f)).collect();
        let losses = &mut SiteLosses::new(ids.iter().map(|&c| (c, &web)));
        let layout = Layout::new(&graph);
        let verdicts = checker.verify_all((&arch, &graph, &layout), &fixes, losses);
        (verdicts, checker.checked)
    }

    const BESIDE: &str = "version: 1\nsites:\n  d: {}\n  e: {}\nservices:\n  a: {runs_in: d}\n  b: {runs_in: d, depends_on: [a]}\n  web: {tier: high, runs_in: e, depends_on: [b]}\n";

    #[test]
    fn a_replica_beside_a_failure_that_takes_its_targets_down_fails_unpropagated() {
        // Holding a or b, d's loss takes the other down, and web with it:
        // known from the other's own targets, a gate of budget each.
        let (verdicts, checked) = checked_within(BESIDE, &["a", "b"], 2);
        assert_eq!(verdicts, [Verified::NotEnough, Verified::NotEnough]);
        assert_eq!(checked, 2);
        // Where a site needs a service, a service's loss may take the site
        // down: a propagation decides, and costs more than a gate.
        let needy =
            BESIDE.replace("  d: {}", "  d: {depends_on: [tool]}") + "  tool: {runs_in: e}\n";
        let (verdicts, checked) = checked_within(&needy, &["a", "b"], 2);
        assert_eq!(verdicts, [Verified::NotEnough, Verified::Unchecked]);
        assert_eq!(checked, 1);
        let (verdicts, _) = checked_within(&needy, &["a", "b"], 1000);
        assert_eq!(verdicts, [Verified::NotEnough, Verified::NotEnough]);
        // b's one entry needs a besides d: held, b stays up when d's loss
        // takes a down, though a's own loss takes b's target down.
        let standby = "version: 1\nsites:\n  d: {}\n  e: {}\nservices:\n  a: {runs_in: d}\n  b: {runs_in: [{site: d, requires: [a]}]}\n  web: {tier: high, runs_in: e, depends_on: [b]}\n";
        let (verdicts, _) = checked_within(standby, &["a", "b"], 1000);
        assert_eq!(verdicts, [Verified::NotEnough, Verified::Enough]);
    }

    #[test]
    fn a_replica_elsewhere_does_not_help_what_also_depends_on_its_site() {
        // db runs in a and needs a besides (two edges to one gate): a
        // replica in b keeps its placement, not its dependency.
        let text = "version: 1\nsites:\n  a: {}\n  b: {}\nservices:\n  db:\n    runs_in: a\n    depends_on: [a]\n  web:\n    tier: high\n    logical: true\n    runs_in: [a, b]\n    depends_on: [db]\n";
        let found = fixes(text);
        let db = found.iter().find(|f| f.0 == "db").unwrap();
        assert!(matches!(db.1, Fix::ReplicateIn { site: Some(_) }));
        assert_eq!(db.2, Verified::NotEnough);
    }

    #[test]
    fn a_silenced_site_still_judges_the_logical_fix_of_what_it_takes_down() {
        // Site a takes web down through db and api; its own finding is
        // silenced, but "mark api `logical: true`" is still not enough.
        let text = "version: 1\nsites:\n  a:\n    x-spof-ignore: [{ rule: single-point-of-failure, reason: later }]\n  b: {}\nservices:\n  db:\n    runs_in: a\n  api:\n    runs_in: [a, b]\n    depends_on: [db]\n  web:\n    tier: high\n    logical: true\n    runs_in: [a, b]\n    depends_on: [api]\n";
        let found = fixes(text);
        assert!(found.iter().all(|f| f.0 != "a"), "a is silenced");
        let api = found.iter().find(|f| f.0 == "api").unwrap();
        assert_eq!((&api.1, api.2), (&Fix::Logical, Verified::NotEnough));
    }

    /// Rounds double up to the largest, but no further than the budget
    /// left covers at what the last round's fixes cost, and never to none.
    #[test]
    fn rounds_grow_while_the_budget_covers_them() {
        assert_eq!(next_round_size(64, (640, 64), 1_000_000), 128);
        assert_eq!(next_round_size(1024, (1024, 1024), 1_000_000), 1024);
        // 100 per fix, 2,050 left: 21 fixes.
        assert_eq!(next_round_size(64, (6_400, 64), 2_050), 21);
        assert_eq!(next_round_size(64, (6_400, 64), 0), 1);
        // A round with nothing charged counts a fix as 1.
        assert_eq!(next_round_size(64, (0, 0), 100), 100);
    }

    /// A ring of 70 services, each needing the next, placed in sites `a`,
    /// `b` and `c` in turn (`r0` in `solo`), with services that need them,
    /// `lone` in `a`, and `dd`, which runs in `a` and needs `a` besides. For every single
    /// point of failure and every site lost (and the SPOF itself), with
    /// the SPOF's placement held or not, and `a` lost with `dd` or a whole
    /// site's services held: each lane of a batch holding placements has
    /// exactly the nodes down that a propagation has along the graph
    /// without those edges, batch after batch on one [`Lanes`].
    #[test]
    fn lanes_holding_placements_agree_with_a_propagation_without_them() {
        let n = 70;
        let mut text = String::from(
            "version: 1\nsites:\n  a: {}\n  b: {}\n  c: {}\n  solo: {}\nservices:\n  dd: {tier: high, runs_in: a, depends_on: [a]}\n  lone: {tier: high, runs_in: a}\n",
        );
        for i in 0..n {
            let site = if i == 0 {
                "solo"
            } else {
                ["a", "b", "c"][i % 3]
            };
            text += &format!(
                "  r{i}: {{tier: high, runs_in: {site}, depends_on: [r{}, base{i}]}}\n",
                (i + 1) % n
            );
            text += &format!("  o{i}: {{tier: high, runs_in: [a, b], depends_on: [r{i}]}}\n");
            text += &format!("  base{i}: {{runs_in: [b, c]}}\n");
            text += &format!("  e{i}: {{tier: high, runs_in: [a, c], depends_on: [base{i}]}}\n");
        }
        let arch = load_str("ring.yaml", text.as_str()).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let config = CheckConfig::default();
        let outcome = run(&arch, &graph, &["ring.yaml"], Tier::High, &config, None);
        let spofs = (outcome.findings.iter())
            .filter(|f| matches!(f.detail, Detail::SinglePoint { .. }))
            .map(|f| f.node);
        let sites: Vec<NodeId> = (arch.node_ids())
            .filter(|&s| arch.node(s).kind() == NodeKind::Site)
            .collect();
        let id = |name: &str| arch.id_of(name).unwrap();
        let in_a: Vec<NodeId> = (3..n).step_by(3).map(|i| id(&format!("r{i}"))).collect();
        let mut scenarios = vec![(id("a"), vec![id("dd")]), (id("a"), in_a)];
        for c in spofs {
            for failed in sites.iter().copied().chain([c]) {
                scenarios.push((failed, vec![c]));
                scenarios.push((failed, vec![]));
            }
        }
        let layout = Layout::new(&graph);
        let (mut lanes, mut scratch) = (Lanes::new(&layout), Scratch::new(&graph));
        let mut held_changed = 0;
        for batch in scenarios.chunks(64) {
            let failed: Vec<NodeId> = batch.iter().map(|s| s.0).collect();
            let mut held = Vec::new();
            for (lane, (_, services)) in batch.iter().enumerate() {
                for &s in services {
                    let edges = graph.placement_of(s).into_iter();
                    held.extend(edges.map(|r| (GateId::from(s), r, 1u64 << lane)));
                }
            }
            lanes.fail_each_holding(&layout, &failed, &held);
            for (lane, (lost, services)) in batch.iter().enumerate() {
                let skip = placement_edges(&graph, services);
                scratch.propagate_down_along(&graph, &[*lost], |g| {
                    skip.get(&g)
                        .map_or_else(|| graph.dependents(g), Vec::as_slice)
                });
                for node in arch.node_ids() {
                    let want = scratch.state(node.into()) == State::Down;
                    let got = lanes.down(node.into()) >> lane & 1 == 1;
                    let (lost, node) = (arch.name_of(*lost), arch.name_of(node));
                    assert_eq!(got, want, "{lost} lost, {} held: {node}", services.len());
                }
                held_changed += usize::from(!services.is_empty() && scratch.changed.len() > 1);
                scratch.reset(&graph);
            }
        }
        assert!(held_changed > 100, "{held_changed}");
        // dd keeps its dependency on a: it goes down with a, held or not.
        let dd = id("dd");
        lanes.fail_each_holding(&layout, &[id("a")], &[(dd.into(), id("a").into(), 1)]);
        assert_eq!(lanes.down(dd.into()), 1);
        // A batch that holds nothing after one that held lone takes it down.
        let lone = id("lone");
        lanes.fail_each_holding(&layout, &[id("a")], &[(lone.into(), id("a").into(), 1)]);
        assert_eq!(lanes.down(lone.into()), 0);
        lanes.fail_each(&layout, &[id("a")]);
        assert_eq!(lanes.down(lone.into()), 1);
    }
}
