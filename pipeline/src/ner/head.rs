//! The head: a softmax-weighted mix of encoder layers, a BiLSTM over words, and a
//! linear layer to BIO tags. Weights in `ner-head.safetensors`, shape in `head.json`.

use super::tags::LABELS;
use crate::{Error, ModelError, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tch::nn::{self, Module, RNN};
use tch::{Device, Kind, Tensor};

/// The head's shape, saved beside its weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeadConfig {
    /// 1-based encoder layers mixed (their states are the input)
    pub layers: Vec<usize>,
    pub input: usize,
    pub lstm_hidden: usize,
    pub dropout: f64,
    pub labels: Vec<String>,
}

impl Default for HeadConfig {
    fn default() -> Self {
        HeadConfig {
            layers: vec![2, 4, 5, 6, 7, 8],
            input: 384,
            lstm_hidden: 192,
            dropout: 0.3,
            labels: LABELS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The committed head (`data/models/ner`), embedded at build time.
const BUILTIN_CONFIG: &str = include_str!("../../../data/models/ner/head.json");
const BUILTIN_WEIGHTS: &[u8] = include_bytes!("../../../data/models/ner/ner-head.safetensors");

/// Sentences tagged in one LSTM call.
const HEAD_BATCH: usize = 128;

pub struct NerHead {
    pub vs: nn::VarStore,
    pub cfg: HeadConfig,
    mix: Tensor,
    scale: Tensor,
    lstm: nn::LSTM,
    out: nn::Linear,
}

impl NerHead {
    pub fn new(cfg: HeadConfig, device: Device) -> Self {
        let vs = nn::VarStore::new(device);
        let root = vs.root();
        let mix = root.zeros("mix", &[cfg.layers.len() as i64]);
        let scale = root.ones("scale", &[1]);
        let lstm = nn::lstm(
            &root / "lstm",
            cfg.input as i64,
            cfg.lstm_hidden as i64,
            nn::RNNConfig { bidirectional: true, batch_first: true, ..Default::default() },
        );
        let out = nn::linear(&root / "out", 2 * cfg.lstm_hidden as i64, cfg.labels.len() as i64, Default::default());
        NerHead { vs, cfg, mix, scale, lstm, out }
    }

    /// Tag logits `[B, T, labels]` from word features `[B, T, L, H]`.
    pub fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let w = self.mix.softmax(0, Kind::Float).view([1, 1, -1, 1]);
        let x = (x.to_kind(Kind::Float) * w).sum_dim_intlist(2, false, Kind::Float) * &self.scale;
        self.after_mix(&x, train)
    }

    /// Tag logits `[B, T, labels]` from already mixed `[B, T, H]` word features.
    fn after_mix(&self, x: &Tensor, train: bool) -> Tensor {
        let x = x.dropout(self.cfg.dropout, train);
        let (y, _) = self.lstm.seq(&x);
        let y = y.dropout(self.cfg.dropout, train);
        self.out.forward(&y)
    }

    /// Tags of one sentence from its `[n, L, H]` features.
    pub fn tag(&self, feats: &Tensor) -> Vec<String> {
        if feats.size()[0] == 0 {
            return Vec::new();
        }
        let logits = tch::no_grad(|| self.forward_t(&feats.unsqueeze(0), false)).squeeze_dim(0);
        let ids: Vec<i64> = Vec::<i64>::try_from(&logits.argmax(-1, false)).expect("int tensor");
        ids.into_iter().map(|i| self.cfg.labels[i as usize].clone()).collect()
    }

    /// The head's layer mix as (1-based layer, weight) pairs, its scale folded in: the
    /// encoder computes this sum itself ([`crate::encoder::Encoder::encode_mixed`]), so
    /// that one state per token leaves it instead of one per layer.
    pub fn mix_weights(&self) -> Vec<(usize, f64)> {
        let scale = self.scale.double_value(&[0]);
        self.layer_weights().into_iter().map(|(l, w)| (l, w * scale)).collect()
    }

    /// Tags of one sentence from its `[n, 1, H]` mixed features.
    pub fn tag_mixed(&self, feats: &Tensor) -> Vec<String> {
        if feats.size()[0] == 0 {
            return Vec::new();
        }
        let x = feats.to_kind(Kind::Float).view([1, feats.size()[0], -1]);
        let logits = tch::no_grad(|| self.after_mix(&x, false)).squeeze_dim(0);
        let ids: Vec<i64> = Vec::<i64>::try_from(&logits.argmax(-1, false)).expect("int tensor");
        ids.into_iter().map(|i| self.cfg.labels[i as usize].clone()).collect()
    }

    /// Tags of several sentences from their `[n_i, 1, H]` mixed features at once: the
    /// same tags as [`NerHead::tag_mixed`] sentence by sentence. The two directions run
    /// as two one-way LSTM calls over right-padded batches, the backward one over each
    /// sentence reversed within its own length, so padding never enters a sentence's
    /// states; unpacked one-way calls take libtorch's oneDNN LSTM kernel.
    pub fn tag_many_mixed(&self, feats: &[Tensor]) -> Vec<Vec<String>> {
        let lens: Vec<i64> = feats.iter().map(|f| f.size()[0]).collect();
        let mut out: Vec<Vec<String>> = lens.iter().map(|_| Vec::new()).collect();
        // sentences of similar length together: padding costs as much as words
        let mut order: Vec<usize> = (0..feats.len()).filter(|&i| lens[i] > 0).collect();
        order.sort_by_key(|&i| lens[i]);
        for group in order.chunks(HEAD_BATCH) {
            let tags = self.tag_group(feats, &lens, group);
            for (&i, t) in group.iter().zip(tags) {
                out[i] = t;
            }
        }
        out
    }

    /// [`NerHead::tag_many_mixed`] of the sentences `live` (none empty), in that order.
    fn tag_group(&self, feats: &[Tensor], lens: &[i64], live: &[usize]) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = live.iter().map(|&i| Vec::with_capacity(lens[i] as usize)).collect();
        let Some(t) = live.iter().map(|&i| lens[i]).max() else { return out };
        let b = live.len() as i64;
        // flat rows of all sentences, then gather indices for the padded batches
        let mut base = Vec::with_capacity(live.len());
        let mut offset = 0;
        let mut parts = Vec::with_capacity(live.len());
        for &i in live {
            base.push(offset);
            offset += lens[i];
            parts.push(feats[i].to_kind(Kind::Float).reshape([lens[i], -1]));
        }
        // one zero row at the end serves as padding
        let h = parts[0].size()[1];
        parts.push(Tensor::zeros([1, h], (Kind::Float, Device::Cpu)));
        let flat = Tensor::cat(&parts, 0);
        let pad = offset;
        let mut fwd_idx = Vec::with_capacity((b * t) as usize);
        let mut bwd_idx = Vec::with_capacity((b * t) as usize);
        for (k, &i) in live.iter().enumerate() {
            let n = lens[i];
            for step in 0..t {
                fwd_idx.push(if step < n { base[k] + step } else { pad });
                bwd_idx.push(if step < n { base[k] + n - 1 - step } else { pad });
            }
        }
        let vars = self.vs.variables();
        let params = |suffix: &str| -> Vec<Tensor> {
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
                .iter()
                .map(|n| vars.get(&format!("lstm.{n}{suffix}")).expect("the head's LSTM weights").shallow_clone())
                .collect()
        };
        let hidden = self.cfg.lstm_hidden as i64;
        let ids = tch::no_grad(|| {
            let h0 = Tensor::zeros([1, b, hidden], (Kind::Float, Device::Cpu));
            let run = |idx: &[i64], suffix: &str| {
                let x = flat.index_select(0, &Tensor::from_slice(idx)).view([b, t, h]);
                let (y, _, _) = x.lstm(&[h0.shallow_clone(), h0.shallow_clone()], &params(suffix), true, 1, 0.0, false, false, true);
                y.reshape([b * t, hidden])
            };
            let fwd = run(&fwd_idx, "");
            let bwd = run(&bwd_idx, "_reverse");
            // back to time order: the backward state of step s of a sentence of n words
            // sits at row n - 1 - s of its reversed run
            let mut back = Vec::with_capacity((b * t) as usize);
            for (k, &i) in live.iter().enumerate() {
                let n = lens[i];
                for step in 0..t {
                    back.push(k as i64 * t + if step < n { n - 1 - step } else { step });
                }
            }
            let bwd = bwd.index_select(0, &Tensor::from_slice(&back));
            self.out.forward(&Tensor::cat(&[fwd, bwd], 1)).argmax(-1, false)
        });
        let ids: Vec<i64> = Vec::<i64>::try_from(&ids).expect("int tensor");
        for (k, &i) in live.iter().enumerate() {
            let row = &ids[k * t as usize..k * t as usize + lens[i] as usize];
            out[k].extend(row.iter().map(|&id| self.cfg.labels[id as usize].clone()));
        }
        out
    }

    /// Writes `dir/ner-head.safetensors` and `dir/head.json` (`dir` created).
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let weights = dir.join("ner-head.safetensors");
        self.vs.save(&weights).map_err(|e| Error::model(&weights, e))?;
        let config = dir.join("head.json");
        std::fs::write(&config, serde_json::to_string_pretty(&self.cfg).expect("json")).map_err(|e| Error::io(&config, e))
    }

    /// The head trained for this release (`data/models/ner`), built into the binary so
    /// that vigie runs outside its checkout; `--ner-model DIR` loads another one.
    pub fn builtin(device: Device) -> Self {
        Self::try_builtin(device).expect("the built-in head loads (checked by a test)")
    }

    /// [`NerHead::builtin`], or an [`Error::Builtin`] when the head built into this binary
    /// does not load (a broken build).
    pub fn try_builtin(device: Device) -> Result<Self> {
        let builtin = |e| Error::builtin("NER head", e);
        let cfg: HeadConfig = serde_json::from_str(BUILTIN_CONFIG).map_err(|e| builtin(Error::model("data/models/ner/head.json", e)))?;
        let h = NerHead::new(cfg, device);
        h.copy_safetensors(BUILTIN_WEIGHTS)
            .map_err(|e| builtin(Error::Model { path: "data/models/ner/ner-head.safetensors".into(), source: e }))?;
        Ok(h)
    }

    /// Sets every weight from safetensors bytes: each variable must be there, in f32 and
    /// of its shape (`copy_` would broadcast a wrong one silently).
    fn copy_safetensors(&self, bytes: &[u8]) -> std::result::Result<(), crate::BoxError> {
        let st = safetensors::SafeTensors::deserialize(bytes)?;
        for (name, mut var) in self.vs.variables() {
            let view = st.tensor(&name)?;
            let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
            if view.dtype() != safetensors::Dtype::F32 || shape != var.size() {
                let (found, expected) = (format!("{:?} {shape:?}", view.dtype()), format!("F32 {:?}", var.size()));
                return Err(ModelError::Shape { name, found, expected }.into());
            }
            let src = Tensor::f_from_data_size(view.data(), &shape, Kind::Float)?;
            tch::no_grad(|| var.copy_(&src));
        }
        Ok(())
    }

    /// The head saved by [`NerHead::save`] in `dir`; the error names the file that is
    /// missing or does not load.
    pub fn load(dir: &Path, device: Device) -> Result<Self> {
        let config = dir.join("head.json");
        let text = std::fs::read_to_string(&config).map_err(|e| Error::io(&config, e))?;
        let cfg: HeadConfig = serde_json::from_str(&text).map_err(|e| Error::model(&config, e))?;
        let mut h = NerHead::new(cfg, device);
        let weights = dir.join("ner-head.safetensors");
        h.vs.load(&weights).map_err(|e| Error::model(&weights, e))?;
        Ok(h)
    }

    /// The learned layer weights (for the model card).
    pub fn layer_weights(&self) -> Vec<(usize, f64)> {
        let w = Vec::<f32>::try_from(&self.mix.softmax(0, Kind::Float)).expect("float");
        self.cfg.layers.iter().copied().zip(w.into_iter().map(f64::from)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The head built into the binary is the one in `data/models/ner`, weight for weight,
    /// as tch's own file loader reads it.
    #[test]
    fn the_builtin_head_is_the_committed_one() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/models/ner");
        let disk = NerHead::load(&dir, Device::Cpu).unwrap();
        let builtin = NerHead::builtin(Device::Cpu);
        assert_eq!(builtin.cfg.layers, disk.cfg.layers);
        assert_eq!(builtin.cfg.labels, disk.cfg.labels);
        let (b, d) = (builtin.vs.variables(), disk.vs.variables());
        assert_eq!(b.len(), d.len());
        for (name, t) in &d {
            assert!(b[name].equal(t), "{name} differs");
        }
    }

    /// A weight file of another shape is refused, not broadcast into the head.
    #[test]
    fn weights_of_another_shape_are_refused() {
        let small = NerHead::new(HeadConfig { lstm_hidden: 8, ..Default::default() }, Device::Cpu);
        let err = small.copy_safetensors(BUILTIN_WEIGHTS).unwrap_err();
        assert!(err.to_string().contains("not F32"), "{err}");
        assert!(err.is::<ModelError>(), "{err}");
    }

    /// A head directory that is not there: the file is named and the io error is the
    /// source; one that holds something else: the parser's error is.
    #[test]
    fn a_missing_or_broken_head_directory_keeps_the_cause() {
        use std::error::Error as _;
        let dir = tempfile::tempdir().unwrap();
        let e = NerHead::load(&dir.path().join("no-such-head"), Device::Cpu).err().expect("no head there");
        assert!(matches!(&e, Error::Io { path, .. } if path.ends_with("no-such-head/head.json")), "{e}");
        assert!(e.source().and_then(|s| s.downcast_ref::<std::io::Error>()).is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound));
        std::fs::write(dir.path().join("head.json"), "[").unwrap();
        let e = NerHead::load(dir.path(), Device::Cpu).err().expect("not a head");
        assert!(matches!(e, Error::Model { .. }) && e.source().is_some_and(|s| s.is::<serde_json::Error>()), "{e}");
    }

    /// One packed call tags every sentence as the sentence-by-sentence path does.
    #[test]
    fn packed_sentences_tag_like_one_by_one() {
        tch::manual_seed(7);
        let head = NerHead::new(HeadConfig::default(), Device::Cpu);
        let feats: Vec<Tensor> = [5i64, 0, 17, 1, 9, 17].iter().map(|&n| Tensor::randn([n, 1, 384], (Kind::Float, Device::Cpu))).collect();
        let one_by_one: Vec<Vec<String>> = feats.iter().map(|f| head.tag_mixed(f)).collect();
        assert_eq!(head.tag_many_mixed(&feats), one_by_one);
        assert_eq!(one_by_one.iter().map(Vec::len).collect::<Vec<_>>(), vec![5, 0, 17, 1, 9, 17]);
    }
}
