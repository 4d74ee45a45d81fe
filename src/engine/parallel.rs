//! The one way the engine spreads work over threads: the items are cut into
//! chunks, each chunk gets one set of graph-sized buffers (made by `scratch`),
//! and every item done is counted in a [`Progress`].
//!
//! Why chunks and not rayon's `map_init`: its init may run for every small
//! split, and a graph-sized buffer per split costs more than the work.

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
    progress.start(items.len());
    let chunk = (items.len() / (rayon::current_num_threads() * 8)).max(min_chunk.max(1));
    items
        .par_chunks(chunk)
        .flat_map_iter(|chunk| {
            let mut s = scratch();
            chunk
                .iter()
                .map(|item| {
                    let r = work(&mut s, item);
                    progress.advance(1);
                    r
                })
                .collect::<Vec<_>>()
        })
        .collect()
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
}
