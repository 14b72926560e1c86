//! Cohen's κ for a pair of annotators (as scikit-learn's `cohen_kappa_score` with `labels=` the
//! question's options in value order) and Fleiss' κ (as statsmodels'
//! `fleiss_kappa(table, method="fleiss")`), each folded record by record.

/// Cohen's κ weights: none (0 on the diagonal, 1 elsewhere), linear |i − j| or quadratic
/// (i − j)² over option indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Weights {
    None,
    Linear,
    Quadratic,
}

impl Weights {
    pub(super) fn name(self) -> &'static str {
        match self {
            Weights::None => "none",
            Weights::Linear => "linear",
            Weights::Quadratic => "quadratic",
        }
    }

    fn weight(self, i: usize, j: usize) -> f64 {
        let d = i.abs_diff(j) as f64;
        match self {
            Weights::None => f64::from(u8::from(i != j)),
            Weights::Linear => d,
            Weights::Quadratic => d * d,
        }
    }
}

/// The confusion matrix of one pair over the records both answered (rows: the first annotator).
#[derive(Clone, Debug)]
pub(super) struct Confusion {
    k: usize,
    cells: Vec<f64>,
    pub(super) records: u64,
}

impl Confusion {
    pub(super) fn new(k: usize) -> Self {
        Confusion { k, cells: vec![0.0; k * k], records: 0 }
    }

    pub(super) fn add(&mut self, first: usize, second: usize) {
        if first < self.k && second < self.k {
            self.cells[first * self.k + second] += 1.0;
            self.records += 1;
        }
    }

    pub(super) fn kappa(&self, weights: Weights) -> Result<f64, String> {
        let k = self.k;
        let n: f64 = self.cells.iter().sum();
        if n == 0.0 {
            return Err("the pair answered no record in common".to_owned());
        }
        let rows: Vec<f64> = (0..k).map(|i| (0..k).map(|j| self.cells[i * k + j]).sum()).collect();
        let cols: Vec<f64> = (0..k).map(|j| (0..k).map(|i| self.cells[i * k + j]).sum()).collect();
        let (mut observed, mut expected) = (0.0, 0.0);
        for (i, col) in cols.iter().enumerate() {
            for (j, row) in rows.iter().enumerate() {
                let w = weights.weight(i, j);
                observed += w * self.cells[i * k + j];
                expected += w * (col * row / n);
            }
        }
        if expected == 0.0 {
            return Err("no variation in the pair's answers, so the expected disagreement is 0".to_owned());
        }
        Ok(1.0 - observed / expected)
    }
}

/// The rows of Fleiss' table (records × categories, counts of answers), folded.
#[derive(Clone, Debug)]
pub(super) struct Fleiss {
    totals: Vec<f64>,
    rows: u64,
    raters: Option<(u64, u64)>,
    agreement_sum: f64,
}

impl Fleiss {
    pub(super) fn new(k: usize) -> Self {
        Fleiss { totals: vec![0.0; k], rows: 0, raters: None, agreement_sum: 0.0 }
    }

    /// One record's answers as counts per category; records without answers are left out.
    pub(super) fn row(&mut self, counts: &[f64]) {
        let m: f64 = counts.iter().sum();
        if m == 0.0 {
            return;
        }
        let raters = m as u64;
        self.raters = Some(match self.raters {
            None => (raters, raters),
            Some((lo, hi)) => (lo.min(raters), hi.max(raters)),
        });
        self.rows += 1;
        for (total, count) in self.totals.iter_mut().zip(counts) {
            *total += count;
        }
        let squares: f64 = counts.iter().map(|it| it * it).sum();
        self.agreement_sum += (squares - m) / (m * (m - 1.0));
    }

    pub(super) fn kappa(&self) -> Result<f64, String> {
        let Some((lo, hi)) = self.raters else {
            return Err("no record has answers".to_owned());
        };
        if lo != hi {
            return Err(format!("records have {lo} to {hi} answers; Fleiss' kappa needs the same number on each"));
        }
        if lo < 2 {
            return Err("every record has 1 answer".to_owned());
        }
        let total: f64 = self.totals.iter().sum();
        let p_mean = self.agreement_sum / self.rows as f64;
        let p_expected: f64 = self.totals.iter().map(|it| (it / total) * (it / total)).sum();
        if 1.0 - p_expected == 0.0 {
            return Err("no variation: every answer is the same category".to_owned());
        }
        Ok((p_mean - p_expected) / (1.0 - p_expected))
    }
}
