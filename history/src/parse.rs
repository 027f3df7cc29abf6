//! Reading a history: one JSON object per line, Jepsen-style.
//!
//! ```text
//! {"process": 0, "type": "invoke", "f": "write", "value": 1}
//! {"process": 1, "type": "invoke", "f": "read",  "value": null}
//! {"process": 0, "type": "ok",     "f": "write", "value": 1}
//! {"process": 1, "type": "ok",     "f": "read",  "value": 1}
//! ```
//!
//! See [`crate::FORMAT`] for the rules.

use crate::model::{Op, Val};
use std::collections::HashMap;
use std::fmt;

/// Which sequential object the history is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    /// One register; lines carry no `key`.
    Register,
    /// A map of independent registers; every line carries a `key`, and each
    /// key is checked on its own (P-compositionality).
    Kv,
}

impl ModelKind {
    /// The name `dsw history --model` takes.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Register => "register",
            ModelKind::Kv => "kv",
        }
    }
}

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `ok`: it took effect, with the result given.
    Ok,
    /// `info`: unknown; it may have taken effect at any time after its
    /// invocation.
    Info,
    /// No completion line at all: treated like `info`.
    Open,
}

/// One operation of the history (`fail`ed ones are dropped while parsing).
#[derive(Clone, Debug)]
pub struct Operation {
    pub process: String,
    /// The key's JSON text (kv only).
    pub key: Option<String>,
    pub op: Op,
    /// Position of the invocation in the history's order.
    pub call: u64,
    /// Position of the completion, `None` when the outcome is unknown (the
    /// operation stays pending to the end).
    pub ret: Option<u64>,
    pub invoke_line: usize,
    pub complete_line: Option<usize>,
    pub outcome: Outcome,
}

impl Operation {
    /// "lines 3-7: process 1 write 2", for reports.
    pub fn describe(&self) -> String {
        let lines = match (self.complete_line, self.outcome) {
            (Some(c), Outcome::Ok) => format!("lines {}-{}", self.invoke_line, c),
            (Some(c), _) => format!("lines {}-{} (info)", self.invoke_line, c),
            (None, _) => format!("line {} (never completed)", self.invoke_line),
        };
        let key = match &self.key {
            Some(k) => format!(" key {k}"),
            None => String::new(),
        };
        format!("{lines}: process {}{key} {}", self.process, self.op)
    }
}

/// A parsed history.
#[derive(Clone, Debug)]
pub struct History {
    pub model: ModelKind,
    /// Operations that completed `ok`, `info` or never: the ones checked.
    pub ops: Vec<Operation>,
    /// Operations that completed `fail` (dropped: they did not take effect).
    pub failed: usize,
}

impl History {
    /// The operations per key, keys in order of first appearance (one
    /// partition for a register).
    pub fn partitions(&self) -> Vec<Vec<usize>> {
        let mut index: HashMap<Option<&str>, usize> = HashMap::new();
        let mut parts: Vec<Vec<usize>> = Vec::new();
        for (i, o) in self.ops.iter().enumerate() {
            let p = *index.entry(o.key.as_deref()).or_insert_with(|| {
                parts.push(Vec::new());
                parts.len() - 1
            });
            parts[p].push(i);
        }
        parts
    }
}

/// Bad input: the (1-based) line and what is wrong there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Invoke,
    Ok,
    Fail,
    Info,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum F {
    Read,
    Write,
    Cas,
    Append,
}

impl F {
    fn name(self) -> &'static str {
        match self {
            F::Read => "read",
            F::Write => "write",
            F::Cas => "cas",
            F::Append => "append",
        }
    }
}

struct Line {
    line: usize,
    process: String,
    kind: Kind,
    f: F,
    key: Option<String>,
    value: Option<serde_json::Value>,
    order: u64,
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line,
        message: message.into(),
    })
}

/// Parses a whole history.
pub fn parse(text: &str, model: ModelKind) -> Result<History, ParseError> {
    let mut lines = Vec::new();
    // Which ordering field the history uses: set by its first line.
    let mut clock: Option<(&'static str, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let v: serde_json::Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(e) => return err(n, format!("not JSON ({e}); each line must be one JSON object like {{\"process\": 0, \"type\": \"invoke\", \"f\": \"write\", \"value\": 1}}")),
        };
        let Some(obj) = v.as_object() else {
            return err(n, "not a JSON object; each line must be one object like {\"process\": 0, \"type\": \"invoke\", \"f\": \"write\", \"value\": 1}");
        };
        let process = match obj.get("process") {
            Some(serde_json::Value::Number(p)) if p.is_u64() || p.is_i64() => p.to_string(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => {
                return err(
                    n,
                    format!("`process` must be an integer or a string (got {other})"),
                )
            }
            None => return err(n, "no `process` (the client: an integer or a string)"),
        };
        let kind = match obj.get("type").and_then(|t| t.as_str()) {
            Some("invoke") => Kind::Invoke,
            Some("ok") => Kind::Ok,
            Some("fail") => Kind::Fail,
            Some("info") => Kind::Info,
            _ => {
                return err(
                    n,
                    format!(
                        "`type` must be one of invoke, ok, fail, info (got {})",
                        shown(obj.get("type"))
                    ),
                )
            }
        };
        let f = match obj.get("f").and_then(|t| t.as_str()) {
            Some("read") => F::Read,
            Some("write") => F::Write,
            Some("cas") => F::Cas,
            Some("append") => F::Append,
            _ => {
                return err(
                    n,
                    format!(
                        "`f` must be one of read, write, cas, append (got {})",
                        shown(obj.get("f"))
                    ),
                )
            }
        };
        let key = match (model, obj.get("key")) {
            (ModelKind::Register, None) => None,
            (ModelKind::Register, Some(_)) => {
                return err(
                    n,
                    "a `key` in a register history; use --model kv for a key-value history",
                )
            }
            (
                ModelKind::Kv,
                Some(k @ (serde_json::Value::String(_) | serde_json::Value::Number(_))),
            ) => Some(k.to_string()),
            (ModelKind::Kv, other) => {
                return err(
                    n,
                    format!(
                        "`key` must be a string or a number in a kv history (got {})",
                        shown(other)
                    ),
                )
            }
        };
        let mut order = n as u64;
        for field in ["time", "index"] {
            let Some(t) = obj.get(field) else { continue };
            let Some(t) = t.as_u64() else {
                return err(
                    n,
                    format!("`{field}` must be a non-negative integer (got {t})"),
                );
            };
            match clock {
                None => clock = Some((field, n)),
                Some((c, _)) if c == field => {}
                Some((c, first)) => {
                    return err(
                        n,
                        format!(
                            "has `{field}` but line {first} has `{c}`: order lines by one of them"
                        ),
                    )
                }
            }
            order = t;
        }
        if let Some((c, first)) = clock {
            if !obj.contains_key(c) {
                return err(
                    n,
                    format!("has no `{c}`, but line {first} has: give every line a `{c}`, or none (line order)"),
                );
            }
        }
        let value = obj.get("value").cloned();
        if kind == Kind::Invoke {
            match (f, &value) {
                (F::Write | F::Append, None) => {
                    return err(n, format!("a {} needs a `value`", f.name()))
                }
                (F::Cas, Some(serde_json::Value::Array(a))) if a.len() == 2 => {}
                (F::Cas, _) => {
                    return err(
                        n,
                        format!(
                            "a cas needs `value` [from, to] (got {})",
                            shown(value.as_ref())
                        ),
                    )
                }
                _ => {}
            }
        }
        lines.push(Line {
            line: n,
            process,
            kind,
            f,
            key,
            value,
            order,
        });
    }
    // Ordered by time (or index, or line); at equal times invocations come
    // first, so operations that share a timestamp count as concurrent.
    lines.sort_by_key(|l| (l.order, l.kind != Kind::Invoke, l.line));

    let mut ops: Vec<Operation> = Vec::new();
    let mut failed = 0;
    let mut dropped = vec![false; 0];
    // The process's operation still waiting for its completion.
    let mut pending: HashMap<&str, (usize, F)> = HashMap::new();
    for (pos, l) in lines.iter().enumerate() {
        let pos = pos as u64;
        if l.kind == Kind::Invoke {
            if let Some((i, _)) = pending.get(l.process.as_str()) {
                return err(
                    l.line,
                    format!(
                        "process {} invokes again while its operation from line {} has not completed (a client runs one operation at a time; after `info` it may go on)",
                        l.process, ops[*i].invoke_line
                    ),
                );
            }
            let op = match l.f {
                F::Read => Op::Read(None),
                F::Write => Op::Write(Val::from_json(
                    l.value.as_ref().unwrap_or(&serde_json::Value::Null),
                )),
                F::Append => Op::Append(Val::from_json(
                    l.value.as_ref().unwrap_or(&serde_json::Value::Null),
                )),
                F::Cas => {
                    let a = l.value.as_ref().and_then(|v| v.as_array());
                    let (from, to) = match a.map(|a| a.as_slice()) {
                        Some([from, to]) => (Val::from_json(from), Val::from_json(to)),
                        _ => return err(l.line, "a cas needs `value` [from, to]"),
                    };
                    Op::Cas {
                        from,
                        to,
                        known: false,
                    }
                }
            };
            pending.insert(l.process.as_str(), (ops.len(), l.f));
            ops.push(Operation {
                process: l.process.clone(),
                key: l.key.clone(),
                op,
                call: pos,
                ret: None,
                invoke_line: l.line,
                complete_line: None,
                outcome: Outcome::Open,
            });
            dropped.push(false);
            continue;
        }
        let Some((i, f)) = pending.remove(l.process.as_str()) else {
            return err(
                l.line,
                format!(
                    "a completion (`{}`) for process {}, which has no operation in progress: each ok, fail or info follows that process's invoke",
                    kind_name(l.kind),
                    l.process
                ),
            );
        };
        if f != l.f {
            return err(
                l.line,
                format!(
                    "completes a {} but process {} invoked a {} at line {}",
                    l.f.name(),
                    l.process,
                    f.name(),
                    ops[i].invoke_line
                ),
            );
        }
        if l.key != ops[i].key {
            return err(
                l.line,
                format!(
                    "completes key {} but process {} invoked key {} at line {}",
                    l.key.as_deref().unwrap_or("(none)"),
                    l.process,
                    ops[i].key.as_deref().unwrap_or("(none)"),
                    ops[i].invoke_line
                ),
            );
        }
        let o = &mut ops[i];
        o.complete_line = Some(l.line);
        match l.kind {
            Kind::Ok => {
                o.outcome = Outcome::Ok;
                o.ret = Some(pos);
                match &mut o.op {
                    Op::Read(r) => {
                        *r = Some(Val::from_json(
                            l.value.as_ref().unwrap_or(&serde_json::Value::Null),
                        ))
                    }
                    Op::Cas { known, .. } => *known = true,
                    _ => {}
                }
            }
            Kind::Info => o.outcome = Outcome::Info,
            Kind::Fail => {
                failed += 1;
                dropped[i] = true;
            }
            Kind::Invoke => unreachable!("handled above"),
        }
    }
    let ops = ops
        .into_iter()
        .zip(dropped)
        .filter(|(_, d)| !d)
        .map(|(o, _)| o)
        .collect();
    Ok(History { model, ops, failed })
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Invoke => "invoke",
        Kind::Ok => "ok",
        Kind::Fail => "fail",
        Kind::Info => "info",
    }
}

fn shown(v: Option<&serde_json::Value>) -> String {
    match v {
        None => "nothing".into(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 40 {
                format!("{}...", s.chars().take(40).collect::<String>())
            } else {
                s
            }
        }
    }
}
