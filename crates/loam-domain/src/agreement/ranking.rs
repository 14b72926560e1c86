//! The most-disagreed list in flat memory: records are offered one by one in insertion order
//! with their disagreement score; only those in a [`ScoreRange`] count, and only the best
//! `offset + limit` of them are kept (a bounded heap), so a page costs memory for the page, not
//! for the dataset. The order is the one a stable sort by descending score gives: most disagreed
//! first, ties in insertion order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// The scores a list keeps: `min..=max`, each bound optional.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScoreRange {
    min: Option<f64>,
    max: Option<f64>,
}

impl ScoreRange {
    /// A range of disagreement scores; `Err` names the bound that is not a number in [0, 1], or
    /// says that `min` is above `max`.
    pub fn new(min: Option<f64>, max: Option<f64>) -> Result<Self, String> {
        for (name, bound) in [("min", min), ("max", max)] {
            if let Some(bound) = bound {
                if !(0.0..=1.0).contains(&bound) {
                    return Err(format!("`{name}` must be a number from 0 to 1 (a disagreement score), not {bound}"));
                }
            }
        }
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                return Err(format!("`min` ({min}) must not be greater than `max` ({max})"));
            }
        }
        Ok(ScoreRange { min, max })
    }

    pub fn contains(&self, score: f64) -> bool {
        self.min.is_none_or(|min| score >= min) && self.max.is_none_or(|max| score <= max)
    }
}

/// One kept item; the heap's greatest is the one to drop first (lowest score, latest offered).
struct Entry<T> {
    score: f64,
    order: u64,
    item: T,
}

impl<T> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.score.total_cmp(&self.score).then(self.order.cmp(&other.order))
    }
}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Entry<T> {}

/// The best `keep` of the items offered whose score is in range, and how many were in range.
pub struct MostDisagreed<T> {
    keep: usize,
    range: ScoreRange,
    heap: BinaryHeap<Entry<T>>,
    total: u64,
}

impl<T> MostDisagreed<T> {
    /// Keeps the best `offset + limit` (saturating) of the items in `range`.
    pub fn new(offset: usize, limit: usize, range: ScoreRange) -> Self {
        MostDisagreed { keep: offset.saturating_add(limit), range, heap: BinaryHeap::new(), total: 0 }
    }

    /// Offers the next item (in insertion order) with its score.
    pub fn offer(&mut self, score: f64, item: T) {
        if !self.range.contains(score) {
            return;
        }
        let entry = Entry { score, order: self.total, item };
        self.total += 1;
        if self.heap.len() < self.keep {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if entry < *worst {
                *worst = entry;
            }
        }
    }

    /// The items from `offset` on, best first, with their scores; and how many were in range.
    pub fn page(self, offset: usize) -> (Vec<(f64, T)>, u64) {
        let items = self.heap.into_sorted_vec().into_iter().skip(offset).map(|it| (it.score, it.item)).collect();
        (items, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page a full stable sort gives: what the heap must match.
    fn sorted_page(scores: &[f64], offset: usize, limit: usize, range: ScoreRange) -> (Vec<(f64, usize)>, u64) {
        let mut all: Vec<(f64, usize)> =
            scores.iter().copied().enumerate().filter(|it| range.contains(it.1)).map(|(i, s)| (s, i)).collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0));
        let total = all.len() as u64;
        (all.into_iter().skip(offset).take(limit).collect(), total)
    }

    fn heap_page(scores: &[f64], offset: usize, limit: usize, range: ScoreRange) -> (Vec<(f64, usize)>, u64) {
        let mut list = MostDisagreed::new(offset, limit, range);
        for (i, score) in scores.iter().enumerate() {
            list.offer(*score, i);
        }
        list.page(offset)
    }

    #[test]
    fn heap_pages_equal_sorted_pages_with_ties_in_insertion_order() {
        // A small linear congruential generator: scores from a few values, so ties abound.
        let mut state: u64 = 12345;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for case in 0..300 {
            let n = next() % 60;
            let scores: Vec<f64> = (0..n).map(|_| (next() % 7) as f64 / 6.0).collect();
            let (offset, limit) = (next() % 20, 1 + next() % 15);
            let range = match case % 3 {
                0 => ScoreRange::default(),
                1 => ScoreRange::new(Some(1.0 / 6.0), None).unwrap(),
                _ => ScoreRange::new(Some(2.0 / 6.0), Some(4.0 / 6.0)).unwrap(),
            };
            assert_eq!(heap_page(&scores, offset, limit, range), sorted_page(&scores, offset, limit, range), "{case}");
        }
    }

    #[test]
    fn a_page_holds_the_best_first_and_total_counts_the_range() {
        let scores = [0.5, 1.0, 0.0, 1.0, 0.5, 0.25];
        let (items, total) = heap_page(&scores, 1, 2, ScoreRange::default());
        assert_eq!(items, [(1.0, 3), (0.5, 0)]);
        assert_eq!(total, 6);
        let (items, total) = heap_page(&scores, 0, 10, ScoreRange::new(Some(0.25), Some(0.5)).unwrap());
        assert_eq!(items, [(0.5, 0), (0.5, 4), (0.25, 5)]);
        assert_eq!(total, 3);
        let (items, total) = heap_page(&scores, usize::MAX, 5, ScoreRange::default());
        assert!(items.is_empty());
        assert_eq!(total, 6);
    }

    #[test]
    fn ranges_outside_zero_one_or_inverted_are_refused_by_name() {
        assert!(ScoreRange::new(Some(-0.1), None).unwrap_err().contains("`min`"));
        assert!(ScoreRange::new(None, Some(1.5)).unwrap_err().contains("`max`"));
        assert!(ScoreRange::new(Some(f64::NAN), None).unwrap_err().contains("`min`"));
        assert!(ScoreRange::new(Some(0.8), Some(0.2)).unwrap_err().contains("greater than `max`"));
        let range = ScoreRange::new(Some(0.2), Some(0.2)).unwrap();
        assert!(range.contains(0.2) && !range.contains(0.3) && !range.contains(0.1));
    }
}
