//! Rules about credentials: the password policy, and the arithmetic of sign-in throttling (a free
//! allowance of attempts, then exponential back-off). The state lives in the database; these
//! functions only decide.

/// Fewest characters of a password (the reference server's own minimum).
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Most characters of a password (the reference server's own maximum).
pub const PASSWORD_MAX_CHARS: usize = 100;

/// Why a password is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    /// One character repeated (`aaaaaaaa`, eight spaces).
    OneCharacter,
    /// In the list of common passwords (compared as typed and lowercased).
    Common,
}

impl std::fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordProblem::TooShort => write!(f, "The password must have at least {PASSWORD_MIN_CHARS} characters"),
            PasswordProblem::TooLong => write!(f, "The password must have at most {PASSWORD_MAX_CHARS} characters"),
            PasswordProblem::OneCharacter => write!(f, "The password must not be one character repeated"),
            PasswordProblem::Common => {
                write!(f, "The password is one of the most commonly used passwords; choose another")
            }
        }
    }
}

/// Checks a password that is about to be set: length, not one repeated character, not among the
/// hundred thousand most common passwords (the list of the `passwords` crate).
pub fn check_password(password: &str) -> Result<(), PasswordProblem> {
    let count = password.chars().count();
    if count < PASSWORD_MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if count > PASSWORD_MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(PasswordProblem::OneCharacter);
    }
    let lower = password.to_lowercase();
    if passwords::analyzer::is_common_password(password) || passwords::analyzer::is_common_password(&lower) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// How sign-in attempts under one key (a username, or a client address) are throttled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Attempts allowed without waiting; 0 turns throttling under this key off.
    pub allowance: u32,
    /// The wait after the allowance is used up, doubled by every further attempt…
    pub base_delay_secs: u32,
    /// …up to this.
    pub max_delay_secs: u32,
    /// Attempts older than this (since the last one) are forgotten.
    pub forget_after_secs: u32,
}

/// What the database holds for one key. Times are microseconds since the epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThrottleState {
    /// Attempts since the last success (or since they were forgotten).
    pub attempts: i64,
    /// No attempt is admitted before this.
    pub blocked_until: i64,
    pub last_at: i64,
}

/// The outcome of [`ThrottlePolicy::admit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Refused without trying the password: wait this many seconds (at least 1).
    Blocked { retry_after_secs: u64 },
    /// Admitted; the state to store, with this attempt counted.
    Admitted(ThrottleState),
}

const MICROS: i64 = 1_000_000;

impl ThrottlePolicy {
    pub fn enabled(&self) -> bool {
        self.allowance > 0
    }

    /// Decides on an attempt at `now` given the stored state (`None`: no attempt known). An
    /// admitted attempt is counted at once, before its password is checked, so concurrent attempts
    /// cannot all slip through: the one that uses up the allowance blocks the next ones for
    /// `base_delay_secs`, and every later one doubles the wait.
    pub fn admit(&self, state: Option<ThrottleState>, now: i64) -> Admission {
        let mut state = match state {
            Some(it) if now - it.last_at <= i64::from(self.forget_after_secs) * MICROS => it,
            _ => ThrottleState::default(),
        };
        if !self.enabled() {
            return Admission::Admitted(ThrottleState { attempts: state.attempts + 1, blocked_until: 0, last_at: now });
        }
        if state.blocked_until > now {
            let wait = state.blocked_until - now;
            let secs = (wait + MICROS - 1) / MICROS;
            return Admission::Blocked { retry_after_secs: secs.max(1) as u64 };
        }
        state.attempts += 1;
        state.last_at = now;
        let allowance = i64::from(self.allowance);
        if state.attempts >= allowance {
            state.blocked_until = now + self.delay_secs(state.attempts - allowance) * MICROS;
        }
        Admission::Admitted(state)
    }

    /// The wait after the `beyond`-th attempt past the allowance (0: the one that used it up).
    fn delay_secs(&self, beyond: i64) -> i64 {
        let base = i64::from(self.base_delay_secs);
        let max = i64::from(self.max_delay_secs);
        let doubled = if beyond >= 40 { max } else { base.saturating_mul(1i64 << beyond) };
        doubled.min(max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_the_clients_own_tests_use_are_accepted() {
        for ok in [
            "testtesttest",
            "test password",
            "test_password",
            "a-long-password",
            "annotate-all-day-1",
            "a-brand-new-password",
            "correct horse battery staple",
            "s3cret-pass-word",
            "12345678a-unusual",
        ] {
            assert_eq!(check_password(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_the_rule() {
        for (weak, problem) in [
            ("", PasswordProblem::TooShort),
            ("short", PasswordProblem::TooShort),
            ("1234567", PasswordProblem::TooShort),
            ("aaaaaaaa", PasswordProblem::OneCharacter),
            ("        ", PasswordProblem::OneCharacter),
            ("éééééééééé", PasswordProblem::OneCharacter),
            ("12345678", PasswordProblem::Common),
            ("password", PasswordProblem::Common),
            ("PassWord", PasswordProblem::Common),
            ("QWERTYUIOP", PasswordProblem::Common),
            ("iloveyou", PasswordProblem::Common),
            ("password1", PasswordProblem::Common),
        ] {
            assert_eq!(check_password(weak), Err(problem), "{weak:?}");
        }
        assert_eq!(check_password(&"ab".repeat(51)), Err(PasswordProblem::TooLong));
        assert_eq!(check_password(&"ab".repeat(50)), Ok(()));
        // Characters, not bytes.
        assert_eq!(check_password("çàéèùîôñ"), Ok(()));
    }

    const POLICY: ThrottlePolicy =
        ThrottlePolicy { allowance: 3, base_delay_secs: 1, max_delay_secs: 8, forget_after_secs: 60 };

    fn admitted(it: Admission) -> ThrottleState {
        match it {
            Admission::Admitted(state) => state,
            Admission::Blocked { .. } => panic!("blocked: {it:?}"),
        }
    }

    #[test]
    fn the_allowance_is_free_then_waits_double_up_to_the_cap() {
        let s = 1_000_000i64;
        let mut now = 1_000 * s;
        let mut state = None;
        for _ in 0..2 {
            let next = admitted(POLICY.admit(state, now));
            assert_eq!(next.blocked_until, 0);
            state = Some(next);
        }
        // The third attempt uses the allowance up: the next waits 1 s.
        let next = admitted(POLICY.admit(state, now));
        assert_eq!(next.blocked_until, now + s);
        state = Some(next);
        assert_eq!(POLICY.admit(state, now), Admission::Blocked { retry_after_secs: 1 });
        assert_eq!(POLICY.admit(state, now + s / 2), Admission::Blocked { retry_after_secs: 1 });
        let mut waits = Vec::new();
        for _ in 0..5 {
            now = state.map(|it| it.blocked_until).unwrap_or(now);
            let next = admitted(POLICY.admit(state, now));
            waits.push((next.blocked_until - now) / s);
            state = Some(next);
        }
        assert_eq!(waits, vec![2, 4, 8, 8, 8]);
        assert_eq!(POLICY.admit(state, now + s), Admission::Blocked { retry_after_secs: 7 });
        // An idle minute forgets it all.
        let fresh = admitted(POLICY.admit(state, now + 61 * s));
        assert_eq!((fresh.attempts, fresh.blocked_until), (1, 0));
    }

    #[test]
    fn an_allowance_of_zero_never_blocks() {
        let off = ThrottlePolicy { allowance: 0, ..POLICY };
        let mut state = None;
        for _ in 0..100 {
            state = Some(admitted(off.admit(state, 5)));
        }
        assert_eq!(state.map(|it| it.blocked_until), Some(0));
    }

    #[test]
    fn huge_counts_stay_at_the_cap() {
        let state = ThrottleState { attempts: 10_000, blocked_until: 0, last_at: 0 };
        let next = admitted(POLICY.admit(Some(state), 1));
        assert_eq!(next.blocked_until, 1 + 8 * 1_000_000);
    }
}
