//! What a model may declare besides its properties, for the checker to use:
//! leads-to properties, refinement mappings to abstract specs, a view (TLC's `VIEW`), and a
//! decision predicate for valence analysis.
//!
//! Each is optional; [`Analyses::none`] declares nothing, and then a check
//! is exactly a check of the model's properties.

use stateright::Model;

/// "Every step of this model is a step of `spec` or a stutter", under an
/// abstraction function from the model's states to the spec's: the claim
/// TLA+ writes `Impl => Spec` with a refinement mapping (Lamport, "Specifying
/// Systems" (2002), §5.8 and §10.8). Checked on every explored edge: the
/// initial states must map to initial states of `spec`, and each edge to a
/// `spec` step or to no change at all.
pub struct Refinement<M: Model> {
    /// The name the verdict goes by, e.g. "refines TwoPhase".
    pub name: String,
    init: StatePredicate<M>,
    step: StepPredicate<M>,
    /// Why no engine judges it in this configuration, if none does (see
    /// [`Refinement::unjudged`]).
    pub unjudged: Option<String>,
}

/// A test of one state.
pub type StatePredicate<M> = Box<dyn Fn(&<M as Model>::State) -> bool + Send + Sync>;
/// A test of one step, by the states before and after.
pub type StepPredicate<M> =
    Box<dyn Fn(&<M as Model>::State, &<M as Model>::State) -> bool + Send + Sync>;
/// A state's decision values, as bits.
pub type Decided<M> = Box<dyn Fn(&<M as Model>::State) -> u64 + Send + Sync>;

impl<M: Model> Refinement<M> {
    /// `model` refines `spec` under `abstraction`.
    pub fn new<A, F>(name: impl Into<String>, spec: A, abstraction: F) -> Self
    where
        A: Model + Send + Sync + 'static,
        A::State: PartialEq + Send + Sync,
        F: Fn(&M::State) -> A::State + Send + Sync + 'static,
    {
        let abstraction = std::sync::Arc::new(abstraction);
        let inits = spec.init_states();
        let alpha = abstraction.clone();
        Refinement {
            name: name.into(),
            init: Box::new(move |s| inits.contains(&alpha(s))),
            step: Box::new(move |from, to| {
                let (from, to) = (abstraction(from), abstraction(to));
                from == to || spec.next_states(&from).contains(&to)
            }),
            unjudged: None,
        }
    }

    /// A refinement the model declares but cannot have judged in this
    /// configuration, for the reason `why` (e.g. the spec's constants would
    /// have to be infinite, or the model's view forgets what the mapping
    /// reads). Every engine reports it `inconclusive` with that reason,
    /// never "holds".
    pub fn unjudged(name: impl Into<String>, why: impl Into<String>) -> Self {
        Refinement {
            name: name.into(),
            init: Box::new(|_| true),
            step: Box::new(|_, _| true),
            unjudged: Some(why.into()),
        }
    }

    /// Whether it is judged at all (see [`Refinement::unjudged`]).
    pub fn judged(&self) -> bool {
        self.unjudged.is_none()
    }

    /// The initial state `s` maps to an initial state of the spec.
    pub fn maps_init(&self, s: &M::State) -> bool {
        (self.init)(s)
    }

    /// The step `from -> to` maps to a spec step or a stutter.
    pub fn maps_step(&self, from: &M::State, to: &M::State) -> bool {
        (self.step)(from, to)
    }
}

/// A leads-to property `P ~> Q` (Lamport's `~>`, "The Temporal Logic of
/// Actions" (TOPLAS 1994) and "Specifying Systems" (2002), chapter 8, where
/// `P ~> Q` is `[](P => <>Q)`; Manna & Pnueli call the class "response"
/// properties): on every fair run, every state
/// where `P` holds is followed, at it or later, by a state where `Q` holds.
/// A Stateright [`stateright::Property`] has one condition, so a model
/// declares a leads-to here, one line each:
/// `LeadsTo::new("every correct process decides", some_decided, all_live_decided)`.
///
/// Judged by the workbench's BFS as `eventually` is (`eventually Q` is the
/// special case where `P` holds in the initial states only): a violation is
/// a path to a state where `P` holds and `Q` does not, then a fair run
/// through states where `Q` never holds, one that stops or a lasso.
pub struct LeadsTo<M: Model> {
    /// The name the verdict goes by.
    pub name: String,
    pub p: StatePredicate<M>,
    pub q: StatePredicate<M>,
}

impl<M: Model> LeadsTo<M> {
    /// `name`: `p ~> q`.
    pub fn new(
        name: impl Into<String>,
        p: impl Fn(&M::State) -> bool + Send + Sync + 'static,
        q: impl Fn(&M::State) -> bool + Send + Sync + 'static,
    ) -> Self {
        LeadsTo {
            name: name.into(),
            p: Box::new(p),
            q: Box::new(q),
        }
    }
}

/// A state abstraction that is sound for the model's properties, as TLC's
/// `VIEW`: the checker stores and expands `view(s)` instead of `s`, so runs
/// that differ only in what the view forgets (e.g. how large a ballot number
/// has grown) meet in one state, and a run that only grows counters closes
/// into a cycle.
///
/// Sound means: the view of a state has the same properties and, step for
/// step, successors with the same views as the state itself (a bisimulation).
/// The model's docs must say why its view is. Counterexamples are still shown
/// as concrete runs: the checker replays each step on the real state.
pub type View<M> = Box<dyn Fn(&<M as Model>::State) -> <M as Model>::State + Send + Sync>;

/// Which decision values a state has reached, as a bit set (bit `k` is value
/// `names[k]`), for valence analysis (Fischer, Lynch & Paterson, "Impossibility
/// of Distributed Consensus with One Faulty Process" (1985), §3: a
/// configuration is bivalent when both decision values are still reachable).
pub struct Decision<M: Model> {
    /// The decision values, at most 64.
    pub names: Vec<String>,
    pub decided: Decided<M>,
}

/// Actions a model offers but its fault model leaves out: Stateright's
/// `max_crashes` may crash any actor, and a model whose faults are server
/// crashes excludes the clients'. The workbench's BFS never takes them, so
/// they neither add states nor cut any off; Stateright's engines rely on the
/// model's boundary to drop them instead.
pub type Excluded<M> = Box<dyn Fn(&<M as Model>::Action) -> bool + Send + Sync>;

/// Where a workload bound of the model, not the protocol, disables a step
/// the model would otherwise take ("no election starts beyond term 2"): the
/// bound in words, and the states where it bites. Unlike the boundary,
/// every step the bounded model has is explored, so `always` and
/// `sometimes` verdicts stand for it; but a run that ends, or stays, at
/// such a state may do so only because of the bound, so for `eventually`
/// these states count as cut off: a run on which the property never holds
/// and which reaches one is `bounded` (inconclusive), never a violation.
pub struct Horizon<M: Model> {
    pub words: String,
    pub reached: StatePredicate<M>,
}

/// Everything a model declares for the checker besides its properties.
pub struct Analyses<M: Model> {
    /// Leads-to properties, judged after the model's own properties and
    /// before the refinements (kind `leads-to`).
    pub leads_to: Vec<LeadsTo<M>>,
    pub refinements: Vec<Refinement<M>>,
    pub view: Option<View<M>>,
    pub decision: Option<Decision<M>>,
    pub excluded: Option<Excluded<M>>,
    /// Interchangeable actors: the BFS may store one state per orbit.
    pub symmetry: Option<crate::symmetry::Symmetry<M>>,
    /// What the model's boundary (`within_boundary`, TLC's `CONSTRAINT`)
    /// leaves out, in words ("at most 4 messages in flight"), for every
    /// verdict it cuts short to say. A model with a boundary declares it.
    pub boundary: Option<String>,
    /// A workload bound that cuts runs short for `eventually` only.
    pub horizon: Option<Horizon<M>>,
}

impl<M: Model> Analyses<M> {
    /// Nothing beyond the properties.
    pub fn none() -> Self {
        Analyses {
            leads_to: Vec::new(),
            refinements: Vec::new(),
            view: None,
            decision: None,
            excluded: None,
            symmetry: None,
            boundary: None,
            horizon: None,
        }
    }
}

impl<M: Model> Default for Analyses<M> {
    fn default() -> Self {
        Analyses::none()
    }
}
