//! Seeded random histories, for the differential test and the benchmark.
//!
//! Clients run operations against one true store: each operation is
//! invoked, takes effect at one random later moment (its linearization
//! point) and completes later still, so the history is linearizable by
//! construction; then, on request, some reads are made to return a wrong
//! value. Clients may also see `fail` (the operation did not take effect)
//! or `info` (unknown; the client then retires and a new process takes its
//! slot, as in Jepsen).

use crate::model::{Op, Val};
use crate::parse::ModelKind;
use serde_json::json;

/// A small, seeded pseudo-random generator (splitmix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// True with probability `permille / 1000`.
    pub fn chance(&mut self, permille: u32) -> bool {
        self.below(1000) < permille as u64
    }
}

/// Which operations clients issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mix {
    /// read, write, cas.
    Register,
    /// read, append (strings, as Porcupine's kv tests).
    Append,
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    pub model: ModelKind,
    pub mix: Mix,
    pub keys: usize,
    /// Operations invoked, over all keys.
    pub operations: usize,
    /// Clients running at once.
    pub clients: usize,
    /// Written values are drawn from `0..values` (0: every write is a new
    /// value).
    pub values: u64,
    /// Per mille of operations completing `info`, and `fail`.
    pub info: u32,
    pub fail: u32,
    /// Per mille of reads that return a random value instead of the true
    /// one (`values` must be > 0), making the history (likely) not
    /// linearizable.
    pub wrong_reads: u32,
    /// Make one read, late in the history, return a value its key held
    /// long before (stale): with unique values, not linearizable.
    pub stale_read: bool,
    pub seed: u64,
}

impl Spec {
    /// Small histories for the differential test.
    pub fn small(model: ModelKind, seed: u64) -> Spec {
        let mut rng = Rng::new(seed ^ 0x5eed);
        Spec {
            model,
            mix: if rng.chance(250) {
                Mix::Append
            } else {
                Mix::Register
            },
            keys: if model == ModelKind::Kv { 2 } else { 1 },
            operations: 2 + rng.below(9) as usize,
            clients: 2 + rng.below(2) as usize,
            values: 3,
            info: 100,
            fail: 100,
            wrong_reads: 300,
            stale_read: false,
            seed,
        }
    }
}

struct InFlight {
    process: u64,
    key: usize,
    op: Op,
    /// Set when it has taken effect: what it returns, and whether it
    /// succeeded (a cas whose comparison failed completes `fail`).
    effect: Option<(Option<Val>, bool)>,
}

fn f_name(op: &Op) -> &'static str {
    match op {
        Op::Read(_) => "read",
        Op::Write(_) => "write",
        Op::Cas { .. } => "cas",
        Op::Append(_) => "append",
    }
}

fn to_json(v: &Val) -> serde_json::Value {
    serde_json::from_str(&v.to_string()).expect("values print as JSON")
}

fn input_json(op: &Op) -> serde_json::Value {
    match op {
        Op::Read(_) => serde_json::Value::Null,
        Op::Write(v) | Op::Append(v) => to_json(v),
        Op::Cas { from, to, .. } => json!([to_json(from), to_json(to)]),
    }
}

/// A history as JSON lines (the `dsw history` format).
pub fn generate(spec: &Spec) -> String {
    let mut rng = Rng::new(spec.seed);
    let mut lines: Vec<String> = Vec::new();
    let mut store: Vec<Val> = vec![Val::Null; spec.keys];
    // Every value each key has held, in order (for stale reads).
    let mut held: Vec<Vec<Val>> = vec![Vec::new(); spec.keys];
    let mut slots: Vec<Option<InFlight>> = (0..spec.clients).map(|_| None).collect();
    let mut process: Vec<u64> = (0..spec.clients as u64).collect();
    let mut next_process = spec.clients as u64;
    let mut invoked = 0;
    let mut fresh = 0i64;
    let mut stale_done = !spec.stale_read;
    let mut emit = |p: u64, ty: &str, key: usize, op: &Op, value: serde_json::Value| {
        let mut o = json!({"process": p, "type": ty, "f": f_name(op), "value": value});
        if spec.model == ModelKind::Kv {
            o["key"] = json!(key);
        }
        lines.push(o.to_string());
    };
    loop {
        let busy = slots.iter().any(Option::is_some);
        if invoked >= spec.operations && !busy {
            break;
        }
        let s = rng.below(spec.clients as u64) as usize;
        match slots[s].take() {
            None if invoked < spec.operations => {
                invoked += 1;
                let key = rng.below(spec.keys as u64) as usize;
                let value = |rng: &mut Rng, fresh: &mut i64| {
                    if spec.values == 0 {
                        *fresh += 1;
                        Val::Int(*fresh)
                    } else {
                        Val::Int(rng.below(spec.values) as i64)
                    }
                };
                let roll = rng.below(10);
                let op = match spec.mix {
                    Mix::Register if roll < 5 => Op::Read(None),
                    Mix::Register if roll < 8 => Op::Write(value(&mut rng, &mut fresh)),
                    Mix::Register => {
                        let to = value(&mut rng, &mut fresh);
                        let from = if rng.chance(600) {
                            store[key].clone()
                        } else {
                            value(&mut rng, &mut fresh)
                        };
                        Op::Cas {
                            from,
                            to,
                            known: false,
                        }
                    }
                    Mix::Append if roll < 5 => Op::Read(None),
                    Mix::Append => {
                        let Val::Int(v) = value(&mut rng, &mut fresh) else {
                            unreachable!()
                        };
                        Op::Append(Val::Str(format!("x{} {v}y", process[s]).into()))
                    }
                };
                emit(process[s], "invoke", key, &op, input_json(&op));
                slots[s] = Some(InFlight {
                    process: process[s],
                    key,
                    op,
                    effect: None,
                });
            }
            None => {}
            Some(mut f) => match f.effect.take() {
                None if rng.chance(spec.fail) => {
                    emit(f.process, "fail", f.key, &f.op, input_json(&f.op));
                }
                None if rng.chance(spec.info) => {
                    // Unknown outcome, and it never takes effect.
                    emit(f.process, "info", f.key, &f.op, input_json(&f.op));
                    process[s] = next_process;
                    next_process += 1;
                }
                None => {
                    // The linearization point.
                    let before = store[f.key].clone();
                    let result = match &f.op {
                        Op::Read(_) => (Some(before.clone()), true),
                        Op::Cas { from, .. } => (None, *from == before),
                        _ => (None, true),
                    };
                    if result.1 {
                        if let Some(after) = f.op.step(&before) {
                            if after != before {
                                held[f.key].push(after.clone());
                            }
                            store[f.key] = after;
                        }
                    }
                    f.effect = Some(result);
                    slots[s] = Some(f);
                }
                Some((read, succeeded)) => {
                    if rng.chance(spec.info) {
                        emit(f.process, "info", f.key, &f.op, input_json(&f.op));
                        process[s] = next_process;
                        next_process += 1;
                    } else if !succeeded {
                        emit(f.process, "fail", f.key, &f.op, input_json(&f.op));
                    } else if let Some(mut v) = read {
                        if spec.values > 0 && rng.chance(spec.wrong_reads) {
                            v = Val::Int(rng.below(spec.values) as i64);
                        }
                        let h = &held[f.key];
                        // Further back than any write still in flight.
                        let back = 2 * spec.clients + 2;
                        if !stale_done && invoked * 4 >= spec.operations * 3 && h.len() > back {
                            let old = &h[h.len() - back];
                            if *old != v && !h[h.len() - back + 1..].contains(old) {
                                v = old.clone();
                                stale_done = true;
                            }
                        }
                        emit(f.process, "ok", f.key, &f.op, to_json(&v));
                    } else {
                        emit(f.process, "ok", f.key, &f.op, input_json(&f.op));
                    }
                }
            },
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}
