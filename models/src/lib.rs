//! Every protocol of the course as Stateright actors, and the registry that
//! lists them. A protocol module says what the protocol *is*; checking,
//! reports and the CLI live in `checker` and `checker-cli`.

pub mod registry;

pub mod two_phase_commit;

pub use registry::{InputError, Params, Protocol, RunOptions, RunReport, CORRECT};

use checker::{CheckOptions, CheckSummary, Progress};

/// The registry: every protocol, in course order. A new protocol is one
/// module and one line here.
pub static PROTOCOLS: &[&Protocol] = &[&two_phase_commit::PROTOCOL];

/// The protocol called `name`, or an error listing the known ones.
pub fn protocol(name: &str) -> Result<&'static Protocol, InputError> {
    PROTOCOLS
        .iter()
        .copied()
        .find(|p| p.name == name)
        .ok_or_else(|| {
            InputError(format!(
                "unknown model \"{name}\"; known: {}",
                PROTOCOLS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
            ))
        })
}

/// Checks one protocol variant at the given parameters.
pub fn check(
    protocol: &Protocol,
    variant: &str,
    params: &Params,
    opts: &CheckOptions,
    on_progress: &mut dyn FnMut(&Progress),
) -> CheckSummary {
    let mut summary = (protocol.check)(variant, params, opts, on_progress);
    summary.model = protocol.name.to_string();
    summary
}
