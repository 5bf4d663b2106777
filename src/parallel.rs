//! Scans over many rows cut into one part per core: a fresh search over 100,000 customers or
//! 290,000 contacts reads every row, and on two cores it answers in about half the time.

/// Below this many items a scan runs on the calling thread alone (in tests, almost always in
/// parts, so the parts' seams are tested).
pub const PARALLEL_MIN: usize = if cfg!(test) { 2 } else { 50_000 };

/// Runs `part` over `0..n` cut into one consecutive range per core (at most four), the first on
/// the calling thread, and returns the parts' results in order.
pub fn in_parts<R: Send>(n: usize, part: impl Fn(std::ops::Range<usize>) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get().min(4));
    let parts = if n < PARALLEL_MIN { 1 } else { cores };
    if parts <= 1 {
        return vec![part(0..n)];
    }
    let size = n.div_ceil(parts);
    let part = &part;
    std::thread::scope(|s| {
        let others: Vec<_> = (1..parts)
            .map(|i| s.spawn(move || part(i * size..((i + 1) * size).min(n))))
            .collect();
        let mut out = vec![part(0..size.min(n))];
        for h in others {
            out.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts cover the range once, in order, whatever the number of cores; a tiny range
    /// stays whole.
    #[test]
    fn parts_cover_the_range_in_order() {
        for n in [0, 1, 2, 3, 7, 100, 1001] {
            let parts = in_parts(n, |r| r.collect::<Vec<usize>>());
            let joined: Vec<usize> = parts.iter().flatten().copied().collect();
            assert_eq!(joined, (0..n).collect::<Vec<_>>());
            if n < PARALLEL_MIN {
                assert_eq!(parts.len(), 1);
            }
        }
    }
}
