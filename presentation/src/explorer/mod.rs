//! The web explorer: a counterexample as a page a person can step through.
//!
//! `dsw explore` serves it; `dsw check` prints, for each violated property,
//! a link ([`link`]) that opens it on exactly that path. A page shows the
//! path as a sequence diagram (the reports' renderer, [`crate::svg`]), the
//! steps with what each changed in which actor ([`crate::diff`]), every
//! actor's state after the step in focus, and the steps enabled at the end,
//! each a link one step longer: so it also explores paths no check found.
//!
//! Why not Stateright's explorer: it loads its UI from `./ui` in the working
//! directory, shows states as raw `Debug` text without a diagram, panics on
//! some receive errors, and knows nothing of lassos. This one is a small
//! server of its own ([`http`]): a fixed set of routes ([`route`]), pages
//! and assets compiled in, no file system access, bounded requests, one
//! request per connection and a thread per connection (at most
//! [`MAX_CONNECTIONS`]), every handler behind `catch_unwind`.
//!
//! Routes: `/` (the model, its properties, a check to run, and a form to
//! upload a trace), `/check` (starts it), `/path/<init>/<action>/...?property=P&loop=K`
//! (a path; `loop` marks where a lasso's loop starts), `/compare/...` with
//! the same path and query (a bug variant's counterexample beside the
//! correct protocol on its schedule, [`compare`]), `POST /load` (an
//! ITF trace `dsw check --itf` wrote, uploaded as the request's body and
//! followed on the model ([`Site::load`]): answered with the path's page's
//! address; the server never opens a file named in a request), `/explorer.css`,
//! `/explorer.js`. Paths use Stateright's encoding (the initial state's
//! index, then each action's index among those enabled), as
//! [`Counterexample::path`] does.

mod compare;
pub mod http;
mod page;
pub mod route;

use crate::report::step_line;
use checker::analyses::Analyses;
use checker::describe::Describe;
use checker::explore::Progress;
use checker::liveness::FairnessClasses;
use checker::summary::{CheckSummary, Counterexample, CounterexampleKind, PropertyKind, Step};
use http::{Refusal, Request, Response};
use page::{PathView, PropertyLine};
use route::{PathQuery, Route, RouteError};
use stateright::{Expectation, Model};
use std::fmt::Debug;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Where `dsw explore` listens unless `--bind` says otherwise or the port
/// is taken ([`default_listener`]), and so the address in the links
/// `dsw check` prints.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

/// How many ports from [`DEFAULT_ADDR`]'s up `dsw explore` tries, without
/// `--bind`, before it gives up: another explorer (say, the one opened for
/// the previous check) may hold the first.
pub const DEFAULT_PORTS: u16 = 100;

/// The first of the default ports (3000, 3001, ...) free to listen on,
/// listening: what `dsw explore` serves on without `--bind`. Since it is
/// the first free one, [`default_addr`] tells beforehand which it will be.
pub fn default_listener() -> io::Result<TcpListener> {
    let first: SocketAddr = DEFAULT_ADDR.parse().expect("DEFAULT_ADDR is an address");
    let mut last = None;
    for port in first.port()..first.port().saturating_add(DEFAULT_PORTS) {
        match TcpListener::bind(SocketAddr::new(first.ip(), port)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    let e = last.expect("at least one port tried");
    Err(io::Error::new(
        e.kind(),
        format!(
            "ports {} to {} of {} are all taken (last: {e})",
            first.port(),
            first.port().saturating_add(DEFAULT_PORTS - 1),
            first.ip()
        ),
    ))
}

/// The address `dsw explore` without `--bind` would serve on now (the
/// first free default port), for the links printed before it runs; the
/// default address if none is free (then `dsw explore` says so).
pub fn default_addr() -> String {
    match default_listener() {
        // Dropped at once: a listener that never accepted leaves nothing
        // behind that keeps the port.
        Ok(l) => l
            .local_addr()
            .map_or(DEFAULT_ADDR.to_string(), |a| a.to_string()),
        Err(_) => DEFAULT_ADDR.to_string(),
    }
}

/// Connections served at once, each on a thread of its own (a browser keeps
/// idle connections open, so a small pool would stall); past that, a
/// connection is told to come back (503).
const MAX_CONNECTIONS: usize = 64;

/// The link that opens the explorer at `addr` on `ce`, a counterexample of
/// `property` (with its loop marked if it is a lasso).
pub fn link(addr: &str, property: &str, ce: &Counterexample) -> String {
    let mut url = format!(
        "http://{addr}/path/{}?property={}",
        ce.path,
        route::percent_encode(property)
    );
    if let Some(k) = ce.loop_start {
        url.push_str(&format!("&loop={k}"));
    }
    url
}

/// Follows a path of the bug variant the explorer serves (a
/// counterexample to the named property, of that kind) on the correct
/// protocol: `dsw compare` on that path ([`checker::compare::compare`]).
pub type CompareFn = Box<
    dyn Fn(&str, PropertyKind, &Counterexample) -> Result<checker::compare::Comparison, String>
        + Send
        + Sync,
>;

/// A trace file opened as a path of the model served.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opened {
    /// The path page's address (`/path/0/3/1?property=P&loop=K`).
    pub target: String,
    /// What the path page says about the trace above the path (a real
    /// run's trace: how much of it the path follows); none for ITF.
    pub notes: Vec<String>,
    /// The recorded event the model could not take, and why: the path
    /// stops before it.
    pub divergence: Option<String>,
}

/// Reads a trace file's text as a path of the model served ([`Opened`]),
/// or why the file is not one (neither ITF nor a real run's trace, another
/// model or configuration, a step the model does not take).
pub type LoadFn = Arc<dyn Fn(&str) -> Result<Opened, String> + Send + Sync>;

/// How many opened traces' notes the explorer keeps for their pages
/// (`&trace=N`); older ones are forgotten.
const KEPT_TRACES: usize = 32;

/// The notes of the traces opened so far, by number, the newest last.
#[derive(Default)]
struct Traces {
    next: usize,
    kept: std::collections::VecDeque<(usize, Opened)>,
}

/// Opens `text` with `load`; a trace with something to say gets a number,
/// and its page's address names it (`&trace=N`).
fn open_trace(load: &LoadFn, traces: &Mutex<Traces>, text: &str) -> Result<Opened, String> {
    let mut opened = load(text)?;
    if opened.notes.is_empty() && opened.divergence.is_none() {
        return Ok(opened);
    }
    let mut t = traces.lock().unwrap_or_else(PoisonError::into_inner);
    let n = t.next;
    t.next += 1;
    let sep = if opened.target.contains('?') {
        '&'
    } else {
        '?'
    };
    opened.target = format!("{}{sep}trace={n}", opened.target);
    t.kept.push_back((n, opened.clone()));
    if t.kept.len() > KEPT_TRACES {
        t.kept.pop_front();
    }
    Ok(opened)
}

/// Checks the model the explorer serves, reporting progress.
pub type CheckFn = Box<dyn Fn(&mut dyn FnMut(&Progress)) -> CheckSummary + Send + Sync>;

/// What the explorer says about the model beyond the model itself.
pub struct Site {
    /// The model's CLI name (`paxos`).
    pub model: String,
    pub variant: String,
    /// `clients=2 crashes=1 servers=3`.
    pub params: String,
    /// Where each property comes from (paper and section), by name.
    pub sources: Vec<(String, String)>,
    /// Runs the check when the index page asks for it.
    pub check: CheckFn,
    /// The fairness of that check, by which a path that stops is judged a
    /// fair run or not.
    pub fairness: checker::liveness::Fairness,
    /// For a bug variant: its paths followed on the correct protocol, the
    /// page `/compare/<path>?property=P` that a counterexample's page links.
    pub compare: Option<CompareFn>,
    /// Opens a trace uploaded to the page (or given to `dsw explore
    /// --trace`) as a path; `None` when the model has no trace format.
    pub load: Option<LoadFn>,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("model", &self.model)
            .field("variant", &self.variant)
            .finish_non_exhaustive()
    }
}

/// A running explorer. Dropping it stops it.
pub struct Server {
    addr: SocketAddr,
    load: Option<LoadFn>,
    traces: Arc<Mutex<Traces>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// The address it answers on (the real port, if it was asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page (`/path/...`) that shows the trace `text`, as an upload of
    /// it would; or why it cannot be shown.
    pub fn load(&self, text: &str) -> Result<Opened, String> {
        match &self.load {
            Some(load) => open_trace(load, &self.traces, text),
            None => Err("this model has no trace format the explorer reads".into()),
        }
    }

    /// Blocks for as long as the server runs (until the process ends).
    pub fn wait(mut self) {
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }

    fn shut_down(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop with a connection of our own.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        if TcpStream::connect_timeout(&wake, Duration::from_secs(2)).is_ok() {
            let _ = accept.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Serves the explorer for `model` on `listener`, on threads of its own,
/// until the returned [`Server`] is dropped.
///
/// `analyses` is what the model declares besides its properties: links to
/// a refinement's counterexample are checked with it, a lasso's loop is
/// judged under the model's view, and excluded actions are not offered.
pub fn serve<M>(
    listener: TcpListener,
    model: M,
    analyses: Analyses<M>,
    site: Site,
) -> io::Result<Server>
where
    M: Model + Describe + FairnessClasses + Send + Sync + 'static,
    M::State: Clone + Debug + PartialEq + Send + Sync,
    M::Action: Clone + Debug + PartialEq + Send + Sync,
{
    let addr = listener.local_addr()?;
    let load = site.load.clone();
    let traces = Arc::new(Mutex::new(Traces::default()));
    let shared = Arc::new(Shared {
        model,
        analyses,
        site,
        traces: Arc::clone(&traces),
        check: Mutex::new(CheckState::Idle),
    });
    let active = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let accept = std::thread::Builder::new()
        .name("explorer-accept".into())
        .spawn(move || {
            for conn in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut stream) = conn else {
                    // Out of file descriptors, say: let some close.
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                };
                if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    active.fetch_sub(1, Ordering::SeqCst);
                    busy(&mut stream);
                    continue;
                }
                // The slot is given back when the connection's thread ends,
                // however it ends (or if it never starts).
                let slot = Slot(Arc::clone(&active));
                let shared = Arc::clone(&shared);
                let _ = std::thread::Builder::new()
                    .name("explorer-conn".into())
                    .spawn(move || {
                        let _slot = slot;
                        answer(&shared, &mut stream);
                    });
            }
        })?;
    Ok(Server {
        addr,
        load,
        traces,
        stop,
        accept: Some(accept),
    })
}

/// One of the [`MAX_CONNECTIONS`], held while a connection is served.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Tells a connection the server has too many already.
fn busy(stream: &mut TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let response = Response::html(
        503,
        page::error(503, "Busy", "Too many connections at once; try again."),
    );
    let _ = http::respond(stream, &response, false);
}

/// What the check started from the index page is doing.
enum CheckState {
    Idle,
    Running(Option<Progress>),
    Done(Box<CheckSummary>),
    Failed(String),
}

struct Shared<M: Model> {
    model: M,
    analyses: Analyses<M>,
    site: Site,
    traces: Arc<Mutex<Traces>>,
    check: Mutex<CheckState>,
}

/// Reads one request from `stream` and answers it; a handler that panics
/// gets a 500 page, and the server goes on.
fn answer<M>(shared: &Arc<Shared<M>>, stream: &mut TcpStream)
where
    M: Model + Describe + FairnessClasses + Send + Sync + 'static,
    M::State: Clone + Debug + PartialEq + Send + Sync,
    M::Action: Clone + Debug + PartialEq + Send + Sync,
{
    let request = match http::read_request(stream) {
        Ok(Some(r)) => r,
        Ok(None) | Err(_) => return,
    };
    let (response, head_only) = match request {
        Err(refusal) => (refused(&refusal), false),
        Ok(Request {
            method,
            target,
            content_type,
            body,
        }) => {
            let head_only = method == "HEAD";
            let response = if method == "POST" && route::route(&target) == Ok(Route::Load) {
                catch_unwind(AssertUnwindSafe(|| {
                    load(&shared.site, &shared.traces, content_type.as_deref(), &body)
                }))
                .unwrap_or_else(|_| {
                    Response::html(
                        500,
                        page::error(
                            500,
                            "Internal error",
                            "The explorer failed on this trace (see its terminal); \
                             it goes on serving others.",
                        ),
                    )
                })
            } else if method == "GET" || head_only {
                catch_unwind(AssertUnwindSafe(|| handle(shared, &target))).unwrap_or_else(|_| {
                    Response::html(
                        500,
                        page::error(
                            500,
                            "Internal error",
                            "The explorer failed on this request (see its terminal); \
                             it goes on serving others.",
                        ),
                    )
                })
            } else {
                Response::html(
                    405,
                    page::error(
                        405,
                        "Method not allowed",
                        "The explorer answers GET and HEAD, and POST only at /load.",
                    ),
                )
                .header("Allow", "GET, HEAD")
            };
            (response, head_only)
        }
    };
    let _ = http::respond(stream, &response, head_only);
}

fn refused(refusal: &Refusal) -> Response {
    let (title, message) = match refusal {
        Refusal::UriTooLong => (
            "Address too long",
            format!(
                "The request's address is longer than the explorer reads ({} bytes).",
                http::MAX_HEAD
            ),
        ),
        Refusal::HeadTooLarge => (
            "Request too large",
            format!(
                "The request's headers are larger than the explorer reads ({} bytes).",
                http::MAX_HEAD
            ),
        ),
        Refusal::Malformed => ("Bad request", "That is not an HTTP/1.1 request.".into()),
        Refusal::BodyTooLarge => (
            "Trace too large",
            format!(
                "The explorer reads uploads of at most {} MiB.",
                http::MAX_BODY / (1024 * 1024)
            ),
        ),
    };
    Response::html(
        refusal.status(),
        page::error(refusal.status(), title, &message),
    )
}

fn handle<M>(shared: &Arc<Shared<M>>, target: &str) -> Response
where
    M: Model + Describe + FairnessClasses + Send + Sync + 'static,
    M::State: Clone + Debug + PartialEq + Send + Sync,
    M::Action: Clone + Debug + PartialEq + Send + Sync,
{
    match route::route(target) {
        Ok(Route::Index) => Response::html(200, index(shared)),
        Ok(Route::Check) => {
            start_check(shared);
            Response::html(303, page::error(303, "Checking", "The check has started."))
                .header("Location", "/")
        }
        Ok(Route::Asset(name)) => {
            let (body, kind) = page::asset(name);
            Response::new(200, kind, body)
        }
        Ok(Route::Favicon) => Response::new(204, "text/plain", Vec::new()),
        Ok(Route::Compare(q)) => compare::respond(shared, &q),
        // The form is on the index page.
        Ok(Route::Load) => Response::html(303, page::error(303, "Upload", "Upload a trace here."))
            .header("Location", "/#load"),
        Ok(Route::Path(q)) => match path_view(&shared.model, &shared.analyses, &shared.site, &q) {
            Ok(mut view) => {
                if let Some(n) = q.trace {
                    let t = shared.traces.lock().unwrap_or_else(PoisonError::into_inner);
                    match t.kept.iter().find(|(k, _)| *k == n) {
                        Some((_, opened)) => {
                            view.trace_notes.clone_from(&opened.notes);
                            view.divergence.clone_from(&opened.divergence);
                        }
                        None => view.notes.push(format!(
                            "trace={n}: this explorer keeps what it said about the last \
                             {KEPT_TRACES} traces opened, and {n} is not one of them."
                        )),
                    }
                }
                Response::html(200, page::path(&shared.site, &view))
            }
            Err((status, message)) => {
                Response::html(status, page::error(status, "No such path", &message))
            }
        },
        Err(RouteError::NotFound) => Response::html(
            404,
            page::error(
                404,
                "Not found",
                &format!(
                    "The explorer has no page at {}.",
                    route::shorten(target, 80)
                ),
            ),
        ),
        Err(RouteError::Malformed(why)) => {
            Response::html(400, page::error(400, "Malformed path", &why))
        }
    }
}

/// `POST /load`: the uploaded trace's path page (by a redirect to its
/// address), or an error page that says why the file is not one.
fn load(site: &Site, traces: &Mutex<Traces>, content_type: Option<&str>, body: &[u8]) -> Response {
    let bad =
        |message: &str| Response::html(400, page::error(400, "Not a trace of this model", message));
    let Some(load) = &site.load else {
        return bad("This model has no trace format the explorer reads.");
    };
    let Some(file) = http::posted_file(content_type, body) else {
        return bad(
            "The upload is not a form the explorer reads (multipart/form-data with one file).",
        );
    };
    if file.iter().all(u8::is_ascii_whitespace) {
        return bad(
            "The file is empty: choose an ITF trace (*.itf.json) written by dsw check --itf, \
             or a real run's trace (JSON lines) written by dsw run --trace.",
        );
    }
    let Ok(text) = std::str::from_utf8(file) else {
        return bad("The file is not text (UTF-8), so not a trace.");
    };
    match open_trace(load, traces, text) {
        Ok(Opened { target, .. }) => Response::html(
            303,
            page::error(
                303,
                "See the path",
                "The trace is the path this redirect leads to.",
            ),
        )
        .header("Location", target),
        Err(why) => bad(&why),
    }
}

fn start_check<M>(shared: &Arc<Shared<M>>)
where
    M: Model + Send + Sync + 'static,
{
    {
        let mut state = shared.check.lock().unwrap_or_else(PoisonError::into_inner);
        if matches!(*state, CheckState::Running(_) | CheckState::Done(_)) {
            return;
        }
        *state = CheckState::Running(None);
    }
    let worker = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("explorer-check".into())
        .spawn(move || {
            let shared = worker;
            let result = catch_unwind(AssertUnwindSafe(|| {
                (shared.site.check)(&mut |p: &Progress| {
                    *shared.check.lock().unwrap_or_else(PoisonError::into_inner) =
                        CheckState::Running(Some(p.clone()));
                })
            }));
            *shared.check.lock().unwrap_or_else(PoisonError::into_inner) = match result {
                Ok(summary) => CheckState::Done(Box::new(summary)),
                Err(_) => CheckState::Failed("the check panicked (see the terminal)".into()),
            };
        });
    if spawned.is_err() {
        *shared.check.lock().unwrap_or_else(PoisonError::into_inner) =
            CheckState::Failed("could not start a thread for the check".into());
    }
}

fn index<M>(shared: &Shared<M>) -> String
where
    M: Model + Describe + FairnessClasses,
    M::State: Debug,
{
    let model = &shared.model;
    let inits: Vec<String> = model
        .init_states()
        .iter()
        .map(|s| model.describe_state(s).join(" · "))
        .collect();
    let properties: Vec<(String, PropertyKind)> = model
        .properties()
        .iter()
        .map(|p| {
            (
                p.name.to_string(),
                PropertyKind::from(p.expectation.clone()),
            )
        })
        .chain(
            shared
                .analyses
                .leads_to
                .iter()
                .map(|l| (l.name.clone(), PropertyKind::LeadsTo)),
        )
        .chain(
            shared
                .analyses
                .refinements
                .iter()
                .map(|r| (r.name.clone(), PropertyKind::Refines)),
        )
        .collect();
    let state = shared.check.lock().unwrap_or_else(PoisonError::into_inner);
    let check = match &*state {
        CheckState::Idle => page::CheckStatus::Idle,
        CheckState::Running(p) => page::CheckStatus::Running(p.clone()),
        CheckState::Done(s) => page::CheckStatus::Done(s),
        CheckState::Failed(why) => page::CheckStatus::Failed(why),
    };
    page::index(&shared.site, &model.lanes(), &inits, &properties, &check)
}

/// A replayed path: the states and the actions between them.
struct Walk<M: Model> {
    states: Vec<M::State>,
    actions: Vec<M::Action>,
}

/// Follows `indices` from an initial state; an index that names no enabled
/// step is an error with the reason, never a panic.
fn replay<M>(model: &M, indices: &[usize]) -> Result<Walk<M>, String>
where
    M: Model,
    M::State: Clone,
    M::Action: Clone,
{
    let inits = model.init_states();
    let Some(first) = indices.first() else {
        return Err("the path is empty".into());
    };
    let Some(init) = inits.get(*first).cloned() else {
        return Err(format!(
            "there is no initial state {first}: the model has {} (0 to {})",
            inits.len(),
            inits.len().saturating_sub(1)
        ));
    };
    let mut walk = Walk {
        states: vec![init],
        actions: Vec::with_capacity(indices.len() - 1),
    };
    for (n, &i) in indices[1..].iter().enumerate() {
        let state = &walk.states[n];
        let mut actions = Vec::new();
        model.actions(state, &mut actions);
        let Some(action) = actions.get(i).cloned() else {
            return Err(match actions.len() {
                0 => format!(
                    "step {} asks for action {i}, but no step is enabled there",
                    n + 1
                ),
                1 => format!(
                    "step {} asks for action {i}, but only action 0 is enabled there",
                    n + 1
                ),
                k => format!(
                    "step {} asks for action {i}, but only {k} are enabled there (0 to {})",
                    n + 1,
                    k - 1
                ),
            });
        };
        let Some(next) = model.next_state(state, action.clone()) else {
            return Err(format!(
                "step {} takes action {i}, which changes nothing there (the model ignores it)",
                n + 1
            ));
        };
        walk.states.push(next);
        walk.actions.push(action);
    }
    Ok(walk)
}

/// Everything the path page shows, computed from the model.
fn path_view<M>(
    model: &M,
    analyses: &Analyses<M>,
    site: &Site,
    q: &PathQuery,
) -> Result<PathView, (u16, String)>
where
    M: Model + Describe + FairnessClasses,
    M::State: Clone + Debug + PartialEq,
    M::Action: Clone + Debug + PartialEq,
{
    let properties = model.properties();
    let refinement = q
        .property
        .as_ref()
        .and_then(|name| analyses.refinements.iter().find(|r| r.name == *name));
    let leads_to = q
        .property
        .as_ref()
        .and_then(|name| analyses.leads_to.iter().find(|l| l.name == *name));
    let selected = match &q.property {
        None => None,
        Some(_) if refinement.is_some() || leads_to.is_some() => None,
        Some(name) => Some(properties.iter().find(|p| p.name == name).ok_or_else(|| {
            (
                400,
                format!(
                    "the model has no property \"{}\"; it has: {}",
                    route::shorten(name, 60),
                    properties
                        .iter()
                        .map(|p| p.name)
                        .chain(analyses.leads_to.iter().map(|l| l.name.as_str()))
                        .chain(analyses.refinements.iter().map(|r| r.name.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?),
    };
    let walk = replay(model, &q.indices).map_err(|e| (404, e))?;
    let n = walk.actions.len();
    if let Some(k) = q.loop_start {
        if k >= n {
            return Err((
                400,
                format!(
                    "loop={k}: the path has {n} steps, so a loop starts at 0 to {}",
                    n.max(1) - 1
                ),
            ));
        }
    }
    let steps: Vec<Step> = walk
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| model.describe_step(&walk.states[i], a, &walk.states[i + 1]))
        .collect();
    let positions: Vec<Vec<String>> = walk
        .states
        .iter()
        .map(|s| model.describe_state(s))
        .collect();
    let last = &walk.states[n];
    let enabled: Vec<(usize, M::Action, M::State)> = {
        let mut actions = Vec::new();
        model.actions(last, &mut actions);
        actions
            .into_iter()
            .enumerate()
            .filter(|(_, a)| analyses.excluded.as_ref().is_none_or(|x| !x(a)))
            .filter_map(|(i, a)| {
                let next = model.next_state(last, a.clone())?;
                Some((i, a, next))
            })
            .collect()
    };
    let holds = |p: &stateright::Property<M>, s: &M::State| (p.condition)(model, s);

    // What the link claims, checked against the path itself.
    // Under a view, a loop closes when it returns to a state with the same
    // view (e.g. the same ballots up to renumbering), not the same state.
    let same = |a: &M::State, b: &M::State| match &analyses.view {
        Some(view) => view(a) == view(b),
        None => a == b,
    };
    let loop_closes = q.loop_start.is_some_and(|k| same(&walk.states[k], last));
    let mut notes = Vec::new();
    if q.loop_start.is_some() && !loop_closes {
        notes.push(
            "The link marks a loop, but the last state is not the state where the loop starts, \
             so the path does not loop; it is shown without the loop."
                .to_string(),
        );
    }
    let loop_start = q.loop_start.filter(|_| loop_closes);
    let never = |p: &stateright::Property<M>| walk.states.iter().all(|s| !holds(p, s));
    // For a leads-to P ~> Q: the first state where P holds and Q never
    // holds again on this path (on a lasso, from where the loop starts on
    // too), if there is one.
    let unanswered = leads_to.and_then(|l| {
        let never_q_from = |k: usize| walk.states[k..].iter().all(|s| !(l.q)(s));
        (0..=n)
            .find(|&i| (l.p)(&walk.states[i]) && never_q_from(loop_start.map_or(i, |k| k.min(i))))
    });
    let may_stop_here = site.fairness == checker::liveness::Fairness::None
        || enabled
            .iter()
            .all(|(_, a, _)| model.fairness_class(a).is_none());
    let (kind, headline, plain) = match (selected, refinement) {
        (None, None) if leads_to.is_some() => {
            let name = leads_to.map_or("", |l| l.name.as_str());
            match unanswered {
                Some(i) if loop_start.is_some() => (
                    CounterexampleKind::Lasso,
                    format!("{name}: violated, P holds after step {i} and Q never does after, on a run that loops forever"),
                    false,
                ),
                Some(i) if enabled.is_empty() => (
                    CounterexampleKind::Deadlock,
                    format!("{name}: violated, P holds after step {i} and the run stops after {n} step{} without Q", plural(n)),
                    false,
                ),
                Some(i) if may_stop_here => (
                    CounterexampleKind::Stutter,
                    format!("{name}: violated, P holds after step {i} and the run stops after {n} step{} without Q: nothing more need happen", plural(n)),
                    false,
                ),
                _ => (
                    CounterexampleKind::Lasso,
                    format!("{name} is not shown violated by this path"),
                    true,
                ),
            }
        }
        (_, Some(r)) if !r.judged() => (
            CounterexampleKind::Refinement,
            format!(
                "{}: not judged: {}",
                r.name,
                r.unjudged.as_deref().unwrap_or_default()
            ),
            true,
        ),
        (_, Some(r)) => {
            let broken = match n {
                0 => !r.maps_init(&walk.states[0]),
                _ => !r.maps_step(&walk.states[n - 1], last),
            };
            if broken {
                (
                    CounterexampleKind::Refinement,
                    format!("{}: step {n} is no step of the spec", r.name),
                    false,
                )
            } else {
                (
                    CounterexampleKind::Refinement,
                    format!("{}: the last step maps to the spec", r.name),
                    true,
                )
            }
        }
        (Some(p), None) => {
            let name = p.name;
            match p.expectation {
                Expectation::Always if !holds(p, last) => (
                    CounterexampleKind::Violation,
                    format!("{name}: violated after {n} step{}", plural(n)),
                    false,
                ),
                Expectation::Always => (
                    CounterexampleKind::Violation,
                    format!("{name} holds at the end of this path"),
                    true,
                ),
                Expectation::Sometimes if holds(p, last) => (
                    CounterexampleKind::Example,
                    format!("{name}: an example in {n} step{}", plural(n)),
                    false,
                ),
                Expectation::Sometimes => (
                    CounterexampleKind::Example,
                    format!("{name} is not true at the end of this path"),
                    true,
                ),
                Expectation::Eventually if loop_start.is_some() && never(p) => (
                    CounterexampleKind::Lasso,
                    format!("{name}: violated by a run that loops forever"),
                    false,
                ),
                Expectation::Eventually if enabled.is_empty() && never(p) => (
                    CounterexampleKind::Deadlock,
                    format!(
                        "{name}: violated, the run stops after {n} step{}",
                        plural(n)
                    ),
                    false,
                ),
                // TLA+'s semantics: a run may stop where fairness demands
                // none of the enabled steps (only crashes, losses, ...).
                Expectation::Eventually
                    if loop_start.is_none()
                        && never(p)
                        && (site.fairness == checker::liveness::Fairness::None
                            || enabled
                                .iter()
                                .all(|(_, a, _)| model.fairness_class(a).is_none())) =>
                {
                    (
                        CounterexampleKind::Stutter,
                        format!(
                            "{name}: violated, the run stops after {n} step{}: nothing more need happen",
                            plural(n)
                        ),
                        false,
                    )
                }
                Expectation::Eventually => (
                    CounterexampleKind::Lasso,
                    format!("{name} is not shown violated by this path"),
                    true,
                ),
            }
        }
        (None, None) => (
            CounterexampleKind::Violation,
            format!("A path of {n} step{}", plural(n)),
            true,
        ),
    };
    let lanes = model.lanes();
    let ce = Counterexample {
        kind,
        path: q
            .indices
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("/"),
        actors: lanes.clone(),
        steps,
        loop_start,
        final_states: positions[n].clone(),
    };
    let title = format!(
        "{} ({}): {}",
        site.model,
        site.variant,
        headline.trim_end_matches('.')
    );
    let end_words = if plain {
        Some(if enabled.is_empty() {
            "end of the path: no step is enabled"
        } else {
            "end of the path"
        })
    } else {
        None
    };
    let svg = crate::svg::sequence_diagram_with(
        &ce,
        &title,
        &crate::svg::Options {
            initial_states: Some(&positions[0]),
            plain_end: end_words,
            mark: None,
        },
    );
    let property_lines = properties
        .iter()
        .map(|p| PropertyLine {
            name: p.name.to_string(),
            kind: PropertyKind::from(p.expectation.clone()),
            values: walk.states.iter().map(|s| holds(p, s)).collect(),
        })
        .collect();
    let next = enabled
        .iter()
        .map(|(i, a, next)| {
            let step = model.describe_step(last, a, next);
            (*i, step_line(&ce, &step))
        })
        .collect();
    Ok(PathView {
        headline,
        selected: selected
            .map(|p| {
                (
                    p.name.to_string(),
                    PropertyKind::from(p.expectation.clone()),
                )
            })
            .or_else(|| refinement.map(|r| (r.name.clone(), PropertyKind::Refines)))
            .or_else(|| leads_to.map(|l| (l.name.clone(), PropertyKind::LeadsTo))),
        plain,
        notes,
        trace_notes: Vec::new(),
        divergence: None,
        ce,
        positions,
        properties: property_lines,
        next,
        svg,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
