//! `dsw check --itf DIR`: every counterexample a check prints, written as
//! an Informal Trace Format file ([`checker::itf`]), one per property,
//! named `<model>-<variant>-<property>.itf.json` (a scenario's name in
//! place of the variant; each part made file-safe).

use checker::itf::{self, BIVALENT};
use checker::{CheckSummary, Counterexample};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Creates `dir` if it is missing and proves it takes a file, or says why
/// not, naming the flag: for a check that must not run an hour and then
/// fail to write.
pub fn writable(dir: &Path, flag: &str) -> Result<(), String> {
    let shown = dir.display();
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "{flag} {shown}: that is a file, not a directory; give {flag} a directory you can write (created if missing)"
        ));
    }
    let cannot = |e: std::io::Error| {
        format!("{flag} {shown}: cannot write there ({e}); give {flag} a directory you can write (created if missing)")
    };
    std::fs::create_dir_all(dir).map_err(cannot)?;
    let probe = dir.join(format!(".dsw-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(cannot)?;
    std::fs::remove_file(&probe).map_err(cannot)
}

/// The file a counterexample of `property` goes to.
pub fn file_name(model: &str, variant: &str, property: &str) -> String {
    format!(
        "{}-{}-{}.itf.json",
        itf::file_safe(model),
        itf::file_safe(variant),
        itf::file_safe(property)
    )
}

/// What the trace's `#meta` says about where it comes from, besides the
/// summary itself.
#[derive(Clone, Debug, Default)]
pub struct Source {
    /// The scenario checked, if any (`check --all`, `--scenario`).
    pub scenario: Option<String>,
    /// `dsw explore ...`: the command that opens the explorer on the same
    /// configuration.
    pub explore: Option<String>,
    /// Every parameter of the check, for `dsw check --replay` to rebuild
    /// the model: written as `#meta.params`, `key=value` separated by
    /// spaces.
    pub params: crate::Params,
}

/// The trace's `#meta`: the format, the source (the workbench, model,
/// variant, property) and the check's configuration, every value a string
/// (what the format's readers, such as the `itf` crate, accept there).
fn meta(
    summary: &CheckSummary,
    source: &Source,
    property: &str,
    ce: &Counterexample,
) -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_string(), Value::String(v));
    };
    let variant = source
        .scenario
        .as_deref()
        .map_or(summary.variant.clone(), |s| {
            format!("{}, scenario {s}", summary.variant)
        });
    let (kind, verdict) = match summary.property(property) {
        Some(p) => (p.kind.as_str().to_string(), p.verdict.as_str().to_string()),
        None => ("valence".to_string(), "bivalent-forever".to_string()),
    };
    put("format", "ITF".into());
    put("format-description", itf::FORMAT_DESCRIPTION.into());
    put(
        "source",
        format!("DS Workbench, dsw check {} ({variant})", summary.model),
    );
    put(
        "description",
        match property {
            BIVALENT => format!(
                "{} ({variant}): a fair run that stays bivalent forever ({})",
                summary.model,
                ce.kind.name()
            ),
            _ => format!(
                "{} ({variant}): {} of the {kind} property {property}, {verdict}",
                summary.model,
                ce.kind.name()
            ),
        },
    );
    put("model", summary.model.clone());
    put("variant", summary.variant.clone());
    if let Some(s) = &source.scenario {
        put("scenario", s.clone());
    }
    put(
        "params",
        source
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
    );
    put("property", property.to_string());
    put("property_kind", kind);
    put("verdict", verdict);
    put("counterexample", ce.kind.name().to_string());
    put("path", ce.path.clone());
    put(
        "actors",
        serde_json::to_string(&ce.actors).unwrap_or_default(),
    );
    put(
        "config",
        serde_json::to_string(&summary.config).unwrap_or_default(),
    );
    put("strategy", summary.strategy.clone());
    put("fairness", summary.fairness.name().to_string());
    put(
        "symmetry",
        match &summary.symmetry {
            Some(u) if u.applied => format!("applied: {} are interchangeable", u.what),
            Some(_) => "not applied".to_string(),
            None => "none declared".to_string(),
        },
    );
    put("complete", summary.complete.to_string());
    if let Some(cmd) = &source.explore {
        put("explore", cmd.clone());
    }
    put(
        "action",
        "the step that led into each state: kind (init, deliver, drop, timeout, crash, \
         recover, random, action), actor and from (actor indices into actors, -1 for none), \
         label (the message, timer or action as the model prints it)"
            .to_string(),
    );
    if ce.loop_start.is_some() {
        put(
            "loop",
            "the last state is the state at index loop (for a model with a view, one \
             with the same view): the last step closes the loop, and the return from \
             the last state to states[loop] is a stutter"
                .to_string(),
        );
    }
    m
}

/// The ITF trace of every counterexample `summary` prints, as (file name,
/// trace), or the first that could not be had (its states did not replay
/// or encode: a bug, never bad input). `name` is the variant's or the
/// scenario's name, as it goes into file names. `summary` must come from
/// a check with [`checker::CheckOptions::itf`] set.
pub fn traces(
    summary: &CheckSummary,
    name: &str,
    source: &Source,
) -> Result<Vec<(String, Value)>, String> {
    itf::printed(summary)
        .into_iter()
        .map(|(property, ce)| {
            let states = summary
                .itf_states
                .iter()
                .find(|s| s.property == property)
                .ok_or_else(|| {
                    format!(
                        "{} ({name}) {property}: no states kept (the check ran without itf)",
                        summary.model
                    )
                })?
                .states
                .as_ref()
                .map_err(|e| format!("{} ({name}) {property}: {e}", summary.model))?;
            let doc = itf::trace(ce, states, meta(summary, source, property, ce))
                .map_err(|e| format!("{} ({name}) {property}: {e}", summary.model))?;
            Ok((file_name(&summary.model, name, property), doc))
        })
        .collect()
}

/// Writes [`traces`] under `dir`, returning each file written.
pub fn write(
    dir: &Path,
    summary: &CheckSummary,
    name: &str,
    source: &Source,
) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (file, doc) in traces(summary, name, source)? {
        let path = dir.join(file);
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(&path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
