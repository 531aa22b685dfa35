//! Topics from story centroids: average-linkage clustering of (a bounded sample of) the
//! stories, every story then assigned to its nearest topic centroid, a few refinement
//! rounds, and topics too small to mean anything dissolved into their neighbours. Time is
//! linear in the number of stories beyond the sample; no all-pairs matrix of the corpus.
//!
//! Story centroids come centred with the language means of news in general; a corpus on
//! one field (tech news, a company's coverage) shares a direction of its own that makes
//! every pair of its stories look alike, so that a fixed threshold merges them all into
//! one topic. Removing the corpus's own mean centroid first (`recentre`) makes the
//! threshold relative to the corpus: its subjects are told apart against each other.
//! The topic centroids returned are means of the original centroids, so that a new
//! story is assigned (`nearest`) in the space every story lives in, with no state of
//! the corpus mean to keep. A small corpus also needs smaller topics: the least size of
//! a topic drops to two articles under 30 articles.

use super::agglo::average_linkage;
use crate::stories::{add_to, dot, normalized};

#[derive(Debug, Clone)]
pub struct TopicConfig {
    /// Average centred cosine two groups of stories need to merge.
    pub threshold: f32,
    /// Cosine to a topic centroid a story needs to be assigned to it.
    pub assign_threshold: f32,
    /// Topics with fewer articles are dissolved.
    pub min_articles: u32,
    /// At most this many stories go through the O(n²) clustering.
    pub sample: usize,
    pub refine_rounds: usize,
    /// Share of the corpus's mean story centroid removed from every centroid before
    /// clustering (0: none, 1: all of it).
    pub recentre: f32,
}

impl Default for TopicConfig {
    /// Set on the first halves of the MasakhaNEWS dev sets and small focused corpora
    /// (`scripts/eval-topic-halves.sh`, `examples/tune_topics.rs`); see the README.
    fn default() -> Self {
        TopicConfig { threshold: 0.1, assign_threshold: 0.1, min_articles: 3, sample: 3000, refine_rounds: 2, recentre: 0.5 }
    }
}

/// A story as topic clustering sees it.
pub struct StoryPoint<'a> {
    /// centred, L2-normalized centroid
    pub centroid: &'a [f32],
    /// articles (originals) in the story
    pub size: u32,
}

/// Topic index of each story (None: an outlier), and the topics' unit centroids.
pub struct Clustering {
    pub assignment: Vec<Option<usize>>,
    /// unit mean of the topic's story centroids as given (not recentred)
    pub centroids: Vec<Vec<f32>>,
}

/// `v` minus `centre`, L2-normalized (`v` itself when `centre` is empty).
fn recentred(v: &[f32], centre: &[f32]) -> Vec<f32> {
    if centre.len() != v.len() {
        return v.to_vec();
    }
    normalized(v.iter().zip(centre).map(|(x, c)| x - c).collect())
}

/// `share` × the article-weighted mean of the usable centroids (empty when `share` is 0).
fn corpus_centre(points: &[StoryPoint<'_>], share: f32) -> Vec<f32> {
    let dim = points.iter().map(|p| p.centroid.len()).max().unwrap_or(0);
    if share <= 0.0 || dim == 0 {
        return Vec::new();
    }
    let mut sum = vec![0f32; dim];
    let mut n = 0f32;
    for p in points.iter().filter(|p| p.centroid.len() == dim) {
        add_to(&mut sum, p.centroid, p.size.max(1) as f32);
        n += p.size.max(1) as f32;
    }
    sum.iter_mut().for_each(|x| *x *= share / n.max(1.0));
    sum
}

/// Deterministic sample of at most `k` of `n` indices, spread evenly.
fn sample(n: usize, k: usize) -> Vec<usize> {
    if n <= k {
        return (0..n).collect();
    }
    (0..k).map(|i| i * n / k).collect()
}

/// Nearest centroid of `v` and its cosine.
pub fn nearest(v: &[f32], centroids: &[Vec<f32>]) -> Option<(usize, f32)> {
    centroids.iter().enumerate().map(|(i, c)| (i, dot(v, c))).max_by(|a, b| a.1.total_cmp(&b.1))
}

fn centroids_of(points: &[StoryPoint<'_>], assignment: &[Option<usize>], k: usize) -> Vec<Vec<f32>> {
    let dim = points.iter().map(|p| p.centroid.len()).max().unwrap_or(0);
    let mut sums = vec![vec![0f32; dim]; k];
    for (p, a) in points.iter().zip(assignment) {
        if let Some(t) = a {
            add_to(&mut sums[*t], p.centroid, 1.0);
        }
    }
    sums.into_iter().map(normalized).collect()
}

fn assign_all(points: &[StoryPoint<'_>], centroids: &[Vec<f32>], min: f32) -> Vec<Option<usize>> {
    points.iter().map(|p| nearest(p.centroid, centroids).filter(|(_, s)| *s >= min).map(|(t, _)| t)).collect()
}

/// Drops empty topics and topics under `min_articles`, renumbering the rest in order.
fn compact(points: &[StoryPoint<'_>], assignment: &mut [Option<usize>], k: usize, min_articles: u32) -> usize {
    let mut articles = vec![0u32; k];
    for (p, a) in points.iter().zip(assignment.iter()) {
        if let Some(t) = a {
            articles[*t] += p.size.max(1);
        }
    }
    let mut map = vec![None; k];
    let mut next = 0;
    for t in 0..k {
        if articles[t] >= min_articles.max(1) {
            map[t] = Some(next);
            next += 1;
        }
    }
    for a in assignment.iter_mut() {
        *a = a.and_then(|t| map[t]);
    }
    next
}

/// Least articles of a topic: `min_articles`, down to two in a corpus under 30 articles
/// (a tenth of it), where three subjects of six articles each would otherwise not hold.
fn least_articles(points: &[StoryPoint<'_>], min_articles: u32) -> u32 {
    let articles: u32 = points.iter().filter(|p| !p.centroid.is_empty()).map(|p| p.size.max(1)).sum();
    min_articles.min((articles / 10).max(2))
}

pub fn cluster(points: &[StoryPoint<'_>], cfg: &TopicConfig) -> Clustering {
    let original = points;
    let min_articles = least_articles(points, cfg.min_articles);
    let centre = corpus_centre(points, cfg.recentre);
    let shifted: Vec<Vec<f32>> =
        points.iter().map(|p| if p.centroid.is_empty() { Vec::new() } else { recentred(p.centroid, &centre) }).collect();
    let points: Vec<StoryPoint<'_>> = points.iter().zip(&shifted).map(|(p, c)| StoryPoint { centroid: c, size: p.size }).collect();
    let points = points.as_slice();
    let usable: Vec<usize> = (0..points.len()).filter(|&i| !points[i].centroid.is_empty()).collect();
    let picked: Vec<usize> = sample(usable.len(), cfg.sample).into_iter().map(|i| usable[i]).collect();
    let refs: Vec<&[f32]> = picked.iter().map(|&i| points[i].centroid).collect();
    let groups = average_linkage(&refs, cfg.threshold);
    let k = groups.iter().copied().max().map_or(0, |m| m + 1);
    let mut assignment = vec![None; points.len()];
    for (&i, &g) in picked.iter().zip(&groups) {
        assignment[i] = Some(g);
    }
    // small groups of the sample are not topics; their stories find a home below
    let mut k = compact(points, &mut assignment, k, min_articles);
    let mut centroids = centroids_of(points, &assignment, k);
    for _ in 0..cfg.refine_rounds.max(1) {
        assignment = assign_all(points, &centroids, cfg.assign_threshold);
        for (i, p) in points.iter().enumerate() {
            if p.centroid.is_empty() {
                assignment[i] = None;
            }
        }
        k = compact(points, &mut assignment, k, min_articles);
        centroids = centroids_of(points, &assignment, k);
    }
    let centroids = if centre.is_empty() { centroids } else { centroids_of(original, &assignment, k) };
    Clustering { assignment, centroids }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_become_topics_and_loners_outliers() {
        let mk = |a: f32, b: f32, c: f32| normalized(vec![a, b, c]);
        let vs = [
            mk(1.0, 0.1, 0.0),
            mk(1.0, 0.0, 0.1),
            mk(1.0, 0.05, 0.05),
            mk(0.0, 1.0, 0.1),
            mk(0.1, 1.0, 0.0),
            mk(0.05, 1.0, 0.0),
            mk(0.0, 0.0, 1.0),
        ];
        let pts: Vec<StoryPoint<'_>> = vs.iter().map(|v| StoryPoint { centroid: v, size: 1 }).collect();
        let cfg = TopicConfig { threshold: 0.8, assign_threshold: 0.8, ..Default::default() };
        let c = cluster(&pts, &cfg);
        assert_eq!(c.centroids.len(), 2);
        assert!(c.assignment[..3].iter().all(|a| *a == c.assignment[0] && a.is_some()));
        assert!(c.assignment[3..6].iter().all(|a| *a == c.assignment[3] && a.is_some()));
        assert_ne!(c.assignment[0], c.assignment[3]);
        assert_eq!(c.assignment[6], None);
    }
}
