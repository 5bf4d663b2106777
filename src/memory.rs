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

/// At most this many glibc allocator arenas (see [`limit_arenas`]).
pub const ARENAS: i32 = 2;

/// Makes every thread allocate from at most [`ARENAS`] arenas, unless `MALLOC_ARENA_MAX` says
/// otherwise. glibc gives each new thread an arena of its own (up to eight per core); the
/// threads that build the contacts pane, the search index and the sort orders each leave
/// their arena's pages half used, whole free pages given back by [`release_free_memory`] but
/// the rest kept: at 100,000 customers the pane open cost 76 MB of RSS for the 34 MB it holds
/// (343 MB in all, against 289 MB with two arenas, measured with
/// `CONTACTS_PANE=1 assets/measure-memory.sh 100000`). Two arenas are what two cores contend
/// for anyway. Call it first in `main`, before any thread exists. Does nothing where the
/// allocator is not glibc's.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
            return;
        }
        unsafe extern "C" {
            fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
        }
        // glibc's `M_ARENA_MAX` (malloc.h).
        const M_ARENA_MAX: std::ffi::c_int = -8;
        // SAFETY: `mallopt` only sets a parameter of glibc's allocator under its own lock;
        // arenas that exist stay valid, it bounds how many more are made.
        unsafe {
            mallopt(M_ARENA_MAX, ARENAS);
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
