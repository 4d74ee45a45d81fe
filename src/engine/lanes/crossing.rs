//! Cause chains where a failure takes a large hard component down, from
//! one structure per component rather than a search per chain.
//!
//! A failure that takes a large hard component down takes down at least
//! what the component alone does: all of it, then what it takes down (see
//! [`super::Beneath`]). So one breadth-first search forth from the
//! component's root through those gates gives each of them a path to the
//! root, and one search back from the root inside the component gives a
//! path from the root to each member. A chain from target `t` to candidate
//! `c` is `t`'s path to the root, the root's path to the member `m` where
//! `c`'s failure enters the component, then `m`'s way back to `c` (empty
//! when `c` is a member), joined one step early where a requirement
//! allows and with any loop cut out: every step a down requirement of the
//! one before, as format v1 §9 asks. Each chain costs its length, once the
//! component's searches and the candidate's way in are made.
//!
//! Such a chain is not the shortest: it passes the root (on the generated
//! files with one cycle of most services, 1.3x-1.7x the steps of the
//! searches' chains on average). A search per chain (from both ends,
//! or back from the target to the component) costs up to thousands of
//! gates where much of the file is one cycle, and the audit shows twenty
//! chains per single point of failure: that was most of the audit there.

use super::{hard, Ground, Lanes, Layout};

/// No entry: a gate the component does not take down, or the root.
const NONE: u32 = u32::MAX;

/// Where a failure enters a large hard component, by layout position: the
/// component's root, the member first reached, and the path back from it
/// to the failure (the member left out, the failure last).
#[derive(Debug)]
pub(super) struct Entry {
    home: u32,
    member: u32,
    path: Vec<u32>,
}

impl Entry {
    pub(super) fn new(home: u32, member: u32, path: Vec<u32>) -> Self {
        Entry { home, member, path }
    }
}

/// The paths of one large hard component, reused while the chains asked
/// for come from failures that take it down (the audit asks for them
/// component by component, see `engine/sharing.rs`), and the last
/// candidate's way in. All by layout position.
#[derive(Debug, Default)]
pub(super) struct Crossing {
    /// The candidate `entry` is for, and its way in, if it has one.
    entry_of: Option<u32>,
    entry: Option<Entry>,
    /// Lanes to find what the component alone takes down (made when
    /// first needed).
    alone: Option<Box<Lanes>>,
    /// What the component alone takes down, a bit per position (small
    /// enough to stay in cache while chains look it up at random), and
    /// the positions set, to clear for another component.
    alone_bits: Vec<u64>,
    alone_set: Vec<u32>,
    /// The component the paths are for (its root's position), if any.
    home: Option<u32>,
    /// For each gate the component alone takes down: its requirement one
    /// step nearer the root, on a shortest path of such gates.
    toward: Vec<u32>,
    /// For each member of the component: its dependent one step nearer
    /// the root, on a shortest path of hard edges inside the component.
    from_root: Vec<u32>,
    /// Positions whose `toward` is set (the forth search's queue), and
    /// members whose `from_root` is (the back search's), to clear for
    /// another component.
    set: Vec<u32>,
    inside: Vec<u32>,
    /// Where each position is in the chain being built (valid only where
    /// the chain holds that position there).
    at: Vec<u32>,
    /// Buffers for a chain's two paths, kept from chain to chain.
    paths: (Vec<u32>, Vec<u32>),
}

impl Crossing {
    /// Whether the way in of the candidate at position `c` is kept.
    pub(super) fn entered_from(&self, c: u32) -> bool {
        self.entry_of == Some(c)
    }

    /// Whether the candidate kept enters a component.
    pub(super) fn has_entry(&self) -> bool {
        self.entry.is_some()
    }

    /// The component the kept way in enters (its root's position), with
    /// what it alone takes down searched: from then on
    /// [`Crossing::alone_bits`] and [`Crossing::taken_down`] are for it.
    /// O(what it takes down + their edges) when it is not the last one.
    pub(super) fn entered(&mut self, layout: &Layout) -> Option<u32> {
        let home = self.entry.as_ref()?.home;
        if self.home != Some(home) {
            self.search(layout, home);
        }
        Some(home)
    }

    /// What the component [`Crossing::entered`] alone takes down: a bit
    /// per position, set where down.
    pub(super) fn alone_bits(&self) -> &[u64] {
        &self.alone_bits
    }

    /// How many gates the component [`Crossing::entered`] alone takes
    /// down.
    pub(super) fn taken_down(&self) -> usize {
        self.set.len()
    }

    /// Forgets the way in kept (its search's marks are gone).
    pub(super) fn forget_entry(&mut self) {
        self.entry_of = None;
        self.entry = None;
    }

    /// Keeps the way in of the candidate at position `c`.
    pub(super) fn enter(&mut self, c: u32, entry: Option<Entry>) {
        self.entry_of = Some(c);
        self.entry = entry;
    }

    /// A chain of positions from `target` (left out) to `candidate`, whose
    /// way in ([`Crossing::enter`]) is kept, both down in lane `bit` of
    /// `down`. `None` when the candidate's failure enters no component,
    /// when the target is not among what the component alone takes down,
    /// or when a gate of the chain is not down in the lane (the paths
    /// assume the lane is a failure that takes the component down; that
    /// is checked, not trusted). O(the chain's length), after
    /// O(what the component takes down + its edges) once per component.
    pub(super) fn chain(
        &mut self,
        layout: &Layout,
        (down, bit): (&[u64], u64),
        (target, candidate): (u32, u32),
    ) -> Option<Vec<u32>> {
        let (home, member) = (self.entry.as_ref()).map(|e| (e.home, e.member))?;
        if self.home != Some(home) {
            self.search(layout, home);
        }
        // The target's path to the root, then the root's to the
        // candidate (in buffers kept from chain to chain).
        let (mut to_root, mut to_candidate) = std::mem::take(&mut self.paths);
        to_root.clear();
        to_candidate.clear();
        let found = self.paths_of(
            (target, candidate),
            member,
            (&mut to_root, &mut to_candidate),
        );
        let chain = found.map(|()| {
            let (i, j) = self.shortcut(layout, target, (&to_root, &to_candidate));
            let mut chain = Vec::with_capacity(i + to_candidate.len().saturating_sub(j));
            let ends = (target, candidate);
            for &p in to_root[..i].iter().chain(&to_candidate[j..]) {
                if self.push(&mut chain, p, ends) {
                    break;
                }
            }
            chain
        });
        self.paths = (to_root, to_candidate);
        chain.filter(|c| c.last() == Some(&candidate) && all_down(c, (down, bit)))
    }

    /// The target's path to the root, or to the candidate if it comes
    /// first, into `to_root`; and the root's path to `member`, then the
    /// way in, into `to_candidate`. `None` where a path is missing.
    fn paths_of(
        &self,
        (target, candidate): (u32, u32),
        member: u32,
        (to_root, to_candidate): (&mut Vec<u32>, &mut Vec<u32>),
    ) -> Option<()> {
        let home = self.home?;
        let mut p = target;
        while p != home && p != candidate {
            p = *self.toward.get(p as usize).filter(|&&q| q != NONE)?;
            to_root.push(p);
        }
        to_candidate.push(member);
        let mut q = member;
        while q != home {
            q = *self.from_root.get(q as usize).filter(|&&q| q != NONE)?;
            to_candidate.push(q);
        }
        to_candidate.reverse();
        to_candidate.extend(self.entry.as_ref().map_or(&[][..], |e| &e.path));
        Some(())
    }

    /// Where to leave the target's path to the root for the root's path
    /// to the candidate: the `i` first gates of `to_root`, then `to_candidate`
    /// from `j` on, the shortest such join where the gate left is the one
    /// joined or one of its requirements can take it down (the two
    /// paths are shortest from and to the root, so a step between them is
    /// all a chain can gain). Both paths are down wherever the component
    /// is. O(the paths' gates and their requirements).
    fn shortcut(
        &mut self,
        layout: &Layout,
        target: u32,
        (to_root, to_candidate): (&[u32], &[u32]),
    ) -> (usize, usize) {
        for (j, &q) in to_candidate.iter().enumerate() {
            self.at[q as usize] = j as u32;
        }
        let on_way = |p: u32| {
            let j = self.at[p as usize] as usize;
            (to_candidate.get(j) == Some(&p)).then_some(j)
        };
        let last = to_candidate.len().saturating_sub(1);
        // The plain join: the whole path to the root (which ends there, at
        // `to_candidate[0]`), or its first gates up to the candidate.
        let mut best = (to_root.len() + last, to_root.len(), 1);
        for (i, &p) in std::iter::once(&target).chain(to_root).enumerate() {
            if let Some(j) = on_way(p) {
                // `p` is on the way: the first `i` gates (it included,
                // unless it is the target), then past it.
                let steps = i + last - j;
                if steps < best.0 {
                    best = (steps, i, j + 1);
                }
            }
            let gate = layout.gate[p as usize];
            for &(r, mode) in layout.reqs_at(p as usize) {
                if let Some(j) = on_way(r).filter(|_| gate.carries_down(mode)) {
                    let steps = i + 1 + last - j;
                    if steps < best.0 {
                        best = (steps, i, j);
                    }
                }
            }
        }
        (best.1, best.2)
    }

    /// Appends `p` to `chain`, cutting out the loop when it is there
    /// already, and starting over when it is the target. Whether it is the
    /// candidate, where the chain ends.
    fn push(&mut self, chain: &mut Vec<u32>, p: u32, (target, candidate): (u32, u32)) -> bool {
        let i = self.at[p as usize] as usize;
        if p == target {
            chain.clear();
        } else if chain.get(i) == Some(&p) {
            chain.truncate(i + 1);
        } else {
            self.at[p as usize] = chain.len() as u32;
            chain.push(p);
        }
        p == candidate
    }

    /// Makes the paths of the component at `home`: forth from the root
    /// through every edge that can take a gate down to gates the component
    /// alone takes down, and back from the root along hard edges inside
    /// the component. O(what the component takes down + their edges +
    /// gates / 64).
    fn search(&mut self, layout: &Layout, home: u32) {
        let n = layout.at.len();
        if self.toward.len() != n {
            self.toward = vec![NONE; n];
            self.from_root = vec![NONE; n];
            self.at = vec![0; n];
            self.set.clear();
            self.inside.clear();
        }
        let alone = self
            .alone
            .get_or_insert_with(|| Box::new(Lanes::new(layout)));
        alone.take_down_alone(layout, Ground::down(home));
        self.alone_bits.resize(n.div_ceil(64), 0);
        for p in self.alone_set.drain(..) {
            self.alone_bits[p as usize / 64] = 0;
        }
        for &g in &alone.touched {
            let p = layout.position(g);
            if alone.down[p as usize] != 0 {
                self.alone_bits[p as usize / 64] |= 1 << (p % 64);
                self.alone_set.push(p);
            }
        }
        debug_assert_eq!(
            self.alone_set.len(),
            alone.down.iter().filter(|&&w| w != 0).count(),
            "every gate down is touched"
        );
        for &p in &self.set {
            self.toward[p as usize] = NONE;
        }
        for &p in &self.inside {
            self.from_root[p as usize] = NONE;
        }
        self.set.clear();
        self.inside.clear();
        self.home = Some(home);
        self.search_forth(layout, home);
        self.search_back(layout, home);
    }

    /// From the root, forth through every edge that can take a gate down,
    /// to gates the component alone takes down (as `alone` holds them):
    /// fills `toward`, with `set` as the queue.
    fn search_forth(&mut self, layout: &Layout, home: u32) {
        let Some(alone) = self.alone.as_deref() else {
            return;
        };
        let down = &alone.down;
        self.set.push(home);
        let mut next = 0;
        while let Some(&p) = self.set.get(next) {
            next += 1;
            for q in layout.deps_down_at(p as usize) {
                let is_down = down.get(q as usize).is_some_and(|&w| w != 0);
                if q != home && is_down && self.toward[q as usize] == NONE {
                    self.toward[q as usize] = p;
                    self.set.push(q);
                }
            }
        }
    }

    /// From the root, back along hard edges inside the component: fills
    /// `from_root`, with `inside` as the queue.
    fn search_back(&mut self, layout: &Layout, home: u32) {
        self.inside.push(home);
        let mut next = 0;
        while let Some(&p) = self.inside.get(next) {
            next += 1;
            let gate = layout.gate[p as usize];
            for &(r, mode) in layout.reqs_at(p as usize) {
                if r != home
                    && self.from_root[r as usize] == NONE
                    && layout.hard_component_at(r) == Some(home)
                    && hard(gate, mode)
                {
                    self.from_root[r as usize] = p;
                    self.inside.push(r);
                }
            }
        }
    }
}

/// Whether every position of `chain` is down in lane `bit`: what the
/// paths assume of the lane, checked rather than trusted.
fn all_down(chain: &[u32], (down, bit): (&[u64], u64)) -> bool {
    (chain.iter()).all(|&p| down.get(p as usize).is_some_and(|w| w & bit != 0))
}
