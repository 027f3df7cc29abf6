//! MapReduce, as [Dean & Ghemawat, "MapReduce: Simplified Data Processing
//! on Large Clusters" (OSDI 2004)](https://research.google/pubs/mapreduce-simplified-data-processing-on-large-clusters/)
//! §3.1-3.3 describe it and MIT 6.824's Lab 1 builds it: a coordinator (the
//! paper's master) hands map tasks, then reduce tasks, to idle workers; a
//! task not reported done before a timeout is handed out again; each output
//! file is written privately and committed by an atomic rename.
//!
//! Fault model: workers crash and stay down (at most `crashes` of them,
//! fewer than `workers`: the parameters refuse a configuration where every
//! worker may die, in which no job completes). The coordinator and the file
//! system do not fail: intermediate files sit on Lab 1's shared disk, not
//! on the map worker's local disk as in the paper (§3.1 step 4), so the
//! paper's re-run of a failed worker's *completed* maps (§3.3) is left out.
//! Messages are reordered, not lost or duplicated; the coordinator's timeout
//! fires at any time, so a slow worker looks dead and its task runs twice.
//! Job: word count over the bundled `input.txt`, one split per map task,
//! two partitions by default. The checker shows the output equal to a
//! sequential count and the job completing despite a crash; `no-reissue`
//! never completes after a crash, `non-atomic-output` shows a partial
//! output file, and `accept-late-completion` (a duplicate completion
//! counted) starts the reduce phase before every map has finished.
//!
//! With `retransmit = 1` (scenario `lossy`, and every real run) messages
//! are also lost and duplicated, and the job still completes the way §3.3
//! makes it survive failures, by doing things again on a timer. The
//! coordinator already re-issues a task not reported done before its
//! timeout ("any map task or reduce task in progress on a failed worker is
//! also reset back to idle and becomes eligible for rescheduling"): a lost
//! task, or a lost completion message, is a task in progress whose worker
//! looks failed. And each worker retries its own outstanding request on a
//! timer, as Lab 1's workers ask the coordinator for work periodically
//! (the paper's master pings its workers, §3.3): an idle worker asks for a
//! task again, a mapper renames again the intermediate files not yet
//! acknowledged, a reducer reads its partition again (a committing one
//! reads again and renames again: the file system answers every request,
//! and a rename of the same output is idempotent, §3.3 "multiple rename
//! calls will be executed for the same final output file"). A copy is
//! harmless for the same reasons: the coordinator ignores a completion of
//! a completed task (§3.3), a worker busy with a task ignores another, and
//! a map or reduce run twice writes the same files.

use crate::registry::{Config, ParamRule, ParamSpec, Params, PropertySpec, Protocol, VariantSpec};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, ActorModelAction, Id, LossyNetwork, Network, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

/// The job's input, bundled: split `m` is every line `l` with
/// `l % maps == m`.
pub const INPUT: &str = include_str!("input.txt");

/// A map task: the split it reads.
pub type MapTask = u8;
/// A reduce task: the partition of the keys it reduces (§3.1: "R pieces").
pub type ReduceTask = u8;
/// A worker, by number from 1.
pub type Worker = u8;
pub type Word = String;
pub type Count = u32;
/// Key/value pairs, as the files hold them.
pub type Records = Vec<(Word, Count)>;

/// What the coordinator hands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Task {
    Map(MapTask),
    Reduce(ReduceTask),
}

/// The task a message hands out.
fn task_of(msg: &MrMsg) -> Option<Task> {
    match msg {
        MrMsg::Map(m) => Some(Task::Map(*m)),
        MrMsg::Reduce(r) => Some(Task::Reduce(*r)),
        _ => None,
    }
}

/// A file of the shared file system, which never fails: Lab 1's setup, where
/// intermediate files sit on the local disk that every worker shares. In
/// the paper (§3.1 step 4, §3.3) intermediate files live on the map
/// worker's own disk and are lost with it, so a failed worker's completed
/// map tasks are run again; only the final outputs go to GFS. This model
/// leaves that rule out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum File {
    /// `mr-m-r`: map task `m`'s pairs for partition `r`.
    Intermediate(MapTask, ReduceTask),
    /// `mr-out-r`: reduce task `r`'s output.
    Output(ReduceTask),
}

/// The job: input splits and the number of partitions, and the user's map
/// and reduce functions (word count, §2.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Job {
    pub splits: Vec<String>,
    pub reduces: u8,
}

impl Job {
    /// `maps` splits of [`INPUT`] and `reduces` partitions.
    pub fn new(maps: u8, reduces: u8) -> Job {
        let mut splits = vec![String::new(); usize::from(maps)];
        for (l, line) in INPUT.lines().enumerate() {
            let split = &mut splits[l % usize::from(maps)];
            split.push_str(line);
            split.push('\n');
        }
        Job { splits, reduces }
    }

    /// §3.1: "a partitioning function (e.g., hash(key) mod R)"; Lab 1's
    /// `ihash`, FNV-1a.
    fn partition(&self, word: &str) -> ReduceTask {
        let mut h: u32 = 0x811c_9dc5;
        for b in word.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        ((h & 0x7fff_ffff) % u32::from(self.reduces)) as ReduceTask
    }

    /// Map task `m`: `(word, 1)` for every word of its split, by partition.
    pub fn map(&self, m: MapTask) -> Vec<Records> {
        let mut out = vec![Records::new(); usize::from(self.reduces)];
        for word in self.splits[usize::from(m)].split_whitespace() {
            out[usize::from(self.partition(word))].push((word.to_string(), 1));
        }
        out
    }

    /// Reduce: the sum per word, sorted by word.
    pub fn reduce(records: &[(Word, Count)]) -> Records {
        let mut sums: BTreeMap<&str, Count> = BTreeMap::new();
        for (w, c) in records {
            *sums.entry(w).or_default() += c;
        }
        sums.into_iter().map(|(w, c)| (w.to_string(), c)).collect()
    }

    /// Partition `r` of the word count, computed sequentially.
    pub fn sequential(&self, r: ReduceTask) -> Records {
        let all: Records = (0..self.splits.len() as MapTask)
            .flat_map(|m| self.map(m).swap_remove(usize::from(r)))
            .collect();
        Job::reduce(&all)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MrMsg {
    // Worker to coordinator.
    /// An idle worker asks for a task.
    RequestTask,
    /// "The map worker ... sends a completion message to the master"
    /// (§3.3); the worker is idle again.
    MapDone(MapTask),
    /// The reduce task's output is committed; the worker is idle again.
    ReduceDone(ReduceTask),

    // Coordinator to worker.
    /// Run map task `m`.
    Map(MapTask),
    /// Run reduce task `r`.
    Reduce(ReduceTask),

    // Worker to file system.
    /// Write the records to a private temporary file and rename it to
    /// `file`: the file appears whole, at once (§3.3).
    Rename {
        file: File,
        records: Records,
    },
    /// The bug: write one record straight into `file`.
    Append {
        file: File,
        record: (Word, Count),
    },
    /// Read partition `r` of every intermediate file.
    Read(ReduceTask),

    // File system to worker: which file was renamed or appended to, so that
    // an acknowledgement is matched to its file (on a real network a
    // datagram may be duplicated, or arrive after the worker moved on).
    Renamed(File),
    Appended(File),
    Contents(Records),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MrTimer {
    /// The coordinator's deadline for a task handed out.
    Reissue(Task),
    /// With [`MrCfg::retransmit`], a worker's retry timer: its outstanding
    /// request (for a task, a rename, a read) is sent again.
    Retry,
}

/// A task's state at the coordinator: "idle, in-progress, or completed, and
/// the identity of the worker machine" (§3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Status {
    Idle,
    InProgress(Worker),
    Completed,
}

/// What a worker is doing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// Idle, asked for a task.
    Waiting,
    /// Running map task `m`; the partitions whose intermediate file is not
    /// yet renamed into place.
    Mapping {
        m: MapTask,
        unrenamed: BTreeSet<ReduceTask>,
    },
    /// Running reduce task `r`: reading its partition.
    Reading(ReduceTask),
    /// (The bug) writing the output in place; `rest` still to write.
    Writing { r: ReduceTask, rest: Records },
    /// Renaming the output into place.
    Committing(ReduceTask),
    /// (Real runs only) killed: handles nothing.
    Killed,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub enum MrState {
    Coordinator {
        maps: Vec<Status>,
        reduces: Vec<Status>,
        /// Completion messages counted, per kind: the reduce phase starts
        /// when every map is counted, the job is done when every reduce is.
        maps_completed: u8,
        reduces_completed: u8,
        /// Idle workers waiting for a task.
        waiting: BTreeSet<Worker>,
    },
    FileSystem {
        files: BTreeMap<File, Records>,
    },
    Worker {
        phase: Phase,
        /// With [`MrCfg::retransmit`]: the tasks this worker finished, so
        /// that a copy of one, or its re-issue after a lost completion, is
        /// answered with the completion again rather than run again (empty
        /// otherwise).
        done: BTreeSet<Task>,
    },
}

/// As derived, but a worker's `done` only when it has any (it never does
/// without `retransmit`).
impl std::fmt::Debug for MrState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MrState::Coordinator {
                maps,
                reduces,
                maps_completed,
                reduces_completed,
                waiting,
            } => f
                .debug_struct("Coordinator")
                .field("maps", maps)
                .field("reduces", reduces)
                .field("maps_completed", maps_completed)
                .field("reduces_completed", reduces_completed)
                .field("waiting", waiting)
                .finish(),
            MrState::FileSystem { files } => {
                f.debug_struct("FileSystem").field("files", files).finish()
            }
            MrState::Worker { phase, done } => {
                let mut w = f.debug_struct("Worker");
                w.field("phase", phase);
                if !done.is_empty() {
                    w.field("done", done);
                }
                w.finish()
            }
        }
    }
}

/// A worker moves to `phase`, keeping what it finished.
fn set_phase(state: &mut Cow<MrState>, phase: Phase) {
    if let MrState::Worker { phase: p, .. } = state.to_mut() {
        *p = phase;
    }
}

/// Known bugs, each one rule of the paper broken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// MapReduce as published.
    #[default]
    None,
    /// The coordinator never hands a task out again: a crashed worker's
    /// task is never done. Must violate "job completes".
    NoReissue,
    /// The reduce worker writes its output straight into the final file,
    /// record by record, instead of renaming a finished temporary file:
    /// others see a partial file (and two executions interleave). Must
    /// violate "output is the sequential result".
    NonAtomicOutput,
    /// The coordinator counts a completion message for a task already
    /// completed: a duplicate completion, from whichever worker (after a
    /// re-issue both the replaced worker and its replacement report the
    /// same map), so the count of finished maps overtakes the maps really
    /// finished. The issue calls it a duplicate commit; the checker catches
    /// it earlier, where it first does harm: a reduce is handed out while a
    /// map is unfinished. Must violate "no reduce before every map
    /// finished".
    AcceptLateCompletion,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::NoReissue,
        Bug::NonAtomicOutput,
        Bug::AcceptLateCompletion,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NoReissue => "no-reissue",
            Bug::NonAtomicOutput => "non-atomic-output",
            Bug::AcceptLateCompletion => "accept-late-completion",
        }
    }
}

#[derive(Clone, Debug)]
pub enum MrActor {
    Coordinator {
        /// Worker `w`'s id is `workers[w - 1]`.
        workers: Vec<Id>,
        maps: u8,
        reduces: u8,
        bug: Bug,
    },
    FileSystem {
        maps: u8,
    },
    Worker {
        number: Worker,
        coordinator: Id,
        fs: Id,
        job: Arc<Job>,
        /// Real runs only: the worker is killed when its first task arrives
        /// (the UDP runtime cannot kill a node; the checker crashes workers
        /// with Stateright's crash action instead).
        killed_on_first_task: bool,
        /// Retries its outstanding request on a timer (see
        /// [`MrCfg::retransmit`]).
        retransmit: bool,
        bug: Bug,
    },
}

/// How long the coordinator waits for a task, on a real network (the paper
/// pings workers; Lab 1 waits ten seconds). The checker fires it at any time.
const REISSUE: Range<Duration> = Duration::from_millis(150)..Duration::from_millis(250);
/// A worker's retry period on a real network: a few round trips, well
/// under the coordinator's deadline.
const RETRY: Range<Duration> = Duration::from_millis(20)..Duration::from_millis(40);

type CoordinatorFields<'a> = (
    &'a mut Vec<Status>,
    &'a mut Vec<Status>,
    &'a mut u8,
    &'a mut u8,
    &'a mut BTreeSet<Worker>,
);

fn coordinator_fields(state: &mut MrState) -> Option<CoordinatorFields<'_>> {
    match state {
        MrState::Coordinator {
            maps,
            reduces,
            maps_completed,
            reduces_completed,
            waiting,
        } => Some((maps, reduces, maps_completed, reduces_completed, waiting)),
        _ => None,
    }
}

impl MrActor {
    /// §3.1 step 2: "the master picks idle workers and assigns each one a map
    /// task or a reduce task"; reduce tasks only once every map is counted
    /// complete. Lowest worker, lowest task first.
    fn schedule(
        &self,
        (maps, reduces, maps_completed, _, waiting): CoordinatorFields<'_>,
        o: &mut Out<Self>,
    ) {
        let MrActor::Coordinator { workers, .. } = self else {
            return;
        };
        while let Some(&w) = waiting.first() {
            let idle = |tasks: &[Status]| tasks.iter().position(|s| *s == Status::Idle);
            let task = if usize::from(*maps_completed) < maps.len() {
                idle(maps.as_slice()).map(|m| Task::Map(m as MapTask))
            } else {
                idle(reduces.as_slice()).map(|r| Task::Reduce(r as ReduceTask))
            };
            let Some(task) = task else {
                return;
            };
            waiting.remove(&w);
            let to = workers[usize::from(w) - 1];
            match task {
                Task::Map(m) => {
                    maps[usize::from(m)] = Status::InProgress(w);
                    o.send(to, MrMsg::Map(m));
                }
                Task::Reduce(r) => {
                    reduces[usize::from(r)] = Status::InProgress(w);
                    o.send(to, MrMsg::Reduce(r));
                }
            }
            o.set_timer(MrTimer::Reissue(task), REISSUE);
        }
    }

    /// A worker's retry: its outstanding request sent again, by phase. A
    /// committing reducer reads its partition again (its output is not
    /// kept) and will rename it again. The bug's in-place writes are not
    /// retried, nor does a killed worker do anything.
    fn retry(&self, state: &mut Cow<MrState>, phase: Phase, o: &mut Out<Self>) {
        let MrActor::Worker {
            coordinator,
            fs,
            job,
            ..
        } = self
        else {
            return;
        };
        match phase {
            Phase::Waiting => o.send(*coordinator, MrMsg::RequestTask),
            Phase::Mapping { m, unrenamed } => {
                let outputs = job.map(m);
                for r in unrenamed {
                    let file = File::Intermediate(m, r);
                    let records = outputs[usize::from(r)].clone();
                    o.send(*fs, MrMsg::Rename { file, records });
                }
            }
            Phase::Reading(r) => o.send(*fs, MrMsg::Read(r)),
            Phase::Committing(r) => {
                o.send(*fs, MrMsg::Read(r));
                set_phase(state, Phase::Reading(r));
            }
            Phase::Writing { .. } | Phase::Killed => {}
        }
    }

    /// A worker reports `task` done: "the map worker ... sends a completion
    /// message to the master" (§3.3), and with `retransmit` remembers it.
    fn report_done(&self, state: &mut Cow<MrState>, task: Task, o: &mut Out<Self>) {
        let MrActor::Worker {
            coordinator,
            retransmit,
            ..
        } = self
        else {
            return;
        };
        o.send(
            *coordinator,
            match task {
                Task::Map(m) => MrMsg::MapDone(m),
                Task::Reduce(r) => MrMsg::ReduceDone(r),
            },
        );
        if *retransmit {
            if let MrState::Worker { done, .. } = state.to_mut() {
                done.insert(task);
            }
        }
    }

    fn worker_number(&self, id: Id) -> Option<Worker> {
        match self {
            MrActor::Coordinator { workers, .. } => workers
                .iter()
                .position(|w| *w == id)
                .map(|i| i as Worker + 1),
            _ => None,
        }
    }

    /// A completion message for `task`. "If the master receives a completion
    /// message for an already completed map task, it ignores the message"
    /// (§3.3); the bug counts it again. Either way the worker is idle.
    fn complete(&self, state: &mut Cow<MrState>, src: Id, task: Task, o: &mut Out<Self>) {
        let (MrActor::Coordinator { bug, .. }, Some(w)) = (self, self.worker_number(src)) else {
            return;
        };
        let Some(fields) = coordinator_fields(state.to_mut()) else {
            return;
        };
        let (maps, reduces, maps_completed, reduces_completed, waiting) = fields;
        let (status, count) = match task {
            Task::Map(m) => (&mut maps[usize::from(m)], &mut *maps_completed),
            Task::Reduce(r) => (&mut reduces[usize::from(r)], &mut *reduces_completed),
        };
        if *status != Status::Completed || *bug == Bug::AcceptLateCompletion {
            *status = Status::Completed;
            *count += 1;
            o.cancel_timer(MrTimer::Reissue(task));
        }
        waiting.insert(w);
        self.schedule(
            (maps, reduces, maps_completed, reduces_completed, waiting),
            o,
        );
    }
}

impl Actor for MrActor {
    type Msg = MrMsg;
    type Timer = MrTimer;
    type State = MrState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        match self {
            MrActor::Coordinator { .. } => "coordinator".into(),
            MrActor::FileSystem { .. } => "file system".into(),
            MrActor::Worker { number, .. } => format!("worker {number}"),
        }
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> MrState {
        match self {
            MrActor::Coordinator { maps, reduces, .. } => MrState::Coordinator {
                maps: vec![Status::Idle; usize::from(*maps)],
                reduces: vec![Status::Idle; usize::from(*reduces)],
                maps_completed: 0,
                reduces_completed: 0,
                waiting: BTreeSet::new(),
            },
            MrActor::FileSystem { .. } => MrState::FileSystem {
                files: BTreeMap::new(),
            },
            MrActor::Worker {
                coordinator,
                retransmit,
                ..
            } => {
                o.send(*coordinator, MrMsg::RequestTask);
                if *retransmit {
                    o.set_timer(MrTimer::Retry, RETRY);
                }
                MrState::Worker {
                    phase: Phase::Waiting,
                    done: BTreeSet::new(),
                }
            }
        }
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<MrState>, src: Id, msg: MrMsg, o: &mut Out<Self>) {
        match (self, state.as_ref(), msg) {
            // Coordinator.
            (MrActor::Coordinator { .. }, MrState::Coordinator { .. }, MrMsg::RequestTask) => {
                let Some(w) = self.worker_number(src) else {
                    return;
                };
                let Some(fields) = coordinator_fields(state.to_mut()) else {
                    return;
                };
                fields.4.insert(w);
                self.schedule(fields, o);
            }
            (MrActor::Coordinator { .. }, MrState::Coordinator { .. }, MrMsg::MapDone(m)) => {
                self.complete(state, src, Task::Map(m), o);
            }
            (MrActor::Coordinator { .. }, MrState::Coordinator { .. }, MrMsg::ReduceDone(r)) => {
                self.complete(state, src, Task::Reduce(r), o);
            }

            // File system.
            (
                MrActor::FileSystem { .. },
                MrState::FileSystem { .. },
                MrMsg::Rename { file, records },
            ) => {
                if let MrState::FileSystem { files } = state.to_mut() {
                    files.insert(file, records);
                }
                o.send(src, MrMsg::Renamed(file));
            }
            (
                MrActor::FileSystem { .. },
                MrState::FileSystem { .. },
                MrMsg::Append { file, record },
            ) => {
                if let MrState::FileSystem { files } = state.to_mut() {
                    files.entry(file).or_default().push(record);
                }
                o.send(src, MrMsg::Appended(file));
            }
            (MrActor::FileSystem { maps }, MrState::FileSystem { files }, MrMsg::Read(r)) => {
                let records = (0..*maps)
                    .filter_map(|m| files.get(&File::Intermediate(m, r)))
                    .flatten()
                    .cloned()
                    .collect();
                o.send(src, MrMsg::Contents(records));
            }

            // Worker.
            (
                MrActor::Worker {
                    killed_on_first_task: true,
                    ..
                },
                MrState::Worker {
                    phase: Phase::Waiting,
                    ..
                },
                MrMsg::Map(_) | MrMsg::Reduce(_),
            ) => {
                set_phase(state, Phase::Killed);
            }
            // With `retransmit`: a task this worker finished (a copy, or a
            // re-issue after its completion was lost) is reported done
            // again, not run again; the coordinator ignores a completion of
            // a completed task (§3.3).
            (
                MrActor::Worker {
                    retransmit: true, ..
                },
                MrState::Worker {
                    phase: Phase::Waiting,
                    done,
                },
                ref stale @ (MrMsg::Map(_) | MrMsg::Reduce(_)),
            ) if task_of(stale).is_some_and(|t| done.contains(&t)) => {
                if let Some(task) = task_of(stale) {
                    self.report_done(state, task, o);
                }
            }
            // §3.1 steps 3-4: run map, write R intermediate files.
            (
                MrActor::Worker { fs, job, .. },
                MrState::Worker {
                    phase: Phase::Waiting,
                    ..
                },
                MrMsg::Map(m),
            ) => {
                for (r, records) in job.map(m).into_iter().enumerate() {
                    let file = File::Intermediate(m, r as ReduceTask);
                    o.send(*fs, MrMsg::Rename { file, records });
                }
                set_phase(
                    state,
                    Phase::Mapping {
                        m,
                        unrenamed: (0..job.reduces).collect(),
                    },
                );
            }
            // Every intermediate file in place: report the map done.
            (
                MrActor::Worker { .. },
                MrState::Worker {
                    phase: Phase::Mapping { m, unrenamed },
                    ..
                },
                MrMsg::Renamed(File::Intermediate(renamed, r)),
            ) if renamed == *m && unrenamed.contains(&r) => {
                let m = *m;
                let mut unrenamed = unrenamed.clone();
                unrenamed.remove(&r);
                let phase = if unrenamed.is_empty() {
                    self.report_done(state, Task::Map(m), o);
                    Phase::Waiting
                } else {
                    Phase::Mapping { m, unrenamed }
                };
                set_phase(state, phase);
            }
            // §3.1 step 5: read partition r of every intermediate file.
            (
                MrActor::Worker { fs, .. },
                MrState::Worker {
                    phase: Phase::Waiting,
                    ..
                },
                MrMsg::Reduce(r),
            ) => {
                o.send(*fs, MrMsg::Read(r));
                set_phase(state, Phase::Reading(r));
            }
            // §3.1 step 6 and §3.3: reduce, write a temporary file, rename
            // it. The bug writes in place.
            (
                MrActor::Worker {
                    fs,
                    coordinator,
                    bug,
                    ..
                },
                MrState::Worker {
                    phase: Phase::Reading(r),
                    ..
                },
                MrMsg::Contents(records),
            ) => {
                let r = *r;
                let output = Job::reduce(&records);
                let file = File::Output(r);
                let phase = if *bug == Bug::NonAtomicOutput {
                    let mut records = output.into_iter();
                    match records.next() {
                        None => {
                            o.send(*coordinator, MrMsg::ReduceDone(r));
                            Phase::Waiting
                        }
                        Some(record) => {
                            o.send(*fs, MrMsg::Append { file, record });
                            Phase::Writing {
                                r,
                                rest: records.collect(),
                            }
                        }
                    }
                } else {
                    o.send(
                        *fs,
                        MrMsg::Rename {
                            file,
                            records: output,
                        },
                    );
                    Phase::Committing(r)
                };
                set_phase(state, phase);
            }
            (
                MrActor::Worker {
                    fs, coordinator, ..
                },
                MrState::Worker {
                    phase: Phase::Writing { r, rest },
                    ..
                },
                MrMsg::Appended(File::Output(appended)),
            ) if appended == *r => {
                let r = *r;
                let phase = match rest.split_first() {
                    None => {
                        o.send(*coordinator, MrMsg::ReduceDone(r));
                        Phase::Waiting
                    }
                    Some((next, rest)) => {
                        o.send(
                            *fs,
                            MrMsg::Append {
                                file: File::Output(r),
                                record: next.clone(),
                            },
                        );
                        Phase::Writing {
                            r,
                            rest: rest.to_vec(),
                        }
                    }
                };
                set_phase(state, phase);
            }
            (
                MrActor::Worker { .. },
                MrState::Worker {
                    phase: Phase::Committing(r),
                    ..
                },
                MrMsg::Renamed(File::Output(renamed)),
            ) if renamed == *r => {
                let r = *r;
                self.report_done(state, Task::Reduce(r), o);
                set_phase(state, Phase::Waiting);
            }
            _ => {}
        }
    }

    /// §3.3: "any map task or reduce task in progress on a failed worker is
    /// also reset back to idle and becomes eligible for rescheduling". The
    /// bug never resets it.
    fn on_timeout(&self, _id: Id, state: &mut Cow<MrState>, timer: &MrTimer, o: &mut Out<Self>) {
        let task = match (self, state.as_ref(), timer) {
            (_, _, MrTimer::Reissue(task)) => *task,
            (MrActor::Worker { .. }, MrState::Worker { phase, .. }, MrTimer::Retry) => {
                let phase = phase.clone();
                self.retry(state, phase, o);
                o.set_timer(MrTimer::Retry, RETRY);
                return;
            }
            _ => return,
        };
        let (MrActor::Coordinator { bug, .. }, MrState::Coordinator { maps, reduces, .. }) =
            (self, state.as_ref())
        else {
            return;
        };
        let status = match task {
            Task::Map(m) => maps[usize::from(m)],
            Task::Reduce(r) => reduces[usize::from(r)],
        };
        if !matches!(status, Status::InProgress(_)) || *bug == Bug::NoReissue {
            return;
        }
        let Some(fields) = coordinator_fields(state.to_mut()) else {
            return;
        };
        match task {
            Task::Map(m) => fields.0[usize::from(m)] = Status::Idle,
            Task::Reduce(r) => fields.1[usize::from(r)] = Status::Idle,
        }
        self.schedule(fields, o);
    }
}

// Properties.

type State = stateright::actor::ActorModelState<MrActor>;

fn coordinator(state: &State) -> Option<&MrState> {
    state
        .actor_states
        .first()
        .map(|s| &**s)
        .filter(|s| matches!(s, MrState::Coordinator { .. }))
}

fn files(state: &State) -> Option<&BTreeMap<File, Records>> {
    state.actor_states.iter().find_map(|s| match &**s {
        MrState::FileSystem { files } => Some(files),
        _ => None,
    })
}

/// 6.824 Lab 1: "the reduce phase cannot start until the last map has
/// finished"; no reduce task is handed out while some map task is not
/// completed. The paper is looser (cf. §3.1 steps 4-6): reduce workers may
/// be told of map outputs as they appear, and only the reduce function
/// waits until it has read all of its intermediate data. Lab 1's rule is
/// the one the coordinator here follows.
fn no_reduce_before_maps_finish(_: &MrModel, state: &State) -> bool {
    match coordinator(state) {
        Some(MrState::Coordinator { maps, reduces, .. }) => {
            reduces.iter().all(|s| *s == Status::Idle)
                || maps.iter().all(|s| *s == Status::Completed)
        }
        _ => true,
    }
}

/// §3.3, "Semantics in the presence of failures": "we rely on the atomic
/// rename operation ... to guarantee that the final file system state
/// contains just the data produced by one execution of the reduce task",
/// and with deterministic operators the output is what "a non-faulting
/// sequential execution of the entire program" would produce. Every output
/// file, whenever visible, is exactly the sequential result: never partial,
/// never doubled. A re-executed reduce may rename its output more than once
/// ("multiple rename calls will be executed for the same final output
/// file"), so the property is about what is visible, not how often it was
/// committed; that each reduce is done is "job completes".
fn output_is_sequential_result(model: &MrModel, state: &State) -> bool {
    let job = &model.cfg.job;
    files(state).is_none_or(|files| {
        files.iter().all(|(file, records)| match file {
            File::Output(r) => *records == job.sequential(*r),
            File::Intermediate(..) => true,
        })
    })
}

/// §3.3 ("MapReduce is resilient to large-scale worker failures") and Lab 1
/// ("the job completes"): the coordinator counts every reduce task done and
/// every output file is the sequential result. With at most `crashes <
/// workers` crashes, under weak fairness of delivery and of the timeout.
fn job_completes(model: &MrModel, state: &State) -> bool {
    let job = &model.cfg.job;
    let counted = matches!(coordinator(state), Some(MrState::Coordinator { reduces, .. })
        if reduces.iter().all(|s| *s == Status::Completed));
    counted
        && files(state).is_some_and(|files| {
            (0..job.reduces).all(|r| files.get(&File::Output(r)) == Some(&job.sequential(r)))
        })
}

/// Reachability: a worker crashed in the middle of a task and the job
/// completed all the same (someone else re-executed the task).
fn completes_despite_a_crash(model: &MrModel, state: &State) -> bool {
    let crashed_mid_task = state.crashed.iter().zip(&state.actor_states).any(|(c, s)| {
        *c && matches!(&**s, MrState::Worker { phase, .. } if *phase != Phase::Waiting)
    });
    crashed_mid_task && job_completes(model, state)
}

// Configuration.

pub type MrModel = ActorModel<MrActor, MrCfg, ()>;

#[derive(Clone, Debug, Serialize)]
pub struct MrCfg {
    pub maps: u8,
    pub reduces: u8,
    pub workers: u8,
    /// How many workers may crash (and stay down).
    pub crashes: u8,
    /// Real runs: worker 1 is killed when its first task arrives.
    pub kill_a_worker: bool,
    /// The network loses and duplicates messages, and every worker retries
    /// its outstanding request on a timer (the coordinator's re-issue does
    /// the rest, §3.3): scenario `lossy`, and every real run (`dsw run
    /// mapreduce` sets it). Off by default: messages reordered, never lost.
    pub retransmit: bool,
    #[serde(skip)]
    pub job: Arc<Job>,
    pub bug: Bug,
}

impl Default for MrCfg {
    fn default() -> Self {
        MrCfg {
            maps: 2,
            reduces: 2,
            workers: 2,
            crashes: 1,
            kill_a_worker: false,
            retransmit: false,
            job: Arc::new(Job::new(2, 2)),
            bug: Bug::None,
        }
    }
}

impl Config for MrCfg {
    type Model = MrModel;

    fn new(variant: &str, params: &Params) -> Self {
        let (maps, reduces) = (params["maps"] as u8, params["reduces"] as u8);
        MrCfg {
            maps,
            reduces,
            workers: params["workers"] as u8,
            crashes: params["crashes"] as u8,
            kill_a_worker: false,
            retransmit: params["retransmit"] == 1,
            job: Arc::new(Job::new(maps, reduces)),
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> MrModel {
        crate::runner::indexed(self)
    }

    /// Only workers crash, and they stay down (§3.3's failed machine).
    fn analyses(_: &MrModel) -> checker::Analyses<MrModel> {
        checker::Analyses {
            excluded: Some(Box::new(|a| match a {
                ActorModelAction::Crash(id) => usize::from(*id) < 2,
                ActorModelAction::Recover(_) => true,
                _ => false,
            })),
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for MrCfg {
    type Actor = MrActor;
    type History = ();

    fn actor_count(&self) -> usize {
        2 + usize::from(self.workers)
    }

    fn done(states: &[Option<MrState>]) -> bool {
        states.iter().flatten().any(|s| {
            matches!(s, MrState::Coordinator { reduces, .. }
                if reduces.iter().all(|s| *s == Status::Completed))
        })
    }

    fn observations(states: &[MrState], _: &()) -> Vec<String> {
        let mut lines = Vec::new();
        for s in states {
            match s {
                MrState::Coordinator {
                    maps,
                    reduces,
                    maps_completed,
                    reduces_completed,
                    ..
                } => lines.push(format!(
                    "coordinator: maps {maps:?} ({maps_completed} counted), reduces {reduces:?} ({reduces_completed} counted)"
                )),
                MrState::FileSystem { files } => {
                    for (file, records) in files {
                        if let File::Output(r) = file {
                            lines.push(format!("mr-out-{r}: {records:?}"));
                        }
                    }
                }
                MrState::Worker { .. } => {}
            }
        }
        let workers: Vec<String> = states
            .iter()
            .filter_map(|s| match s {
                MrState::Worker { phase, .. } => Some(format!("{phase:?}")),
                _ => None,
            })
            .collect();
        lines.push(format!("workers: {}", workers.join(", ")));
        lines
    }

    /// The coordinator, the file system, then the workers, known by `ids`.
    fn model_on(self, ids: &[Id]) -> MrModel {
        let workers: Vec<Id> = ids[2..].to_vec();
        let coordinator = MrActor::Coordinator {
            workers: workers.clone(),
            maps: self.maps,
            reduces: self.reduces,
            bug: self.bug,
        };
        let fs = MrActor::FileSystem { maps: self.maps };
        let worker_actors: Vec<MrActor> = (0..self.workers)
            .map(|w| MrActor::Worker {
                number: w + 1,
                coordinator: ids[0],
                fs: ids[1],
                job: Arc::clone(&self.job),
                killed_on_first_task: self.kill_a_worker && w == 0,
                retransmit: self.retransmit,
                bug: self.bug,
            })
            .collect();
        let crashes = usize::from(self.crashes);
        // Reordering links unless retransmitting; then links that also lose
        // and duplicate (Stateright's duplicating network keeps a message in
        // flight until it is lost).
        let (network, lossy) = if self.retransmit {
            (Network::new_unordered_duplicating([]), LossyNetwork::Yes)
        } else {
            (Network::new_unordered_nonduplicating([]), LossyNetwork::No)
        };
        ActorModel::new(self, ())
            .actor(coordinator)
            .actor(fs)
            .actors(worker_actors)
            .init_network(network)
            .lossy_network(lossy)
            .max_crashes(crashes)
            .property(
                Expectation::Always,
                "no reduce before every map finished",
                no_reduce_before_maps_finish,
            )
            .property(
                Expectation::Always,
                "output is the sequential result",
                output_is_sequential_result,
            )
            .property(Expectation::Eventually, "job completes", job_completes)
            .property(
                Expectation::Sometimes,
                "completes despite a crash",
                completes_despite_a_crash,
            )
    }

    /// `dsw run mapreduce`: the word count over UDP with worker 1 killed when
    /// its first task arrives; the coordinator must hand that task out again,
    /// and the output must equal the sequential count. With `retransmit` on,
    /// as scenario `lossy` checks it: a real network may lose and duplicate
    /// (`--loss`, `--duplicate`), and a worker whose request was lost would
    /// wait forever.
    fn for_real_network(self) -> Self {
        Self {
            kill_a_worker: true,
            retransmit: true,
            ..self
        }
    }
}

/// §3.3's resilience needs a worker that stays up: with every worker
/// crashed no task is ever done, which is no fault of the protocol.
fn fewer_crashes_than_workers(params: &Params) -> Result<(), String> {
    let (crashes, workers) = (params["crashes"], params["workers"]);
    if crashes < workers {
        return Ok(());
    }
    Err(format!(
        "parameter crashes = {crashes} is out of range with workers = {workers}; \
         it takes 0 to {} (fewer crashes than workers: \"job completes\" is claimed \
         for runs in which some worker survives)",
        workers - 1
    ))
}

pub static PROTOCOL: Protocol = Protocol {
    name: "mapreduce",
    section: "MapReduce, RPC and threads",
    summary: "A coordinator hands out map then reduce tasks, re-issues them after a timeout, and outputs commit by atomic rename",
    citations: &[
        "Dean & Ghemawat, MapReduce: Simplified Data Processing on Large Clusters (OSDI 2004), §3.1-3.3",
        "MIT 6.824 (6.5840) Distributed Systems, Lab 1: MapReduce",
    ],
    notes: "",
    params: &[
        ParamSpec {
            name: "maps",
            doc: "map tasks (input splits)",
            default: 2,
            min: 1,
            max: 4,
        },
        ParamSpec {
            name: "reduces",
            doc: "reduce tasks (output partitions)",
            default: 2,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "workers",
            doc: "workers",
            default: 2,
            min: 1,
            max: 3,
        },
        ParamSpec {
            name: "crashes",
            doc: "workers that may crash and stay down (fewer than workers)",
            default: 1,
            min: 0,
            max: 2,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: messages are also lost and duplicated, and each worker retries its outstanding request on a timer (the coordinator's re-issue, §3.3, does the rest) (scenario lossy; every real run retransmits); 0: messages reordered, never lost, no retry timer",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[ParamRule {
        doc: "crashes < workers: \"job completes\" is claimed for runs in which some worker survives",
        check: fewer_crashes_than_workers,
    }],
    properties: &[
        PropertySpec {
            name: "no reduce before every map finished",
            kind: PropertyKind::Always,
            source: "6.824 Lab 1 (the reduce phase waits for the last map); cf. Dean & Ghemawat 2004 §3.1 steps 4-6",
        },
        PropertySpec {
            name: "output is the sequential result",
            kind: PropertyKind::Always,
            source: "Dean & Ghemawat 2004 §3.3, semantics in the presence of failures (atomic rename)",
        },
        PropertySpec {
            name: "job completes",
            kind: PropertyKind::Eventually,
            source: "Dean & Ghemawat 2004 §3.3, worker failure (re-execution); weak fairness, fewer crashes than workers",
        },
        PropertySpec {
            name: "completes despite a crash",
            kind: PropertyKind::Sometimes,
            source: "reachability: a crashed worker's task is re-executed",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "tasks re-issued after a timeout, outputs renamed into place, duplicate completions ignored",
            expect: &[],
        },
        VariantSpec {
            name: "no-reissue",
            doc: "a task handed out is never handed out again: after a crash the job never completes",
            expect: &[
                ("job completes", Verdict::Violated),
                ("completes despite a crash", Verdict::NoExample),
            ],
        },
        VariantSpec {
            name: "non-atomic-output",
            doc: "the reduce output is written in place, record by record: a partial file is visible, and two executions interleave into a doubled file",
            // A doubled file stays wrong: the job never completes correctly.
            expect: &[
                (
                    "output is the sequential result",
                    Verdict::Violated,
                ),
                ("job completes", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "accept-late-completion",
            doc: "a completion for an already completed task is counted again: the reduce phase starts while a map is unfinished, and reduces a partial input",
            expect: &[
                ("no reduce before every map finished", Verdict::Violated),
                (
                    "output is the sequential result",
                    Verdict::Violated,
                ),
                ("job completes", Verdict::Violated),
            ],
        },
    ],
    scenarios: &[],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<MrCfg>,
    explore: crate::registry::explore_config::<MrCfg>,
    replay: crate::registry::replay_config::<MrCfg>,
    compare: crate::registry::compare_config::<MrCfg>,
    run: Some(crate::runner::run_config::<MrCfg>),
};
