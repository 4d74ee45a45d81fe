//! The one way the engine spreads work over threads: the items are cut into
//! chunks, each chunk gets one set of graph-sized buffers (made by `scratch`),
//! and every item done is counted in a [`Progress`]. [`map_chunked`] gives a
//! result per item, [`fold_chunked`] what each chunk added up, and
//! [`map_pooled`] a result per item where items cost very different amounts.
//!
//! Why chunks and not rayon's `map_init`: its init may run for every small
//! split, and a graph-sized buffer per split costs more than the work.

use std::sync::Mutex;

use rayon::prelude::*;

use super::Progress;

/// Maps `work` over `items` in parallel; results keep the items' order.
/// `min_chunk` bounds how finely the items are cut (bigger when one item
/// is cheap).
///
/// Cost: the sum of `work` over the items, plus one `scratch` per chunk
/// (about 8 chunks per thread).
pub fn map_chunked<T, S, R>(
    items: &[T],
    min_chunk: usize,
    progress: &Progress,
    scratch: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    // A result per item is a fold whose chunks collect their results.
    fold_chunked(
        items,
        min_chunk,
        progress,
        || (scratch(), Vec::new()),
        |(s, out), item| out.push(work(s, item)),
        |(_, out)| out,
    )
    .into_iter()
    .flatten()
    .collect()
}

/// Does `work` for every item in parallel, each chunk of items on one
/// `scratch`, and returns what `finish` makes of each chunk's scratch, in
/// the items' order: for work that adds up into a buffer rather than
/// giving a result per item. `min_chunk` as in [`map_chunked`].
///
/// Cost: the sum of `work` over the items, plus one `scratch` and one
/// `finish` per chunk (about 8 chunks per thread).
pub fn fold_chunked<T, S, R>(
    items: &[T],
    min_chunk: usize,
    progress: &Progress,
    scratch: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &T) + Sync,
    finish: impl Fn(S) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    progress.start(items.len());
    let chunk = chunk_size(items.len(), min_chunk);
    items
        .par_chunks(chunk)
        // Each chunk its own job, so that an idle thread can take any.
        .with_max_len(1)
        .map(|chunk| {
            let mut s = scratch();
            for item in chunk {
                work(&mut s, item);
                progress.advance(1);
            }
            finish(s)
        })
        .collect()
}

/// Maps `work` over `items` in parallel, results in the items' order, each
/// item on buffers taken from `pool` (made by `scratch` when it is empty,
/// so about one per thread) and put back after, where the caller finds
/// them (to read what they counted, or to use them for more items). Threads take work an item at a time, so a few items that cost
/// far more than the rest (batches of failures where a few reach most of
/// the graph, side by side in the layout) do not leave one thread doing
/// them while the others wait, as a chunk of them would.
///
/// Cost: the sum of `work` over the items, plus a lock per item and one
/// `scratch` per buffer set made.
pub fn map_pooled<T, S, R>(
    items: &[T],
    progress: &Progress,
    (pool, scratch): (&Mutex<Vec<S>>, impl Fn() -> S + Sync),
    work: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    S: Send,
    R: Send,
{
    progress.start(items.len());
    items
        .par_iter()
        // Every item its own job: rayon otherwise runs a range of items on
        // one thread once it has split enough, and a range of the costly
        // ones is the thread left working while the others wait.
        .with_max_len(1)
        .map(|item| {
            let taken = pool.lock().ok().and_then(|mut p| p.pop());
            let mut s = taken.unwrap_or_else(&scratch);
            let result = work(&mut s, item);
            if let Ok(mut p) = pool.lock() {
                p.push(s);
            }
            progress.advance(1);
            result
        })
        .collect()
}

/// Sorts `items` on every thread (unstable: for items whose order is
/// total, the same result as a sort on one).
///
/// Cost: O(n log n) over the threads.
pub fn sort_unstable<T: Ord + Send>(items: &mut [T]) {
    items.par_sort_unstable();
}

/// Calls `work` on each of `items` with its partner from `with` (in the
/// same order), on every thread: for filling lists that do not depend on
/// one another.
///
/// Cost: the sum of `work` over the items.
pub fn each_with<T: Send, U: Send>(
    items: &mut [T],
    with: Vec<U>,
    work: impl Fn(&mut T, U) + Sync + Send,
) {
    items
        .par_iter_mut()
        .zip(with.into_par_iter())
        .for_each(|(item, partner)| work(item, partner));
}

/// Runs `a` and `b` side by side (each may spread its own work further)
/// and gives both results: for two independent parts of one command whose
/// parts do not fill the threads alone.
///
/// Cost: that of `a` and `b`; at best the longer of the two.
pub fn both<A, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B)
where
    A: Send,
    B: Send,
{
    rayon::join(a, b)
}

/// Items per chunk: about 8 chunks per thread, at least `min_chunk` items.
fn chunk_size(items: usize, min_chunk: usize) -> usize {
    (items / (rayon::current_num_threads() * 8)).max(min_chunk.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_counts_every_item() {
        let items: Vec<u32> = (0..1000).collect();
        let p = Progress::default();
        let out = map_chunked(
            &items,
            7,
            &p,
            || 0u32,
            |calls, x| {
                *calls += 1;
                x * 2
            },
        );
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!((p.done(), p.total()), (1000, 1000));
    }

    #[test]
    fn folds_every_item_once_in_chunks() {
        let items: Vec<u64> = (1..=1000).collect();
        let p = Progress::default();
        let sums = fold_chunked(&items, 64, &p, || 0u64, |sum, x| *sum += x, |sum| sum);
        assert!(sums.len() <= 1000usize.div_ceil(64));
        assert_eq!(sums.iter().sum::<u64>(), 500_500);
        assert_eq!((p.done(), p.total()), (1000, 1000));
    }
}
