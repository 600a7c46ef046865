//! Area under the ROC curve: how well a score ranks won leads above lost ones, the measure the
//! learned score must beat the rule score on.

/// The probability that a randomly chosen won lead scores higher than a randomly chosen lost one,
/// ties counting one half (the Mann–Whitney U statistic over `won × lost`). 1.0 ranks perfectly,
/// 0.5 is a coin toss. `None` when `scores` and `won` differ in length, a score is NaN, or there
/// is no won or no lost lead (nothing to rank against).
///
/// O(n log n): the scores are ranked once, tied scores sharing their average rank.
pub fn auc(scores: &[f64], won: &[bool]) -> Option<f64> {
    if scores.len() != won.len() || scores.iter().any(|s| s.is_nan()) {
        return None;
    }
    let positives = won.iter().filter(|w| **w).count();
    let negatives = won.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the (1-based, tie-averaged) ranks of the won leads.
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        // Ranks start+1 ..= end share their mean.
        let mean_rank = (start + 1 + end) as f64 / 2.0;
        let won_here = order[start..end].iter().filter(|&&i| won[i]).count();
        rank_sum += mean_rank * won_here as f64;
        start = end;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

#[cfg(test)]
mod tests {
    use super::auc;

    #[test]
    fn counts_the_pairs_ranked_right_ties_as_half() {
        // Won: 0.9, 0.5; lost: 0.5, 0.1. Pairs (won, lost): (0.9, 0.5) right, (0.9, 0.1) right,
        // (0.5, 0.5) tie = ½, (0.5, 0.1) right: 3.5 of 4.
        let scores = [0.9, 0.5, 0.5, 0.1];
        let won = [true, true, false, false];
        assert_eq!(auc(&scores, &won), Some(0.875));
    }

    #[test]
    fn perfect_reversed_and_constant_rankings() {
        let won = [false, true, false, true];
        assert_eq!(auc(&[1.0, 2.0, 1.5, 3.0], &won), Some(1.0));
        assert_eq!(auc(&[3.0, 1.0, 2.0, 0.0], &won), Some(0.0));
        assert_eq!(auc(&[7.0; 4], &won), Some(0.5));
    }

    #[test]
    fn nothing_to_rank_is_none() {
        assert_eq!(auc(&[1.0, 2.0], &[true, true]), None, "no lost lead");
        assert_eq!(auc(&[1.0, 2.0], &[false, false]), None, "no won lead");
        assert_eq!(auc(&[1.0], &[true, false]), None, "lengths differ");
        assert_eq!(auc(&[f64::NAN, 1.0], &[true, false]), None);
        assert_eq!(auc(&[], &[]), None);
    }
}
