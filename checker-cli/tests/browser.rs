//! The explorer in a real browser: Debian's headless Chromium, driven over
//! WebDriver (chromedriver), opens the link `dsw check` prints for the
//! Paxos bug `ignore-highest-accepted`'s agreement counterexample, served by
//! `dsw explore`, and checks what a person would see: the steps, the
//! diagram with its lanes, arrows and violated state, and the focus moving
//! as it steps back and forward; then the views issue 19 added: A/M/D
//! markers on state changes, folding actors (their lanes grey, their steps
//! dim), the filter dimming the steps it does not match, a step's copied
//! link opening that step, an ITF trace uploaded in the page, and a lasso
//! (Paxos's duelling proposers, `eventually chosen`) opened with `dsw
//! explore --trace` with its loop drawn as a band. It saves a screenshot
//! and prints where.
//!
//! Chromium and chromedriver come from Debian (`.ci/run` installs them).
//! Where they are missing the test says so and passes, except under CI,
//! where it fails: CI must never pass without having run it. One browser
//! session in all.

// The test tells where its screenshot is, and why it skipped if it did.
#![allow(clippy::print_stderr)]

use fantoccini::{elements::Element, key::Key, Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A child process of this test, killed when the test ends however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The browser's and driver's paths, or `None` (with a note) to skip.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let chromium = std::env::var_os("DSW_CHROMIUM").map_or(PathBuf::from(CHROMIUM), PathBuf::from);
    let driver =
        std::env::var_os("DSW_CHROMEDRIVER").map_or(PathBuf::from(CHROMEDRIVER), PathBuf::from);
    let missing: Vec<String> = [&chromium, &driver]
        .into_iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some((chromium, driver));
    }
    assert!(
        !in_ci(),
        "the browser test needs {}; .ci/run installs Debian's chromium and chromium-driver",
        missing.join(" and ")
    );
    eprintln!(
        "note: skipping the browser test: {} missing (apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    None
}

/// The link printed under `counterexample for "agreement"`, and how many
/// steps that counterexample has.
fn agreement_link(stdout: &str) -> (String, usize) {
    let mut lines = stdout
        .lines()
        .skip_while(|l| !l.starts_with("counterexample for \"agreement\""));
    let header = lines.next().expect("an agreement counterexample");
    let steps: usize = header
        .rsplit(", ")
        .next()
        .and_then(|s| s.strip_suffix(" steps:"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no step count in {header}"));
    let link = lines
        .find_map(|l| l.trim().strip_prefix("explorer: "))
        .expect("an explorer link")
        .to_string();
    (link, steps)
}

/// `dsw explore <args> --bind 127.0.0.1:0`, the address it reports, and
/// the second line it prints, if any (the trace's address, with --trace).
fn start_explorer(args: &[&str]) -> (Killed, String, Option<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dsw"))
        .arg("explore")
        .args(args)
        .args(["--bind", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dsw explore starts");
    let stderr = child.stderr.take().expect("stderr");
    let child = Killed(child);
    // It listens before it prints the address, so the line means ready.
    let (tx, rx) = mpsc::channel();
    let (trace_tx, trace_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("on http://").nth(1) {
                let _ = tx.send(rest.split('/').next().unwrap_or_default().to_string());
            } else if let Some(url) = line.split(": ").find(|p| p.starts_with("http://")) {
                let _ = trace_tx.send(url.to_string());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("dsw explore reports its address");
    let trace = args.contains(&"--trace").then(|| {
        trace_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("dsw explore --trace prints the trace's address")
    });
    (child, addr, trace)
}

/// chromedriver on a free loopback port, once it accepts connections.
fn start_driver(driver: &Path) -> (Killed, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Killed(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text")
}

async fn attr(e: &Element, name: &str) -> String {
    e.attr(name).await.expect("attribute").unwrap_or_default()
}

/// Where the focus is: the step list's current item, the diagram's current
/// row (if any), and the snapshot shown.
async fn focus(c: &Client) -> (String, Option<String>, Vec<String>) {
    let item = c
        .find(Locator::Css("#steps li.current"))
        .await
        .expect("a current step in the list");
    let rows = c
        .find_all(Locator::Css("#diagram svg g.step.current"))
        .await
        .expect("query");
    assert!(rows.len() <= 1, "one current row at most");
    let row = match rows.first() {
        Some(g) => Some(attr(g, "data-step").await),
        None => None,
    };
    let mut shown = Vec::new();
    for s in c
        .find_all(Locator::Css(".snapshot"))
        .await
        .expect("snapshots")
    {
        if s.is_displayed().await.expect("displayed") {
            shown.push(attr(&s, "data-pos").await);
        }
    }
    (attr(&item, "data-pos").await, row, shown)
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// What the browser is shown besides the link.
struct Pages<'a> {
    /// The ITF trace of the same counterexample, to upload.
    itf: &'a Path,
    /// `dsw explore --trace`'s address of the duelling proposers' lasso.
    lasso: &'a str,
}

/// How many of `els` have `class`.
async fn with_class(els: &[Element], class: &str) -> usize {
    let mut n = 0;
    for e in els {
        if attr(e, "class").await.split(' ').any(|c| c == class) {
            n += 1;
        }
    }
    n
}

async fn opacity(c: &Client, css: &str) -> f64 {
    let v = c
        .execute(
            "return getComputedStyle(document.querySelector(arguments[0])).opacity",
            vec![css.into()],
        )
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{css}: opacity {v}"))
}

async fn drive(port: u16, chromium: &Path, url: &str, steps: usize, shot: &Path, more: &Pages<'_>) {
    let profile = std::env::temp_dir().join(format!("dsw-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("a profile directory");
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "chrome".into());
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--hide-scrollbars",
                "--window-size=1440,1150",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a browser session");

    c.goto(url).await.expect("the page loads");
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#walk"))
        .await
        .expect("the path page");
    let n = steps.to_string();

    // The story, the steps and the diagram are on the page.
    let headline = text(&c, "#headline").await;
    assert_eq!(headline, format!("agreement: violated after {steps} steps"));
    let items = c
        .find_all(Locator::Css("#steps li[data-pos]"))
        .await
        .unwrap();
    assert_eq!(items.len(), steps + 1, "the initial state and every step");
    assert!(attr(&items[1], "data-pos").await == "1");
    assert!(items[1]
        .text()
        .await
        .unwrap()
        .contains("client A -> server 0"));
    let lanes = c
        .find_all(Locator::Css("#diagram svg text.name"))
        .await
        .unwrap();
    let mut names = Vec::new();
    for l in &lanes {
        names.push(l.text().await.unwrap());
    }
    assert_eq!(
        names,
        ["server 0", "server 1", "server 2", "client A", "client B"]
    );
    let rows = c
        .find_all(Locator::Css("#diagram svg g.step"))
        .await
        .unwrap();
    assert_eq!(rows.len(), steps, "a diagram row per step");
    let arrows = c
        .find_all(Locator::Css("#diagram svg g.step line"))
        .await
        .unwrap();
    assert!(arrows.len() >= 4, "messages between actors are arrows");
    let diagram = c
        .find(Locator::Css("#diagram svg"))
        .await
        .unwrap()
        .html(false)
        .await
        .unwrap();
    assert!(
        diagram.contains("violated here"),
        "the violated state is marked"
    );
    assert!(
        diagram.contains("Accept { ballot: (1, Id(1)), value: 'B' }"),
        "a message label"
    );

    // The focus starts on the last step: the state that breaks agreement.
    assert_eq!(
        focus(&c).await,
        (n.clone(), Some(n.clone()), vec![n.clone()])
    );
    assert_eq!(text(&c, "#where").await, format!("step {steps} of {steps}"));
    let broken = text(&c, ".snapshot:not([hidden]) .prop.false").await;
    assert!(broken.starts_with("agreement"), "{broken}");

    // Back one step, forward again, to the start, and right with a key.
    let before = (steps - 1).to_string();
    click(&c, "#prev").await;
    assert_eq!(
        focus(&c).await,
        (before.clone(), Some(before.clone()), vec![before])
    );
    assert_eq!(
        text(&c, "#where").await,
        format!("step {} of {steps}", steps - 1)
    );
    click(&c, "#next").await;
    assert_eq!(
        focus(&c).await,
        (n.clone(), Some(n.clone()), vec![n.clone()])
    );
    click(&c, "#first").await;
    assert_eq!(focus(&c).await, ("0".into(), None, vec!["0".into()]));
    assert_eq!(text(&c, "#where").await, "initial state");
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys(&Key::Right.to_string())
        .await
        .unwrap();
    assert_eq!(
        focus(&c).await,
        ("1".into(), Some("1".into()), vec!["1".into()])
    );
    assert!(text(&c, ".snapshot:not([hidden]) h2")
        .await
        .starts_with("After step 1:"));

    // A/M/D: the step list marks each changed field; Paxos's steps change
    // acceptors' fields (M) and add ones not there before (A).
    let marks = c
        .find_all(Locator::Css("#steps .diff abbr.amd"))
        .await
        .unwrap();
    let mut letters = std::collections::BTreeSet::new();
    for m in &marks {
        letters.insert(m.text().await.unwrap());
    }
    assert!(letters.contains("M"), "modified fields marked: {letters:?}");
    assert!(
        letters
            .iter()
            .all(|l| ["A", "M", "D"].contains(&l.as_str())),
        "{letters:?}"
    );
    assert!(
        c.find(Locator::Css("#steps li.modified abbr.amd"))
            .await
            .is_ok(),
        "a marker carries its class"
    );

    // Fold every actor but server 0: the other lanes grey, and the steps
    // that involve none of server 0 dim, in the list and the diagram.
    assert!(c
        .find(Locator::Css("#views"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    for lane in 1..5 {
        click(&c, &format!("#views input.actor[data-lane=\"{lane}\"]")).await;
    }
    assert!(opacity(&c, "#diagram svg g.lane[data-lane=\"1\"]").await < 0.5);
    assert_eq!(
        opacity(&c, "#diagram svg g.lane[data-lane=\"0\"]").await,
        1.0
    );
    assert_eq!(text(&c, "#folded").await, "4 of 5 folded");
    let items = c
        .find_all(Locator::Css("#steps li[data-actors]"))
        .await
        .unwrap();
    let mut without_server_0 = 0;
    for li in &items {
        if !attr(li, "data-actors").await.split(' ').any(|a| a == "0") {
            without_server_0 += 1;
        }
    }
    assert!(without_server_0 > 0 && without_server_0 < steps);
    assert_eq!(with_class(&items, "folded").await, without_server_0);
    let rows = c
        .find_all(Locator::Css("#diagram svg g.step"))
        .await
        .unwrap();
    assert_eq!(with_class(&rows, "folded").await, without_server_0);
    for lane in 1..5 {
        click(&c, &format!("#views input.actor[data-lane=\"{lane}\"]")).await;
    }
    assert_eq!(with_class(&items, "folded").await, 0);
    assert_eq!(text(&c, "#folded").await, "");

    // The filter: "accept" keeps the steps whose line says it (Accept and
    // Accepted messages), and dims the rest, in the list and the diagram.
    let filter = c.find(Locator::Css("#filter")).await.unwrap();
    filter.send_keys("accept").await.unwrap();
    let mut unmatched = 0;
    for li in &items {
        if !attr(li, "data-line")
            .await
            .to_lowercase()
            .contains("accept")
        {
            unmatched += 1;
        }
    }
    assert!(unmatched > 0 && unmatched < steps, "{unmatched} of {steps}");
    assert_eq!(with_class(&items, "unmatched").await, unmatched);
    assert_eq!(with_class(&rows, "unmatched").await, unmatched);
    assert_eq!(
        text(&c, "#matches").await,
        format!("{} of {steps} steps match", steps - unmatched)
    );
    // The arrow keys stay in the box while it has the focus.
    filter.send_keys(&Key::Left.to_string()).await.unwrap();
    assert_eq!(focus(&c).await.0, "1");
    filter.clear().await.unwrap();
    filter.send_keys(" ").await.unwrap();
    assert_eq!(with_class(&items, "unmatched").await, 0);

    // A step's link: clicking it copies the page's address with #step=2
    // and moves the focus there; opened afresh, that address shows step 2.
    click(&c, "#steps li[data-pos=\"2\"] a.deeplink").await;
    let link = c
        .find(Locator::Css("#steps li[data-pos=\"2\"] a.deeplink"))
        .await
        .unwrap();
    let copied = attr(&link, "data-copied").await;
    assert!(
        copied.starts_with("http://") && copied.contains("/path/") && copied.ends_with("#step=2"),
        "{copied}"
    );
    assert_eq!(focus(&c).await.0, "2");
    c.goto("about:blank").await.unwrap();
    c.goto(&copied).await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#walk"))
        .await
        .unwrap();
    assert_eq!(
        focus(&c).await,
        ("2".into(), Some("2".into()), vec!["2".into()])
    );

    // Back to the violation, seen from the top, for the picture.
    click(&c, "#last").await;
    c.execute("window.scrollTo(0, 0)", Vec::new())
        .await
        .expect("scrolls");
    let png = c.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(shot, &png).expect("the screenshot is saved");

    // The same counterexample's ITF trace, uploaded on the index page,
    // opens as the same path.
    let home = format!("{}/", url.split("/path/").next().unwrap_or(url));
    c.goto(&home).await.unwrap();
    c.find(Locator::Css("#trace-file"))
        .await
        .expect("the upload form")
        .send_keys(&more.itf.display().to_string())
        .await
        .expect("a file chosen");
    click(&c, "#trace-open").await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#walk"))
        .await
        .expect("the uploaded trace's page");
    assert_eq!(text(&c, "#headline").await, headline);
    assert!(c.current_url().await.unwrap().as_str().contains("/path/"));

    // A lasso opened with dsw explore --trace: its loop is a band in the
    // diagram and over its steps in the list.
    c.goto(more.lasso).await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#walk"))
        .await
        .expect("the lasso's page");
    let headline = text(&c, "#headline").await;
    assert_eq!(
        headline,
        "eventually chosen: violated by a run that loops forever"
    );
    let band = c
        .find(Locator::Css("#diagram svg rect.loop-band"))
        .await
        .expect("the loop's band");
    assert!(band.is_displayed().await.unwrap());
    let in_loop = c.find_all(Locator::Css("#steps li.in-loop")).await.unwrap();
    let all = c
        .find_all(Locator::Css("#steps li[data-actors]"))
        .await
        .unwrap();
    assert!(!in_loop.is_empty() && in_loop.len() < all.len());
    let first = attr(&in_loop[0], "data-pos").await;
    let k: usize = more
        .lasso
        .split("loop=")
        .nth(1)
        .and_then(|k| k.split('&').next())
        .and_then(|k| k.parse().ok())
        .expect("the link's loop");
    assert_eq!(
        first,
        (k + 1).to_string(),
        "the band starts where the loop does"
    );
    assert_eq!(in_loop.len(), all.len() - k);
    c.close().await.expect("the session ends");
    let _ = std::fs::remove_dir_all(&profile);
}

#[test]
fn the_paxos_counterexample_opens_and_steps_in_chromium() {
    let Some((chromium, driver)) = browser() else {
        return;
    };
    let itf = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-itf");
    let _ = std::fs::remove_dir_all(&itf);
    let check = Command::new(env!("CARGO_BIN_EXE_dsw"))
        .args([
            "check",
            "paxos",
            "--variant",
            "ignore-highest-accepted",
            "--itf",
        ])
        .arg(&itf)
        .output()
        .expect("dsw check runs");
    assert_eq!(check.status.code(), Some(1), "the bug is caught");
    let (link, steps) = agreement_link(&String::from_utf8_lossy(&check.stdout));
    // The link names the first free default port; this test serves the
    // same path on a port of its own.
    let target = link
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once('/'))
        .map(|(_, target)| target.to_string())
        .unwrap_or_else(|| panic!("not a link: {link}"));

    let (_explorer, addr, _) = start_explorer(&["paxos", "--variant", "ignore-highest-accepted"]);
    let agreement = itf.join("paxos-ignore-highest-accepted-agreement.itf.json");
    assert!(
        agreement.is_file(),
        "dsw check --itf wrote {}",
        agreement.display()
    );
    // The duelling proposers' lasso, as an ITF file, opened with --trace.
    let duel = Command::new(env!("CARGO_BIN_EXE_dsw"))
        .args([
            "check",
            "paxos",
            "--scenario",
            "duelling-proposers",
            "--itf",
        ])
        .arg(&itf)
        .output()
        .expect("dsw check runs");
    assert_eq!(duel.status.code(), Some(1), "the lasso is found");
    let lasso_file = itf.join("paxos-duelling-proposers-eventually_chosen.itf.json");
    assert!(
        lasso_file.is_file(),
        "dsw check --itf wrote {}",
        lasso_file.display()
    );
    let lasso_arg = lasso_file.display().to_string();
    let (_lasso_explorer, _, lasso) = start_explorer(&["paxos", "--trace", &lasso_arg]);
    let lasso = lasso.expect("the lasso's address");
    let url = format!("http://{addr}/{target}");
    let (_driver, port) = start_driver(&driver);
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("explorer-paxos.png");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(180),
            drive(
                port,
                &chromium,
                &url,
                steps,
                &shot,
                &Pages {
                    itf: &agreement,
                    lasso: &lasso,
                },
            ),
        )
        .await
        .expect("the browser test finishes within 3 minutes");
    });
    eprintln!("screenshot: {}", shot.display());
}
