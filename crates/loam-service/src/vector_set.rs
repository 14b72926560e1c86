//! The in-memory copy of one vector setting's vectors ([`VectorSet`]), and the scoring over it:
//! the top-k heap, cosine over stored vectors, unit-length f32s. Shared by the exact scan
//! (`similarity.rs`, `search.rs`) and the approximate index (`ann.rs`), which therefore do not
//! depend on each other.
//!
//! The copy holds each vector normalised to unit length as f32, in record insertion order, so a
//! query is one pass of dot products over contiguous memory, split across the cores. The f32 scan
//! picks candidates; the caller rescores them from the stored f64 vectors, so returned scores are
//! exactly those of a scan of the stored vectors.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use loam_domain::RecordId;

/// The `k` best-scored candidates of a scan, held in a heap of `k` entries whatever the number of
/// candidates. Ties rank the earlier position first, as a stable sort in position order would.
pub(crate) struct TopK {
    k: usize,
    /// A min-heap on rank: its top is the entry the next better candidate evicts.
    heap: BinaryHeap<std::cmp::Reverse<Ranked>>,
}

/// Ranked by score, then by earlier position.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ranked {
    pub score: f64,
    pub position: u64,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.position.cmp(&self.position))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        Self { k, heap: BinaryHeap::with_capacity(k + 1) }
    }

    pub(crate) fn offer(&mut self, position: u64, score: f64) {
        let it = Ranked { score, position };
        if self.k == 0 {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(it));
        } else if self.heap.peek().is_some_and(|worst| it > worst.0) {
            self.heap.pop();
            self.heap.push(std::cmp::Reverse(it));
        }
    }

    /// Best first.
    pub(crate) fn into_sorted(self) -> Vec<Ranked> {
        let mut all: Vec<Ranked> = self.heap.into_iter().map(|it| it.0).collect();
        all.sort_by(|a, b| b.cmp(a));
        all
    }
}

/// Cosine similarity; 0 when either vector is zero.
pub(crate) fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let (mut dot, mut na, mut nb) = (0f64, 0f64, 0f64);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    dot / (na.sqrt() * nb.sqrt())
}

/// [`cosine`] of `reference` (whose squared norm is given) and a vector as stored: little-endian
/// f64s, read in place.
pub(crate) fn cosine_with_stored(reference: &[f64], reference_norm2: f64, stored: &[u8]) -> f64 {
    let (mut dot, mut nb) = (0f64, 0f64);
    for (x, chunk) in reference.iter().zip(stored.chunks_exact(8)) {
        let y = f64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
        dot += x * y;
        nb += y * y;
    }
    if reference_norm2 == 0.0 || nb == 0.0 {
        return 0.0;
    }
    dot / (reference_norm2.sqrt() * nb.sqrt())
}

/// `v` scaled to unit length, as f32 (zero stays zero, so it scores 0 against anything).
pub(crate) fn unit_f32(v: impl Iterator<Item = f64> + Clone) -> Vec<f32> {
    let norm = v.clone().map(|x| x * x).sum::<f64>().sqrt();
    if norm == 0.0 || !norm.is_finite() {
        return v.map(|_| 0.0).collect();
    }
    v.map(|x| (x / norm) as f32).collect()
}

/// A hash of a stored vector's bytes, a word at a time: equal vectors, equal fingerprints.
fn fingerprint(stored: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ stored.len() as u64;
    for word in stored.chunks(8) {
        let mut bytes = [0u8; 8];
        bytes[..word.len()].copy_from_slice(word);
        hash = (hash ^ u64::from_le_bytes(bytes)).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }
    hash
}

/// Lanes of the dot product: independent accumulators the compiler maps onto SIMD registers
/// (floating-point addition is not associative, so it only vectorises what is written so).
const LANES: usize = 16;

fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let (xa, xb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (xa.remainder(), xb.remainder());
    for (x, y) in xa.zip(xb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        sum += x * y;
    }
    sum
}

/// One vector setting's vectors in memory, in record insertion order.
///
/// The vectors sit in chunks of [`CHUNK`] behind `Arc`s, so a copy brought up to date with a few
/// changed vectors ([`VectorSet::apply`] on a clone) shares every chunk it did not change with the
/// copy that searches in flight still hold, instead of copying them all.
#[derive(Clone)]
pub(crate) struct VectorSet {
    /// The vector setting's version these vectors were read at.
    pub version: i64,
    dims: usize,
    /// Record seqs, ascending.
    seqs: Vec<i64>,
    ids: Vec<RecordId>,
    /// A hash of each stored vector, which tells the approximate index (`ann.rs`) what changed.
    fingerprints: Vec<u64>,
    /// `dims` unit-length f32s per record, [`CHUNK`] records a chunk.
    chunks: Vec<Arc<Vec<f32>>>,
}

/// Vectors per chunk of a [`VectorSet`] (a power of two: positions split with a shift and a mask).
const CHUNK: usize = 4096;

/// Scans at least this many floats on several threads.
const PARALLEL_FLOATS: usize = 1 << 21;

/// A stored vector (little-endian f64s) as unit-length f32s.
fn unit_from_stored(stored: &[u8]) -> Vec<f32> {
    unit_f32(stored.chunks_exact(8).map(|chunk| f64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default())))
}

impl VectorSet {
    pub(crate) fn new(version: i64, dims: usize, capacity: usize) -> Self {
        Self {
            version,
            dims,
            seqs: Vec::with_capacity(capacity),
            ids: Vec::with_capacity(capacity),
            fingerprints: Vec::with_capacity(capacity),
            chunks: Vec::with_capacity(capacity.div_ceil(CHUNK)),
        }
    }

    /// Appends a record's vector as stored (little-endian f64s). Records arrive in seq order;
    /// a vector of another length than the setting's is left out (it cannot be compared).
    pub(crate) fn push(&mut self, seq: i64, id: RecordId, stored: &[u8]) {
        if stored.len() != self.dims * 8 || self.seqs.last().is_some_and(|last| *last >= seq) {
            return;
        }
        if self.len().is_multiple_of(CHUNK) {
            self.chunks.push(Arc::new(Vec::with_capacity(CHUNK * self.dims)));
        }
        if let Some(last) = self.chunks.last_mut() {
            // Copies the chunk only when a clone of this set still shares it.
            Arc::make_mut(last).extend(unit_from_stored(stored));
        }
        self.seqs.push(seq);
        self.ids.push(id);
        self.fingerprints.push(fingerprint(stored));
    }

    /// Brings the set up to date with a vector written since it was read: replaces the record's
    /// vector, or appends it when the record comes after every record held. Returns false when
    /// it can do neither (a vector new to a record in the middle of the set: the set must be read
    /// again whole to keep insertion order).
    pub(crate) fn apply(&mut self, seq: i64, id: RecordId, stored: &[u8]) -> bool {
        if stored.len() != self.dims * 8 {
            // Never stored (the dimension is checked on the way in); left out like in `push`.
            return true;
        }
        match self.position_of(seq) {
            Some(position) => {
                let dims = self.dims;
                let at = (position % CHUNK) * dims;
                Arc::make_mut(&mut self.chunks[position / CHUNK])[at..at + dims]
                    .copy_from_slice(&unit_from_stored(stored));
                self.fingerprints[position] = fingerprint(stored);
                true
            }
            None if self.seqs.last().is_none_or(|last| *last < seq) => {
                self.push(seq, id, stored);
                true
            }
            None => false,
        }
    }

    pub(crate) fn dims(&self) -> usize {
        self.dims
    }

    pub(crate) fn len(&self) -> usize {
        self.seqs.len()
    }

    /// Memory held, in bytes.
    pub(crate) fn bytes(&self) -> usize {
        Self::bytes_for(self.len(), self.dims)
    }

    pub(crate) fn bytes_for(n: usize, dims: usize) -> usize {
        n.saturating_mul(dims * 4 + 8 + 16 + 8)
    }

    pub(crate) fn id(&self, position: usize) -> RecordId {
        self.ids[position]
    }

    pub(crate) fn seq(&self, position: usize) -> i64 {
        self.seqs[position]
    }

    pub(crate) fn fingerprint(&self, position: usize) -> u64 {
        self.fingerprints[position]
    }

    /// The unit-length vector at `position`.
    pub(crate) fn vector(&self, position: usize) -> &[f32] {
        let at = (position % CHUNK) * self.dims;
        &self.chunks[position / CHUNK][at..at + self.dims]
    }

    /// The position of `seq`, when the set holds it.
    pub(crate) fn position_of(&self, seq: i64) -> Option<usize> {
        self.seqs.binary_search(&seq).ok()
    }

    /// The positions of the given seqs (ascending) that the set holds.
    pub(crate) fn positions_of(&self, seqs: &[i64]) -> Vec<usize> {
        let mut res = Vec::with_capacity(seqs.len().min(self.len()));
        let mut from = 0;
        for seq in seqs {
            match self.seqs[from..].binary_search(seq) {
                Ok(i) => {
                    res.push(from + i);
                    from += i + 1;
                }
                Err(i) => from += i,
            }
            if from >= self.len() {
                break;
            }
        }
        res
    }

    /// The `k` positions whose vectors have the highest cosine with `query` (unit length, f32),
    /// best first, among `candidates` (every position when `None`), leaving out `exclude`. Scores
    /// are f32 cosines: candidates, to be rescored exactly by the caller.
    pub(crate) fn top_k(
        &self,
        query: &[f32],
        k: usize,
        candidates: Option<&[usize]>,
        exclude: Option<RecordId>,
    ) -> Vec<Ranked> {
        let n = candidates.map_or(self.len(), <[usize]>::len);
        let threads = std::thread::available_parallelism().map_or(1, |it| it.get()).min(8);
        let threads = if n.saturating_mul(self.dims) >= PARALLEL_FLOATS { threads } else { 1 };
        let part = n.div_ceil(threads.max(1)).max(1);
        let scan = |from: usize, to: usize| {
            let mut best = TopK::new(k);
            for i in from..to {
                let position = candidates.map_or(i, |it| it[i]);
                if exclude.is_some_and(|it| it == self.ids[position]) {
                    continue;
                }
                best.offer(position as u64, f64::from(dot(query, self.vector(position))));
            }
            best.into_sorted()
        };
        if threads <= 1 {
            return scan(0, n);
        }
        let parts: Vec<Vec<Ranked>> = std::thread::scope(|s| {
            let handles: Vec<_> =
                (0..n).step_by(part).map(|from| s.spawn(move || scan(from, (from + part).min(n)))).collect();
            handles.into_iter().map(|it| it.join().unwrap_or_default()).collect()
        });
        let mut best = TopK::new(k);
        for it in parts.into_iter().flatten() {
            best.offer(it.position, it.score);
        }
        best.into_sorted()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn stored(v: &[f64]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    /// Deterministic vectors around `clusters` random centres (as embeddings of similar texts
    /// gather), each centre plus noise of a third of its scale.
    pub(crate) fn vectors_near(n: usize, dims: usize, clusters: usize, seed: u64) -> Vec<Vec<f64>> {
        let centres = vectors(clusters, dims, 1234);
        let noise = vectors(n, dims, seed);
        (0..n).map(|i| centres[i % clusters].iter().zip(&noise[i]).map(|(c, e)| c + e / 3.0).collect()).collect()
    }

    /// Deterministic pseudo-random vectors (xorshift), some duplicated to make ties.
    fn vectors(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut state = seed.max(1);
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 2001) as f64 / 1000.0 - 1.0
        };
        let mut res: Vec<Vec<f64>> = (0..n).map(|_| (0..dims).map(|_| next()).collect()).collect();
        for i in (0..n).step_by(7).skip(1) {
            res[i] = res[i - 1].clone();
        }
        res
    }

    #[test]
    fn stored_vectors_score_like_decoded_ones() {
        let reference = [0.3, -1.5, 2.0, 0.0];
        let other = [1.0, 0.25, -0.75, 4.0];
        let norm2: f64 = reference.iter().map(|x| x * x).sum();
        assert_eq!(cosine_with_stored(&reference, norm2, &stored(&other)), cosine(&reference, &other));
        assert_eq!(cosine_with_stored(&reference, norm2, &[0u8; 32]), 0.0);
    }

    #[test]
    fn cosine_of_known_vectors() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-6);
        assert!((cosine(&[1.0, 0.0], &[-1.0, 0.0]) + 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn top_k_keeps_the_best_and_breaks_ties_by_position() {
        let scores = [0.5, 0.9, 0.5, 0.1, 0.9, 0.7];
        // The oracle: a stable sort of everything, best first, cut at k.
        for k in 0..=7 {
            let mut top = TopK::new(k);
            for (position, score) in scores.iter().enumerate() {
                top.offer(position as u64, *score);
            }
            let mut oracle: Vec<(u64, f64)> = scores.iter().enumerate().map(|(i, s)| (i as u64, *s)).collect();
            oracle.sort_by(|a, b| b.1.total_cmp(&a.1));
            oracle.truncate(k);
            let got: Vec<(u64, f64)> = top.into_sorted().iter().map(|it| (it.position, it.score)).collect();
            assert_eq!(got, oracle, "k = {k}");
        }
    }

    /// The set's scan against a brute-force oracle in f64, on one and on several threads, with
    /// and without candidates and an excluded record.
    #[test]
    fn the_in_memory_scan_ranks_like_an_exact_scan() {
        for (n, dims) in [(300, 5), (9000, 256)] {
            let all = vectors(n, dims, 42 + n as u64);
            let ids: Vec<RecordId> = (0..n).map(|_| RecordId::new()).collect();
            let mut set = VectorSet::new(1, dims, n);
            for (i, v) in all.iter().enumerate() {
                set.push(i as i64 * 3, ids[i], &stored(v));
            }
            assert_eq!(set.len(), n);
            let reference = vectors(1, dims, 7).remove(0);
            let query = unit_f32(reference.iter().copied());
            let candidates: Vec<usize> = (0..n).filter(|i| i % 3 != 1).collect();
            for (cands, exclude) in [(None, None), (Some(&candidates[..]), Some(ids[2]))] {
                let k = 50;
                let got: Vec<usize> =
                    set.top_k(&query, k, cands, exclude).iter().map(|it| it.position as usize).collect();
                let mut oracle: Vec<(usize, f64)> = cands
                    .map_or_else(|| (0..n).collect(), <[usize]>::to_vec)
                    .into_iter()
                    .filter(|i| Some(ids[*i]) != exclude)
                    .map(|i| (i, cosine(&reference, &all[i])))
                    .collect();
                oracle.sort_by(|a, b| b.1.total_cmp(&a.1));
                // f32 may swap neighbours closer than its rounding, never lose a clear winner.
                for (rank, (position, score)) in oracle.iter().take(k).enumerate() {
                    if oracle.get(k).is_some_and(|next| score - next.1 < 1e-5) {
                        continue;
                    }
                    assert!(got.contains(position), "n {n}: rank {rank} (cosine {score}) missing");
                }
                assert_eq!(got.len(), k.min(oracle.len()));
            }
        }
    }

    #[test]
    fn positions_follow_seqs_and_skip_the_missing() {
        let mut set = VectorSet::new(1, 1, 4);
        for seq in [2, 5, 9, 11] {
            set.push(seq, RecordId::new(), &stored(&[1.0]));
        }
        // A repeated or decreasing seq and a vector of the wrong length are left out.
        set.push(11, RecordId::new(), &stored(&[1.0]));
        set.push(12, RecordId::new(), &stored(&[1.0, 2.0]));
        assert_eq!(set.len(), 4);
        assert_eq!(set.positions_of(&[1, 2, 3, 9, 10, 11, 40]), vec![0, 2, 3]);
        assert_eq!(set.positions_of(&[]), Vec::<usize>::new());
    }

    #[test]
    fn applied_changes_match_a_set_read_afresh_and_share_the_unchanged_chunks() {
        let dims = 3;
        let value = |i: usize| -> Vec<f64> { (0..dims).map(|d| ((i * 7 + d * 3) % 11) as f64 - 5.0).collect() };
        let n = CHUNK * 2 + 10;
        let ids: Vec<RecordId> = (0..n + 2).map(|_| RecordId::new()).collect();
        let mut held = VectorSet::new(1, dims, n);
        for (i, id) in ids.iter().enumerate().take(n) {
            held.push(i as i64 * 2, *id, &stored(&value(i)));
        }
        let held = Arc::new(held);
        // Changes: record 3's vector replaced, two records appended after the last.
        let mut changed = VectorSet::clone(&held);
        assert!(changed.apply(6, ids[3], &stored(&value(5000))));
        assert!(changed.apply(n as i64 * 2, ids[n], &stored(&value(n))));
        assert!(changed.apply(n as i64 * 2 + 1, ids[n + 1], &stored(&value(n + 1))));
        let mut fresh = VectorSet::new(2, dims, n + 2);
        for (i, id) in ids.iter().enumerate().take(n) {
            let v = if i == 3 { value(5000) } else { value(i) };
            fresh.push(i as i64 * 2, *id, &stored(&v));
        }
        fresh.push(n as i64 * 2, ids[n], &stored(&value(n)));
        fresh.push(n as i64 * 2 + 1, ids[n + 1], &stored(&value(n + 1)));
        assert_eq!(changed.len(), fresh.len());
        for position in 0..fresh.len() {
            assert_eq!(changed.vector(position), fresh.vector(position), "position {position}");
            assert_eq!(
                (changed.seq(position), changed.id(position), changed.fingerprint(position)),
                (fresh.seq(position), fresh.id(position), fresh.fingerprint(position))
            );
        }
        // The copy searches in flight hold is untouched, and only the changed chunks were copied.
        assert_eq!(held.vector(3), fresh_vector(&value(3)).as_slice());
        assert_eq!(held.len(), n);
        assert!(!Arc::ptr_eq(&held.chunks[0], &changed.chunks[0]), "the chunk of record 3 was copied");
        assert!(Arc::ptr_eq(&held.chunks[1], &changed.chunks[1]), "an unchanged chunk is shared");
        // A first vector for a record in the middle cannot keep insertion order in place.
        assert!(!changed.apply(5, RecordId::new(), &stored(&value(1))));
    }

    fn fresh_vector(v: &[f64]) -> Vec<f32> {
        unit_f32(v.iter().copied())
    }
}
