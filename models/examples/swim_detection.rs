//! SWIM's failure detection on real runs (UDP on loopback), beside the
//! paper's analysis (Das, Gupta & Motivala 2002 §3.1), written as plot data
//! for the swim report page (BENCHMARKS.md quotes the figures):
//!
//! ```text
//! cargo run --release -p models --example swim_detection -- --seeds 16 --out reports-data
//! ```
//!
//! (`--first-seed S` runs seeds S to S + K - 1 instead of 1 to K.) For each
//! group size it also prints what the first suspicion is made of, read from
//! the runs' event logs (`swim::run::Timeline`): the first suspicion as the
//! log has it, §3.1's expectation given the runs' own period offsets and
//! lengths, and the share of periods that pinged the victim.
//!
//! - `swim-detection.json`: for 3 to 8 members, the last one killed, the
//!   mean time to its first suspicion and until every live member declares
//!   it failed, in protocol periods, against §3.1's expected time to the
//!   first detection;
//! - `swim-false-positives.json`: 3 members, nobody killed, a window of
//!   `WINDOW` periods, for each loss rate the share of runs in which a live
//!   member is declared failed, with suspicion (SWIM) and without (§3's
//!   basic protocol), against §3.1's prediction for the latter.

use models::registry::{Config, Params};
use models::swim::run::{self, Setup, Trial};
use models::swim::SwimCfg;
use presentation::plot::{PlotData, Series};
use std::time::Duration;

/// The false-positive runs' window, in protocol periods.
const WINDOW: u32 = 20;
const LOSSES: &[f64] = &[0.0, 0.01, 0.02, 0.05, 0.1, 0.2];

fn cfg(variant: &str, members: i64) -> SwimCfg {
    let p = models::protocol("swim").expect("swim");
    let mut params: Params = p.default_params();
    params.insert("members", members);
    SwimCfg::new(variant, &params)
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seeds = 20u64;
    let mut first_seed = 1u64;
    let mut out = std::path::PathBuf::from("reports-data");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.next()) {
            ("--seeds", Some(v)) if v.parse::<u64>().is_ok_and(|k| k >= 1) => {
                seeds = v.parse().expect("checked")
            }
            ("--first-seed", Some(v)) if v.parse::<u64>().is_ok() => {
                first_seed = v.parse().expect("checked")
            }
            ("--out", Some(v)) => out = v.into(),
            ("--help" | "-h", _) => {
                println!("usage: swim_detection [--seeds K (at least 1)] [--first-seed S (default 1)] [--out DIR]");
                return;
            }
            _ => {
                eprintln!("usage: swim_detection [--seeds K (at least 1)] [--first-seed S (default 1)] [--out DIR]");
                std::process::exit(2);
            }
        }
    }
    let seed_range = first_seed..first_seed + seeds;
    let seed_text = if first_seed == 1 {
        String::new()
    } else {
        format!(" --first-seed {first_seed}")
    };
    let command = format!(
        "cargo run --release -p models --example swim_detection -- --seeds {seeds}{seed_text} --out reports-data"
    );
    std::fs::create_dir_all(&out).expect("create the output directory");

    // Detection time against group size.
    let mut first = Vec::new();
    let mut all = Vec::new();
    let mut paper = Vec::new();
    let mut unsync = Vec::new();
    let mut large = Vec::new();
    for n in 3..=8i64 {
        let c = cfg(models::CORRECT, n);
        let trials: Vec<Trial> = seed_range
            .clone()
            .map(|seed| {
                let setup = Setup {
                    kill: true,
                    duration: Duration::from_secs(20),
                    loss: 0.0,
                    duplicate: 0.0,
                    seed,
                    fuzz: 0,
                };
                run::trial(&c, &setup).expect("run")
            })
            .collect();
        let fs: Vec<f64> = trials.iter().filter_map(|t| t.first_suspected).collect();
        let ds: Vec<f64> = trials.iter().filter_map(|t| t.all_declared).collect();
        let fp = trials.iter().filter(|t| t.false_positive.is_some()).count();
        let n_usize = n as usize;
        println!(
            "members {n}: first suspicion {:.2} periods ({} of {seeds} runs), every live member declares failed {:.2} ({} runs); §3.1 {:.2}, unsynchronised {:.2}; false positives in {fp} runs",
            mean(&fs),
            fs.len(),
            mean(&ds),
            ds.len(),
            run::paper_first_detection(n_usize),
            run::unsynchronised_first_detection(n_usize),
        );
        // What the first suspicion is made of, from the event logs.
        let tls: Vec<&run::Timeline> = trials.iter().filter_map(|t| t.timeline.as_ref()).collect();
        let from_log: Vec<f64> = tls.iter().filter_map(|t| t.first()).collect();
        let given_offsets: Vec<f64> = tls.iter().map(|t| t.expected_given_offsets()).collect();
        let offsets: Vec<f64> = tls.iter().flat_map(|t| t.offsets.iter().copied()).collect();
        let periods: usize = tls.iter().map(|t| t.periods).sum();
        let picked: usize = tls.iter().map(|t| t.picked_victim).sum();
        let lengths: Vec<f64> = tls.iter().map(|t| t.period_length).collect();
        println!(
            "  from the event logs ({} runs): first suspicion at a period's end {:.3}; §3.1 given the runs' period offsets and lengths {:.3} (mean offset {:.3}, uniform 0.5; mean period {:.4}); the victim pinged in {picked} of {periods} periods up to a period after the first suspicion, {:.3} (§3.1: 1/{} = {:.3})",
            tls.len(),
            mean(&from_log),
            mean(&given_offsets),
            mean(&offsets),
            mean(&lengths),
            picked as f64 / periods.max(1) as f64,
            n - 1,
            1.0 / (n - 1) as f64,
        );
        let x = n as f64;
        first.push([x, round(mean(&fs))]);
        all.push([x, round(mean(&ds))]);
        paper.push([x, round(run::paper_first_detection(n_usize))]);
        unsync.push([x, round(run::unsynchronised_first_detection(n_usize))]);
        large.push([x, round(std::f64::consts::E / (std::f64::consts::E - 1.0))]);
    }
    let suspicion = cfg(models::CORRECT, 3).suspicion;
    let detection = PlotData {
        model: "swim".to_string(),
        title: "SWIM: detection time after a member is killed".to_string(),
        x_label: "group size (members; the last one killed)".to_string(),
        y_label: "protocol periods after the kill".to_string(),
        series: vec![
            Series {
                name: format!("measured: first suspicion (mean of {seeds} runs)"),
                points: first,
                predicted: false,
            },
            Series {
                name: "measured: every live member declares it failed".to_string(),
                points: all,
                predicted: false,
            },
            Series {
                name: "§3.1: 1/(1-(1-1/(n-1))^(n-1))".to_string(),
                points: paper,
                predicted: true,
            },
            Series {
                name: "§3.1, periods unsynchronised".to_string(),
                points: unsync,
                predicted: true,
            },
            Series {
                name: "§3.1: e/(e-1), a large group".to_string(),
                points: large,
                predicted: true,
            },
        ],
        command: command.clone(),
        notes: format!(
            "Protocol period T' = {} ms, k = 1, suspicion {suspicion} periods, no loss, targets picked at random (§3.1); {seeds} runs (seeds {} to {}) per group size, the last member killed {} ms in. §3.1's expected time to the first detection counts whole periods from a crash at a period's start, `1/(1-(1-1/(n-1))^(n-1))`, tending to e/(e-1) ≈ 1.58; members run their periods unsynchronised, so each live member's next period starts a uniform fraction of a period after the kill, which the second prediction adds (it is the expected minimum over the live members of that offset plus a geometric number of periods). Declaring failed takes the suspicion's {suspicion} periods more, then the piggybacked dissemination.",
            run::PERIOD.as_millis(),
            first_seed,
            first_seed + seeds - 1,
            500,
        ),
    };

    // False positives against message loss.
    let probes = (WINDOW - 1) as usize;
    let mut series: Vec<Series> = Vec::new();
    for (variant, name) in [
        (models::CORRECT, "measured: SWIM with suspicion"),
        (
            "no-suspicion",
            "measured: no suspicion (§3's basic protocol)",
        ),
    ] {
        let c = cfg(variant, 3);
        let mut points = Vec::new();
        for &loss in LOSSES {
            let hits = seed_range
                .clone()
                .filter(|&seed| {
                    let setup = Setup {
                        kill: false,
                        duration: run::PERIOD * WINDOW,
                        loss,
                        duplicate: 0.0,
                        seed,
                        fuzz: 0,
                    };
                    run::trial(&c, &setup)
                        .expect("run")
                        .false_positive
                        .is_some()
                })
                .count();
            let share = hits as f64 / seeds as f64;
            println!(
                "{variant}, loss {loss}: a live member declared failed in {hits} of {seeds} runs of {WINDOW} periods; §3.1 without suspicion {:.3}",
                run::paper_false_positive_within(loss, c.k, c.members, probes)
            );
            points.push([loss, round(share)]);
        }
        series.push(Series {
            name: name.to_string(),
            points,
            predicted: false,
        });
    }
    let c = cfg("no-suspicion", 3);
    series.push(Series {
        name: format!("§3.1, no suspicion: 1-(1-p)^(3·{probes})"),
        points: LOSSES
            .iter()
            .map(|&loss| {
                [
                    loss,
                    round(run::paper_false_positive_within(
                        loss, c.k, c.members, probes,
                    )),
                ]
            })
            .collect(),
        predicted: true,
    });
    let false_positives = PlotData {
        model: "swim".to_string(),
        title: format!("SWIM: false positives within {WINDOW} periods under message loss"),
        x_label: "probability that a message is lost".to_string(),
        y_label: format!("share of runs with a live member declared failed ({seeds} runs)"),
        series,
        command,
        notes: format!(
            "3 members, k = 1, nobody killed, each run {WINDOW} protocol periods (T' = {} ms), stopping at the first live member declared failed by another. §3.1: a probe of a live member fails when the ping or its ack is lost and every one of the k indirect paths (ping-req, ping, ack, ack) loses a message, p = (1-(1-q)^2)(1-(1-q)^4)^k for loss q; without suspicion each failed probe declares a live member failed, and each member completes about {probes} probes in the window. With suspicion (§4.2) a false positive also needs the suspect's refutation to be lost for the whole suspicion time, which the paper measures (§5) rather than derives.",
            run::PERIOD.as_millis(),
        ),
    };
    for (file, data) in [
        ("swim-detection.json", &detection),
        ("swim-false-positives.json", &false_positives),
    ] {
        let text = serde_json::to_string_pretty(data).expect("serialise") + "\n";
        std::fs::write(out.join(file), text).expect("write the data");
        println!("wrote {}", out.join(file).display());
    }
}
