//! Nodes as OS processes: `dsw node` runs one node of a model's real-run
//! configuration ([`node`]), and `dsw run --processes` runs every node so
//! and checks the run as a thread run is checked ([`drive`]).
//!
//! The driver binds one socket per node on loopback to learn free ports,
//! writes them to a cluster file ([`runtime::node::CLUSTER_FORMAT`]) in
//! the directory the run owns, lets the sockets go, and starts one child
//! `dsw node` per node, each writing its record and storage file to that
//! directory. It cannot see the children's states, so every 100 ms it
//! reads their records, merges them and replays them through the actors
//! ([`crate::validate::replay`]): the states it gets are what the
//! workload's end and the model's own crash are judged on, and at the end
//! what the properties are evaluated on. A kill (the nemesis's `kill`, or
//! the model's own crash) is a real SIGKILL, sent while the child is
//! stopped (SIGSTOP) between two of its steps, so that its record ends
//! with whole steps; the driver appends the crash to the record, and
//! restarts the child from the storage directory when the fault heals. A
//! pause is SIGSTOP, then SIGCONT. A partition is the children's own send
//! filter, set through a partition file the driver writes and every child
//! follows and acknowledges ([`rnode::write_cut`]). At the end the
//! children get SIGTERM and finish their current step.

use crate::validate::{replay, NetworkKind};
use runtime::faults::Fault;
use runtime::node::{self as rnode, NodeConfig, NodeSummary};
use runtime::{Bound, Crash, Event, EventKind, RunConfig, RunResult};
use serde::de::DeserializeOwned;
use serde::Serialize;
use stateright::actor::{Actor, Id};
use std::net::SocketAddrV4;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `dsw run --processes`: the program that runs a node (`dsw` itself), and
/// the arguments that name the model, variant and parameters.
#[derive(Clone, Debug)]
pub struct ProcessOptions {
    pub exe: PathBuf,
    pub model: String,
    pub variant: String,
    /// Parameters, each `key=value`.
    pub params: Vec<String>,
    /// Where each node runs, instead of loopback: its address, and the
    /// command its `dsw node` is started under (e.g. `ip netns exec ns1`,
    /// the node inside a network namespace).
    pub hosts: Option<Vec<Host>>,
}

/// A node's place: its address, and the command prefix that starts it
/// there.
#[derive(Clone, Debug)]
pub struct Host {
    pub addr: SocketAddrV4,
    pub prefix: Vec<String>,
}

/// `dsw node`: which node, where its peers are, where its storage and
/// record go, and the flag that stops it (SIGTERM).
#[derive(Clone, Debug)]
pub struct NodeOptions {
    pub id: usize,
    pub cluster: PathBuf,
    pub storage: PathBuf,
    pub record: PathBuf,
    pub epoch_micros: Option<u64>,
    pub start_when: Option<PathBuf>,
    /// The partition file to follow ([`rnode::write_cut`]).
    pub cut_file: Option<PathBuf>,
    pub stop: Arc<AtomicBool>,
    /// What the node did, once it stopped.
    pub summary: Arc<Mutex<Option<NodeSummary>>>,
}

/// What a protocol's run returns after running one node (`dsw node`):
/// one node has no run report (the properties need every node), so the
/// run stops at its record; the node's summary is in
/// [`NodeOptions::summary`].
pub const ONE_NODE: &str = "one node ran; a run report needs every node (dsw run --processes)";

/// Runs node `node.id` of `actors` (the real run's actors, node `i` known
/// by the cluster file's address `i`) as this process.
pub(crate) fn node<A>(
    actors: Vec<A>,
    addrs: Vec<SocketAddrV4>,
    opts: &crate::RunOptions,
    node: &NodeOptions,
) -> Result<(), String>
where
    A: Actor + Send + 'static,
    A::Msg: Serialize + DeserializeOwned + Send + 'static,
    A::Timer: Serialize + Send + 'static,
    A::State: Send + 'static,
    A::Storage: Serialize + DeserializeOwned + Send,
    A::Random: Send,
{
    let n = actors.len();
    if addrs.len() != n {
        return Err(format!(
            "the cluster file lists {} nodes; this configuration has {n}",
            addrs.len()
        ));
    }
    let Some(actor) = actors.into_iter().nth(node.id) else {
        return Err(format!(
            "--id {} is not a node of this configuration: ids 0 to {}",
            node.id,
            n - 1
        ));
    };
    let cfg = NodeConfig {
        node: node.id,
        addrs,
        storage: node.storage.clone(),
        record: node.record.clone(),
        limit: opts.duration,
        loss: opts.loss,
        duplicate: opts.duplicate,
        seed: opts.seed,
        epoch_micros: node.epoch_micros,
        start_when: node.start_when.clone(),
        cut_file: node.cut_file.clone(),
    };
    let summary = rnode::run_node(actor, &cfg, &node.stop)?;
    *node.summary.lock().unwrap_or_else(|e| e.into_inner()) = Some(summary);
    Ok(())
}

/// The nodes' addresses, from `node`'s cluster file.
pub(crate) fn cluster(node: &NodeOptions) -> Result<Vec<SocketAddrV4>, String> {
    let text = std::fs::read_to_string(&node.cluster).map_err(|e| {
        format!(
            "cannot read the cluster file {}: {e}",
            node.cluster.display()
        )
    })?;
    rnode::parse_cluster(&text)
}

/// One child `dsw node`.
struct NodeProcess {
    child: Option<Child>,
    record: PathBuf,
    log: PathBuf,
}

/// Sends `signal` (`TERM`, `STOP`, `CONT`) to `child` with kill(1).
fn signal(child: &Child, signal: &str) -> bool {
    Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The last lines of a child's log, for an error.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(3).collect();
    let lines: Vec<&str> = lines.into_iter().rev().collect();
    if lines.is_empty() {
        "(nothing on its stderr)".into()
    } else {
        lines.join(" / ")
    }
}

struct Driver<'a> {
    p: &'a ProcessOptions,
    cfg: &'a RunConfig,
    dir: PathBuf,
    cluster: PathBuf,
    epoch: u64,
    start: Instant,
    nodes: Vec<NodeProcess>,
}

impl Driver<'_> {
    fn spawn(&mut self, i: usize) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.nodes[i].log)
            .map_err(|e| format!("cannot open {}: {e}", self.nodes[i].log.display()))?;
        let prefix = self
            .p
            .hosts
            .as_ref()
            .and_then(|h| h.get(i))
            .map_or(&[][..], |h| &h.prefix[..]);
        let mut cmd = match prefix.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(&self.p.exe);
                c
            }
            None => Command::new(&self.p.exe),
        };
        cmd.arg("node")
            .arg(&self.p.model)
            .arg("--variant")
            .arg(&self.p.variant);
        for kv in &self.p.params {
            cmd.arg("-p").arg(kv);
        }
        // The children stop when told; their own limit is a safety net
        // should the driver die.
        let limit = self.cfg.duration.as_secs() + 10;
        cmd.arg("--id")
            .arg(i.to_string())
            .arg("--cluster")
            .arg(&self.cluster)
            .arg("--storage")
            .arg(&self.dir)
            .arg("--record")
            .arg(&self.nodes[i].record)
            .arg("--seed")
            .arg(self.cfg.seed.to_string())
            .arg("--loss")
            .arg(self.cfg.loss.to_string())
            .arg("--duplicate")
            .arg(self.cfg.duplicate.to_string())
            .arg("--time-limit")
            .arg(limit.to_string())
            .arg("--epoch-micros")
            .arg(self.epoch.to_string())
            .arg("--start-when")
            .arg(self.dir.join("go"))
            .arg("--partition-file")
            .arg(self.partition_file())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.p.exe.display()))?;
        self.nodes[i].child = Some(child);
        Ok(())
    }

    /// SIGKILL to node `i`, between two of its steps (it is stopped until
    /// its record ends with a whole step); the crash appended to its
    /// record.
    fn kill(&mut self, i: usize) -> Result<(), String> {
        let record = self.nodes[i].record.clone();
        let Some(mut child) = self.nodes[i].child.take() else {
            return Ok(());
        };
        for _ in 0..1000 {
            if !signal(&child, "STOP") {
                break;
            }
            if rnode::between_steps(&record)? {
                break;
            }
            signal(&child, "CONT");
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = child.kill();
        let _ = child.wait();
        rnode::append_crash(&record, &self.dir, i, self.start.elapsed())
    }

    /// The partition file every child follows.
    fn partition_file(&self) -> PathBuf {
        self.dir.join("partition")
    }

    /// Imposes `cut` on the children (version `version` of the partition
    /// file) and returns once every running child has applied it.
    fn cut(&mut self, version: u64, cut: &[bool]) -> Result<(), String> {
        let path = self.partition_file();
        rnode::write_cut(&path, version, cut)?;
        let by = Instant::now() + Duration::from_secs(5);
        loop {
            self.check_alive()?;
            let behind = (0..self.nodes.len()).find(|i| {
                self.nodes[*i].child.is_some()
                    && rnode::cut_acknowledged(&path, *i).is_none_or(|v| v < version)
            });
            let Some(i) = behind else {
                return Ok(());
            };
            if Instant::now() >= by {
                return Err(format!(
                    "node {i}'s process did not apply the partition within 5 s"
                ));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// SIGSTOP to node `i`; returns once the kernel has stopped it.
    fn pause(&mut self, i: usize) -> Result<(), String> {
        let Some(child) = &self.nodes[i].child else {
            return Ok(());
        };
        let stat = format!("/proc/{}/stat", child.id());
        if !signal(child, "STOP") {
            return Err(format!("cannot stop node {i}'s process"));
        }
        let by = Instant::now() + Duration::from_secs(5);
        // The state is the field after the command's closing parenthesis.
        let stopped = || {
            std::fs::read_to_string(&stat).is_ok_and(|s| {
                s.rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('T'))
            })
        };
        while !stopped() {
            if Instant::now() >= by {
                return Err(format!("node {i}'s process did not stop within 5 s"));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }

    /// SIGCONT to node `i`.
    fn resume(&mut self, i: usize) -> Result<(), String> {
        match &self.nodes[i].child {
            Some(child) if !signal(child, "CONT") => {
                Err(format!("cannot resume node {i}'s process"))
            }
            _ => Ok(()),
        }
    }

    /// An event of node `i` the driver records (a pause or a resume), at
    /// `at`, with the Lamport time of the node's last event.
    fn node_event<M, T>(
        &self,
        i: usize,
        at: Duration,
        kind: EventKind<M, T>,
    ) -> Result<Event<M, T>, String> {
        Ok(Event {
            at,
            node: i,
            lamport: rnode::last_lamport(&self.nodes[i].record)?,
            sent_lamport: None,
            kind,
        })
    }

    /// Fails if a child ended on its own.
    fn check_alive(&mut self) -> Result<(), String> {
        for (i, n) in self.nodes.iter_mut().enumerate() {
            if let Some(child) = &mut n.child {
                if let Ok(Some(status)) = child.try_wait() {
                    n.child = None;
                    return Err(format!(
                        "node {i}'s process ended by itself ({status}): {}",
                        log_tail(&n.log)
                    ));
                }
            }
        }
        Ok(())
    }

    /// SIGTERM to every child, then SIGKILL to any still running after 3 s.
    fn stop(&mut self) {
        for n in &self.nodes {
            if let Some(child) = &n.child {
                signal(child, "CONT");
                signal(child, "TERM");
            }
        }
        let until = Instant::now() + Duration::from_secs(3);
        for n in &mut self.nodes {
            if let Some(mut child) = n.child.take() {
                loop {
                    match child.try_wait() {
                        Ok(Some(_)) | Err(_) => break,
                        Ok(None) if Instant::now() >= until => {
                            let _ = child.kill();
                            let _ = child.wait();
                            break;
                        }
                        Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            }
        }
    }

    /// Every record merged with the driver's events, and each node's step
    /// hashes.
    #[allow(clippy::type_complexity)]
    fn collect<M: DeserializeOwned + Clone, T: DeserializeOwned + Clone>(
        &self,
        driver: &[Event<M, T>],
    ) -> Result<(Vec<Event<M, T>>, Vec<Vec<u64>>), String> {
        let mut records = Vec::with_capacity(self.nodes.len());
        let mut hashes = Vec::with_capacity(self.nodes.len());
        for (i, n) in self.nodes.iter().enumerate() {
            let r = rnode::read_record::<M, T>(&n.record)?;
            if let Some(e) = r.events.iter().find(|e| e.node != i) {
                return Err(format!(
                    "{} holds an event of node {}, not {i}",
                    n.record.display(),
                    e.node
                ));
            }
            records.push(r.events);
            hashes.push(r.hashes);
        }
        Ok((rnode::merge(records, driver.to_vec()), hashes))
    }
}

impl Drop for Driver<'_> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs `actors` (node `i` known as `bound.ids[i]`) as child processes
/// until `done` holds on their replayed states (with every node up and the
/// nemesis's faults healed) or `cfg.duration` passes, killing nodes as the
/// nemesis's `kill` or `crash` asks; returns the run as the thread runtime
/// would, its states the replayed ones.
pub(crate) fn drive<A>(
    actors: &[A],
    network: NetworkKind,
    bound: Bound,
    cfg: &RunConfig,
    p: &ProcessOptions,
    done: impl Fn(&[Option<A::State>]) -> bool,
    mut crash: impl FnMut(&[Option<A::State>]) -> Option<Crash>,
) -> Result<RunResult<A>, String>
where
    A: Actor,
    A::Msg: Serialize + DeserializeOwned + Clone,
    A::Timer: Serialize + DeserializeOwned + Clone,
    A::Storage: Serialize + DeserializeOwned,
{
    let Bound {
        sockets,
        ids,
        mut storage,
    } = bound;
    let n = ids.len();
    // The ports were free a moment ago: the children bind them now.
    drop(sockets);
    let dir = storage.path().to_path_buf();
    let addrs: Vec<SocketAddrV4> = ids.iter().map(|id| SocketAddrV4::from(*id)).collect();
    let cluster = dir.join("cluster.txt");
    std::fs::write(&cluster, rnode::cluster_text(&addrs))
        .map_err(|e| format!("cannot write {}: {e}", cluster.display()))?;
    let mut d = Driver {
        p,
        cfg,
        cluster,
        epoch: rnode::now_micros(),
        start: Instant::now(),
        nodes: (0..n)
            .map(|i| NodeProcess {
                child: None,
                record: dir.join(format!("record-{i}.jsonl")),
                log: dir.join(format!("node-{i}.log")),
            })
            .collect(),
        dir,
    };
    for i in 0..n {
        d.spawn(i)?;
    }
    // Each child opens its record once its socket is bound; then all go.
    let ready_by = Instant::now() + Duration::from_secs(30);
    while !d.nodes.iter().all(|c| c.record.exists()) {
        d.check_alive()?;
        if Instant::now() >= ready_by {
            return Err("the node processes did not all start within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let go = d.dir.join("go");
    std::fs::write(&go, b"").map_err(|e| format!("cannot write {}: {e}", go.display()))?;
    let replayed = |d: &Driver, driver: &[Event<A::Msg, A::Timer>]| {
        let (events, step_hashes) = d.collect(driver)?;
        let run = RunResult::<A> {
            states: Vec::new(),
            events,
            finished: false,
            elapsed: d.start.elapsed(),
            down: Vec::new(),
            storage_dir: None,
            fuzz: None,
            step_hashes,
        };
        let r = replay(actors, &ids, network, &run, &|_| false);
        Ok::<_, String>((run, r))
    };
    // The driver's own events: the nemesis's faults.
    let mut driver: Vec<Event<A::Msg, A::Timer>> = Vec::new();
    // Nodes killed, and when each restarts.
    let mut down: Vec<Option<Instant>> = vec![None; n];
    let (mut started, mut healed) = (0, 0);
    // The partition file's version.
    let mut cut_version = 0;
    let deadline = Instant::now() + cfg.duration;
    let mut finished = false;
    let mut polled = Instant::now();
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        d.check_alive()?;
        let now = d.start.elapsed();
        // The nemesis: one fault at a time, each started and healed when
        // its time comes. A partition is the children's own filter, set
        // through the partition file; a pause is SIGSTOP, then SIGCONT; a
        // kill is SIGKILL, then a restart from the storage directory.
        let nemesis_event = |index: usize, healed: bool, at: Duration| Event {
            at,
            node: cfg.nemesis[index].fault.node(),
            lamport: 0,
            sent_lamport: None,
            kind: EventKind::Nemesis { index, healed },
        };
        if healed < started && cfg.nemesis[healed].end <= now {
            match cfg.nemesis[healed].fault {
                Fault::Kill(k) => {
                    if down[k].is_some() {
                        d.spawn(k)?;
                        down[k] = None;
                    }
                }
                Fault::Partition(_) => {
                    cut_version += 1;
                    d.cut(cut_version, &vec![false; n * n])?;
                }
                Fault::Pause(k) => {
                    driver.push(d.node_event(k, d.start.elapsed(), EventKind::Resumed)?);
                    d.resume(k)?;
                }
            }
            // Healed once every child has left the fault.
            driver.push(nemesis_event(healed, true, d.start.elapsed()));
            healed += 1;
        } else if started == healed
            && started < cfg.nemesis.len()
            && cfg.nemesis[started].start <= now
        {
            // Started before any child is in the fault.
            driver.push(nemesis_event(started, false, now));
            match &cfg.nemesis[started].fault {
                Fault::Kill(k) => {
                    d.kill(*k)?;
                    // Restarted when the fault heals.
                    down[*k] = Some(deadline + Duration::from_secs(3600));
                }
                fault @ Fault::Partition(_) => {
                    let cut: Vec<bool> = (0..n * n).map(|c| fault.cuts(n, c / n, c % n)).collect();
                    cut_version += 1;
                    d.cut(cut_version, &cut)?;
                }
                Fault::Pause(k) => {
                    d.pause(*k)?;
                    driver.push(d.node_event(*k, d.start.elapsed(), EventKind::Paused)?);
                }
            }
            started += 1;
        }
        // The model's own crashes come back by themselves.
        for (k, until) in down.iter_mut().enumerate() {
            if until.is_some_and(|t| t <= Instant::now()) {
                d.spawn(k)?;
                *until = None;
            }
        }
        if polled.elapsed() < Duration::from_millis(100) {
            continue;
        }
        polled = Instant::now();
        let calm = healed == cfg.nemesis.len() && started == healed;
        if down.iter().any(Option::is_some) || !calm {
            continue;
        }
        let (run, r) = replayed(&d, &driver)?;
        // A node that has not started yet (no step recorded) has no state.
        let states: Vec<Option<A::State>> = r
            .states
            .into_iter()
            .enumerate()
            .map(|(i, s)| (!r.down[i] && !run.step_hashes[i].is_empty()).then_some(s))
            .collect();
        if let Some(c) = crash(&states).filter(|c| c.node < n) {
            d.kill(c.node)?;
            down[c.node] = Some(Instant::now() + c.down_for);
            continue;
        }
        if states.iter().all(Option::is_some) && done(&states) {
            finished = true;
            break;
        }
    }
    d.stop();
    let (mut run, r) = replayed(&d, &driver)?;
    run.states = r.states;
    run.down = r.down;
    run.finished = finished;
    run.elapsed = d.start.elapsed();
    storage.set_keep(cfg.keep_storage);
    run.storage_dir = cfg.keep_storage.then(|| storage.path().to_path_buf());
    Ok(run)
}

/// The ids a run of processes on `addrs` knows its nodes by.
pub fn ids_of(addrs: &[SocketAddrV4]) -> Vec<Id> {
    addrs.iter().map(|a| Id::from(*a)).collect()
}
