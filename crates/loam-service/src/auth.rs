//! Authentication: API keys (stored only as SHA-256 digests), passwords (argon2, computed in the
//! bounded slots of `hashing.rs`), signed sign-in tokens (HS256 JWT with the claims the Argilla
//! clients know, plus the user's token version), and sign-in throttling per username and per
//! client address (state in the database, decisions in `loam_domain::auth`).

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use loam_domain::auth::{Admission, ThrottlePolicy};
use loam_domain::model::User;
use loam_domain::UserId;
use loam_store::{throttle, users, TxLock};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::hashing::HashingConfig;
use crate::{now, Error, Result, Service};

const BAD_CREDENTIALS: &str = "Could not validate credentials";

/// A freshly generated API key: 48 random bytes, URL-safe, with a recognisable prefix.
pub fn generate_api_key() -> String {
    let mut bytes = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("loam_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// A strong random password for generated accounts.
pub fn generate_password() -> String {
    let mut bytes = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn is_weak_api_key(key: &str) -> bool {
    const KNOWN: &[&str] = &["argilla.apikey", "admin.apikey", "owner.apikey", "team.apikey"];
    key.chars().count() < 16 || KNOWN.contains(&key)
}

pub(crate) fn digest(key: &str) -> String {
    let hash = Sha256::digest(key.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a password about to be set against the policy (422 naming the rule).
pub(crate) fn check_new_password(password: &str) -> Result<()> {
    loam_domain::auth::check_password(password).map_err(|problem| Error::invalid(problem.to_string()))
}

/// How sign-in is throttled and password hashing bounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInConfig {
    /// Attempts per case-folded username (unknown usernames too).
    pub username: ThrottlePolicy,
    /// Attempts per client address (IPv6: per /64).
    pub address: ThrottlePolicy,
    pub hashing: HashingConfig,
}

/// Five attempts per username, then waits of 1 s, 2 s, 4 s, … up to 15 minutes; forgotten after
/// an idle hour.
pub const DEFAULT_USERNAME_THROTTLE: ThrottlePolicy =
    ThrottlePolicy { allowance: 5, base_delay_secs: 1, max_delay_secs: 900, forget_after_secs: 3600 };

/// A hundred failed attempts per client address (offices share one), then the same waits.
pub const DEFAULT_ADDRESS_THROTTLE: ThrottlePolicy =
    ThrottlePolicy { allowance: 100, base_delay_secs: 1, max_delay_secs: 900, forget_after_secs: 3600 };

impl Default for SignInConfig {
    fn default() -> Self {
        SignInConfig {
            username: DEFAULT_USERNAME_THROTTLE,
            address: DEFAULT_ADDRESS_THROTTLE,
            hashing: HashingConfig::default(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    username: String,
    name: String,
    role: String,
    /// The user's id: the token names its user by id, never by username.
    identity: String,
    /// The user's token version when the token was issued (migration 0013).
    ver: i64,
    exp: i64,
}

/// What a caller presents.
#[derive(Debug, Default)]
pub struct Credentials<'a> {
    pub api_key: Option<&'a str>,
    pub bearer: Option<&'a str>,
}

/// The throttling keys of one sign-in attempt, with their policies.
struct Keys {
    username: Option<String>,
    address: Option<String>,
}

/// Sign-in admissions in this process; every so often one purges forgotten throttling rows.
static ADMISSIONS: AtomicU64 = AtomicU64::new(0);
const PURGE_EVERY: u64 = 64;

impl Service {
    /// Resolves the caller: API key first; then a bearer token (model of api.md §0.2), which must
    /// name an existing user by id and carry that user's current token version.
    pub async fn authenticate(&self, creds: Credentials<'_>) -> Result<User> {
        let mut tx = self.store.read().await?;
        if let Some(key) = creds.api_key.filter(|it| !it.is_empty()) {
            if let Some(user) = users::find_user_by_key_digest(&mut tx, &digest(key)).await? {
                return Ok(user);
            }
        }
        if let Some(token) = creds.bearer {
            let data = jsonwebtoken::decode::<Claims>(
                token,
                &DecodingKey::from_secret(&self.cfg.token_secret),
                &Validation::new(jsonwebtoken::Algorithm::HS256),
            )
            .map_err(|_| Error::Unauthenticated("Invalid token"))?;
            let id =
                uuid::Uuid::parse_str(&data.claims.identity).map_err(|_| Error::Unauthenticated("Invalid token"))?;
            return match users::find_user_for_token(&mut tx, UserId(id)).await? {
                Some((user, version)) if version == data.claims.ver => Ok(user),
                _ => Err(Error::Unauthenticated(BAD_CREDENTIALS)),
            };
        }
        Err(Error::Unauthenticated(BAD_CREDENTIALS))
    }

    /// Password sign-in from `client` (when known); returns a signed token. Throttled per
    /// username and per address before any hashing (429); the hash waits for a bounded slot
    /// (503 when the queue is full). An unknown username costs what a known one does.
    pub async fn sign_in(&self, username: &str, password: &str, client: Option<IpAddr>) -> Result<String> {
        let ticket = self.hasher.enter()?;
        let keys = Keys {
            username: self
                .cfg
                .sign_in
                .username
                .enabled()
                .then(|| digest(&format!("user\n{}", username.to_lowercase()))),
            address: client
                .filter(|_| self.cfg.sign_in.address.enabled())
                .map(|ip| digest(&format!("addr\n{}", address_key(ip)))),
        };
        self.admit_sign_in(&keys).await?;
        let outcome = self.check_password(ticket, username, password).await;
        match &outcome {
            Ok(_) => self.settle_sign_in(&keys, true).await?,
            // Never tried: the attempt is taken back.
            Err(Error::Busy { .. }) => self.settle_sign_in(&keys, false).await?,
            Err(_) => {}
        }
        outcome
    }

    async fn check_password(&self, ticket: crate::hashing::Ticket, username: &str, password: &str) -> Result<String> {
        let found = {
            let mut tx = self.store.read().await?;
            users::find_password_hash(&mut tx, username).await?
        };
        let slot = self.hasher.slot(ticket).await?;
        let Some((user, hash, version)) = found else {
            // Spend the same time as a real check so usernames cannot be probed by timing.
            let _ = self.hasher.verify(slot, password.to_owned(), DUMMY_HASH.to_owned()).await?;
            return Err(Error::Unauthenticated(BAD_CREDENTIALS));
        };
        if !self.hasher.verify(slot, password.to_owned(), hash).await? {
            return Err(Error::Unauthenticated(BAD_CREDENTIALS));
        }
        self.issue_token(&user, version)
    }

    /// Counts the attempt under each key, or refuses it while a key is blocked (nothing counted).
    async fn admit_sign_in(&self, keys: &Keys) -> Result<()> {
        let policies = [(&keys.username, self.cfg.sign_in.username), (&keys.address, self.cfg.sign_in.address)];
        if policies.iter().all(|(key, _)| key.is_none()) {
            return Ok(());
        }
        let at = now().0;
        let mut tx = self.store.write().await?;
        tx.serialize_on(TxLock::SignIn).await?;
        let mut admitted = Vec::new();
        let mut retry_after = 0;
        for (key, policy) in policies {
            let Some(key) = key else { continue };
            match policy.admit(throttle::find(&mut tx, key).await?, at) {
                Admission::Admitted(state) => admitted.push((key, state)),
                Admission::Blocked { retry_after_secs } => retry_after = retry_after.max(retry_after_secs),
            }
        }
        if retry_after > 0 {
            return Err(Error::Throttled { retry_after_secs: retry_after });
        }
        for (key, state) in admitted {
            throttle::save(&mut tx, key, &state).await?;
        }
        if ADMISSIONS.fetch_add(1, Ordering::Relaxed).is_multiple_of(PURGE_EVERY) {
            let longest = self.cfg.sign_in.username.forget_after_secs.max(self.cfg.sign_in.address.forget_after_secs);
            throttle::purge(&mut tx, at - i64::from(longest) * 1_000_000).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// After a success the username's attempts are forgotten and the address's attempt taken
    /// back; after an attempt that was never tried, both are taken back.
    async fn settle_sign_in(&self, keys: &Keys, success: bool) -> Result<()> {
        if keys.username.is_none() && keys.address.is_none() {
            return Ok(());
        }
        let mut tx = self.store.write().await?;
        tx.serialize_on(TxLock::SignIn).await?;
        if let Some(key) = &keys.username {
            if success {
                throttle::clear(&mut tx, key).await?;
            } else {
                throttle::release(&mut tx, key).await?;
            }
        }
        if let Some(key) = &keys.address {
            throttle::release(&mut tx, key).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    fn issue_token(&self, user: &User, version: i64) -> Result<String> {
        let exp = time::OffsetDateTime::now_utc().unix_timestamp() + self.cfg.token_ttl_secs;
        let name = match &user.last_name {
            Some(last) => format!("{} {}", user.first_name, last),
            None => user.first_name.clone(),
        };
        let claims = Claims {
            username: user.username.clone(),
            name,
            role: user.role.as_str().to_owned(),
            identity: user.id.to_string(),
            ver: version,
            exp,
        };
        jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(&self.cfg.token_secret))
            .map_err(|e| Error::invalid(format!("cannot sign token: {e}")))
    }

    /// Signs the caller out everywhere: every sign-in token issued to them so far is refused, on
    /// every replica. Their API key stays valid.
    pub async fn sign_out(&self, actor: &User) -> Result<()> {
        let mut tx = self.store.write().await?;
        users::bump_token_version(&mut tx, actor.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the user's API key with a new one and returns it (shown once). Their sign-in
    /// tokens are revoked too.
    pub async fn rotate_api_key(&self, actor: &User, user_id: UserId) -> Result<(User, String)> {
        if actor.id != user_id {
            crate::policy::require_owner(actor)?;
        }
        let key = generate_api_key();
        let mut tx = self.store.write().await?;
        let user = users::find_user(&mut tx, user_id).await?.ok_or_else(|| Error::not_found("User", user_id))?;
        users::set_api_key_digest(&mut tx, user_id, &digest(&key)).await?;
        users::bump_token_version(&mut tx, user_id).await?;
        tx.commit().await?;
        Ok((user, key))
    }
}

/// The address a client is throttled under: IPv4 as it is (IPv4-mapped IPv6 too), IPv6 by its
/// /64 (what one subscriber usually holds).
fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// An argon2 hash of a random string, verified against when the username is unknown (the
/// default parameters, so it costs what a real check does).
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3nT0GMd0DQ9P3G+fCqj2CVxTLm4qZr6+5JQz2kd1jXo";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_and_distinct() {
        let a = generate_api_key();
        let b = generate_api_key();
        assert_ne!(a, b);
        assert!(a.len() >= 64, "{a}");
        assert!(!is_weak_api_key(&a));
    }

    #[test]
    fn known_weak_keys_are_refused() {
        assert!(is_weak_api_key("argilla.apikey"));
        assert!(is_weak_api_key("abc"));
    }

    #[test]
    fn addresses_are_keyed_by_host_or_ipv6_prefix() {
        let key = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(key("127.0.0.1"), "127.0.0.1");
        assert_eq!(key("::ffff:10.1.2.3"), "10.1.2.3");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:bbbb::9"), key("2001:db8:1:2:aaaa::1"));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let parsed = argon2::password_hash::PasswordHash::new(DUMMY_HASH).unwrap();
        let params = argon2::Params::try_from(&parsed).unwrap();
        let default = argon2::Params::default();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (default.m_cost(), default.t_cost(), default.p_cost())
        );
    }

    #[test]
    fn digest_is_stable_hex() {
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
