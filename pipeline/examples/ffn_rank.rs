//! Ranks the encoder's feed-forward neurons for structured pruning: runs calibration texts
//! that no evaluation uses (Lingua's French and English sentences, CoNLL-2003 English train
//! documents, HIPE-2020 French dev pages) through the fp32 encoder and ranks each layer's
//! neurons by the variance of their contribution to the layer's output,
//! `Var(gelu(a_j)) * |W_out[:, j]|^2` (a neuron that barely varies is replaced by its mean,
//! folded into the output bias, at little cost).
//!
//!   cargo run --release -p vigie-pipeline --example ffn_rank -- SHARED_DATA MODELS_DIR OUT.json
use std::path::Path;
use tch::{Kind, Tensor};
use vigie_pipeline::encoder::{Encoder, FfnLayerRanking, FfnRanking};

fn chunks(lines: impl Iterator<Item = String>, words: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for l in lines {
        let l = l.trim();
        if l.is_empty() {
            continue;
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(l);
        if cur.split_whitespace().count() >= words {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Documents of a CoNLL-U (or HIPE TSV) file as text: the first column of token lines,
/// joined, cut at `words`.
fn token_file(path: &Path, words: usize) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("calibration file");
    let toks = text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|l| {
        let cols: Vec<&str> = l.split('\t').collect();
        let t = if cols.len() > 1 && cols[0].chars().all(|c| c.is_ascii_digit()) { cols[1] } else { cols[0] };
        (t != "TOKEN" && !t.starts_with("-DOCSTART-")).then(|| t.to_string())
    });
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    for t in toks {
        cur.push(t);
        if cur.len() >= words {
            out.push(cur.join(" "));
            cur.clear();
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (shared, models, out) = (Path::new(&args[1]), Path::new(&args[2]), &args[3]);
    let limit: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(600);
    let enc = Encoder::load(models, tch::Device::Cpu).expect("encoder");
    let read = |p: &str| std::fs::read_to_string(shared.join(p)).expect("calibration file");
    let mut texts = Vec::new();
    for lang in ["fr", "en"] {
        texts.extend(chunks(read(&format!("langid/{lang}/sentences.txt")).lines().map(String::from), 150));
    }
    texts.extend(token_file(&shared.join("ner/HIPE-data-v1.4-dev-fr.tsv"), 180).into_iter().take(limit / 3));
    texts.extend(token_file(&shared.join("ner/conll_en_train.conllu"), 180).into_iter().take(limit / 3));
    eprintln!("ffn_rank: {} calibration texts", texts.len());
    let mut acc: Vec<(Tensor, Tensor)> = Vec::new();
    let mut tokens = 0i64;
    for batch in texts.chunks(8) {
        let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
        let (m, n) = enc.ffn_moments(&refs).expect("native engine");
        tokens += n;
        if acc.is_empty() {
            acc = m;
        } else {
            for (a, b) in acc.iter_mut().zip(m) {
                a.0 += b.0;
                a.1 += b.1;
            }
        }
    }
    eprintln!("ffn_rank: {tokens} tokens");
    let weights = Tensor::read_safetensors(models.join("model.safetensors")).expect("weights");
    let get = |name: &str| weights.iter().find(|(n, _)| n == name).map(|(_, t)| t.to_kind(Kind::Double)).expect("tensor");
    let mut layers = Vec::new();
    for (i, (sum, sumsq)) in acc.iter().enumerate() {
        let mean = sum / tokens as f64;
        let var = (sumsq / tokens as f64 - mean.square()).clamp_min(0.0);
        let wnorm = get(&format!("encoder.layer.{i}.output.dense.weight")).square().sum_dim_intlist([0].as_slice(), false, Kind::Double);
        let score = var * wnorm;
        let order: Vec<i64> = Vec::try_from(&score.argsort(0, false)).expect("ids");
        let mean: Vec<f64> = Vec::try_from(&mean).expect("means");
        let total: f64 = score.sum(Kind::Double).double_value(&[]);
        let sorted: Vec<f64> = Vec::try_from(&score.sort(0, false).0).expect("scores");
        let part = |f: f64| sorted[..(sorted.len() as f64 * f) as usize].iter().sum::<f64>() / total;
        eprintln!(
            "layer {:2}: share of output variance in the lowest 25% {:.4}, 33% {:.4}, 50% {:.4}",
            i + 1,
            part(0.25),
            part(0.33),
            part(0.5)
        );
        layers.push(FfnLayerRanking { order: order.iter().map(|&x| x as u32).collect(), mean: mean.iter().map(|&x| x as f32).collect() });
    }
    std::fs::write(out, serde_json::to_string(&FfnRanking { layers }).expect("json")).expect("write ranking");
}
