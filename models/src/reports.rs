//! The `reports/` tree: every catalog check rendered as Markdown pages and
//! SVG sequence diagrams. Deterministic (no timings), so a test can
//! regenerate it and fail when the committed copy is stale.

use crate::{catalog_jobs, Job, PROTOCOLS};
use checker::CheckSummary;
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
    catalog_jobs()
        .into_par_iter()
        .map(|job| {
            on_event(CatalogEvent::Started(&job));
            let summary = job.check(&mut |p| on_event(CatalogEvent::Progress(&job, p)));
            on_event(CatalogEvent::Done(&job, &summary));
            (job, summary)
        })
        .collect()
}

/// The files of `reports/`, as (path relative to it, contents), from the
/// results of [`run_catalog`].
pub fn render(results: &[(Job, CheckSummary)]) -> Vec<(String, String)> {
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
                })
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
