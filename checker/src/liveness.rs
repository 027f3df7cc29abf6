//! Fair lassos: infinite runs on which an `eventually` property never
//! holds, and which treat every fair class of actions fairly.
//!
//! Over the explored graph, restricted to the states reachable through
//! states where the property is false, the strongly connected components
//! are the places a run can stay forever. A component can host a fair run:
//!
//! - with no fairness, whenever it has a cycle;
//! - under weak fairness, when every class enabled in *all* its states is
//!   taken by one of its internal edges (decided per component, exact: a run
//!   that visits every state of the component is the fairest it can host);
//! - under strong fairness, when every class enabled in *any* of its states
//!   is taken inside it; otherwise the states enabling an untaken class are
//!   removed and the rest is split into components again (the refinement
//!   loop for Streett conditions).
//!
//! The lasso reported is a shortest prefix to the fair component, then a
//! loop through it built to take every class fairness demands.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A state's number in the explored graph.
pub type StateId = u32;

/// A class of actions that fairness is about (deliver this message to this
/// actor, fire this timer, make this choice). Loss and crashes belong to no
/// class.
pub type Class = u32;

/// Marks an edge whose action belongs to no fair class.
pub const UNFAIR: Class = Class::MAX;

/// An edge of the explored graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub to: StateId,
    /// The action's index among the state's actions.
    pub action: u32,
    pub class: Class,
}

/// The edges of the explored graph in compressed rows: the successors of
/// state `s` are `list[start[s]..start[s + 1]]`. Rows are opened in state
/// order, as the BFS expands states; one allocation for all edges instead
/// of one per state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edges {
    start: Vec<usize>,
    list: Vec<Edge>,
}

impl Edges {
    /// The number of states (rows).
    pub fn len(&self) -> usize {
        self.start.len()
    }

    pub fn is_empty(&self) -> bool {
        self.start.is_empty()
    }

    /// Starts the row of `state`; rows before it that were never opened
    /// (states not expanded) are empty.
    pub fn open(&mut self, state: StateId) {
        let state = state as usize;
        assert!(state >= self.start.len(), "rows are opened in order");
        self.start.resize(state + 1, self.list.len());
    }

    /// Adds an edge to the last row opened.
    pub fn push(&mut self, edge: Edge) {
        self.list.push(edge);
    }

    /// Gives every state up to `states` a row (empty if never opened).
    pub fn close(&mut self, states: usize) {
        if states > self.start.len() {
            self.start.resize(states, self.list.len());
        }
    }

    /// Every row, in state order.
    pub fn iter(&self) -> impl Iterator<Item = &[Edge]> {
        (0..self.len()).map(|s| &self[s])
    }

    /// Edges kept, in all.
    pub fn edge_count(&self) -> usize {
        self.list.len()
    }
}

impl std::ops::Index<usize> for Edges {
    type Output = [Edge];
    fn index(&self, s: usize) -> &[Edge] {
        let end = self.start.get(s + 1).copied().unwrap_or(self.list.len());
        &self.list[self.start[s]..end]
    }
}

impl From<Vec<Vec<Edge>>> for Edges {
    fn from(rows: Vec<Vec<Edge>>) -> Self {
        let mut edges = Edges::default();
        for (s, row) in rows.into_iter().enumerate() {
            edges.open(s as StateId);
            edges.list.extend(row);
        }
        edges
    }
}

/// Which infinite runs count.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Fairness {
    /// Every infinite run counts, even one that starves a message forever.
    None,
    /// A class enabled continuously from some point on is eventually taken.
    #[default]
    Weak,
    /// A class enabled infinitely often is taken infinitely often.
    Strong,
}

impl Fairness {
    pub const ALL: [Fairness; 3] = [Fairness::None, Fairness::Weak, Fairness::Strong];

    pub fn name(self) -> &'static str {
        match self {
            Fairness::None => "none",
            Fairness::Weak => "weak",
            Fairness::Strong => "strong",
        }
    }
}

/// Which actions of a model are fair, and in which class.
pub trait FairnessClasses: stateright::Model {
    /// The class of `action` as a hash (actions of one class are one thing
    /// that may happen), or `None` for an action that is never fair.
    fn fairness_class(&self, action: &Self::Action) -> Option<u64>;
}

/// Actor systems: delivering a given message from a given sender to a given
/// receiver is one class, firing a given timer of a given actor another,
/// and an actor's pending random choice (by its key) a third: the actor
/// eventually chooses, any one of the options (a quorum to ask, a value to
/// write). A fault modelled as a choice must therefore offer "no fault"
/// too. Losing a message, crashing and recovering are never fair: the
/// model's fault settings bound them instead.
impl<A, C, H> FairnessClasses for stateright::actor::ActorModel<A, C, H>
where
    A: stateright::actor::Actor,
    A::Msg: Ord,
    A::Timer: Ord,
    H: Clone + std::fmt::Debug + std::hash::Hash,
{
    fn fairness_class(&self, action: &Self::Action) -> Option<u64> {
        use stateright::actor::ActorModelAction as Act;
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        match action {
            Act::Deliver { src, dst, msg } => (0u8, src, dst, msg).hash(&mut h),
            Act::Timeout(id, timer) => (1u8, id, timer).hash(&mut h),
            Act::SelectRandom { actor, key, .. } => (2u8, actor, key).hash(&mut h),
            Act::Drop(_) | Act::Crash(_) | Act::Recover(_) => return None,
        }
        Some(h.finish())
    }
}

/// An infinite run: from an initial state (from [`bad_forever_from`]: from
/// one of its starts), `steps` (action, state reached),
/// of which those from `loop_start` on repeat forever (the last state is
/// the state before `steps[loop_start]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lasso {
    pub init: StateId,
    pub steps: Vec<(u32, StateId)>,
    pub loop_start: usize,
}

/// How a run that ends (stutters forever) at a state ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// No step at all is enabled.
    Deadlock,
    /// Steps are enabled, but fairness demands none of them (crashes,
    /// losses, choices, or anything under no fairness): nothing more need
    /// happen.
    Stutter,
}

/// Whether a run may stop at a state whose enabled steps are `out`, that
/// is, stutter there forever and still be fair. TLA+'s semantics (Lamport,
/// "Specifying Systems" (2002), §8.4 and §8.5): every state may stutter,
/// and stuttering forever at a state violates weak or strong fairness of a
/// class exactly when that class is enabled there (it is then enabled
/// continuously, and so infinitely often). Without fairness every state may
/// end a run.
pub fn may_stop(out: &[Edge], fairness: Fairness) -> Option<Stop> {
    stop_among(out.iter().map(|e| e.class != UNFAIR), fairness)
}

/// [`may_stop`], given for each enabled step whether it is in a fair class.
pub fn stop_among(fair: impl IntoIterator<Item = bool>, fairness: Fairness) -> Option<Stop> {
    let mut fair = fair.into_iter().peekable();
    if fair.peek().is_none() {
        return Some(Stop::Deadlock);
    }
    let demanded = fairness != Fairness::None && fair.any(|f| f);
    (!demanded).then_some(Stop::Stutter)
}

/// A run on which `bad` holds forever, or the nearest sign that the search
/// could not tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// A path through `bad` states (given as states, from an initial one)
    /// to a state where the run may stop fairly.
    Stops(Vec<StateId>, Stop),
    /// A fair infinite run through `bad` states.
    Lasso(Lasso),
    /// No such run in what was explored, but a path through `bad` states
    /// reaches a state whose future was cut off.
    Bounded(Vec<StateId>),
}

/// The shortest fair run through `bad` states that stops, else a fair lasso
/// through them, else, if a path through them reaches a cut-off state, that
/// path (inconclusive). `None` means every fair run leaves the `bad` states,
/// which the explored graph shows completely.
pub fn bad_forever(
    edges: &Edges,
    bad: &dyn Fn(StateId) -> bool,
    cut: &[bool],
    inits: usize,
    fairness: Fairness,
) -> Option<Ending> {
    let starts: Vec<(StateId, u32)> = (0..inits as StateId).map(|i| (i, 0)).collect();
    bad_forever_from(edges, bad, cut, &starts, fairness)
}

/// [`bad_forever`], for runs that enter the `bad` states at any of `starts`
/// instead of at an initial state: each start `(s, d)` is a state the
/// search reached in `d` steps (its BFS depth), and the run found is the
/// shortest in all, those `d` steps included. This is how a leads-to
/// property `P ~> Q` is judged: its starts are the states where `P` holds
/// and `Q` does not, its `bad` states those where `Q` does not hold.
/// `starts` are sorted by depth; a start where `bad` is false is skipped.
/// The runs returned begin at a start (a trail's first state, a lasso's
/// `init`): the caller prepends the path that reaches it.
pub fn bad_forever_from(
    edges: &Edges,
    bad: &dyn Fn(StateId) -> bool,
    cut: &[bool],
    starts: &[(StateId, u32)],
    fairness: Fairness,
) -> Option<Ending> {
    let region = Region::search(edges, bad, starts);
    let (stops, bounded) = first_stop(edges, &region, cut, fairness);
    if let Some((trail, stop)) = stops {
        return Some(Ending::Stops(trail, stop));
    }
    if let Some(lasso) = lasso_in(edges, &region, cut, fairness) {
        return Some(Ending::Lasso(lasso));
    }
    bounded.map(Ending::Bounded)
}

/// A path of states.
type Trail = Vec<StateId>;

/// The states reachable from the starts through `bad` states, breadth first:
/// the order they were reached in, each one's distance (its start's depth
/// plus the steps from it) and its predecessor with the action from it
/// (`None` for a start).
struct Region {
    order: Vec<StateId>,
    dist: Vec<u32>,
    pred: Vec<Option<(StateId, u32)>>,
}

impl Region {
    /// Breadth first, each start entering when the search reaches its
    /// depth (before the states at that distance already queued), so that
    /// distances are total path lengths and the order is the same for the
    /// same graph. With every start an initial state at depth 0 this is
    /// the plain breadth-first search from the initial states.
    fn search(edges: &Edges, bad: &dyn Fn(StateId) -> bool, starts: &[(StateId, u32)]) -> Self {
        let n = edges.len();
        let mut dist = vec![u32::MAX; n];
        let mut pred: Vec<Option<(StateId, u32)>> = vec![None; n];
        let mut order = Vec::new();
        let mut queue: VecDeque<StateId> = VecDeque::new();
        let mut starts = starts.iter().copied().peekable();
        loop {
            let start_first = match (starts.peek(), queue.front()) {
                (Some(&(_, d)), Some(&f)) => d <= dist[f as usize],
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let s = if start_first {
                let (s, d) = starts.next().expect("a start is next");
                if dist[s as usize] != u32::MAX || !bad(s) {
                    continue;
                }
                dist[s as usize] = d;
                s
            } else {
                queue.pop_front().expect("the queue has a front")
            };
            order.push(s);
            for e in &edges[s as usize] {
                if bad(e.to) && dist[e.to as usize] == u32::MAX {
                    dist[e.to as usize] = dist[s as usize] + 1;
                    pred[e.to as usize] = Some((s, e.action));
                    queue.push_back(e.to);
                }
            }
        }
        Region { order, dist, pred }
    }

    /// The states from a start to `end`, by the search's predecessors.
    fn trail(&self, end: StateId) -> Trail {
        let mut t = vec![end];
        let mut cur = end;
        while let Some((p, _)) = self.pred[cur as usize] {
            t.push(p);
            cur = p;
        }
        t.reverse();
        t
    }
}

/// In the search's order through the `bad` states: the first state (not
/// cut off) where a fair run may stop, and the first cut-off state, each
/// with its path.
fn first_stop(
    edges: &Edges,
    region: &Region,
    cut: &[bool],
    fairness: Fairness,
) -> (Option<(Trail, Stop)>, Option<Trail>) {
    let mut bounded = None;
    for &id in &region.order {
        let i = id as usize;
        if cut[i] {
            bounded.get_or_insert_with(|| region.trail(id));
        } else if let Some(stop) = may_stop(&edges[i], fairness) {
            return (Some((region.trail(id), stop)), bounded);
        }
    }
    (None, bounded)
}

/// The graph as the search sees it.
struct View<'a> {
    edges: &'a Edges,
    /// In the region: reachable from an initial state through states where
    /// the property is false, the state itself false, its future explored.
    usable: Vec<bool>,
}

impl View<'_> {
    /// The fair classes enabled at `s` (sorted, deduplicated).
    fn enabled(&self, s: StateId) -> BTreeSet<Class> {
        self.edges[s as usize]
            .iter()
            .filter(|e| e.class != UNFAIR)
            .map(|e| e.class)
            .collect()
    }
}

/// Finds a fair lasso through states where `bad` holds, starting at one of
/// the initial states `0..inits`. States marked `cut` (their future was not
/// explored) never lie on the loop.
pub fn find_lasso(
    edges: &Edges,
    bad: &dyn Fn(StateId) -> bool,
    cut: &[bool],
    inits: usize,
    fairness: Fairness,
) -> Option<Lasso> {
    let starts: Vec<(StateId, u32)> = (0..inits as StateId).map(|i| (i, 0)).collect();
    lasso_in(edges, &Region::search(edges, bad, &starts), cut, fairness)
}

/// A fair lasso through the region's states, from one of its starts, the
/// shortest to its loop's entry.
fn lasso_in(edges: &Edges, region: &Region, cut: &[bool], fairness: Fairness) -> Option<Lasso> {
    let n = edges.len();
    let (dist, pred) = (&region.dist, &region.pred);
    let view = View {
        edges,
        usable: (0..n).map(|i| dist[i] != u32::MAX && !cut[i]).collect(),
    };
    let all: Vec<StateId> = (0..n as StateId)
        .filter(|&s| view.usable[s as usize])
        .collect();

    // The fair component closest to an initial state.
    let mut best: Option<(u32, StateId, Vec<StateId>)> = None;
    for component in components(&view, &all) {
        for fair in fair_parts(&view, component, fairness) {
            let entry = *fair
                .iter()
                .min_by_key(|&&s| (dist[s as usize], s))
                .expect("a component is never empty");
            let key = (dist[entry as usize], entry);
            if best.as_ref().is_none_or(|(d, e, _)| key < (*d, *e)) {
                best = Some((key.0, key.1, fair));
            }
        }
    }
    let (_, entry, fair) = best?;

    // The prefix, back from the entry along the shortest-path tree.
    let mut prefix = Vec::new();
    let mut cur = entry;
    while let Some((p, action)) = pred[cur as usize] {
        prefix.push((action, cur));
        cur = p;
    }
    prefix.reverse();
    let init = cur;
    let loop_steps = fair_loop(&view, &fair, entry, fairness);
    let loop_start = prefix.len();
    prefix.extend(loop_steps);
    Some(Lasso {
        init,
        steps: prefix,
        loop_start,
    })
}

/// Strongly connected components of the subgraph induced by `nodes` that can
/// hold a run forever (more than one state, or a self-loop), each sorted.
/// Iterative Tarjan, so deep graphs do not overflow the stack.
fn components(view: &View, nodes: &[StateId]) -> Vec<Vec<StateId>> {
    const NONE: u32 = u32::MAX;
    let n = view.edges.len();
    let mut member = vec![false; n];
    for &s in nodes {
        member[s as usize] = true;
    }
    let mut index = vec![NONE; n];
    let mut low = vec![NONE; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<StateId> = Vec::new();
    let mut next = 0u32;
    let mut out = Vec::new();
    for &root in nodes {
        if index[root as usize] != NONE {
            continue;
        }
        // (state, position in its edge list)
        let mut work: Vec<(StateId, usize)> = vec![(root, 0)];
        index[root as usize] = next;
        low[root as usize] = next;
        next += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (s, ref mut pos)) = work.last_mut() {
            let (si, edges) = (s as usize, &view.edges[s as usize]);
            if *pos < edges.len() {
                let to = edges[*pos].to as usize;
                *pos += 1;
                if !member[to] {
                    continue;
                }
                if index[to] == NONE {
                    index[to] = next;
                    low[to] = next;
                    next += 1;
                    stack.push(to as StateId);
                    on_stack[to] = true;
                    work.push((to as StateId, 0));
                } else if on_stack[to] {
                    low[si] = low[si].min(index[to]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent as usize] = low[parent as usize].min(low[si]);
            }
            if low[si] == index[si] {
                let mut component = Vec::new();
                loop {
                    let t = stack.pop().expect("s is on the stack");
                    on_stack[t as usize] = false;
                    component.push(t);
                    if t == s {
                        break;
                    }
                }
                component.sort_unstable();
                let cyclic = component.len() > 1 || edges.iter().any(|e| e.to == s);
                if cyclic {
                    out.push(component);
                }
            }
        }
    }
    out
}

/// The internal edges of `set`.
fn internal<'a>(
    view: &'a View,
    set: &'a BTreeSet<StateId>,
) -> impl Iterator<Item = (StateId, Edge)> + 'a {
    set.iter().flat_map(move |&s| {
        view.edges[s as usize]
            .iter()
            .filter(|e| set.contains(&e.to))
            .map(move |e| (s, *e))
    })
}

/// The parts of `component` that host a fair run.
fn fair_parts(view: &View, component: Vec<StateId>, fairness: Fairness) -> Vec<Vec<StateId>> {
    let set: BTreeSet<StateId> = component.iter().copied().collect();
    let taken: BTreeSet<Class> = internal(view, &set)
        .map(|(_, e)| e.class)
        .filter(|&c| c != UNFAIR)
        .collect();
    match fairness {
        Fairness::None => vec![component],
        Fairness::Weak => {
            let mut always: Option<BTreeSet<Class>> = None;
            for &s in &component {
                let en = view.enabled(s);
                always = Some(match always {
                    None => en,
                    Some(a) => a.intersection(&en).copied().collect(),
                });
            }
            if always.unwrap_or_default().is_subset(&taken) {
                vec![component]
            } else {
                Vec::new()
            }
        }
        Fairness::Strong => {
            let untaken: BTreeSet<Class> = component
                .iter()
                .flat_map(|&s| view.enabled(s))
                .filter(|c| !taken.contains(c))
                .collect();
            if untaken.is_empty() {
                return vec![component];
            }
            // A run that stays here forever must avoid, from some point on,
            // every state enabling a class it never takes.
            let rest: Vec<StateId> = component
                .into_iter()
                .filter(|&s| view.enabled(s).is_disjoint(&untaken))
                .collect();
            components(view, &rest)
                .into_iter()
                .flat_map(|c| fair_parts(view, c, fairness))
                .collect()
        }
    }
}

/// A loop from `entry` back to it inside `fair`, taking every class that
/// fairness demands of the states it visits.
fn fair_loop(
    view: &View,
    fair: &[StateId],
    entry: StateId,
    fairness: Fairness,
) -> Vec<(u32, StateId)> {
    let set: BTreeSet<StateId> = fair.iter().copied().collect();
    let mut steps: Vec<(u32, StateId)> = Vec::new();
    let mut cur = entry;
    loop {
        let visited: Vec<StateId> = std::iter::once(entry)
            .chain(steps.iter().map(|&(_, s)| s))
            .collect();
        let taken: BTreeSet<Class> = visited
            .windows(2)
            .zip(&steps)
            .filter_map(|(pair, &(action, _))| {
                view.edges[pair[0] as usize]
                    .iter()
                    .find(|e| e.to == pair[1] && e.action == action)
                    .map(|e| e.class)
            })
            .collect();
        let demanded: BTreeSet<Class> = match fairness {
            Fairness::None => BTreeSet::new(),
            Fairness::Weak => visited
                .iter()
                .map(|&s| view.enabled(s))
                .reduce(|a, b| a.intersection(&b).copied().collect())
                .unwrap_or_default(),
            Fairness::Strong => visited.iter().flat_map(|&s| view.enabled(s)).collect(),
        };
        let missing = demanded.difference(&taken).next().copied();
        match missing {
            Some(class) => {
                // Take an internal edge of that class; under weak fairness,
                // visiting a state that does not enable it also serves.
                let target = |s: StateId| {
                    view.edges[s as usize]
                        .iter()
                        .any(|e| e.class == class && set.contains(&e.to))
                        || (fairness == Fairness::Weak && !view.enabled(s).contains(&class))
                };
                let (path, at) = path_to(view, &set, cur, &target)
                    .expect("a fair component offers what fairness demands");
                steps.extend(path);
                cur = at;
                if let Some(e) = view.edges[cur as usize]
                    .iter()
                    .find(|e| e.class == class && set.contains(&e.to))
                {
                    steps.push((e.action, e.to));
                    cur = e.to;
                }
            }
            None if !steps.is_empty() && cur == entry => return steps,
            None => {
                if steps.is_empty() {
                    // Leave the entry at least once: a loop has a step.
                    let e = view.edges[entry as usize]
                        .iter()
                        .find(|e| set.contains(&e.to))
                        .expect("a cyclic component has an internal edge");
                    steps.push((e.action, e.to));
                    cur = e.to;
                }
                let (path, at) = path_to(view, &set, cur, &|s| s == entry)
                    .expect("a component is strongly connected");
                steps.extend(path);
                cur = at;
            }
        }
    }
}

/// A shortest path inside `set` from `from` to the first state satisfying
/// `target` (possibly `from` itself), as steps, and that state.
fn path_to(
    view: &View,
    set: &BTreeSet<StateId>,
    from: StateId,
    target: &dyn Fn(StateId) -> bool,
) -> Option<(Vec<(u32, StateId)>, StateId)> {
    let mut pred: BTreeMap<StateId, (StateId, u32)> = BTreeMap::new();
    let mut seen: BTreeSet<StateId> = BTreeSet::from([from]);
    let mut queue = VecDeque::from([from]);
    while let Some(s) = queue.pop_front() {
        if target(s) {
            let mut path = Vec::new();
            let mut cur = s;
            while cur != from {
                let (p, action) = pred[&cur];
                path.push((action, cur));
                cur = p;
            }
            path.reverse();
            return Some((path, s));
        }
        for e in &view.edges[s as usize] {
            if set.contains(&e.to) && seen.insert(e.to) {
                pred.insert(e.to, (s, e.action));
                queue.push_back(e.to);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(to: StateId, action: u32, class: Class) -> Edge {
        Edge { to, action, class }
    }

    /// 0 -> 1 <-> 2 (classes 0 and 1), and 1 -> 3 (class 2, "deliver the
    /// message") which ends the run; the property is false on 0, 1, 2.
    /// Cycling 1 <-> 2 forever starves class 2, enabled at 1 only.
    fn starving() -> Vec<Vec<Edge>> {
        vec![
            vec![e(1, 0, 9)],
            vec![e(2, 0, 0), e(3, 1, 2)],
            vec![e(1, 0, 1)],
            vec![],
        ]
    }

    fn bad(s: StateId) -> bool {
        s != 3
    }

    #[test]
    fn a_cycle_is_a_lasso_without_fairness() {
        let lasso = find_lasso(
            &Edges::from(starving()),
            &bad,
            &[false; 4],
            1,
            Fairness::None,
        )
        .unwrap();
        assert_eq!(lasso.init, 0);
        assert_eq!(lasso.loop_start, 1);
        let last = lasso.steps.last().unwrap().1;
        let loop_entry = lasso.steps[lasso.loop_start - 1].1;
        assert_eq!(last, loop_entry, "the loop closes: {lasso:?}");
    }

    #[test]
    fn weak_fairness_accepts_a_class_not_enabled_everywhere() {
        // Class 2 is enabled at 1 but not at 2: not continuously enabled.
        assert!(find_lasso(
            &Edges::from(starving()),
            &bad,
            &[false; 4],
            1,
            Fairness::Weak
        )
        .is_some());
    }

    #[test]
    fn strong_fairness_rejects_a_class_enabled_infinitely_often() {
        assert!(find_lasso(
            &Edges::from(starving()),
            &bad,
            &[false; 4],
            1,
            Fairness::Strong
        )
        .is_none());
    }

    #[test]
    fn weak_fairness_rejects_a_class_enabled_everywhere_and_never_taken() {
        // Class 2 enabled at both 1 and 2, and never taken on the cycle.
        let mut g = starving();
        g[2].push(e(3, 1, 2));
        assert!(find_lasso(
            &Edges::from(g.clone()),
            &bad,
            &[false; 4],
            1,
            Fairness::Weak
        )
        .is_none());
        assert!(find_lasso(
            &Edges::from(g.clone()),
            &bad,
            &[false; 4],
            1,
            Fairness::None
        )
        .is_some());
    }

    #[test]
    fn unfair_actions_are_never_demanded() {
        let mut g = starving();
        g[1][1].class = UNFAIR;
        assert!(find_lasso(
            &Edges::from(g.clone()),
            &bad,
            &[false; 4],
            1,
            Fairness::Strong
        )
        .is_some());
    }

    #[test]
    fn a_fair_loop_takes_the_demanded_class() {
        // Two cycles through 1: 1 <-> 2 (class 0/1) and 1 <-> 4 (class 3);
        // class 3 is enabled at 1 and 2 (edge 2 -> 4 too), so a weakly fair
        // loop must take it.
        let g = vec![
            vec![e(1, 0, 9)],
            vec![e(2, 0, 0), e(4, 1, 3)],
            vec![e(1, 0, 1), e(4, 1, 3)],
            vec![],
            vec![e(1, 0, 5)],
        ];
        let bad = |s: StateId| s != 3;
        let lasso = find_lasso(
            &Edges::from(g.clone()),
            &bad,
            &[false; 5],
            1,
            Fairness::Weak,
        )
        .unwrap();
        let looped: Vec<StateId> = lasso.steps[lasso.loop_start..]
            .iter()
            .map(|s| s.1)
            .collect();
        assert!(looped.contains(&4), "the loop visits 4: {lasso:?}");
    }

    #[test]
    fn cut_states_never_carry_a_loop() {
        assert!(find_lasso(
            &Edges::from(starving()),
            &bad,
            &[false, true, false, false],
            1,
            Fairness::None
        )
        .is_none());
    }
}
