//! Deterministic checking: two threads give what one gives. The same
//! counts, verdicts and counterexamples, state for state, for each
//! protocol's first known bug at its default (at most 60,000 states each,
//! to keep the test short), and for searches a state limit stops inside a
//! level.

use checker::CheckOptions;

fn on_threads(job: &models::Job, opts: CheckOptions) -> [checker::CheckSummary; 2] {
    [1, 2].map(|threads| {
        let mut summary = job.check_with(
            &CheckOptions {
                threads,
                ..opts.clone()
            },
            &mut |_| {},
        );
        summary.timing = None;
        summary.threads = 0;
        summary
    })
}

#[test]
fn two_threads_find_what_one_finds_in_every_protocol() {
    let mut compared = 0;
    for protocol in models::PROTOCOLS {
        let jobs = models::jobs_of(protocol);
        let first_bug = jobs
            .iter()
            .find(|j| j.scenario.is_none() && j.variant != models::CORRECT);
        if let Some(job) = first_bug {
            let opts = CheckOptions {
                max_states: Some(60_000),
                ..job.options()
            };
            let [one, two] = on_threads(job, opts);
            assert_eq!(one, two, "{} {}", protocol.name, job.name());
            compared += 1;
        }
    }
    assert!(compared >= models::PROTOCOLS.len() - 1, "{compared}");
}

#[test]
fn a_state_limit_stops_two_threads_where_it_stops_one() {
    let paxos = models::protocol("paxos").expect("registered");
    let job = models::jobs_of(paxos)
        .into_iter()
        .find(|j| j.variant == "forget-promise-on-crash" && j.scenario.is_none())
        .expect("a catalog check");
    for max_states in [1, 5_000, 20_001] {
        let opts = CheckOptions {
            max_states: Some(max_states),
            ..job.options()
        };
        let [one, two] = on_threads(&job, opts);
        assert!(!one.complete, "{max_states}: the limit cut the search");
        assert_eq!(one, two, "max-states {max_states}");
    }
}
