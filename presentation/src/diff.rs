//! What a step changed in an actor, read off the `Debug` text of its state
//! before and after: `promised: (1, Id(0)) → (1, Id(1))` rather than two
//! whole states to compare by eye.
//!
//! States are only known as text here (a [`Counterexample`] keeps the text),
//! so the diff reads the shapes `Debug` prints: a record `Name { k: v, .. }`
//! or a map `{k: v, ..}` is compared key by key, recursing into a value that
//! is itself a record or map; anything else (an enum variant, a tuple, a
//! list) is one value, shown whole before and after.
//!
//! [`Counterexample`]: checker::summary::Counterexample

/// One difference between two renderings of a state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// Where in the state: `""` for the whole state, `accepted`, or a path
    /// into a nested record or map such as `promises[Id(1)]`.
    pub field: String,
    /// The value before, or `None` when the field is new (or the state
    /// before is not known).
    pub before: Option<String>,
    /// The value after, or `None` when the field is gone.
    pub after: Option<String>,
}

/// The changes from `before` to `after`, in the order `after` prints its
/// fields, then the fields that are gone. `before: None` (the state before
/// is not known) gives the whole `after` as one change.
pub fn diff(before: Option<&str>, after: &str) -> Vec<FieldChange> {
    let mut out = Vec::new();
    match before {
        Some(b) => diff_into(&mut out, "", b.trim(), after.trim()),
        None => out.push(FieldChange {
            field: String::new(),
            before: None,
            after: Some(after.trim().to_string()),
        }),
    }
    out
}

/// The changes as one short line: `accepted: ((1, Id(0)), 'A')`,
/// `promises[Id(1)]: None`, `ballot removed`, or the new whole state.
pub fn summary_line(changes: &[FieldChange]) -> String {
    changes
        .iter()
        .map(|c| match (c.field.as_str(), &c.after) {
            ("", Some(after)) => after.clone(),
            ("", None) => "(gone)".to_string(),
            (field, Some(after)) => format!("{field}: {after}"),
            (field, None) => format!("{field} removed"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn diff_into(out: &mut Vec<FieldChange>, prefix: &str, before: &str, after: &str) {
    if before == after {
        return;
    }
    let (Some(b), Some(a)) = (record(before), record(after)) else {
        out.push(FieldChange {
            field: prefix.to_string(),
            before: Some(before.to_string()),
            after: Some(after.to_string()),
        });
        return;
    };
    if a.name != b.name {
        out.push(FieldChange {
            field: prefix.to_string(),
            before: Some(before.to_string()),
            after: Some(after.to_string()),
        });
        return;
    }
    for (key, value) in &a.fields {
        let path = join(prefix, key, a.name.is_empty());
        match b.fields.iter().find(|(k, _)| k == key) {
            None => out.push(FieldChange {
                field: path,
                before: None,
                after: Some(value.to_string()),
            }),
            Some((_, old)) => diff_into(out, &path, old, value),
        }
    }
    for (key, value) in &b.fields {
        if !a.fields.iter().any(|(k, _)| k == key) {
            out.push(FieldChange {
                field: join(prefix, key, b.name.is_empty()),
                before: Some(value.to_string()),
                after: None,
            });
        }
    }
}

/// `accepted`, `server.accepted`, or `promises[Id(1)]` for a key of a map.
fn join(prefix: &str, key: &str, map: bool) -> String {
    let plain = key.chars().all(|c| c.is_alphanumeric() || c == '_');
    match (prefix.is_empty(), map && !plain) {
        (true, false) => key.to_string(),
        (true, true) => format!("[{key}]"),
        (false, false) => format!("{prefix}.{key}"),
        (false, true) => format!("{prefix}[{key}]"),
    }
}

/// A record `Name { k: v, .. }` or a map `{k: v, ..}`, split into its
/// top-level entries.
struct Record<'a> {
    /// Empty for a map (or a state whose `Debug` prints only braces).
    name: &'a str,
    fields: Vec<(&'a str, &'a str)>,
}

fn record(s: &str) -> Option<Record<'_>> {
    let body = s.strip_suffix('}')?;
    let open = body.find('{')?;
    let name = body[..open].trim();
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
    {
        return None;
    }
    let inner = &body[open + 1..];
    let mut fields = Vec::new();
    for entry in split_top(inner, ',') {
        let entry = entry.trim();
        if entry.is_empty() || entry == ".." {
            continue;
        }
        // A set (`{1, 2}`) has entries without keys: not a record.
        let (key, value) = split_key(entry)?;
        fields.push((key.trim(), value.trim()));
    }
    Some(Record { name, fields })
}

/// `key: value` at the top level of `entry`.
fn split_key(entry: &str) -> Option<(&str, &str)> {
    let mut pieces = split_top(entry, ':');
    let key = pieces.next()?;
    let rest = &entry[key.len()..];
    let value = rest.strip_prefix(':')?;
    (!key.trim().is_empty()).then_some((key, value))
}

/// `s` split at each `sep` outside brackets and quotes. An unbalanced input
/// still splits somewhere; it is only ever shown, never trusted.
fn split_top(s: &str, sep: char) -> impl Iterator<Item = &str> {
    let mut pieces = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            c if c == sep && depth == 0 => {
                pieces.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    pieces.push(&s[start..]);
    pieces.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
        FieldChange {
            field: field.into(),
            before: before.map(Into::into),
            after: after.map(Into::into),
        }
    }

    #[test]
    fn records_are_compared_field_by_field() {
        let before = "{round: 1, ballot: (1, Id(0)), promised: (1, Id(0))}";
        let after =
            "{round: 1, ballot: (1, Id(0)), promised: (1, Id(1)), accepted: ((1, Id(1)), 'B')}";
        assert_eq!(
            diff(Some(before), after),
            [
                change("promised", Some("(1, Id(0))"), Some("(1, Id(1))")),
                change("accepted", None, Some("((1, Id(1)), 'B')")),
            ]
        );
        let named = diff(
            Some("Client { op: 0, phase: Idle, returned: [] }"),
            "Client { op: 1, phase: Done, returned: [ReadOk(1)] }",
        );
        assert_eq!(named.len(), 3);
        assert_eq!(
            summary_line(&named),
            "op: 1, phase: Done, returned: [ReadOk(1)]"
        );
    }

    #[test]
    fn nested_maps_name_the_key_that_changed() {
        let before = "{promises: {Id(0): None}, round: 1}";
        let after = "{promises: {Id(0): None, Id(1): Some(((1, Id(0)), 'A'))}}";
        assert_eq!(
            diff(Some(before), after),
            [
                change("promises[Id(1)]", None, Some("Some(((1, Id(0)), 'A'))")),
                change("round", Some("1"), None),
            ]
        );
        assert_eq!(
            summary_line(&diff(Some(before), after)),
            "promises[Id(1)]: Some(((1, Id(0)), 'A')), round removed"
        );
    }

    #[test]
    fn other_shapes_change_whole() {
        assert_eq!(
            diff(Some("Writing"), "Reading"),
            [change("", Some("Writing"), Some("Reading"))]
        );
        assert_eq!(
            diff(Some("Tm { a: 1 }"), "Rm { a: 1 }"),
            [change("", Some("Tm { a: 1 }"), Some("Rm { a: 1 }"))]
        );
        // A set is not a record.
        assert_eq!(
            diff(Some("{1, 2}"), "{1, 3}"),
            [change("", Some("{1, 2}"), Some("{1, 3}"))]
        );
        assert!(diff(Some("Same"), "Same").is_empty());
        assert_eq!(
            diff(None, "X { a: 1 }"),
            [change("", None, Some("X { a: 1 }"))]
        );
        assert_eq!(summary_line(&diff(None, "X { a: 1 }")), "X { a: 1 }");
    }

    #[test]
    fn quotes_and_odd_text_do_not_confuse_the_split() {
        let before = "{msg: \"a, b: {c\", n: ','}";
        let after = "{msg: \"a, b: {c\", n: ':'}";
        assert_eq!(
            diff(Some(before), after),
            [change("n", Some("','"), Some("':'"))]
        );
        // Unbalanced or empty text never panics.
        for s in ["", "{", "}", "{a: {", "{: 1}", "x}", "{a: 1, ..}", "'\\"] {
            let _ = diff(Some(s), "{a: 2}");
            let _ = diff(Some("{a: 2}"), s);
        }
    }
}
