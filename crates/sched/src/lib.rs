//! The Linux scheduler's time slice for the server's threads.
//!
//! A message crosses three threads of the server (the socket's worker, the
//! writer task's runtime worker, the SQLite writer) and each crossing is a
//! wake-up. When the core is busy, the woken thread waits until the running
//! one has used its slice: the kernel's default is 0.75 ms × (1 + log2 of
//! the CPUs), 1.4–3 ms, so a message waiting behind a few such slices made
//! the p99 at 5,000 messages a second on one core (docs/BENCHMARKS.md,
//! "Scheduler slices"). Since Linux 6.12 a thread may ask for a shorter
//! slice (`sched_attr::sched_runtime` under `SCHED_OTHER`, 0.1–100 ms): its
//! deadline comes sooner, so it is picked first when it wakes, and it may
//! preempt a thread whose slice is longer. Its share of the CPU does not
//! change (that is the weight, i.e. the nice value): only when it gets it.
//!
//! [`set_process_slice`] gives every thread of this process that slice;
//! threads started later inherit it from the thread that starts them.
//!
//! This is the workspace's only `unsafe` code: two system calls that neither
//! the standard library nor `nix` wraps, on a `#[repr(C)]` struct owned by
//! the caller.

use std::time::Duration;

/// The kernel's bounds for a custom slice (it clamps outside them; we
/// refuse instead, so a typo is an error, not a silent 100 ms).
pub const MIN_SLICE: Duration = Duration::from_micros(100);
/// See [`MIN_SLICE`].
pub const MAX_SLICE: Duration = Duration::from_millis(100);

/// Why a slice could not be set.
#[derive(Debug, thiserror::Error)]
pub enum SliceError {
    /// Outside [`MIN_SLICE`]..=[`MAX_SLICE`].
    #[error("a slice must be between 100 µs and 100 ms, not {0:?}")]
    OutOfRange(Duration),
    /// Not Linux, or a kernel older than 6.12 (it takes the call but keeps
    /// its own slice).
    #[error("this kernel does not take a thread's own time slice (Linux 6.12 or later does)")]
    Unsupported,
    /// The threads of this process could not be listed or changed.
    #[error("setting the scheduler slice failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Sets the scheduler slice of every thread of this process to `slice`, and
/// returns how many threads were changed. Threads this process starts
/// afterwards inherit the slice from their parent thread.
///
/// Threads under a real-time policy are left as they are; a thread's nice
/// value and policy are kept.
pub fn set_process_slice(slice: Duration) -> Result<usize, SliceError> {
    if !(MIN_SLICE..=MAX_SLICE).contains(&slice) {
        return Err(SliceError::OutOfRange(slice));
    }
    imp::set_process_slice(slice)
}

/// The slice the calling thread runs with, when the kernel says (Linux 6.12
/// or later: `None` elsewhere, or when the thread keeps the default).
pub fn current_thread_slice() -> Result<Option<Duration>, SliceError> {
    imp::current_thread_slice()
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod imp {
    use super::SliceError;
    use std::io;
    use std::time::Duration;

    const SCHED_OTHER: u32 = 0;
    const SCHED_BATCH: u32 = 3;
    const SCHED_IDLE: u32 = 5;

    /// `struct sched_attr` (include/uapi/linux/sched/types.h) up to
    /// `sched_period`: the size the kernel has taken since 3.14
    /// (`SCHED_ATTR_SIZE_VER0`).
    #[repr(C)]
    #[derive(Default)]
    struct SchedAttr {
        size: u32,
        sched_policy: u32,
        sched_flags: u64,
        sched_nice: i32,
        sched_priority: u32,
        sched_runtime: u64,
        sched_deadline: u64,
        sched_period: u64,
    }

    const SIZE: u32 = std::mem::size_of::<SchedAttr>() as u32;

    fn get(tid: libc::pid_t) -> io::Result<SchedAttr> {
        let mut attr = SchedAttr::default();
        // SAFETY: `attr` is a live, writable `SchedAttr` of `SIZE` bytes, the
        // size passed; the kernel writes at most that many bytes into it.
        let r = unsafe {
            libc::syscall(
                libc::SYS_sched_getattr,
                tid,
                &mut attr as *mut SchedAttr,
                SIZE,
                0u32,
            )
        };
        if r == 0 {
            Ok(attr)
        } else {
            Err(io::Error::last_os_error())
        }
    }

    fn set(tid: libc::pid_t, attr: &SchedAttr) -> io::Result<()> {
        // SAFETY: `attr` is a live `SchedAttr` whose `size` field says its
        // size; the kernel only reads it.
        let r =
            unsafe { libc::syscall(libc::SYS_sched_setattr, tid, attr as *const SchedAttr, 0u32) };
        if r == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    fn is_fair(policy: u32) -> bool {
        matches!(policy, SCHED_OTHER | SCHED_BATCH | SCHED_IDLE)
    }

    pub(super) fn set_process_slice(slice: Duration) -> Result<usize, SliceError> {
        let runtime = u64::try_from(slice.as_nanos()).unwrap_or(u64::MAX);
        let mut changed = 0;
        for entry in std::fs::read_dir("/proc/self/task")? {
            let entry = entry?;
            let Some(tid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<libc::pid_t>().ok())
            else {
                continue;
            };
            let mut attr = match get(tid) {
                Ok(a) => a,
                // The thread ended between the listing and now.
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) => continue,
                Err(e) => return Err(e.into()),
            };
            if !is_fair(attr.sched_policy) {
                continue;
            }
            // The same policy and nice (sched_setattr sets both), a new
            // runtime: for the fair policies that is the slice.
            attr.size = SIZE;
            attr.sched_flags = 0;
            attr.sched_runtime = runtime;
            attr.sched_deadline = 0;
            attr.sched_period = 0;
            match set(tid, &attr) {
                Ok(()) => changed += 1,
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) => continue,
                Err(e) => return Err(e.into()),
            }
            // Kernels before 6.12 accept the call and ignore the runtime:
            // read it back so the caller hears that nothing changed.
            match get(tid) {
                Ok(a) if a.sched_runtime == runtime => {}
                Ok(_) => return Err(SliceError::Unsupported),
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(changed)
    }

    pub(super) fn current_thread_slice() -> Result<Option<Duration>, SliceError> {
        // 0: the calling thread.
        let attr = get(0)?;
        Ok((is_fair(attr.sched_policy) && attr.sched_runtime > 0)
            .then(|| Duration::from_nanos(attr.sched_runtime)))
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::SliceError;
    use std::time::Duration;

    pub(super) fn set_process_slice(_: Duration) -> Result<usize, SliceError> {
        Err(SliceError::Unsupported)
    }

    pub(super) fn current_thread_slice() -> Result<Option<Duration>, SliceError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kernel's own view of a thread's slice, in ns
    /// (`/proc/thread-self/sched`, "se.slice").
    fn proc_slice() -> Option<u64> {
        let text = std::fs::read_to_string("/proc/thread-self/sched").ok()?;
        text.lines()
            .find(|l| l.starts_with("se.slice"))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|v| v.trim().parse().ok())
    }

    #[test]
    fn out_of_range_slices_are_refused() {
        assert!(matches!(
            set_process_slice(Duration::from_micros(99)),
            Err(SliceError::OutOfRange(_))
        ));
        assert!(matches!(
            set_process_slice(Duration::from_millis(101)),
            Err(SliceError::OutOfRange(_))
        ));
    }

    // One test sets the slice for the whole test process: the threads that
    // exist (this one, one started before) and one started after.
    #[test]
    fn every_thread_gets_the_slice_and_new_threads_inherit_it() {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let earlier = std::thread::spawn(move || {
            let _ = ready_tx.send(());
            let _ = go_rx.recv();
            (current_thread_slice().ok().flatten(), proc_slice())
        });
        let _ = ready_rx.recv();
        let slice = Duration::from_micros(300);
        match set_process_slice(slice) {
            Ok(n) => assert!(n >= 2, "this thread and the earlier one at least: {n}"),
            // Not a kernel that takes it (< 6.12): nothing else to check.
            Err(SliceError::Unsupported) => return,
            Err(e) => panic!("{e}"),
        }
        let _ = go_tx.send(());
        let later = std::thread::spawn(|| (current_thread_slice().ok().flatten(), proc_slice()));
        let here = (current_thread_slice().ok().flatten(), proc_slice());
        for (who, got) in [
            ("this thread", here),
            (
                "a thread started before",
                earlier.join().unwrap_or_default(),
            ),
            ("a thread started after", later.join().unwrap_or_default()),
        ] {
            assert_eq!(got.0, Some(slice), "{who}: sched_getattr");
            assert_eq!(got.1, Some(300_000), "{who}: /proc/thread-self/sched");
        }
    }
}
