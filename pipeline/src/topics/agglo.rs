//! Average-linkage agglomerative clustering with a similarity threshold (no fixed number
//! of clusters), by the nearest-neighbour chain algorithm: O(n²) time over one n×n
//! similarity matrix, so callers bound n (topics cluster a sample of story centroids and
//! assign the rest to the nearest topic).

use crate::stories::dot;

/// Clusters unit vectors: two clusters merge while their average pairwise cosine is at
/// least `threshold`. Returns a cluster index per vector (0..k, in order of first member).
pub fn average_linkage(vectors: &[&[f32]], threshold: f32) -> Vec<usize> {
    let n = vectors.len();
    if n == 0 {
        return Vec::new();
    }
    let mut sim = vec![0f32; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let s = dot(vectors[i], vectors[j]);
            sim[i * n + j] = s;
            sim[j * n + i] = s;
        }
    }
    let mut size = vec![1f32; n];
    let mut active = vec![true; n];
    // union-find parent of merged clusters (the surviving index keeps the merged rows)
    let mut parent: Vec<usize> = (0..n).collect();
    let mut chain: Vec<usize> = Vec::new();
    let mut remaining = n;
    let mut next_start = 0;
    while remaining > 1 {
        if chain.is_empty() {
            while !active[next_start] {
                next_start += 1;
            }
            chain.push(next_start);
        }
        let a = *chain.last().expect("chain is not empty");
        let prev = if chain.len() >= 2 { Some(chain[chain.len() - 2]) } else { None };
        // nearest active neighbour of a; the previous chain element wins ties
        let mut best: Option<(f32, usize)> = prev.map(|p| (sim[a * n + p], p));
        for c in 0..n {
            if c != a && active[c] && best.is_none_or(|(s, _)| sim[a * n + c] > s) {
                best = Some((sim[a * n + c], c));
            }
        }
        let Some((s, b)) = best else { break };
        if s < threshold {
            // a merges with nothing any more: average linkage never raises a similarity
            active[a] = false;
            remaining -= 1;
            chain.clear();
            continue;
        }
        if Some(b) == prev {
            chain.pop();
            chain.pop();
            // merge b into a: Lance-Williams update for average linkage
            let (na, nb) = (size[a], size[b]);
            for c in 0..n {
                if active[c] && c != a && c != b {
                    let v = (na * sim[a * n + c] + nb * sim[b * n + c]) / (na + nb);
                    sim[a * n + c] = v;
                    sim[c * n + a] = v;
                }
            }
            size[a] = na + nb;
            active[b] = false;
            parent[b] = a;
            remaining -= 1;
        } else {
            chain.push(b);
        }
    }
    let root = |mut i: usize| {
        while parent[i] != i {
            i = parent[i];
        }
        i
    };
    let mut ids = vec![usize::MAX; n];
    let mut out = Vec::with_capacity(n);
    let mut k = 0;
    for i in 0..n {
        let r = root(i);
        if ids[r] == usize::MAX {
            ids[r] = k;
            k += 1;
        }
        out.push(ids[r]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_groups_and_a_loner() {
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let v: Vec<Vec<f32>> = vec![
            vec![1.0, 0.0, 0.0],
            vec![0.95, 0.31, 0.0],
            vec![0.0, 1.0, 0.0],
            vec![0.0, 0.95, 0.31],
            vec![0.0, 0.0, 1.0],
            vec![s, 0.0, s],
        ];
        let refs: Vec<&[f32]> = v.iter().map(|x| x.as_slice()).collect();
        let c = average_linkage(&refs, 0.8);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[2], c[3]);
        assert_ne!(c[0], c[2]);
        assert_ne!(c[4], c[0]);
        assert_ne!(c[4], c[2]);
        // a low threshold merges everything
        assert!(average_linkage(&refs, -1.0).iter().all(|&x| x == 0));
    }
}
