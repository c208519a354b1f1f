//! Data parallelism for bulk work (analytics over a million invoices), natively.
//!
//! Work is cut into chunks of a fixed size whatever the machine, and the chunk results come back in
//! order, so an answer never depends on the number of threads: the same chunks are combined the
//! same way on a 64-core server, on one core, and in WebAssembly (one thread), where the chunks
//! simply run in turn. Threads are scoped: nothing outlives the call.

use std::sync::OnceLock;

/// Items per chunk. Large enough that a thread's start-up cost is negligible, small enough that
/// two or more chunks exist once parallelism pays.
pub const CHUNK: usize = 1 << 15;

/// How many threads bulk work may use here. Asked once: the answer reads the cgroup files of the
/// process each time, tens of microseconds, more than a small ledger's whole check.
fn threads() -> usize {
    if cfg!(target_arch = "wasm32") {
        return 1;
    }
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// Runs `f(offset, chunk)` on consecutive chunks of `items` and returns the results in chunk
/// order; `offset` is the chunk's first index in `items`.
pub fn map_chunks<'t, T: Sync, R: Send>(items: &'t [T], f: impl Fn(usize, &'t [T]) -> R + Sync) -> Vec<R> {
    let chunks: Vec<(usize, &'t [T])> = items.chunks(CHUNK).enumerate().map(|(k, c)| (k * CHUNK, c)).collect();
    let workers = threads().min(chunks.len());
    if workers <= 1 {
        return chunks.into_iter().map(|(offset, c)| f(offset, c)).collect();
    }
    // Thread `w` takes chunks w, w + workers, ...; the results are then put back in order.
    let f = &f;
    let chunks = &chunks;
    let run = move |w: usize| -> Vec<(usize, R)> {
        chunks.iter().enumerate().skip(w).step_by(workers).map(|(k, (offset, c))| (k, f(*offset, c))).collect()
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let spawned: Vec<_> =
            (1..workers).map(|w| (w, std::thread::Builder::new().spawn_scoped(s, move || run(w)))).collect();
        let mut done = run(0);
        for (w, handle) in spawned {
            match handle {
                Ok(h) => match h.join() {
                    Ok(part) => done.extend(part),
                    Err(payload) => std::panic::resume_unwind(payload),
                },
                // No thread to be had: this one does that share.
                Err(_) => done.extend(run(w)),
            }
        }
        done
    });
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Runs `a` and `b`, at the same time when a second thread is available and `items` (how many
/// items the larger of the two goes through) make at least a chunk: below that, starting a thread
/// costs more than it saves (a one-invoice ledger was checked ten times slower). `b` is borrowed
/// by the thread (hence `Fn`), so that it can still run here if no thread can be started.
pub fn join<A: Send, B: Send>(items: usize, a: impl FnOnce() -> A + Send, b: impl Fn() -> B + Sync) -> (A, B) {
    if threads() <= 1 || items < CHUNK {
        return (a(), b());
    }
    let b = &b;
    std::thread::scope(|s| match std::thread::Builder::new().spawn_scoped(s, b) {
        Ok(handle) => {
            let a = a();
            match handle.join() {
                Ok(b) => (a, b),
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        // No thread to be had: one after the other.
        Err(_) => (a(), b()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_come_back_in_order_with_their_offsets() {
        let items: Vec<usize> = (0..(3 * CHUNK + 17)).collect();
        let parts = map_chunks(&items, |offset, c| (offset, c.len(), c.iter().sum::<usize>()));
        assert_eq!(parts.len(), 4);
        assert_eq!(parts.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, CHUNK, 2 * CHUNK, 3 * CHUNK]);
        assert_eq!(parts.iter().map(|p| p.2).sum::<usize>(), items.iter().sum::<usize>());
        assert_eq!(parts[3].1, 17);
        assert!(map_chunks(&[] as &[u8], |_, c| c.len()).is_empty());
    }

    #[test]
    fn join_returns_both() {
        let (a, b) = join(CHUNK, || 2 + 2, || "four".to_owned());
        assert_eq!((a, b.as_str()), (4, "four"));
    }

    #[test]
    fn small_work_stays_on_this_thread() {
        let here = std::thread::current().id();
        let (a, b) = join(CHUNK - 1, || std::thread::current().id(), || std::thread::current().id());
        assert_eq!((a, b), (here, here));
    }
}
