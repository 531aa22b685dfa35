//! MinHash signatures of word 3-shingles.

use xxhash_rust::xxh3::xxh3_64;

/// Number of hash functions in a signature.
pub const NUM_HASHES: usize = 64;

/// What dedup keeps of a body: an exact hash of its words, how many distinct shingles
/// it has, and the minimum of each hash function over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub body_hash: u64,
    pub shingles: u32,
    pub mins: [u32; NUM_HASHES],
}

const SHINGLE: usize = 3;

#[inline(always)]
fn mix(mut x: u64) -> u64 {
    // splitmix64 finalizer
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d049bb133111eb);
    x ^ (x >> 31)
}

const fn seeds() -> [u64; NUM_HASHES] {
    let mut s = [0u64; NUM_HASHES];
    let mut i = 0;
    let mut x: u64 = 0x9e3779b97f4a7c15;
    while i < NUM_HASHES {
        x = x.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        s[i] = z ^ (z >> 31);
        i += 1;
    }
    s
}
const SEEDS: [u64; NUM_HASHES] = seeds();

/// The minimum of each hash function over the shingle hashes. This loop (64 mixes per
/// shingle) was most of the signature's time: with AVX-512 (Zen 4 and later, recent
/// Xeons) the same loop, compiled for it, runs 8 hash functions per instruction; the
/// integer results are the same either way.
fn min_hashes(hashes: &[u64]) -> [u32; NUM_HASHES] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512dq") {
        // SAFETY: the CPU has the features the function is compiled for (checked above)
        return unsafe { min_hashes_avx512(hashes) };
    }
    min_hashes_portable(hashes)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn min_hashes_avx512(hashes: &[u64]) -> [u32; NUM_HASHES] {
    min_hashes_portable(hashes)
}

#[inline(always)]
fn min_hashes_portable(hashes: &[u64]) -> [u32; NUM_HASHES] {
    let mut mins = [u32::MAX; NUM_HASHES];
    for h in hashes {
        for (m, seed) in mins.iter_mut().zip(SEEDS.iter()) {
            *m = (*m).min((mix(h ^ seed) >> 32) as u32);
        }
    }
    mins
}

/// The xxh3 of each lowercased alphanumeric run of `body`, in order. An ASCII body (most
/// wire copy) is lowercased and split byte by byte, which gives the same words as the
/// Unicode path without decoding characters.
fn word_hashes(body: &str) -> Vec<u64> {
    if body.is_ascii() {
        let lower = body.as_bytes().to_ascii_lowercase();
        let mut words = Vec::with_capacity(body.len() / 5 + 1);
        words.extend(lower.split(|b| !b.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(xxh3_64));
        return words;
    }
    let lower = body.to_lowercase();
    lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| xxh3_64(w.as_bytes())).collect()
}

impl Signature {
    /// The signature of a body: words are lowercased alphanumeric runs, so case,
    /// punctuation and spacing changes do not matter.
    pub fn of(body: &str) -> Signature {
        let words = word_hashes(body);
        // the exact hash chains word hashes in order (no joined string is built)
        let body_hash = words.iter().fold(7u64, |h, w| mix(h.rotate_left(5) ^ w));
        let mut hashes: Vec<u64> = if words.len() >= SHINGLE {
            words.windows(SHINGLE).map(|w| mix(w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42))).collect()
        } else {
            words.clone()
        };
        hashes.sort_unstable();
        hashes.dedup();
        Signature { body_hash, shingles: hashes.len() as u32, mins: min_hashes(&hashes) }
    }

    /// Estimated Jaccard similarity of the two shingle sets.
    pub fn jaccard(&self, other: &Signature) -> f32 {
        let same = self.mins.iter().zip(other.mins.iter()).filter(|(a, b)| a == b).count();
        same as f32 / NUM_HASHES as f32
    }

    /// Compact bytes for storage: hash, count, then the mins, little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + 4 * NUM_HASHES);
        out.extend_from_slice(&self.body_hash.to_le_bytes());
        out.extend_from_slice(&self.shingles.to_le_bytes());
        for m in &self.mins {
            out.extend_from_slice(&m.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(b: &[u8]) -> Option<Signature> {
        if b.len() != 12 + 4 * NUM_HASHES {
            return None;
        }
        let body_hash = u64::from_le_bytes(b[0..8].try_into().ok()?);
        let shingles = u32::from_le_bytes(b[8..12].try_into().ok()?);
        let mut mins = [0u32; NUM_HASHES];
        for (i, m) in mins.iter_mut().enumerate() {
            *m = u32::from_le_bytes(b[12 + 4 * i..16 + 4 * i].try_into().ok()?);
        }
        Some(Signature { body_hash, shingles, mins })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_identical_texts_match() {
        let s = Signature::of("Le président américain Donald Trump a annoncé le projet Stargate.");
        assert_eq!(Signature::from_bytes(&s.to_bytes()), Some(s.clone()));
        assert_eq!(s.jaccard(&Signature::of("le Président américain, Donald Trump, a annoncé le projet Stargate")), 1.0);
    }

    /// The ASCII path splits and lowercases as the Unicode one does.
    #[test]
    fn ascii_words_are_the_unicode_words() {
        let unicode = |b: &str| -> Vec<u64> {
            b.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| xxh3_64(w.as_bytes())).collect()
        };
        for body in ["", " ", "Shr 56 cts vs 68 cts\nNet 8,327,000 vs 9,1 mln", "a-B_c\td''E!!x9Z", "ALL CAPS, Mixed; Case... 1987."] {
            assert!(body.is_ascii());
            assert_eq!(word_hashes(body), unicode(body), "{body:?}");
        }
        let accented = "Élysée: l'été À PARIS";
        assert_eq!(word_hashes(accented), unicode(accented));
    }

    #[test]
    fn the_cpu_specific_minimums_are_the_portable_ones() {
        let hashes: Vec<u64> = (0..1000u64).map(|i| mix(i.wrapping_mul(0x9e3779b97f4a7c15))).collect();
        for n in [0, 1, 7, 64, 1000] {
            assert_eq!(min_hashes(&hashes[..n]), min_hashes_portable(&hashes[..n]), "{n} hashes");
        }
    }
}
