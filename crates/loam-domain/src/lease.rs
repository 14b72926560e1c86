//! Leases: exact distribution of the web UI's Pending queue (issue 20).
//!
//! When an annotator's web UI asks for the next record of the Pending queue, the server leases
//! one to them for a term ([`LeaseTerm`], a few minutes by default), renewed while the record is
//! in view and released on submit, discard, skip or navigation away. A lease is a row with an
//! expiry: one past its expiry holds nothing ([`is_live`]), so leases come back without any
//! sweeper and any replica may hand the place to someone else.
//!
//! The rules kept here, pure:
//! - **Capacity.** A record is offered to an annotator only while it still needs answers from
//!   people other than those already working on it: its submitted answers plus the live leases of
//!   *other* annotators stay below `min_submitted` ([`Place::may_offer`]); never to an annotator
//!   who answered it in any way (a draft or a discard is an answer in their queues), never once
//!   it is completed.
//! - **Order.** The next record is the first one in insertion order that may be offered; a skip
//!   (`after` a record) looks past that record first, then from the start again, so a skipped
//!   record comes back once the rest were seen ([`Pass`]).
//! - **Exactness on submit.** A lease can expire and be taken over while its first holder still
//!   has the record open. The web UI's writes say they come from the leased flow, and such a
//!   submit is refused when the record already has its `min_submitted` submitted answers
//!   ([`overfills`]), so the web UI never pushes a record past it; clients that write directly
//!   (the SDKs) are not bound by leases.

use crate::distribution::{Distribution, RecordStatus};
use crate::value::ResponseStatus;
use crate::Timestamp;

/// How long a lease lasts, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaseTerm {
    pub secs: i64,
}

impl LeaseTerm {
    /// The default term: five minutes, renewed by the web UI every third of it.
    pub const DEFAULT_SECS: i64 = 300;
    /// The longest term accepted (a day): a lease is a hold on others' work.
    pub const MAX_SECS: i64 = 86_400;

    /// A term of `secs` seconds, when within 1 s and [`LeaseTerm::MAX_SECS`].
    pub fn new(secs: i64) -> Option<Self> {
        (1..=Self::MAX_SECS).contains(&secs).then_some(Self { secs })
    }

    /// When a lease taken or renewed at `now` expires.
    pub fn expires_at(self, now: Timestamp) -> Timestamp {
        Timestamp(now.0.saturating_add(self.secs.saturating_mul(1_000_000)))
    }
}

impl Default for LeaseTerm {
    fn default() -> Self {
        Self { secs: Self::DEFAULT_SECS }
    }
}

/// Whether a lease expiring at `expires_at` still holds its place at `now`.
pub fn is_live(expires_at: Timestamp, now: Timestamp) -> bool {
    expires_at > now
}

/// What decides whether a record may be leased to an annotator, read with the record's row lock
/// held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub status: RecordStatus,
    /// Submitted responses of every annotator.
    pub submitted: i64,
    /// Live leases of annotators other than the one asking.
    pub held_by_others: i64,
    /// Whether the annotator asking has a response (of any status) to the record.
    pub answered: bool,
}

impl Place {
    /// Places still open to annotators other than those holding a lease.
    pub fn open(self, distribution: Distribution) -> i64 {
        (distribution.min_submitted - self.submitted - self.held_by_others).max(0)
    }

    /// Whether the record may be leased (or its lease renewed) to the annotator asking.
    pub fn may_offer(self, distribution: Distribution) -> bool {
        self.status == RecordStatus::Pending && !self.answered && self.open(distribution) > 0
    }
}

/// Whether a submit through the leased flow (the web UI) would give a record more submitted
/// answers than `min_submitted`: it turns a response that was not submitted (or none) into a
/// submitted one while the record already has `submitted` of them. A submitted answer changed
/// and submitted again adds nothing.
pub fn overfills(distribution: Distribution, submitted: i64, was_submitted: bool, status: ResponseStatus) -> bool {
    status == ResponseStatus::Submitted && !was_submitted && submitted >= distribution.min_submitted
}

/// One pass over the dataset's records when looking for the next one to lease: those after a
/// record's position in insertion order, or all of them from the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    After(i64),
    FromStart,
}

/// The passes that find the next record: past the skipped one (its insertion position) first,
/// then from the start again; without a skip, from the start.
pub fn passes(after: Option<i64>) -> Vec<Pass> {
    match after {
        Some(seq) => vec![Pass::After(seq), Pass::FromStart],
        None => vec![Pass::FromStart],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: Distribution = Distribution { min_submitted: 2 };

    fn place(submitted: i64, held_by_others: i64, answered: bool) -> Place {
        Place { status: RecordStatus::Pending, submitted, held_by_others, answered }
    }

    #[test]
    fn offers_while_places_are_open() {
        assert!(place(0, 0, false).may_offer(TWO));
        assert!(place(1, 0, false).may_offer(TWO));
        assert!(place(0, 1, false).may_offer(TWO));
        assert!(!place(1, 1, false).may_offer(TWO));
        assert!(!place(0, 2, false).may_offer(TWO));
        assert_eq!(place(0, 3, false).open(TWO), 0);
        assert_eq!(place(0, 0, false).open(TWO), 2);
    }

    #[test]
    fn never_to_who_answered_nor_once_completed() {
        assert!(!place(0, 0, true).may_offer(TWO));
        let done = Place { status: RecordStatus::Completed, ..place(0, 0, false) };
        assert!(!done.may_offer(TWO));
    }

    #[test]
    fn terms_and_expiry() {
        assert_eq!(LeaseTerm::new(0), None);
        assert_eq!(LeaseTerm::new(LeaseTerm::MAX_SECS + 1), None);
        assert_eq!(LeaseTerm::default().secs, 300);
        let term = LeaseTerm::new(3).unwrap();
        let now = Timestamp(1_000_000);
        let end = term.expires_at(now);
        assert_eq!(end, Timestamp(4_000_000));
        assert!(is_live(end, now));
        assert!(is_live(end, Timestamp(3_999_999)));
        assert!(!is_live(end, end));
        assert_eq!(LeaseTerm::new(5).unwrap().expires_at(Timestamp(i64::MAX)), Timestamp(i64::MAX));
    }

    #[test]
    fn a_leased_submit_never_overfills() {
        assert!(!overfills(TWO, 1, false, ResponseStatus::Submitted));
        assert!(overfills(TWO, 2, false, ResponseStatus::Submitted));
        // Changing one's own submitted answer adds nothing.
        assert!(!overfills(TWO, 2, true, ResponseStatus::Submitted));
        // Drafts and discards never count.
        assert!(!overfills(TWO, 2, false, ResponseStatus::Draft));
        assert!(!overfills(TWO, 5, false, ResponseStatus::Discarded));
    }

    #[test]
    fn skips_look_past_then_wrap() {
        assert_eq!(passes(None), vec![Pass::FromStart]);
        assert_eq!(passes(Some(7)), vec![Pass::After(7), Pass::FromStart]);
    }
}
