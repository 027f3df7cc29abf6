//! The explorer over plain HTTP (a `TcpStream`, no client library): every
//! page a counterexample link leads to, and every kind of bad request
//! answered with an error page while the server goes on serving.

use checker::{CheckOptions, CheckSummary, Fairness};
use presentation::explorer::{self, Server};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The explorer for `model`'s `variant` at its defaults, on a free port.
fn serve(model: &str, variant: &str) -> Server {
    let protocol = models::protocol(model).expect("registered");
    serve_at(model, variant, protocol.fairness)
}

/// The same at `fairness`, as `dsw explore --scenario` serves a scenario.
fn serve_at(model: &str, variant: &str, fairness: Fairness) -> Server {
    let protocol = models::protocol(model).expect("registered");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    models::registry::serve_explorer(
        protocol,
        variant,
        &protocol.default_params(),
        fairness,
        listener,
    )
    .expect("serves")
}

/// Starts the page's check and polls, within a bound, until it is done:
/// the index page then.
fn run_check(server: &Server) -> String {
    let (status, head, _) = send(server, b"GET /check HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status, 303);
    assert!(head.contains("\r\nLocation: /"), "{head}");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (_, page) = get(server, "/");
        if !page.contains("Checking:") {
            return page;
        }
        assert!(Instant::now() < deadline, "the check did not finish");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn check(model: &str, variant: &str, fairness: Fairness) -> CheckSummary {
    let protocol = models::protocol(model).expect("registered");
    let opts = CheckOptions {
        fairness,
        ..CheckOptions::default()
    };
    models::check(
        protocol,
        variant,
        &protocol.default_params(),
        &opts,
        &mut |_| {},
    )
}

/// The link `dsw check` prints for `property`, as a request target (the
/// address it names is the default one; the tests' servers are elsewhere).
fn target_of(summary: &CheckSummary, property: &str) -> String {
    let ce = summary
        .property(property)
        .and_then(|p| p.counterexample.as_ref())
        .expect("a counterexample");
    let link = explorer::link(explorer::DEFAULT_ADDR, property, ce);
    let target = link
        .strip_prefix(&format!("http://{}", explorer::DEFAULT_ADDR))
        .expect("the default address");
    target.to_string()
}

/// Sends `raw` and reads the whole answer: (status, head, body).
fn send(server: &Server, raw: &[u8]) -> (u16, String, String) {
    let mut stream = TcpStream::connect(server.addr()).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // A refused request is answered before it is read in full, so the
    // write may fail part-way; the answer is what counts.
    let _ = stream.write_all(raw);
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("an answer");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head}"));
    (status, head.to_string(), body.to_string())
}

fn get(server: &Server, target: &str) -> (u16, String) {
    let (status, _, body) = send(
        server,
        format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(),
    );
    (status, body)
}

/// A leads-to's counterexample opens as one: where P holds, and that the
/// run then stops without Q; the index lists the property with its kind.
#[test]
fn a_leads_to_link_opens_its_counterexample() {
    let server = serve("flp", "no-relay");
    let summary = check("flp", "no-relay", Fairness::Weak);
    let name = "every correct process decides";
    let p = summary.property(name).unwrap();
    assert_eq!(p.kind, checker::PropertyKind::LeadsTo);
    let (status, page) = get(&server, &target_of(&summary, name));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("leads-to"), "{page}");
    assert!(
        page.contains("every correct process decides: violated, P holds after step"),
        "{page}"
    );
    assert!(page.contains("nothing more need happen"), "{page}");
    // The same path asked about a property it does not violate says so.
    let (status, page) = get(
        &server,
        &target_of(&summary, name).replace("every%20correct%20process%20decides", "agreement"),
    );
    assert_eq!(status, 200, "{page}");
    let (_, index) = get(&server, "/");
    assert!(
        index.contains("<td>every correct process decides</td><td>leads-to</td>"),
        "{index}"
    );
}

/// A run that stops where only faults are enabled (TLA+ stuttering) is
/// shown as what it is: the last state, "and then nothing more happens".
#[test]
fn a_run_that_stops_is_shown_as_nothing_more_happening() {
    let server = serve("paxos", "correct");
    let summary = check("paxos", "correct", Fairness::Strong);
    let p = summary.property("eventually chosen").unwrap();
    assert_eq!(
        p.counterexample_kind,
        Some(checker::CounterexampleKind::Stutter)
    );
    let (status, page) = get(&server, &target_of(&summary, "eventually chosen"));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("the run stops after"), "{page}");
    assert!(page.contains("nothing more happens"), "{page}");
}

#[test]
fn a_check_link_opens_the_counterexample_as_steps_and_a_diagram() {
    let server = serve("two-phase-commit", "commit-on-majority");
    let summary = check("two-phase-commit", "commit-on-majority", Fairness::Weak);
    let ce = summary
        .property("agreement")
        .and_then(|p| p.counterexample.clone())
        .expect("agreement is violated");
    let (status, page) = get(&server, &target_of(&summary, "agreement"));
    assert_eq!(status, 200, "{page}");
    let n = ce.steps.len();
    assert!(
        page.contains(&format!("agreement: violated after {n} steps")),
        "{page}"
    );
    assert!(page.contains("<svg "), "the diagram is inline");
    // Every step is in the diagram and in the step list, with the same words
    // the terminal prints.
    for (i, step) in ce.steps.iter().enumerate() {
        assert!(page.contains(&format!("data-step=\"{}\"", i + 1)));
        assert!(page.contains(&format!("<li data-pos=\"{}\" data-actors=", i + 1)));
        // Each step has its link, and the diagram's row names its actors.
        assert!(page.contains(&format!("href=\"#step={}\"", i + 1)));
        let mut actors = step.actor.to_string();
        if let Some(from) = step.from.filter(|&f| f != step.actor) {
            actors.push_str(&format!(" {from}"));
        }
        assert!(page.contains(&format!("data-step=\"{}\" data-actors=\"{actors}\"", i + 1)));
        let line = presentation::report::step_line(&ce, step);
        let escaped = line
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(page.contains(&escaped), "step {} ({line}) missing", i + 1);
    }
    assert!(
        page.contains("violated here"),
        "the violated state is marked"
    );
    assert!(
        page.contains("prop false"),
        "the broken property shows false"
    );
    assert!(page.contains("<ins>"), "per-step diffs");
    // A field whose value a step changed is marked M, in the HTML itself.
    assert!(
        page.contains("<li class=\"modified\"><abbr class=\"amd\" title=\"modified"),
        "M markers"
    );
    // The views bar: a checkbox per actor, and the filter.
    for (i, _) in ce.actors.iter().enumerate() {
        assert!(page.contains(&format!("class=\"actor\" data-lane=\"{i}\" checked")));
        assert!(page.contains(&format!("<g class=\"lane\" data-lane=\"{i}\">")));
    }
    assert!(page.contains("id=\"filter\""));
    // One state snapshot per position, the last one shown.
    assert_eq!(page.matches("class=\"snapshot\"").count(), n + 1);
    assert!(page.contains(&format!("data-pos=\"{n}\"><h2>")));
}

#[test]
fn a_lasso_link_marks_its_loop_and_a_wrong_loop_is_said_so() {
    let server = serve("alternating-bit", "correct");
    let summary = check("alternating-bit", "correct", Fairness::Weak);
    let target = target_of(&summary, "every message delivered");
    assert!(target.contains("&loop="), "{target}");
    let (status, page) = get(&server, &target);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("violated by a run that loops forever"),
        "{page}"
    );
    assert!(page.contains("class=\"loop-mark\""));
    assert!(page.contains("loop: the steps below repeat forever"));
    // The loop is a band, in the diagram and over its steps in the list.
    assert!(page.contains("<rect class=\"loop-band\""), "{page}");
    assert!(page.contains("class=\"in-loop\""));
    // The same path with a loop that does not close is shown without it.
    let (path, _) = target.split_once('?').unwrap();
    let (status, page) = get(&server, &format!("{path}?loop=1"));
    assert_eq!(status, 200);
    assert!(page.contains("does not loop"), "{page}");
    assert!(!page.contains("class=\"loop-mark\""));
    assert!(!page.contains("class=\"loop-band\""));
    assert!(!page.contains("class=\"in-loop\""));
}

/// `dsw check --itf`'s trace of `property`, as the text of its file.
fn itf_text(model: &str, variant: &str, fairness: Fairness, property: &str) -> String {
    let protocol = models::protocol(model).expect("registered");
    let opts = CheckOptions {
        fairness,
        itf: true,
        ..CheckOptions::default()
    };
    let params = protocol.default_params();
    let mut summary = models::check(protocol, variant, &params, &opts, &mut |_| {});
    summary.model = model.to_string();
    let source = models::itf_export::Source {
        scenario: None,
        explore: None,
        params,
    };
    let traces = models::itf_export::traces(&summary, variant, &source).expect("traces");
    let name = models::itf_export::file_name(model, variant, property);
    let (_, doc) = traces
        .into_iter()
        .find(|(file, _)| *file == name)
        .unwrap_or_else(|| panic!("no trace {name}"));
    serde_json::to_string_pretty(&doc).expect("JSON")
}

/// Posts `body` to `/load` as a form's file: (status, head, body).
fn upload(server: &Server, body: &str) -> (u16, String, String) {
    let form = format!(
        "--b0undary\r\nContent-Disposition: form-data; name=\"trace\"; filename=\"t.itf.json\"\r\n\
         Content-Type: application/json\r\n\r\n{body}\r\n--b0undary--\r\n"
    );
    send(
        server,
        format!(
            "POST /load HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b0undary\r\n\
             Content-Length: {}\r\n\r\n{form}",
            form.len()
        )
        .as_bytes(),
    )
}

/// An ITF trace uploaded to the page opens as the path it is: a violation
/// as its steps, a lasso with its loop; a file that is not one, or is
/// another configuration's, gets an error page that says why.
#[test]
fn an_uploaded_itf_trace_opens_as_its_path() {
    let server = serve("two-phase-commit", "commit-on-majority");
    let summary = check("two-phase-commit", "commit-on-majority", Fairness::Weak);
    let n = summary
        .property("agreement")
        .and_then(|p| p.counterexample.as_ref())
        .map(|ce| ce.steps.len())
        .expect("agreement is violated");
    let text = itf_text(
        "two-phase-commit",
        "commit-on-majority",
        Fairness::Weak,
        "agreement",
    );
    let (status, head, _) = upload(&server, &text);
    assert_eq!(status, 303, "{head}");
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .expect("a Location")
        .to_string();
    assert!(location.starts_with("/path/"), "{location}");
    assert!(location.contains("property=agreement"), "{location}");
    assert_eq!(
        server.load(&text).map(|o| o.target).as_deref(),
        Ok(location.as_str())
    );
    let (status, page) = get(&server, &location);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(&format!("agreement: violated after {n} steps")),
        "{page}"
    );

    // Not ITF, not this configuration, not a path of the model.
    let other = itf_text(
        "two-phase-commit",
        "commit-on-majority",
        Fairness::Weak,
        "agreement",
    )
    .replace("\"commit-on-majority\"", "\"correct\"");
    let broken = text.replacen("\"#meta\"", "\"#gone\"", 1);
    for (what, body, says) in [
        ("junk", "not json".to_string(), "not JSON"),
        ("empty", "  ".to_string(), "empty"),
        ("no meta", broken, "#meta"),
        (
            "another variant",
            other,
            "the explorer serves two-phase-commit (commit-on-majority)",
        ),
    ] {
        let (status, _, page) = upload(&server, &body);
        assert_eq!(status, 400, "{what}: {page}");
        assert!(page.contains("id=\"error-message\""), "{what}");
        assert!(page.contains(says), "{what}: {page}");
    }
    // Too large to read.
    let (status, _, _) = send(
        &server,
        b"POST /load HTTP/1.1\r\nContent-Length: 999999999\r\n\r\nx",
    );
    assert_eq!(status, 413);
    // And a GET of /load goes to the form.
    let (status, head, _) = send(&server, b"GET /load HTTP/1.1\r\n\r\n");
    assert_eq!(status, 303);
    assert!(head.contains("Location: /#load"));
    let (_, index) = get(&server, "/");
    assert!(index.contains("action=\"/load\""));

    // A lasso's trace opens with its loop.
    let server = serve_at("alternating-bit", "correct", Fairness::Weak);
    let text = itf_text(
        "alternating-bit",
        "correct",
        Fairness::Weak,
        "every message delivered",
    );
    let target = server.load(&text).expect("a path").target;
    assert!(target.contains("&loop="), "{target}");
    let (status, page) = get(&server, &target);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("violated by a run that loops forever"),
        "{page}"
    );
    assert!(page.contains("<rect class=\"loop-band\""));
}

#[test]
fn the_index_runs_the_check_and_links_each_counterexample() {
    let server = serve("two-phase-commit", "commit-on-majority");
    let (status, page) = get(&server, "/");
    assert_eq!(status, 200);
    assert!(page.contains("id=\"run-check\""), "{page}");
    for p in models::protocol("two-phase-commit").unwrap().properties {
        assert!(page.contains(p.name), "{} not listed", p.name);
    }
    let page = run_check(&server);
    assert!(page.contains("violated"), "{page}");
    let first = page
        .split("class=\"ce\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a counterexample link")
        .replace("&amp;", "&");
    let (status, _) = get(&server, &first);
    assert_eq!(status, 200, "{first}");
}

/// The page's check runs at the fairness it is served with: the
/// alternating-bit protocol delivers every message under strong fairness of
/// delivery (its default) and not under weak (its `weak-fairness` scenario).
#[test]
fn the_index_checks_at_the_fairness_it_serves() {
    let verdict = |fairness| {
        let page = run_check(&serve_at("alternating-bit", "correct", fairness));
        let checked = format!("Checked breadth first with {} fairness", fairness.name());
        assert!(page.contains(&checked), "{page}");
        let row = page
            .split("every message delivered")
            .nth(1)
            .expect("the property is listed")
            .split("</tr>")
            .next()
            .unwrap()
            .to_string();
        row.contains("violated")
    };
    assert!(!verdict(Fairness::Strong));
    assert!(verdict(Fairness::Weak));
}

#[test]
fn bad_requests_get_an_error_page_and_the_server_goes_on() {
    let server = serve("two-phase-commit", "correct");
    let cases: Vec<(&str, String, u16)> = vec![
        ("unknown page", "/nope".into(), 404),
        ("unknown asset", "/explorer.wasm".into(), 404),
        ("traversal", "/../Cargo.toml".into(), 404),
        ("encoded traversal", "/%2e%2e/Cargo.toml".into(), 404),
        ("traversal under path", "/path/../../Cargo.toml".into(), 400),
        ("encoded under path", "/path/0/%2e%2e/x".into(), 400),
        ("absolute file", "//etc/passwd".into(), 404),
        ("not a number", "/path/zero".into(), 400),
        ("negative", "/path/-1".into(), 400),
        ("empty index", "/path/0//1".into(), 400),
        ("huge index", "/path/0/99999999999999999999".into(), 400),
        ("no such init", "/path/7".into(), 404),
        ("no such action", "/path/0/999".into(), 404),
        ("too long", format!("/path/0{}", "/0".repeat(5000)), 400),
        ("bad loop", "/path/0/0?loop=x".into(), 400),
        ("loop past the end", "/path/0/0?loop=5".into(), 400),
        ("unknown property", "/path/0?property=nope".into(), 400),
        ("bad escape", "/path/0?property=%zz".into(), 400),
    ];
    for (what, target, want) in &cases {
        let (status, body) = get(&server, target);
        assert_eq!(status, *want, "{what}: {target:.80}: {body}");
        assert!(
            body.contains("id=\"error-message\""),
            "{what}: not an error page"
        );
        assert!(!body.contains("[workspace]"), "{what}: served a file");
    }

    // A 100 KB address: refused before it is read in full.
    let long = format!(
        "GET /path/0{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "/0".repeat(50_000)
    );
    let (status, _, body) = send(&server, long.as_bytes());
    assert_eq!(status, 414);
    assert!(body.contains("id=\"error-message\""));
    // Too many headers, and a head too large.
    let many: String = (0..200).map(|i| format!("X-{i}: y\r\n")).collect();
    let (status, _, _) = send(&server, format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes());
    assert_eq!(status, 431);
    let big = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "y".repeat(40_000));
    assert_eq!(send(&server, big.as_bytes()).0, 431);
    // Not HTTP at all, and a method the explorer does not take.
    assert_eq!(send(&server, b"\x16\x03\x01\x02\x00 hello\r\n\r\n").0, 400);
    let (status, head, _) = send(&server, b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    assert_eq!(status, 405);
    assert!(head.contains("Allow: GET, HEAD"));
    // HEAD: the head alone.
    let (status, head, body) = send(&server, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status, 200);
    assert!(head.contains("Content-Length: ") && body.is_empty());
    // A client that connects and says nothing does not hold up others.
    let _silent: Vec<TcpStream> = (0..8)
        .map(|_| TcpStream::connect(server.addr()).unwrap())
        .collect();
    // Half a request, then a hang-up.
    {
        let mut half = TcpStream::connect(server.addr()).unwrap();
        half.write_all(b"GET /pa").unwrap();
    }

    // Still serving, assets included.
    let (status, page) = get(&server, "/");
    assert_eq!(status, 200);
    assert!(page.contains("two-phase-commit"));
    let (status, head, js) = send(&server, b"GET /explorer.js HTTP/1.1\r\n\r\n");
    assert_eq!(status, 200);
    assert!(head.contains("text/javascript") && js.contains("function show"));
    assert_eq!(get(&server, "/explorer.css").0, 200);
}

/// A bug variant's counterexample page links the comparison with the
/// correct protocol, which shows both diagrams side by side with the first
/// difference marked (paxos: where the proposer picks its value), or says
/// where the schedule cannot be followed (lamport-mutex without FIFO).
#[test]
fn a_bug_variants_counterexample_links_its_comparison_with_correct() {
    let server = serve("paxos", "ignore-highest-accepted");
    let summary = check("paxos", "ignore-highest-accepted", Fairness::Strong);
    let (status, page) = get(&server, &target_of(&summary, "agreement"));
    assert_eq!(status, 200, "{page}");
    let href = page
        .split("id=\"compare-link\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the comparison")
        .replace("&amp;", "&");
    assert!(href.starts_with("/compare/"), "{href}");
    let (status, page) = get(&server, &href);
    assert_eq!(status, 200, "{page}");
    // The same first difference `dsw compare` finds.
    let protocol = models::protocol("paxos").unwrap();
    let c = models::compare(
        protocol,
        "ignore-highest-accepted",
        &protocol.default_params(),
        &CheckOptions {
            fairness: Fairness::Strong,
            ..CheckOptions::default()
        },
        Some("agreement"),
        &mut |_| {},
    )
    .unwrap();
    let d = c.divergence.expect("the runs part");
    assert!(
        page.contains(&format!("data-first-difference=\"{d}\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("first difference at step {d}")),
        "{page}"
    );
    // Both diagrams, side by side in one picture (an SVG holding the two),
    // the difference marked.
    assert_eq!(page.matches("<svg ").count(), 3, "{page}");
    assert_eq!(page.matches("<svg x=\"").count(), 2, "{page}");
    assert!(page.contains("correct, on the same schedule"), "{page}");
    assert!(
        page.contains(&format!("first difference: step {d}")),
        "{page}"
    );
    assert!(!page.contains("id=\"stopped\""), "{page}");
    // The way back, and a path that is no counterexample refused.
    assert!(page.contains("id=\"back\" href=\"/path/"), "{page}");
    let (path, _) = href.split_once('?').unwrap();
    let (status, body) = get(&server, path);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("?property="), "{body}");
    let (status, body) = get(&server, "/compare/0?property=agreement");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("no counterexample"), "{body}");

    let server = serve("lamport-mutex", "non-fifo-network");
    let summary = check("lamport-mutex", "non-fifo-network", Fairness::Weak);
    let target = target_of(&summary, "mutual exclusion").replacen("/path/", "/compare/", 1);
    let (status, page) = get(&server, &target);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"stopped\""), "{page}");
    assert!(
        page.contains("cannot be followed on the correct protocol from step"),
        "{page}"
    );

    // The correct variant has nothing to be compared with.
    let server = serve("two-phase-commit", "correct");
    let (status, page) = get(&server, "/path/0?property=agreement");
    assert_eq!(status, 200);
    assert!(!page.contains("compare-link"), "{page}");
    let (status, body) = get(&server, "/compare/0?property=agreement");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("correct variant"), "{body}");
}

/// A real run's trace (`dsw run --trace`), uploaded, opens as the path it
/// follows on the model: each recorded delivery a step. An event edited
/// in that the model cannot take ends the path before it, and the page
/// says which line and why; a malformed line is refused, named.
#[test]
fn an_uploaded_real_run_trace_opens_as_its_path() {
    let protocol = models::protocol("two-phase-commit").expect("registered");
    // `dsw run` runs the configuration with retransmission on.
    let params = protocol
        .params_with(&["retransmit=1".to_string()])
        .expect("retransmit is a parameter");
    let opts = models::RunOptions {
        seed: 1,
        ..models::RunOptions::default()
    };
    let report = models::run(protocol, "correct", &params, &opts).expect("runs");
    let trace = report.trace.clone();
    let text = runtime::trace::to_json_lines(&trace);
    let delivered: Vec<&runtime::trace::TraceEvent> = trace
        .iter()
        .filter(|e| e.kind == runtime::trace::TraceKind::Delivered && !e.ignored)
        .collect();
    assert!(!delivered.is_empty(), "the run delivered nothing: {text}");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let server =
        models::registry::serve_explorer(protocol, "correct", &params, protocol.fairness, listener)
            .expect("serves");

    let (status, head, _) = upload(&server, &text);
    assert_eq!(status, 303, "{head}");
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .expect("a Location")
        .to_string();
    assert!(location.starts_with("/path/0/"), "{location}");
    assert!(location.contains("trace="), "{location}");
    let (status, page) = get(&server, &location);
    assert_eq!(status, 200, "{page}");
    assert!(!page.contains("id=\"trace-divergence\""), "{page}");
    assert!(
        page.contains("a real run&#39;s trace: all ") || page.contains("a real run's trace: all "),
        "{page}"
    );
    // Every recorded delivery is a step of the path, in the list.
    for e in &delivered {
        let label = e.label.as_deref().expect("a delivery's label");
        assert!(page.contains(label), "{label} is not on the page");
    }
    let steps = location.split('?').next().unwrap().split('/').count() - 3;
    assert!(
        steps >= delivered.len(),
        "{steps} steps, {} deliveries",
        delivered.len()
    );

    // A delivery the run never made: the path stops before it, and the page
    // says which line and why.
    let k = trace
        .iter()
        .position(|e| e.kind == runtime::trace::TraceKind::Delivered && !e.ignored)
        .expect("a delivery");
    let mut edited = trace.clone();
    edited[k].label = Some("Commit".to_string());
    let edited_text = runtime::trace::to_json_lines(&edited);
    let opened = server
        .load(&edited_text)
        .expect("opens up to the divergence");
    let divergence = opened.divergence.clone().expect("diverges");
    assert!(
        divergence.starts_with(&format!("line {} ", k + 1)),
        "{divergence}"
    );
    assert!(divergence.contains("received Commit"), "{divergence}");
    assert!(
        divergence.contains("the model cannot take this step"),
        "{divergence}"
    );
    let (status, page) = get(&server, &opened.target);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"trace-divergence\""), "{page}");
    assert!(page.contains(&format!("line {} ", k + 1)), "{page}");

    // A malformed line is refused, by its number.
    let broken = format!(
        "{}{{\"node\": 0, \"kind\": 3}}\n",
        text.lines().next().unwrap().to_owned() + "\n"
    );
    let (status, _, page) = upload(&server, &broken);
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("line 2"), "{page}");
    // A trace of another model is refused: its nodes are not this model's.
    let other = text.replace("\"name\":\"RM1\"", "\"name\":\"Proposer 1\"");
    let (status, _, page) = upload(&server, &other);
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("another model or configuration"), "{page}");
}
