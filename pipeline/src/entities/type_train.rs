//! Training the mention-type classifier by distant supervision: organization spans of
//! NER training sentences whose name the knowledge bases list as a company (label 1) or
//! as an organization, or whose words make it an institution (label 0); features from
//! the encoder with the NER head's layer mix ([`super::span_features`]); names are held
//! out whole (every fifth name by hash), so that the held-out score is on unseen names.

use super::companies::CompanyKb;
use super::kb::Kb;
use super::mention_type::{cues, span_features, sport_sentence, Cue, TypeClassifier, CONTEXT_TOKENS};
use crate::encoder::Encoder;
use crate::ner::{decode_spans, join_words, Sentence};
use serde::Serialize;
use tch::nn::OptimizerConfig;
use tch::{Kind, Tensor};
use vigie_schemas::EntityType;

#[derive(Debug, Clone)]
pub struct TypeTrainConfig {
    pub epochs: usize,
    pub lr: f64,
    pub weight_decay: f64,
    pub seed: u64,
    /// at most this many examples of one name (frequent names would dominate)
    pub per_name: usize,
    pub company_at: f32,
    pub organization_at: f32,
    pub acronym_company_at: f32,
}

impl Default for TypeTrainConfig {
    fn default() -> Self {
        TypeTrainConfig {
            epochs: 300,
            lr: 1e-2,
            weight_decay: 1e-2,
            seed: 13,
            per_name: 20,
            company_at: 0.9,
            organization_at: 0.2,
            acronym_company_at: 0.9,
        }
    }
}

#[derive(Debug, Serialize, Default)]
pub struct HeldOut {
    pub examples: usize,
    pub companies: usize,
    pub accuracy: f64,
    /// at the 0.5 threshold
    pub company_precision: f64,
    pub company_recall: f64,
    /// share of held-out examples the thresholds decide, and the accuracy on those
    pub decided: f64,
    pub decided_accuracy: f64,
}

#[derive(Debug, Serialize)]
pub struct TypeTrainReport {
    pub sentences_read: usize,
    pub examples: usize,
    pub companies: usize,
    pub names: usize,
    pub train_examples: usize,
    pub held_out: HeldOut,
    pub encode_seconds: f64,
}

/// The distant label of an organization name, or `None` when the lists do not tell.
pub fn distant_label(name: &str, kb: &Kb, listed: &CompanyKb) -> Option<bool> {
    if let Some(e) = kb.lookup(name) {
        return match e.kind {
            EntityType::Company => Some(true),
            EntityType::Organization => Some(false),
            _ => None,
        };
    }
    if let Some((e, common)) = listed.lookup(name) {
        return (!common).then_some(e.kind == EntityType::Company);
    }
    if cues(name, 0, name.len(), name, listed).contains(&Cue::OrgName) {
        return Some(false);
    }
    None
}

fn hash(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

/// Builds the examples, trains, scores the held-out names.
pub fn train_type_classifier(
    encoder: &Encoder,
    mix: &[(usize, f64)],
    sentences: &[Sentence],
    cfg: &TypeTrainConfig,
    progress: &mut dyn FnMut(&str),
) -> crate::Result<(TypeClassifier, TypeTrainReport)> {
    let kb = Kb::try_builtin()?;
    let listed = CompanyKb::try_builtin()?;
    // (sentence, word span, label, name key)
    let mut wanted: Vec<(usize, usize, usize, bool, String)> = Vec::new();
    let mut per_name: std::collections::HashMap<String, usize> = Default::default();
    for (si, s) in sentences.iter().enumerate() {
        // clubs and federations: the unlisted organizations of a sentence about sport
        let sport = sport_sentence(&s.words);
        let (text, offsets) = join_words(&s.words);
        for span in decode_spans(&s.tags).into_iter().filter(|sp| sp.kind == "ORG") {
            let name = s.words[span.start..span.end].join(" ");
            // unlisted names: what the sentence says of them (a legal form, "shares of X",
            // "le régulateur X"), else sport
            let said = || {
                let c = cues(&text, offsets[span.start].0, offsets[span.end - 1].1, &name, &listed);
                let org = c.iter().any(|c| matches!(c, Cue::OrgName | Cue::OrgContext));
                let company = c.iter().any(|c| matches!(c, Cue::LegalForm | Cue::CompanyContext | Cue::CompanyName));
                if org == company {
                    sport.then_some(false)
                } else {
                    Some(company)
                }
            };
            let Some(label) = distant_label(&name, &kb, &listed).or_else(said) else { continue };
            let key = listed.key(&name);
            let n = per_name.entry(key.clone()).or_insert(0);
            if *n >= cfg.per_name {
                continue;
            }
            *n += 1;
            wanted.push((si, span.start, span.end, label, key));
        }
    }
    progress(&format!("{} labelled organization mentions of {} names", wanted.len(), per_name.len()));
    let t0 = std::time::Instant::now();
    let mut rows: Vec<(Vec<f32>, bool, bool)> = Vec::with_capacity(wanted.len());
    let mut of_sentence: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, w) in wanted.iter().enumerate() {
        of_sentence.entry(w.0).or_default().push(i);
    }
    let by_sentence: Vec<usize> = of_sentence.keys().copied().collect();
    for (ci, chunk) in by_sentence.chunks(256).enumerate() {
        let joined: Vec<(String, Vec<(usize, usize)>)> = chunk.iter().map(|&i| join_words(&sentences[i].words)).collect();
        let texts: Vec<&str> = joined.iter().map(|(t, _)| t.as_str()).collect();
        let outs = tch::no_grad(|| encoder.encode_mixed(&texts, mix));
        for ((&si, (_, spans)), out) in chunk.iter().zip(&joined).zip(&outs) {
            let Some(states) = &out.token_states else { continue };
            for w in of_sentence[&si].iter().map(|&i| &wanted[i]) {
                let (a, b) = (spans[w.1].0, spans[w.2 - 1].1);
                if let Some(x) = span_features(states, &out.encoding, a, b, CONTEXT_TOKENS) {
                    rows.push((x, w.3, hash(&w.4).is_multiple_of(5)));
                }
            }
        }
        progress(&format!("encoding: {}/{} sentences", (ci * 256 + chunk.len()).min(by_sentence.len()), by_sentence.len()));
    }
    let encode_seconds = t0.elapsed().as_secs_f64();
    let dim = rows.first().map(|r| r.0.len()).ok_or_else(|| crate::Error::Config("no labelled organization mention in the data".into()))?;
    let (train, held): (Vec<_>, Vec<_>) = rows.iter().partition(|r| !r.2);
    let to_x = |rs: &[&(Vec<f32>, bool, bool)]| {
        let flat: Vec<f32> = rs.iter().flat_map(|r| r.0.iter().copied()).collect();
        Tensor::from_slice(&flat).view([rs.len() as i64, dim as i64])
    };
    let to_y = |rs: &[&(Vec<f32>, bool, bool)]| Tensor::from_slice(&rs.iter().map(|r| if r.1 { 1f32 } else { 0f32 }).collect::<Vec<_>>());
    let (x, y) = (to_x(&train), to_y(&train));
    let mean = x.mean_dim(0, false, Kind::Float);
    let std = x.std_dim(0, true, false) + 1e-4;
    let xn = (&x - &mean) / &std;
    tch::manual_seed(cfg.seed as i64);
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let w = vs.root().zeros("w", &[dim as i64]);
    let b = vs.root().zeros("b", &[1]);
    let mut opt = tch::nn::AdamW { wd: cfg.weight_decay, ..Default::default() }.build(&vs, cfg.lr)?;
    // classes weighted to balance
    let pos = y.sum(Kind::Float).double_value(&[]).max(1.0);
    let neg = (y.size()[0] as f64 - pos).max(1.0);
    let weight = &y * (y.size()[0] as f64 / (2.0 * pos)) + (1.0 - &y) * (y.size()[0] as f64 / (2.0 * neg));
    for epoch in 0..cfg.epochs {
        let z = xn.matmul(&w) + &b;
        let loss = z.binary_cross_entropy_with_logits::<&Tensor>(&y, Some(&weight), None, tch::Reduction::Mean);
        opt.backward_step(&loss);
        if epoch % 50 == 0 {
            progress(&format!("epoch {epoch}: loss {:.4}", loss.double_value(&[])));
        }
    }
    let c = TypeClassifier {
        context_tokens: CONTEXT_TOKENS,
        mean: Vec::<f32>::try_from(&mean)?,
        std: Vec::<f32>::try_from(&std)?,
        weights: Vec::<f32>::try_from(&w.detach())?,
        bias: b.double_value(&[0]) as f32,
        company_at: cfg.company_at,
        organization_at: cfg.organization_at,
        acronym_company_at: cfg.acronym_company_at,
    };
    let mut h = HeldOut { examples: held.len(), ..Default::default() };
    let (mut tp, mut fp, mut fn_, mut ok, mut decided, mut decided_ok) = (0, 0, 0, 0, 0, 0);
    for r in &held {
        let p = c.prob(&r.0).unwrap_or(0.5);
        let (said, truth) = (p >= 0.5, r.1);
        h.companies += truth as usize;
        ok += (said == truth) as usize;
        tp += (said && truth) as usize;
        fp += (said && !truth) as usize;
        fn_ += (!said && truth) as usize;
        if p >= c.company_at || p <= c.organization_at {
            decided += 1;
            decided_ok += ((p >= c.company_at) == truth) as usize;
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    h.accuracy = ratio(ok, held.len());
    h.company_precision = ratio(tp, tp + fp);
    h.company_recall = ratio(tp, tp + fn_);
    h.decided = ratio(decided, held.len());
    h.decided_accuracy = ratio(decided_ok, decided);
    let report = TypeTrainReport {
        sentences_read: sentences.len(),
        examples: rows.len(),
        companies: rows.iter().filter(|r| r.1).count(),
        names: per_name.len(),
        train_examples: train.len(),
        held_out: h,
        encode_seconds,
    };
    Ok((c, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The distant labels come from the lists and institution words; ordinary words and
    /// names nobody lists stay unlabelled.
    #[test]
    fn distant_labels() {
        let (kb, listed) = (Kb::builtin(), CompanyKb::builtin());
        assert_eq!(distant_label("Nvidia", &kb, &listed), Some(true));
        assert_eq!(distant_label("Ubisoft", &kb, &listed), Some(true));
        assert_eq!(distant_label("European Commission", &kb, &listed), Some(false));
        assert_eq!(distant_label("Ministry of Finance", &kb, &listed), Some(false));
        assert_eq!(distant_label("Target", &kb, &listed), None);
        assert_eq!(distant_label("Zorblax", &kb, &listed), None);
    }
}
