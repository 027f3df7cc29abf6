//! `/compare/<path>?property=P`: a bug variant's path beside the correct
//! protocol on the same schedule, as `dsw compare` shows it: the two
//! sequence diagrams side by side with the first difference marked, where
//! the schedule cannot be followed any more said in words, and the steps
//! in text, each with what it did on both runs.
//!
//! The path is read as `/path/` reads it ([`super::path_view`]), and must
//! be what its link claims (a counterexample to the property): only then
//! is there a schedule whose outcome on the correct protocol means
//! something.

use super::http::Response;
use super::page::{error, h};
use super::route::{percent_encode, PathQuery};
use super::{path_view, Shared};
use checker::describe::Describe;
use checker::liveness::FairnessClasses;
use std::fmt::{Debug, Write};
use std::sync::Arc;

/// The compare page for `q`, or an error page saying why there is none.
pub(super) fn respond<M>(shared: &Arc<Shared<M>>, q: &PathQuery) -> Response
where
    M: stateright::Model + Describe + FairnessClasses,
    M::State: Clone + Debug + PartialEq,
    M::Action: Clone + Debug + PartialEq,
{
    let site = &shared.site;
    let fail = |status: u16, message: &str| {
        Response::html(status, error(status, "No comparison", message))
    };
    let Some(compare) = &site.compare else {
        return fail(
            404,
            &format!(
                "{} is the correct variant: a comparison puts a bug variant's path beside it",
                site.variant
            ),
        );
    };
    let view = match path_view(&shared.model, &shared.analyses, site, q) {
        Ok(view) => view,
        Err((status, message)) => return fail(status, &message),
    };
    let Some((property, kind)) = view.selected.clone() else {
        return fail(
            400,
            "a comparison follows a counterexample: add ?property=<the property it violates>",
        );
    };
    if view.plain {
        return fail(
            400,
            &format!(
                "this path is no counterexample to \"{property}\" ({}), so there is nothing to \
                 compare",
                view.headline
            ),
        );
    }
    match compare(&property, kind, &view.ce) {
        Ok(c) => Response::html(200, page(site, q, &c)),
        Err(why) => fail(500, &why),
    }
}

/// The page itself.
fn page(site: &super::Site, q: &PathQuery, c: &checker::compare::Comparison) -> String {
    let variant = site.variant.as_str();
    let path = q
        .indices
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("/");
    let mut back = format!("/path/{path}?property={}", percent_encode(&c.property));
    if let Some(k) = q.loop_start {
        let _ = write!(back, "&loop={k}");
    }
    let headline = match (c.divergence, &c.stopped) {
        (Some(d), _) => format!("{variant} and correct part at step {d}"),
        (None, Some(s)) => format!("the correct protocol cannot follow step {}", s.at),
        (None, None) => format!("correct does what {variant} does"),
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · {} · DS Workbench explorer</title>\
         <link rel=\"stylesheet\" href=\"/explorer.css\"></head>\n<body>\n\
         <header class=\"top\"><a class=\"home\" href=\"/\">{} <span class=\"variant\">({})</span></a>\
         <span class=\"params\">{}</span><span class=\"brand\">DS Workbench explorer</span></header>\n",
        h(&headline),
        h(&site.model),
        h(&site.model),
        h(variant),
        h(&site.params)
    );
    let _ = write!(
        out,
        "<main id=\"compare\" data-first-difference=\"{}\" data-stopped=\"{}\">\n\
         <section class=\"story tone-bad\"><h1 id=\"headline\">{}</h1>\n\
         <p id=\"first-difference\">{}.</p>\n",
        c.divergence.map_or(String::new(), |d| d.to_string()),
        c.stopped
            .as_ref()
            .map_or(String::new(), |s| s.at.to_string()),
        h(&headline),
        h(&crate::compare::first_difference_words(c, variant))
    );
    if let Some(s) = &c.stopped {
        let _ = writeln!(
            out,
            "<p class=\"note\" id=\"stopped\">The schedule cannot be followed on the correct \
             protocol from step {}: {}. The right-hand diagram ends there.</p>",
            s.at,
            h(&s.why)
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"how\">Left, {}'s counterexample to <b>{}</b>; right, the correct protocol \
         on the same deliveries, timers and faults, each matched by actor and message (by \
         value, or once the runs have parted by sender, receiver and message type). The \
         first step after which the states differ is marked on both. \
         <a id=\"back\" href=\"{}\">Back to the path</a>.</p>\n</section>",
        h(variant),
        h(&c.property),
        h(&back)
    );
    let _ = writeln!(
        out,
        "<div class=\"diagram\" id=\"diagram\">\n{}</div>",
        crate::compare::svg(c, &site.model, variant)
    );
    let _ = writeln!(
        out,
        "<section class=\"steps\"><h2>Step by step</h2>\n<pre id=\"compare-text\">{}</pre></section>\n</main>\n</body></html>",
        h(&crate::compare::text(c, &site.model, variant))
    );
    out
}
