//! Giving memory back to the system after bulk work.
//!
//! Loading a mirror, indexing it and merging a sync allocate and free millions of small blocks
//! (every record is decoded once and dropped). glibc's allocator keeps the freed pages for
//! reuse, so the process would stay at its peak (about 500 MB for 100,000 customers) while it
//! holds about 240 MB. [`release_free_memory`] asks it to return whole free pages (about 60 MB
//! in that case), once, after each such step on a worker thread.

/// Returns the allocator's free pages to the system. Does nothing where the allocator is not
/// glibc's.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's `malloc_trim` takes the allocator's own locks and only releases
        // memory that no allocation uses; it is safe to call from any thread at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Blocks of this size and larger get pages of their own (see [`tune_allocator`]).
pub const MMAP_THRESHOLD: i32 = 1 << 20;

/// Makes glibc's allocator map every block of [`MMAP_THRESHOLD`] or more on pages of its own,
/// unless `MALLOC_MMAP_THRESHOLD_` says otherwise. glibc starts at 128 KiB but raises the
/// threshold each time such a block is freed, up to 32 MiB, after which the big vectors of
/// the index, the sort orders and the contacts pane land inside the arenas of the threads that
/// build them; when they are dropped or grown, the arena keeps their pages, interleaved with
/// small live blocks, and neither reuse nor [`release_free_memory`] gives them back. At
/// 100,000 customers opening the contacts pane (34 MB held) cost 55 to 89 MB of RSS
/// (309 to 343 MB in all) and now costs about 31 MB (285 MB), and two full syncs leave the
/// process at 255 MB, measured with `CONTACTS_PANE=1` and `FULL_SYNCS=2
/// assets/measure-memory.sh 100000`. Limiting the number of arenas instead cut the pane to
/// 289 MB but left two full syncs at 286 MB. Call it first in `main`, before any thread
/// exists. Does nothing where the allocator is not glibc's.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_some() {
            return;
        }
        unsafe extern "C" {
            fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
        }
        // glibc's `M_MMAP_THRESHOLD` (malloc.h).
        const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
        // SAFETY: `mallopt` only sets a parameter of glibc's allocator under its own lock;
        // blocks already allocated stay where they are, it decides where new ones go.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn releasing_keeps_live_memory_intact() {
        let live: Vec<String> = (0..10_000).map(|i| format!("record {i}")).collect();
        let freed: Vec<Vec<u8>> = (0..1_000).map(|_| vec![7u8; 4096]).collect();
        drop(freed);
        super::release_free_memory();
        assert_eq!(live[9_999], "record 9999");
        assert!(
            live.iter()
                .enumerate()
                .all(|(i, s)| *s == format!("record {i}"))
        );
    }
}
