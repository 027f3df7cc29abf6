//! The data of gossip's convergence plot: `dsw run gossip`'s measurement at
//! 4, 8 and 16 members, `seeds` runs each, written as JSON.
//!
//!   cargo run --release -p models --example gossip_convergence -- [seeds] [out]
//!
//! (`scripts/gossip-convergence` writes `reports-data/gossip-convergence.json`.)

use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seeds: u64 = match args.next() {
        Some(s) => s
            .parse()
            .map_err(|_| format!("seeds is a number, not {s:?}"))?,
        None => 10,
    };
    let runs = models::gossip::run::measure(&[4, 8, 16], seeds)?;
    let json = serde_json::to_string_pretty(&models::gossip::run::plot_data(&runs))? + "\n";
    match args.next() {
        Some(path) => std::fs::write(path, json)?,
        None => std::io::stdout().write_all(json.as_bytes())?,
    }
    Ok(())
}
