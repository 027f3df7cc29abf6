//! Runs Stateright actors over real UDP on loopback, the same `Actor` values
//! the checker explores, and records what happened.
//!
//! Stateright's own `spawn` loops forever, panics when a port is taken and
//! records nothing (see DESIGN.md). This runtime binds every socket first
//! (a clear error when it cannot), drives `on_start`/`on_msg`/`on_timeout`
//! and the `Out` commands on one thread per actor, injects loss and
//! duplication from a seed, stops when the workload is done or time is up,
//! and returns every send, delivery, loss and timer in real-time order, so
//! the caller can check the run with the model's own properties.

use serde::de::DeserializeOwned;
use serde::Serialize;
use stateright::actor::{is_no_op, Actor, Command, Id, Out};
use std::borrow::Cow;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
}

/// One thing that happened, in the order it happened across all nodes.
#[derive(Clone, Debug, Serialize)]
pub struct Event<Msg, Timer> {
    /// Time since the run started.
    pub at: Duration,
    /// The node it happened on (index into the actors).
    pub node: usize,
    pub kind: EventKind<Msg, Timer>,
}

#[derive(Clone, Debug, Serialize)]
pub enum EventKind<Msg, Timer> {
    /// A datagram left `node` for `to`.
    Sent { to: usize, msg: Msg },
    /// The fault injector dropped a datagram from `node` to `to`.
    Lost { to: usize, msg: Msg },
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
    Malformed { len: usize },
}

/// What a run returns.
pub struct RunResult<A: Actor> {
    /// Each node's last state.
    pub states: Vec<A::State>,
    pub events: Vec<Event<A::Msg, A::Timer>>,
    /// True when the workload finished before the time was up.
    pub finished: bool,
    pub elapsed: Duration,
}

impl<A: Actor> RunResult<A> {
    pub fn count(&self, pred: impl Fn(&EventKind<A::Msg, A::Timer>) -> bool) -> usize {
        self.events.iter().filter(|e| pred(&e.kind)).count()
    }
}

/// Sockets bound on loopback, one per node, and the `Id` each is known by.
pub struct Bound {
    pub sockets: Vec<UdpSocket>,
    pub ids: Vec<Id>,
}

/// Binds `n` UDP sockets on 127.0.0.1 at ports the system picks, so that
/// runs never collide with each other or with a taken port.
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
    Ok(Bound { sockets, ids })
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

struct Shared<A: Actor> {
    stop: AtomicBool,
    start: Instant,
    events: Mutex<Vec<Event<A::Msg, A::Timer>>>,
    states: Mutex<Vec<Option<A::State>>>,
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
    A::Storage: Send,
    A::Random: Send,
{
    let n = actors.len();
    let shared = Arc::new(Shared::<A> {
        stop: AtomicBool::new(false),
        start: Instant::now(),
        events: Mutex::new(Vec::new()),
        states: Mutex::new(vec![None; n]),
    });
    let ids = Arc::new(bound.ids);
    let mut handles = Vec::with_capacity(n);
    for (node, (actor, socket)) in actors.into_iter().zip(bound.sockets).enumerate() {
        let shared = Arc::clone(&shared);
        let ids = Arc::clone(&ids);
        let mut rng = SplitMix::new(cfg.seed ^ (node as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let (loss, duplicate) = (cfg.loss, cfg.duplicate);
        handles.push(std::thread::spawn(move || {
            let mut node_loop = NodeLoop {
                node,
                actor,
                socket,
                ids,
                shared,
                timers: Vec::new(),
                loss,
                duplicate,
            };
            node_loop.run(&mut rng);
        }));
    }

    let deadline = shared.start + cfg.duration;
    let mut finished = false;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
        let states = lock(&shared.states);
        if states.iter().all(Option::is_some) && done(&states) {
            finished = true;
            break;
        }
    }
    shared.stop.store(true, Ordering::SeqCst);
    for h in handles {
        let _ = h.join();
    }
    let elapsed = shared.start.elapsed();
    let states = std::mem::take(&mut *lock(&shared.states))
        .into_iter()
        .map(|s| s.expect("every node started"))
        .collect();
    let events = std::mem::take(&mut *lock(&shared.events));
    RunResult {
        states,
        events,
        finished,
        elapsed,
    }
}

/// A poisoned lock only means another node thread panicked; its data is
/// still the best record we have.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct NodeLoop<A: Actor> {
    node: usize,
    actor: A,
    socket: UdpSocket,
    ids: Arc<Vec<Id>>,
    shared: Arc<Shared<A>>,
    timers: Vec<(A::Timer, Instant)>,
    loss: f64,
    duplicate: f64,
}

impl<A> NodeLoop<A>
where
    A: Actor,
    A::Msg: Serialize + DeserializeOwned,
{
    fn record(&self, kind: EventKind<A::Msg, A::Timer>) {
        let mut events = lock(&self.shared.events);
        events.push(Event {
            at: self.shared.start.elapsed(),
            node: self.node,
            kind,
        });
    }

    fn node_of(&self, id: Id) -> Option<usize> {
        self.ids.iter().position(|i| *i == id)
    }

    fn run(&mut self, rng: &mut SplitMix) {
        let me = self.ids[self.node];
        let mut out = Out::new();
        let mut state = self.actor.on_start(me, &None, &mut out);
        self.apply(out, &mut state, rng);
        self.publish(&state);

        let mut buf = vec![0u8; MAX_DATAGRAM];
        while !self.shared.stop.load(Ordering::SeqCst) {
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
                if let Cow::Owned(s) = cow {
                    state = s;
                }
                self.apply(out, &mut state, rng);
                self.publish(&state);
                continue;
            }
            let wait = self
                .timers
                .iter()
                .map(|(_, at)| at.saturating_duration_since(now))
                .min()
                .unwrap_or(Duration::from_millis(20))
                .clamp(Duration::from_millis(1), Duration::from_millis(20));
            let _ = self.socket.set_read_timeout(Some(wait));
            let Ok((len, from)) = self.socket.recv_from(&mut buf) else {
                continue;
            };
            let from_id = match from {
                std::net::SocketAddr::V4(a) => Id::from(a),
                std::net::SocketAddr::V6(_) => continue,
            };
            let (Some(from_node), Ok(msg)) = (
                self.node_of(from_id),
                serde_json::from_slice::<A::Msg>(&buf[..len]),
            ) else {
                self.record(EventKind::Malformed { len });
                continue;
            };
            let mut cow = Cow::Borrowed(&state);
            let mut out = Out::new();
            self.actor
                .on_msg(me, &mut cow, from_id, msg.clone(), &mut out);
            // Recorded before the step's own sends, so the log keeps
            // causal order.
            self.record(EventKind::Delivered {
                from: from_node,
                msg,
                ignored: is_no_op(&cow, &out),
            });
            if let Cow::Owned(s) = cow {
                state = s;
            }
            self.apply(out, &mut state, rng);
            self.publish(&state);
        }
    }

    fn publish(&self, state: &A::State) {
        lock(&self.shared.states)[self.node] = Some(state.clone());
    }

    fn apply(&mut self, out: Out<A>, state: &mut A::State, rng: &mut SplitMix) {
        for command in out {
            match command {
                Command::Send(to, msg) => self.send(to, msg, rng),
                Command::SetTimer(timer, range) => {
                    let at = Instant::now() + timer_delay(&range, rng);
                    self.timers.retain(|(t, _)| *t != timer);
                    self.timers.push((timer, at));
                }
                Command::CancelTimer(timer) => self.timers.retain(|(t, _)| *t != timer),
                Command::ChooseRandom(_, choices) => {
                    if !choices.is_empty() {
                        let pick =
                            choices[(rng.next_u64() % choices.len() as u64) as usize].clone();
                        let mut cow = Cow::Borrowed(&*state);
                        let mut more = Out::new();
                        let me = self.ids[self.node];
                        self.actor.on_random(me, &mut cow, &pick, &mut more);
                        if let Cow::Owned(s) = cow {
                            *state = s;
                        }
                        self.apply(more, state, rng);
                    }
                }
                // Storage stays in memory: real runs inject no crashes yet.
                Command::Save(_) => {}
            }
        }
    }

    fn send(&self, to: Id, msg: A::Msg, rng: &mut SplitMix) {
        let Some(to_node) = self.node_of(to) else {
            return;
        };
        if rng.unit() < self.loss {
            self.record(EventKind::Lost { to: to_node, msg });
            return;
        }
        let Ok(bytes) = serde_json::to_vec(&msg) else {
            return;
        };
        let addr = SocketAddrV4::from(to);
        let copies = if rng.unit() < self.duplicate { 2 } else { 1 };
        self.record(EventKind::Sent { to: to_node, msg });
        for _ in 0..copies {
            let _ = self.socket.send_to(&bytes, addr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
