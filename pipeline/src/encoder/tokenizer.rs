//! SentencePiece Unigram tokenization as XLM-R's tokenizer does it: the per-codepoint
//! normalizer map, runs of spaces collapsed and ends stripped, a `▁` before every
//! word, Viterbi over piece scores per word, and consecutive unknown characters fused
//! into one `<unk>`. Token offsets point back into the original text, for NER.

use super::E5File;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const META: char = '\u{2581}';
/// HF's Unigram: an unknown character scores this far below the worst piece.
const UNK_PENALTY: f32 = 10.0;

/// Token ids and the byte span of the original text each one covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encoding {
    pub ids: Vec<u32>,
    pub offsets: Vec<(usize, usize)>,
}

/// What is saved next to the model (`tokenizer.json`).
#[derive(Serialize, Deserialize)]
struct Saved {
    pieces: Vec<String>,
    scores: Vec<f32>,
    normalizer: Vec<(char, String)>,
    bos: u32,
    eos: u32,
    pad: u32,
    unk: u32,
}

pub struct Tokenizer {
    vocab: HashMap<String, u32>,
    scores: Vec<f32>,
    norm: HashMap<char, String>,
    pub bos: u32,
    pub eos: u32,
    pub pad: u32,
    pub unk: u32,
    unk_score: f32,
    max_piece_chars: usize,
    saved: Saved,
}

impl Tokenizer {
    pub fn from_e5(f: &E5File) -> Self {
        Self::build(Saved {
            pieces: f.pieces.clone(),
            scores: f.scores.clone(),
            normalizer: f.normalizer.clone(),
            bos: f.bos,
            eos: f.eos,
            pad: f.pad,
            unk: f.unk,
        })
    }

    fn build(s: Saved) -> Self {
        let mut vocab = HashMap::with_capacity(s.pieces.len());
        let mut max_piece_chars = 1;
        for (i, p) in s.pieces.iter().enumerate() {
            // the special pieces (<s>, <pad>, </s>, <unk>, <mask>) never match text
            if (i as u32) == s.unk || p.starts_with('<') && p.ends_with('>') && p.len() > 2 {
                continue;
            }
            vocab.entry(p.clone()).or_insert(i as u32);
            max_piece_chars = max_piece_chars.max(p.chars().count());
        }
        let min = s.scores.iter().copied().fold(f32::INFINITY, f32::min);
        Tokenizer {
            vocab,
            scores: s.scores.clone(),
            norm: s.normalizer.iter().cloned().collect(),
            bos: s.bos,
            eos: s.eos,
            pad: s.pad,
            unk: s.unk,
            unk_score: min - UNK_PENALTY,
            max_piece_chars,
            saved: s,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.saved).expect("tokenizer serializes")
    }

    /// The tokenizer saved by [`Tokenizer::to_json`] (`tokenizer.json`).
    pub fn from_json(s: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str::<Saved>(s).map(Self::build)
    }

    pub fn vocab_size(&self) -> usize {
        self.scores.len()
    }

    /// The content tokens of `text` (no `<s>`/`</s>`).
    pub fn encode(&self, text: &str) -> Encoding {
        // 1. normalize, remembering where each output char came from
        let mut chars: Vec<(char, usize, usize)> = Vec::with_capacity(text.len());
        for (start, c) in text.char_indices() {
            let end = start + c.len_utf8();
            match self.norm.get(&c) {
                Some(rep) => chars.extend(rep.chars().map(|r| (r, start, end))),
                None => chars.push((c, start, end)),
            }
        }
        // 2. words: split on spaces (runs collapse, ends strip by construction)
        let mut out = Encoding::default();
        let mut word: Vec<(char, usize, usize)> = Vec::new();
        for item in chars.into_iter().chain(std::iter::once((' ', text.len(), text.len()))) {
            if item.0 == ' ' {
                if !word.is_empty() {
                    self.encode_word(&word, &mut out);
                    word.clear();
                }
            } else {
                if word.is_empty() {
                    word.push((META, item.1, item.1));
                }
                word.push(item);
            }
        }
        out
    }

    /// Viterbi over one `▁word`.
    fn encode_word(&self, w: &[(char, usize, usize)], out: &mut Encoding) {
        let s: String = w.iter().map(|c| c.0).collect();
        let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain(std::iter::once(s.len())).collect();
        let n = w.len();
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        let mut back: Vec<(usize, Option<u32>)> = vec![(0, None); n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] == f32::NEG_INFINITY {
                continue;
            }
            let mut matched_one = false;
            for e in i + 1..=n.min(i + self.max_piece_chars) {
                if let Some(&id) = self.vocab.get(&s[bounds[i]..bounds[e]]) {
                    if e == i + 1 {
                        matched_one = true;
                    }
                    let sc = best[i] + self.scores[id as usize];
                    if sc > best[e] {
                        best[e] = sc;
                        back[e] = (i, Some(id));
                    }
                }
            }
            if !matched_one {
                let sc = best[i] + self.unk_score;
                if sc > best[i + 1] {
                    best[i + 1] = sc;
                    back[i + 1] = (i, None);
                }
            }
        }
        let mut toks: Vec<(usize, usize, Option<u32>)> = Vec::new();
        let mut e = n;
        while e > 0 {
            let (b, id) = back[e];
            toks.push((b, e, id));
            e = b;
        }
        toks.reverse();
        // fuse consecutive unknowns
        let mut fused: Vec<(usize, usize, Option<u32>)> = Vec::with_capacity(toks.len());
        for t in toks {
            match (fused.last_mut(), t.2) {
                (Some(last), None) if last.2.is_none() => last.1 = t.1,
                _ => fused.push(t),
            }
        }
        for (b, e, id) in fused {
            out.ids.push(id.unwrap_or(self.unk));
            let start = w[b].1;
            let end = w[e - 1].2.max(start);
            out.offsets.push((start, end));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::path::PathBuf;

    /// The E5S1 file, where `make` put it (tests that need it skip when it is absent).
    pub(crate) fn e5_file() -> Option<PathBuf> {
        let p = std::env::var_os("VIGIE_E5_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models/e5-small-q4.bin"));
        if p.exists() {
            Some(p)
        } else {
            crate::testing::absent(&p, "run `make models`");
            None
        }
    }

    #[test]
    fn reproduces_the_reference_token_ids() {
        let Some(path) = e5_file() else { return };
        let tok = Tokenizer::from_e5(&E5File::open(&path).unwrap());
        let golden: Value = serde_json::from_str(include_str!("testdata/tokenizer_golden.json")).unwrap();
        let cases = golden["cases"].as_array().unwrap();
        assert!(cases.len() >= 13);
        for c in cases {
            let text = c["text"].as_str().unwrap();
            let want: Vec<u32> = c["ids"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
            let got = tok.encode(text);
            assert_eq!(got.ids, want, "{text:?}");
            assert_eq!(got.offsets.len(), got.ids.len());
        }
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let Some(path) = e5_file() else { return };
        let tok = Tokenizer::from_e5(&E5File::open(&path).unwrap());
        let text = "Nvidia’s  H100 à l'Élysée";
        let e = tok.encode(text);
        let spans: Vec<&str> = e.offsets.iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(spans.concat().replace(' ', ""), text.replace(' ', ""));
        assert!(spans.contains(&"Nvidia"), "{spans:?}");
        let again = Tokenizer::from_json(&tok.to_json()).unwrap().encode(text);
        assert_eq!(again, e);
    }
}
