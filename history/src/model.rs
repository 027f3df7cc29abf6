//! The sequential objects a history is checked against: one register (read,
//! write, compare-and-set, append) per key.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A value held or returned by a register: JSON, with integers and strings
/// kept cheap to copy and compare.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Val {
    /// `null`: the value of a register never written.
    Null,
    Int(i64),
    Str(Arc<str>),
    List(Arc<Vec<Val>>),
    /// Any other JSON value (a boolean, a float, an object), as its
    /// canonical JSON text.
    Other(Arc<str>),
}

impl Val {
    pub fn from_json(v: &serde_json::Value) -> Val {
        use serde_json::Value as J;
        match v {
            J::Null => Val::Null,
            J::Number(n) => match n.as_i64() {
                Some(i) => Val::Int(i),
                None => Val::Other(n.to_string().into()),
            },
            J::String(s) => Val::Str(s.as_str().into()),
            J::Array(a) => Val::List(Arc::new(a.iter().map(Val::from_json).collect())),
            J::Bool(_) | J::Object(_) => Val::Other(v.to_string().into()),
        }
    }

    /// A 64-bit hash for the search's cache (FxHash's mixing: fast, and the
    /// cache compares states in full, so collisions only cost time).
    pub fn fast_hash(&self) -> u64 {
        let mut h = FxHasher(0);
        self.hash(&mut h);
        h.0
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Null => write!(f, "null"),
            Val::Int(i) => write!(f, "{i}"),
            Val::Str(s) => write!(f, "{}", serde_json::Value::String(s.to_string())),
            Val::List(l) => {
                write!(f, "[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        write!(f, ",")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Val::Other(s) => write!(f, "{s}"),
        }
    }
}

/// FxHash's word mixing (rustc's hasher), written out: a few lines, no
/// dependency.
pub(crate) struct FxHasher(pub u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64)
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64)
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64)
    }
    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64)
    }
}

/// What an operation asked for and, when its client heard back, what it
/// was told. `None` outputs mean the outcome is unknown (`info`, or no
/// completion at all): the operation may have taken effect or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// A read; `Some(v)`: it returned `v`.
    Read(Option<Val>),
    Write(Val),
    /// Compare-and-set `from` → `to`; `known`: it completed `ok` (a cas that
    /// completed `fail` did not take effect and is dropped while parsing).
    Cas {
        from: Val,
        to: Val,
        known: bool,
    },
    /// Append to the register's string (a string value) or list (any other
    /// value).
    Append(Val),
}

impl Op {
    /// The same operation with its outcome unknown (a prefix of a history
    /// cuts it before its completion).
    pub fn unknown(&self) -> Op {
        match self {
            Op::Read(_) => Op::Read(None),
            Op::Cas { from, to, .. } => Op::Cas {
                from: from.clone(),
                to: to.clone(),
                known: false,
            },
            other => other.clone(),
        }
    }

    /// The sequential specification: the register's state after this
    /// operation takes effect on `state`, or `None` if the operation cannot
    /// take effect there with the result its client saw.
    pub fn step(&self, state: &Val) -> Option<Val> {
        match self {
            Op::Read(None) => Some(state.clone()),
            Op::Read(Some(v)) => (v == state).then(|| state.clone()),
            Op::Write(v) => Some(v.clone()),
            Op::Cas { from, to, known } => {
                if from == state {
                    Some(to.clone())
                } else if *known {
                    None
                } else {
                    Some(state.clone())
                }
            }
            Op::Append(v) => match (state, v) {
                (Val::Null, Val::Str(s)) => Some(Val::Str(s.clone())),
                (Val::Str(a), Val::Str(b)) => {
                    let mut s = String::with_capacity(a.len() + b.len());
                    s.push_str(a);
                    s.push_str(b);
                    Some(Val::Str(s.into()))
                }
                (Val::Null, v) => Some(Val::List(Arc::new(vec![v.clone()]))),
                (Val::List(l), v) => {
                    let mut l = Vec::clone(l);
                    l.push(v.clone());
                    Some(Val::List(Arc::new(l)))
                }
                _ => None,
            },
        }
    }

    /// Whether the operation constrains nothing and changes nothing (a read
    /// whose result is unknown): the search may leave it out.
    pub fn is_inert(&self) -> bool {
        matches!(self, Op::Read(None))
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Read(Some(v)) => write!(f, "read -> {v}"),
            Op::Read(None) => write!(f, "read -> ?"),
            Op::Write(v) => write!(f, "write {v}"),
            Op::Cas { from, to, known } => {
                write!(f, "cas {from} -> {to}")?;
                if !known {
                    write!(f, " (outcome unknown)")?;
                }
                Ok(())
            }
            Op::Append(v) => write!(f, "append {v}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Val {
        Val::Str(x.into())
    }

    #[test]
    fn steps_follow_the_register() {
        let r = Op::Read(Some(Val::Int(1)));
        assert_eq!(r.step(&Val::Int(1)), Some(Val::Int(1)));
        assert_eq!(r.step(&Val::Null), None);
        assert_eq!(Op::Write(Val::Int(2)).step(&Val::Null), Some(Val::Int(2)));
        let cas = |known| Op::Cas {
            from: Val::Int(1),
            to: Val::Int(2),
            known,
        };
        assert_eq!(cas(true).step(&Val::Int(1)), Some(Val::Int(2)));
        assert_eq!(cas(true).step(&Val::Int(3)), None);
        assert_eq!(cas(false).step(&Val::Int(3)), Some(Val::Int(3)));
        assert_eq!(Op::Append(s("a")).step(&Val::Null), Some(s("a")));
        assert_eq!(Op::Append(s("b")).step(&s("a")), Some(s("ab")));
        let list = Op::Append(Val::Int(1)).step(&Val::Null).unwrap();
        assert_eq!(list.to_string(), "[1]");
        assert_eq!(
            Op::Append(Val::Int(2)).step(&list).unwrap().to_string(),
            "[1,2]"
        );
        assert_eq!(Op::Append(Val::Int(2)).step(&Val::Int(1)), None);
    }
}
