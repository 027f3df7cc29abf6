//! The `reports/` tree: every catalog check rendered as Markdown pages and
//! SVG sequence diagrams. Deterministic (no timings), so a test can
//! regenerate it and fail when the committed copy is stale.

use crate::{catalog_jobs, Job, PROTOCOLS};
use checker::CheckSummary;
use presentation::plot::PlotData;
use presentation::report::{self, CheckedJob, ModelReport, PropertyDoc};
use rayon::prelude::*;

/// What [`run_catalog`] tells its caller while it works.
pub enum CatalogEvent<'a> {
    /// A check starts.
    Started(&'a Job),
    /// A long check's progress, about once a second.
    Progress(&'a Job, &'a checker::Progress),
    /// A check ended.
    Done(&'a Job, &'a CheckSummary),
}

/// Every catalog check, run in parallel (one thread each), in registry order.
pub fn run_catalog(on_event: &(dyn Fn(CatalogEvent<'_>) + Sync)) -> Vec<(Job, CheckSummary)> {
    run_catalog_with(false, on_event)
}

/// [`run_catalog`], keeping the counterexamples' states for an ITF export
/// when `itf` is set ([`checker::CheckOptions::itf`]).
pub fn run_catalog_with(
    itf: bool,
    on_event: &(dyn Fn(CatalogEvent<'_>) + Sync),
) -> Vec<(Job, CheckSummary)> {
    catalog_jobs()
        .into_par_iter()
        .map(|job| {
            on_event(CatalogEvent::Started(&job));
            let opts = checker::CheckOptions {
                itf,
                ..job.options()
            };
            let summary = job.check_with(&opts, &mut |p| on_event(CatalogEvent::Progress(&job, p)));
            on_event(CatalogEvent::Done(&job, &summary));
            (job, summary)
        })
        .collect()
}

/// Committed measurements to plot: every `*.json` file of `dir` (the
/// repository's `reports-data/`), as (file stem, data), in file name order,
/// whose `"model"` names a protocol of the catalog (any other is left out,
/// so that data for a model not merged yet does not stop a report). A
/// missing directory holds no data; a file that is not plot data is an
/// error naming it.
pub fn load_plots(dir: &std::path::Path) -> Result<Vec<(String, PlotData)>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    let mut paths: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut plots = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let data = PlotData::from_json(&text).map_err(|e| {
            format!(
                "{} is not plot data ({{\"model\", \"title\", \"x_label\", \"y_label\", \"series\": [{{\"name\", \"points\": [[x, y], ...]}}]}}): {e}",
                path.display()
            )
        })?;
        if crate::protocol(&data.model).is_err() {
            continue;
        }
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        plots.push((stem, data));
    }
    Ok(plots)
}

/// A bug variant's check followed on the correct protocol: the
/// counterexample to its first violated property that the correct protocol
/// keeps by the registry (at the defaults; in a scenario, its first), as
/// `dsw compare` takes it, without checking again. None for the correct
/// variant, or where nothing was violated.
fn comparison(job: &Job, summary: &CheckSummary) -> Option<checker::compare::Comparison> {
    if job.variant == crate::CORRECT {
        return None;
    }
    let also_correct: Vec<&str> = match job.scenario {
        Some(_) => Vec::new(),
        None => job
            .protocol
            .variant(crate::CORRECT)
            .map(|v| {
                v.expect
                    .iter()
                    .filter(|(_, v)| *v == checker::Verdict::Violated)
                    .map(|(p, _)| *p)
                    .collect()
            })
            .unwrap_or_default(),
    };
    let violated = || {
        summary
            .properties
            .iter()
            .filter(|p| p.verdict == checker::Verdict::Violated)
    };
    // Where the correct protocol fails too, both runs fail on the
    // schedule and the comparison shows nothing the bug does.
    let found = violated().find(|p| !also_correct.contains(&p.name.as_str()))?;
    let ce = found.counterexample.as_ref()?;
    let given = crate::registry::Given {
        property: &found.name,
        kind: found.kind,
        ce,
    };
    crate::compare_given(job.protocol, job.variant, &job.params, job.fairness, given).ok()
}

/// The files of `reports/`, as (path relative to it, contents), from the
/// results of [`run_catalog`] and the committed measurements of
/// [`load_plots`].
pub fn render(
    results: &[(Job, CheckSummary)],
    plots: &[(String, PlotData)],
) -> Vec<(String, String)> {
    let pages: Vec<ModelReport> = PROTOCOLS
        .iter()
        .map(|p| ModelReport {
            name: p.name,
            section: p.section,
            summary: p.summary,
            citations: p.citations,
            notes: p.notes,
            properties: p
                .properties
                .iter()
                .map(|s| PropertyDoc {
                    name: s.name,
                    kind: s.kind,
                    source: s.source,
                })
                .collect(),
            checks: results
                .iter()
                .filter(|(job, _)| job.protocol.name == p.name)
                .map(|(job, summary)| CheckedJob {
                    label: match job.scenario {
                        Some(s) => format!("{} ({})", s.name, s.variant),
                        None => job.variant.to_string(),
                    },
                    doc: job
                        .scenario
                        .map_or_else(|| p.variant(job.variant).map_or("", |v| v.doc), |s| s.doc),
                    params: job
                        .params
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    summary,
                    matches_registry: job.mismatches(summary).is_empty(),
                    comparison: comparison(job, summary),
                })
                .collect(),
            plots: plots
                .iter()
                .filter(|(_, d)| d.model == p.name)
                .map(|(stem, d)| (stem.as_str(), d))
                .collect(),
        })
        .collect();
    let mut files = vec![("index.md".to_string(), report::index_page(&pages))];
    for page in &pages {
        let (markdown, svgs) = report::model_page(page);
        files.push((report::page_file_name(page.name), markdown));
        files.extend(svgs);
    }
    files
}
