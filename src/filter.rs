//! The list's filter and sort over 100,000 rows within a frame: pure functions over plain
//! data, for `app::update::refilter` and `app::update::resort` to call.
//!
//! # Why
//! The list's rows sit in memory in the order they were loaded (the mirror's: by id), and the
//! list shows them in another (by name). Filtering by walking the sorted order touches every
//! row in a random order: 100,000 cache misses, some 10 ms, before a single row is tested.
//! Sorting with a comparison that reads two rows' names through their text is as bad, many
//! times over (`n log n` random reads). Here:
//! - [`RowSet::from_rows`] tests every row once in memory order (what the cache likes) and
//!   [`RowSet::in_order`] then reads one bit per row in the sorted order;
//! - [`rows_matching`] marks the rows of the customers the mirror's search found, so only
//!   those rows are read at all;
//! - [`sorted_rows`] reads each row's sort key once, in memory order, as a 128-bit prefix, sorts
//!   the prefixes, and compares rows fully only where two prefixes are equal.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::BuildHasher;

use crate::api::model::Id;
use crate::mirror::CustomerMatches;

/// A set of rows (indexes into the list's rows), one bit each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowSet {
    bits: Vec<u64>,
}

impl RowSet {
    /// No row of `n`.
    pub fn empty(n: usize) -> RowSet {
        RowSet {
            bits: vec![0; n.div_ceil(64)],
        }
    }

    /// The rows `0..n` that `keep` accepts, each tested once, in memory order.
    pub fn from_rows(n: usize, keep: impl Fn(usize) -> bool) -> RowSet {
        let mut set = RowSet::empty(n);
        for i in 0..n {
            if keep(i) {
                set.insert(i);
            }
        }
        set
    }

    pub fn insert(&mut self, i: usize) {
        if let Some(w) = self.bits.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    pub fn contains(&self, i: usize) -> bool {
        self.bits
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Keeps the rows `keep` accepts (tested in memory order, only the rows in the set).
    pub fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        for (k, w) in self.bits.iter_mut().enumerate() {
            let mut rest = *w;
            while rest != 0 {
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                if !keep(k * 64 + bit) {
                    *w &= !(1 << bit);
                }
            }
        }
    }

    /// Number of rows in the set.
    pub fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }

    /// The rows of the set, in the order of `order` (every row once, as the list's `order`).
    pub fn in_order(&self, order: &[usize]) -> Vec<usize> {
        let mut shown = Vec::with_capacity(self.len());
        shown.extend(order.iter().copied().filter(|&i| self.contains(i)));
        shown
    }
}

/// The rows of the customers in `matches`, through the list's id-to-row index, among `n` rows.
/// Customers the list does not have are left out.
pub fn rows_matching<S: BuildHasher>(
    matches: &CustomerMatches,
    index: &HashMap<Id, usize, S>,
    n: usize,
) -> RowSet {
    let mut set = RowSet::empty(n);
    for id in matches.ids() {
        if let Some(&i) = index.get(id) {
            set.insert(i);
        }
    }
    set
}

/// The first 16 bytes of a text as a number that orders as the text does (byte by byte, a
/// shorter text first): a sort prefix for [`sorted_rows`].
pub fn text_prefix(s: &str) -> u128 {
    let mut b = [0u8; 16];
    let n = s.len().min(16);
    b[..n].copy_from_slice(&s.as_bytes()[..n]);
    u128::from_be_bytes(b)
}

/// A signed number as a sort prefix (orders as the number does).
pub fn number_prefix(n: i64) -> u128 {
    u128::from((n as u64) ^ (1 << 63)) << 64
}

/// The rows `0..n` sorted by `cmp` (a total order, ties broken by the caller, e.g. by id),
/// reversed when `descending`. `prefix(i)` must agree with `cmp`: a smaller prefix means a
/// smaller row; only rows with equal prefixes are compared with `cmp`. Each row's prefix is
/// read once, in memory order. Make the prefix hold every key of the comparison that fits
/// (`(city, name)` as two `u128`s for a sort by city then name): a key with few values (a
/// city) alone would leave long runs of equal prefixes to the slow comparison.
pub fn sorted_rows<K: Ord + Copy>(
    n: usize,
    prefix: impl Fn(usize) -> K,
    cmp: impl Fn(usize, usize) -> Ordering,
    descending: bool,
) -> Vec<usize> {
    let mut keyed: Vec<(K, usize)> = (0..n).map(|i| (prefix(i), i)).collect();
    keyed.sort_unstable_by_key(|&(p, _)| p);
    // Runs of equal prefixes, in order: sorted by the full comparison.
    let mut start = 0;
    while start < keyed.len() {
        let p = keyed[start].0;
        let end = start + keyed[start..].partition_point(|&(q, _)| q == p);
        if end - start > 1 {
            keyed[start..end].sort_by(|a, b| cmp(a.1, b.1));
        }
        start = end;
    }
    let mut order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    if descending {
        order.reverse();
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names with long shared beginnings, empty ones, other scripts and duplicates.
    fn names() -> Vec<String> {
        let stems = [
            "smith & sons plumbing",
            "smith & sons plumbing of tampa",
            "smith",
            "",
            "zoë",
            "東京トレーディング",
            "a",
            "smith & sons plumbinh",
        ];
        (0..500)
            .map(|i| {
                let s = stems[(i * 7 + i / 3) % stems.len()];
                if i.is_multiple_of(5) {
                    format!("{s}{}", i % 13)
                } else {
                    s.to_string()
                }
            })
            .collect()
    }

    #[test]
    fn sorted_rows_is_the_plain_sort_both_ways() {
        let names = names();
        let ids: Vec<u64> = (0..names.len() as u64).map(|i| (i * 7919) % 1009).collect();
        let cmp = |a: usize, b: usize| names[a].cmp(&names[b]).then(ids[a].cmp(&ids[b]));
        for descending in [false, true] {
            let mut plain: Vec<usize> = (0..names.len()).collect();
            plain.sort_by(|&a, &b| {
                let o = cmp(a, b);
                if descending { o.reverse() } else { o }
            });
            let fast = sorted_rows(names.len(), |i| text_prefix(&names[i]), cmp, descending);
            assert_eq!(fast, plain, "descending {descending}");
        }
        // Numbers, negative ones too.
        // Two keys: few values first, then names.
        let city: Vec<String> = (0..names.len())
            .map(|i| ["", "tampa", "austin"][i % 3].to_string())
            .collect();
        let cmp2 = |a: usize, b: usize| {
            city[a]
                .cmp(&city[b])
                .then(names[a].cmp(&names[b]))
                .then(ids[a].cmp(&ids[b]))
        };
        let mut plain: Vec<usize> = (0..names.len()).collect();
        plain.sort_by(|&a, &b| cmp2(a, b));
        let key = |i: usize| (text_prefix(&city[i]), text_prefix(&names[i]));
        assert_eq!(sorted_rows(names.len(), key, cmp2, false), plain);
        let when: Vec<i64> = (0..300).map(|i| (i * 37 % 101) - 50).collect();
        let cmp = |a: usize, b: usize| when[a].cmp(&when[b]).then(a.cmp(&b));
        let mut plain: Vec<usize> = (0..when.len()).collect();
        plain.sort_by(|&a, &b| cmp(a, b));
        assert_eq!(
            sorted_rows(when.len(), |i| number_prefix(when[i]), cmp, false),
            plain
        );
        assert!(sorted_rows(0, |_| 0u8, |_, _| Ordering::Equal, true).is_empty());
    }

    #[test]
    fn text_prefix_orders_as_the_text() {
        let mut texts = names();
        texts.extend(["ab", "ab\u{1}", "abc", "b", "aa"].map(String::from));
        for a in &texts {
            for b in &texts {
                let (pa, pb) = (text_prefix(a), text_prefix(b));
                if pa < pb {
                    assert_eq!(a.cmp(b), Ordering::Less, "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn row_sets_filter_in_memory_order_and_read_in_the_lists() {
        let keep = |i: usize| i.is_multiple_of(3) || i == 129;
        let set = RowSet::from_rows(200, keep);
        assert_eq!(set.len(), (0..200).filter(|&i| keep(i)).count());
        assert!(set.contains(129) && set.contains(0) && !set.contains(1) && !set.contains(500));
        let order: Vec<usize> = (0..200).rev().collect();
        let shown = set.in_order(&order);
        let plain: Vec<usize> = order.iter().copied().filter(|&i| keep(i)).collect();
        assert_eq!(shown, plain);
        let mut fewer = set.clone();
        fewer.retain(|i| i > 100);
        assert_eq!(
            fewer.in_order(&order),
            plain
                .iter()
                .copied()
                .filter(|&i| i > 100)
                .collect::<Vec<_>>()
        );
        assert!(RowSet::empty(10).is_empty());
        assert!(RowSet::default().in_order(&[0, 1]).is_empty());
    }

    #[test]
    fn rows_of_the_customers_found() {
        use crate::api::model::Customer;
        use crate::mirror::SearchIndex;
        let customers: Vec<Customer> = [(7, "Acme Dental"), (3, "Acme Law"), (9, "Other")]
            .map(|(id, name)| Customer {
                id,
                business_name: Some(name.into()),
                ..Customer::default()
            })
            .to_vec();
        let ix = SearchIndex::from_customers(&customers);
        let m = ix.matching_customers("acme");
        // The list has customer 7 at row 0 and 3 at row 2; 9 is row 1.
        let index: HashMap<Id, usize> = [(7, 0), (9, 1), (3, 2)].into();
        let set = rows_matching(&m, &index, 3);
        assert_eq!(set.in_order(&[2, 1, 0]), vec![2, 0]);
    }
}
