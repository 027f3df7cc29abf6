//! Runs Stateright actors over real UDP on loopback, the same `Actor` values
//! the checker explores, and records what happened.
//!
//! Stateright's own `spawn` loops forever, panics when a port is taken and
//! records nothing (see DESIGN.md). This runtime binds every socket first
//! (a clear error when it cannot), drives `on_start`/`on_msg`/`on_timeout`
//! and the `Out` commands on one thread per actor, injects loss and
//! duplication from a seed, stops when the workload is done or time is up,
//! and returns every send, delivery, loss and timer in real-time order, so
//! the caller can check the run with the model's own properties. Every
//! event carries its node's Lamport time, and the record can be written as
//! a trace file ([`trace`]).
//!
//! Storage is durable: each node's `Storage` lives in a file of a directory
//! the run owns (a fresh one under the system's temp directory, removed at
//! the end unless [`RunConfig::keep_storage`]). When a handler saves, the
//! file is replaced (written to a temporary file, fsynced, renamed, the
//! directory fsynced) before any message of that handler is sent. A node
//! can be crashed ([`run_with`]'s crash hook): its thread drops its
//! in-memory state and timers, drops every datagram that reaches it while
//! it is down, and restarts by calling `on_start` with the storage read
//! back from its file.

pub mod faults;
pub mod fuzz;
pub mod held;
pub mod node;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use stateright::actor::{is_no_op, Actor, Command, Id, Out};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub mod trace;

/// Faults and limits of one run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The run stops after this long even if the workload is not done.
    pub duration: Duration,
    /// Probability that a datagram is dropped instead of sent.
    pub loss: f64,
    /// Probability that a sent datagram is sent twice.
    pub duplicate: f64,
    pub seed: u64,
    /// Keep the run's storage directory (its path is in
    /// [`RunResult::storage_dir`]) instead of removing it at the end.
    pub keep_storage: bool,
    /// The nemesis's faults ([`faults::schedule`]), applied at their times.
    pub nemesis: Vec<faults::Scheduled>,
    /// Hostile datagrams to send the nodes during the run ([`fuzz`]); the
    /// workload is finished only once all of them are sent.
    pub fuzz: u64,
    /// A node made to misbehave, for testing trace validation: never set
    /// by `dsw`.
    #[doc(hidden)]
    pub tamper: Option<Tamper>,
}

/// A deliberately wrong node (tests of trace validation only): from its
/// `from`-th delivery on (counting from 0, ignored ones included), node
/// `node` breaks its actor's contract as `kind` says, while the log
/// records what a correct node would have received.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tamper {
    pub node: usize,
    pub from: usize,
    pub kind: TamperKind,
}

#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TamperKind {
    /// The actor is handed the message of the node's previous delivery
    /// instead of the one that arrived (the log records the one that
    /// arrived): a node that mixes up its buffers.
    StaleMessage,
    /// The sends of its handlers (deliveries, and timers once the
    /// `from`-th delivery is handled) are thrown away, unrecorded and
    /// unsent: a node that forgets to reply.
    Mute,
}

/// A crash the caller asks for: `node` stops at once and restarts from its
/// storage file after `down_for`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crash {
    pub node: usize,
    pub down_for: Duration,
}

/// One thing that happened, in the order it happened across all nodes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Event<Msg, Timer> {
    /// Time since the run started.
    pub at: Duration,
    /// The node it happened on (index into the actors).
    pub node: usize,
    /// The node's Lamport time at the event ([`trace`]).
    pub lamport: u64,
    /// For a datagram received (`Delivered`, `Dropped`): the Lamport time
    /// of its send, which the datagram carried.
    pub sent_lamport: Option<u64>,
    pub kind: EventKind<Msg, Timer>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum EventKind<Msg, Timer> {
    /// A datagram left `node` for `to`; `duplicated`: the fault injector
    /// sent it twice.
    Sent {
        to: usize,
        msg: Msg,
        duplicated: bool,
    },
    /// The fault injector dropped a datagram from `node` to `to`.
    Lost {
        to: usize,
        msg: Msg,
    },
    /// `node` received a datagram from `from` and handled it. `ignored`: the
    /// actor neither changed state nor sent anything, which the checker
    /// treats as no step at all (so it records no history for it).
    Delivered {
        from: usize,
        msg: Msg,
        ignored: bool,
    },
    /// A timer of `node` fired.
    Timer(Timer),
    /// `node` received bytes that are not a message; they were ignored.
    Malformed {
        len: usize,
    },
    /// `node` wrote its storage to its file and synced it (`bytes` of
    /// JSON), before sending anything its step emitted. A save that
    /// repeats what the file holds writes nothing and is not recorded.
    Stored {
        bytes: usize,
    },
    /// Writing or reading `node`'s storage failed; the node stopped.
    StorageFailed {
        error: String,
    },
    /// `node` crashed: its state and timers are gone. `stored`: what its
    /// storage file held at that moment (JSON), if it had saved anything.
    Crash {
        stored: Option<serde_json::Value>,
    },
    /// A datagram from `from` reached `node` while it was down: dropped.
    Dropped {
        from: usize,
        msg: Msg,
    },
    /// `node` restarted: `on_start` with the storage read back from its
    /// file (`restored`, as JSON; none if it never saved).
    Restart {
        restored: Option<serde_json::Value>,
    },
    /// A nemesis partition dropped a datagram from `node` to `to` at the
    /// sender.
    Cut {
        to: usize,
        msg: Msg,
    },
    /// The nemesis's fault `index` (of [`RunConfig::nemesis`]) started
    /// (`healed` false) or healed; `node` is [`faults::Fault::node`].
    Nemesis {
        index: usize,
        healed: bool,
    },
    /// `node`'s thread stopped handling anything (the nemesis's pause), or
    /// resumed: nothing of `node` happens in between.
    Paused,
    Resumed,
    /// `node`'s step asked for a random choice (`ChooseRandom` with `key`)
    /// among `of` options, and the runtime picked option `index`
    /// (`choice`, as the model prints it) at once.
    Chose {
        key: String,
        index: usize,
        of: usize,
        choice: String,
    },
    /// Held runs only ([`held`]): `node`'s step asked for a random choice
    /// (`ChooseRandom` with `key`) among `of` options, and the node keeps
    /// it pending, as the model does, until the driver makes it
    /// (`Selected`). A pending choice with the same key is replaced; one
    /// asked with no options is withdrawn (and recorded with `of` 0).
    Pending {
        key: String,
        of: usize,
    },
    /// Held runs only: the driver made `node`'s pending choice `key`, a
    /// step of its own (the model's `SelectRandom`): option `index` of
    /// `of` (`choice`, as the model prints it).
    Selected {
        key: String,
        index: usize,
        of: usize,
        choice: String,
    },
}

/// What a run returns.
pub struct RunResult<A: Actor> {
    /// Each node's last state.
    pub states: Vec<A::State>,
    pub events: Vec<Event<A::Msg, A::Timer>>,
    /// True when the workload finished before the time was up.
    pub finished: bool,
    pub elapsed: Duration,
    /// Nodes that were down when the run stopped (their `states` entry is
    /// the state they crashed in).
    pub down: Vec<bool>,
    /// The run's storage directory, if it was kept
    /// ([`RunConfig::keep_storage`]); otherwise it is removed.
    pub storage_dir: Option<PathBuf>,
    /// What the fuzzer sent, with [`RunConfig::fuzz`].
    pub fuzz: Option<fuzz::FuzzReport>,
    /// Per node, the [`state_hash`] of its state after each of its steps,
    /// in order: its start, then every delivery (ignored ones too), timer
    /// and restart. A validator replaying the node's inputs compares its
    /// own states with these.
    pub step_hashes: Vec<Vec<u64>>,
}

/// A state's hash as [`RunResult::step_hashes`] keeps it: `Hash` through
/// std's SipHash with fixed keys, the same in every process.
pub fn state_hash<S: std::hash::Hash>(state: &S) -> u64 {
    use std::hash::Hasher;
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new_with_keys(0, 0);
    state.hash(&mut h);
    h.finish()
}

impl<A: Actor> RunResult<A> {
    pub fn count(&self, pred: impl Fn(&EventKind<A::Msg, A::Timer>) -> bool) -> usize {
        self.events.iter().filter(|e| pred(&e.kind)).count()
    }
}

/// Sockets bound on loopback, one per node, the `Id` each is known by, and
/// the directory their storage goes to.
pub struct Bound {
    pub sockets: Vec<UdpSocket>,
    pub ids: Vec<Id>,
    pub storage: StorageDir,
}

/// Binds `n` UDP sockets on 127.0.0.1 at ports the system picks, so that
/// runs never collide with each other or with a taken port, and creates
/// the run's storage directory.
pub fn bind(n: usize) -> Result<Bound, String> {
    let mut sockets = Vec::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| format!("cannot bind a UDP socket on 127.0.0.1: {e}"))?;
        let addr = match socket.local_addr() {
            Ok(std::net::SocketAddr::V4(a)) => a,
            Ok(other) => return Err(format!("unexpected socket address {other}")),
            Err(e) => return Err(format!("cannot read the socket address: {e}")),
        };
        ids.push(Id::from(addr));
        sockets.push(socket);
    }
    // Node i gets the i-th smallest id, so ids compare as the model's
    // indices do (Paxos breaks ballot ties by node id): a real run's
    // schedule then means the same on the model of indices that `dsw
    // shrink` replays it on.
    let mut bound: Vec<(Id, UdpSocket)> = ids.into_iter().zip(sockets).collect();
    bound.sort_by_key(|(id, _)| *id);
    let (ids, sockets) = bound.into_iter().unzip();
    let storage = StorageDir::create()?;
    Ok(Bound {
        sockets,
        ids,
        storage,
    })
}

/// A small deterministic generator (SplitMix64): fault injection and timer
/// durations follow the seed.
#[derive(Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn duration_in(&mut self, r: &Range<Duration>) -> Duration {
        if r.end <= r.start {
            return r.start;
        }
        let span = (r.end - r.start).as_nanos() as u64;
        r.start + Duration::from_nanos(self.next_u64() % span)
    }
}

/// A model's "any time" timer (`model_timeout()`, the range 0..0) becomes
/// this on a real network: soon, but not a busy loop.
pub const ANY_TIME: Range<Duration> = Duration::from_millis(5)..Duration::from_millis(25);

/// A timer that fires after exactly `d` on a real run (the checker, which
/// has no clock, fires it at any time).
pub fn exactly(d: Duration) -> Range<Duration> {
    d..d
}

/// When a timer set for `range` fires: only `model_timeout()` (0..0) means
/// "any time" ([`ANY_TIME`]); an empty range `d..d` ([`exactly`]) means `d`.
fn timer_delay(range: &Range<Duration>, rng: &mut SplitMix) -> Duration {
    if range.end <= range.start && range.start.is_zero() {
        rng.duration_in(&ANY_TIME)
    } else {
        rng.duration_in(range)
    }
}

/// The largest datagram a node accepts.
const MAX_DATAGRAM: usize = 65_507;

/// The directory a run keeps its nodes' storage in: removed when dropped,
/// unless kept.
pub struct StorageDir {
    path: PathBuf,
    keep: bool,
}

impl StorageDir {
    /// A fresh, empty directory under the system's temp directory.
    pub fn create() -> Result<StorageDir, String> {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!(
            "dsw-run-{}-{nanos}-{}",
            std::process::id(),
            RUNS.fetch_add(1, Ordering::SeqCst)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create a storage directory {}: {e}", path.display()))?;
        Ok(StorageDir { path, keep: false })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keep the directory when it is dropped (or not).
    pub fn set_keep(&mut self, keep: bool) {
        self.keep = keep;
    }
}

impl Drop for StorageDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The file that holds node `node`'s storage, as JSON.
pub fn storage_file(dir: &Path, node: usize) -> PathBuf {
    dir.join(format!("node-{node}.json"))
}

/// Replaces `node`'s storage file with `bytes` so that a crash at any
/// moment leaves either the old contents or the new ones: a temporary file
/// written and fsynced, renamed over the old one, and the directory
/// fsynced so that the rename itself is durable.
fn write_durably(dir: &Path, node: usize, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!("node-{node}.json.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, storage_file(dir, node))?;
    std::fs::File::open(dir)?.sync_all()
}

struct Shared<A: Actor> {
    stop: AtomicBool,
    start: Instant,
    events: Mutex<Vec<Event<A::Msg, A::Timer>>>,
    /// Each node's state as the run sees it: none before it starts and
    /// while it is down.
    states: Mutex<Vec<Option<A::State>>>,
    /// Each node's last state, kept while it is down.
    last: Mutex<Vec<Option<A::State>>>,
    /// A crash asked of each node (how long it stays down), taken by the
    /// node's thread.
    crash: Vec<Mutex<Option<Duration>>>,
    /// Crashes asked for and not yet followed by a restart.
    pending: AtomicUsize,
    dir: PathBuf,
    /// The nemesis's partition in force: `cut[from * n + to]`.
    cut: Vec<AtomicBool>,
    /// Nodes the nemesis has paused.
    paused: Vec<AtomicBool>,
    /// Datagrams the nodes found malformed so far (the fuzzer's pace).
    malformed: AtomicUsize,
    /// Per node, [`state_hash`] after each step.
    hashes: Vec<Mutex<Vec<u64>>>,
    /// A node process's record file ([`node`]): every event and step hash
    /// is written there as it is recorded, so a kill loses none.
    sink: Option<node::Sink<A>>,
}

impl<A: Actor> Shared<A> {
    /// A run of `n` nodes keeping their storage in `dir`, its clock
    /// started at `start`.
    fn new(n: usize, dir: PathBuf, start: Instant, sink: Option<node::Sink<A>>) -> Self {
        Shared {
            stop: AtomicBool::new(false),
            start,
            events: Mutex::new(Vec::new()),
            states: Mutex::new(vec![None; n]),
            last: Mutex::new(vec![None; n]),
            crash: (0..n).map(|_| Mutex::new(None)).collect(),
            pending: AtomicUsize::new(0),
            dir,
            cut: (0..n * n).map(|_| AtomicBool::new(false)).collect(),
            paused: (0..n).map(|_| AtomicBool::new(false)).collect(),
            malformed: AtomicUsize::new(0),
            hashes: (0..n).map(|_| Mutex::new(Vec::new())).collect(),
            sink,
        }
    }
}

/// Runs `actors` (node `i` on `bound.sockets[i]`, known as `bound.ids[i]`)
/// until `done` says the workload is finished or `cfg.duration` passes.
pub fn run<A>(
    actors: Vec<A>,
    bound: Bound,
    cfg: &RunConfig,
    done: impl Fn(&[Option<A::State>]) -> bool,
) -> RunResult<A>
where
    A: Actor + Send + 'static,
    A::Msg: Serialize + DeserializeOwned + Send + 'static,
    A::Timer: Send + 'static,
    A::State: Send + 'static,
    A::Storage: Serialize + DeserializeOwned + Send,
    A::Random: Send,
{
    run_with(actors, bound, cfg, done, |_| None)
}

/// [`run`], with crashes: every few milliseconds while no node is down,
/// `crash` sees the nodes' states (none for a node not started yet) and
/// may name a node to crash and how long it stays down. The run finishes
/// only when `done` holds with every node up again.
pub fn run_with<A>(
    actors: Vec<A>,
    bound: Bound,
    cfg: &RunConfig,
    done: impl Fn(&[Option<A::State>]) -> bool,
    mut crash: impl FnMut(&[Option<A::State>]) -> Option<Crash>,
) -> RunResult<A>
where
    A: Actor + Send + 'static,
    A::Msg: Serialize + DeserializeOwned + Send + 'static,
    A::Timer: Send + 'static,
    A::State: Send + 'static,
    A::Storage: Serialize + DeserializeOwned + Send,
    A::Random: Send,
{
    let n = actors.len();
    let Bound {
        sockets,
        ids,
        storage,
    } = bound;
    let shared = Arc::new(Shared::<A>::new(
        n,
        storage.path.clone(),
        Instant::now(),
        None,
    ));
    // The fuzzer sends from the nodes' own sockets too.
    let peers: Vec<UdpSocket> = if cfg.fuzz > 0 {
        sockets.iter().filter_map(|s| s.try_clone().ok()).collect()
    } else {
        Vec::new()
    };
    let ids = Arc::new(ids);
    let mut handles = Vec::with_capacity(n);
    for (node, (actor, socket)) in actors.into_iter().zip(sockets).enumerate() {
        let shared = Arc::clone(&shared);
        let ids = Arc::clone(&ids);
        let mut rng = node_rng(cfg.seed, node);
        let faults = (cfg.loss, cfg.duplicate, cfg.seed);
        let tamper = cfg.tamper.filter(|t| t.node == node);
        handles.push(std::thread::spawn(move || {
            let mut node_loop = NodeLoop::new(node, actor, socket, ids, shared, faults);
            node_loop.tamper = tamper;
            node_loop.run(&mut rng);
        }));
    }

    let fuzzer = (cfg.fuzz > 0 && peers.len() == n).then(|| {
        let shared = Arc::clone(&shared);
        let ids = Arc::clone(&ids);
        let (count, seed) = (cfg.fuzz, cfg.seed);
        std::thread::spawn(move || fuzz::fuzz(&shared, &ids, &peers, count, seed))
    });
    let deadline = shared.start + cfg.duration;
    let mut finished = false;
    let mut nemesis = faults::Nemesis::new(&cfg.nemesis);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
        let calm = nemesis.step(&shared, n);
        let states = lock(&shared.states);
        if shared.pending.load(Ordering::SeqCst) > 0 || !calm {
            continue;
        }
        if let Some(c) = crash(&states).filter(|c| c.node < n) {
            shared.pending.fetch_add(1, Ordering::SeqCst);
            *lock(&shared.crash[c.node]) = Some(c.down_for);
            continue;
        }
        let fuzzed = fuzzer.as_ref().is_none_or(|f| f.is_finished());
        if states.iter().all(Option::is_some) && fuzzed && done(&states) {
            finished = true;
            break;
        }
    }
    finish(&shared, handles, storage, cfg, finished, fuzzer)
}

/// Node `node`'s generator: its timers and random picks follow the seed.
fn node_rng(seed: u64, node: usize) -> SplitMix {
    SplitMix::new(seed ^ (node as u64).wrapping_mul(0x2545_F491_4F6C_DD1D))
}

/// Stops the nodes, waits for their threads, and collects what they did.
fn finish<A: Actor>(
    shared: &Shared<A>,
    handles: Vec<std::thread::JoinHandle<()>>,
    mut storage: StorageDir,
    cfg: &RunConfig,
    finished: bool,
    fuzzer: Option<std::thread::JoinHandle<fuzz::FuzzReport>>,
) -> RunResult<A> {
    shared.stop.store(true, Ordering::SeqCst);
    for h in handles {
        let _ = h.join();
    }
    let fuzz = fuzzer.and_then(|f| f.join().ok());
    let elapsed = shared.start.elapsed();
    let down = lock(&shared.states).iter().map(Option::is_none).collect();
    let states = std::mem::take(&mut *lock(&shared.last))
        .into_iter()
        .map(|s| s.expect("every node started"))
        .collect();
    let events = std::mem::take(&mut *lock(&shared.events));
    storage.keep = cfg.keep_storage;
    let storage_dir = storage.keep.then(|| storage.path.clone());
    let step_hashes = shared
        .hashes
        .iter()
        .map(|h| std::mem::take(&mut *lock(h)))
        .collect();
    RunResult {
        states,
        events,
        finished,
        elapsed,
        down,
        storage_dir,
        fuzz,
        step_hashes,
    }
}

/// `out` without its sends.
fn unsent<A: Actor>(out: Out<A>) -> Out<A> {
    out.into_iter()
        .filter(|c| !matches!(c, Command::Send(..)))
        .collect()
}

/// A poisoned lock only means another node thread panicked; its data is
/// still the best record we have.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One node's loop: its actor, socket and timers, on the thread of a
/// [`run_with`] run or as the whole of a node process ([`node`]).
struct NodeLoop<A: Actor> {
    /// Start by restarting: the node was killed, and its record goes on.
    restart: bool,
    node: usize,
    actor: A,
    socket: UdpSocket,
    ids: Arc<Vec<Id>>,
    shared: Arc<Shared<A>>,
    timers: Vec<(A::Timer, Instant)>,
    loss: f64,
    duplicate: f64,
    seed: u64,
    /// How many times this node sent each datagram to each node: what
    /// [`faults::decide`] draws from.
    sends: HashMap<(usize, Vec<u8>), u64>,
    /// What this node's storage file holds (JSON), if anything.
    stored: Option<Vec<u8>>,
    /// This node's Lamport clock.
    clock: trace::Clock,
    /// How this node misbehaves, if it is the tampered one.
    tamper: Option<Tamper>,
    /// Datagrams handled so far, and the last one's message.
    deliveries: usize,
    previous: Option<A::Msg>,
    /// Held runs ([`held`]): the node keeps its random choices pending,
    /// by key in the order asked, until the driver makes them; otherwise
    /// (`None`) it makes each at once.
    pending: Option<Vec<(String, Vec<A::Random>)>>,
}

/// A datagram a node received, read.
enum Received<Msg> {
    Nothing,
    Malformed(usize),
    /// From node, its id, the send's Lamport time, the message.
    Msg(usize, Id, u64, Msg),
}

impl<A> NodeLoop<A>
where
    A: Actor,
    A::Msg: Serialize + DeserializeOwned,
    A::Storage: Serialize + DeserializeOwned,
{
    /// Node `node` running `actor` on `socket`; `faults` is the run's
    /// (loss, duplication, seed).
    fn new(
        node: usize,
        actor: A,
        socket: UdpSocket,
        ids: Arc<Vec<Id>>,
        shared: Arc<Shared<A>>,
        faults: (f64, f64, u64),
    ) -> Self {
        let (loss, duplicate, seed) = faults;
        NodeLoop {
            restart: false,
            node,
            actor,
            socket,
            ids,
            shared,
            timers: Vec::new(),
            loss,
            duplicate,
            seed,
            sends: HashMap::new(),
            stored: None,
            clock: trace::Clock::default(),
            tamper: None,
            deliveries: 0,
            previous: None,
            pending: None,
        }
    }

    /// Records a local event: the Lamport clock ticks.
    fn record(&self, kind: EventKind<A::Msg, A::Timer>) {
        self.record_at(self.clock.tick(), None, kind);
    }

    /// Records a datagram received, sent at Lamport time `sent`.
    fn record_receipt(&self, sent: u64, kind: EventKind<A::Msg, A::Timer>) {
        self.record_at(self.clock.receive(sent), Some(sent), kind);
    }

    fn record_at(
        &self,
        lamport: u64,
        sent_lamport: Option<u64>,
        kind: EventKind<A::Msg, A::Timer>,
    ) {
        let mut events = lock(&self.shared.events);
        self.log(&mut events, lamport, sent_lamport, kind);
    }

    /// Appends an event to `events` (the log, its lock held) and to the
    /// node process's record if it has one.
    fn log(
        &self,
        events: &mut Vec<Event<A::Msg, A::Timer>>,
        lamport: u64,
        sent_lamport: Option<u64>,
        kind: EventKind<A::Msg, A::Timer>,
    ) {
        let event = Event {
            at: self.shared.start.elapsed(),
            node: self.node,
            lamport,
            sent_lamport,
            kind,
        };
        if let Some(sink) = &self.shared.sink {
            sink(node::Line::Event(&event));
        }
        events.push(event);
    }

    fn node_of(&self, id: Id) -> Option<usize> {
        self.ids.iter().position(|i| *i == id)
    }

    fn stopped(&self) -> bool {
        self.shared.stop.load(Ordering::SeqCst)
    }

    /// Waits up to `wait` for a datagram.
    fn receive(&self, buf: &mut [u8], wait: Duration) -> Received<A::Msg> {
        let _ = self.socket.set_read_timeout(Some(wait));
        let Ok((len, from)) = self.socket.recv_from(buf) else {
            return Received::Nothing;
        };
        let from_id = match from {
            std::net::SocketAddr::V4(a) => Id::from(a),
            std::net::SocketAddr::V6(_) => return Received::Malformed(len),
        };
        match (self.node_of(from_id), trace::decode::<A::Msg>(&buf[..len])) {
            (Some(from_node), Some((sent, msg))) => Received::Msg(from_node, from_id, sent, msg),
            _ => Received::Malformed(len),
        }
    }

    /// Starts (or restarts) the node from what its storage file holds.
    /// None if the file cannot be read, or the first save fails.
    fn start(&mut self, rng: &mut SplitMix, restart: bool) -> Option<A::State> {
        let file = storage_file(&self.shared.dir, self.node);
        let storage = match std::fs::read(&file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                let error = format!("cannot read {}: {e}", file.display());
                self.record(EventKind::StorageFailed { error });
                return None;
            }
            Ok(bytes) => match serde_json::from_slice::<A::Storage>(&bytes) {
                Ok(storage) => {
                    self.stored = Some(bytes);
                    Some(storage)
                }
                Err(e) => {
                    let error = format!("cannot read {}: {e}", file.display());
                    self.record(EventKind::StorageFailed { error });
                    return None;
                }
            },
        };
        if restart {
            let restored = self.stored_json();
            self.record(EventKind::Restart { restored });
        }
        let me = self.ids[self.node];
        let mut out = Out::new();
        let mut state = self.actor.on_start(me, &storage, &mut out);
        let ok = self.apply(out, &mut state, rng);
        self.publish(&state);
        ok.then_some(state)
    }

    fn stored_json(&self) -> Option<serde_json::Value> {
        self.stored
            .as_ref()
            .and_then(|b| serde_json::from_slice(b).ok())
    }

    /// Down for `down_for`: everything that arrives is dropped.
    fn stay_down(&self, down_for: Duration, buf: &mut [u8]) {
        let until = Instant::now() + down_for;
        while !self.stopped() {
            let now = Instant::now();
            if now >= until {
                return;
            }
            let wait = (until - now).clamp(Duration::from_millis(1), Duration::from_millis(20));
            match self.receive(buf, wait) {
                Received::Nothing => {}
                Received::Malformed(len) => {
                    self.shared.malformed.fetch_add(1, Ordering::SeqCst);
                    self.record(EventKind::Malformed { len })
                }
                Received::Msg(from, _, sent, msg) => {
                    self.record_receipt(sent, EventKind::Dropped { from, msg })
                }
            }
        }
    }

    fn run(&mut self, rng: &mut SplitMix) {
        let me = self.ids[self.node];
        let Some(mut state) = self.start(rng, self.restart) else {
            return;
        };

        let mut buf = vec![0u8; MAX_DATAGRAM];
        while !self.stopped() {
            if self.shared.paused[self.node].load(Ordering::SeqCst) {
                // SIGSTOP: nothing is received (datagrams wait in the
                // socket) and no timer fires until the nemesis resumes it.
                self.record(EventKind::Paused);
                while self.shared.paused[self.node].load(Ordering::SeqCst) && !self.stopped() {
                    std::thread::sleep(Duration::from_millis(1));
                }
                self.record(EventKind::Resumed);
                continue;
            }
            let crash = lock(&self.shared.crash[self.node]).take();
            if let Some(down_for) = crash {
                // The crash: memory and timers are gone; only the file stays.
                let stored = self.stored_json();
                self.record(EventKind::Crash { stored });
                self.timers.clear();
                lock(&self.shared.states)[self.node] = None;
                self.stay_down(down_for, &mut buf);
                if self.stopped() {
                    return;
                }
                let restarted = self.start(rng, true);
                self.shared.pending.fetch_sub(1, Ordering::SeqCst);
                match restarted {
                    Some(s) => state = s,
                    None => return,
                }
                continue;
            }
            // Fire due timers first, earliest first.
            let now = Instant::now();
            if let Some(pos) = self
                .timers
                .iter()
                .enumerate()
                .filter(|(_, (_, at))| *at <= now)
                .min_by_key(|(_, (_, at))| *at)
                .map(|(i, _)| i)
            {
                let (timer, _) = self.timers.remove(pos);
                self.record(EventKind::Timer(timer.clone()));
                let mut cow = Cow::Borrowed(&state);
                let mut out = Out::new();
                self.actor.on_timeout(me, &mut cow, &timer, &mut out);
                if self.muted() {
                    out = unsent(out);
                }
                if let Cow::Owned(s) = cow {
                    state = s;
                }
                let ok = self.apply(out, &mut state, rng);
                self.publish(&state);
                if !ok {
                    return;
                }
                continue;
            }
            let wait = self
                .timers
                .iter()
                .map(|(_, at)| at.saturating_duration_since(now))
                .min()
                .unwrap_or(Duration::from_millis(20))
                .clamp(Duration::from_millis(1), Duration::from_millis(20));
            let (from_node, from_id, sent, msg) = match self.receive(&mut buf, wait) {
                Received::Nothing => continue,
                Received::Malformed(len) => {
                    self.shared.malformed.fetch_add(1, Ordering::SeqCst);
                    self.record(EventKind::Malformed { len });
                    continue;
                }
                Received::Msg(from_node, from_id, sent, msg) => (from_node, from_id, sent, msg),
            };
            let mut cow = Cow::Borrowed(&state);
            let mut out = Out::new();
            let tamper = self
                .tamper
                .filter(|t| self.deliveries >= t.from)
                .map(|t| t.kind);
            let handed = match (tamper, &self.previous) {
                (Some(TamperKind::StaleMessage), Some(previous)) => previous.clone(),
                _ => msg.clone(),
            };
            self.deliveries += 1;
            self.previous = Some(msg.clone());
            self.actor.on_msg(me, &mut cow, from_id, handed, &mut out);
            if tamper == Some(TamperKind::Mute) {
                out = unsent(out);
            }
            // Recorded before the step's own sends, so the log keeps
            // causal order.
            self.record_receipt(
                sent,
                EventKind::Delivered {
                    from: from_node,
                    msg,
                    ignored: is_no_op(&cow, &out),
                },
            );
            if let Cow::Owned(s) = cow {
                state = s;
            }
            let ok = self.apply(out, &mut state, rng);
            self.publish(&state);
            if !ok {
                return;
            }
        }
    }

    /// A muted node ([`TamperKind::Mute`]): past its `from`-th delivery.
    fn muted(&self) -> bool {
        self.tamper
            .is_some_and(|t| t.kind == TamperKind::Mute && self.deliveries > t.from)
    }

    fn publish(&self, state: &A::State) {
        let hash = state_hash(state);
        if let Some(sink) = &self.shared.sink {
            sink(node::Line::Hash(hash));
        }
        lock(&self.shared.hashes[self.node]).push(hash);
        lock(&self.shared.states)[self.node] = Some(state.clone());
        lock(&self.shared.last)[self.node] = Some(state.clone());
    }

    /// Writes `storage` to the node's file durably, unless the file
    /// already holds exactly that.
    fn store(&mut self, storage: &A::Storage) -> Result<(), String> {
        let bytes = serde_json::to_vec(storage).map_err(|e| format!("cannot encode: {e}"))?;
        if self.stored.as_deref() == Some(&bytes[..]) {
            return Ok(());
        }
        write_durably(&self.shared.dir, self.node, &bytes).map_err(|e| {
            let file = storage_file(&self.shared.dir, self.node);
            format!("cannot write {}: {e}", file.display())
        })?;
        self.record(EventKind::Stored { bytes: bytes.len() });
        self.stored = Some(bytes);
        Ok(())
    }

    /// Carries out a step's commands: its storage first (the last save
    /// wins), durably, then its sends and timers. False if the storage
    /// could not be written: then nothing is sent and the node stops, as
    /// a server whose disk fails would.
    fn apply(&mut self, out: Out<A>, state: &mut A::State, rng: &mut SplitMix) -> bool {
        let commands: Vec<_> = out.into_iter().collect();
        let last_save = commands.iter().rev().find_map(|c| match c {
            Command::Save(s) => Some(s),
            _ => None,
        });
        if let Some(storage) = last_save {
            if let Err(error) = self.store(storage) {
                self.record(EventKind::StorageFailed { error });
                return false;
            }
        }
        for command in commands {
            match command {
                Command::Send(to, msg) => self.send(to, msg),
                Command::SetTimer(timer, range) => {
                    let at = Instant::now() + timer_delay(&range, rng);
                    self.timers.retain(|(t, _)| *t != timer);
                    self.timers.push((timer, at));
                }
                Command::CancelTimer(timer) => self.timers.retain(|(t, _)| *t != timer),
                Command::ChooseRandom(key, choices) => {
                    if let Some(pending) = self.pending.as_mut() {
                        // As Stateright's model keeps it: the same key
                        // replaces what is pending, no options withdraw it.
                        let of = choices.len();
                        pending.retain(|(k, _)| *k != key);
                        if !choices.is_empty() {
                            pending.push((key.clone(), choices));
                        }
                        self.record(EventKind::Pending { key, of });
                    } else if !choices.is_empty() {
                        let index = (rng.next_u64() % choices.len() as u64) as usize;
                        let pick = choices[index].clone();
                        self.record(EventKind::Chose {
                            key,
                            index,
                            of: choices.len(),
                            choice: format!("{pick:?}"),
                        });
                        let mut cow = Cow::Borrowed(&*state);
                        let mut more = Out::new();
                        let me = self.ids[self.node];
                        self.actor.on_random(me, &mut cow, &pick, &mut more);
                        if let Cow::Owned(s) = cow {
                            *state = s;
                        }
                        if !self.apply(more, state, rng) {
                            return false;
                        }
                    }
                }
                // Written above, before any send.
                Command::Save(_) => {}
            }
        }
        true
    }

    fn send(&mut self, to: Id, msg: A::Msg) {
        let Some(to_node) = self.node_of(to) else {
            return;
        };
        let n = self.ids.len();
        {
            // Read under the log's lock, which the nemesis holds while it
            // starts or heals a partition: every cut is logged between the
            // two.
            let mut events = lock(&self.shared.events);
            if self.shared.cut[self.node * n + to_node].load(Ordering::SeqCst) {
                let lamport = self.clock.tick();
                self.log(
                    &mut events,
                    lamport,
                    None,
                    EventKind::Cut { to: to_node, msg },
                );
                return;
            }
        }
        // The datagram carries the send's Lamport time ([`trace`]).
        let lamport = self.clock.tick();
        let Ok(bytes) = trace::encode(lamport, &msg) else {
            return;
        };
        let nth = self.sends.entry((to_node, bytes.clone())).or_insert(0);
        let fate = faults::decide(
            self.seed,
            self.loss,
            self.duplicate,
            self.node,
            to_node,
            &bytes,
            *nth,
        );
        *nth += 1;
        if fate.lost {
            self.record(EventKind::Lost { to: to_node, msg });
            return;
        }
        let addr = SocketAddrV4::from(to);
        let copies = if fate.duplicated { 2 } else { 1 };
        self.record_at(
            lamport,
            None,
            EventKind::Sent {
                to: to_node,
                msg,
                duplicated: fate.duplicated,
            },
        );
        for _ in 0..copies {
            let _ = self.socket.send_to(&bytes, addr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write replaces the file whole and leaves no temporary file; the
    /// directory goes when the run lets go of it, unless kept.
    #[test]
    fn storage_files_are_replaced_whole_and_the_directory_removed() {
        let dir = StorageDir::create().unwrap();
        write_durably(dir.path(), 3, b"{\"term\":1}").unwrap();
        write_durably(dir.path(), 3, b"[2]").unwrap();
        assert_eq!(std::fs::read(storage_file(dir.path(), 3)).unwrap(), b"[2]");
        assert!(!dir.path().join("node-3.json.tmp").exists());
        let path = dir.path().to_path_buf();
        drop(dir);
        assert!(!path.exists());
        let mut kept = StorageDir::create().unwrap();
        kept.keep = true;
        let path = kept.path().to_path_buf();
        drop(kept);
        assert!(path.is_dir());
        std::fs::remove_dir_all(path).unwrap();
    }

    /// A protocol period set with `exactly` lasts that long; only the
    /// model's "any time" timer is taken as soon-ish (swim's 100 ms periods
    /// once fired within 25 ms, when every empty range meant "any time").
    #[test]
    fn timers_last_what_they_say() {
        let mut rng = SplitMix::new(7);
        let period = Duration::from_millis(100);
        assert_eq!(timer_delay(&exactly(period), &mut rng), period);
        for _ in 0..100 {
            let d = timer_delay(&(Duration::ZERO..Duration::ZERO), &mut rng);
            assert!(ANY_TIME.contains(&d), "{d:?}");
            let d = timer_delay(&(period..2 * period), &mut rng);
            assert!((period..2 * period).contains(&d), "{d:?}");
        }
    }
}
