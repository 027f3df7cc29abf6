//! One node as its own OS process (`dsw node`): the same [`NodeLoop`] a
//! thread of [`run_with`](crate::run_with) runs, on a socket bound to the
//! address a cluster file gives the node, its peers known by theirs.
//!
//! The node writes its record as it goes, one JSON line per event or
//! step ([`RecordLine`]), each with one `write` to a file opened for
//! appending: a SIGKILL loses nothing already recorded, and since a step's
//! input is recorded before its storage write and its sends, nothing the
//! node did is missing from its record either. Its storage is the thread
//! runtime's: `node-<id>.json` in the storage directory, written and
//! fsynced before the step's sends.
//!
//! A node started on a record file that already holds events is a
//! restart: the previous process was killed. If the record does not end
//! with that crash (whoever killed it did not write one), the node writes
//! it first, with what its storage file holds; then it records the
//! restart, reads its storage back and calls `on_start` with it, its
//! Lamport clock going on from the record's.

use crate::{lock, node_rng, trace, Event, EventKind, NodeLoop, Shared};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, Id};
use std::io::Write;
use std::net::{SocketAddrV4, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where a node process's events and step hashes go as they are recorded.
pub(crate) type Sink<A> =
    Box<dyn Fn(Line<'_, <A as Actor>::Msg, <A as Actor>::Timer>) + Send + Sync>;

/// One line of a record, as written.
#[derive(Serialize)]
pub(crate) enum Line<'a, M, T> {
    Event(&'a Event<M, T>),
    Hash(u64),
}

/// One line of a record file: an event of the node, or the
/// [`state_hash`](crate::state_hash) of its state after its next step (its
/// start, a delivery, a timer or a restart), in the order they happened.
#[derive(Debug, Deserialize)]
pub enum RecordLine<M, T> {
    Event(Event<M, T>),
    Hash(u64),
}

/// A node's record, read back.
pub struct Record<M, T> {
    pub events: Vec<Event<M, T>>,
    pub hashes: Vec<u64>,
}

/// How a cluster file is written, for error messages and help.
pub const CLUSTER_FORMAT: &str = "one node a line: its id (0, 1, 2, ... every one once) and its IPv4 address with port, e.g. `0 127.0.0.1:7000`; blank lines and lines starting with # are skipped";

/// The nodes' addresses a cluster file gives, indexed by id.
pub fn parse_cluster(text: &str) -> Result<Vec<SocketAddrV4>, String> {
    let mut found: Vec<(usize, SocketAddrV4)> = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let bad = |what: String| format!("cluster file line {}: {what}; {CLUSTER_FORMAT}", i + 1);
        let mut words = l.split_whitespace();
        let (Some(id), Some(addr), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad(format!("\"{l}\" is not `id address`")));
        };
        let id: usize = id
            .parse()
            .map_err(|_| bad(format!("\"{id}\" is not a node id")))?;
        let addr: SocketAddrV4 = addr
            .parse()
            .map_err(|_| bad(format!("\"{addr}\" is not an IPv4 address with a port")))?;
        if found.iter().any(|(j, _)| *j == id) {
            return Err(bad(format!("node {id} is listed twice")));
        }
        if let Some((j, _)) = found.iter().find(|(_, a)| *a == addr) {
            return Err(bad(format!("{addr} is node {j}'s address already")));
        }
        found.push((id, addr));
    }
    found.sort();
    if found.is_empty() {
        return Err(format!("the cluster file lists no node; {CLUSTER_FORMAT}"));
    }
    if let Some(missing) = (0..found.len()).find(|i| found[*i].0 != *i) {
        return Err(format!(
            "the cluster file has no node {missing} (ids run from 0 with no gap); {CLUSTER_FORMAT}"
        ));
    }
    Ok(found.into_iter().map(|(_, a)| a).collect())
}

/// A cluster file for `addrs` (node `i` at `addrs[i]`).
pub fn cluster_text(addrs: &[SocketAddrV4]) -> String {
    let mut text = String::from("# dsw cluster file: node id, then its address\n");
    for (i, a) in addrs.iter().enumerate() {
        text.push_str(&format!("{i} {a}\n"));
    }
    text
}

/// Reads a record file (a missing one is empty). A last line without its
/// newline is a write the process was killed in the middle of: skipped.
pub fn read_record<M: DeserializeOwned, T: DeserializeOwned>(
    path: &Path,
) -> Result<Record<M, T>, String> {
    let mut record = Record {
        events: Vec::new(),
        hashes: Vec::new(),
    };
    let text = match std::fs::read_to_string(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(record),
        Err(e) => return Err(format!("cannot read the record {}: {e}", path.display())),
        Ok(t) => t,
    };
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    for (i, l) in complete.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<RecordLine<M, T>>(l) {
            Ok(RecordLine::Event(e)) => record.events.push(e),
            Ok(RecordLine::Hash(h)) => record.hashes.push(h),
            Err(e) => {
                return Err(format!(
                    "the record {} line {}: not an event or a step's hash ({e})",
                    path.display(),
                    i + 1
                ))
            }
        }
    }
    Ok(record)
}

/// What a record file's complete lines say about its node: the highest
/// Lamport time, whether it holds any event, whether the last is a crash,
/// and whether it ends between two steps (its last line a step's hash).
struct Tail {
    lamport: u64,
    any: bool,
    crashed: bool,
    between_steps: bool,
}

fn tail(path: &Path) -> Result<Tail, String> {
    let text = match std::fs::read_to_string(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read the record {}: {e}", path.display())),
        Ok(t) => t,
    };
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    let mut t = Tail {
        lamport: 0,
        any: false,
        crashed: false,
        between_steps: false,
    };
    for l in complete.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(l).map_err(|e| {
            format!(
                "the record {} holds a line that is not JSON: {e}",
                path.display()
            )
        })?;
        t.between_steps = v.get("Hash").is_some();
        if let Some(e) = v.get("Event") {
            t.any = true;
            t.lamport = t
                .lamport
                .max(e.get("lamport").and_then(|l| l.as_u64()).unwrap_or(0));
            t.crashed = e.get("kind").and_then(|k| k.get("Crash")).is_some();
        }
    }
    Ok(t)
}

/// Whether the node's record ends between two of its steps: its last line
/// is a step's hash (so a node stopped now has done nothing of its next
/// step, whose input is always recorded first).
pub fn between_steps(record: &Path) -> Result<bool, String> {
    tail(record).map(|t| t.between_steps)
}

/// The highest Lamport time in a record (0 if it holds none).
pub fn last_lamport(record: &Path) -> Result<u64, String> {
    tail(record).map(|t| t.lamport)
}

/// Appends the crash of node `node` to its record, at `at` since the
/// run's start, with what its storage file holds: for whoever killed the
/// node's process (it cannot record its own SIGKILL).
pub fn append_crash(
    record: &Path,
    storage: &Path,
    node: usize,
    at: Duration,
) -> Result<(), String> {
    let t = tail(record)?;
    let file = crate::storage_file(storage, node);
    let stored = match std::fs::read(&file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
        Ok(bytes) => serde_json::from_slice(&bytes).ok(),
    };
    let event: Event<(), ()> = Event {
        at,
        node,
        lamport: t.lamport + 1,
        sent_lamport: None,
        kind: EventKind::Crash { stored },
    };
    write_line(record, &Line::Event(&event))
}

fn write_line<L: Serialize>(record: &Path, line: &L) -> Result<(), String> {
    let mut text =
        serde_json::to_string(line).map_err(|e| format!("cannot encode a record line: {e}"))?;
    text.push('\n');
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(record)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write the record {}: {e}", record.display()))
}

/// Microseconds since the Unix epoch, now.
pub fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// One node process's settings (`dsw node`).
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Which node this process is, and every node's address (the cluster
    /// file's), which is also its `Id`.
    pub node: usize,
    pub addrs: Vec<SocketAddrV4>,
    /// The directory its storage file is kept in (created if missing).
    pub storage: PathBuf,
    /// The record file: appended to.
    pub record: PathBuf,
    /// The node stops after this long (or when `stop` is set).
    pub limit: Duration,
    pub loss: f64,
    pub duplicate: f64,
    pub seed: u64,
    /// The run's start, in microseconds since the Unix epoch: the record's
    /// times count from it, so that the records of several processes
    /// merge. None: the process's own start.
    pub epoch_micros: Option<u64>,
    /// Start only once this file exists (a driver creates it once every
    /// node has bound its socket and opened its record, so no datagram of
    /// the first steps finds a peer not listening yet). None: at once.
    pub start_when: Option<PathBuf>,
    /// The partition file a driver writes ([`write_cut`]): the node polls
    /// it, drops at the sender what crosses the cut (recorded as `Cut`, as
    /// the thread runtime's nemesis does) and acknowledges each version it
    /// applied ([`cut_acknowledged`]). None: never cut.
    pub cut_file: Option<PathBuf>,
}

/// Writes the partition in force for node processes to poll: `cut[from *
/// n + to]` drops what `from` sends to `to`. `version` grows with each
/// write, so a node can say which one it applied. Written to a fresh file
/// renamed over the old, so a node never reads half of one.
pub fn write_cut(path: &Path, version: u64, cut: &[bool]) -> Result<(), String> {
    let bits: String = cut.iter().map(|c| if *c { '1' } else { '0' }).collect();
    let fresh = path.with_extension("new");
    std::fs::write(&fresh, format!("{version}\n{bits}\n"))
        .and_then(|()| std::fs::rename(&fresh, path))
        .map_err(|e| format!("cannot write the partition file {}: {e}", path.display()))
}

/// The version of the partition file node `node` last applied, if any.
pub fn cut_acknowledged(path: &Path, node: usize) -> Option<u64> {
    std::fs::read_to_string(ack_file(path, node))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn ack_file(path: &Path, node: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".ack-{node}"));
    PathBuf::from(name)
}

/// The partition file's version and cut, if it is there and whole.
fn read_cut(path: &Path, n: usize) -> Option<(u64, Vec<bool>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let version = lines.next()?.parse().ok()?;
    let cut: Vec<bool> = lines.next()?.chars().map(|c| c == '1').collect();
    (cut.len() == n * n).then_some((version, cut))
}

/// What a node process did.
#[derive(Clone, Debug)]
pub struct NodeSummary {
    /// It restarted after a kill (its record already held events).
    pub restarted: bool,
    /// Events it recorded, and steps (each with its state's hash).
    pub events: usize,
    pub steps: usize,
    pub elapsed: Duration,
    /// Why it stopped: the time limit, a stop request (SIGTERM), or its
    /// storage failing.
    pub why: &'static str,
}

/// Runs node `cfg.node` of `actors` (every node's actor, as the run's
/// configuration makes them) until `cfg.limit` passes or `stop` is set.
pub fn run_node<A>(actor: A, cfg: &NodeConfig, stop: &AtomicBool) -> Result<NodeSummary, String>
where
    A: Actor + Send + 'static,
    A::Msg: Serialize + DeserializeOwned + Send + 'static,
    A::Timer: Serialize + Send + 'static,
    A::State: Send + 'static,
    A::Storage: Serialize + DeserializeOwned + Send,
    A::Random: Send,
{
    let began = Instant::now();
    let n = cfg.addrs.len();
    if cfg.node >= n {
        return Err(format!(
            "--id {} is not in the cluster file, whose ids are 0 to {}",
            cfg.node,
            n - 1
        ));
    }
    let addr = cfg.addrs[cfg.node];
    let socket =
        UdpSocket::bind(addr).map_err(|e| format!("node {} cannot bind {addr}: {e}", cfg.node))?;
    std::fs::create_dir_all(&cfg.storage).map_err(|e| {
        format!(
            "cannot create the storage directory {}: {e}",
            cfg.storage.display()
        )
    })?;
    let since_epoch = cfg.epoch_micros.map_or(Duration::ZERO, |e| {
        Duration::from_micros(now_micros().saturating_sub(e))
    });
    let start = began.checked_sub(since_epoch).unwrap_or(began);
    let before = tail(&cfg.record)?;
    if before.any && !before.crashed {
        append_crash(&cfg.record, &cfg.storage, cfg.node, start.elapsed())?;
    }
    let lamport = tail(&cfg.record)?.lamport;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&cfg.record)
        .map_err(|e| format!("cannot open the record {}: {e}", cfg.record.display()))?;
    let file = Mutex::new(file);
    if let Some(go) = &cfg.start_when {
        while !go.exists() {
            if stop.load(Ordering::SeqCst) || Instant::now() >= began + cfg.limit {
                return Err(format!("{} never appeared", go.display()));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let sink: Sink<A> = Box::new(move |line| {
        // One write per line, to a file opened for appending.
        if let Ok(mut text) = serde_json::to_string(&line) {
            text.push('\n');
            let _ = lock(&file).write_all(text.as_bytes());
        }
    });
    let shared = Arc::new(Shared::<A>::new(n, cfg.storage.clone(), start, Some(sink)));
    let ids: Vec<Id> = cfg.addrs.iter().map(|a| Id::from(*a)).collect();
    let mut node_loop = NodeLoop::new(
        cfg.node,
        actor,
        socket,
        Arc::new(ids),
        Arc::clone(&shared),
        (cfg.loss, cfg.duplicate, cfg.seed),
    );
    node_loop.restart = before.any;
    node_loop.clock = trace::Clock::starting_at(lamport);
    let deadline = began + cfg.limit;
    // The partition: applied under the log's lock, as the thread
    // runtime's nemesis does, so no send is half in it.
    let mut applied = None;
    let mut follow_cut = || {
        let Some(path) = &cfg.cut_file else {
            return Ok(());
        };
        match read_cut(path, n) {
            Some((version, cut)) if applied != Some(version) => {
                {
                    let _log = lock(&shared.events);
                    for (c, on) in shared.cut.iter().zip(cut) {
                        c.store(on, Ordering::SeqCst);
                    }
                }
                applied = Some(version);
                let ack = ack_file(path, cfg.node);
                let fresh = ack.with_extension(format!("new-{}", cfg.node));
                std::fs::write(&fresh, version.to_string())
                    .and_then(|()| std::fs::rename(&fresh, &ack))
                    .map_err(|e| format!("cannot acknowledge the partition: {e}"))
            }
            _ => Ok(()),
        }
    };
    follow_cut()?;
    let why = std::thread::scope(|scope| {
        let shared = &shared;
        let watcher = scope.spawn(move || loop {
            if follow_cut().is_err() {
                shared.stop.store(true, Ordering::SeqCst);
                return "it could not follow the partition file";
            }
            if shared.stop.load(Ordering::SeqCst) {
                return "its storage failed";
            }
            if stop.load(Ordering::SeqCst) {
                shared.stop.store(true, Ordering::SeqCst);
                return "asked to stop";
            }
            if Instant::now() >= deadline {
                shared.stop.store(true, Ordering::SeqCst);
                return "its time limit";
            }
            std::thread::sleep(Duration::from_millis(1));
        });
        node_loop.run(&mut node_rng(cfg.seed, cfg.node));
        shared.stop.store(true, Ordering::SeqCst);
        watcher.join().unwrap_or("its time limit")
    });
    let events = lock(&shared.events).len();
    let steps = lock(&shared.hashes[cfg.node]).len();
    Ok(NodeSummary {
        restarted: before.any,
        events,
        steps,
        elapsed: began.elapsed(),
        why,
    })
}

/// The records of a run's nodes (`records[i]` node `i`'s, in its order)
/// and the driver's own events, as one log: by time, except that a
/// receipt never comes before its send (the processes' clocks are read
/// apart, so two events microseconds apart may disagree with causality).
pub fn merge<M, T>(records: Vec<Vec<Event<M, T>>>, driver: Vec<Event<M, T>>) -> Vec<Event<M, T>> {
    let mut lists: Vec<std::collections::VecDeque<Event<M, T>>> =
        records.into_iter().map(Into::into).collect();
    lists.push(driver.into());
    let mut sent = std::collections::HashSet::new();
    let mut out = Vec::new();
    let receipt = |e: &Event<M, T>| match &e.kind {
        EventKind::Delivered { from, .. } | EventKind::Dropped { from, .. } => {
            e.sent_lamport.map(|l| (*from, l))
        }
        _ => None,
    };
    loop {
        let heads = lists
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.front().map(|e| (i, e)));
        let ready = heads
            .clone()
            .filter(|(_, e)| receipt(e).is_none_or(|s| sent.contains(&s)))
            .min_by_key(|(i, e)| (e.at, *i))
            .map(|(i, _)| i);
        // None ready: a receipt of a send no record holds; the lowest
        // Lamport time goes first so the merge still ends.
        let Some(pick) = ready.or_else(|| heads.min_by_key(|(_, e)| e.lamport).map(|(i, _)| i))
        else {
            return out;
        };
        let e = lists[pick].pop_front().expect("a head");
        if matches!(e.kind, EventKind::Sent { .. }) {
            sent.insert((e.node, e.lamport));
        }
        out.push(e);
    }
}
