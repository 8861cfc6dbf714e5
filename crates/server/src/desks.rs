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
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};

/// The most writes one commit takes: enough to amortise the fsync, few enough that the first
/// of them is not kept waiting long for the last.
const MOST_IN_A_GROUP: usize = 64;

/// No write is taken into a group once its work has run this long: the first write's answer
/// waits for every other of its group, and some writes are slow (a login's Argon2, an
/// import's file), so a group is bounded by time as well as by count.
const LONGEST_GROUP: std::time::Duration = std::time::Duration::from_millis(10);

/// A write given to the writer: it runs on the writer's desk, inside the group's transaction,
/// and returns what answers its client once the group's commit is known. Given no desk, it
/// does not run (its group's transaction could not begin) and only returns the answer.
type Job = Box<dyn FnOnce(Option<&mut Desk>) -> Answer + Send>;
type Answer = Box<dyn FnOnce(Result<(), Failure>) + Send>;

/// A read given to the readers: it runs on whichever reading connection is free first.
type Reading = Box<dyn FnOnce(&mut Desk) + Send>;

pub(crate) struct Desks {
    /// The store's file, for work long enough to want a connection of its own.
    path: std::path::PathBuf,
    /// The server's checkpoint signer, given to every desk.
    signer: Option<Arc<azukari_api::checkpoint::CheckpointSigner>>,
    /// To the writer thread; `None` once the office closes, so the thread ends.
    queue: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Option<std::thread::JoinHandle<()>>,
    /// To the reader threads, one queue for all, so reads are taken in the order they came;
    /// `None` once the office closes.
    reads: Mutex<Option<mpsc::Sender<Reading>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
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
        // Where the store really is: for PostgreSQL the connection string with its password,
        // which `path` leaves out.
        let path = writer.store().location().to_path();
        let signer = writer.checkpoint_signer().cloned();
        let (queue, waiting) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("azukari-writer".into())
            .spawn(move || write_in_groups(writer, waiting))
            .expect("the writer thread starts");
        let (reads, asked) = mpsc::channel();
        let asked = Arc::new(Mutex::new(asked));
        let readers = readers
            .into_iter()
            .map(|desk| {
                let asked = asked.clone();
                std::thread::Builder::new()
                    .name("azukari-reader".into())
                    .spawn(move || read_in_turn(desk, &asked))
                    .expect("a reader thread starts")
            })
            .collect();
        Desks {
            path,
            signer,
            queue: Mutex::new(Some(queue)),
            writer: Some(writer),
            reads: Mutex::new(Some(reads)),
            readers,
        }
    }

    /// A connection of its own, for long reads (a ledger, a backup).
    pub fn beside(&self) -> Result<Desk, Failure> {
        let mut desk = Desk::open(&self.path)?;
        desk.set_checkpoint_signer(self.signer.clone());
        Ok(desk)
    }

    /// Runs `work` on the writer's desk, in turn with every other write, and answers once its
    /// group is committed: `Ok` only for a write that is on disk. The request waits without
    /// holding a thread. `work` must not ask for the writer itself (it would wait on itself).
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Desk) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.give_the_writer(work, move |outcome| {
            // The client may have gone; the write stands or falls all the same.
            let _ = answer.send(outcome);
        })?;
        // Dropped unanswered only if the work panicked: its savepoint was rolled back.
        answered.await.unwrap_or_else(|_| Err(unfinished()))
    }

    /// [`Desks::write`] for work already off the async threads (a login after its password
    /// check): blocks until the write's group is committed.
    pub fn write_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Desk) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        let (answer, answered) = mpsc::sync_channel(1);
        self.give_the_writer(work, move |outcome| {
            let _ = answer.send(outcome);
        })?;
        answered.recv().unwrap_or_else(|_| Err(unfinished()))
    }

    fn give_the_writer<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Desk) -> Result<T, Failure> + Send + 'static,
        answer: impl FnOnce(Result<T, Failure>) + Send + 'static,
    ) -> Result<(), Failure> {
        let job: Job = Box::new(move |desk| {
            // Unrun, the group's failure is the answer (`committed` is that failure).
            let outcome = desk.map_or_else(|| Err(unfinished()), work);
            Box::new(move |committed: Result<(), Failure>| answer(committed.and(outcome)))
        });
        hand_over(&self.queue, job)
    }

    /// Runs `work` on a reading connection, once one is free and every read asked before it
    /// has been taken. The request waits without holding a thread: under load a reader goes
    /// from one read straight to the next, where a pool of connections handed to threads
    /// woke a thread per read and another when it gave the connection back.
    pub async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Desk) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let reading: Reading = Box::new(move |desk| {
            // The client may have gone; nothing was written either way.
            let _ = answer.send(work(desk));
        });
        hand_over(&self.reads, reading)?;
        // Dropped unanswered only if the work panicked.
        answered
            .await
            .unwrap_or_else(|_| Err(Failure::Internal("the read stopped unfinished".into())))
    }
}

/// Gives `work` to the writer's or the readers' queue; refused once the office closes.
fn hand_over<W>(queue: &Mutex<Option<mpsc::Sender<W>>>, work: W) -> Result<(), Failure> {
    lock(queue)
        .as_ref()
        .ok_or_else(closing)?
        .send(work)
        .map_err(|_| closing())
}

/// A reader thread: takes the oldest read waiting and runs it on its connection, until the
/// office closes. A read that panics is answered as stopped unfinished; the connection (no
/// transaction is left open by a read that unwound) goes on to the next.
fn read_in_turn(mut desk: Desk, asked: &Mutex<mpsc::Receiver<Reading>>) {
    loop {
        // Held only while this thread waits for the next read: the others wait their turn
        // to wait, and the one holding it takes whatever comes first.
        let next = lock(asked).recv();
        let Ok(reading) = next else { return };
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reading(&mut desk)));
    }
}

impl Drop for Desks {
    /// Lets the writer finish the group it holds, so no write is cut off mid-commit, and the
    /// readers the reads they were given.
    fn drop(&mut self) {
        lock(&self.queue).take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        lock(&self.reads).take();
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}

fn unfinished() -> Failure {
    Failure::Internal("the write stopped unfinished".into())
}

pub(crate) fn closing() -> Failure {
    Failure::Internal("the office server is shutting down".into())
}

fn write_in_groups(mut desk: Desk, waiting: mpsc::Receiver<Job>) {
    while let Ok(first) = waiting.recv() {
        let began = std::time::Instant::now();
        let mut answers = Vec::new();
        let mut first = Some(first);
        let committed = desk.together(|desk| {
            // Each write is run as it is taken; the group takes whatever has come meanwhile.
            let mut next = first.take();
            let mut taken = 0;
            while let Some(job) = next.take() {
                taken += 1;
                // A write that panics is rolled back to its savepoint as the panic unwinds;
                // the others of the group go on. Its client is told it stopped unfinished.
                if let Ok(answer) =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(Some(desk))))
                {
                    answers.push(answer);
                }
                if taken < MOST_IN_A_GROUP && began.elapsed() < LONGEST_GROUP {
                    next = waiting.try_recv().ok();
                }
            }
        });
        // The group's transaction could not begin (the database unreachable, restarting):
        // its first write never ran, and is answered with why, as the group's others are.
        if let Some(unrun) = first.take() {
            answers.push(unrun(None));
        }
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
    use std::time::Duration;

    /// With one reader busy, reads asked one after another are run in that order, each on
    /// the reader's own thread; one asked after all of them runs after all of them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_are_taken_in_the_order_they_were_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("office.db");
        let desks = Arc::new(Desks::new(
            Desk::open(&path).unwrap(),
            vec![Desk::open(&path).unwrap()],
        ));
        let (release, released) = mpsc::channel::<()>();
        let held = tokio::spawn({
            let desks = desks.clone();
            async move {
                desks
                    .read(move |_| {
                        released.recv().unwrap();
                        Ok(std::thread::current().name().map(str::to_string))
                    })
                    .await
            }
        });
        let served = Arc::new(Mutex::new(Vec::new()));
        let mut reads = Vec::new();
        for n in 0..6 {
            let (desks, served) = (desks.clone(), served.clone());
            reads.push(tokio::spawn(async move {
                desks
                    .read(move |desk| {
                        lock(&served).push(n);
                        // A real read on the connection, as a page would.
                        desk.status().map(|_| ())
                    })
                    .await
            }));
            // Each asks only once the one before it has asked: that is the order asked in.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        release.send(()).unwrap();
        assert_eq!(
            held.await.unwrap().unwrap().as_deref(),
            Some("azukari-reader")
        );
        for read in reads {
            read.await.unwrap().unwrap();
        }
        desks.read(|_| Ok(())).await.unwrap();
        assert_eq!(*lock(&served), [0, 1, 2, 3, 4, 5]);
    }

    /// A read that panics is answered, and the reader goes on to the next read.
    #[tokio::test]
    async fn a_read_that_panics_is_answered_and_the_reader_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("office.db");
        let desks = Desks::new(Desk::open(&path).unwrap(), vec![Desk::open(&path).unwrap()]);
        let failed = desks
            .read(|_| -> Result<(), Failure> { panic!("a bug in a read") })
            .await;
        assert!(
            matches!(&failed, Err(Failure::Internal(why)) if why.contains("unfinished")),
            "{failed:?}"
        );
        let zone = desks.read(|desk| Ok(desk.status()?.time_zone)).await;
        assert!(zone.is_ok(), "{zone:?}");
    }

    /// Once the office closes, a read is refused as shutting down, not left waiting.
    #[tokio::test]
    async fn a_read_after_closing_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("office.db");
        let desks = Desks::new(Desk::open(&path).unwrap(), vec![Desk::open(&path).unwrap()]);
        lock(&desks.reads).take();
        let refused = desks.read(|_| Ok(())).await;
        assert!(
            matches!(&refused, Err(Failure::Internal(why)) if why.contains("shutting down")),
            "{refused:?}"
        );
    }
}
