//! Password hashing, bounded: every argon2 hash and verification (19 MiB of memory each) runs in
//! one of a few slots, on the blocking pool, in memory the slot keeps and reuses; callers queue
//! for a slot, the queue is bounded in length and in waiting time, and a caller beyond either gets
//! [`Error::Busy`] (503 with `Retry-After`). So a storm of sign-ins costs at most
//! `slots × 19 MiB` and never grows memory with the number of requests.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{Error, Result};

/// Memory of one argon2 computation with the default parameters (19 MiB), in blocks.
const DEFAULT_BLOCKS: usize = Params::DEFAULT_M_COST as usize;
/// A stored hash asking for more memory than this (64 MiB) is not verified (it cannot be one of
/// loam's: they all use the defaults).
const MAX_BLOCKS: usize = 64 * 1024;

/// How the hashing slots and their queue are sized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashingConfig {
    /// Hashes computed at once.
    pub slots: usize,
    /// Callers waiting for a slot at most, beyond those hashing.
    pub queue: usize,
    /// The longest a caller waits for a slot.
    pub max_wait: Duration,
}

impl HashingConfig {
    /// Slots from the machine: half its cores (hashing never takes the whole machine; at least
    /// one), and no more than a sixteenth of its memory (`memory_bytes`, when known) at 19 MiB
    /// each, at most 8. The queue holds 64 callers per slot, about two seconds of hashing.
    pub fn for_machine(cores: usize, memory_bytes: Option<u64>) -> Self {
        let by_cores = (cores / 2).max(1);
        let by_memory = memory_bytes.map_or(usize::MAX, |it| (it / 16 / (DEFAULT_BLOCKS as u64 * 1024)) as usize);
        let slots = by_cores.min(by_memory).clamp(1, 8);
        HashingConfig { slots, queue: 64 * slots, max_wait: Duration::from_secs(10) }
    }
}

impl Default for HashingConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |it| it.get());
        Self::for_machine(cores, None)
    }
}

pub(crate) struct Hasher {
    slots: Arc<Semaphore>,
    /// Memory of idle slots, reused by the next hash (at most `slots` buffers ever exist).
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
    /// Callers holding a [`Ticket`]: waiting for a slot or hashing.
    inside: Arc<AtomicUsize>,
    /// Hashes computed since start (verifications included).
    computed: Arc<AtomicU64>,
    cfg: HashingConfig,
}

/// What `/api/v1/status` reports of password hashing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashingStatus {
    pub slots: usize,
    pub queue: usize,
    /// Callers hashing or waiting for a slot now.
    pub inside: usize,
    /// Hashes and verifications computed since start.
    pub computed: u64,
}

/// A place in the hashing queue; dropped, it frees the place.
pub(crate) struct Ticket {
    inside: Arc<AtomicUsize>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.inside.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A slot, held until its hash is computed (also when the caller has stopped waiting for it).
pub(crate) struct Slot {
    permit: OwnedSemaphorePermit,
    _ticket: Ticket,
}

impl Hasher {
    pub fn new(cfg: HashingConfig) -> Self {
        let cfg = HashingConfig { slots: cfg.slots.max(1), ..cfg };
        Hasher {
            slots: Arc::new(Semaphore::new(cfg.slots)),
            memory: Arc::new(Mutex::new(Vec::new())),
            inside: Arc::new(AtomicUsize::new(0)),
            computed: Arc::new(AtomicU64::new(0)),
            cfg,
        }
    }

    pub fn status(&self) -> HashingStatus {
        HashingStatus {
            slots: self.cfg.slots,
            queue: self.cfg.queue,
            inside: self.inside.load(Ordering::Acquire),
            computed: self.computed.load(Ordering::Acquire),
        }
    }

    /// Takes a place in the queue, or says the server is busy.
    pub fn enter(&self) -> Result<Ticket> {
        let limit = self.cfg.slots + self.cfg.queue;
        let taken = self.inside.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < limit).then_some(n + 1));
        match taken {
            Ok(_) => Ok(Ticket { inside: Arc::clone(&self.inside) }),
            Err(_) => Err(Error::Busy { retry_after_secs: 1 }),
        }
    }

    /// Waits for a slot, at most the configured time.
    pub async fn slot(&self, ticket: Ticket) -> Result<Slot> {
        match tokio::time::timeout(self.cfg.max_wait, Arc::clone(&self.slots).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Slot { permit, _ticket: ticket }),
            Ok(Err(_)) => Err(Error::Failed("the password hashing slots are closed".to_owned())),
            Err(_) => Err(Error::Busy { retry_after_secs: 2 }),
        }
    }

    /// Hashes a new password (PHC string: argon2id, default parameters, random salt).
    pub async fn hash(&self, password: String) -> Result<String> {
        let slot = self.slot(self.enter()?).await?;
        self.run(slot, move |memory| hash_with(memory, password.as_bytes()))
            .await?
            .map_err(|e| Error::Failed(format!("cannot hash a password: {e}")))
    }

    /// Whether `password` matches the PHC string `hash`; computed in `slot`.
    pub async fn verify(&self, slot: Slot, password: String, hash: String) -> Result<bool> {
        self.run(slot, move |memory| verify_with(memory, password.as_bytes(), &hash)).await
    }

    async fn run<T: Send + 'static>(
        &self,
        slot: Slot,
        job: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T> {
        let pool = Arc::clone(&self.memory);
        let computed = Arc::clone(&self.computed);
        tokio::task::spawn_blocking(move || {
            let taken = pool.lock().ok().and_then(|mut it| it.pop());
            let mut memory = taken.unwrap_or_else(|| vec![Block::default(); DEFAULT_BLOCKS]);
            let res = job(&mut memory);
            computed.fetch_add(1, Ordering::AcqRel);
            if let Ok(mut idle) = pool.lock() {
                idle.push(memory);
            }
            drop(slot.permit);
            res
        })
        .await
        .map_err(|e| Error::Failed(format!("password hashing stopped: {e}")))
    }
}

fn hash_with(memory: &mut [Block], password: &[u8]) -> std::result::Result<String, String> {
    let argon = Argon2::default();
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(|e| e.to_string())?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon.hash_password_into_with_memory(password, salt_bytes, &mut out, memory).map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

fn verify_with(memory: &mut Vec<Block>, password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let Ok(version) = parsed.version.map_or(Ok(Version::default()), Version::try_from) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        return false;
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    if argon.hash_password_into_with_memory(password, salt_bytes, &mut out, &mut memory[..blocks]).is_err() {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(&out).is_ok_and(|it| it == expected)
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn hashes_agree_with_argon2s_own_in_both_directions_on_reused_memory() {
        let mut memory = vec![Block::default(); DEFAULT_BLOCKS];
        let ours = hash_with(&mut memory, b"a fine password").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"a fine password", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"another", &parsed).is_err());
        // Memory left dirty by the hash above.
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = Argon2::default().hash_password(b"a fine password", &salt).unwrap().to_string();
        assert!(verify_with(&mut memory, b"a fine password", &theirs));
        assert!(!verify_with(&mut memory, b"a fine passwore", &theirs));
        assert!(verify_with(&mut memory, b"a fine password", &ours));
        assert!(!verify_with(&mut memory, b"a fine password", "not a hash"));
        // Hashes made with other parameters verify too (with the memory they need).
        let small = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(1024, 1, 1, None).unwrap());
        let other = small.hash_password(b"pw-other-params", &salt).unwrap().to_string();
        assert!(verify_with(&mut memory, b"pw-other-params", &other));
    }

    #[test]
    fn slots_follow_cores_and_memory() {
        assert_eq!(HashingConfig::for_machine(1, None).slots, 1);
        assert_eq!(HashingConfig::for_machine(2, None).slots, 1);
        assert_eq!(HashingConfig::for_machine(8, None).slots, 4);
        assert_eq!(HashingConfig::for_machine(64, None).slots, 8);
        // 512 MiB: a sixteenth is 32 MiB, one slot.
        assert_eq!(HashingConfig::for_machine(8, Some(512 << 20)).slots, 1);
        assert_eq!(HashingConfig::for_machine(8, Some(16 << 30)).slots, 4);
    }

    #[tokio::test]
    async fn the_queue_is_bounded_in_length() {
        let hasher = Hasher::new(HashingConfig { slots: 1, queue: 2, max_wait: Duration::from_secs(5) });
        let held: Vec<Ticket> = (0..3).map(|_| hasher.enter().unwrap()).collect();
        assert!(matches!(hasher.enter(), Err(Error::Busy { .. })));
        drop(held);
        assert!(hasher.enter().is_ok());
    }

    #[tokio::test]
    async fn a_caller_waits_for_a_slot_at_most_the_configured_time() {
        let hasher = Hasher::new(HashingConfig { slots: 1, queue: 4, max_wait: Duration::from_millis(50) });
        let first = hasher.slot(hasher.enter().unwrap()).await.unwrap();
        let waited = hasher.slot(hasher.enter().unwrap()).await;
        assert!(matches!(waited, Err(Error::Busy { .. })));
        assert_eq!(hasher.inside.load(Ordering::Acquire), 1, "the refused caller left the queue");
        let verified = hasher.verify(first, "pw".to_owned(), "not a hash".to_owned()).await.unwrap();
        assert!(!verified);
        // The slot is free again.
        let hash = hasher.hash("a fine password".to_owned()).await.unwrap();
        let slot = hasher.slot(hasher.enter().unwrap()).await.unwrap();
        assert!(hasher.verify(slot, "a fine password".to_owned(), hash).await.unwrap());
    }
}
