//! The explorer in a real browser: Debian's headless Chromium, driven over
//! WebDriver (chromedriver), opens the link `dsw check` prints for the
//! Paxos bug `ignore-highest-accepted`'s agreement counterexample, served by
//! `dsw explore`, and checks what a person would see: the steps, the
//! diagram with its lanes, arrows and violated state, and the focus moving
//! as it steps back and forward. It saves a screenshot and prints where.
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

/// `dsw explore ... --bind 127.0.0.1:0`, and the address it reports.
fn start_explorer() -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dsw"))
        .args([
            "explore",
            "paxos",
            "--variant",
            "ignore-highest-accepted",
            "--bind",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dsw explore starts");
    let stderr = child.stderr.take().expect("stderr");
    let child = Killed(child);
    // It listens before it prints the address, so the line means ready.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("on http://").nth(1) {
                let _ = tx.send(rest.split('/').next().unwrap_or_default().to_string());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("dsw explore reports its address");
    (child, addr)
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

async fn drive(port: u16, chromium: &Path, url: &str, steps: usize, shot: &Path) {
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

    // Back to the violation, seen from the top, for the picture.
    click(&c, "#last").await;
    c.execute("window.scrollTo(0, 0)", Vec::new())
        .await
        .expect("scrolls");
    let png = c.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(shot, &png).expect("the screenshot is saved");
    c.close().await.expect("the session ends");
    let _ = std::fs::remove_dir_all(&profile);
}

#[test]
fn the_paxos_counterexample_opens_and_steps_in_chromium() {
    let Some((chromium, driver)) = browser() else {
        return;
    };
    let check = Command::new(env!("CARGO_BIN_EXE_dsw"))
        .args(["check", "paxos", "--variant", "ignore-highest-accepted"])
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

    let (_explorer, addr) = start_explorer();
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
            drive(port, &chromium, &url, steps, &shot),
        )
        .await
        .expect("the browser test finishes within 3 minutes");
    });
    eprintln!("screenshot: {}", shot.display());
}
