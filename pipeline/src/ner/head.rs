//! The head: a softmax-weighted mix of encoder layers, a BiLSTM over words, and a
//! linear layer to BIO tags. Weights in `ner-head.safetensors`, shape in `head.json`.

use super::tags::LABELS;
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

    pub fn save(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        self.vs.save(dir.join("ner-head.safetensors")).map_err(|e| format!("saving the head: {e}"))?;
        std::fs::write(dir.join("head.json"), serde_json::to_string_pretty(&self.cfg).expect("json"))
            .map_err(|e| format!("head.json: {e}"))
    }

    pub fn load(dir: &Path, device: Device) -> Result<Self, String> {
        let cfg: HeadConfig = serde_json::from_str(
            &std::fs::read_to_string(dir.join("head.json")).map_err(|e| format!("{}: {e}", dir.join("head.json").display()))?,
        )
        .map_err(|e| format!("head.json: {e}"))?;
        let mut h = NerHead::new(cfg, device);
        h.vs.load(dir.join("ner-head.safetensors")).map_err(|e| format!("{}: {e}", dir.join("ner-head.safetensors").display()))?;
        Ok(h)
    }

    /// The learned layer weights (for the model card).
    pub fn layer_weights(&self) -> Vec<(usize, f64)> {
        let w = Vec::<f32>::try_from(&self.mix.softmax(0, Kind::Float)).expect("float");
        self.cfg.layers.iter().copied().zip(w.into_iter().map(f64::from)).collect()
    }
}
