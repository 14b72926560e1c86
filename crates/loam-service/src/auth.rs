//! Authentication: API keys (stored only as SHA-256 digests), passwords (argon2), and signed
//! sign-in tokens (HS256 JWT with the claims the Argilla clients know).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use loam_domain::model::User;
use loam_domain::UserId;
use loam_store::users;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result, Service};

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

/// Credentials known to be published in tutorials, or too short to resist guessing.
pub fn is_weak_password(password: &str) -> bool {
    const KNOWN: &[&str] = &["12345678", "1234", "password", "argilla", "admin", "owner", "123456789", "qwerty123"];
    password.chars().count() < 8 || KNOWN.contains(&password.to_lowercase().as_str())
}

pub fn is_weak_api_key(key: &str) -> bool {
    const KNOWN: &[&str] = &["argilla.apikey", "admin.apikey", "owner.apikey", "team.apikey"];
    key.chars().count() < 16 || KNOWN.contains(&key)
}

pub(crate) fn digest(key: &str) -> String {
    let hash = Sha256::digest(key.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|it| it.to_string())
            .map_err(|e| Error::invalid(format!("cannot hash password: {e}")))
    })
    .await
    .map_err(|e| Error::invalid(format!("password hashing failed: {e}")))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    username: String,
    name: String,
    role: String,
    identity: String,
    exp: i64,
}

/// What a caller presents.
#[derive(Debug, Default)]
pub struct Credentials<'a> {
    pub api_key: Option<&'a str>,
    pub bearer: Option<&'a str>,
}

impl Service {
    /// Resolves the caller: API key first; then a bearer token (model of api.md §0.2).
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
            let user = users::find_user_by_username(&mut tx, &data.claims.username).await?;
            return user.ok_or(Error::Unauthenticated(BAD_CREDENTIALS));
        }
        Err(Error::Unauthenticated(BAD_CREDENTIALS))
    }

    /// Password sign-in; returns a signed token.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<String> {
        let found = {
            let mut tx = self.store.read().await?;
            users::find_password_hash(&mut tx, username).await?
        };
        let Some((user, hash)) = found else {
            // Spend the same time as a real check so usernames cannot be probed by timing.
            let _ = verify_password(password.to_owned(), DUMMY_HASH.to_owned()).await;
            return Err(Error::Unauthenticated(BAD_CREDENTIALS));
        };
        if !verify_password(password.to_owned(), hash).await {
            return Err(Error::Unauthenticated(BAD_CREDENTIALS));
        }
        self.issue_token(&user)
    }

    fn issue_token(&self, user: &User) -> Result<String> {
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
            exp,
        };
        jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(&self.cfg.token_secret))
            .map_err(|e| Error::invalid(format!("cannot sign token: {e}")))
    }

    /// Replaces the user's API key with a new one and returns it (shown once).
    pub async fn rotate_api_key(&self, actor: &User, user_id: UserId) -> Result<(User, String)> {
        if actor.id != user_id {
            crate::policy::require_owner(actor)?;
        }
        let key = generate_api_key();
        let mut tx = self.store.write().await?;
        let user = users::find_user(&mut tx, user_id).await?.ok_or_else(|| Error::not_found("User", user_id))?;
        users::set_api_key_digest(&mut tx, user_id, &digest(&key)).await?;
        tx.commit().await?;
        Ok((user, key))
    }
}

/// An argon2 hash of a random string, verified against when the username is unknown.
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
    fn known_weak_credentials_are_refused() {
        assert!(is_weak_password("12345678"));
        assert!(is_weak_password("1234"));
        assert!(is_weak_password("short"));
        assert!(!is_weak_password("a long and unusual passphrase"));
        assert!(is_weak_api_key("argilla.apikey"));
        assert!(is_weak_api_key("abc"));
    }

    #[test]
    fn digest_is_stable_hex() {
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
