//! What the load clients of `bench/` share: latency figures as every bench script reports them.

use std::time::Duration;

/// The q-quantile (0 < q < 1) of sorted values, nearest rank, as every bench script reports it.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((q * sorted.len() as f64) as usize).min(sorted.len() - 1)]
}

/// A duration in milliseconds, rounded to hundredths.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 100_000.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&v, 0.5), Duration::from_millis(51));
        assert_eq!(quantile(&v, 0.99), Duration::from_millis(100));
        assert_eq!(quantile(&v[..1], 0.99), Duration::from_millis(1));
        assert_eq!(ms(Duration::from_micros(1234)), 1.23);
    }
}
