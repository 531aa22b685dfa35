//! The model stage of the runner: worker threads run the [`Analyzer`]'s encoder pass on
//! batches while the ordered stage goes on; batches come back in the order they were
//! handed over, whichever worker finishes first.

use crate::runner::{Analyzer, Encoded, Prepared, Sink, Summary};
use crate::Result;
use crossbeam_channel::{Receiver, Sender, TrySendError};
use std::collections::BTreeMap;

/// Batches queued for the workers (and back from them): enough to keep them busy while
/// the ordered stage stores, few enough to bound memory.
const QUEUE: usize = 2;

/// A batch and, once a worker is done with it, its encoder pass.
pub(crate) type Batch = (Vec<Prepared>, Option<Encoded>);
/// The ordered stage's second half: the model's second phase, stories and storage.
pub(crate) type Finish<'f> = dyn FnMut(Batch, &mut dyn Sink, &mut Summary) -> Result<()> + 'f;

pub(crate) struct ModelStage {
    to_workers: Option<Sender<(u64, Vec<Prepared>)>>,
    back: Receiver<(u64, Batch)>,
    sent: u64,
    next: u64,
    early: BTreeMap<u64, Batch>,
}

fn stopped() -> crate::Error {
    crate::Error::Stage("the model stage stopped".into())
}

impl ModelStage {
    /// Starts `workers` model threads in `scope` (none without an analyser: batches are
    /// then finished at once).
    pub(crate) fn start<'scope, 'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        analyzer: Option<&'env dyn Analyzer>,
        workers: usize,
    ) -> Self {
        let (to_workers, rx) = crossbeam_channel::bounded::<(u64, Vec<Prepared>)>(QUEUE);
        let (tx, back) = crossbeam_channel::bounded::<(u64, Batch)>(QUEUE + workers);
        let to_workers = analyzer.map(|a| {
            for _ in 0..workers.max(1) {
                let (rx, tx) = (rx.clone(), tx.clone());
                scope.spawn(move || {
                    a.worker_init(workers.max(1));
                    for (seq, b) in rx {
                        // a panic in the encoder pass hands the batch back without it:
                        // the ordered stage then analyses its articles one at a time
                        let e = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.encode(&b))).ok();
                        if tx.send((seq, (b, e))).is_err() {
                            break;
                        }
                    }
                });
            }
            to_workers
        });
        ModelStage { to_workers, back, sent: 0, next: 0, early: BTreeMap::new() }
    }

    /// Where analysed batches arrive (for `select!`); hand them to [`ModelStage::accept`].
    pub(crate) fn arrivals(&self) -> &Receiver<(u64, Batch)> {
        &self.back
    }

    /// Finishes an analysed batch, and those after it that wait for it, in order.
    pub(crate) fn accept(
        &mut self,
        (seq, b): (u64, Batch),
        finish: &mut Finish<'_>,
        sink: &mut dyn Sink,
        summary: &mut Summary,
    ) -> Result<()> {
        self.early.insert(seq, b);
        while let Some(b) = self.early.remove(&self.next) {
            self.next += 1;
            finish(b, sink, summary)?;
        }
        Ok(())
    }

    /// Hands a batch to the workers (finishing what comes back while they are busy), or
    /// finishes it at once when there is no model stage.
    pub(crate) fn submit(
        &mut self,
        batch: &mut Vec<Prepared>,
        finish: &mut Finish<'_>,
        sink: &mut dyn Sink,
        summary: &mut Summary,
    ) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut b = std::mem::replace(batch, Vec::with_capacity(batch.capacity()));
        let Some(to_workers) = self.to_workers.clone() else {
            return finish((b, None), sink, summary);
        };
        loop {
            match to_workers.try_send((self.sent, b)) {
                Ok(()) => break,
                Err(TrySendError::Full((_, back))) => {
                    b = back;
                    let done = self.back.recv().map_err(|_| stopped())?;
                    self.accept(done, finish, sink, summary)?;
                }
                Err(TrySendError::Disconnected(_)) => return Err(stopped()),
            }
        }
        self.sent += 1;
        while let Ok(done) = self.back.try_recv() {
            self.accept(done, finish, sink, summary)?;
        }
        Ok(())
    }

    /// Waits for the batches handed over so far and finishes them in order; the stage
    /// stays open.
    pub(crate) fn flush(&mut self, finish: &mut Finish<'_>, sink: &mut dyn Sink, summary: &mut Summary) -> Result<()> {
        while self.next < self.sent {
            let done = self.back.recv().map_err(|_| stopped())?;
            self.accept(done, finish, sink, summary)?;
        }
        Ok(())
    }

    /// Waits for every batch handed over and finishes them in order.
    pub(crate) fn close(mut self, finish: &mut Finish<'_>, sink: &mut dyn Sink, summary: &mut Summary) -> Result<()> {
        self.to_workers = None;
        self.flush(finish, sink, summary)
    }
}
