//! Training the head on cached encoder features (the encoder stays frozen, so every
//! sentence is encoded once), keeping the epoch with the best dev F1(PER, ORG, LOC).

use super::data::Sentence;
use super::features::sentence_features;
use super::head::{HeadConfig, NerHead};
use super::score::{score, NerScores};
use super::tags::label_id;
use crate::encoder::Encoder;
use serde::Serialize;
use std::path::Path;
use tch::nn::OptimizerConfig;
use tch::{Device, Tensor};

#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    pub seed: u64,
    pub head: HeadConfig,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig { epochs: 6, batch: 32, lr: 2e-3, seed: 13, head: HeadConfig::default() }
    }
}

#[derive(Debug, Serialize)]
pub struct TrainReport {
    pub train_sentences: usize,
    pub best_epoch: usize,
    /// per dev set name: scores of the kept epoch
    pub dev: Vec<(String, NerScores)>,
    pub layer_weights: Vec<(usize, f64)>,
    pub encode_seconds: f64,
    pub train_seconds: f64,
}

/// A padded batch: features `[B, T, L, H]` and labels `[B, T]` (-100 on padding).
fn batch(feats: &[&Tensor], labels: &[&[i64]]) -> (Tensor, Tensor) {
    let t = feats.iter().map(|f| f.size()[0]).max().unwrap_or(1).max(1);
    let xs: Vec<Tensor> = feats.iter().map(|f| f.constant_pad_nd([0, 0, 0, 0, 0, t - f.size()[0]])).collect();
    let ys: Vec<Tensor> = labels
        .iter()
        .map(|l| {
            let mut v = l.to_vec();
            v.resize(t as usize, -100);
            Tensor::from_slice(&v)
        })
        .collect();
    (Tensor::stack(&xs, 0), Tensor::stack(&ys, 0))
}

/// Tags every sentence with the head.
pub fn predict(head: &NerHead, feats: &[Tensor]) -> Vec<Vec<String>> {
    feats.iter().map(|f| head.tag(f)).collect()
}

/// The best epoch so far: dev F1, epoch, and the scores per set.
type Best = (f64, usize, Vec<(String, NerScores)>);

/// Encodes, trains, evaluates each epoch on the dev sets, saves the best head to `out`.
pub fn train(
    encoder: &Encoder,
    train_set: &[Sentence],
    dev_sets: &[(String, Vec<Sentence>)],
    cfg: &TrainConfig,
    out: &Path,
    progress: &mut dyn FnMut(&str),
) -> crate::Result<TrainReport> {
    tch::manual_seed(cfg.seed as i64);
    let t0 = std::time::Instant::now();
    let encode = |sents: &[Sentence], what: &str, progress: &mut dyn FnMut(&str)| -> Vec<Tensor> {
        let mut out = Vec::with_capacity(sents.len());
        for (i, chunk) in sents.chunks(512).enumerate() {
            let words: Vec<Vec<String>> = chunk.iter().map(|s| s.words.clone()).collect();
            out.extend(sentence_features(encoder, &words, &cfg.head.layers));
            progress(&format!("encoding {what}: {}/{}", (i * 512 + chunk.len()), sents.len()));
        }
        out
    };
    let train_feats = encode(train_set, "train", progress);
    let train_labels: Vec<Vec<i64>> = train_set.iter().map(|s| s.tags.iter().map(|t| label_id(t)).collect()).collect();
    let dev_feats: Vec<Vec<Tensor>> = dev_sets.iter().map(|(n, s)| encode(s, n, progress)).collect();
    let encode_seconds = t0.elapsed().as_secs_f64();

    let t1 = std::time::Instant::now();
    let head = NerHead::new(cfg.head.clone(), Device::Cpu);
    let mut opt = tch::nn::Adam::default().build(&head.vs, cfg.lr)?;
    let mut rng = crate::rng::Lcg(cfg.seed);
    // (dev F1, epoch, per-set scores) of the best epoch so far
    let mut best: Option<Best> = None;
    let n = train_feats.len();
    let steps_per_epoch = n.div_ceil(cfg.batch);
    let total_steps = (steps_per_epoch * cfg.epochs) as f64;
    let mut step = 0usize;
    for epoch in 1..=cfg.epochs {
        // shuffle, then sort within pools of 50 batches by length (less padding)
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for pool in order.chunks_mut(cfg.batch * 50) {
            pool.sort_by_key(|&i| train_feats[i].size()[0]);
        }
        let mut batches: Vec<&[usize]> = order.chunks(cfg.batch).collect();
        for i in (1..batches.len()).rev() {
            batches.swap(i, rng.below(i + 1));
        }
        let mut loss_sum = 0.0;
        for (b, idx) in batches.iter().enumerate() {
            // linear decay to a tenth of the rate
            opt.set_lr(cfg.lr * (1.0 - 0.9 * step as f64 / total_steps));
            step += 1;
            let f: Vec<&Tensor> = idx.iter().map(|&i| &train_feats[i]).collect();
            let l: Vec<&[i64]> = idx.iter().map(|&i| train_labels[i].as_slice()).collect();
            let (x, y) = batch(&f, &l);
            let logits = head.forward_t(&x, true);
            let loss = logits.view([-1, cfg.head.labels.len() as i64]).cross_entropy_loss::<Tensor>(
                &y.view([-1]),
                None,
                tch::Reduction::Mean,
                -100,
                0.0,
            );
            opt.backward_step_clip(&loss, 5.0);
            loss_sum += loss.double_value(&[]);
            if b % 50 == 0 {
                progress(&format!("epoch {epoch}/{}: batch {b}/{} loss {:.4}", cfg.epochs, batches.len(), loss_sum / (b + 1) as f64));
            }
        }
        let mut scores = Vec::new();
        let mut mean = 0.0;
        for ((name, sents), feats) in dev_sets.iter().zip(&dev_feats) {
            let gold: Vec<Vec<String>> = sents.iter().map(|s| s.tags.clone()).collect();
            let s = score(&gold, &predict(&head, feats));
            mean += s.f1_per_org_loc / dev_sets.len() as f64;
            scores.push((name.clone(), s));
        }
        let summary: Vec<String> = scores.iter().map(|(n, s)| format!("{n} {:.4}", s.f1_per_org_loc)).collect();
        progress(&format!("epoch {epoch}: loss {:.4}, dev F1(PER,ORG,LOC) {}", loss_sum / batches.len() as f64, summary.join(", ")));
        if best.as_ref().is_none_or(|(b, _, _)| mean > *b) {
            head.save(out)?;
            best = Some((mean, epoch, scores));
        }
    }
    let (_, best_epoch, dev) = best.ok_or_else(|| crate::Error::Config("no epoch ran: train for at least one epoch".into()))?;
    let kept = NerHead::load(out, Device::Cpu)?;
    Ok(TrainReport {
        train_sentences: n,
        best_epoch,
        dev,
        layer_weights: kept.layer_weights(),
        encode_seconds,
        train_seconds: t1.elapsed().as_secs_f64(),
    })
}
