//! Hash maps keyed by identifiers, with a fast non-cryptographic hash (the multiply-rotate hash of
//! rustc's FxHasher). Ledgers of a million invoices index their ids several times; SipHash's
//! protection against crafted collisions is not needed for a creditor's own data.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The hasher.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word.iter_mut().zip(rest).for_each(|(w, b)| *w = *b);
            self.add(u64::from_le_bytes(word) ^ (rest.len() as u64) << 56);
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn finish(&self) -> u64 {
        // A product's high bits are the well-mixed ones; hash tables index with the low ones.
        self.0.rotate_left(26)
    }
}

/// A map keyed by ids.
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;
/// A set of ids.
pub type IdSet<K> = HashSet<K, BuildHasherDefault<IdHasher>>;

/// An empty map with room for `n` entries.
pub fn with_capacity<K, V>(n: usize) -> IdMap<K, V> {
    IdMap::with_capacity_and_hasher(n, BuildHasherDefault::default())
}

/// Positions by id, for the ids of a whole ledger (a million invoices, looked up once per message).
///
/// An id of up to 15 bytes (most of them: `INV-2025-000123`) is kept in the table itself, and the table is
/// open-addressed with linear probing, 24 bytes a slot, at most two thirds full: a lookup usually
/// reads one slot and nothing else, where a map of `&str` reads its control bytes, its entry, then
/// the id's own allocation. Longer ids go to an ordinary map.
#[derive(Debug, Clone)]
pub struct IdIndex<'a> {
    slots: Vec<Slot>,
    short_ids: usize,
    long: IdMap<&'a str, usize>,
}

/// An id of at most 15 bytes: its bytes, zero-padded, then its length. A free slot holds `FREE`,
/// whose length byte (255) no id has.
type ShortId = [u64; 2];
const FREE: ShortId = [0, u64::MAX];
const SHORT_MAX: usize = 15;

#[derive(Debug, Clone, Copy)]
struct Slot {
    id: ShortId,
    position: usize,
}

const FREE_SLOT: Slot = Slot { id: FREE, position: 0 };

fn short_id(id: &str) -> Option<ShortId> {
    let len = u8::try_from(id.len()).ok().filter(|&n| usize::from(n) <= SHORT_MAX)?;
    let mut bytes = [0u8; 16];
    bytes.iter_mut().zip(id.as_bytes()).for_each(|(b, c)| *b = *c);
    if let Some(last) = bytes.last_mut() {
        *last = len;
    }
    let mut words = [0u64; 2];
    for (w, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *w = u64::from_le_bytes(word);
    }
    Some(words)
}

/// The first slot to probe, of `slots`: the hash scaled to the table (no power of two needed).
fn slot_of(id: &ShortId, slots: usize) -> usize {
    let mut h = IdHasher::default();
    id.iter().for_each(|w| h.add(*w));
    ((u128::from(h.finish()) * slots as u128) >> 64) as usize
}

impl<'a> IdIndex<'a> {
    /// An empty index with room for `n` ids.
    pub fn with_capacity(n: usize) -> IdIndex<'a> {
        IdIndex { slots: vec![FREE_SLOT; Self::slots_for(n)], short_ids: 0, long: IdMap::default() }
    }

    /// At most two thirds of the slots are used, so that probes stay short.
    fn slots_for(n: usize) -> usize {
        n.saturating_add(n / 2).max(16)
    }

    /// Records `id` at `position`; returns the position it had if it was already there.
    pub fn insert(&mut self, id: &'a str, position: usize) -> Option<usize> {
        let Some(key) = short_id(id) else { return self.long.insert(id, position) };
        if Self::slots_for(self.short_ids + 1) > self.slots.len() {
            self.grow();
        }
        let n = self.slots.len();
        let mut i = slot_of(&key, n);
        loop {
            let slot = self.slots.get_mut(i)?;
            if slot.id == FREE {
                *slot = Slot { id: key, position };
                self.short_ids += 1;
                return None;
            }
            if slot.id == key {
                return Some(std::mem::replace(&mut slot.position, position));
            }
            i = if i + 1 == n { 0 } else { i + 1 };
        }
    }

    fn grow(&mut self) {
        let n = Self::slots_for(self.short_ids + 1).max(self.slots.len() * 2);
        let old = std::mem::replace(&mut self.slots, vec![FREE_SLOT; n]);
        for slot in old.into_iter().filter(|s| s.id != FREE) {
            let mut i = slot_of(&slot.id, n);
            while let Some(s) = self.slots.get_mut(i) {
                if s.id == FREE {
                    *s = slot;
                    break;
                }
                i = if i + 1 == n { 0 } else { i + 1 };
            }
        }
    }

    /// The position of `id`.
    pub fn get(&self, id: &str) -> Option<usize> {
        let Some(key) = short_id(id) else { return self.long.get(id).copied() };
        let n = self.slots.len();
        let mut i = slot_of(&key, n);
        loop {
            let slot = self.slots.get(i)?;
            if slot.id == key {
                return Some(slot.position);
            }
            if slot.id == FREE {
                return None;
            }
            i = if i + 1 == n { 0 } else { i + 1 };
        }
    }

    /// How many ids it holds.
    pub fn len(&self) -> usize {
        self.short_ids + self.long.len()
    }

    /// True when it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for IdIndex<'_> {
    fn default() -> Self {
        IdIndex::with_capacity(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_ids_are_found_and_never_confused() {
        let long = "x".repeat(40);
        let ids = ["", "a", "a\0", "i1", "i10", "0123456789abcde", "0123456789abcdef", long.as_str()];
        let mut index = IdIndex::with_capacity(2); // grows
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.insert(id, i), None, "{id}");
        }
        assert_eq!(index.len(), ids.len());
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id), Some(i), "{id}");
        }
        assert_eq!(index.get("i100"), None);
        assert_eq!(index.get(&"x".repeat(41)), None);
        assert_eq!(index.insert("i1", 99), Some(3));
        assert_eq!(index.get("i1"), Some(99));
        assert_eq!(index.len(), ids.len());
    }

    #[test]
    fn many_ids_through_several_growths() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("INV-{i:06}")).collect();
        let mut index = IdIndex::default();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.insert(id, i), None);
        }
        assert!(ids.iter().enumerate().all(|(i, id)| index.get(id) == Some(i)));
        assert_eq!(index.get("INV-010000"), None);
    }
}
