//! The store's connections: one writes, the others read. Every write goes through the one
//! writer, in turn, so writes never wait on SQLite's busy handler (whose sleeps would make a
//! write's p99 a matter of luck); reads run beside it on their own connections (WAL).

use azukari_api::Desk;
use std::sync::{Condvar, Mutex, MutexGuard};

pub(crate) struct Desks {
    /// The store's file, for work long enough to want a connection of its own.
    path: std::path::PathBuf,
    writer: Mutex<Desk>,
    readers: Mutex<Vec<Desk>>,
    returned: Condvar,
}

/// A reader taken from the pool; given back when dropped.
pub(crate) struct Reader<'a> {
    desk: Option<Desk>,
    desks: &'a Desks,
}

impl std::ops::Deref for Reader<'_> {
    type Target = Desk;
    fn deref(&self) -> &Desk {
        self.desk.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Desk {
        self.desk.as_mut().expect("held until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(desk) = self.desk.take() {
            lock(&self.desks.readers).push(desk);
            self.desks.returned.notify_one();
        }
    }
}

/// A poisoned lock means a request panicked while holding a connection; the connection
/// itself is still whole (its transaction rolled back when the panic unwound), so go on.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Desks {
    pub fn new(writer: Desk, readers: Vec<Desk>) -> Desks {
        Desks {
            path: writer.store().path().to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(readers),
            returned: Condvar::new(),
        }
    }

    /// A connection of its own, for long reads (a ledger, a backup).
    pub fn beside(&self) -> Result<Desk, azukari_api::Failure> {
        Desk::open(&self.path)
    }

    pub fn writer(&self) -> MutexGuard<'_, Desk> {
        lock(&self.writer)
    }

    pub fn reader(&self) -> Reader<'_> {
        let mut free = lock(&self.readers);
        loop {
            if let Some(desk) = free.pop() {
                return Reader {
                    desk: Some(desk),
                    desks: self,
                };
            }
            free = self
                .returned
                .wait(free)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}
