//! Targets whose attempts walk lists and give up at size 3, judged
//! together.
//!
//! Past [`MOST_MASKED`](super::super::MOST_MASKED) parts an attempt walks lists
//! ([`super::super::exact_lists`]): it tries each part alone, then every
//! pair of the parts up alone, then every set of three whose three pairs
//! are up (a triangle of the pairs found up), counting each set it tries
//! against [`EXACT_BUDGET`]. When the pairs fit the budget and the
//! triangles do not, it gives up at size 3, after answering all its parts
//! and pairs alone: in a mesh of 10,000 services that call each other,
//! 334 targets did so over one cone of 10,119 parts, 0.24 s each.
//!
//! Here the pairs of all of them are answered together by one circuit over
//! the union of their cones, 1,024 pairs per evaluation, and each target's
//! triangles are counted from its pairs found up: the same sets its
//! attempt would count, so the same verdict.

use std::sync::Mutex;

use crate::model::{Architecture, NodeId};

use super::super::super::circuit::ConeCircuit;
use super::super::super::graph::FailureGraph;
use super::super::super::parallel::{map_chunked, map_pooled};
use super::super::super::progress::Progress;
use super::super::super::sampling::{Batch, Compiled};
use super::super::super::word::Lanes;
use super::super::{failure_counts, tail_probabilities, Budget, EXACT_BUDGET, TAIL};
use super::{Below, Counter};

/// Most pairs answered here, sixteen budgets' worth (4,688 evaluations of
/// the union at most): past it, the attempts are left to find out, each
/// on its own.
const MOST_PAIRS: usize = 16 * EXACT_BUDGET;

/// A target to judge: its row among the union's targets and its parts as
/// indices of the union's parts.
struct Judged {
    row: usize,
    parts: Vec<u32>,
}

/// Of `rows` (the union's targets whose attempts walk lists and whose
/// pairs fit the budget, with their numbers of parts), those whose
/// attempts give up at size 3, with their number of parts.
///
/// Cost: marking each one's cone; one evaluation of the union per 1,024
/// of their parts and per 1,024 pairs of the parts up alone for any of
/// them (none when those pairs pass [`MOST_PAIRS`]), counted in `work`;
/// per target, O(pairs × up / 64) to count its triangles.
pub(super) fn hopeless_at_three(
    arch: &Architecture,
    graph: &FailureGraph,
    (union, below): (&Compiled, Option<&Below>),
    rows: &[(usize, usize)],
    work: &Budget,
) -> Vec<(usize, usize)> {
    // A few at a time, so that their parts, held until their parts up
    // alone are known, stay within about 32 MiB: a long chain of services
    // has thousands of targets of tens of thousands of parts each.
    let mut hopeless = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let mut parts = 0;
        let take = (rest.iter())
            .take_while(|&&(_, n)| {
                parts += n;
                parts <= PARTS_AT_ONCE
            })
            .count()
            .max(1);
        let (these, after) = rest.split_at(take);
        let these: Vec<usize> = these.iter().map(|&(row, _)| row).collect();
        hopeless.extend(judged_at_three(arch, graph, (union, below), &these, work));
        rest = after;
    }
    hopeless
}

/// Whether a target of `parts` parts, `up` of them up alone, whose pairs
/// fit the budget, could give up at size 3: its parts, pairs and every set
/// of three of its parts up alone pass the budget.
pub(super) fn could_break(parts: usize, up: usize) -> bool {
    let pairs = up.saturating_mul(up.saturating_sub(1)) / 2;
    let triples = pairs.saturating_mul(up.saturating_sub(2)) / 3;
    parts.saturating_add(pairs).saturating_add(triples) > EXACT_BUDGET
}

/// The parts of the targets judged at once, at most (but for one target
/// larger alone).
const PARTS_AT_ONCE: usize = 1 << 23;

/// [`hopeless_at_three`] for a few targets.
fn judged_at_three(
    arch: &Architecture,
    graph: &FailureGraph,
    (union, below): (&Compiled, Option<&Below>),
    rows: &[usize],
    work: &Budget,
) -> Vec<(usize, usize)> {
    let judged = reaching_three(arch, graph, (union, below), rows);
    if judged.is_empty() {
        return Vec::new();
    }
    let pool = Mutex::new(Vec::new());
    let up = up_alone(union, &pool, &judged, work);
    let mut open: Vec<u32> = up.iter().flatten().copied().collect();
    open.sort_unstable();
    open.dedup();
    let pairs = open.len() * open.len().saturating_sub(1) / 2;
    if pairs > MOST_PAIRS || work.passed() {
        return Vec::new();
    }
    let closed = pairs_up(union, &pool, (&open, &up), &judged, work);
    (judged.iter().zip(closed))
        .filter(|(_, closed)| closed.breaks())
        .map(|(j, _)| (j.row, j.parts.len()))
        .collect()
}

/// The targets of `rows` whose attempts reach size 3: their parts' chance
/// of three failures or more is at least `TAIL`, as the attempt checks.
fn reaching_three(
    arch: &Architecture,
    graph: &FailureGraph,
    (union, below): (&Compiled, Option<&Below>),
    rows: &[usize],
) -> Vec<Judged> {
    // Each gate's place among the union's parts.
    let mut index = vec![u32::MAX; graph.len()];
    for (i, id) in union.ids.iter().enumerate() {
        index[id.index()] = i as u32;
    }
    let each = map_chunked(
        rows,
        16,
        &Progress::default(),
        || Counter::new(graph, below),
        |counter, &row| {
            let parts = counter.parts(arch, graph, union.targets[row]);
            let reaches = reaches_three(&parts);
            let indices = parts.iter().map(|&(id, _)| index[id.index()]);
            let parts: Vec<u32> = indices.collect();
            // Every part of a judged cone is in the union.
            let whole = parts.iter().all(|&i| i != u32::MAX);
            (whole && reaches).then_some(Judged { row, parts })
        },
    );
    each.into_iter().flatten().collect()
}

/// Whether an attempt over `parts` reaches size 3: its tails of failure
/// counts ([`tail_probabilities`]) at 0, 1 and 2 are at least `TAIL`.
/// Computed for three counts only, which rounds otherwise than the
/// attempt's longer sum: within a millionth of `TAIL`, the attempt's own
/// tails decide.
fn reaches_three(parts: &[(NodeId, f64)]) -> bool {
    let (exactly, more) = failure_counts(parts, 3);
    let mut tail = more;
    let mut near = false;
    let mut reaches = true;
    for k in (0..3).rev() {
        tail += exactly[k + 1];
        near |= (tail - TAIL).abs() <= TAIL * 1e-6;
        reaches &= tail >= TAIL;
    }
    if near {
        let tail = tail_probabilities(parts);
        return (0..3).all(|k| tail.get(k).is_some_and(|&t| t >= TAIL));
    }
    reaches
}

/// Each judged target's parts up alone, sorted, as indices of the union's
/// parts: one evaluation per 1,024 of the parts of any of them.
fn up_alone(
    union: &Compiled,
    pool: &Mutex<Vec<ConeCircuit<Batch>>>,
    judged: &[Judged],
    work: &Budget,
) -> Vec<Vec<u32>> {
    let mut any = vec![false; union.ids.len()];
    judged
        .iter()
        .flat_map(|j| &j.parts)
        .for_each(|&p| any[p as usize] = true);
    let all: Vec<u32> = (0..union.ids.len() as u32)
        .filter(|&p| any[p as usize])
        .collect();
    let batches: Vec<&[u32]> = all.chunks(Batch::LANES).collect();
    let downs = evaluate(union, pool, judged, &batches, |circuit, batch| {
        for (lane, &p) in batch.iter().enumerate() {
            circuit.fail(p, lane);
        }
    });
    for &(_, steps) in &downs {
        work.spend(steps);
    }
    // Each part's place among `all`: its batch and lane.
    let mut place = vec![u32::MAX; union.ids.len()];
    for (i, &p) in all.iter().enumerate() {
        place[p as usize] = i as u32;
    }
    (judged.iter().enumerate())
        .map(|(i, j)| {
            let down = |p: u32| {
                let at = place[p as usize] as usize;
                downs[at / Batch::LANES].0[i].has_lane(at % Batch::LANES)
            };
            j.parts.iter().copied().filter(|&p| !down(p)).collect()
        })
        .collect()
}

/// Each batch evaluated on the union after `fail` fails its parts: per
/// batch, the lanes in which each judged target is down, and the steps.
fn evaluate<B: Sync>(
    union: &Compiled,
    pool: &Mutex<Vec<ConeCircuit<Batch>>>,
    judged: &[Judged],
    batches: &[B],
    fail: impl Fn(&mut ConeCircuit<Batch>, &B) + Sync,
) -> Vec<(Vec<Batch>, u64)> {
    let mut slot = vec![usize::MAX; union.targets.len()];
    for (i, j) in judged.iter().enumerate() {
        slot[j.row] = i;
    }
    map_pooled(
        batches,
        &Progress::default(),
        (pool, || union.circuit.for_evaluation::<Batch>()),
        |circuit, batch| {
            let before = circuit.steps();
            fail(circuit, batch);
            let mut down = vec![Batch::NONE; judged.len()];
            circuit.down_lanes_of_each(|t, lanes| {
                if let Some(d) = down.get_mut(slot[t]) {
                    *d = lanes;
                }
            });
            (down, circuit.steps() - before)
        },
    )
}

/// For each judged target, the pairs of its parts up alone that leave it
/// up and the triangles they close ([`Closed`]): every pair of `open` (the
/// parts up alone for any of them) failed in a lane, in order, until every
/// target has read all its pairs or passed its budget.
fn pairs_up(
    union: &Compiled,
    pool: &Mutex<Vec<ConeCircuit<Batch>>>,
    (open, up): (&[u32], &[Vec<u32>]),
    judged: &[Judged],
    work: &Budget,
) -> Vec<Closed> {
    let pairs: Vec<(u32, u32)> = (0..open.len() as u32)
        .flat_map(|a| (a + 1..open.len() as u32).map(move |b| (a, b)))
        .collect();
    let batches: Vec<&[(u32, u32)]> = pairs.chunks(Batch::LANES).collect();
    let n = open.len();
    // A pair's place in `pairs`: `a`'s row starts after the rows above it.
    let place = |a: usize, b: usize| a * (2 * n - a - 1) / 2 + (b - a - 1);
    // Each target's parts up alone as places in `open`, in order.
    let mine: Vec<Vec<usize>> = (up.iter())
        .map(|up| {
            up.iter()
                .filter_map(|p| open.binary_search(p).ok())
                .collect()
        })
        .collect();
    let mut closed: Vec<Closed> = (judged.iter().zip(up))
        .map(|(j, up)| Closed::new(j.parts.len(), up.len()))
        .collect();
    // Each target's next pair to read, as positions among its parts.
    let mut next = vec![(0usize, 1usize); judged.len()];
    // Batches evaluated at a time: their answers for every target in
    // about 32 MiB.
    let per_group = ((32 << 20) / (judged.len().max(1) * std::mem::size_of::<Batch>())).max(1);
    for (g, group) in batches.chunks(per_group).enumerate() {
        // Done once every target has read its pairs or passed its budget.
        let reading =
            |(i, &(_, y)): (usize, &(usize, usize))| y < mine[i].len() && !closed[i].breaks();
        if !next.iter().enumerate().any(reading) {
            break;
        }
        let downs = evaluate(union, pool, judged, group, |circuit, batch| {
            for (lane, &(a, b)) in batch.iter().enumerate() {
                circuit.fail(open[a as usize], lane);
                circuit.fail(open[b as usize], lane);
            }
        });
        for &(_, steps) in &downs {
            work.spend(steps);
        }
        let first = g * per_group * Batch::LANES;
        let end = first + group.iter().map(|b| b.len()).sum::<usize>();
        // Each target reads its own pairs in this group's range, in order.
        for (i, (closed, (x, y))) in closed.iter_mut().zip(&mut next).enumerate() {
            let mine = &mine[i];
            while *y < mine.len() && !closed.breaks() {
                let at = place(mine[*x], mine[*y]);
                if at >= end {
                    break;
                }
                let at = at - first;
                if !downs[at / Batch::LANES].0[i].has_lane(at % Batch::LANES) {
                    closed.add(*x, *y);
                }
                *y += 1;
                if *y == mine.len() {
                    *x += 1;
                    *y = *x + 1;
                }
            }
        }
    }
    closed
}

/// One target's pairs found up so far, read in order, and the triangles
/// they close: the sets of three its attempt tries, counted against what
/// its parts and pairs leave of the budget.
struct Closed {
    /// A bit matrix over its parts up alone: the pairs found up.
    rows: Vec<Vec<u64>>,
    triangles: usize,
    /// The budget left after its parts, each tried alone, and the pairs
    /// of those up alone.
    left: usize,
}

impl Closed {
    /// For a target of `parts` parts, `up` of them up alone, whose parts
    /// and pairs fit the budget.
    fn new(parts: usize, up: usize) -> Self {
        let before = parts.saturating_add(up.saturating_mul(up.saturating_sub(1)) / 2);
        Closed {
            rows: vec![vec![0u64; up.div_ceil(64)]; up],
            triangles: 0,
            left: EXACT_BUDGET.saturating_sub(before),
        }
    }

    /// Adds the pair of its `x`-th and `y`-th parts up alone (`x < y`),
    /// every pair before it in order already added. A triangle is counted
    /// when its last pair comes, which is its two higher parts: the two
    /// pairs with its lowest part came before. O(up / 64).
    fn add(&mut self, x: usize, y: usize) {
        let common: usize = (self.rows[x].iter().zip(&self.rows[y]))
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum();
        self.triangles += common;
        self.rows[x][y / 64] |= 1 << (y % 64);
        self.rows[y][x / 64] |= 1 << (x % 64);
    }

    /// Whether the triangles so far pass the budget its pairs left.
    fn breaks(&self) -> bool {
        self.triangles > self.left
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::exactly_unbounded;
    use super::super::super::ConeMarks;
    use super::super::BigCones;
    use super::*;
    use crate::load::load_str;

    /// Two targets past what masks hold (8,300 parts each take them down
    /// alone) that also need one of `a0..a{u-1}`: every pair and triple of
    /// those is up. With `u` = 121 the parts, the pairs and the triples
    /// pass the budget (8,421 + 7,260 + 287,980); with 118 they fit.
    /// `rare` is `t121` with parts that almost never fail (`r*`, `c*`)
    /// but for `a0` and `a1`: two failures are likely enough to be judged
    /// (1e-6), three are not (below `TAIL`), so its attempt stops at the
    /// pairs with an answer.
    fn past_masks() -> crate::load::Loaded {
        let mut text = String::from("version: 1\nsites:\n  s: {}\nservices:\n");
        let service = |text: &mut String, name: String, availability: &str| {
            text.push_str(&format!(
                "  {name}: {{runs_in: s, availability: {availability}}}\n"
            ));
        };
        for i in 0..8300 {
            service(&mut text, format!("p{i}"), "0.999");
            service(&mut text, format!("r{i}"), "0.9999999999");
        }
        for i in 0..121 {
            service(&mut text, format!("a{i}"), "0.999");
            service(&mut text, format!("c{i}"), "0.9999999999");
        }
        let names = |prefix: &str, n: usize| -> String {
            let names: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
            names.join(", ")
        };
        let needs = |name: &str, hard: String, any: String| {
            format!("  {name}: {{runs_in: s, depends_on: [{hard}, {{any_of: [{any}]}}]}}\n")
        };
        text.push_str(&needs("t118", names("p", 8300), names("a", 118)));
        text.push_str(&needs("t121", names("p", 8300), names("a", 121)));
        let rare_any = format!("a0, a1, {}", names("c", 119));
        text.push_str(&needs("rare", names("r", 8300), rare_any));
        load_str("t.yaml", text).unwrap()
    }

    /// The target named gives up at size 3 in its own attempt, with the
    /// same parts; those whose triples fit the budget or are too unlikely
    /// to be walked are not named.
    #[test]
    fn targets_named_at_three_are_those_whose_attempts_give_up_there() {
        let loaded = past_masks();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let names = ["t118", "t121", "rare"];
        let targets: Vec<NodeId> = names.map(|n| arch.id_of(n).unwrap()).to_vec();
        let reached = vec![true; graph.len()];
        let big = BigCones::find(
            arch,
            &graph,
            (&targets, &reached, None),
            &[],
            &Budget::new(None),
        )
        .unwrap();
        assert_eq!(big.hopeless_parts(targets[0]), None);
        assert_eq!(big.hopeless_parts(targets[1]), Some(8421));
        assert_eq!(big.hopeless_parts(targets[2]), None);
        let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
        let tried = exactly_unbounded(arch, &graph, targets[1], &mut marks, &mut circuit);
        let own = usize::from(arch.node(targets[1]).own_availability() < 1.0);
        assert_eq!(tried.err(), Some(8421 + own));
        let rare = exactly_unbounded(arch, &graph, targets[2], &mut marks, &mut circuit);
        assert!(rare.is_ok());
    }

    /// Triangles are counted once each, when their last pair comes, and
    /// the budget is passed only past what the parts and pairs left.
    #[test]
    fn triangles_are_counted_once() {
        // Four parts, every pair up: four triangles.
        let every_pair = |closed: &mut Closed| {
            for x in 0..4 {
                for y in x + 1..4 {
                    closed.add(x, y);
                }
            }
        };
        let mut fits = Closed::new(EXACT_BUDGET - 6 - 4, 4);
        every_pair(&mut fits);
        assert_eq!(fits.triangles, 4);
        assert!(!fits.breaks());
        let mut passes = Closed::new(EXACT_BUDGET - 6 - 3, 4);
        every_pair(&mut passes);
        assert!(passes.breaks());
        // Without the pair (1, 2), only the triangles {0, 1, 3}, {0, 2, 3}.
        let mut closed = Closed::new(0, 4);
        for (x, y) in [(0, 1), (0, 2), (0, 3), (1, 3), (2, 3)] {
            closed.add(x, y);
        }
        assert_eq!(closed.triangles, 2);
    }
}
