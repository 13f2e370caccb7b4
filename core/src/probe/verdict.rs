//! The latched path verdict and its transition function.
//!
//! ```text
//!                  found                 5 losses (quiet over)
//!   NoTargets{ok} ───────▶ Ok ─────────────────────────────▶ Failed
//!        ▲                 │ ▲           10 acks               │
//!        │      lost       │ └─────────────────────────────────┤
//!        └─────────────────┘                                   │
//!   NoTargets{failed} ◀───────────── lost ─────────────────────┘
//!        │  found
//!        └─────────────────────────────────────────────────▶ Failed
//! ```
//!
//! `NoTargets` ("cannot verify") is neither ok nor failed. It remembers
//! whether the path was failed when its targets went away, so that a
//! failed path whose host targets were flushed (group failure) still
//! needs 10 acks to be repaired once new targets are found, as in
//! in.mpathd. A forced failure (the group layer decided) behaves like a
//! loss run without the event.
//!
//! | state             | input        | next              | action          |
//! |-------------------|--------------|-------------------|-----------------|
//! | Ok                | TargetsLost  | NoTargets{ok}     | EnterNoTargets  |
//! | Ok                | LossRun      | Failed            | DeclareFailed   |
//! | Ok                | Forced       | Failed            | ForceFailed     |
//! | Failed            | TargetsLost  | NoTargets{failed} | EnterNoTargets  |
//! | Failed            | AckRun       | Ok                | DeclareRepaired |
//! | Failed            | Forced       | Failed            | ForceFailed     |
//! | NoTargets{ok}     | TargetsFound | Ok                | LeaveNoTargets  |
//! | NoTargets{failed} | TargetsFound | Failed            | LeaveNoTargets  |
//! | NoTargets{_}      | Forced       | NoTargets{failed} | None            |
//! | any other pair    |              | unchanged         | None            |

use super::Verdict;

/// The verdict state machine's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathState {
    /// No active target: the path cannot be verified.
    NoTargets {
        /// Whether the path was failed when the targets went away.
        was_failed: bool,
    },
    /// Probes are answered.
    Ok,
    /// Five consecutive probes were lost (or the group layer said so).
    Failed,
}

/// What the detector observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathInput {
    /// The last active target went away.
    TargetsLost,
    /// An active target appeared.
    TargetsFound,
    /// Five consecutive probes lost, quiet period over.
    LossRun,
    /// Ten consecutive probes acked.
    AckRun,
    /// The group layer declared the path failed.
    Forced,
}

/// What the detector must do on a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathAction {
    /// Nothing.
    None,
    /// Clear the history and emit `NoTargets`.
    EnterNoTargets,
    /// Emit `TargetsAvailable`.
    LeaveNoTargets,
    /// Emit `PathFailed` and reset every crtt.
    DeclareFailed,
    /// Emit `PathRepaired`.
    DeclareRepaired,
    /// Reset every crtt and clear the history, so that repair needs ten
    /// new acks; no event (the caller knows).
    ForceFailed,
}

impl PathState {
    /// The public verdict.
    pub fn verdict(self) -> Verdict {
        match self {
            PathState::NoTargets { .. } => Verdict::NoTargets,
            PathState::Ok => Verdict::Ok,
            PathState::Failed => Verdict::Failed,
        }
    }

    /// Whether the path is failed, or was when its targets went away.
    pub fn is_failed(self) -> bool {
        match self {
            PathState::NoTargets { was_failed } => was_failed,
            PathState::Ok => false,
            PathState::Failed => true,
        }
    }

    /// The transition function.
    pub fn step(self, input: PathInput) -> (PathState, PathAction) {
        use PathAction as A;
        use PathInput as I;
        use PathState as S;
        match (self, input) {
            (S::Ok, I::TargetsLost) => {
                (S::NoTargets { was_failed: false }, A::EnterNoTargets)
            }
            (S::Ok, I::TargetsFound) => (S::Ok, A::None),
            (S::Ok, I::LossRun) => (S::Failed, A::DeclareFailed),
            (S::Ok, I::AckRun) => (S::Ok, A::None),
            (S::Ok, I::Forced) => (S::Failed, A::ForceFailed),

            (S::Failed, I::TargetsLost) => {
                (S::NoTargets { was_failed: true }, A::EnterNoTargets)
            }
            (S::Failed, I::TargetsFound) => (S::Failed, A::None),
            (S::Failed, I::LossRun) => (S::Failed, A::None),
            (S::Failed, I::AckRun) => (S::Ok, A::DeclareRepaired),
            (S::Failed, I::Forced) => (S::Failed, A::ForceFailed),

            (S::NoTargets { was_failed }, I::TargetsLost) => {
                (S::NoTargets { was_failed }, A::None)
            }
            (S::NoTargets { was_failed: false }, I::TargetsFound) => {
                (S::Ok, A::LeaveNoTargets)
            }
            (S::NoTargets { was_failed: true }, I::TargetsFound) => {
                (S::Failed, A::LeaveNoTargets)
            }
            (S::NoTargets { was_failed }, I::LossRun | I::AckRun) => {
                (S::NoTargets { was_failed }, A::None)
            }
            (S::NoTargets { .. }, I::Forced) => {
                (S::NoTargets { was_failed: true }, A::None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PathAction as A;
    use PathInput as I;
    use PathState as S;

    const NT_OK: S = S::NoTargets { was_failed: false };
    const NT_FAILED: S = S::NoTargets { was_failed: true };

    /// Every (state, input) pair, with the expected next state and
    /// action. Adding a state or an input makes `all_states` or
    /// `all_inputs` below fail to compile until this table is extended.
    const TABLE: &[(S, I, S, A)] = &[
        (S::Ok, I::TargetsLost, NT_OK, A::EnterNoTargets),
        (S::Ok, I::TargetsFound, S::Ok, A::None),
        (S::Ok, I::LossRun, S::Failed, A::DeclareFailed),
        (S::Ok, I::AckRun, S::Ok, A::None),
        (S::Ok, I::Forced, S::Failed, A::ForceFailed),
        (S::Failed, I::TargetsLost, NT_FAILED, A::EnterNoTargets),
        (S::Failed, I::TargetsFound, S::Failed, A::None),
        (S::Failed, I::LossRun, S::Failed, A::None),
        (S::Failed, I::AckRun, S::Ok, A::DeclareRepaired),
        (S::Failed, I::Forced, S::Failed, A::ForceFailed),
        (NT_OK, I::TargetsLost, NT_OK, A::None),
        (NT_OK, I::TargetsFound, S::Ok, A::LeaveNoTargets),
        (NT_OK, I::LossRun, NT_OK, A::None),
        (NT_OK, I::AckRun, NT_OK, A::None),
        (NT_OK, I::Forced, NT_FAILED, A::None),
        (NT_FAILED, I::TargetsLost, NT_FAILED, A::None),
        (NT_FAILED, I::TargetsFound, S::Failed, A::LeaveNoTargets),
        (NT_FAILED, I::LossRun, NT_FAILED, A::None),
        (NT_FAILED, I::AckRun, NT_FAILED, A::None),
        (NT_FAILED, I::Forced, NT_FAILED, A::None),
    ];

    fn all_states() -> Vec<S> {
        // Exhaustive by construction: a new variant is a compile error.
        let witness = |s: S| match s {
            S::NoTargets { was_failed: true } => 0,
            S::NoTargets { was_failed: false } => 1,
            S::Ok => 2,
            S::Failed => 3,
        };
        let all = vec![NT_FAILED, NT_OK, S::Ok, S::Failed];
        assert!(all.iter().enumerate().all(|(i, s)| witness(*s) == i));
        all
    }

    fn all_inputs() -> Vec<I> {
        let witness = |i: I| match i {
            I::TargetsLost => 0,
            I::TargetsFound => 1,
            I::LossRun => 2,
            I::AckRun => 3,
            I::Forced => 4,
        };
        let all = vec![
            I::TargetsLost,
            I::TargetsFound,
            I::LossRun,
            I::AckRun,
            I::Forced,
        ];
        assert!(all.iter().enumerate().all(|(k, i)| witness(*i) == k));
        all
    }

    #[test]
    fn transition_table_is_exhaustive_and_correct() {
        for s in all_states() {
            for i in all_inputs() {
                let rows: Vec<_> = TABLE
                    .iter()
                    .filter(|(ts, ti, _, _)| *ts == s && *ti == i)
                    .collect();
                assert_eq!(rows.len(), 1, "({s:?}, {i:?}) listed once");
            }
        }
        assert_eq!(TABLE.len(), all_states().len() * all_inputs().len());
        for &(s, i, next, action) in TABLE {
            assert_eq!(s.step(i), (next, action), "({s:?}, {i:?})");
        }
    }

    #[test]
    fn verdicts() {
        assert_eq!(NT_OK.verdict(), Verdict::NoTargets);
        assert_eq!(NT_FAILED.verdict(), Verdict::NoTargets);
        assert_eq!(S::Ok.verdict(), Verdict::Ok);
        assert_eq!(S::Failed.verdict(), Verdict::Failed);
        assert!(NT_FAILED.is_failed() && S::Failed.is_failed());
        assert!(!NT_OK.is_failed() && !S::Ok.is_failed());
    }
}
