//! Held runs: the nodes act only when a driver says so (`dsw replay`).
//!
//! The nodes are the same threads over the same sockets as in [`crate::run`],
//! but nothing happens by itself: every datagram a node receives is parked
//! (held, as if still in flight) instead of handled, and no timer fires by
//! wall time. The driver ([`Driver`]) releases one parked datagram to its
//! node, fires one timer, or crashes or restarts a node, and waits for the
//! node to acknowledge the step (its handler run, its storage written, its
//! sends on the wire, its state published). So a schedule the checker found
//! is followed on real nodes, step by step, and recorded as any run is.
//!
//! A node's random choice ([`stateright::actor::Out::choose_random`]) is not
//! made at once, as a real run makes it, but kept pending as Stateright's
//! model keeps it (`ActorModelState::random_choices`): a later choice with
//! the same key replaces it, one with no options withdraws it, a crash
//! forgets it, and the node handles other steps meanwhile. The driver makes
//! it ([`Driver::choose`]), a step of its own with the option it names, as
//! the model's `SelectRandom` is.

use crate::{lock, node_rng, Bound, EventKind, NodeLoop, Received, RunConfig, RunResult, Shared};
use serde::de::DeserializeOwned;
use serde::Serialize;
use stateright::actor::{is_no_op, Actor, Out};
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A datagram a node received and holds, unhandled, until the driver
/// releases it.
#[derive(Clone, Debug)]
pub struct Parked<Msg> {
    /// Its number, in the order the nodes parked them.
    pub seq: u64,
    pub from: usize,
    pub to: usize,
    pub msg: Msg,
    /// The Lamport time of its send, which it carried.
    sent: u64,
}

enum Order<Timer> {
    Deliver { seq: u64 },
    Fire { timer: Timer },
    Choose { key: String, index: usize },
    Crash,
    Recover,
}

type Ack = mpsc::Sender<Result<(), String>>;

/// The parked datagrams of every node, and those released so far.
struct Hold<Msg> {
    parked: Mutex<Vec<Parked<Msg>>>,
    delivered: Mutex<Vec<Parked<Msg>>>,
    next: AtomicU64,
}

/// What the driver of a held run may do.
pub struct Driver<A: Actor> {
    hold: Arc<Hold<A::Msg>>,
    orders: Vec<mpsc::Sender<(Order<A::Timer>, Ack)>>,
    shared: Arc<Shared<A>>,
    /// How long a node may take to acknowledge a step.
    patience: Duration,
}

impl<A: Actor> Driver<A> {
    /// Every datagram parked now, in the order parked.
    pub fn parked(&self) -> Vec<Parked<A::Msg>> {
        lock(&self.hold.parked).clone()
    }

    /// Waits up to `wait` for a parked datagram that `pred` accepts, and
    /// returns the first such.
    pub fn wait_for(
        &self,
        wait: Duration,
        pred: impl Fn(&Parked<A::Msg>) -> bool,
    ) -> Option<Parked<A::Msg>> {
        let until = Instant::now() + wait;
        loop {
            if let Some(p) = lock(&self.hold.parked).iter().find(|p| pred(p)) {
                return Some(p.clone());
            }
            if Instant::now() >= until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Parks a copy of the last datagram released that `pred` accepts, as
    /// a network that duplicates would deliver it again, and returns the
    /// copy (a new number, the same send).
    pub fn copy_of_delivered(
        &self,
        pred: impl Fn(&Parked<A::Msg>) -> bool,
    ) -> Option<Parked<A::Msg>> {
        let original = lock(&self.hold.delivered)
            .iter()
            .rev()
            .find(|p| pred(p))
            .cloned()?;
        let copy = Parked {
            seq: self.hold.next.fetch_add(1, Ordering::SeqCst),
            ..original
        };
        lock(&self.hold.parked).push(copy.clone());
        Some(copy)
    }

    /// Waits up to `wait` until every node has started.
    pub fn wait_started(&self, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        while Instant::now() < until {
            if lock(&self.shared.states).iter().all(Option::is_some) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    }

    /// Waits up to `wait` until nothing more is parked for a while (every
    /// datagram on its way has arrived): true when it settled.
    pub fn settle(&self, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        let quiet = Duration::from_millis(20);
        let mut count = lock(&self.hold.parked).len();
        let mut since = Instant::now();
        while Instant::now() < until {
            std::thread::sleep(Duration::from_millis(2));
            let now = lock(&self.hold.parked).len();
            if now != count {
                count = now;
                since = Instant::now();
            } else if since.elapsed() >= quiet {
                return true;
            }
        }
        false
    }

    /// Releases parked datagram `seq` to its node, which handles it.
    pub fn deliver(&self, seq: u64) -> Result<(), String> {
        let to = lock(&self.hold.parked)
            .iter()
            .find(|p| p.seq == seq)
            .map(|p| p.to)
            .ok_or_else(|| format!("no datagram {seq} is held"))?;
        self.order(to, Order::Deliver { seq })
    }

    /// Fires `node`'s timer `timer`, which must be set.
    pub fn fire(&self, node: usize, timer: A::Timer) -> Result<(), String> {
        self.order(node, Order::Fire { timer })
    }

    /// Makes `node`'s pending random choice `key`: option `index` of
    /// those its step asked for.
    pub fn choose(&self, node: usize, key: &str, index: usize) -> Result<(), String> {
        let key = key.to_string();
        self.order(node, Order::Choose { key, index })
    }

    /// Crashes `node`: its state and timers are gone; what reaches it stays
    /// parked.
    pub fn crash(&self, node: usize) -> Result<(), String> {
        self.order(node, Order::Crash)
    }

    /// Restarts `node`, which is down, from its storage file.
    pub fn recover(&self, node: usize) -> Result<(), String> {
        self.order(node, Order::Recover)
    }

    /// Throws parked datagram `seq` away (the network lost it): true if it
    /// was held.
    pub fn discard(&self, seq: u64) -> bool {
        let mut parked = lock(&self.hold.parked);
        let before = parked.len();
        parked.retain(|p| p.seq != seq);
        parked.len() < before
    }

    fn order(&self, node: usize, order: Order<A::Timer>) -> Result<(), String> {
        let (ack, answer) = mpsc::channel();
        let sender = self
            .orders
            .get(node)
            .ok_or_else(|| format!("there is no node {node}"))?;
        sender
            .send((order, ack))
            .map_err(|_| "the node has stopped".to_string())?;
        answer.recv_timeout(self.patience).map_err(|_| {
            format!(
                "the node did not finish the step within {:?}",
                self.patience
            )
        })?
    }
}

/// Runs `actors` held: each starts, then acts only as `drive` orders, until
/// `drive` returns or `cfg.duration` passes (the nodes then stop; a step
/// under way is waited for). Returns the run, what `drive` returned, and
/// the datagrams still parked at the end.
pub fn run_held<A, R>(
    actors: Vec<A>,
    bound: Bound,
    cfg: &RunConfig,
    drive: impl FnOnce(&Driver<A>) -> R,
) -> (RunResult<A>, R, Vec<Parked<A::Msg>>)
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
    let hold = Arc::new(Hold {
        parked: Mutex::new(Vec::new()),
        delivered: Mutex::new(Vec::new()),
        next: AtomicU64::new(0),
    });
    let ids = Arc::new(ids);
    let mut handles = Vec::with_capacity(n);
    let mut orders = Vec::with_capacity(n);
    for (node, (actor, socket)) in actors.into_iter().zip(sockets).enumerate() {
        let (tx, rx) = mpsc::channel();
        orders.push(tx);
        let mut rng = node_rng(cfg.seed, node);
        let mut node_loop = NodeLoop::new(
            node,
            actor,
            socket,
            Arc::clone(&ids),
            Arc::clone(&shared),
            (cfg.loss, cfg.duplicate, cfg.seed),
        );
        node_loop.tamper = cfg.tamper.filter(|t| t.node == node);
        node_loop.pending = Some(Vec::new());
        let hold = Arc::clone(&hold);
        handles.push(std::thread::spawn(move || {
            node_loop.run_held(&mut rng, &rx, &hold);
        }));
    }
    let driver = Driver {
        hold: Arc::clone(&hold),
        orders,
        shared: Arc::clone(&shared),
        patience: cfg.duration,
    };
    let result = drive(&driver);
    drop(driver);
    let parked = std::mem::take(&mut *lock(&hold.parked));
    let run = crate::finish(&shared, handles, storage, cfg, true, None);
    (run, result, parked)
}

impl<A> NodeLoop<A>
where
    A: Actor,
    A::Msg: Serialize + DeserializeOwned,
    A::Storage: Serialize + DeserializeOwned,
{
    /// The node's loop in a held run: park what arrives, carry out orders.
    fn run_held(
        &mut self,
        rng: &mut crate::SplitMix,
        orders: &mpsc::Receiver<(Order<A::Timer>, Ack)>,
        hold: &Hold<A::Msg>,
    ) {
        let mut state = self.start(rng, false);
        let mut buf = vec![0u8; crate::MAX_DATAGRAM];
        while !self.stopped() {
            match orders.try_recv() {
                Ok((order, ack)) => {
                    let done = self.obey(order, &mut state, hold, rng);
                    let _ = ack.send(done);
                    continue;
                }
                Err(mpsc::TryRecvError::Disconnected) => return,
                Err(mpsc::TryRecvError::Empty) => {}
            }
            match self.receive(&mut buf, Duration::from_millis(2)) {
                Received::Nothing => {}
                Received::Malformed(len) => {
                    self.shared.malformed.fetch_add(1, Ordering::SeqCst);
                    self.record(EventKind::Malformed { len });
                }
                Received::Msg(from, _, sent, msg) => {
                    let seq = hold.next.fetch_add(1, Ordering::SeqCst);
                    lock(&hold.parked).push(Parked {
                        seq,
                        from,
                        to: self.node,
                        msg,
                        sent,
                    });
                }
            }
        }
    }

    /// One step the driver ordered; `state` is none while the node is down.
    fn obey(
        &mut self,
        order: Order<A::Timer>,
        state: &mut Option<A::State>,
        hold: &Hold<A::Msg>,
        rng: &mut crate::SplitMix,
    ) -> Result<(), String> {
        let me = self.ids[self.node];
        match order {
            Order::Crash => {
                if state.is_none() {
                    return Err("it is down already".into());
                }
                let stored = self.stored_json();
                self.record(EventKind::Crash { stored });
                self.timers.clear();
                // The model forgets a crashed actor's pending choices.
                if let Some(pending) = self.pending.as_mut() {
                    pending.clear();
                }
                lock(&self.shared.states)[self.node] = None;
                *state = None;
                Ok(())
            }
            Order::Recover => {
                if state.is_some() {
                    return Err("it is not down".into());
                }
                *state = self.start(rng, true);
                if state.is_none() {
                    return Err("it could not restart from its storage file".into());
                }
                Ok(())
            }
            Order::Deliver { seq } => {
                let Some(current) = state.as_mut() else {
                    return Err("it is down".into());
                };
                let parked = {
                    let mut parked = lock(&hold.parked);
                    let at = parked
                        .iter()
                        .position(|p| p.seq == seq && p.to == self.node)
                        .ok_or_else(|| format!("it holds no datagram {seq}"))?;
                    parked.remove(at)
                };
                lock(&hold.delivered).push(parked.clone());
                let mut cow = Cow::Borrowed(&*current);
                let mut out = Out::new();
                let from_id = self.ids[parked.from];
                self.deliveries += 1;
                self.actor
                    .on_msg(me, &mut cow, from_id, parked.msg.clone(), &mut out);
                self.record_receipt(
                    parked.sent,
                    EventKind::Delivered {
                        from: parked.from,
                        msg: parked.msg,
                        ignored: is_no_op(&cow, &out),
                    },
                );
                if let Cow::Owned(s) = cow {
                    *current = s;
                }
                self.finish_step(out, current, rng)
            }
            Order::Fire { timer } => {
                let Some(current) = state.as_mut() else {
                    return Err("it is down".into());
                };
                let at = self
                    .timers
                    .iter()
                    .position(|(t, _)| *t == timer)
                    .ok_or_else(|| format!("its timer {timer:?} is not set"))?;
                let (timer, _) = self.timers.remove(at);
                self.record(EventKind::Timer(timer.clone()));
                let mut cow = Cow::Borrowed(&*current);
                let mut out = Out::new();
                self.actor.on_timeout(me, &mut cow, &timer, &mut out);
                if let Cow::Owned(s) = cow {
                    *current = s;
                }
                self.finish_step(out, current, rng)
            }
            Order::Choose { key, index } => {
                let Some(current) = state.as_mut() else {
                    return Err("it is down".into());
                };
                let pending = self.pending.get_or_insert_with(Vec::new);
                let at = pending.iter().position(|(k, _)| *k == key).ok_or_else(|| {
                    let keys: Vec<&str> = pending.iter().map(|(k, _)| k.as_str()).collect();
                    format!(
                        "it has no random choice {key:?} pending (pending: {})",
                        if keys.is_empty() {
                            "none".to_string()
                        } else {
                            keys.join(", ")
                        }
                    )
                })?;
                let of = pending[at].1.len();
                if index >= of {
                    return Err(format!(
                        "its random choice {key:?} has {of} options, not an option {index}"
                    ));
                }
                // Taken off before the step, which may ask again (the
                // model's `SelectRandom` removes the key, then carries out
                // the commands).
                let (key, options) = pending.remove(at);
                let pick = options[index].clone();
                self.record(EventKind::Selected {
                    key,
                    index,
                    of,
                    choice: format!("{pick:?}"),
                });
                let mut cow = Cow::Borrowed(&*current);
                let mut out = Out::new();
                self.actor.on_random(me, &mut cow, &pick, &mut out);
                if let Cow::Owned(s) = cow {
                    *current = s;
                }
                self.finish_step(out, current, rng)
            }
        }
    }

    /// A step's commands carried out and its state published.
    fn finish_step(
        &mut self,
        out: Out<A>,
        state: &mut A::State,
        rng: &mut crate::SplitMix,
    ) -> Result<(), String> {
        let ok = self.apply(out, state, rng);
        self.publish(state);
        if ok {
            Ok(())
        } else {
            Err("its storage could not be written".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stateright::actor::{ActorModel, ActorModelAction, Id, Network};
    use stateright::Model;

    /// Asks for choices at its start and, on message 0, asks again with the
    /// same key (a replacement) and with none for the other (a withdrawal);
    /// its state is what it received and picked, in order.
    #[derive(Clone)]
    struct Chooser {
        tell: Option<Id>,
    }

    impl Actor for Chooser {
        type Msg = u8;
        type State = Vec<u8>;
        type Timer = ();
        type Random = u8;
        type Storage = ();

        fn on_start(&self, _: Id, _: &Option<()>, o: &mut Out<Self>) -> Vec<u8> {
            o.choose_random("k", vec![1, 2]);
            o.choose_random("w", vec![9]);
            if let Some(to) = self.tell {
                o.send(to, 0);
            }
            Vec::new()
        }

        fn on_msg(&self, _: Id, state: &mut Cow<Vec<u8>>, _: Id, msg: u8, o: &mut Out<Self>) {
            o.choose_random("k", vec![3, 4, 5]);
            o.choose_random("w", Vec::new());
            state.to_mut().push(msg);
        }

        fn on_random(&self, _: Id, state: &mut Cow<Vec<u8>>, pick: &u8, _: &mut Out<Self>) {
            state.to_mut().push(*pick);
        }
    }

    /// A held node keeps its random choices pending as Stateright's model
    /// does: the same key replaces, no options withdraw, a crash forgets,
    /// and the driver makes one as a step of its own. The same schedule on
    /// the model ends in the same states.
    #[test]
    fn pending_choices_follow_the_model() {
        let bound = crate::bind(2).unwrap();
        let ids = bound.ids.clone();
        let actors = vec![Chooser { tell: None }, Chooser { tell: Some(ids[0]) }];
        let cfg = RunConfig {
            duration: Duration::from_secs(5),
            loss: 0.0,
            duplicate: 0.0,
            seed: 0,
            keep_storage: false,
            nemesis: Vec::new(),
            fuzz: 0,
            tamper: None,
        };
        let (run, refused, _) = run_held(actors.clone(), bound, &cfg, |d| {
            assert!(d.wait_started(Duration::from_secs(5)));
            let mut refused = Vec::new();
            refused.push(d.choose(0, "k", 2).unwrap_err());
            let p = d.wait_for(Duration::from_secs(5), |p| p.to == 0).unwrap();
            d.deliver(p.seq).unwrap();
            refused.push(d.choose(0, "w", 0).unwrap_err());
            d.choose(0, "k", 2).unwrap();
            refused.push(d.choose(0, "k", 0).unwrap_err());
            d.crash(1).unwrap();
            d.recover(1).unwrap();
            d.choose(1, "k", 1).unwrap();
            refused
        });
        assert!(refused[0].contains("has 2 options"), "{refused:?}");
        assert!(
            refused[1].contains("no random choice \"w\" pending"),
            "{refused:?}"
        );
        assert!(refused[2].contains("(pending: none)"), "{refused:?}");

        let model = ActorModel::new((), ())
            .actors(vec![
                Chooser { tell: None },
                Chooser {
                    tell: Some(Id::from(0)),
                },
            ])
            .init_network(Network::new_unordered_nonduplicating([]))
            .max_crashes(1);
        let pick = |actor: usize, key: &str, random: u8| ActorModelAction::SelectRandom {
            actor: Id::from(actor),
            key: key.into(),
            random,
        };
        let mut state = model.init_states().remove(0);
        for action in [
            ActorModelAction::Deliver {
                src: Id::from(1),
                dst: Id::from(0),
                msg: 0,
            },
            pick(0, "k", 5),
            ActorModelAction::Crash(Id::from(1)),
            ActorModelAction::Recover(Id::from(1)),
            pick(1, "k", 2),
        ] {
            let mut enabled = Vec::new();
            model.actions(&state, &mut enabled);
            assert!(enabled.contains(&action), "{action:?} not in {enabled:?}");
            if matches!(action, ActorModelAction::Crash(_)) {
                // What the driver was refused is no step of the model
                // either: node 0 has nothing pending ("w" withdrawn, "k"
                // made).
                assert!(
                    !enabled.iter().any(|a| matches!(a,
                        ActorModelAction::SelectRandom { actor, .. } if usize::from(*actor) == 0)),
                    "{enabled:?}"
                );
            }
            state = model.next_state(&state, action).unwrap();
        }
        let model_states: Vec<Vec<u8>> = state.actor_states.iter().map(|s| (**s).clone()).collect();
        assert_eq!(run.states, model_states);
        assert_eq!(run.states, vec![vec![0, 5], vec![2]]);
        let pending = |node: usize| {
            run.events
                .iter()
                .filter(|e| e.node == node && matches!(e.kind, EventKind::Pending { .. }))
                .count()
        };
        // Node 0: two at its start, two on the message; node 1: two at each
        // start.
        assert_eq!((pending(0), pending(1)), (4, 4));
    }
}
