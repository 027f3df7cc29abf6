//! Counterexamples as Informal Trace Format files (Apalache's ADR-015,
//! `*.itf.json`), for tools outside the workbench: Apalache's and Quint's
//! trace viewers, the `itf` crate, model-based test drivers.
//!
//! Nothing here knows a protocol. A path is replayed on the model from its
//! encoding ([`Counterexample::path`]) and each state is encoded through
//! its own `serde::Serialize`, mapped onto ITF values generically:
//!
//! | Rust (serde's data model)              | ITF                                  |
//! |----------------------------------------|--------------------------------------|
//! | struct                                 | record (JSON object)                 |
//! | `Vec`, `VecDeque`, arrays (sequences)  | list (JSON array)                    |
//! | `BTreeSet`, `HashSet`, Stateright's `HashableHashSet` | `{"#set": [...]}`     |
//! | maps (`BTreeMap`, `HashMap`, ...)      | `{"#map": [[k, v], ...]}`            |
//! | tuples, tuple structs, `()`            | `{"#tup": [...]}`                    |
//! | integers within ±(2^53 − 1)            | JSON numbers                         |
//! | larger integers                        | `{"#bigint": "..."}`                 |
//! | enum variant, `Option`                 | `{"tag": "Name", "value": ...}` (unit: `{}`), as Quint and Apalache write variants |
//! | newtype struct (`Id(usize)`)           | its content                          |
//! | strings, chars, booleans               | themselves                           |
//! | floats                                 | `{"#unserializable": "1.5"}`         |
//!
//! serde calls the same `serialize_seq` for a `Vec` and a set, so a set is
//! told apart by the Rust type of the value being serialised
//! ([`std::any::type_name`]), looking through `&`, `Arc`, `Rc`, `Box` and
//! newtypes (Stateright's `Timers` wraps a `HashableHashSet`). Sets and
//! hash maps, whose order means nothing, are written sorted, so a trace is
//! the same on every run.
//!
//! An actor model's state is Stateright's `ActorModelState`: its fields
//! (`actor_states`, `network`, `timers_set`, `crashed`, ...) become the
//! trace's variables, so the network is a tagged record holding the
//! messages in flight as a `#set` of `{src, dst, msg}` records (or, for a
//! non-duplicating network, a `#map` from them to their multiplicity) and
//! each actor's timers a `#set`. One more variable, `action`, says which
//! step led into the state.

use crate::summary::{CheckSummary, Counterexample, Step, StepKind, Verdict};
use serde::ser::{self, Serialize};
use serde_json::{json, Map, Value};
use stateright::Model;
use std::cmp::Ordering;

/// Where the format is described (the trace's `#meta.format-description`).
pub const FORMAT_DESCRIPTION: &str = "https://apalache-mc.org/docs/adr/015adr-trace.html";

/// The largest integer ITF writes as a JSON number: 2^53 − 1.
const MAX_SAFE: i128 = (1 << 53) - 1;

/// The variable that says which step led into a state.
pub const ACTION_VAR: &str = "action";

/// `value` as an ITF expression, or why it cannot be one (a `Serialize`
/// implementation that fails, a map key that fails).
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    value.serialize(Encoder {
        hint: Hint::of::<T>(),
    })
}

/// How a model's state becomes an ITF expression: its record's fields
/// become the trace's variables.
///
/// An actor model's state (Stateright's `ActorModelState`) is encoded
/// field by field through serde, except its `history`: the checker's
/// auxiliary record (a linearizability tester, counters), which not every
/// model can serialise, is its `Debug` text. A plain model's state that
/// serialises says so with [`itf_via_serde!`](crate::itf_via_serde).
pub trait ItfState {
    fn itf(&self) -> Result<Value, Error>;
}

impl<A, H> ItfState for stateright::actor::ActorModelState<A, H>
where
    A: stateright::actor::Actor,
    A::State: Serialize,
    A::Msg: Serialize,
    A::Timer: Serialize,
    A::Random: Serialize,
    A::Storage: Serialize,
    H: std::fmt::Debug,
{
    fn itf(&self) -> Result<Value, Error> {
        let mut record = Map::new();
        record.insert("actor_states".into(), to_value(&self.actor_states)?);
        record.insert("network".into(), to_value(&self.network)?);
        record.insert("timers_set".into(), to_value(&self.timers_set)?);
        record.insert("random_choices".into(), to_value(&self.random_choices)?);
        record.insert("crashed".into(), to_value(&self.crashed)?);
        record.insert("storages".into(), to_value(&self.actor_storages)?);
        record.insert(
            "history".into(),
            Value::String(format!("{:?}", self.history)),
        );
        Ok(Value::Object(record))
    }
}

/// Implements [`ItfState`] through serde for each type named:
/// `checker::itf_via_serde!(State, other::State);`.
#[macro_export]
macro_rules! itf_via_serde {
    ($($t:ty),+ $(,)?) => {
        $(impl $crate::itf::ItfState for $t {
            fn itf(&self) -> ::std::result::Result<::serde_json::Value, $crate::itf::Error> {
                $crate::itf::to_value(self)
            }
        })+
    };
}

/// Follows `path` ([`Counterexample::path`]: the initial state's index,
/// then each step's index among the actions enabled) on `model`, and
/// returns every state on it as an ITF expression, the initial one first.
pub fn replay<M>(model: &M, path: &str) -> Result<Vec<Value>, String>
where
    M: Model,
    M::State: ItfState,
{
    let indices: Vec<usize> = path
        .split('/')
        .map(|part| {
            part.parse()
                .map_err(|_| format!("path {path:?}: {part:?} is not an index"))
        })
        .collect::<Result<_, _>>()?;
    let (first, rest) = indices
        .split_first()
        .ok_or_else(|| "the path is empty".to_string())?;
    let mut state = model
        .init_states()
        .into_iter()
        .nth(*first)
        .ok_or_else(|| format!("path {path:?}: there is no initial state {first}"))?;
    let encode = |s: &M::State| s.itf().map_err(|e| format!("a state does not encode: {e}"));
    let mut states = vec![encode(&state)?];
    for (n, &i) in rest.iter().enumerate() {
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        let action = actions.into_iter().nth(i).ok_or_else(|| {
            format!(
                "path {path:?}: step {} takes action {i}, which is not enabled",
                n + 1
            )
        })?;
        state = model.next_state(&state, action).ok_or_else(|| {
            format!(
                "path {path:?}: step {} takes action {i}, which changes nothing",
                n + 1
            )
        })?;
        states.push(encode(&state)?);
    }
    Ok(states)
}

/// A whole ITF trace: `states` (as [`replay`] gives them, one more than
/// `ce` has steps) with the step that led into each as the `action`
/// variable, `ce`'s loop as `loop`, and `meta` as the trace's `#meta`
/// (which the format's readers expect to hold strings).
///
/// A lasso's last state is the state its loop starts at
/// (`states[loop]`), or, for a model with a view, a state with the same
/// view (Paxos's ballots grow on the way round): the last step closes the
/// loop, so every step of it is in the trace, and ITF's implicit return
/// from the last state to `states[loop]` is a stutter (under the view).
pub fn trace(
    ce: &Counterexample,
    states: &[Value],
    meta: Map<String, Value>,
) -> Result<Value, String> {
    if states.len() != ce.steps.len() + 1 {
        return Err(format!(
            "the path has {} steps but {} states replayed",
            ce.steps.len(),
            states.len()
        ));
    }
    let (mut vars, records): (Vec<String>, Vec<Map<String, Value>>) = match &states[0] {
        Value::Object(first) if !first.keys().any(|k| k.starts_with('#')) => {
            let vars: Vec<String> = first.keys().cloned().collect();
            let records = states
                .iter()
                .map(|s| match s {
                    Value::Object(m) => Ok(m.clone()),
                    _ => Err("states differ in shape".to_string()),
                })
                .collect::<Result<_, _>>()?;
            (vars, records)
        }
        // A state that is not a record (a tuple, a set, a variant) is one
        // variable, `state`.
        _ => (
            vec!["state".to_string()],
            states
                .iter()
                .map(|s| Map::from_iter([("state".to_string(), s.clone())]))
                .collect(),
        ),
    };
    let action_var = if vars.iter().any(|v| v == ACTION_VAR) {
        "dsw_action"
    } else {
        ACTION_VAR
    };
    vars.push(action_var.to_string());
    let states: Vec<Value> = records
        .into_iter()
        .enumerate()
        .map(|(index, mut record)| {
            let action = match index {
                0 => init_action(&ce.path),
                i => step_action(&ce.steps[i - 1]),
            };
            record.insert(action_var.to_string(), action);
            record.insert("#meta".to_string(), json!({ "index": index }));
            Value::Object(record)
        })
        .collect();
    let mut doc = Map::new();
    doc.insert("#meta".into(), Value::Object(meta));
    doc.insert("vars".into(), json!(vars));
    doc.insert("states".into(), Value::Array(states));
    if let Some(k) = ce.loop_start {
        doc.insert("loop".into(), json!(k));
    }
    Ok(Value::Object(doc))
}

/// The `action` of the initial state: which initial state it is.
fn init_action(path: &str) -> Value {
    let index: i64 = path
        .split('/')
        .next()
        .and_then(|i| i.parse().ok())
        .unwrap_or(0);
    json!({ "kind": "init", "actor": -1, "from": -1, "label": format!("initial state {index}") })
}

/// The `action` of a step: its kind, the acting actor, the sender (or −1)
/// and the message, timer or action as the model prints it.
pub(crate) fn step_action(step: &Step) -> Value {
    let kind = match step.kind {
        StepKind::Deliver => "deliver",
        StepKind::Drop => "drop",
        StepKind::Timeout => "timeout",
        StepKind::Crash => "crash",
        StepKind::Recover => "recover",
        StepKind::Random => "random",
        StepKind::Action => "action",
    };
    json!({
        "kind": kind,
        "actor": step.actor,
        "from": step.from.map_or(-1, |f| f as i64),
        "label": step.label,
    })
}

/// The name the valence analysis's bivalent lasso is exported under.
pub const BIVALENT: &str = "stays-bivalent";

/// One counterexample's states, as ITF expressions ([`replay`]), or why
/// they could not be had.
#[derive(Clone, Debug, PartialEq)]
pub struct States {
    /// The property (or [`BIVALENT`]).
    pub property: String,
    pub states: Result<Vec<Value>, String>,
}

/// The counterexamples `dsw check` prints, by name: every violated or
/// inconclusive property's, then the valence analysis's bivalent lasso.
/// An example of a `sometimes` property is not among them (the check
/// prints its verdict, not its path).
pub fn printed(summary: &CheckSummary) -> Vec<(&str, &Counterexample)> {
    let mut out: Vec<(&str, &Counterexample)> = summary
        .properties
        .iter()
        .filter(|p| matches!(p.verdict, Verdict::Violated | Verdict::Inconclusive))
        .filter_map(|p| p.counterexample.as_ref().map(|ce| (p.name.as_str(), ce)))
        .collect();
    if let Some(ce) = summary
        .valence
        .as_ref()
        .and_then(|v| v.bivalent_forever.as_ref())
    {
        out.push((BIVALENT, ce));
    }
    out
}

/// Replays every counterexample [`printed`] lists on `model` and keeps
/// its states in `summary.itf_states`.
pub fn fill<M>(model: &M, summary: &mut CheckSummary)
where
    M: Model,
    M::State: ItfState,
{
    summary.itf_states = printed(summary)
        .into_iter()
        .map(|(name, ce)| States {
            property: name.to_string(),
            states: replay(model, &ce.path),
        })
        .collect();
}

/// `name` as a file name part: letters, digits, `-`, `_` and `.` kept,
/// anything else (spaces, `/`, `:`) a `_`.
pub fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    if safe.is_empty() {
        "_".into()
    } else {
        safe.to_string()
    }
}

/// Why a value does not encode.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// What the Rust type of a value says about its serde sequence or map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hint {
    None,
    /// A set: its sequence is a `#set`, sorted.
    Set,
    /// A hash map: its entries are sorted.
    HashMap,
}

impl Hint {
    fn of<T: ?Sized>() -> Hint {
        Hint::of_name(std::any::type_name::<T>())
    }

    fn of_name(mut name: &str) -> Hint {
        loop {
            name = name.trim_start_matches('&').trim_start_matches("mut ");
            let (path, generics) = match name.find('<') {
                Some(i) => (&name[..i], &name[i + 1..]),
                None => (name, ""),
            };
            let base = path.rsplit("::").next().unwrap_or(path);
            match base {
                "Arc" | "Rc" | "Box" | "Cow" => {
                    name = generics.strip_suffix('>').unwrap_or(generics);
                }
                "BTreeSet" | "HashSet" | "HashableHashSet" | "IndexSet" | "OrdSet" => {
                    return Hint::Set
                }
                "HashMap" | "HashableHashMap" => return Hint::HashMap,
                _ => return Hint::None,
            }
        }
    }
}

/// A serde serializer whose output is an ITF expression.
struct Encoder {
    hint: Hint,
}

fn int(i: i128) -> Value {
    if (-MAX_SAFE..=MAX_SAFE).contains(&i) {
        json!(i as i64)
    } else {
        json!({ "#bigint": i.to_string() })
    }
}

fn variant(tag: &str, value: Value) -> Value {
    json!({ "tag": tag, "value": value })
}

fn unit_variant_value() -> Value {
    Value::Object(Map::new())
}

/// Orders ITF values for a canonical set or map: numbers by value, then
/// anything else by its JSON text.
fn order(a: &Value, b: &Value) -> Ordering {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.to_string().cmp(&b.to_string()),
    }
}

impl ser::Serializer for Encoder {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Seq;
    type SerializeMap = MapEncoder;
    type SerializeStruct = Record;
    type SerializeStructVariant = Record;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        Ok(int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        Ok(int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        Ok(int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(int(v.into()))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, Error> {
        Ok(int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(int(v.into()))
    }
    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        Ok(match i128::try_from(v) {
            Ok(i) => int(i),
            Err(_) => json!({ "#bigint": v.to_string() }),
        })
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        Ok(json!({ "#unserializable": v.to_string() }))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(json!({ "#unserializable": v.to_string() }))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::Array(v.iter().map(|b| json!(b)).collect()))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(variant("None", unit_variant_value()))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        Ok(variant("Some", to_value(value)?))
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(json!({ "#tup": [] }))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(json!({ "#tup": [] }))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant_name: &'static str,
    ) -> Result<Value, Error> {
        Ok(variant(variant_name, unit_variant_value()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        to_value(value)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant_name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        Ok(variant(variant_name, to_value(value)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, Error> {
        Ok(Seq {
            shape: if self.hint == Hint::Set {
                Shape::Set
            } else {
                Shape::List
            },
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, Error> {
        Ok(Seq {
            shape: Shape::Tuple(None),
            items: Vec::with_capacity(len),
        })
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq, Error> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant_name: &'static str,
        len: usize,
    ) -> Result<Seq, Error> {
        Ok(Seq {
            shape: Shape::Tuple(Some(variant_name)),
            items: Vec::with_capacity(len),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapEncoder, Error> {
        Ok(MapEncoder {
            sort: self.hint == Hint::HashMap,
            entries: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Record, Error> {
        Ok(Record {
            tag: None,
            fields: Map::new(),
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant_name: &'static str,
        _len: usize,
    ) -> Result<Record, Error> {
        Ok(Record {
            tag: Some(variant_name),
            fields: Map::new(),
        })
    }
}

enum Shape {
    List,
    Set,
    /// A tuple, or a tuple variant's fields (with its tag).
    Tuple(Option<&'static str>),
}

struct Seq {
    shape: Shape,
    items: Vec<Value>,
}

impl Seq {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.items.push(to_value(value)?);
        Ok(())
    }

    fn finish(mut self) -> Value {
        match self.shape {
            Shape::List => Value::Array(self.items),
            Shape::Set => {
                self.items.sort_by(order);
                json!({ "#set": self.items })
            }
            Shape::Tuple(None) => json!({ "#tup": self.items }),
            Shape::Tuple(Some(tag)) => variant(tag, json!({ "#tup": self.items })),
        }
    }
}

impl ser::SerializeSeq for Seq {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleVariant for Seq {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

struct MapEncoder {
    sort: bool,
    entries: Vec<(Value, Value)>,
    key: Option<Value>,
}

impl ser::SerializeMap for MapEncoder {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(to_value(key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error("a map value came without its key".into()))?;
        self.entries.push((key, to_value(value)?));
        Ok(())
    }
    fn end(mut self) -> Result<Value, Error> {
        if self.sort {
            self.entries.sort_by(|a, b| order(&a.0, &b.0));
        }
        let pairs: Vec<Value> = self
            .entries
            .into_iter()
            .map(|(k, v)| Value::Array(vec![k, v]))
            .collect();
        Ok(json!({ "#map": pairs }))
    }
}

struct Record {
    tag: Option<&'static str>,
    fields: Map<String, Value>,
}

impl Record {
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.fields.insert(key.to_string(), to_value(value)?);
        Ok(())
    }

    fn finish(self) -> Value {
        let record = Value::Object(self.fields);
        match self.tag {
            Some(tag) => variant(tag, record),
            None => record,
        }
    }
}

impl ser::SerializeStruct for Record {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for Record {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
    use std::sync::Arc;

    #[derive(serde::Serialize)]
    struct Id(usize);

    #[derive(serde::Serialize)]
    enum Msg {
        Ping,
        Put(u64),
        Pair(u8, u8),
        Ack { id: Id },
    }

    #[derive(serde::Serialize)]
    struct State {
        seen: BTreeSet<u64>,
        hashed: HashSet<u8>,
        shared: Arc<BTreeSet<u8>>,
        log: Vec<Msg>,
        queue: VecDeque<u8>,
        votes: BTreeMap<(u8, u8), bool>,
        counts: HashMap<String, u8>,
        leader: Option<Id>,
        big: u64,
        negative: i64,
        unit: (),
        ratio: f64,
    }

    #[test]
    fn serde_maps_onto_itf_values() {
        let state = State {
            seen: [10, 2, 7].into(),
            hashed: [3, 1, 2].into(),
            shared: Arc::new([5].into()),
            log: vec![
                Msg::Ping,
                Msg::Put(1),
                Msg::Pair(1, 2),
                Msg::Ack { id: Id(3) },
            ],
            queue: [4, 4].into(),
            votes: [((0, 1), true)].into(),
            counts: [("b".to_string(), 2), ("a".to_string(), 1)].into(),
            leader: Some(Id(2)),
            big: u64::MAX,
            negative: -(1 << 53),
            unit: (),
            ratio: 0.5,
        };
        let v = to_value(&state).unwrap();
        assert_eq!(v["seen"], json!({"#set": [2, 7, 10]}));
        assert_eq!(v["hashed"], json!({"#set": [1, 2, 3]}));
        assert_eq!(v["shared"], json!({"#set": [5]}));
        assert_eq!(
            v["log"],
            json!([
                {"tag": "Ping", "value": {}},
                {"tag": "Put", "value": 1},
                {"tag": "Pair", "value": {"#tup": [1, 2]}},
                {"tag": "Ack", "value": {"id": 3}},
            ])
        );
        assert_eq!(v["queue"], json!([4, 4]));
        assert_eq!(v["votes"], json!({"#map": [[{"#tup": [0, 1]}, true]]}));
        assert_eq!(v["counts"], json!({"#map": [["a", 1], ["b", 2]]}));
        assert_eq!(v["leader"], json!({"tag": "Some", "value": 2}));
        assert_eq!(v["big"], json!({"#bigint": u64::MAX.to_string()}));
        assert_eq!(
            v["negative"],
            json!({"#bigint": (-(1i64 << 53)).to_string()})
        );
        assert_eq!(v["unit"], json!({"#tup": []}));
        assert_eq!(v["ratio"], json!({"#unserializable": "0.5"}));
    }

    #[test]
    fn sets_are_told_by_their_type_through_pointers() {
        assert_eq!(Hint::of::<&Arc<BTreeSet<u8>>>(), Hint::Set);
        assert_eq!(Hint::of::<Box<HashSet<u8>>>(), Hint::Set);
        assert_eq!(
            Hint::of::<stateright::util::HashableHashSet<u8>>(),
            Hint::Set
        );
        assert_eq!(Hint::of::<Vec<BTreeSet<u8>>>(), Hint::None);
        assert_eq!(Hint::of::<HashMap<u8, u8>>(), Hint::HashMap);
        assert_eq!(Hint::of::<BTreeMap<u8, u8>>(), Hint::None);
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_safe("agreement"), "agreement");
        assert_eq!(file_safe("stays bivalent"), "stays_bivalent");
        assert_eq!(file_safe("../x/y:z"), "_x_y_z");
        assert_eq!(file_safe(""), "_");
    }
}
