//! Hostile datagrams during a run (`dsw run --fuzz N`): bytes that are not
//! messages, and real messages from an address that is not a node's.
//!
//! A node must survive anything that reaches its socket. The fuzzer sends
//! `N` datagrams of five kinds, drawn from the run's seed once some node has
//! sent its first message (so there are real datagrams to mangle), and
//! paced: at most [`WINDOW`] of them not yet read by a node, so that
//! loopback's receive buffers keep up:
//!
//! - random bytes, of random length;
//! - a real datagram (one a node sent earlier in this run) cut short;
//! - an oversized datagram: the largest UDP allows, JSON-looking bytes;
//! - valid JSON of the wrong shape: a bare value, an envelope with a
//!   message of the wrong type, a negative or string Lamport time, an
//!   extra field;
//! - a real datagram, well formed, replayed from the fuzzer's own socket.
//!
//! The first four are sent from a node's own socket when they cannot be
//! read as a message (so a node hears garbage from a peer it trusts), else
//! from the fuzzer's socket; the fifth always from the fuzzer's, whose
//! address is no node's. So nothing the fuzzer sends can be taken for a
//! message of the protocol: every datagram that arrives is recorded as
//! malformed and changes nothing. The kinds, targets and sockets follow
//! the seed alone; which real datagrams get mangled depends on what the
//! nodes sent by then, which is the threads' timing. What the kernel drops
//! (a full receive buffer, e.g. of a paused node) never arrives; the
//! report gives both counts.

use crate::{trace, EventKind, Shared, SplitMix};
use serde::de::DeserializeOwned;
use serde::Serialize;
use stateright::actor::{Actor, Id};
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// What the fuzzer sent, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FuzzReport {
    pub random: u64,
    pub truncated: u64,
    pub oversized: u64,
    pub wrong_json: u64,
    /// Well-formed messages from the fuzzer's own address.
    pub replayed: u64,
    /// Of all of these, how many left from a node's own socket.
    pub from_a_node: u64,
}

impl FuzzReport {
    pub fn sent(&self) -> u64 {
        self.random + self.truncated + self.oversized + self.wrong_json + self.replayed
    }
}

/// The largest datagram UDP over IPv4 carries.
const LARGEST: usize = 65_507;

/// The most hostile datagrams in flight (sent, not yet read by a node);
/// the fuzzer waits at most [`STALL`] for the nodes to catch up.
const WINDOW: u64 = 4;
const STALL: Duration = Duration::from_millis(50);

/// How often (in datagrams) the fuzzer draws new real datagrams, and how
/// many.
const REFRESH: u64 = 256;
const POOL: usize = 32;

/// Sends `count` hostile datagrams to the nodes at `ids`, from `peers`
/// (clones of the nodes' sockets) or a socket of its own, until done or
/// the run stops.
pub(crate) fn fuzz<A>(
    shared: &Shared<A>,
    ids: &[Id],
    peers: &[UdpSocket],
    count: u64,
    seed: u64,
) -> FuzzReport
where
    A: Actor,
    A::Msg: Serialize + DeserializeOwned,
{
    let mut report = FuzzReport::default();
    let Ok(own) = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)) else {
        return report;
    };
    let mut rng = SplitMix::new(seed ^ 0xF0CC_u64.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    // Which real datagram to mangle: drawn apart, so that the kinds,
    // targets and sockets follow the seed however many real ones there are.
    let mut pick = SplitMix::new(seed ^ 0x5EED);
    let n = ids.len();
    let mut pool = Vec::new();
    while pool.is_empty() {
        if shared.stop.load(Ordering::SeqCst) || n == 0 {
            return report;
        }
        pool = real_datagrams(shared, &mut pick);
        if pool.is_empty() {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let baseline = shared.malformed.load(Ordering::SeqCst) as u64;
    for i in 0..count {
        let waited = Instant::now();
        while i >= WINDOW + (shared.malformed.load(Ordering::SeqCst) as u64 - baseline)
            && waited.elapsed() < STALL
            && !shared.stop.load(Ordering::SeqCst)
        {
            std::thread::sleep(Duration::from_micros(50));
        }
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        if i % REFRESH == 0 {
            let fresh = real_datagrams(shared, &mut pick);
            if !fresh.is_empty() {
                pool = fresh;
            }
        }
        let real = pool[(pick.next_u64() % pool.len() as u64) as usize].clone();
        let to = (rng.next_u64() % n as u64) as usize;
        let (bytes, replay) = match rng.next_u64() % 5 {
            0 => {
                report.random += 1;
                (random_bytes(&mut rng), false)
            }
            1 => {
                report.truncated += 1;
                let cut = (rng.next_u64() % real.len().max(1) as u64) as usize;
                (real[..cut].to_vec(), false)
            }
            2 => {
                report.oversized += 1;
                (oversized(&mut rng), false)
            }
            3 => {
                report.wrong_json += 1;
                (wrong_json(&mut rng, &real), false)
            }
            _ => {
                report.replayed += 1;
                (real, true)
            }
        };
        // Only what no node could read as a message leaves from a node's
        // socket; anything else from the fuzzer's own.
        let readable = replay || trace::decode::<A::Msg>(&bytes).is_some();
        let socket = if readable || n < 2 {
            &own
        } else {
            let from = (to + 1 + (rng.next_u64() % (n as u64 - 1)) as usize) % n;
            report.from_a_node += 1;
            &peers[from]
        };
        let _ = socket.send_to(&bytes, SocketAddrV4::from(ids[to]));
    }
    report
}

/// Datagrams some node really sent (up to [`POOL`] of them, drawn from
/// every send so far): their messages in the envelope, at made-up Lamport
/// times.
fn real_datagrams<A>(shared: &Shared<A>, rng: &mut SplitMix) -> Vec<Vec<u8>>
where
    A: Actor,
    A::Msg: Serialize,
{
    let events = crate::lock(&shared.events);
    let sends: Vec<&A::Msg> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Sent { msg, .. } => Some(msg),
            _ => None,
        })
        .collect();
    if sends.is_empty() {
        return Vec::new();
    }
    (0..POOL)
        .filter_map(|_| {
            let msg = sends[(rng.next_u64() % sends.len() as u64) as usize];
            trace::encode(1 + rng.next_u64() % 1000, msg).ok()
        })
        .collect()
}

fn random_bytes(rng: &mut SplitMix) -> Vec<u8> {
    let len = (rng.next_u64() % 600) as usize;
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

/// The largest datagram, an envelope whose message never closes.
fn oversized(rng: &mut SplitMix) -> Vec<u8> {
    let mut bytes = b"{\"l\":1,\"m\":[".to_vec();
    while bytes.len() < LARGEST {
        bytes.push(b"0123456789,[{\""[(rng.next_u64() % 14) as usize]);
    }
    bytes
}

/// Valid JSON that is not a message envelope.
fn wrong_json(rng: &mut SplitMix, real: &[u8]) -> Vec<u8> {
    let message = serde_json::from_slice::<serde_json::Value>(real)
        .ok()
        .and_then(|v| v.get("m").cloned())
        .unwrap_or(serde_json::Value::Null);
    let m = message.to_string();
    let shapes = [
        "null".to_string(),
        "42".to_string(),
        "\"Commit\"".to_string(),
        "[1,2,3]".to_string(),
        format!("{{\"l\":1,\"m\":{}}}", rng.next_u64()),
        "{\"l\":1,\"m\":\"no such message\"}".to_string(),
        format!("{{\"l\":-1,\"m\":{m}}}"),
        format!("{{\"l\":\"1\",\"m\":{m}}}"),
        format!("{{\"l\":1,\"m\":{m},\"x\":0}}"),
        format!("{{\"m\":{m}}}"),
        m,
    ];
    shapes[(rng.next_u64() % shapes.len() as u64) as usize]
        .clone()
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_of_wrong_json_is_json_and_no_envelope() {
        let real = trace::encode(3, &vec![1u32, 2]).unwrap();
        let mut rng = SplitMix::new(7);
        for _ in 0..200 {
            let bytes = wrong_json(&mut rng, &real);
            assert!(
                serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
                "{}",
                String::from_utf8_lossy(&bytes)
            );
            assert_eq!(trace::decode::<Vec<u32>>(&bytes), None);
        }
        let big = oversized(&mut rng);
        assert_eq!(big.len(), LARGEST);
        assert_eq!(trace::decode::<Vec<u32>>(&big), None);
    }
}
