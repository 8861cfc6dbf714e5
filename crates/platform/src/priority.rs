//! Long work that yields to people waiting: a ledger of thousands of rows or a backup runs for
//! seconds, and while it does, a site responsible's page or a custodian's acknowledgement should
//! not wait behind it for a core. The thread that does the long work lowers its own scheduling
//! priority first; the operating system then runs it whenever nothing more urgent wants the core,
//! so on an idle server it is as fast as before.
//!
//! Only the calling thread is lowered, never the process, and never raised back: an unprivileged
//! process may lower a thread's priority but not raise it again, so the work runs on a thread of
//! its own that ends with it.

/// How far below normal long work runs on Linux: nice 10 leaves it about a tenth of a core
/// against one busy thread of normal priority, so it still ends under sustained load.
#[cfg(target_os = "linux")]
pub const LONG_WORK_NICE: i32 = 10;

/// Lowers the calling thread's scheduling priority for long work. An error leaves the thread as
/// it was (the work still runs, only without yielding).
pub fn lower_this_thread() -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        // On Linux a thread has a nice value of its own, addressed by its thread id. One
        // already lower (a server started with `nice`) stays as it is.
        if this_threads_nice()? >= LONG_WORK_NICE {
            return Ok(());
        }
        let thread = rustix::thread::gettid();
        rustix::process::setpriority_process(Some(thread), LONG_WORK_NICE)
            .map_err(|err| format!("lowering the thread's priority: {err}"))
    }
    #[cfg(windows)]
    {
        crate::windows::lower_this_thread()
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        Ok(())
    }
}

/// The calling thread's nice value (Linux), for tests and logs.
#[cfg(target_os = "linux")]
pub fn this_threads_nice() -> Result<i32, String> {
    rustix::process::getpriority_process(Some(rustix::thread::gettid()))
        .map_err(|err| format!("reading the thread's priority: {err}"))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn only_the_calling_thread_is_lowered() {
        let before = this_threads_nice().unwrap();
        let lowered = std::thread::spawn(|| {
            lower_this_thread().unwrap();
            this_threads_nice().unwrap()
        })
        .join()
        .unwrap();
        assert_eq!(lowered, LONG_WORK_NICE.max(before));
        assert_eq!(
            this_threads_nice().unwrap(),
            before,
            "the caller is as it was"
        );
    }
}
