//! The first lectures' models (MapReduce, at-most-once RPC, the crawler):
//! the rules their default configurations must exercise, and acknowledgements
//! and WaitGroup operations matched to what they acknowledge.

use checker::{CheckOptions, Verdict};
use models::registry::Config;
use stateright::actor::{Actor, Command, Id, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::BTreeSet;

fn sent<A: Actor>(out: &Out<A>) -> Vec<(Id, A::Msg)>
where
    A::Msg: Clone,
{
    out.iter()
        .filter_map(|c| match c {
            Command::Send(to, msg) => Some((*to, msg.clone())),
            _ => None,
        })
        .collect()
}

mod mapreduce {
    use super::*;
    use models::mapreduce::{File, MrActor, MrCfg, MrModel, MrMsg, MrState, Phase, PROTOCOL};

    type State = <MrModel as stateright::Model>::State;

    fn workers(s: &State) -> impl Iterator<Item = &Phase> {
        s.actor_states.iter().filter_map(|a| match &**a {
            MrState::Worker { phase, .. } => Some(phase),
            _ => None,
        })
    }

    /// The default configuration partitions the keys (§3.1: "hash(key) mod
    /// R") into more than one reduce task, and runs them side by side.
    #[test]
    fn the_default_partitions_into_several_reduce_tasks() {
        let model = MrCfg::default()
            .into_model()
            .property(
                Expectation::Sometimes,
                "an intermediate file of partition 1",
                |_, s: &State| {
                    s.actor_states.iter().any(|a| {
                        matches!(&**a, MrState::FileSystem { files }
                            if files.keys().any(|f| matches!(f, File::Intermediate(_, 1))))
                    })
                },
            )
            .property(
                Expectation::Sometimes,
                "two reduce tasks running at once",
                |_, s: &State| {
                    let reducing: BTreeSet<u8> = workers(s)
                        .filter_map(|p| match p {
                            Phase::Reading(r) | Phase::Committing(r) => Some(*r),
                            _ => None,
                        })
                        .collect();
                    reducing.len() == 2
                },
            )
            .property(
                Expectation::Sometimes,
                "a map waiting on one of two renames",
                |_, s: &State| {
                    workers(s).any(
                        |p| matches!(p, Phase::Mapping { unrenamed, .. } if unrenamed.len() == 1),
                    )
                },
            );
        // Only workers crash, and they stay down: the model's own analyses.
        let analyses = MrCfg::analyses(&model);
        let summary = checker::check_with(model, analyses, &CheckOptions::default(), &mut |_| {});
        let tail = &summary.properties[summary.properties.len() - 3..];
        for p in tail {
            assert_eq!(p.verdict, Verdict::ExampleFound, "{}", p.name);
        }
    }

    /// `job completes` is claimed for runs in which a worker survives, so a
    /// configuration where every worker may crash is refused, naming the
    /// crashes it may have.
    #[test]
    fn every_worker_crashing_is_refused() {
        for (overrides, range) in [
            (vec!["crashes=2".to_string()], "0 to 1"),
            (vec!["workers=1".to_string()], "0 to 0"),
            (vec!["workers=3".into(), "crashes=2".into()], ""),
        ] {
            let got = PROTOCOL.params_with(&overrides);
            if range.is_empty() {
                assert!(got.is_ok(), "{overrides:?}: {got:?}");
                continue;
            }
            let err = got.unwrap_err().to_string();
            assert!(
                err.contains("crashes") && err.contains(range) && err.contains("workers"),
                "{overrides:?}: {err}"
            );
        }
    }

    fn worker() -> MrActor {
        MrCfg::default()
            .into_model()
            .actors
            .into_iter()
            .find(|a| matches!(a, MrActor::Worker { number: 1, .. }))
            .expect("worker 1")
    }

    /// An acknowledgement names its file: a duplicated `Renamed` does not
    /// finish a map whose other file is not in place, and a late one from
    /// a map does not commit a reduce (on a real network, datagrams are
    /// duplicated and delayed).
    #[test]
    fn a_duplicate_or_stale_renamed_completes_nothing() {
        let (w, fs, coordinator) = (Id::from(2), Id::from(1), Id::from(0));
        let worker = worker();
        let mapping = MrState::Worker {
            phase: Phase::Mapping {
                m: 0,
                unrenamed: BTreeSet::from([0, 1]),
            },
            done: BTreeSet::new(),
        };
        let mut state = Cow::Owned(mapping);
        let mut out = Out::new();
        worker.on_msg(
            w,
            &mut state,
            fs,
            MrMsg::Renamed(File::Intermediate(0, 0)),
            &mut out,
        );
        let once = state.clone().into_owned();
        assert!(sent(&out).is_empty());
        let mut out = Out::new();
        worker.on_msg(
            w,
            &mut state,
            fs,
            MrMsg::Renamed(File::Intermediate(0, 0)),
            &mut out,
        );
        assert_eq!(*state, once, "a duplicate changes nothing");
        assert!(sent(&out).is_empty(), "no MapDone before file 1 is renamed");
        let mut out = Out::new();
        worker.on_msg(
            w,
            &mut state,
            fs,
            MrMsg::Renamed(File::Intermediate(0, 1)),
            &mut out,
        );
        assert_eq!(sent(&out), vec![(coordinator, MrMsg::MapDone(0))]);

        let mut state = Cow::Owned(MrState::Worker {
            phase: Phase::Committing(1),
            done: BTreeSet::new(),
        });
        let mut out = Out::new();
        worker.on_msg(
            w,
            &mut state,
            fs,
            MrMsg::Renamed(File::Intermediate(0, 1)),
            &mut out,
        );
        assert!(
            sent(&out).is_empty(),
            "a map's late Renamed commits no reduce"
        );
        worker.on_msg(w, &mut state, fs, MrMsg::Renamed(File::Output(1)), &mut out);
        assert_eq!(sent(&out), vec![(coordinator, MrMsg::ReduceDone(1))]);
    }
}

mod rpc_kv {
    use super::*;
    use models::rpc_kv::PROTOCOL;

    /// Birrell & Nelson's "precisely once" is checked as such: with the
    /// table keyed by sequence number alone, a Put returns without ever
    /// running, and the property names that, not only linearizability.
    #[test]
    fn a_write_that_returns_without_running_is_caught() {
        let opts = CheckOptions {
            fairness: PROTOCOL.fairness,
            ..CheckOptions::default()
        };
        let summary = models::check(
            &PROTOCOL,
            "table-keyed-by-request-id",
            &PROTOCOL.default_params(),
            &opts,
            &mut |_| {},
        );
        let p = summary
            .properties
            .iter()
            .find(|p| p.name == "a returned write executed exactly once")
            .expect("declared");
        assert_eq!(p.verdict, Verdict::Violated);
        let last = p.counterexample.as_ref().unwrap().final_states.clone();
        let last = format!("{last:?}");
        assert!(last.contains("returned: [Ok]"), "{last}");
        assert!(last.contains("replayed: true"), "{last}");
    }
}

mod crawler {
    use super::*;
    use models::crawler::{calls, CrawlerActor, CrawlerCfg, CrawlerMsg, CrawlerState, Phase};

    /// One goroutine per call the program may make, each with its own
    /// parent: the lecture starts a goroutine per link of a fetched page.
    #[test]
    fn the_calls_are_a_tree_from_main() {
        let paths: Vec<String> = calls().iter().map(|c| c.path.iter().collect()).collect();
        assert_eq!(paths, ["a", "ab", "ac", "abc", "abx", "aca", "abca"]);
    }

    /// A goroutine's deferred `done.Done()` goes to the WaitGroup of the
    /// call that started it, and that call's `Wait` returns at zero.
    #[test]
    fn done_counts_out_of_the_parents_waitgroup() {
        let actors = CrawlerCfg {
            bug: models::crawler::Bug::None,
        }
        .into_model()
        .actors;
        // Actor 2 is `go ab`, started by `main: a` (actor 1).
        let CrawlerActor::Goroutine { parent, .. } = &actors[2] else {
            panic!("a goroutine");
        };
        assert_eq!(*parent, Some(Id::from(1)));
        let mut state = Cow::Owned(CrawlerState::Goroutine {
            phase: Phase::Checking,
            done: 0,
        });
        let mut out = Out::new();
        actors[2].on_msg(
            Id::from(2),
            &mut state,
            Id::from(0),
            CrawlerMsg::Already(true),
            &mut out,
        );
        assert_eq!(sent(&out), vec![(Id::from(1), CrawlerMsg::Done)]);

        let mut state = Cow::Owned(CrawlerState::Goroutine {
            phase: Phase::Waiting,
            done: 2,
        });
        let mut out = Out::new();
        actors[1].on_msg(
            Id::from(1),
            &mut state,
            Id::from(2),
            CrawlerMsg::Done,
            &mut out,
        );
        assert_eq!(
            *state,
            CrawlerState::Goroutine {
                phase: Phase::Waiting,
                done: 1
            }
        );
        actors[1].on_msg(
            Id::from(1),
            &mut state,
            Id::from(3),
            CrawlerMsg::Done,
            &mut out,
        );
        assert_eq!(
            *state,
            CrawlerState::Goroutine {
                phase: Phase::Returned { already: false },
                done: 0
            },
            "Wait returns at zero, and main with it"
        );
        assert_eq!(sent(&out), vec![(Id::from(0), CrawlerMsg::Exit)]);
    }
}
