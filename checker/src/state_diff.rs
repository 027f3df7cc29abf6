//! Where two states differ, value by value, on their ITF encodings
//! ([`crate::itf::ItfState`]): a replayed trace's state against the
//! model's (`dsw check --replay`), a bug variant's state against the
//! correct protocol's on one schedule (`dsw compare`).
//!
//! Each difference is one line naming where it is (`actor_states[1]
//! (RM2).prepared`, `timers_set[0] (TM)`, `network`) and what each side
//! holds there; sets and maps say what only one side has.

use serde_json::Value;
use std::collections::BTreeSet;

/// The two states' owners, as the lines name them, and the actors' lanes.
pub struct Sides<'a> {
    pub lanes: &'a [String],
    /// E.g. `the file`, `commit-on-majority`.
    pub left: &'a str,
    /// E.g. `the model`, `correct`.
    pub right: &'a str,
}

/// The fields of an actor model's state that hold one value per actor, in
/// lane order (see [`crate::itf::ItfState`]).
const PER_ACTOR: [&str; 5] = [
    "actor_states",
    "storages",
    "timers_set",
    "random_choices",
    "crashed",
];

/// What a top-level field of an actor model's state is, in words: the
/// part of the state a difference is in.
pub fn part_words(path: &str) -> String {
    let (field, rest) = path.split_once('[').map_or((path, ""), |(f, r)| (f, r));
    let lane = rest
        .split_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .map(|(l, _)| l);
    let whose = |what: &str| match lane {
        Some(l) => format!("{l}'s {what}"),
        None => what.to_string(),
    };
    match field.split('.').next().unwrap_or(field) {
        "actor_states" => whose("state"),
        "storages" => whose("stable storage"),
        "timers_set" => whose("timers"),
        "random_choices" => whose("pending random choices"),
        "crashed" => whose("crashed flag"),
        "network" => "the messages in flight".to_string(),
        "history" => "the checker's history of the run".to_string(),
        "" | "the state" => "the state".to_string(),
        other => other.to_string(),
    }
}

/// Appends to `out` a line per difference between `left` and `right`
/// (at `path`, empty for the whole state), and returns how many values
/// differ.
pub fn diff(sides: &Sides<'_>, left: &Value, right: &Value, out: &mut Vec<String>) -> usize {
    diff_at(sides, "", left, right, out)
}

fn diff_at(sides: &Sides<'_>, path: &str, l: &Value, r: &Value, out: &mut Vec<String>) -> usize {
    if l == r {
        return 0;
    }
    let at = if path.is_empty() { "the state" } else { path };
    let (left, right) = (sides.left, sides.right);
    match (l, r) {
        (Value::Object(lo), Value::Object(ro)) => {
            if let (Some(Value::Array(ls)), Some(Value::Array(rs))) =
                (lo.get("#set"), ro.get("#set"))
            {
                let only_left: Vec<&Value> = ls.iter().filter(|v| !rs.contains(v)).collect();
                let only_right: Vec<&Value> = rs.iter().filter(|v| !ls.contains(v)).collect();
                let mut line = format!("{at}:");
                if !only_left.is_empty() {
                    line.push_str(&format!(" only in {left} {}", items(&only_left)));
                }
                if !only_right.is_empty() {
                    if !only_left.is_empty() {
                        line.push(';');
                    }
                    line.push_str(&format!(" only in {right} {}", items(&only_right)));
                }
                out.push(line);
                return only_left.len() + only_right.len();
            }
            if let (Some(Value::Array(ls)), Some(Value::Array(rs))) =
                (lo.get("#map"), ro.get("#map"))
            {
                let key = |e: &Value| e.get(0).cloned().unwrap_or(Value::Null);
                let val = |e: &Value| e.get(1).cloned().unwrap_or(Value::Null);
                let mut n = 0;
                // A message in flight is named as the diagrams write it;
                // one copy goes without saying.
                let sub = |k: &Value| match envelope(sides.lanes, k) {
                    Some(m) if path == "network" => format!("{at}: {m}"),
                    _ => format!("{at}[{}]", short(k)),
                };
                let only = |side: &str, v: &Value| match v.as_u64() {
                    Some(1) if path == "network" => format!("only in {side}"),
                    Some(c) if path == "network" => format!("only in {side} ({c} copies)"),
                    _ => format!("only in {side} ({})", short(v)),
                };
                for le in ls {
                    let k = key(le);
                    match rs.iter().find(|re| key(re) == k) {
                        Some(re) => n += diff_at(sides, &sub(&k), &val(le), &val(re), out),
                        None => {
                            out.push(format!("{}: {}", sub(&k), only(left, &val(le))));
                            n += 1;
                        }
                    }
                }
                for re in rs
                    .iter()
                    .filter(|re| !ls.iter().any(|le| key(le) == key(re)))
                {
                    out.push(format!("{}: {}", sub(&key(re)), only(right, &val(re))));
                    n += 1;
                }
                return n;
            }
            if let (Some(lt), Some(rt)) = (lo.get("tag"), ro.get("tag")) {
                if lt != rt || lo.len() != 2 || ro.len() != 2 {
                    out.push(format!("{at}: {left} {}, {right} {}", short(l), short(r)));
                    return 1;
                }
                let null = Value::Null;
                return diff_at(
                    sides,
                    path,
                    lo.get("value").unwrap_or(&null),
                    ro.get("value").unwrap_or(&null),
                    out,
                );
            }
            if let (Some(Value::Array(ls)), Some(Value::Array(rs))) =
                (lo.get("#tup"), ro.get("#tup"))
            {
                return list_diff(sides, at, path, ls, rs, out);
            }
            let keys: BTreeSet<&String> = lo.keys().chain(ro.keys()).collect();
            let mut n = 0;
            for k in keys {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (lo.get(k), ro.get(k)) {
                    (Some(lv), Some(rv)) => n += diff_at(sides, &sub, lv, rv, out),
                    (Some(lv), None) => {
                        out.push(format!("{sub}: only in {left} ({})", short(lv)));
                        n += 1;
                    }
                    (None, Some(rv)) => {
                        out.push(format!("{sub}: only in {right} ({})", short(rv)));
                        n += 1;
                    }
                    (None, None) => {}
                }
            }
            n
        }
        (Value::Array(ls), Value::Array(rs)) => list_diff(sides, at, path, ls, rs, out),
        _ => {
            out.push(format!("{at}: {left} {}, {right} {}", short(l), short(r)));
            1
        }
    }
}

fn list_diff(
    sides: &Sides<'_>,
    at: &str,
    path: &str,
    ls: &[Value],
    rs: &[Value],
    out: &mut Vec<String>,
) -> usize {
    let mut n = 0;
    for (i, (lv, rv)) in ls.iter().zip(rs).enumerate() {
        // What an actor model holds per actor is named by its lane too.
        let sub = match sides.lanes.get(i).filter(|_| PER_ACTOR.contains(&path)) {
            Some(lane) => format!("{path}[{i}] ({lane})"),
            None => format!("{path}[{i}]"),
        };
        n += diff_at(sides, &sub, lv, rv, out);
    }
    if ls.len() != rs.len() {
        out.push(format!(
            "{at}: {} items in {}, {} in {}",
            ls.len(),
            sides.left,
            rs.len(),
            sides.right
        ));
        n += ls.len().abs_diff(rs.len());
    }
    n
}

/// A value as short text, read as the models print theirs: variants as
/// `Accept { ballot: (1, 1), value: "B" }`, tuples `(a, b)`, sets `{a, b}`,
/// maps `{k: v}`; cut at 120 characters.
pub fn short(v: &Value) -> String {
    let text = text(v);
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// The whole text of an ITF value (see [`short`]).
pub fn text(v: &Value) -> String {
    let list = |vs: &[Value]| vs.iter().map(text).collect::<Vec<_>>().join(", ");
    let Value::Object(o) = v else {
        return match v {
            Value::Array(vs) => format!("[{}]", list(vs)),
            other => other.to_string(),
        };
    };
    let fields = |o: &serde_json::Map<String, Value>| {
        o.iter()
            .map(|(k, v)| format!("{k}: {}", text(v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (
        o.get("#bigint"),
        o.get("#tup"),
        o.get("#set"),
        o.get("#map"),
    ) {
        (Some(Value::String(n)), ..) => return n.clone(),
        (_, Some(Value::Array(vs)), ..) => return format!("({})", list(vs)),
        (_, _, Some(Value::Array(vs)), _) => return format!("{{{}}}", list(vs)),
        (_, _, _, Some(Value::Array(es))) => {
            let entries: Vec<String> = es
                .iter()
                .map(|e| format!("{}: {}", text(&e[0]), text(&e[1])))
                .collect();
            return format!("{{{}}}", entries.join(", "));
        }
        _ => {}
    }
    match (o.get("tag"), o.get("value")) {
        (Some(Value::String(tag)), Some(value)) if o.len() == 2 => match value {
            Value::Object(f) if f.is_empty() => tag.clone(),
            Value::Object(f) if !f.keys().any(|k| k.starts_with('#')) && !f.contains_key("tag") => {
                format!("{tag} {{ {} }}", fields(f))
            }
            other => format!("{tag}({})", text(other)),
        },
        _ => format!("{{ {} }}", fields(o)),
    }
}

/// A message in flight, `{src, dst, msg}` in the network's encoding, as
/// the diagrams write it: `server 1 -> server 2  Accept { .. }`.
fn envelope(lanes: &[String], key: &Value) -> Option<String> {
    let lane = |v: &Value| {
        let i = v.as_u64()? as usize;
        Some(lanes.get(i).cloned().unwrap_or_else(|| i.to_string()))
    };
    let (src, dst, msg) = (key.get("src")?, key.get("dst")?, key.get("msg")?);
    Some(format!("{} -> {}  {}", lane(src)?, lane(dst)?, text(msg)))
}

fn items(vs: &[&Value]) -> String {
    let shown: Vec<String> = vs.iter().take(3).map(|v| short(v)).collect();
    let more = if vs.len() > 3 {
        format!(" and {} more", vs.len() - 3)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lines(l: Value, r: Value) -> Vec<String> {
        let lanes = ["TM".to_string(), "RM1".to_string()];
        let sides = Sides {
            lanes: &lanes,
            left: "bug",
            right: "correct",
        };
        let mut out = Vec::new();
        diff(&sides, &l, &r, &mut out);
        out
    }

    #[test]
    fn per_actor_fields_name_the_lane_and_sets_say_which_side_has_what() {
        let out = lines(
            json!({"timers_set": [{"#set": ["Commit"]}, {"#set": []}], "network": 1}),
            json!({"timers_set": [{"#set": []}, {"#set": []}], "network": 1}),
        );
        assert_eq!(out, ["timers_set[0] (TM): only in bug \"Commit\""]);
        assert_eq!(part_words("timers_set[0] (TM)"), "TM's timers");
        assert_eq!(
            part_words("storages[1] (RM1).promised"),
            "RM1's stable storage"
        );
        assert_eq!(part_words("network"), "the messages in flight");
    }

    #[test]
    fn values_read_as_the_models_print_them_and_messages_as_the_diagrams() {
        let accept =
            |v: &str| json!({"tag": "Accept", "value": {"ballot": {"#tup": [1, 1]}, "value": v}});
        let net =
            |v: &str| json!({"network": {"#map": [[{"src": 1, "dst": 0, "msg": accept(v)}, 1]]}});
        assert_eq!(
            lines(net("B"), net("A")),
            [
                "network: RM1 -> TM  Accept { ballot: (1, 1), value: \"B\" }: only in bug",
                "network: RM1 -> TM  Accept { ballot: (1, 1), value: \"A\" }: only in correct",
            ]
        );
        assert_eq!(
            text(&json!({"tag": "Some", "value": {"#set": [{"tag": "Commit", "value": {}}]}})),
            "Some({Commit})"
        );
        assert_eq!(
            text(&json!({"#bigint": "123456789012345678901"})),
            "123456789012345678901"
        );
        assert_eq!(text(&json!({"#map": [[1, [true]]]})), "{1: [true]}");
    }

    #[test]
    fn equal_states_have_no_difference_and_scalars_show_both_sides() {
        assert!(lines(json!({"a": 1}), json!({"a": 1})).is_empty());
        assert_eq!(
            lines(json!({"a": 1}), json!({"a": 2})),
            ["a: bug 1, correct 2"]
        );
    }
}
