//! Id to index without a second copy of the ids.
//!
//! A `HashMap<String, NodeId>` keeps every id twice (once in its node, once
//! as a key) and spends 32 bytes a slot; at a million nodes that is more
//! than the file. The table here keeps only `NodeId`s (4 bytes a slot) and
//! compares through a function that gives each index's text: the nodes'
//! ids in the model, the symbols' texts in the loader.
//!
//! The hash is std's SipHash with a key drawn per process: the ids come
//! from untrusted files, and a predictable hash would let a file make every
//! lookup collide.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use super::NodeId;

/// A set of `NodeId`s found by their text. Every method takes `text_of`,
/// which must give the same text for an index as when it was inserted, as
/// bytes: comparing needs no check that they are UTF-8 (see [`Id`](super::Id)).
#[derive(Clone, Debug, Default)]
pub struct IdIndex {
    table: HashTable<NodeId>,
    state: RandomState,
}

impl IdIndex {
    /// How many ids it holds.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The index whose text is `id`. O(1) expected, O(|id|) to hash.
    pub fn find<'t>(&self, id: &str, text_of: impl Fn(NodeId) -> &'t [u8]) -> Option<NodeId> {
        let id = id.as_bytes();
        let hash = self.state.hash_one(id);
        self.table.find(hash, |&at| text_of(at) == id).copied()
    }

    /// The index whose text is `id`, or `new` inserted for it: `(index,
    /// true)` when it was inserted. `text_of(new)` need not answer yet.
    pub fn find_or_insert<'t>(
        &mut self,
        id: &str,
        new: NodeId,
        text_of: impl Fn(NodeId) -> &'t [u8],
    ) -> (NodeId, bool) {
        let state = &self.state;
        let id = id.as_bytes();
        let hash = state.hash_one(id);
        let entry = self.table.entry(
            hash,
            |&at| text_of(at) == id,
            |&at| state.hash_one(text_of(at)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(found) => (*found.get(), false),
            hashbrown::hash_table::Entry::Vacant(vacant) => {
                vacant.insert(new);
                (new, true)
            }
        }
    }

    /// Room for `more` ids without growing.
    pub fn reserve<'t>(&mut self, more: usize, text_of: impl Fn(NodeId) -> &'t [u8]) {
        let state = &self.state;
        self.table.reserve(more, |&at| state.hash_one(text_of(at)));
    }

    /// Renumbers the indices: `to` gives each one's new index, or `None`
    /// to drop it. The new indices must have the same texts as the old.
    pub fn renumber(&mut self, to: impl Fn(NodeId) -> Option<NodeId>) {
        self.table.retain(|at| match to(*at) {
            Some(new) => {
                *at = new;
                true
            }
            None => false,
        });
    }

    /// Every index, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.table.iter().copied()
    }
}

/// Equal when they hold the same indices: the texts are the nodes', which
/// an architecture compares on its own.
impl PartialEq for IdIndex {
    fn eq(&self, other: &Self) -> bool {
        let sorted = |index: &IdIndex| {
            let mut all: Vec<NodeId> = index.iter().collect();
            all.sort_unstable();
            all
        };
        self.len() == other.len() && sorted(self) == sorted(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inserts_and_renumbers_through_the_texts() {
        let mut texts: Vec<&str> = Vec::new();
        let mut index = IdIndex::default();
        for (i, id) in ["a", "b", "a", "c", "b"].into_iter().enumerate() {
            let new = NodeId(texts.len() as u32);
            let (got, inserted) = index.find_or_insert(id, new, |at| texts[at.index()].as_bytes());
            assert_eq!(inserted, got == new, "{i}");
            if inserted {
                texts.push(id);
            }
        }
        assert_eq!(texts, ["a", "b", "c"]);
        assert_eq!(
            index.find("c", |at| texts[at.index()].as_bytes()),
            Some(NodeId(2))
        );
        assert_eq!(index.find("d", |at| texts[at.index()].as_bytes()), None);
        // Drop "b", and swap "a" and "c".
        index.renumber(|at| [Some(NodeId(1)), None, Some(NodeId(0))][at.index()]);
        let after = ["c", "a"];
        assert_eq!(index.len(), 2);
        assert_eq!(
            index.find("a", |at| after[at.index()].as_bytes()),
            Some(NodeId(1))
        );
        assert_eq!(index.find("b", |at| after[at.index()].as_bytes()), None);
    }

    #[test]
    fn grows_past_many_ids() {
        let texts: Vec<String> = (0..10_000).map(|i| format!("id-{i}")).collect();
        let mut index = IdIndex::default();
        for (i, id) in texts.iter().enumerate() {
            let (got, inserted) =
                index.find_or_insert(id, NodeId(i as u32), |at| texts[at.index()].as_bytes());
            assert!(inserted);
            assert_eq!(got, NodeId(i as u32));
        }
        for (i, id) in texts.iter().enumerate() {
            assert_eq!(
                index.find(id, |at| texts[at.index()].as_bytes()),
                Some(NodeId(i as u32))
            );
        }
    }
}
