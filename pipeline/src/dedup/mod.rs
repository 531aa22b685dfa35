//! Exact and near-duplicate detection: an exact hash of the normalized body, and
//! MinHash over word 3-shingles with LSH banding for syndicated copies that differ by
//! boilerplate, a changed title or a cut ending.
//!
//! Both need a body of at least [`DedupConfig::min_shingles`] distinct shingles (8 by
//! default, about ten words): a shorter body ("Watch the video.", "Lire la suite",
//! "Photo: AFP") is the same words under many unrelated articles, so it is never
//! matched, not even exactly, and never becomes anybody's original.
//!
//! The index stores each document's [`Signature`]; on start the binary feeds them back
//! with [`Dedup::insert`], so the dedup state is always the one of the last index
//! commit (nothing to keep in sync after a crash).

mod minhash;

pub use minhash::{Signature, NUM_HASHES};

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use vigie_schemas::DocId;

/// Keys that are hashes already (xxh3 of a body, of a band) or small indexes: SipHash
/// over them was a fifth of the ordered stage's time on Reuters, where template bodies
/// (earnings tables) share bands with up to [`MAX_BAND_CANDIDATES`] originals each.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // not used by the u64 and u32 keys below; kept correct for any other key
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9e3779b97f4a7c15);
        }
    }
    fn write_u64(&mut self, x: u64) {
        // a hash already: as it is
        self.0 = x;
    }
    fn write_u32(&mut self, x: u32) {
        // an index: spread over the high bits hashbrown reads
        self.0 = u64::from(x).wrapping_mul(0x9e3779b97f4a7c15);
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

// 21 bands of 3 rows (63 of the 64 hashes): a pair with Jaccard 0.59 (a copy cut to 60%)
// becomes a candidate with probability 1 - (1 - 0.59^3)^21 = 0.99; with 16 bands of 4 it
// was 0.87
const BANDS: usize = 21;
/// The most originals compared per band (besides the band's first holder), which
/// bounds the time of one check whatever the stream.
const MAX_BAND_CANDIDATES: usize = 64;
const ROWS: usize = 3;

/// When two bodies count as copies.
#[derive(Debug, Clone, Copy)]
pub struct DedupConfig {
    /// Estimated Jaccard similarity of the shingle sets at or above which two bodies are copies.
    pub jaccard: f32,
    /// Estimated containment of the shorter body in the longer at or above which the
    /// shorter is a copy (a cut ending, an extract)...
    pub containment: f32,
    /// ...provided the shorter has at least this share of the longer's shingles.
    pub min_length_ratio: f32,
    /// Bodies with fewer shingles than this are only matched exactly.
    pub min_shingles: u32,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig { jaccard: 0.6, containment: 0.8, min_length_ratio: 0.3, min_shingles: 8 }
    }
}

/// A match: the first stored copy and the estimated similarity.
#[derive(Debug, Clone, PartialEq)]
pub struct DupMatch {
    pub of: DocId,
    pub jaccard: f32,
    pub exact: bool,
}

/// The set of stored bodies, searchable for copies.
#[derive(Default)]
pub struct Dedup {
    cfg: DedupConfig,
    exact: KeyMap<u32>,
    /// band key -> first root with that band; further roots go to `overflow`
    bands: KeyMap<u32>,
    overflow: KeyMap<Vec<u32>>,
    /// the originals' ids and signatures, apart: a check reads signatures only
    ids: Vec<DocId>,
    sigs: Vec<Signature>,
}

impl Dedup {
    pub fn new(cfg: DedupConfig) -> Self {
        Dedup { cfg, ..Default::default() }
    }

    /// Number of originals (documents that are nobody's copy).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The original this body copies, if any.
    pub fn check(&self, sig: &Signature) -> Option<DupMatch> {
        self.check_counting(sig).0
    }

    /// [`Dedup::check`] and the number of originals it compared the body with: the
    /// work of one check, which tests bound (a count, not a clock, so that a busy
    /// machine never fails them).
    fn check_counting(&self, sig: &Signature) -> (Option<DupMatch>, usize) {
        if sig.shingles == 0 || sig.shingles < self.cfg.min_shingles {
            return (None, 0);
        }
        if let Some(&i) = self.exact.get(&sig.body_hash) {
            return (Some(DupMatch { of: self.ids[i as usize].clone(), jaccard: 1.0, exact: true }), 0);
        }
        let mut best: Option<(f32, u32)> = None;
        let mut seen: HashSet<u32, BuildHasherDefault<KeyHasher>> = HashSet::default();
        let mut compared = 0;
        for key in band_keys(sig) {
            let Some(&first) = self.bands.get(&key) else { continue };
            let more = self.overflow.get(&key).map(Vec::as_slice).unwrap_or(&[]);
            // a band shared by thousands of originals (template text, a stream of
            // near-identical items) would make every check scan them all: the first
            // holder and the most recent ones are the candidates
            let more = &more[more.len().saturating_sub(MAX_BAND_CANDIDATES)..];
            for &c in std::iter::once(&first).chain(more) {
                if !seen.insert(c) {
                    continue;
                }
                compared += 1;
                let other = &self.sigs[c as usize];
                if let Some(score) = self.is_copy(sig, other) {
                    if best.is_none_or(|(s, _)| score > s) {
                        best = Some((score, c));
                    }
                }
            }
        }
        (best.map(|(j, c)| DupMatch { of: self.ids[c as usize].clone(), jaccard: j, exact: false }), compared)
    }

    /// The estimated Jaccard when `a` and `b` count as copies.
    fn is_copy(&self, a: &Signature, b: &Signature) -> Option<f32> {
        if b.shingles < self.cfg.min_shingles {
            return None;
        }
        let j = a.jaccard(b);
        if j >= self.cfg.jaccard {
            return Some(j);
        }
        let (small, large) = (a.shingles.min(b.shingles) as f32, a.shingles.max(b.shingles) as f32);
        if small / large < self.cfg.min_length_ratio {
            return None;
        }
        let inter = j * (small + large) / (1.0 + j);
        (inter / small >= self.cfg.containment).then_some(j)
    }

    /// Forgets an original that was not stored after all (its enrichment failed): it
    /// is no longer anyone's original. Linear in the originals; a rare event.
    pub fn forget(&mut self, id: &DocId) {
        if let Some(i) = self.ids.iter().position(|r| r == id) {
            let sig = &mut self.sigs[i];
            if self.exact.get(&sig.body_hash) == Some(&(i as u32)) {
                self.exact.remove(&sig.body_hash);
            }
            // below the minimum, it is never a candidate again (`is_copy`)
            sig.shingles = 0;
        }
    }

    /// Records a stored document; copies (`dup_of` set) are not candidates themselves,
    /// so every copy points at the original.
    pub fn insert(&mut self, id: DocId, dup_of: Option<&DocId>, sig: Signature) {
        if dup_of.is_some() || sig.shingles == 0 {
            return;
        }
        if sig.shingles < self.cfg.min_shingles {
            // too short to tell a copy from a common phrase: never an original
            return;
        }
        let idx = self.ids.len() as u32;
        self.exact.entry(sig.body_hash).or_insert(idx);
        for key in band_keys(&sig) {
            match self.bands.entry(key) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(idx);
                }
                std::collections::hash_map::Entry::Occupied(_) => self.overflow.entry(key).or_default().push(idx),
            }
        }
        self.ids.push(id);
        self.sigs.push(sig);
    }
}

// the bands read disjoint rows of the signature
const _: () = assert!(BANDS * ROWS <= NUM_HASHES);

fn band_keys(sig: &Signature) -> impl Iterator<Item = u64> + '_ {
    (0..BANDS).map(move |b| {
        let rows = &sig.mins[b * ROWS..(b + 1) * ROWS];
        let mut bytes = [0u8; 4 * ROWS + 1];
        bytes[0] = b as u8;
        for (i, r) in rows.iter().enumerate() {
            bytes[1 + 4 * i..5 + 4 * i].copy_from_slice(&r.to_le_bytes());
        }
        xxhash_rust::xxh3::xxh3_64(&bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "Nvidia a annoncé mercredi une nouvelle génération de processeurs graphiques destinés aux centres de données, baptisée Blackwell Ultra. Le groupe de Santa Clara affirme que ces puces offriront des performances nettement supérieures pour l'entraînement des grands modèles de langage. Jensen Huang, son patron, a présenté la feuille de route lors de la conférence GTC. Les premières livraisons sont attendues au second semestre, notamment auprès de Microsoft, Google et Amazon.";

    #[test]
    fn a_stream_of_near_identical_originals_is_checked_in_bounded_work() {
        let mut d = Dedup::default();
        let common: Vec<String> = (0..30).map(|i| format!("mot{i}")).collect();
        // the work of a check is bounded whatever the stream (quadratic candidate scans
        // compared each body with every original before it: 2 * 10^8 comparisons here)
        let per_check = BANDS * (MAX_BAND_CANDIDATES + 1);
        let (mut total, mut most) = (0, 0);
        const N: usize = 20_000;
        for n in 0..N {
            // half shared, half own: a Jaccard near 0.3, below the copy thresholds, so
            // every one is an original, and a band shared with thousands of others
            let own: Vec<String> = (0..30).map(|k| format!("var{n}x{k}")).collect();
            let sig = Signature::of(&[common.join(" "), own.join(" ")].join(" "));
            let (m, compared) = d.check_counting(&sig);
            assert!(m.is_none());
            assert!(compared <= per_check, "check {n} compared {compared} originals");
            (total, most) = (total + compared, most.max(compared));
            d.insert(format!("d{n}").into(), None, sig);
        }
        assert!(total <= N * per_check, "{total} comparisons for {N} checks");
        // the stream does share bands: checks compare with more than one band's originals
        assert!(most > MAX_BAND_CANDIDATES, "{most}");
    }

    #[test]
    fn a_forgotten_original_is_nobodys_original() {
        let mut d = Dedup::default();
        d.insert("a".into(), None, Signature::of(A));
        assert!(d.check(&Signature::of(A)).is_some());
        d.forget(&"a".into());
        assert_eq!(d.check(&Signature::of(A)), None);
        assert_eq!(d.check(&Signature::of(&format!("PARIS (AFP) - {A}"))), None);
    }

    #[test]
    fn finds_syndicated_copies_and_cut_endings_but_not_other_stories() {
        let mut d = Dedup::default();
        d.insert("a".into(), None, Signature::of(A));
        let copy = format!("PARIS (AFP) - {A}\nLire aussi : les semi-conducteurs en Bourse");
        assert_eq!(d.check(&Signature::of(&copy)).unwrap().of, DocId::from("a"));
        let cut = &A[..A.len() * 6 / 10];
        assert_eq!(d.check(&Signature::of(cut)).unwrap().of, DocId::from("a"));
        assert!(d.check(&Signature::of(&A.to_uppercase())).unwrap().exact);
        let other = "Mistral AI a levé 600 millions d'euros auprès d'investisseurs américains et européens. La start-up parisienne fondée par Arthur Mensch veut accélérer le développement de ses modèles ouverts et recruter massivement à Paris et à Londres dans les prochains mois.";
        assert_eq!(d.check(&Signature::of(other)), None);
    }

    #[test]
    fn short_common_bodies_are_not_copies_of_each_other() {
        let mut d = Dedup::default();
        for (i, body) in ["Watch the video.", "Watch the video.", "watch the VIDEO", "Watch the video."].iter().enumerate() {
            let sig = Signature::of(body);
            assert!(sig.shingles > 0 && sig.shingles < DedupConfig::default().min_shingles);
            assert_eq!(d.check(&sig), None, "article {i}");
            d.insert(format!("v{i}").as_str().into(), None, sig);
        }
        assert_eq!(d.len(), 0, "short bodies are never originals");
        // at the minimum, exact copies are found again
        let words = "un deux trois quatre cinq six sept huit neuf dix";
        let sig = Signature::of(words);
        assert!(sig.shingles >= DedupConfig::default().min_shingles, "{}", sig.shingles);
        d.insert("w".into(), None, sig.clone());
        assert!(d.check(&sig).unwrap().exact);
    }

    #[test]
    fn copies_point_at_the_original_not_at_each_other() {
        let mut d = Dedup::default();
        d.insert("a".into(), None, Signature::of(A));
        let copy = format!("{A} Mis à jour.");
        let m = d.check(&Signature::of(&copy)).unwrap();
        d.insert("b".into(), Some(&m.of), Signature::of(&copy));
        assert_eq!(d.len(), 1);
        assert_eq!(d.check(&Signature::of(&copy)).unwrap().of, DocId::from("a"));
    }
}
