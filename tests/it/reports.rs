//! The committed `reports/` are what `dsw report` writes today: regenerate
//! them in memory and compare, file by file, and find no stale leftovers.

use std::path::PathBuf;

fn reports_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../reports")
}

#[test]
fn committed_reports_are_up_to_date() {
    // Also what `check --all` prints on stderr: a start and an end for
    // every job.
    use models::reports::CatalogEvent;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (started, done) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let results = models::reports::run_catalog(&|event| match event {
        CatalogEvent::Started(_) => {
            started.fetch_add(1, Ordering::Relaxed);
        }
        CatalogEvent::Done(..) => {
            done.fetch_add(1, Ordering::Relaxed);
        }
        CatalogEvent::Progress(..) => {}
    });
    assert_eq!(started.into_inner(), results.len());
    assert_eq!(done.into_inner(), results.len());
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../reports-data");
    let plots = models::reports::load_plots(&data).unwrap();
    let files = models::reports::render(&results, &plots);
    let dir = reports_dir();
    let mut stale = Vec::new();
    for (name, contents) in &files {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(committed) if committed == *contents => {}
            Ok(_) => stale.push(format!("{name} differs")),
            Err(_) => stale.push(format!("{name} is missing")),
        }
    }
    // No diagram left over from a renamed variant or property.
    for p in models::PROTOCOLS {
        let Ok(entries) = std::fs::read_dir(dir.join(p.name)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = format!("{}/{}", p.name, entry.file_name().to_string_lossy());
            if !files.iter().any(|(f, _)| *f == name) {
                stale.push(format!("{name} is not generated any more"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "reports/ is stale; run `cargo run --release -p checker-cli -- report`:\n{}",
        stale.join("\n")
    );
}

/// The committed measurements are plot data a model page can show: each
/// file of `reports-data/` parses, names a model, and plots.
#[test]
fn committed_plot_data_is_well_formed() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../reports-data");
    let plots = models::reports::load_plots(&data).unwrap();
    let names: Vec<&str> = plots.iter().map(|(stem, _)| stem.as_str()).collect();
    assert!(names.contains(&"swim-detection"), "{names:?}");
    for (stem, plot) in &plots {
        assert!(models::protocol(&plot.model).is_ok(), "{stem}");
        let svg = presentation::plot::line_plot(plot);
        assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
        // Every series has something to draw.
        for s in &plot.series {
            assert!(!s.points.is_empty(), "{stem}: {} has no point", s.name);
        }
    }
}
