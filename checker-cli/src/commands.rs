//! One function per subcommand. The library does the work; these print.

use crate::args::{
    CheckArgs, Cli, Command, CompareArgs, ExploreArgs, HistoryArgs, HistoryModel, NodeArgs,
    ReplayArgs, RunArgs, ShrinkArgs, StrategyArg, Target, TraceArgs,
};
use crate::output;
use crate::Failure;
use checker::{CheckOptions, CheckSummary, Progress, Strategy};
use models::reports::CatalogEvent;
use models::{Job, Params, Protocol};
use serde_json::json;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::List(a) => list(a.json),
        Command::Show(a) => show(&a.model, a.json),
        Command::Check(a) if a.all => check_all(&a),
        Command::Check(a) if a.replay.is_some() => check_replay(&a),
        Command::Check(a) => check_one(&a),
        Command::Explore(a) => explore(&a),
        Command::Run(a) => run_real(&a),
        Command::Node(a) => run_node(&a),
        Command::Trace(a) => trace_draw(&a),
        Command::Compare(a) => compare(&a),
        Command::Replay(a) => replay_real(&a),
        Command::Shrink(a) => shrink(&a),
        Command::Report(a) => report(&a.out, &a.data),
        Command::History(a) => history_check(&a),
    }
}

/// `dsw history`: parse, check, and on failure say where it first fails.
fn history_check(a: &HistoryArgs) -> Result<ExitCode, Failure> {
    let shown = a.file.display();
    let text = std::fs::read_to_string(&a.file)
        .map_err(|e| Failure(format!("cannot read {shown}: {e}")))?;
    let model = match a.model {
        HistoryModel::Register => history::ModelKind::Register,
        HistoryModel::Kv => history::ModelKind::Kv,
    };
    let h = history::parse(&text, model).map_err(|e| Failure(format!("{shown} {e}")))?;
    let completed = h
        .ops
        .iter()
        .filter(|o| o.outcome == history::Outcome::Ok)
        .count();
    let keys = history::keys(&h);
    let object = match model {
        history::ModelKind::Register => "one register".to_string(),
        history::ModelKind::Kv => format!("{keys} key{}", if keys == 1 { "" } else { "s" }),
    };
    let counts = format!(
        "{} operations ({completed} ok, {} unknown: info or never completed; {} failed, left out) on {object}",
        h.ops.len() + h.failed,
        h.ops.len() - completed,
        h.failed
    );
    match history::check(&h) {
        history::Verdict::Linearizable => {
            outln!("linearizable: {counts}");
            Ok(ExitCode::SUCCESS)
        }
        history::Verdict::NotLinearizable(f) => {
            let key = match &f.key {
                Some(k) => format!("key {k}: "),
                None => String::new(),
            };
            outln!("not linearizable: {counts}");
            let Some(first) = f.first else {
                outln!(
                    "{key}no order of its operations is a linearization (the search tried them all); where it first fails was not found within {} configurations per prefix",
                    history::EXPLAIN_BUDGET
                );
                return Ok(ExitCode::from(1));
            };
            outln!(
                "{key}no order of the {} operations invoked before line {} gives this one its result (with its result unknown, an order exists):",
                first.prefix_operations, first.line
            );
            outln!("  {}", h.ops[first.culprit].describe());
            if first.concurrent.is_empty() {
                outln!("no operation is concurrent with it");
            } else {
                outln!("concurrent with it (ordered either side of it, and still no order fits):");
                for &c in &first.concurrent {
                    outln!("  {}", h.ops[c].describe());
                }
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    outln!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn list(json: bool) -> Result<ExitCode, Failure> {
    if json {
        let list: Vec<_> = models::PROTOCOLS
            .iter()
            .chain(models::tla_specs::SPECS)
            .map(|p| {
                json!({
                    "name": p.name,
                    "section": p.section,
                    "summary": p.summary,
                    "variants": p.variants.iter().map(|v| json!({"name": v.name, "doc": v.doc})).collect::<Vec<_>>(),
                    "scenarios": p.scenarios.iter().map(|s| json!({"name": s.name, "doc": s.doc, "arguments": s.arguments()})).collect::<Vec<_>>(),
                })
            })
            .collect();
        print_json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    // Each section's name column is as wide as its own longest name, so a
    // long spec name does not push the catalog's summaries right.
    let width_of = |ps: &[&Protocol]| ps.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let width = width_of(models::PROTOCOLS);
    for p in models::PROTOCOLS {
        let variants: Vec<_> = p.variants.iter().map(|v| v.name).collect();
        outln!("{:width$}  {}", p.name, p.summary);
        outln!("{:width$}  section: {}", "", p.section);
        outln!("{:width$}  variants: {}", "", variants.join(", "));
        if !p.scenarios.is_empty() {
            let scenarios: Vec<_> = p.scenarios.iter().map(|s| s.name).collect();
            outln!("{:width$}  scenarios: {}", "", scenarios.join(", "));
        }
    }
    outln!("\nspecs (Lamport's TLA+ specs, checked like models; not in check --all):");
    let width = width_of(models::tla_specs::SPECS);
    for p in models::tla_specs::SPECS {
        let params: Vec<_> = p
            .params
            .iter()
            .map(|prm| format!("{}={}", prm.name, prm.default))
            .collect();
        outln!("{:width$}  {}", p.name, p.summary);
        outln!("{:width$}  params: {}", "", params.join(" "));
    }
    Ok(ExitCode::SUCCESS)
}

fn show(name: &str, json: bool) -> Result<ExitCode, Failure> {
    let p = models::protocol(name)?;
    if json {
        print_json(&json!({
            "name": p.name,
            "section": p.section,
            "summary": p.summary,
            "citations": p.citations,
            "params": p.params,
            "param_rules": p.param_rules,
            "properties": p.properties,
            "variants": p.variants,
            "scenarios": p.scenarios,
            "fairness": p.fairness,
            "runnable": p.run.is_some(),
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{}: {}", p.name, p.summary);
    outln!("section: {}", p.section);
    outln!("\ncitations:");
    for c in p.citations {
        outln!("  - {c}");
    }
    outln!("\nparameters (-p key=value):");
    for prm in p.params {
        outln!(
            "  {:20} {} ({}..={}, default {})",
            prm.name,
            prm.doc,
            prm.min,
            prm.max,
            prm.default
        );
    }
    for rule in p.param_rules {
        outln!("  and {}", rule.doc);
    }
    outln!("\nfairness (--fairness): {}", p.fairness.name());
    outln!("\nproperties:");
    for prop in p.properties {
        outln!(
            "  {:24} {:10} {}",
            prop.name,
            prop.kind.as_str(),
            prop.source
        );
    }
    outln!("\nvariants (--variant):");
    for v in p.variants {
        let expect: Vec<String> = v
            .expect
            .iter()
            .map(|(prop, verdict)| format!("{prop}: {verdict}"))
            .collect();
        let expect = if expect.is_empty() {
            String::new()
        } else {
            format!(" [expected {}]", expect.join(", "))
        };
        outln!("  {:24} {}{expect}", v.name, v.doc);
    }
    if !p.scenarios.is_empty() {
        outln!("\nscenarios (--scenario NAME; checked by check --all):");
        for s in p.scenarios {
            let expect: Vec<String> = s
                .expect
                .iter()
                .map(|(prop, verdict)| format!("{prop}: {verdict}"))
                .collect();
            outln!("  {:24} {}", s.name, s.doc);
            outln!("  {:24} same as: {}", "", s.arguments());
            if !expect.is_empty() {
                outln!("  {:24} expected: {}", "", expect.join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What a user named: the protocol, the variant, the parameters and a
/// scenario's fairness, all checked.
struct Resolved {
    protocol: &'static Protocol,
    variant: String,
    params: Params,
    /// The scenario's fairness, if it names one.
    fairness: Option<checker::Fairness>,
}

fn resolve(model: &str, target: &Target) -> Result<Resolved, Failure> {
    let protocol = models::protocol(model)?;
    let (mut variant, mut scenario_params, mut fairness) =
        (models::CORRECT.to_string(), Vec::new(), None);
    if let Some(name) = &target.scenario {
        let scenario = protocol.scenario(name)?;
        if let Some(v) = target.variant.as_deref().filter(|v| *v != scenario.variant) {
            return Err(Failure(format!(
                "scenario {} is about variant {}, not {v}; drop --variant or the scenario",
                scenario.name, scenario.variant
            )));
        }
        variant = scenario.variant.to_string();
        scenario_params = scenario
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        fairness = scenario.fairness;
    }
    if let Some(v) = &target.variant {
        variant = v.clone();
    }
    protocol.variant(&variant)?;
    scenario_params.extend(target.params.iter().cloned());
    let params = protocol.params_with(&scenario_params)?;
    Ok(Resolved {
        protocol,
        variant,
        params,
        fairness,
    })
}

/// The command that opens the explorer on the same configuration.
fn explore_hint(
    protocol: &Protocol,
    variant: &str,
    params: &Params,
    fairness: checker::Fairness,
) -> String {
    let defaults = protocol.default_params();
    let mut hint = format!("dsw explore {} --variant {variant}", protocol.name);
    for (k, v) in params {
        if defaults.get(k) != Some(v) {
            hint.push_str(&format!(" -p {k}={v}"));
        }
    }
    if fairness != protocol.fairness {
        hint.push_str(&format!(" --fairness {}", fairness.name()));
    }
    hint
}

fn progress_line(p: &Progress) {
    let secs = p.elapsed.as_secs_f64().max(1e-9);
    let memory = p
        .resident_bytes
        .map(|b| format!(", {} MiB", output::thousands((b / (1024 * 1024)) as usize)))
        .unwrap_or_default();
    eprintln!(
        "  ... {} states, {} unique, depth {}, {} states/s{memory}",
        output::thousands(p.states),
        output::thousands(p.unique_states),
        p.max_depth,
        output::thousands((p.states as f64 / secs) as usize)
    );
}

/// With `--itf DIR`: the directory exists (or is made) and takes a file,
/// before anything is checked.
fn itf_dir(a: &CheckArgs) -> Result<Option<&std::path::Path>, Failure> {
    let Some(dir) = a.itf.as_deref() else {
        return Ok(None);
    };
    models::itf_export::writable(dir, "--itf").map_err(Failure)?;
    Ok(Some(dir))
}

/// Writes one check's ITF traces and says where on stderr (stdout may be
/// JSON).
fn write_itf(
    dir: &std::path::Path,
    summary: &CheckSummary,
    name: &str,
    source: &models::itf_export::Source,
) -> Result<usize, Failure> {
    let written = models::itf_export::write(dir, summary, name, source).map_err(Failure)?;
    Ok(written.len())
}

fn check_one(a: &CheckArgs) -> Result<ExitCode, Failure> {
    let model = a.model.as_deref().unwrap_or_default();
    let Resolved {
        protocol,
        variant,
        params,
        fairness,
    } = resolve(model, &a.target)?;
    let itf = itf_dir(a)?;
    let opts = CheckOptions {
        strategy: match a.strategy {
            StrategyArg::Bfs => Strategy::Bfs,
            StrategyArg::Dfs => Strategy::Dfs,
            StrategyArg::Simulation => Strategy::Simulation { seed: a.seed },
        },
        threads: usize::from(a.threads),
        max_depth: a.max_depth.map(|d| d as usize),
        max_states: a.max_states.map(|n| n as usize),
        timeout: a.timeout.map(Duration::from_secs),
        max_memory: a
            .max_memory
            .map(|mib| mib * 1024 * 1024)
            .or_else(checker::graph::default_max_memory),
        fairness: a
            .fairness
            .map(Into::into)
            .or(fairness)
            .unwrap_or(protocol.fairness),
        symmetry: a.symmetry.into(),
        itf: itf.is_some(),
    };
    let summary = models::check(protocol, &variant, &params, &opts, &mut progress_line);
    let hint = explore_hint(protocol, &variant, &params, opts.fairness);
    if a.json {
        print_json(&summary)?;
    } else {
        // The links name the port `dsw explore` will serve on: the first
        // free default one (another explorer may hold 3000). Off the
        // default, the hint binds it, so the command serves where the
        // links point or says it cannot.
        let explorer = presentation::explorer::default_addr();
        let shown = if explorer == presentation::explorer::DEFAULT_ADDR {
            hint.clone()
        } else {
            format!("{hint} --bind {explorer}")
        };
        out!("{}", output::summary(&summary, &params, &explorer, &shown));
        if let Strategy::Simulation { seed } = opts.strategy {
            outln!("note: rerun with --seed {seed}");
        }
    }
    if let Some(dir) = itf {
        let source = models::itf_export::Source {
            scenario: a.target.scenario.clone(),
            explore: Some(hint),
            params: params.clone(),
        };
        let name = a.target.scenario.as_deref().unwrap_or(&variant);
        let n = write_itf(dir, &summary, name, &source)?;
        eprintln!(
            "dsw: wrote {n} ITF trace{} under {}",
            if n == 1 { "" } else { "s" },
            dir.display()
        );
    }
    Ok(if summary.any_violation() {
        ExitCode::from(1)
    } else if summary.any_inconclusive() {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// `dsw check --replay FILE`: the trace followed on its model, each step
/// printed as it is followed, then what the run shows.
fn check_replay(a: &CheckArgs) -> Result<ExitCode, Failure> {
    let file = a.replay.as_deref().unwrap_or(std::path::Path::new(""));
    let mut replay = models::itf_replay::read(file).map_err(Failure)?;
    if let Some(f) = a.fairness {
        replay.claim.fairness = f.into();
    }
    let steps = replay.trace.states.len() - 1;
    outln!("replaying {}", file.display());
    outln!("  {}", replay.target());
    outln!(
        "  the file claims: a {} of \"{}\" ({} fairness), {steps} step{}{}",
        replay.claim.kind.name(),
        replay.claim.property,
        replay.claim.fairness.name(),
        if steps == 1 { "" } else { "s" },
        replay
            .trace
            .loop_index
            .map_or(String::new(), |k| format!(", looping back to state {k}"))
    );
    let outcome = replay.run(&mut |line| outln!("{line}"));
    match outcome {
        checker::replay::Outcome::Shows(words) => {
            outln!("followed all {steps} steps: {words}");
            Ok(ExitCode::SUCCESS)
        }
        checker::replay::Outcome::DoesNotShow(words) => {
            outln!(
                "followed all {steps} steps, but the run does not show what the file says: {words}"
            );
            Ok(ExitCode::from(1))
        }
        checker::replay::Outcome::Diverges { at, what, diff } => {
            let place = if at == 0 {
                "at its initial state (state 0)".to_string()
            } else {
                format!("at step {at} (state {at})")
            };
            outln!("DIVERGES {place}: {what}");
            for line in diff {
                outln!("    {line}");
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn check_all(a: &CheckArgs) -> Result<ExitCode, Failure> {
    if a.target.variant.is_some() || a.target.scenario.is_some() || !a.target.params.is_empty() {
        return Err(Failure(
            "check --all checks every variant and scenario at its registry configuration; it takes no --variant, --scenario or -p".into(),
        ));
    }
    let itf = itf_dir(a)?;
    let results = run_catalog(itf.is_some());
    let total = results.len();
    if let Some(dir) = itf {
        let mut n = 0;
        for (job, s) in &results {
            let source = models::itf_export::Source {
                scenario: job.scenario.map(|sc| sc.name.to_string()),
                explore: Some(explore_hint(
                    job.protocol,
                    job.variant,
                    &job.params,
                    job.fairness,
                )),
                params: job.params.clone(),
            };
            n += write_itf(dir, s, job.name(), &source)?;
        }
        eprintln!("dsw: wrote {n} ITF traces under {}", dir.display());
    }

    let all_match = results.iter().all(|(job, s)| job.mismatches(s).is_empty());
    if a.json {
        let rows: Vec<_> = results
            .iter()
            .map(|(job, s)| {
                let mismatches: Vec<_> = job
                    .mismatches(s)
                    .into_iter()
                    .map(|(p, e, f)| json!({"property": p, "expected": e, "found": f}))
                    .collect();
                json!({
                    "model": s.model,
                    "variant": s.variant,
                    "scenario": job.scenario.map(|sc| sc.name),
                    "matches_registry": mismatches.is_empty(),
                    "mismatches": mismatches,
                    "summary": s,
                })
            })
            .collect();
        print_json(&json!({"all_match": all_match, "checks": rows}))?;
    } else {
        out!("{}", all_table(&results));
        outln!(
            "{}",
            if all_match {
                format!("all {total} checks match the registry")
            } else {
                "some verdicts differ from the registry (see MISMATCH above)".to_string()
            }
        );
    }
    Ok(if all_match {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Every catalog check, in parallel, on stderr: a line as each starts, its
/// progress about once a second while it runs, and `[n/total]` as each
/// finishes.
fn run_catalog(itf: bool) -> Vec<(Job, CheckSummary)> {
    let total = models::catalog_jobs().len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    // One thread per checker, rayon across jobs: parallelism at one level.
    models::reports::run_catalog_with(itf, &|event| match event {
        CatalogEvent::Started(job) => {
            eprintln!("[  start ] {} {}", job.protocol.name, job.name());
        }
        CatalogEvent::Progress(job, p) => {
            eprintln!(
                "[  ..... ] {} {}: {} states, {} unique, depth {}, {:.0} s",
                job.protocol.name,
                job.name(),
                output::thousands(p.states),
                output::thousands(p.unique_states),
                p.max_depth,
                p.elapsed.as_secs_f64()
            );
        }
        CatalogEvent::Done(job, s) => {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            eprintln!(
                "[{n:>3}/{total}] {} {}: {} unique states, {}",
                job.protocol.name,
                job.name(),
                output::thousands(s.unique_states),
                if job.mismatches(s).is_empty() {
                    "matches the registry"
                } else {
                    "MISMATCH"
                }
            );
        }
    })
}

fn all_table(results: &[(Job, CheckSummary)]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:20} {:26} {:>10} {:>6} {:>12}  {:8}  verdicts",
        "model", "variant", "unique", "depth", "states/s", "registry"
    );
    for (job, s) in results {
        let verdicts: Vec<String> = s
            .properties
            .iter()
            .map(|p| format!("{}: {}", p.name, p.verdict))
            .collect();
        let mismatches = job.mismatches(s);
        let status = if mismatches.is_empty() {
            "ok".to_string()
        } else {
            "MISMATCH".to_string()
        };
        let rate = s
            .timing
            .as_ref()
            .map_or(0, |t| t.states_per_second as usize);
        let name = match job.scenario {
            Some(sc) => format!("{} ({})", sc.name, sc.variant),
            None => job.variant.to_string(),
        };
        let _ = writeln!(
            out,
            "{:20} {:26} {:>10} {:>6} {:>12}  {:8}  {}",
            s.model,
            name,
            output::thousands(s.unique_states),
            s.max_depth,
            output::thousands(rate),
            status,
            verdicts.join("; ")
        );
        for (p, expected, found) in mismatches {
            let found = found.map_or("missing".to_string(), |v| v.to_string());
            let _ = writeln!(out, "    {p}: expected {expected}, found {found}");
        }
    }
    out
}

fn explore(a: &ExploreArgs) -> Result<ExitCode, Failure> {
    // With --trace, the file is read before anything listens: an ITF
    // trace names the configuration (its #meta, checked here); a real
    // run's trace is followed on the configuration given.
    let trace = match &a.trace {
        None => None,
        Some(file) => {
            let shown = file.display();
            let text = std::fs::read_to_string(file).map_err(|e| {
                Failure(format!(
                    "cannot read {shown}: {e}; give --trace an ITF file (*.itf.json) written by dsw check --itf, or a real run's trace written by dsw run --trace"
                ))
            })?;
            let itf = match models::run_trace::format(&text)
                .map_err(|e| Failure(format!("{shown}: {e}")))?
            {
                models::run_trace::Format::Run(_) => None,
                models::run_trace::Format::Itf => {
                    let replay = models::itf_replay::parse(&text)
                        .map_err(|e| Failure(format!("{shown}: {e}")))?;
                    if replay.protocol.name != a.model {
                        models::protocol(&a.model)?;
                        return Err(Failure(format!(
                            "{shown} is a trace of {}, not of {}; run dsw explore {} --trace {shown}",
                            replay.protocol.name, a.model, replay.protocol.name
                        )));
                    }
                    let t = &a.target;
                    if t.variant.is_some()
                        || t.scenario.is_some()
                        || !t.params.is_empty()
                        || a.fairness.is_some()
                    {
                        return Err(Failure(format!(
                            "{shown} is an ITF trace, whose #meta names its configuration ({}): drop --variant, --scenario, -p and --fairness",
                            replay.target()
                        )));
                    }
                    Some(replay)
                }
            };
            Some((text, itf))
        }
    };
    let (
        Resolved {
            protocol,
            variant,
            params,
            fairness,
        },
        scenario,
    ) = match &trace {
        Some((_, Some(replay))) => (
            Resolved {
                protocol: replay.protocol,
                variant: replay.variant.clone(),
                params: replay.params.clone(),
                fairness: Some(replay.claim.fairness),
            },
            replay.scenario.clone(),
        ),
        _ => (resolve(&a.model, &a.target)?, a.target.scenario.clone()),
    };
    let fairness = a
        .fairness
        .map(Into::into)
        .or(fairness)
        .unwrap_or(protocol.fairness);
    // A taken or malformed address is bad input: one line, exit 2. Without
    // --bind, the first free default port, as `dsw check`'s links name it.
    let listener = match &a.bind {
        Some(bind) => std::net::TcpListener::bind(bind)
            .map_err(|e| Failure(format!("cannot listen on {bind}: {e}")))?,
        None => presentation::explorer::default_listener().map_err(|e| {
            Failure(format!(
                "cannot listen on {}: {e}; give --bind a free address",
                presentation::explorer::DEFAULT_ADDR
            ))
        })?,
    };
    let server = models::registry::serve_explorer(protocol, &variant, &params, fairness, listener)
        .map_err(|e| Failure(format!("cannot serve the explorer: {e}")))?;
    // The real address: with port 0 the system chose it, and scripts (such
    // as the browser test) read it here.
    // Off the default port without --bind, say why: links printed while
    // 3000 was free name it.
    let addr = server.addr().to_string();
    let taken = if a.bind.is_none() && addr != presentation::explorer::DEFAULT_ADDR {
        format!("{} is taken; ", presentation::explorer::DEFAULT_ADDR)
    } else {
        String::new()
    };
    // A trace that is not one of this model is bad input: one line, exit
    // 2 (the server stops as it is dropped).
    let opened = match (&trace, &a.trace) {
        (Some((text, _)), Some(file)) => Some(
            server
                .load(text)
                .map_err(|e| Failure(format!("{}: {e}", file.display())))?,
        ),
        _ => None,
    };
    let scenario = scenario.map_or(String::new(), |s| format!(", scenario {s}"));
    eprintln!(
        "dsw: serving the explorer for {} ({variant}{scenario}) on http://{addr}/ ({taken}Ctrl-C to stop)",
        protocol.name,
    );
    if let (Some(opened), Some(file)) = (opened, &a.trace) {
        let file = file.display();
        for note in &opened.notes {
            eprintln!("dsw: {file}: {note}");
        }
        if let Some(d) = &opened.divergence {
            eprintln!("dsw: {file}: the model cannot follow the trace further: {d}");
        }
        eprintln!("dsw: {file}: http://{addr}{}", opened.target);
    }
    server.wait();
    Ok(ExitCode::SUCCESS)
}

fn run_real(a: &RunArgs) -> Result<ExitCode, Failure> {
    let Resolved {
        protocol,
        variant,
        params,
        ..
    } = resolve(&a.model, &a.target)?;
    let Some(run) = protocol.run else {
        let runnable: Vec<_> = models::PROTOCOLS
            .iter()
            .filter(|p| p.run.is_some())
            .map(|p| p.name)
            .collect();
        return Err(Failure(format!(
            "{} has no real run yet; runnable: {}",
            protocol.name,
            if runnable.is_empty() {
                "none".to_string()
            } else {
                runnable.join(", ")
            }
        )));
    };
    let mut opts = models::RunOptions {
        fuzz: a.fuzz,
        duration: Duration::from_secs(a.duration),
        loss: a.loss,
        duplicate: a.duplicate,
        seed: a.seed,
        seeds: a.seeds,
        crash: !a.no_crash,
        keep_storage: a.keep_storage,
        nemesis: a.nemesis.clone().map(|k| models::registry::NemesisOptions {
            kinds: k.0,
            announce: if a.json {
                announce_fault_stderr
            } else {
                announce_fault
            },
        }),
        tamper: None,
        processes: None,
        node: None,
    };
    let _ = run;
    if a.processes {
        let exe = std::env::current_exe()
            .map_err(|e| Failure(format!("cannot find this program to start nodes: {e}")))?;
        opts.processes = Some(models::processes::ProcessOptions {
            exe,
            model: protocol.name.to_string(),
            variant: variant.clone(),
            params: params.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            hosts: None,
        });
    }
    if a.trace.is_some() && a.seeds > 1 {
        return Err(Failure(
            "--trace records one run: drop --seeds (or give --seeds 1)".into(),
        ));
    }
    if let Some(why) = models::run_refusal(protocol, &opts) {
        return Err(Failure(why));
    }
    eprintln!(
        "dsw: running {} ({}){} on 127.0.0.1 for at most {} s",
        protocol.name,
        variant,
        if a.processes {
            ", each node its own process,"
        } else {
            ""
        },
        a.duration
    );
    if a.loss > 0.0 || a.duplicate > 0.0 || a.nemesis.is_some() || a.fuzz > 0 {
        eprintln!(
            "dsw: the faults follow --seed {}: a datagram's loss and duplication are a hash of the seed, \
             its link, its bytes and how often its sender sent it there, and the nemesis schedule and \
             the fuzz are drawn from it; the threads' scheduling is not reproduced, so a rerun may send \
             other datagrams at other times",
            a.seed
        );
    }
    let report = models::run(protocol, &variant, &params, &opts).map_err(Failure)?;
    if let Some(file) = &a.trace {
        write_trace(file, &report.trace)?;
    }
    let ok = report.checks.iter().all(|(_, ok)| *ok);
    if a.json {
        print_json(&report)?;
    } else {
        outln!(
            "{} ({}) in {:.2} s: {} messages sent, {} received, {} lost, {} malformed",
            report.model,
            report.variant,
            report.seconds,
            report.sent,
            report.received,
            report.lost,
            report.malformed,
        );
        outln!(
            "  (sent: messages that left a node, a duplicated one once; received: datagrams a node handled; \
             lost: dropped by the fault injector; malformed: not a message)"
        );
        for line in &report.observations {
            outln!("  {line}");
        }
        for (name, ok) in &report.checks {
            if name == models::runner::VALIDATED {
                // One line: the steps matched, or where the run diverged.
                outln!("  {}", report.validation.line());
                continue;
            }
            outln!("  {name}: {}", if *ok { "holds" } else { "VIOLATED" });
        }
        let divergence = report.validation.evidence();
        if !divergence.is_empty() {
            outln!("divergence (the first recorded step the model cannot take):");
            for line in &divergence {
                outln!("  {line}");
            }
        }
        if !report.evidence.is_empty() {
            outln!("evidence (each node's last state, and the recorded history):");
            for line in &report.evidence {
                outln!("  {line}");
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `dsw node`: one node of the model's real run as this process, until
/// its time limit or SIGTERM.
fn run_node(a: &NodeArgs) -> Result<ExitCode, Failure> {
    let Resolved {
        protocol,
        variant,
        params,
        ..
    } = resolve(&a.model, &a.target)?;
    if protocol.run.is_none() {
        return Err(Failure(format!("{} has no real run yet", protocol.name)));
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, std::sync::Arc::clone(&stop))
            .map_err(|e| Failure(format!("cannot catch signal {sig}: {e}")))?;
    }
    let record = a
        .record
        .clone()
        .unwrap_or_else(|| a.storage.join(format!("record-{}.jsonl", a.id)));
    let summary = std::sync::Arc::new(std::sync::Mutex::new(None));
    let opts = models::RunOptions {
        duration: Duration::from_secs(a.time_limit),
        loss: a.loss,
        duplicate: a.duplicate,
        seed: a.seed,
        node: Some(models::processes::NodeOptions {
            id: a.id,
            cluster: a.cluster.clone(),
            storage: a.storage.clone(),
            record: record.clone(),
            epoch_micros: a.epoch_micros,
            start_when: a.start_when.clone(),
            cut_file: a.partition_file.clone(),
            stop,
            summary: std::sync::Arc::clone(&summary),
        }),
        ..models::RunOptions::default()
    };
    let result = models::run(protocol, &variant, &params, &opts);
    let done = summary.lock().unwrap_or_else(|e| e.into_inner()).take();
    match (done, result) {
        (Some(s), _) => {
            outln!(
                "{} ({}) node {}{}: {} events, {} steps in {:.2} s; stopped by {}; record: {}",
                protocol.name,
                variant,
                a.id,
                if s.restarted { ", restarted" } else { "" },
                s.events,
                s.steps,
                s.elapsed.as_secs_f64(),
                s.why,
                record.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        (None, Err(e)) => Err(Failure(e)),
        (None, Ok(_)) => Err(Failure(format!(
            "{} ran its own real run instead of one node",
            protocol.name
        ))),
    }
}

/// `dsw run --trace FILE`: the recorded events as JSON lines, and on
/// stderr (stdout may be JSON) what the file holds and what it cannot.
fn write_trace(
    file: &std::path::Path,
    trace: &[runtime::trace::TraceEvent],
) -> Result<(), Failure> {
    std::fs::write(file, runtime::trace::to_json_lines(trace))
        .map_err(|e| Failure(format!("cannot write the trace {}: {e}", file.display())))?;
    eprintln!(
        "dsw: wrote {} events to {} (dsw trace {} draws it); Lamport times follow causality, \
         but the order of concurrent events is the threads' scheduling, which --seed does not reproduce",
        trace.len(),
        file.display(),
        file.display()
    );
    Ok(())
}

/// `dsw trace FILE [--out SVG]`: the recorded run as a sequence diagram.
fn trace_draw(a: &TraceArgs) -> Result<ExitCode, Failure> {
    let shown = a.file.display();
    let text = std::fs::read_to_string(&a.file)
        .map_err(|e| Failure(format!("cannot read {shown}: {e}")))?;
    let events = runtime::trace::parse(&text).map_err(|e| Failure(format!("{shown} {e}")))?;
    if events.is_empty() {
        return Err(Failure(format!(
            "{shown} holds no events; write one with dsw run <model> --trace {shown}"
        )));
    }
    let max_steps = usize::try_from(a.max_steps).unwrap_or(usize::MAX);
    let (ce, total) = crate::trace::counterexample(&events, max_steps);
    let seconds = events.iter().map(|e| e.micros).max().unwrap_or(0) as f64 / 1e6;
    outln!(
        "{shown}: {} events on {} nodes ({}) over {seconds:.3} s; {total} steps (deliveries, losses, drops, timers, crashes, restarts)",
        events.len(),
        ce.actors.len(),
        ce.actors.join(", ")
    );
    let broken = runtime::trace::causality_violation(&events);
    match &broken {
        None => outln!("  Lamport times consistent with causality: every receipt after its send"),
        Some((i, why)) => outln!(
            "  Lamport times NOT consistent with causality at event {} of the file: {why}",
            i + 1
        ),
    }
    outln!(
        "  (the order of concurrent events is the threads' scheduling: a rerun with the same seed interleaves them differently)"
    );
    if ce.steps.len() < total {
        outln!(
            "  showing the first {} of {total} steps (--max-steps)",
            ce.steps.len()
        );
    }
    match &a.out {
        Some(out) => {
            let title = format!("recorded run: {shown}");
            let opts = presentation::svg::Options {
                initial_states: None,
                plain_end: Some("end of the recorded run"),
                mark: None,
            };
            let svg = presentation::svg::sequence_diagram_with(&ce, &title, &opts);
            std::fs::write(out, svg)
                .map_err(|e| Failure(format!("cannot write {}: {e}", out.display())))?;
            outln!(
                "wrote {}: {} lanes, {} steps",
                out.display(),
                ce.actors.len(),
                ce.steps.len()
            );
        }
        None => out!("{}", presentation::report::numbered_steps(&ce)),
    }
    Ok(if broken.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `dsw compare`: the bug variant's counterexample on the correct protocol.
fn compare(a: &CompareArgs) -> Result<ExitCode, Failure> {
    let Resolved {
        protocol,
        variant,
        params,
        fairness,
    } = resolve(&a.model, &a.target)?;
    if let Some(out) = &a.out {
        file_can_go_to(out)?;
    }
    let opts = CheckOptions {
        fairness: fairness.unwrap_or(protocol.fairness),
        max_memory: checker::graph::default_max_memory(),
        ..CheckOptions::default()
    };
    let comparison = models::compare(
        protocol,
        &variant,
        &params,
        &opts,
        a.property.as_deref(),
        &mut progress_line,
    )?;
    if a.json {
        let json = presentation::compare::json(&comparison, protocol.name, &variant);
        outln!(
            "{}",
            serde_json::to_string_pretty(&json).expect("a comparison serializes")
        );
    } else {
        out!(
            "{}",
            presentation::compare::text(&comparison, protocol.name, &variant)
        );
    }
    if !a.json && comparison.divergence.is_none() && comparison.stopped.is_none() {
        for s in protocol.scenarios.iter().filter(|s| s.variant == variant) {
            outln!(
                "note: scenario {} is about {variant}: dsw compare {} --scenario {}",
                s.name,
                protocol.name,
                s.name
            );
        }
    }
    if let Some(out) = &a.out {
        let svg = presentation::compare::svg(&comparison, protocol.name, &variant);
        std::fs::write(out, svg)
            .map_err(|e| Failure(format!("cannot write {}: {e}", out.display())))?;
        if a.json {
            eprintln!("dsw: wrote {}", out.display());
        } else {
            outln!("wrote {}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `dsw shrink`: a trace or path cut down to what its violation needs.
fn shrink(a: &ShrinkArgs) -> Result<ExitCode, Failure> {
    let Resolved {
        protocol,
        variant,
        params,
        ..
    } = resolve(&a.model, &a.target)?;
    let shrink = models::shrink::shrinker(protocol.name).map_err(Failure)?;
    if let Some(name) = &a.property {
        protocol.property(name)?;
    }
    if let Some(out) = &a.out {
        file_can_go_to(out)?;
    }
    if a.out.is_some() && a.trace.is_none() {
        return Err(Failure(
            "--out writes a shrunk trace, so it needs --trace; a path's result is printed as a path"
                .into(),
        ));
    }
    let trace = match &a.trace {
        Some(file) => {
            let shown = file.display();
            let text = std::fs::read_to_string(file)
                .map_err(|e| Failure(format!("cannot read {shown}: {e}")))?;
            let events =
                runtime::trace::parse(&text).map_err(|e| Failure(format!("{shown} {e}")))?;
            if events.is_empty() {
                return Err(Failure(format!(
                    "{shown} holds no events; write one with dsw run {} --trace {shown}",
                    protocol.name
                )));
            }
            // Each event's line in the file, blank lines counted, as
            // parse skips them.
            let lines: Vec<usize> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, _)| i + 1)
                .collect();
            Some((events, lines))
        }
        None => None,
    };
    let (input, what) = match (&trace, &a.path) {
        (Some((events, lines)), _) => (
            models::shrink::Input::Trace { events, lines },
            format!("{}", a.trace.as_ref().expect("a trace").display()),
        ),
        (None, Some(p)) => (models::shrink::Input::Path(p), format!("path {p}")),
        (None, None) => return Err(Failure("give --trace FILE or --path PATH".into())),
    };
    let outcome = match shrink(protocol, &variant, &params, &input, a.property.as_deref()) {
        Ok(o) => o,
        Err(models::shrink::Failed::BadInput(why)) => return Err(Failure(why)),
        Err(models::shrink::Failed::NoViolation(why) | models::shrink::Failed::Stuck(why)) => {
            outln!("{}: {what}: {why}", protocol.name);
            return Ok(ExitCode::from(1));
        }
    };
    let checker::shrink::Replay::Violates { at, path, steps } = &outcome.shrunk.replay else {
        return Err(Failure(
            "the shrunk schedule does not violate; a bug in dsw shrink".into(),
        ));
    };
    let n = outcome.events.len();
    let kept = outcome.shrunk.kept.len();
    outln!(
        "{} ({variant}): {what}: {n} events ({} up to the violation) shrunk to {kept} ({} removed, {} replays); \"{}\" is violated after step {at}; without any one of the {kept}, the model either follows the rest with no violation or cannot follow it",
        protocol.name,
        outcome.shrunk.prefix,
        n - kept,
        outcome.shrunk.tests,
        outcome.property,
    );
    let ce = checker::Counterexample {
        kind: checker::CounterexampleKind::Violation,
        path: path.clone().unwrap_or_default(),
        actors: outcome.lanes.clone(),
        steps: steps.clone(),
        loop_start: None,
        final_states: Vec::new(),
    };
    for (k, (&i, step)) in outcome.shrunk.kept.iter().zip(steps).enumerate() {
        outln!(
            "  {:>3} {}  ({})",
            k + 1,
            presentation::report::step_line(&ce, step),
            outcome.origin[i]
        );
    }
    match &outcome.explorer {
        Ok(x) => {
            let mut command = format!("dsw explore {}", protocol.name);
            if variant != models::CORRECT {
                command.push_str(&format!(" --variant {variant}"));
            }
            for (k, v) in &x.params {
                command.push_str(&format!(" -p {k}={v}"));
            }
            let ce = checker::Counterexample {
                path: x.path.clone(),
                ..ce.clone()
            };
            outln!(
                "explorer: {command}, then {}",
                presentation::explorer::link(
                    &presentation::explorer::default_addr(),
                    &outcome.property,
                    &ce
                )
            );
        }
        Err(why) => outln!("explorer: none, since {why}"),
    }
    if let (Some(out), Some((t, _))) = (&a.out, &trace) {
        std::fs::write(out, runtime::trace::to_json_lines(&kept_lines(t, &outcome)))
            .map_err(|e| Failure(format!("cannot write {}: {e}", out.display())))?;
        outln!(
            "wrote {}: the {kept} kept events, with the sends they deliver",
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The trace lines of the kept events, in the trace's order, with the
/// `sent` (or `lost`, `cut`) line of every message a kept event delivers,
/// so that `dsw trace` still finds each delivery's send.
fn kept_lines(
    trace: &[runtime::trace::TraceEvent],
    outcome: &models::shrink::Outcome,
) -> Vec<runtime::trace::TraceEvent> {
    use runtime::trace::TraceKind;
    let kept: std::collections::BTreeSet<usize> = outcome
        .shrunk
        .kept
        .iter()
        .map(|&i| outcome.trace_index[i])
        .collect();
    let sends: std::collections::BTreeSet<(usize, u64)> = kept
        .iter()
        .filter_map(|&i| {
            let e = &trace[i];
            (e.kind == TraceKind::Delivered).then_some((e.peer?, e.sent_lamport?))
        })
        .collect();
    trace
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            kept.contains(i)
                || (matches!(e.kind, TraceKind::Sent | TraceKind::Lost | TraceKind::Cut)
                    && sends.contains(&(e.node, e.lamport)))
        })
        .map(|(_, e)| e.clone())
        .collect()
}

/// `dsw replay`: a counterexample followed on real nodes.
fn replay_real(a: &ReplayArgs) -> Result<ExitCode, Failure> {
    let Resolved {
        protocol,
        variant,
        params,
        fairness,
    } = resolve(&a.model, &a.target)?;
    let replay = models::real_replay::replayer(protocol.name).map_err(Failure)?;
    let opts = CheckOptions {
        fairness: fairness.unwrap_or(protocol.fairness),
        max_memory: checker::graph::default_max_memory(),
        ..CheckOptions::default()
    };
    let reproduced = replay(
        &variant,
        &params,
        &opts,
        a.property.as_deref(),
        a.path.as_deref(),
        &mut |line| outln!("{line}"),
    )?;
    Ok(if reproduced {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Prints one line of the nemesis's schedule, before the run.
fn announce_fault(line: &str) {
    outln!("{line}");
}

/// With --json, whose stdout is the report alone (its observations repeat
/// the schedule): on stderr.
fn announce_fault_stderr(line: &str) {
    eprintln!("dsw: {line}");
}

fn report(out: &std::path::Path, data: &std::path::Path) -> Result<ExitCode, Failure> {
    // The catalog takes a minute to check: find out first that its pages
    // can be written, and that the committed measurements can be read.
    writable(out)?;
    let plots = models::reports::load_plots(data).map_err(Failure)?;
    let results = run_catalog(false);
    let files = models::reports::render(&results, &plots);
    // Each model's diagrams are regenerated whole: drop the old ones first,
    // so a renamed variant leaves no stale picture behind.
    for p in models::PROTOCOLS {
        let dir = out.join(p.name);
        if dir.is_dir() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| Failure(format!("cannot clear {}: {e}", dir.display())))?;
        }
    }
    for (name, contents) in &files {
        let path = out.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Failure(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, contents)
            .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
    }
    outln!("wrote {} files under {}", files.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// Refuses an output file whose directory does not exist, before any long
/// work is done for it.
fn file_can_go_to(out: &std::path::Path) -> Result<(), Failure> {
    match out.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if !parent.is_dir() => Err(Failure(format!(
            "cannot write {}: {} is not a directory",
            out.display(),
            parent.display()
        ))),
        _ => Ok(()),
    }
}

/// Creates `dir` if needed and proves it takes a file, or says why not.
fn writable(dir: &std::path::Path) -> Result<(), Failure> {
    let cannot = |e: std::io::Error| {
        Failure(format!(
            "cannot write under {}: {e}; give --out a directory you can write",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(cannot)?;
    let probe = dir.join(format!(".dsw-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(cannot)?;
    std::fs::remove_file(&probe).map_err(cannot)
}
