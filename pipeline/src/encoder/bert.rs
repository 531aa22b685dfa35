//! A BERT forward written over tch, for inference only. Against rust-bert's `BertModel`
//! it keeps no per-layer copies of the hidden states, fuses Q/K/V into one product, runs
//! attention as plain batched products in the products' kind, stops at the last layer a
//! caller needs, and computes its linear layers in fp32 (oneDNN), bf16 or int8.

use super::Precision;
use crate::{Error, ModelError, Result};
use std::collections::HashMap;
use std::path::Path;
use tch::{Device, Kind, Tensor};

/// One linear layer in the chosen precision.
enum Linear {
    /// `[out, in]` weights in the activation kind (f32 or bf16) and the bias
    Dense { w: Tensor, b: Tensor },
    /// f32 through oneDNN (`[out, in]` weights; MKL's f32 GEMM is 1.6x slower on the AMD
    /// CPUs of this project's machines)
    OneDnn { w: Tensor, b: Tensor, out: i64 },
    /// `[in, out]` int8 weights with one f32 scale per output channel
    Int8 { wt: Tensor, scale: Tensor, b: Tensor, out: i64 },
}

impl Linear {
    fn new(w: Tensor, b: Tensor, precision: Precision) -> Self {
        match precision {
            Precision::Fp32 if tch::utils::has_mkldnn() => {
                let out = w.size()[0];
                Linear::OneDnn { w, b, out }
            }
            Precision::Fp32 => Linear::Dense { w, b },
            Precision::Bf16 => Linear::Dense { w: w.to_kind(Kind::BFloat16), b: b.to_kind(Kind::BFloat16) },
            Precision::Int8 => {
                // symmetric per output channel: the rows of a [out, in] weight
                let scale = (w.abs().amax([1].as_slice(), true) / 127.0).clamp_min(1e-12);
                let q = (&w / &scale).round().clamp(-127, 127).to_kind(Kind::Int8);
                let out = w.size()[0];
                Linear::Int8 { wt: q.tr().contiguous(), scale: scale.view([1, out]), b, out }
            }
        }
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        match self {
            Linear::OneDnn { w, b, out } => {
                let size = x.size();
                let inner = size[size.len() - 1];
                let y = x
                    .reshape([-1, inner])
                    .f_to_mkldnn(None)
                    .expect("a dense f32 tensor converts to oneDNN's layout")
                    .mkldnn_linear(w, Some(b))
                    .to_dense(None, false);
                let mut shape = size.clone();
                *shape.last_mut().expect("a linear input has dimensions") = *out;
                y.view(shape.as_slice())
            }
            Linear::Dense { w, b } => x.to_kind(w.kind()).linear(w, Some(b)),
            Linear::Int8 { wt, scale, b, out } => {
                let size = x.size();
                let inner = size[size.len() - 1];
                let x2 = x.reshape([-1, inner]);
                let m = x2.size()[0];
                // per-token (row) activation scales: per-tensor scales lose too much
                // (token cosine 0.80 against fp32)
                let sx = (x2.abs().amax([1].as_slice(), true) / 127.0).clamp_min(1e-12);
                let mut q = (&x2 / &sx).round().clamp(-127, 127).to_kind(Kind::Int8);
                // libtorch's int8 product wants more than 16 rows
                if m <= 16 {
                    q = q.constant_pad_nd([0, 0, 0, 17 - m]);
                }
                let acc = q.internal_int_mm(wt).narrow(0, 0, m);
                let y = acc.to_kind(Kind::Float) * sx * scale + b;
                let mut shape = size.clone();
                *shape.last_mut().expect("a linear input has dimensions") = *out;
                y.view(shape.as_slice())
            }
        }
    }
}

struct Norm {
    w: Tensor,
    b: Tensor,
}

struct Layer {
    qkv: Linear,
    ao: Linear,
    aln: Norm,
    fi: Linear,
    fo: Linear,
    oln: Norm,
}

/// Feed-forward neurons taken out of each layer (structured pruning): the kept neurons
/// and, for the dropped ones, their mean activation over calibration texts, which the
/// layer's output bias absorbs.
#[derive(Debug, Clone, Default)]
pub struct FfnPrune {
    pub layers: Vec<FfnLayerPrune>,
}

#[derive(Debug, Clone, Default)]
pub struct FfnLayerPrune {
    pub keep: Vec<i64>,
    pub drop: Vec<i64>,
    pub drop_mean: Vec<f32>,
}

/// Per layer, the feed-forward neurons from least to most important and every neuron's
/// mean activation, as `ffn_rank` writes them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FfnRanking {
    pub layers: Vec<FfnLayerRanking>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FfnLayerRanking {
    /// neuron ids, least important first
    pub order: Vec<u32>,
    /// mean activation (after GELU) of each neuron, by id
    pub mean: Vec<f32>,
}

impl FfnRanking {
    /// The plan that drops the `fraction` (0 to 1) least important neurons of every layer
    /// (of the layers listed in `layers`, 1-based; all when empty). The error says what is
    /// wrong with the fraction or the ranking (a layer whose order is no permutation of its
    /// neurons).
    pub fn plan(&self, fraction: f64, layers: &[usize]) -> std::result::Result<FfnPrune, String> {
        if !(0.0..=1.0).contains(&fraction) {
            return Err(format!("the fraction of neurons dropped must be between 0 and 1, not {fraction}"));
        }
        let mut out = Vec::with_capacity(self.layers.len());
        for (i, l) in self.layers.iter().enumerate() {
            let mut seen = vec![false; l.mean.len()];
            if l.order.len() != l.mean.len()
                || !l.order.iter().all(|&j| seen.get_mut(j as usize).is_some_and(|s| !std::mem::replace(s, true)))
            {
                return Err(format!("layer {}: the order is not a permutation of its {} neurons", i + 1, l.mean.len()));
            }
            let n = if layers.is_empty() || layers.contains(&(i + 1)) { (l.order.len() as f64 * fraction).round() as usize } else { 0 };
            let mut drop: Vec<i64> = l.order[..n].iter().map(|&x| i64::from(x)).collect();
            drop.sort_unstable();
            let mut keep: Vec<i64> = l.order[n..].iter().map(|&x| i64::from(x)).collect();
            keep.sort_unstable();
            let drop_mean = drop.iter().map(|&j| l.mean[j as usize]).collect();
            out.push(FfnLayerPrune { keep, drop, drop_mean });
        }
        Ok(FfnPrune { layers: out })
    }
}

/// What one batch yields: the token states asked for and the pooled embedding.
pub struct BatchOut {
    /// `[B, taps, T, H]` f32: the requested layers, or one mixed layer
    pub states: Option<Tensor>,
    /// `[B', H]` f32 mean-pooled states of the embedding layer for the requested rows
    pub pooled: Option<Tensor>,
}

/// Which token states to keep.
pub enum Taps<'a> {
    None,
    /// each of these 1-based layers apart
    Layers(&'a [usize]),
    /// one weighted sum of these layers (the NER head's learned mix, computed here so
    /// that only one `[T, H]` array per window leaves the encoder)
    Mix(&'a [(usize, f64)]),
}

impl<'a> Taps<'a> {
    /// The states of `layers`, or none when the list is empty.
    pub fn of(layers: &'a [usize]) -> Self {
        if layers.is_empty() {
            Taps::None
        } else {
            Taps::Layers(layers)
        }
    }

    fn deepest(&self) -> usize {
        match self {
            Taps::None => 0,
            Taps::Layers(l) => l.iter().copied().max().unwrap_or(0),
            Taps::Mix(m) => m.iter().map(|x| x.0).max().unwrap_or(0),
        }
    }
}

pub struct Bert {
    word: Tensor,
    pos: Tensor,
    typ: Tensor,
    eln: Norm,
    layers: Vec<Layer>,
    heads: i64,
    hidden: i64,
    eps: f64,
    kind: Kind,
    device: Device,
}

impl Bert {
    /// Loads the first `layers` layers of `model.safetensors` (Hugging Face `BertModel`
    /// names), `heads` attention heads each, with the feed-forward neurons `prune` drops
    /// (when given) taken out.
    pub fn load(
        weights: &Path,
        layers: usize,
        heads: usize,
        eps: f64,
        precision: Precision,
        device: Device,
        prune: Option<&FfnPrune>,
    ) -> Result<Self> {
        let all: HashMap<String, Tensor> = Tensor::read_safetensors(weights).map_err(|e| Error::model(weights, e))?.into_iter().collect();
        let kind = if precision == Precision::Bf16 { Kind::BFloat16 } else { Kind::Float };
        let get = |name: &str| -> Result<Tensor> {
            all.get(name)
                .map(|t| t.to_kind(Kind::Float).to(device))
                .ok_or_else(|| Error::model(weights, ModelError::MissingTensor(name.to_string())))
        };
        let norm = |p: &str| -> Result<Norm> { Ok(Norm { w: get(&format!("{p}.weight"))?, b: get(&format!("{p}.bias"))? }) };
        let lin = |p: &str| -> Result<Linear> { Ok(Linear::new(get(&format!("{p}.weight"))?, get(&format!("{p}.bias"))?, precision)) };
        let mut ls = Vec::with_capacity(layers);
        for i in 0..layers {
            let p = format!("encoder.layer.{i}");
            let w = Tensor::cat(
                &[
                    get(&format!("{p}.attention.self.query.weight"))?,
                    get(&format!("{p}.attention.self.key.weight"))?,
                    get(&format!("{p}.attention.self.value.weight"))?,
                ],
                0,
            );
            let b = Tensor::cat(
                &[
                    get(&format!("{p}.attention.self.query.bias"))?,
                    get(&format!("{p}.attention.self.key.bias"))?,
                    get(&format!("{p}.attention.self.value.bias"))?,
                ],
                0,
            );
            let (mut fi_w, mut fi_b) = (get(&format!("{p}.intermediate.dense.weight"))?, get(&format!("{p}.intermediate.dense.bias"))?);
            let (mut fo_w, mut fo_b) = (get(&format!("{p}.output.dense.weight"))?, get(&format!("{p}.output.dense.bias"))?);
            if let Some(plan) = prune.and_then(|p| p.layers.get(i)) {
                let ff = fi_w.size()[0];
                if (plan.keep.len() + plan.drop.len()) as i64 != ff {
                    let why =
                        format!("layer {}: the pruning plan has {} neurons, the model {ff}", i + 1, plan.keep.len() + plan.drop.len());
                    return Err(Error::Config(why));
                }
                // a dropped neuron's output is replaced by its mean over the calibration
                // texts, folded into the output bias
                if !plan.drop.is_empty() {
                    let drop = Tensor::from_slice(&plan.drop).to(device);
                    let mean = Tensor::from_slice(&plan.drop_mean).to(device);
                    fo_b += fo_w.index_select(1, &drop).mv(&mean);
                    let keep = Tensor::from_slice(&plan.keep).to(device);
                    fi_w = fi_w.index_select(0, &keep);
                    fi_b = fi_b.index_select(0, &keep);
                    fo_w = fo_w.index_select(1, &keep).contiguous();
                }
            }
            ls.push(Layer {
                qkv: Linear::new(w, b, precision),
                ao: lin(&format!("{p}.attention.output.dense"))?,
                aln: norm(&format!("{p}.attention.output.LayerNorm"))?,
                fi: Linear::new(fi_w, fi_b, precision),
                fo: Linear::new(fo_w, fo_b, precision),
                oln: norm(&format!("{p}.output.LayerNorm"))?,
            });
        }
        let word = get("embeddings.word_embeddings.weight")?;
        let hidden = word.size()[1];
        Ok(Bert {
            word,
            pos: get("embeddings.position_embeddings.weight")?,
            typ: get("embeddings.token_type_embeddings.weight")?,
            eln: norm("embeddings.LayerNorm")?,
            layers: ls,
            heads: heads as i64,
            hidden,
            eps,
            kind,
            device,
        })
    }

    pub fn num_layers(&self) -> usize {
        self.layers.len()
    }

    fn norm(&self, x: &Tensor, n: &Norm) -> Tensor {
        x.layer_norm([self.hidden].as_slice(), Some(&n.w), Some(&n.b), self.eps, false)
    }

    /// The normalized input embeddings of `[B, T]` token ids (word, position, segment 0).
    fn embed(&self, ids: &Tensor) -> Tensor {
        let t = ids.size()[1];
        let positions = Tensor::arange(t, (Kind::Int64, self.device)).unsqueeze(0);
        let x = Tensor::embedding(&self.word, ids, -1, false, false)
            + Tensor::embedding(&self.pos, &positions, -1, false, false)
            + self.typ.get(0);
        self.norm(&x, &self.eln)
    }

    /// The `[B, 1, 1, T]` additive attention mask of a `[B, T]` mask (1 for tokens).
    fn additive_mask(&self, mask: &Tensor) -> Tensor {
        let (b, t) = (mask.size()[0], mask.size()[1]);
        ((mask.to_kind(Kind::Float) - 1.0) * 1e4).to_kind(self.kind).view([b, 1, 1, t])
    }

    /// One encoder layer over `[B, T, H]` f32 states with a `[B, 1, 1, T]` additive mask (0 for
    /// tokens, a large negative number for padding; `None` for a batch without padding).
    fn layer(&self, l: &Layer, x: &Tensor, mask: Option<&Tensor>) -> Tensor {
        self.layer_ffn(l, x, mask).0
    }

    /// [`Bert::layer`] and its feed-forward activations (after GELU).
    fn layer_ffn(&self, l: &Layer, x: &Tensor, mask: Option<&Tensor>) -> (Tensor, Tensor) {
        let size = x.size();
        let (b, t) = (size[0], size[1]);
        let d = self.hidden / self.heads;
        let qkv = l.qkv.forward(x).view([b, t, 3, self.heads, d]).permute([2, 0, 3, 1, 4]);
        // attention as plain batched products in the activation kind: libtorch's fused
        // CPU attention computes bf16 blocks through fp32 GEMMs (MKL, slow on AMD) and
        // was 20-25% slower here; the scale goes on q (T/D times fewer values than on
        // the scores) and the mask is added, not filled
        let q = qkv.get(0) * (1.0 / (d as f64).sqrt());
        let mut scores = q.matmul(&qkv.get(1).transpose(-1, -2));
        if let Some(mask) = mask {
            let _ = scores.g_add_(mask);
        }
        let ctx = scores.softmax(-1, self.kind).matmul(&qkv.get(2));
        let ctx = ctx.transpose(1, 2).reshape([b, t, self.hidden]);
        // the residual stream and the norms stay in f32 whatever the precision: in bf16
        // they moved topic clusters by 1.8 NMI points on the French dev set
        let a = self.norm(&(l.ao.forward(&ctx).to_kind(Kind::Float) + x), &l.aln);
        let f = l.fi.forward(&a).gelu("none");
        let y = self.norm(&(l.fo.forward(&f).to_kind(Kind::Float) + &a), &l.oln);
        (y, f)
    }

    /// Each layer's feed-forward activations over the real tokens of a `[B, T]` batch:
    /// per layer the `[FF]` sums and sums of squares (f64), for [`FfnPrune`] plans.
    pub fn ffn_moments(&self, ids: &Tensor, mask: &Tensor) -> Vec<(Tensor, Tensor)> {
        tch::no_grad(|| {
            let ids = ids.to(self.device);
            let mask = mask.to(self.device);
            let mut x = self.embed(&ids);
            let attn = self.additive_mask(&mask);
            let real = mask.view([-1]).nonzero().view([-1]);
            let mut out = Vec::with_capacity(self.layers.len());
            for l in &self.layers {
                let (y, f) = self.layer_ffn(l, &x, Some(&attn));
                let ff = f.size()[2];
                let f = f.to_kind(Kind::Double).view([-1, ff]).index_select(0, &real);
                out.push((
                    f.sum_dim_intlist([0].as_slice(), false, Kind::Double),
                    f.square().sum_dim_intlist([0].as_slice(), false, Kind::Double),
                ));
                x = y;
            }
            out
        })
    }

    /// Runs `[B, T]` token ids (`mask` 1 for tokens, 0 for padding) through the layers
    /// `taps` needs and, when `pool` is given, up to layer `pool.0` for the rows
    /// `pool.1` (all rows when `None`), whose masked mean is returned.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor, taps: &Taps<'_>, pool: Option<(usize, Option<&[i64]>)>) -> BatchOut {
        tch::no_grad(|| {
            let ids = ids.to(self.device);
            let mask = mask.to(self.device);
            let mut x = self.embed(&ids);
            // long texts come in full windows: no mask to add to every layer's scores then
            let padded = mask.min().int64_value(&[]) == 0;
            let attn = padded.then(|| self.additive_mask(&mask));
            let deepest = taps.deepest();
            let pool_layer = pool.map(|p| p.0.min(self.layers.len())).unwrap_or(0);
            let shared = match pool {
                // rows apart: the shared pass stops at the deepest tap
                Some((_, Some(_))) => deepest,
                _ => deepest.max(pool_layer),
            };
            let mut kept: Vec<Tensor> = Vec::new();
            let mut mixed: Option<Tensor> = None;
            let mut pooled = None;
            let mean = |x: &Tensor, m: &Tensor| {
                let m = m.unsqueeze(-1).to_kind(Kind::Float);
                (x.to_kind(Kind::Float) * &m).sum_dim_intlist(1, false, Kind::Float) / m.sum_dim_intlist(1, false, Kind::Float)
            };
            for (i, l) in self.layers.iter().enumerate().take(shared) {
                x = self.layer(l, &x, attn.as_ref());
                let n = i + 1;
                match taps {
                    Taps::None => {}
                    Taps::Layers(ls) => {
                        if ls.contains(&n) {
                            kept.push(x.to_kind(Kind::Float));
                        }
                    }
                    Taps::Mix(ws) => {
                        for &(_, w) in ws.iter().filter(|(k, _)| *k == n) {
                            let term = x.to_kind(Kind::Float) * w;
                            mixed = Some(match mixed.take() {
                                Some(acc) => acc + term,
                                None => term,
                            });
                        }
                    }
                }
                if pool.is_some_and(|p| p.1.is_none()) && n == pool_layer {
                    pooled = Some(mean(&x, &mask));
                }
            }
            if let Some((_, Some(rows))) = pool {
                if !rows.is_empty() {
                    let idx = Tensor::from_slice(rows).to(self.device);
                    let mut y = x.index_select(0, &idx);
                    let m = mask.index_select(0, &idx);
                    let a = attn.as_ref().map(|a| a.index_select(0, &idx));
                    for l in self.layers.iter().take(pool_layer).skip(shared) {
                        y = self.layer(l, &y, a.as_ref());
                    }
                    pooled = Some(mean(&y, &m));
                }
            }
            let states = match taps {
                Taps::None => None,
                Taps::Layers(ls) => {
                    // in the order asked, not the order computed
                    let mut order: Vec<usize> = ls.to_vec();
                    order.sort_unstable();
                    order.dedup();
                    let picked: Vec<Tensor> =
                        ls.iter().map(|l| kept[order.iter().position(|x| x == l).expect("tapped")].shallow_clone()).collect();
                    Some(Tensor::stack(&picked, 1))
                }
                Taps::Mix(_) => mixed.map(|m| m.unsqueeze(1)),
            };
            BatchOut { states: states.map(|s| s.to(Device::Cpu)), pooled: pooled.map(|p| p.to(Device::Cpu)) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_plans_refuse_bad_fractions_and_rankings() {
        let layer = |order: Vec<u32>| FfnLayerRanking { order, mean: vec![0.5, 1.0, 1.5, 2.0] };
        let ok = FfnRanking { layers: vec![layer(vec![2, 0, 3, 1]), layer(vec![1, 2, 3, 0])] };
        let p = ok.plan(0.5, &[]).unwrap();
        assert_eq!(
            (p.layers[0].drop.clone(), p.layers[0].keep.clone(), p.layers[0].drop_mean.clone()),
            (vec![0, 2], vec![1, 3], vec![0.5, 1.5])
        );
        // only the listed layers lose neurons
        let p = ok.plan(0.5, &[2]).unwrap();
        assert!(p.layers[0].drop.is_empty() && p.layers[1].drop == vec![1, 2]);
        for f in [-0.1, 1.5, f64::NAN] {
            assert!(ok.plan(f, &[]).unwrap_err().contains("between 0 and 1"), "{f}");
        }
        for order in [vec![0, 1, 2], vec![0, 1, 2, 9], vec![0, 1, 1, 2]] {
            let bad = FfnRanking { layers: vec![layer(order.clone())] };
            assert!(bad.plan(0.5, &[]).unwrap_err().contains("not a permutation"), "{order:?}");
        }
    }
}
