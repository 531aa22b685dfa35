//! Word features from the encoder: the states of the chosen layers at each word's first
//! subword token.

use crate::encoder::{Encoder, Encoding};
use tch::{Kind, Tensor};

/// For each word span `[a, b)` (bytes of the encoded text), the first token overlapping
/// it; `None` when normalization left nothing of the word.
pub fn word_first_tokens(spans: &[(usize, usize)], enc: &Encoding) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(spans.len());
    let mut t = 0;
    for &(a, b) in spans {
        while t < enc.offsets.len() && enc.offsets[t].1 <= a {
            t += 1;
        }
        let mut k = t;
        while k < enc.offsets.len() && enc.offsets[k].0 == enc.offsets[k].1 {
            k += 1; // a bare `▁` covers nothing
        }
        out.push((k < enc.offsets.len() && enc.offsets[k].0 < b).then_some(k));
    }
    out
}

/// Words joined by spaces, and each word's byte span in the result.
pub fn join_words(words: &[String]) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut spans = Vec::with_capacity(words.len());
    for w in words {
        if !text.is_empty() {
            text.push(' ');
        }
        spans.push((text.len(), text.len() + w.len()));
        text.push_str(w);
    }
    (text, spans)
}

/// Gathers `[n_words, L, H]` word features from `[L, tokens, H]` token states.
pub fn gather_words(states: &Tensor, firsts: &[Option<usize>]) -> Tensor {
    let size = states.size();
    let (l, h) = (size[0], size[2]);
    let idx: Vec<i64> = firsts.iter().map(|f| f.map_or(-1, |x| x as i64)).collect();
    if idx.is_empty() {
        return Tensor::zeros([0, l, h], (states.kind(), states.device()));
    }
    let safe: Vec<i64> = idx.iter().map(|&i| i.max(0)).collect();
    let picked = states.index_select(1, &Tensor::from_slice(&safe)).permute([1, 0, 2]);
    let keep: Vec<f32> = idx.iter().map(|&i| if i < 0 { 0.0 } else { 1.0 }).collect();
    picked * Tensor::from_slice(&keep).view([-1, 1, 1]).to_kind(states.kind())
}

/// Features of whole sentences (lists of words), in f16 to keep memory small.
pub fn sentence_features(encoder: &Encoder, sentences: &[Vec<String>], layers: &[usize]) -> Vec<Tensor> {
    let joined: Vec<(String, Vec<(usize, usize)>)> = sentences.iter().map(|w| join_words(w)).collect();
    let texts: Vec<&str> = joined.iter().map(|(t, _)| t.as_str()).collect();
    encoder
        .encode_states(&texts, layers)
        .into_iter()
        .zip(&joined)
        .map(|(out, (_, spans))| {
            let firsts = word_first_tokens(spans, &out.encoding);
            match out.token_states {
                Some(s) => gather_words(&s, &firsts).to_kind(Kind::Half),
                None => Tensor::zeros([spans.len() as i64, layers.len() as i64, encoder.hidden as i64], (Kind::Half, tch::Device::Cpu)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_map_to_their_first_token() {
        let (text, spans) = join_words(&["Nvidia".into(), "'s".into(), "H100".into()]);
        assert_eq!(text, "Nvidia 's H100");
        // tokens: ▁Nvidia | ▁' | s | ▁ | H | 100
        let enc = Encoding { ids: vec![1; 6], offsets: vec![(0, 6), (7, 8), (8, 9), (10, 10), (10, 11), (11, 14)] };
        assert_eq!(word_first_tokens(&spans, &enc), vec![Some(0), Some(1), Some(4)]);
    }
}
