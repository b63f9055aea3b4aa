//! Heavy file work (parsing an upload, rendering a PDF or a workbook) off the async runtime,
//! a bounded number at once, each with a time budget.
//!
//! A request takes a slot *before* any expensive work starts, so a burst of uploads queues
//! here instead of on the cores the request threads need: `/health` and every other request
//! keep being answered while files are parsed. A request that cannot get a slot within the
//! wait answers 503 with `Retry-After`. The slot is held by the blocking task itself, so it is
//! only freed when the work has really stopped, even when the request gave up on it earlier.
//!
//! Memory is bounded by the slots: each job's input and output are capped by its own limits
//! (the upload's size and unpacked size, the parse budget's text cap, a report's department
//! count), and at most `slots` jobs hold such memory at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What went wrong around a job (the job's own errors are its output).
#[derive(Debug, thiserror::Error)]
pub enum FileWorkError {
    #[error("all {slots} file workers are busy; retry after {retry_after_secs} s")]
    Busy { slots: usize, retry_after_secs: u64 },
    #[error("the file work stopped unexpectedly: {0}")]
    Stopped(String),
}

/// The bounded pool of file workers one process shares.
#[derive(Debug, Clone)]
pub struct FileWork {
    slots: Arc<Semaphore>,
    size: usize,
    wait: Duration,
    budget: Duration,
}

/// The time a job may take; parsers check it as they go and stop with their own error.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

impl Deadline {
    pub fn at(instant: Instant) -> Self {
        Self(instant)
    }

    pub fn instant(self) -> Instant {
        self.0
    }

    pub fn passed(self) -> bool {
        Instant::now() >= self.0
    }
}

impl FileWork {
    /// `slots == 0` picks one worker per core but one, so a core stays for requests.
    pub fn new(slots: usize, wait: Duration, budget: Duration) -> Self {
        let size = if slots == 0 { default_slots() } else { slots };
        metrics::gauge!("galley_file_work_slots").set(size as f64);
        Self {
            slots: Arc::new(Semaphore::new(size)),
            size,
            wait,
            budget,
        }
    }

    pub fn slots(&self) -> usize {
        self.size
    }

    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Runs `job` on a blocking thread once a slot is free. `kind` names the work in
    /// `/metrics` (`import`, `report_pdf`, ...).
    pub async fn run<T, F>(&self, kind: &'static str, job: F) -> Result<T, FileWorkError>
    where
        T: Send + 'static,
        F: FnOnce(Deadline) -> T + Send + 'static,
    {
        self.reserve(kind).await?.run(job).await
    }

    /// Takes a slot for work of `kind`, to be run with [`Slot::run`]. A request that must
    /// read what it renders takes its slot first, so a burst of such requests waits here
    /// with nothing loaded instead of each holding its data until a worker is free.
    pub async fn reserve(&self, kind: &'static str) -> Result<Slot, FileWorkError> {
        let waiting = metrics::gauge!("galley_file_work_waiting");
        waiting.increment(1.0);
        let permit = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await;
        waiting.decrement(1.0);
        match permit {
            Ok(Ok(permit)) => Ok(Slot {
                permit,
                kind,
                budget: self.budget,
            }),
            Ok(Err(closed)) => Err(FileWorkError::Stopped(closed.to_string())),
            Err(_elapsed) => {
                count(kind, "busy");
                Err(FileWorkError::Busy {
                    slots: self.size,
                    retry_after_secs: self.wait.as_secs().max(1),
                })
            }
        }
    }
}

/// A file worker's slot, taken and not yet used; dropping it gives it back.
#[derive(Debug)]
pub struct Slot {
    permit: OwnedSemaphorePermit,
    kind: &'static str,
    budget: Duration,
}

impl Slot {
    /// Runs `job` on a blocking thread; the slot is freed when the job really ends.
    pub async fn run<T, F>(self, job: F) -> Result<T, FileWorkError>
    where
        T: Send + 'static,
        F: FnOnce(Deadline) -> T + Send + 'static,
    {
        let Slot {
            permit,
            kind,
            budget,
        } = self;
        let outcome = tokio::task::spawn_blocking(move || {
            // Both are released when the job ends, by returning or by panicking.
            let _slot = permit;
            let _running = Running::start();
            let started = Instant::now();
            let output = job(Deadline(started + budget));
            metrics::histogram!("galley_file_work_seconds", "kind" => kind)
                .record(started.elapsed().as_secs_f64());
            output
        })
        .await;
        match outcome {
            Ok(output) => {
                count(kind, "done");
                Ok(output)
            }
            Err(failure) => {
                count(kind, "failed");
                Err(FileWorkError::Stopped(failure.to_string()))
            }
        }
    }
}

/// Counts a job in `galley_file_work_running` for as long as it runs.
struct Running(metrics::Gauge);

impl Running {
    fn start() -> Self {
        let gauge = metrics::gauge!("galley_file_work_running");
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

fn count(kind: &'static str, outcome: &'static str) {
    metrics::counter!("galley_file_work_total", "kind" => kind, "outcome" => outcome).increment(1);
}

fn default_slots() -> usize {
    std::thread::available_parallelism()
        .map(|cores| cores.get().saturating_sub(1))
        .unwrap_or(1)
        .max(1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_job_runs_with_a_deadline_of_its_budget() {
        let work = FileWork::new(1, Duration::from_secs(1), Duration::from_secs(30));
        let before = Instant::now();
        let deadline = work.run("test", |deadline| deadline).await.unwrap();
        assert!(deadline.instant() >= before + Duration::from_secs(30));
        assert!(!deadline.passed());
    }

    #[tokio::test]
    async fn a_request_that_finds_every_slot_taken_is_told_to_come_back() {
        let work = FileWork::new(1, Duration::from_millis(50), Duration::from_secs(30));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, wait_started) = tokio::sync::oneshot::channel();
        let busy = work.clone();
        let first = tokio::spawn(async move {
            busy.run("test", move |_| {
                started.send(()).unwrap();
                hold.recv().unwrap();
            })
            .await
        });
        wait_started.await.unwrap();

        let refused = work.run("test", |_| ()).await;
        assert!(
            matches!(
                refused,
                Err(FileWorkError::Busy {
                    slots: 1,
                    retry_after_secs: 1
                })
            ),
            "{refused:?}"
        );

        release.send(()).unwrap();
        first.await.unwrap().unwrap();
        work.run("test", |_| ()).await.unwrap();
    }

    #[tokio::test]
    async fn the_slot_stays_taken_until_the_job_really_ends() {
        let work = FileWork::new(1, Duration::from_millis(50), Duration::from_secs(30));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, wait_started) = tokio::sync::oneshot::channel();
        let busy = work.clone();
        // The request gives up (its future is dropped) while the blocking job goes on.
        let abandoned = tokio::spawn(async move {
            busy.run("test", move |_| {
                started.send(()).unwrap();
                hold.recv().unwrap();
            })
            .await
        });
        wait_started.await.unwrap();
        abandoned.abort();
        let _ = abandoned.await;

        assert!(matches!(
            work.run("test", |_| ()).await,
            Err(FileWorkError::Busy { .. })
        ));
        release.send(()).unwrap();
        // The job frees its slot as it ends; the next request may wait a moment for it.
        let work = FileWork {
            wait: Duration::from_secs(5),
            ..work
        };
        work.run("test", |_| ()).await.unwrap();
    }

    #[tokio::test]
    async fn a_reserved_slot_is_taken_until_it_runs_or_is_dropped() {
        let work = FileWork::new(1, Duration::from_millis(50), Duration::from_secs(30));
        let slot = work.reserve("test").await.unwrap();
        assert!(matches!(
            work.reserve("test").await,
            Err(FileWorkError::Busy { .. })
        ));
        assert_eq!(slot.run(|_| 3).await.unwrap(), 3);
        let slot = work.reserve("test").await.unwrap();
        drop(slot);
        assert_eq!(work.run("test", |_| 4).await.unwrap(), 4);
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_frees_its_slot() {
        let work = FileWork::new(1, Duration::from_secs(5), Duration::from_secs(30));
        let failed = work.run("test", |_| panic!("a parser bug")).await;
        assert!(
            matches!(failed, Err(FileWorkError::Stopped(_))),
            "{failed:?}"
        );
        assert_eq!(work.run("test", |_| 7).await.unwrap(), 7);
    }
}
