//! The master-order plan checked against a model of the kernel's port
//! list.

use std::collections::{HashSet, VecDeque};

use super::super::*;

/// A model of a lagg's port list, as `if_lagg.c` keeps it: sorted by
/// interface index; the master is the port added to an empty lagg, and
/// after the master is removed, the first remaining port.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Model {
    /// (index, name), ascending.
    ports: Vec<(u32, String)>,
    master: Option<String>,
}

impl Model {
    fn new(ports: &[Member<'_>], master: Option<&str>) -> Model {
        let mut list: Vec<(u32, String)> =
            ports.iter().map(|m| (m.index, m.name.to_owned())).collect();
        list.sort();
        // A master that is not a member stands for "not known": the
        // kernel's choice, the first port.
        let master = master
            .filter(|m| list.iter().any(|p| p.1 == *m))
            .map(str::to_owned)
            .or_else(|| list.first().map(|p| p.1.clone()));
        Model {
            ports: list,
            master,
        }
    }

    fn apply(&mut self, op: &PortOp, index: impl Fn(&str) -> u32) {
        match op {
            PortOp::Add(name) => {
                if self.ports.iter().any(|p| &p.1 == name) {
                    return; // EEXIST
                }
                if self.ports.is_empty() {
                    self.master = Some(name.clone());
                }
                self.ports.push((index(name), name.clone()));
                self.ports.sort();
            }
            PortOp::Remove(name) => {
                self.ports.retain(|p| &p.1 != name);
                if self.master.as_ref() == Some(name) {
                    self.master = self.ports.first().map(|p| p.1.clone());
                }
            }
        }
    }

    fn names(&self) -> HashSet<String> {
        self.ports.iter().map(|p| p.1.clone()).collect()
    }
}

/// The ports of the tests, with made-up interface indexes.
// not ABI: test data.
const UNIVERSE: [Member<'static>; 4] = [
    Member {
        name: "em0",
        index: 1,
    },
    Member {
        name: "em1",
        index: 2,
    },
    Member {
        name: "igb0",
        index: 3,
    },
    Member {
        name: "igb1",
        index: 4,
    },
];

fn index_of(name: &str) -> u32 {
    UNIVERSE.iter().find(|m| m.name == name).unwrap().index
}

fn members(names: &[&'static str]) -> Vec<Member<'static>> {
    names
        .iter()
        .map(|&name| Member {
            name,
            index: index_of(name),
        })
        .collect()
}

fn add(name: &str) -> PortOp {
    PortOp::Add(name.to_owned())
}

fn remove(name: &str) -> PortOp {
    PortOp::Remove(name.to_owned())
}

/// Applies the plan for (desired, current, master) to the model and
/// checks the result; returns the plan.
fn run(
    desired: &[&'static str],
    current: &[&'static str],
    master: Option<&str>,
) -> Vec<PortOp> {
    let ops = plan_master_order(&members(desired), &members(current), master);
    let mut model = Model::new(&members(current), master);
    for op in &ops {
        model.apply(op, index_of);
        if !current.is_empty() {
            assert!(!model.ports.is_empty(), "emptied: {ops:?}");
        }
    }
    if let Some(&want) = desired.first() {
        let set: HashSet<String> =
            desired.iter().map(|&d| d.to_owned()).collect();
        assert_eq!(model.names(), set, "{ops:?}");
        assert_eq!(model.master.as_deref(), Some(want), "{ops:?}");
    } else {
        assert!(ops.is_empty());
    }
    ops
}

#[test]
fn nothing_to_do() {
    assert_eq!(run(&["em0", "em1"], &["em0", "em1"], Some("em0")), []);
    assert_eq!(run(&[], &["em0", "em1"], Some("em1")), []);
    assert_eq!(run(&[], &[], None), []);
}

#[test]
fn an_empty_lagg_gets_the_ports_in_order() {
    let ops = run(&["igb0", "em1", "em0"], &[], None);
    assert_eq!(ops, [add("igb0"), add("em1"), add("em0")]);
}

#[test]
fn a_failed_standby_leaves_and_returns() {
    let ops = run(&["em0"], &["em0", "em1"], Some("em0"));
    assert_eq!(ops, [remove("em1")]);
    let ops = run(&["em0", "em1"], &["em0"], Some("em0"));
    assert_eq!(ops, [add("em1")]);
}

#[test]
fn a_failed_master_leaves_and_the_next_takes_over() {
    // em1 is first after em0 in index order: removing em0 suffices.
    let ops = run(&["em1", "igb0"], &["em0", "em1", "igb0"], Some("em0"));
    assert_eq!(ops, [remove("em0")]);
    // The operator prefers igb0 over em1: em1 must go and come back.
    let ops = run(&["igb0", "em1"], &["em0", "em1", "igb0"], Some("em0"));
    assert_eq!(ops, [remove("em1"), remove("em0"), add("em1")]);
}

#[test]
fn a_repaired_master_is_put_back() {
    // em0 (index 1) failed and was removed; em1 is master. em0 joins
    // first, ahead of em1 in index order; em1 leaves (em0 becomes
    // master) and comes back. igb0 is never touched.
    let ops = run(&["em0", "em1", "igb0"], &["em1", "igb0"], Some("em1"));
    assert_eq!(ops, [add("em0"), remove("em1"), add("em1")]);
    // The preferred port has the highest index: everything before it
    // leaves and returns.
    let ops = run(&["igb1", "em0", "em1"], &["em0", "em1"], Some("em0"));
    assert_eq!(
        ops,
        [
            add("igb1"),
            remove("em1"),
            remove("em0"),
            add("em0"),
            add("em1")
        ]
    );
}

#[test]
fn an_unknown_master_is_the_first_by_index() {
    let ops = run(&["em1", "em0"], &["em1", "em0"], None);
    assert_eq!(ops, [remove("em0"), add("em0")]);
    // A master that is not a member is ignored the same way.
    let ops = run(&["em1", "em0"], &["em1", "em0"], Some("igb0"));
    assert_eq!(ops, [remove("em0"), add("em0")]);
}

#[test]
fn repeated_names_count_once() {
    let ops = run(&["em1", "em1", "em0"], &["em0"], Some("em0"));
    assert_eq!(ops, [add("em1"), remove("em0"), add("em0")]);
}

/// The fewest operations that take `start` to `goal` (the set and the
/// master), by breadth-first search over every add and remove of the
/// universe's ports.
fn shortest(start: &Model, goal: &Model) -> usize {
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([(start.clone(), 0)]);
    seen.insert(start.clone());
    while let Some((state, depth)) = queue.pop_front() {
        if state.names() == goal.names() && state.master == goal.master {
            return depth;
        }
        for port in UNIVERSE {
            for op in [add(port.name), remove(port.name)] {
                let mut next = state.clone();
                next.apply(&op, index_of);
                if seen.insert(next.clone()) {
                    queue.push_back((next, depth + 1));
                }
            }
        }
    }
    unreachable!("every state is reachable")
}

/// Every subset of the universe, every master of it, every ordered
/// wanted list: the plan reaches the goal, never empties a non-empty
/// lagg, and is as short as the shortest sequence there is.
#[test]
fn every_plan_is_correct_and_shortest() {
    let names: Vec<&'static str> = UNIVERSE.iter().map(|m| m.name).collect();
    let subsets: Vec<Vec<&'static str>> = (0..16u32)
        .map(|bits| {
            names
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, &n)| n)
                .collect()
        })
        .collect();
    let mut orderings: Vec<Vec<&'static str>> = Vec::new();
    for subset in &subsets {
        permutations(subset, &mut Vec::new(), &mut orderings);
    }
    let mut checked = 0;
    for current in &subsets {
        let masters: Vec<Option<&str>> = if current.is_empty() {
            vec![None]
        } else {
            current.iter().map(|&m| Some(m)).collect()
        };
        for &master in &masters {
            for desired in orderings.iter().filter(|o| !o.is_empty()) {
                let ops = run(desired, current, master);
                let start = Model::new(&members(current), master);
                let goal = Model {
                    ports: {
                        let mut p: Vec<(u32, String)> = desired
                            .iter()
                            .map(|&d| (index_of(d), d.to_owned()))
                            .collect();
                        p.sort();
                        p
                    },
                    master: Some(desired[0].to_owned()),
                };
                assert_eq!(
                    ops.len(),
                    shortest(&start, &goal),
                    "desired {desired:?}, current {current:?}, master \
                     {master:?}: {ops:?}"
                );
                checked += 1;
            }
        }
    }
    // 33 (current, master) pairs × 64 non-empty orderings.
    assert_eq!(checked, 33 * 64);
}

fn permutations(
    rest: &[&'static str],
    prefix: &mut Vec<&'static str>,
    out: &mut Vec<Vec<&'static str>>,
) {
    if rest.is_empty() {
        out.push(prefix.clone());
        return;
    }
    for i in 0..rest.len() {
        let mut left = rest.to_vec();
        let next = left.remove(i);
        prefix.push(next);
        permutations(&left, prefix, out);
        prefix.pop();
    }
}
