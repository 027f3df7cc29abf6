//! `dsw check --replay FILE`: an ITF trace that `dsw check --itf` wrote
//! ([`crate::itf_export`]), read back and followed on the model it names.
//!
//! The file's `#meta` names the model, variant, scenario, parameters and
//! fairness, and what the trace shows (`property`, `counterexample`);
//! [`read`] checks each against the registry, as the CLI checks a user's
//! choices, and [`Replay::run`] rebuilds the model and follows the trace
//! on it ([`checker::replay`]).

use crate::{Params, Protocol};
use checker::replay::{Claim, Outcome, Trace};
use std::path::Path;

/// A trace ready to replay: the model it names and what it claims.
#[derive(Debug)]
pub struct Replay {
    pub protocol: &'static Protocol,
    pub variant: String,
    pub scenario: Option<String>,
    pub params: Params,
    pub trace: Trace,
    pub claim: Claim,
}

/// Reads `path` as a trace `dsw check --itf` wrote, or says why it is not
/// one (bad input: the file, what is wrong, what is valid).
pub fn read(path: &Path) -> Result<Replay, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read {shown}: {e}; give --replay an ITF file (*.itf.json) written by dsw check --itf"
        )
    })?;
    parse(&text).map_err(|e| format!("{shown}: {e}"))
}

/// [`read`], from the file's text.
pub fn parse(text: &str) -> Result<Replay, String> {
    let written_by = "expected an ITF file (*.itf.json) written by dsw check --itf";
    let trace = Trace::parse(text).map_err(|e| format!("{e}; {written_by}"))?;
    let meta = |key: &str| {
        trace.meta_str(key).ok_or_else(|| {
            format!("#meta has no \"{key}\", which dsw check --itf writes; {written_by}")
        })
    };
    let protocol = crate::protocol(meta("model")?).map_err(|e| format!("#meta.model: {e}"))?;
    let variant = meta("variant")?.to_string();
    protocol
        .variant(&variant)
        .map_err(|e| format!("#meta.variant: {e}"))?;
    let scenario = match trace.meta_str("scenario") {
        Some(name) => {
            let s = protocol
                .scenario(name)
                .map_err(|e| format!("#meta.scenario: {e}"))?;
            if s.variant != variant {
                return Err(format!(
                    "#meta.scenario {name} is about variant {}, but #meta.variant is {variant}",
                    s.variant
                ));
            }
            Some(name.to_string())
        }
        None => None,
    };
    let overrides: Vec<String> = meta("params")?
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let params = protocol
        .params_with(&overrides)
        .map_err(|e| format!("#meta.params: {e}"))?;
    let claim = Claim::of(&trace).map_err(|e| format!("{e}; {written_by}"))?;
    Ok(Replay {
        protocol,
        variant,
        scenario,
        params,
        trace,
        claim,
    })
}

impl Replay {
    /// Rebuilds the model and follows the trace on it, each line to `out`.
    pub fn run(&self, out: &mut dyn FnMut(&str)) -> Outcome {
        (self.protocol.replay)(&self.variant, &self.params, &self.trace, &self.claim, out)
    }

    /// `paxos (correct, scenario s) acceptors=3 ...`.
    pub fn target(&self) -> String {
        let scenario = self
            .scenario
            .as_ref()
            .map_or(String::new(), |s| format!(", scenario {s}"));
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!(
            "{} ({}{scenario}) {}",
            self.protocol.name,
            self.variant,
            params.join(" ")
        )
        .trim_end()
        .to_string()
    }
}
