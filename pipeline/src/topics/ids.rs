//! Stable topic ids across re-clusterings: a new topic takes the id of the old topic it
//! shares most of its stories with (Jaccard of story sets at least 0.4, greedy by
//! overlap), so that a topic an analyst follows keeps its id while it grows.

use std::collections::{BTreeMap, HashMap};

/// Jaccard of story sets above which a new topic inherits an old topic's id.
const MIN_JACCARD: f64 = 0.4;

/// For each new topic (its member story ids), the old topic id it inherits, if any.
/// `old` maps story id -> old topic id.
pub fn match_ids(new_members: &[Vec<&str>], old: &BTreeMap<String, String>) -> Vec<Option<String>> {
    let mut old_size: HashMap<&str, usize> = HashMap::new();
    for t in old.values() {
        *old_size.entry(t.as_str()).or_insert(0) += 1;
    }
    let mut pairs: Vec<(usize, f64, usize, &str)> = Vec::new();
    for (i, members) in new_members.iter().enumerate() {
        let mut shared: HashMap<&str, usize> = HashMap::new();
        for s in members {
            if let Some(t) = old.get(*s) {
                *shared.entry(t.as_str()).or_insert(0) += 1;
            }
        }
        for (t, n) in shared {
            let union = members.len() + old_size[t] - n;
            let j = n as f64 / union.max(1) as f64;
            if j >= MIN_JACCARD {
                pairs.push((n, j, i, t));
            }
        }
    }
    // most shared stories first; ties by Jaccard, then by ids for determinism
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)).then(a.3.cmp(b.3)));
    let mut out = vec![None; new_members.len()];
    let mut taken = std::collections::HashSet::new();
    for (_, _, i, t) in pairs {
        if out[i].is_none() && taken.insert(t) {
            out[i] = Some(t.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grown_topic_keeps_its_id_new_one_gets_none() {
        let old: BTreeMap<String, String> =
            [("a", "t1"), ("b", "t1"), ("c", "t1"), ("d", "t2")].iter().map(|(s, t)| (s.to_string(), t.to_string())).collect();
        let new = vec![vec!["a", "b", "c", "e"], vec!["x", "y"], vec!["d", "z", "w", "v", "u"]];
        let ids = match_ids(&new, &old);
        assert_eq!(ids[0].as_deref(), Some("t1"));
        assert_eq!(ids[1], None);
        // 1 of 5 stories: not the same topic any more
        assert_eq!(ids[2], None);
    }
}
