//! Request targets, read strictly: the explorer has a fixed set of routes,
//! and a path encoding is digits and slashes, nothing else. Nothing here
//! touches the file system, so no target can reach a file.

/// The longest path the explorer replays, in steps.
pub const MAX_STEPS: usize = 2000;

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// `/`: the model, its properties, the check.
    Index,
    /// `/check`: start the check (if it is not running or done).
    Check,
    /// `/explorer.css`, `/explorer.js`.
    Asset(&'static str),
    /// `/favicon.ico`: nothing, quietly.
    Favicon,
    /// `/load`: a trace posted to it (the body; never a file name).
    Load,
    /// `/path/<init>/<action>/...`: a path from an initial state.
    Path(PathQuery),
    /// `/compare/<init>/<action>/...`: that path beside the correct
    /// protocol on its schedule.
    Compare(PathQuery),
}

/// A path to show, with what the link claims about it.
#[derive(Debug, PartialEq, Eq)]
pub struct PathQuery {
    /// The initial state's index, then each action's.
    pub indices: Vec<usize>,
    /// `?property=`: the property the path is a counterexample (or example) of.
    pub property: Option<String>,
    /// `?loop=K`: the steps from K (0-based) on repeat forever.
    pub loop_start: Option<usize>,
    /// `?trace=N`: the path is the Nth trace opened (uploaded or given to
    /// `dsw explore --trace`), whose notes the page shows.
    pub trace: Option<usize>,
}

/// Why a target is not a route; each becomes an error page.
#[derive(Debug, PartialEq, Eq)]
pub enum RouteError {
    /// 404: no such page.
    NotFound,
    /// 400: a path or query that does not parse, with why.
    Malformed(String),
}

pub const ASSETS: &[(&str, &str)] = &[
    ("/explorer.css", "text/css; charset=utf-8"),
    ("/explorer.js", "text/javascript; charset=utf-8"),
];

/// The route of a request target (origin form: `/path?query`).
pub fn route(target: &str) -> Result<Route, RouteError> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let path = path.split_once('#').map_or(path, |(p, _)| p);
    match path {
        "/" | "/index.html" => return Ok(Route::Index),
        "/check" => return Ok(Route::Check),
        "/favicon.ico" => return Ok(Route::Favicon),
        "/load" => return Ok(Route::Load),
        _ => {}
    }
    if let Some((name, _)) = ASSETS.iter().find(|(name, _)| *name == path) {
        return Ok(Route::Asset(name));
    }
    let (encoding, compare) = match (path.strip_prefix("/path/"), path.strip_prefix("/compare/")) {
        (Some(e), _) => (e, false),
        (_, Some(e)) => (e, true),
        _ => return Err(RouteError::NotFound),
    };
    let indices = parse_encoding(encoding)?;
    let mut q = PathQuery {
        indices,
        property: None,
        loop_start: None,
        trace: None,
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "property" => {
                let name = percent_decode(value).ok_or_else(|| {
                    RouteError::Malformed("the property name is not valid UTF-8".into())
                })?;
                q.property = Some(name);
            }
            "loop" => {
                let k = number(value).ok_or_else(|| {
                    RouteError::Malformed(format!(
                        "loop={} is not a step index",
                        shorten(value, 20)
                    ))
                })?;
                q.loop_start = Some(k);
            }
            "trace" => {
                let n = number(value).ok_or_else(|| {
                    RouteError::Malformed(format!(
                        "trace={} is not a trace's number",
                        shorten(value, 20)
                    ))
                })?;
                q.trace = Some(n);
            }
            // Unknown keys are ignored, as a browser adds its own.
            _ => {}
        }
    }
    Ok(if compare {
        Route::Compare(q)
    } else {
        Route::Path(q)
    })
}

/// `0/3/1`: an initial state's index, then action indices.
pub fn parse_encoding(encoding: &str) -> Result<Vec<usize>, RouteError> {
    let parts: Vec<&str> = encoding.split('/').collect();
    if parts.len() > MAX_STEPS + 1 {
        return Err(RouteError::Malformed(format!(
            "the path has {} steps; the explorer shows at most {MAX_STEPS}",
            parts.len() - 1
        )));
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            number(part).ok_or_else(|| {
                RouteError::Malformed(format!(
                    "\"{}\" (part {} of the path) is not an index: a path is \
                     numbers separated by /, such as 0/3/1",
                    shorten(part, 20),
                    i + 1
                ))
            })
        })
        .collect()
}

/// A small decimal number, digits only (no sign, no spaces).
fn number(s: &str) -> Option<usize> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `s`, or its first `max` characters and an ellipsis: for echoing input.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// `%XX` escapes and `+` decoded; `None` if the result is not UTF-8 or an
/// escape is broken.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `s` safe in a query value: unreserved characters as they are, the rest
/// as `%XX`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(target: &str) -> PathQuery {
        match route(target) {
            Ok(Route::Path(q)) => q,
            other => panic!("{target}: {other:?}"),
        }
    }

    #[test]
    fn routes_are_a_fixed_set() {
        assert_eq!(route("/"), Ok(Route::Index));
        assert_eq!(route("/check"), Ok(Route::Check));
        assert_eq!(route("/explorer.js"), Ok(Route::Asset("/explorer.js")));
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/explorer.js/..",
            "/assets/../../etc/passwd",
            "//etc/passwd",
            "/Cargo.toml",
            "",
            "*",
            "http://example.com/",
        ] {
            assert_eq!(route(bad), Err(RouteError::NotFound), "{bad}");
        }
    }

    #[test]
    fn paths_are_digits_and_slashes() {
        let q = path("/path/0/3/1?property=state%20machine+safety&loop=1&utm=x");
        assert_eq!(q.indices, [0, 3, 1]);
        assert_eq!(q.property.as_deref(), Some("state machine safety"));
        assert_eq!(q.loop_start, Some(1));
        assert_eq!(q.trace, None);
        assert_eq!(path("/path/0/2?trace=7").trace, Some(7));
        assert!(matches!(
            route("/path/0?trace=-1"),
            Err(RouteError::Malformed(_))
        ));
        assert_eq!(path("/path/0").indices, [0]);
        assert!(
            matches!(route("/compare/0/2?property=x"), Ok(Route::Compare(q)) if q.indices == [0, 2])
        );
        assert!(matches!(
            route("/compare/0/x"),
            Err(RouteError::Malformed(_))
        ));
        for bad in [
            "/path/",
            "/path/0/",
            "/path/0//1",
            "/path/-1",
            "/path/+1",
            "/path/1e3",
            "/path/0/..",
            "/path/0/%2e%2e",
            "/path/99999999999999999999",
            "/path/0?loop=x",
            "/path/0?loop=-1",
            "/path/0?property=%ff",
            "/path/0?property=%4",
        ] {
            assert!(
                matches!(route(bad), Err(RouteError::Malformed(_))),
                "{bad}: {:?}",
                route(bad)
            );
        }
        let long = format!("/path/0{}", "/0".repeat(MAX_STEPS + 1));
        assert!(matches!(route(&long), Err(RouteError::Malformed(m)) if m.contains("at most")));
    }

    #[test]
    fn percent_coding_round_trips() {
        for s in ["agreement", "state machine safety", "a&b=c?d/é%"] {
            assert_eq!(percent_decode(&percent_encode(s)).as_deref(), Some(s));
        }
        assert_eq!(shorten("abcdef", 3), "abc…");
    }
}
