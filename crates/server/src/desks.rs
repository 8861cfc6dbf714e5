//! The store's connections: one writes, the others read. Every write goes to the one writer,
//! a thread of its own, so writes never wait on SQLite's busy handler (whose sleeps would make
//! a write's p99 a matter of luck); reads run beside it on their own connections (WAL).
//!
//! The writer commits in groups: it takes every write waiting for it, applies each in a
//! savepoint of one transaction, commits them with one fsync, and only then answers each. A
//! commit waits on the disk (about 3 ms here, `synchronous=FULL`), so one fsync a write would
//! cap the server at a few hundred writes a second, and make a write's wait grow with the
//! number of clients queued before it. A write refused inside a group is rolled back alone;
//! a group whose commit fails is answered "not written", every write of it.

use azukari_api::{Desk, Failure};
use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};

/// The most writes one commit takes: enough to amortise the fsync, few enough that the first
/// of them is not kept waiting long for the last.
const MOST_IN_A_GROUP: usize = 64;

/// No write is taken into a group once its work has run this long: the first write's answer
/// waits for every other of its group, and some writes are slow (a login's Argon2, an
/// import's file), so a group is bounded by time as well as by count.
const LONGEST_GROUP: std::time::Duration = std::time::Duration::from_millis(10);

/// A write given to the writer: it runs on the writer's desk, inside the group's transaction,
/// and returns what answers its client once the group's commit is known.
type Job = Box<dyn FnOnce(&mut Desk) -> Answer + Send>;
type Answer = Box<dyn FnOnce(Result<(), Failure>) + Send>;

pub(crate) struct Desks {
    /// The store's file, for work long enough to want a connection of its own.
    path: std::path::PathBuf,
    /// To the writer thread; `None` once the office closes, so the thread ends.
    queue: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Option<std::thread::JoinHandle<()>>,
    readers: Mutex<Readers>,
}

/// The reading connections not in use, and the requests waiting for one, oldest first. A
/// reader given back goes straight to the oldest waiting request: under load, a request is
/// answered in turn instead of losing each wake-up to whoever asked last (a condition
/// variable wakes any waiter), which made a page's p99 several times its median.
struct Readers {
    free: Vec<Desk>,
    waiting: VecDeque<mpsc::SyncSender<Desk>>,
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
        if let Some(mut desk) = self.desk.take() {
            let mut readers = lock(&self.desks.readers);
            while let Some(next) = readers.waiting.pop_front() {
                // A waiter is parked on its receiver until handed a reader, so this fails
                // only for one that has gone (its thread ended): try the next.
                match next.try_send(desk) {
                    Ok(()) => return,
                    Err(
                        mpsc::TrySendError::Full(back) | mpsc::TrySendError::Disconnected(back),
                    ) => desk = back,
                }
            }
            readers.free.push(desk);
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
        let path = writer.store().path().to_path_buf();
        let (queue, waiting) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("azukari-writer".into())
            .spawn(move || write_in_groups(writer, waiting))
            .expect("the writer thread starts");
        Desks {
            path,
            queue: Mutex::new(Some(queue)),
            writer: Some(writer),
            readers: Mutex::new(Readers {
                free: readers,
                waiting: VecDeque::new(),
            }),
        }
    }

    /// A connection of its own, for long reads (a ledger, a backup).
    pub fn beside(&self) -> Result<Desk, Failure> {
        Desk::open(&self.path)
    }

    /// Runs `work` on the writer's desk, in turn with every other write, and answers once its
    /// group is committed: `Ok` only for a write that is on disk. Blocks; call it off the
    /// async threads. `work` must not ask for the writer itself (it would wait on itself).
    pub fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Desk) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        let (answer, answered) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |desk| {
            let outcome = work(desk);
            Box::new(move |committed: Result<(), Failure>| {
                // The client may have gone; the write stands or falls all the same.
                let _ = answer.send(committed.and(outcome));
            })
        });
        lock(&self.queue)
            .as_ref()
            .ok_or_else(closing)?
            .send(job)
            .map_err(|_| closing())?;
        // Dropped unanswered only if the work panicked: its savepoint was rolled back.
        answered
            .recv()
            .unwrap_or_else(|_| Err(Failure::Internal("the write stopped unfinished".into())))
    }

    /// A reading connection, once one is free and every request that asked before has had
    /// one. Blocks; call it off the async threads.
    pub fn reader(&self) -> Reader<'_> {
        let handed = {
            let mut readers = lock(&self.readers);
            if let Some(desk) = readers.free.pop() {
                return Reader {
                    desk: Some(desk),
                    desks: self,
                };
            }
            let (hand, handed) = mpsc::sync_channel(1);
            readers.waiting.push_back(hand);
            handed
        };
        let desk = handed
            .recv()
            .expect("a waiting request is handed a reader: the pool outlives its readers");
        Reader {
            desk: Some(desk),
            desks: self,
        }
    }
}

impl Drop for Desks {
    /// Lets the writer finish the group it holds, so no write is cut off mid-commit.
    fn drop(&mut self) {
        lock(&self.queue).take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

pub(crate) fn closing() -> Failure {
    Failure::Internal("the office server is shutting down".into())
}

fn write_in_groups(mut desk: Desk, waiting: mpsc::Receiver<Job>) {
    while let Ok(first) = waiting.recv() {
        let began = std::time::Instant::now();
        let mut answers = Vec::new();
        let committed = desk.together(|desk| {
            // Each write is run as it is taken; the group takes whatever has come meanwhile.
            let mut next = Some(first);
            let mut taken = 0;
            while let Some(job) = next.take() {
                taken += 1;
                // A write that panics is rolled back to its savepoint as the panic unwinds;
                // the others of the group go on. Its client is told it stopped unfinished.
                if let Ok(answer) =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(desk)))
                {
                    answers.push(answer);
                }
                if taken < MOST_IN_A_GROUP && began.elapsed() < LONGEST_GROUP {
                    next = waiting.try_recv().ok();
                }
            }
        });
        if let Err(failure) = &committed {
            tracing::error!(%failure, writes = answers.len(), "a group of writes was not committed");
        }
        for answer in answers {
            answer(match &committed {
                Ok(()) => Ok(()),
                Err(failure) => Err(Failure::Answered(failure.to_answered())),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    fn waiting(desks: &Desks) -> usize {
        lock(&desks.readers).waiting.len()
    }

    #[test]
    fn requests_waiting_for_a_reader_get_one_in_the_order_they_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("office.db");
        let desks = Arc::new(Desks::new(
            Desk::open(&path).unwrap(),
            vec![Desk::open(&path).unwrap()],
        ));
        let held = desks.reader();
        let served = Arc::new(Mutex::new(Vec::new()));
        let mut requests = Vec::new();
        for n in 0..6 {
            let (pool, served) = (desks.clone(), served.clone());
            requests.push(std::thread::spawn(move || {
                let _reader = pool.reader();
                lock(&served).push(n);
                // Held a moment, so a later request that is not next has a chance to jump in.
                std::thread::sleep(Duration::from_millis(5));
            }));
            // Each asks only once the one before it is waiting: that is the order asked in.
            while waiting(&desks) < n + 1 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        // Given back and asked for again at once: the request that asked now is served last,
        // not first because it found the reader free before the first waiting one woke.
        drop(held);
        let again = desks.reader();
        lock(&served).push(6);
        drop(again);
        for request in requests {
            request.join().unwrap();
        }
        assert_eq!(*lock(&served), [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(
            lock(&desks.readers).free.len(),
            1,
            "the reader is back in the pool"
        );
        assert_eq!(waiting(&desks), 0);
    }
}
