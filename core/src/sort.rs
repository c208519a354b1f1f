//! Stable sorting with one shared routine for every element type.
//!
//! std's sort is compiled anew for each element type and order: 3 to 6 KB of WebAssembly each,
//! 50 KB for the core's dozen sorts. Here short lists (most of ours: an invoice's disputes, a
//! contact's items, a décompte's rate changes) get an insertion sort in place, a few hundred bytes
//! per use and no allocation; longer ones have their positions sorted by the one compiled copy of
//! std's stable sort, through a `dyn` comparison, and are then put in that order by swaps.
//! `tests` holds every path to std's stable sort.

use std::cmp::Ordering;

/// Up to this many items, an insertion sort: fewer comparisons than it saves in set-up.
const SHORT: usize = 16;

/// Sorts `items` by `compare`, stably (equal items keep their order), as `slice::sort_by` does.
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    if items.len() <= SHORT {
        insertion_sort(items, &compare);
        return;
    }
    let order = {
        let items = &*items;
        positions(items.len(), &|a, b| match (items.get(a), items.get(b)) {
            (Some(x), Some(y)) => compare(x, y),
            _ => Ordering::Equal,
        })
    };
    permute(items, order);
}

/// Sorts `items` by a key, stably, as `slice::sort_by_key` does.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their natural order, stably, as `slice::sort` does.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

fn insertion_sort<T>(items: &mut [T], compare: &impl Fn(&T, &T) -> Ordering) {
    for end in 1..items.len() {
        let mut at = end;
        while at > 0 {
            let in_order = match (items.get(at - 1), items.get(at)) {
                (Some(before), Some(item)) => compare(before, item) != Ordering::Greater,
                _ => true,
            };
            if in_order {
                break;
            }
            items.swap(at - 1, at);
            at -= 1;
        }
    }
}

/// The positions `0..len` in the stable order `compare` gives them: the one place std's sort is
/// compiled for.
fn positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Rearranges `items` so that position `k` holds the item that was at `order[k]`, one cycle of
/// the permutation at a time.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..order.len() {
        let mut at = start;
        // Along the cycle, the item that was at `start` moves on; each swap puts one item home.
        while let Some(from) = order.get_mut(at).map(|next| std::mem::replace(next, DONE)) {
            if from == DONE || from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Short and long lists, many equal keys: the same order as std's stable sort, equal items
        // included (told apart by their original position).
        #[test]
        fn sorts_as_std_stable_sort_does(keys in prop::collection::vec(0u8..12, 0..200)) {
            let mut ours: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();
            let mut std_sorted = ours.clone();
            sort_by_key(&mut ours, |&(key, _)| key);
            std_sorted.sort_by_key(|&(key, _)| key);
            prop_assert_eq!(&ours, &std_sorted);

            let mut ours: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();
            let odd_first_then_down = |a: &(u8, usize), b: &(u8, usize)| (b.0 % 2).cmp(&(a.0 % 2)).then_with(|| b.0.cmp(&a.0));
            sort_by(&mut ours, odd_first_then_down);
            std_sorted.sort_by(odd_first_then_down);
            prop_assert_eq!(&ours, &std_sorted);
        }

        #[test]
        fn any_permutation_is_applied(len in 0usize..100, seed: u64) {
            let mut order: Vec<usize> = (0..len).collect();
            // A shuffle from the seed (Fisher-Yates with a small LCG).
            let mut x = seed;
            for i in (1..len).rev() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (x >> 33) as usize % (i + 1));
            }
            let mut items: Vec<usize> = (0..len).map(|i| i * 10).collect();
            permute(&mut items, order.clone());
            prop_assert_eq!(items, order.iter().map(|i| i * 10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn natural_order() {
        let mut words = vec!["pear", "apple", "fig", "apple"];
        sort(&mut words);
        assert_eq!(words, ["apple", "apple", "fig", "pear"]);
        let mut many: Vec<i64> = (0..1000).map(|i| (i * 7919) % 1000 - 500).collect();
        sort(&mut many);
        assert!(many.windows(2).all(|w| w[0] <= w[1]));
    }
}
