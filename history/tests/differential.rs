//! The search against Stateright's own linearizability tester
//! (`stateright::semantics::LinearizabilityTester`, a plain exhaustive
//! search over interleavings) on many small seeded random histories: the
//! same verdict every time, and both verdicts occur often.
//!
//! The reference object here is written independently of `history::model`
//! (over `serde_json::Value`); read/write register histories also go
//! through Stateright's own `Register`.

use history::generate::{generate, Spec};
use history::{first_bad_partition, parse, History, ModelKind, Op};
use serde_json::Value;
use stateright::semantics::register::{Register, RegisterOp, RegisterRet};
use stateright::semantics::{ConsistencyTester, LinearizabilityTester, SequentialSpec};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, PartialEq)]
enum RefOp {
    Read(String),
    Write(String, Value),
    Cas(String, Value, Value),
    Append(String, Value),
}

#[derive(Clone, Debug, PartialEq)]
enum RefRet {
    Read(Value),
    Done,
    CasFailed,
}

/// A map of registers, every one `null` at first.
#[derive(Clone, Debug, Default)]
struct RefKv(BTreeMap<String, Value>);

impl SequentialSpec for RefKv {
    type Op = RefOp;
    type Ret = RefRet;
    fn invoke(&mut self, op: &RefOp) -> RefRet {
        match op {
            RefOp::Read(k) => RefRet::Read(self.0.get(k).cloned().unwrap_or(Value::Null)),
            RefOp::Write(k, v) => {
                self.0.insert(k.clone(), v.clone());
                RefRet::Done
            }
            RefOp::Cas(k, from, to) => {
                let cur = self.0.get(k).cloned().unwrap_or(Value::Null);
                if cur == *from {
                    self.0.insert(k.clone(), to.clone());
                    RefRet::Done
                } else {
                    RefRet::CasFailed
                }
            }
            RefOp::Append(k, v) => {
                let cur = self.0.entry(k.clone()).or_insert(Value::Null);
                let next = match (&*cur, v) {
                    (Value::Null, Value::String(s)) => Value::String(s.clone()),
                    (Value::String(a), Value::String(b)) => Value::String(format!("{a}{b}")),
                    (Value::Null, v) => Value::Array(vec![v.clone()]),
                    (Value::Array(l), v) => {
                        let mut l = l.clone();
                        l.push(v.clone());
                        Value::Array(l)
                    }
                    // Cannot append here: no result a client saw matches.
                    _ => return RefRet::CasFailed,
                };
                *cur = next;
                RefRet::Done
            }
        }
    }
}

fn json(v: &history::Val) -> Value {
    serde_json::from_str(&v.to_string()).unwrap()
}

/// Events of the parsed history in order: (position, op index, is return).
fn events(h: &History) -> Vec<(u64, usize, bool)> {
    let mut ev: Vec<_> = h
        .ops
        .iter()
        .enumerate()
        .flat_map(|(i, o)| std::iter::once((o.call, i, false)).chain(o.ret.map(|r| (r, i, true))))
        .collect();
    ev.sort();
    ev
}

fn threads(h: &History) -> HashMap<String, u64> {
    let mut t = HashMap::new();
    for o in &h.ops {
        let n = t.len() as u64;
        t.entry(o.process.clone()).or_insert(n);
    }
    t
}

fn stateright_kv(h: &History) -> bool {
    let t = threads(h);
    let mut tester = LinearizabilityTester::new(RefKv::default());
    for (_, i, ret) in events(h) {
        let o = &h.ops[i];
        let key = o.key.clone().unwrap_or_default();
        let thread = t[&o.process];
        if ret {
            let r = match &o.op {
                Op::Read(Some(v)) => RefRet::Read(json(v)),
                Op::Read(None) => unreachable!("a completed read has a value"),
                _ => RefRet::Done,
            };
            tester.on_return(thread, r).unwrap();
        } else {
            let op = match &o.op {
                Op::Read(_) => RefOp::Read(key),
                Op::Write(v) => RefOp::Write(key, json(v)),
                Op::Cas { from, to, .. } => RefOp::Cas(key, json(from), json(to)),
                Op::Append(v) => RefOp::Append(key, json(v)),
            };
            tester.on_invoke(thread, op).unwrap();
        }
    }
    tester.is_consistent()
}

/// Stateright's own `Register`, for register histories of reads and
/// writes only.
fn stateright_register(h: &History) -> Option<bool> {
    if h.model != ModelKind::Register
        || h.ops
            .iter()
            .any(|o| !matches!(o.op, Op::Read(_) | Op::Write(_)))
    {
        return None;
    }
    let t = threads(h);
    let mut tester = LinearizabilityTester::new(Register(Value::Null));
    for (_, i, ret) in events(h) {
        let o = &h.ops[i];
        let thread = t[&o.process];
        match (&o.op, ret) {
            (Op::Read(Some(v)), true) => tester.on_return(thread, RegisterRet::ReadOk(json(v))),
            (Op::Write(_), true) => tester.on_return(thread, RegisterRet::WriteOk),
            (Op::Read(_), false) => tester.on_invoke(thread, RegisterOp::Read),
            (Op::Write(v), false) => tester.on_invoke(thread, RegisterOp::Write(json(v))),
            _ => unreachable!(),
        }
        .unwrap();
    }
    Some(tester.is_consistent())
}

fn differential(model: ModelKind, seeds: std::ops::Range<u64>) -> (usize, usize, usize) {
    let (mut yes, mut no, mut registers) = (0, 0, 0);
    for seed in seeds {
        let spec = Spec::small(model, seed);
        let text = generate(&spec);
        let h = parse(&text, model).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
        let ours = first_bad_partition(&h).is_none();
        let theirs = stateright_kv(&h);
        assert_eq!(ours, theirs, "seed {seed}: verdicts differ on\n{text}");
        if let Some(reg) = stateright_register(&h) {
            assert_eq!(ours, reg, "seed {seed}: Register disagrees on\n{text}");
            registers += 1;
        }
        // The explanation agrees with the verdict.
        match history::check(&h) {
            history::Verdict::Linearizable => assert!(ours),
            history::Verdict::NotLinearizable(_) => assert!(!ours),
        }
        if ours {
            yes += 1;
        } else {
            no += 1;
        }
    }
    (yes, no, registers)
}

#[test]
fn register_histories_agree_with_stateright() {
    let (yes, no, registers) = differential(ModelKind::Register, 0..3000);
    // Both verdicts, often: the comparison tests something.
    assert!(yes >= 500 && no >= 500, "{yes} linearizable, {no} not");
    assert!(registers >= 200, "{registers} read/write-only histories");
}

#[test]
fn kv_histories_agree_with_stateright() {
    let (yes, no, _) = differential(ModelKind::Kv, 10_000..12_000);
    assert!(yes >= 300 && no >= 300, "{yes} linearizable, {no} not");
}
