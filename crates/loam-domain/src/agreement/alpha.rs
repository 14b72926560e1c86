//! Krippendorff's α, folded unit by unit into a coincidence matrix, as the `krippendorff`
//! package computes it: o_ck = Σ_u (n_uc n_uk − [c = k] n_uc) / (m_u − 1) over units with
//! m_u ≥ 2 values, n_c = Σ_k o_ck, n = Σ_c n_c, e_ck = (n_c n_k − [c = k] n_c) / (n − 1),
//! α = 1 − Σ o_ck d_ck / Σ e_ck d_ck. Memory grows with the distinct values, not the units.

use std::collections::{BTreeMap, HashMap};

use super::values::{footrule_distance, jaccard_distance, masi_distance, Val};

/// The distance α weighs disagreements with.
#[derive(Clone, Copy, Debug)]
pub(super) enum Level<'a> {
    /// 0 for equal values, else 1.
    Nominal,
    /// Over option indices: (Σ_{g from c to k} n_g − (n_c + n_k) / 2)², the package's ordinal
    /// metric with the question's options as the value domain (options nobody chose add 0).
    Ordinal,
    /// (v_c − v_k)² over the option values (`Val::Index` into them).
    Interval(&'a [i64]),
    Jaccard,
    Masi,
    /// The normalised footrule over this many options.
    Rank(usize),
}

#[derive(Default, Debug)]
pub(super) struct Coincidences {
    ids: HashMap<Val, usize>,
    vals: Vec<Val>,
    /// Ordered, so the sums run in one order and a report is the same bit for bit every time.
    o: BTreeMap<(usize, usize), f64>,
}

impl Coincidences {
    /// Adds one unit's values, `weight` times (identical units at once). Fewer than 2 values
    /// add nothing.
    pub(super) fn unit<'v>(&mut self, values: impl IntoIterator<Item = &'v Val>, weight: f64) {
        let mut counts: Vec<(usize, f64)> = Vec::new();
        for value in values {
            let id = match self.ids.get(value) {
                Some(id) => *id,
                None => {
                    let id = self.vals.len();
                    self.ids.insert(value.clone(), id);
                    self.vals.push(value.clone());
                    id
                }
            };
            match counts.iter_mut().find(|it| it.0 == id) {
                Some(it) => it.1 += 1.0,
                None => counts.push((id, 1.0)),
            }
        }
        let m: f64 = counts.iter().map(|it| it.1).sum();
        if m < 2.0 {
            return;
        }
        for &(c, n_c) in &counts {
            for &(k, n_k) in &counts {
                let pairs = if c == k { n_c * n_k - n_c } else { n_c * n_k };
                if pairs != 0.0 {
                    *self.o.entry((c, k)).or_insert(0.0) += weight * pairs / (m - 1.0);
                }
            }
        }
    }

    /// α at `level`, or why it is undefined.
    pub(super) fn alpha(&self, level: Level<'_>) -> Result<f64, String> {
        let mut n_v = vec![0.0; self.vals.len()];
        for (&(c, _), x) in &self.o {
            n_v[c] += x;
        }
        let n: f64 = n_v.iter().sum();
        if n == 0.0 {
            return Err("no record has 2 or more answers".to_owned());
        }
        let present: Vec<usize> = (0..n_v.len()).filter(|it| n_v[*it] > 0.0).collect();
        // The ordinal metric sums n_g over the options between two values.
        let mut by_index: Vec<(usize, f64)> = Vec::new();
        if let Level::Ordinal = level {
            for &c in &present {
                if let Val::Index(index) = self.vals[c] {
                    by_index.push((index, n_v[c]));
                }
            }
            by_index.sort_by_key(|it| it.0);
        }
        let distance = |c: usize, k: usize| -> f64 {
            if c == k {
                return 0.0;
            }
            match (level, &self.vals[c], &self.vals[k]) {
                (Level::Nominal, _, _) => 1.0,
                (Level::Ordinal, Val::Index(x), Val::Index(y)) => {
                    let (lo, hi) = ((*x).min(*y), (*x).max(*y));
                    let between: f64 = by_index.iter().filter(|it| it.0 >= lo && it.0 <= hi).map(|it| it.1).sum();
                    (between - (n_v[c] + n_v[k]) / 2.0).powi(2)
                }
                (Level::Interval(values), Val::Index(x), Val::Index(y)) => match (values.get(*x), values.get(*y)) {
                    (Some(a), Some(b)) => ((a - b) as f64).powi(2),
                    _ => 0.0,
                },
                (Level::Jaccard, Val::Set(a), Val::Set(b)) => jaccard_distance(a, b),
                (Level::Masi, Val::Set(a), Val::Set(b)) => masi_distance(a, b),
                (Level::Rank(k), Val::Ranks(a), Val::Ranks(b)) => footrule_distance(a, b, k),
                _ => f64::from(u8::from(self.vals[c] != self.vals[k])),
            }
        };
        let observed: f64 = self.o.iter().map(|(&(c, k), x)| x * distance(c, k)).sum();
        let mut expected = 0.0;
        for &c in &present {
            for &k in &present {
                let pairs = if c == k { n_v[c] * n_v[k] - n_v[c] } else { n_v[c] * n_v[k] };
                expected += pairs / (n - 1.0) * distance(c, k);
            }
        }
        if expected == 0.0 {
            return Err("no variation: every answer is the same, so the expected disagreement is 0".to_owned());
        }
        Ok(1.0 - observed / expected)
    }
}
