//! FNV-1a, for hash maps keyed by our own indices (sets of part indices,
//! gate ids): the standard SipHash is built against hostile keys, and
//! these are ours, dense numbers the file cannot choose the hashes of.

/// Builds [`FnvHasher`]s: `HashMap<K, V, Fnv>`.
#[derive(Clone, Copy, Default)]
pub(crate) struct Fnv;

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

/// FNV-1a, a multiply per byte, or per number for whole numbers.
pub(crate) struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        // One multiply per index rather than per byte.
        self.0 = (self.0 ^ n).wrapping_mul(0x0100_0000_01b3);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}
