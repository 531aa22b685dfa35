//! The model stage of ingest: one encoder pass per article (batched) gives its entities
//! and its document embedding.

use super::extract::Text;
use super::EntityExtractor;
use crate::encoder::EncodedText;
use crate::encoder::{Encoder, EncoderOptions, Precision, PrecisionChoice};
use crate::normalize::first_chars as cut;
use crate::runner::{Analyzer, Encoded, Prepared};
use std::path::Path;

/// Characters of an article given to the encoder (about 5,000 tokens): entities further
/// down are still found by the catalogue and knowledge-base matching of the full text.
const MAX_ENCODED_CHARS: usize = 20_000;

pub struct ArticleAnalyzer {
    pub encoder: Encoder,
    pub extractor: EntityExtractor,
    /// the head's layer mix, computed inside the encoder
    mix: Vec<(usize, f64)>,
    /// model worker threads for the runner (`None`: one per core up to two, then one per two cores)
    pub workers: Option<usize>,
}

impl ArticleAnalyzer {
    /// The encoder from `models_dir/e5-small` (fp32), the NER head from `head_dir` (the
    /// built-in one when `None`).
    pub fn load(models_dir: &Path, head_dir: Option<&Path>) -> crate::Result<Self> {
        let opts = EncoderOptions { precision: PrecisionChoice::Fixed(Precision::Fp32), ..Default::default() };
        Self::open(models_dir, head_dir, &opts)
    }

    /// Like [`ArticleAnalyzer::load`] with the encoder loaded with `opts`. The error names
    /// the file that is missing or does not load.
    pub fn open(models_dir: &Path, head_dir: Option<&Path>, opts: &EncoderOptions) -> crate::Result<Self> {
        let encoder = Encoder::open(&models_dir.join("e5-small"), opts)?;
        let extractor = EntityExtractor::load(head_dir)?;
        let mix = extractor.head.mix_weights();
        Ok(ArticleAnalyzer { encoder, extractor, mix, workers: None })
    }
}

/// The encoder pass of a batch: each document's title and body, and its encoding.
struct Pass {
    full: Vec<String>,
    outs: Vec<EncodedText>,
}

use crate::cores;

/// The default number of encoder workers on `cores` cores (see `Analyzer::workers`).
fn default_workers(cores: usize) -> usize {
    cores.min(2).max(cores / 2).max(1)
}

// SAFETY: after loading, the encoder's and the head's tensors are only read (inference
// under `no_grad`, no in-place operation on a weight), and libtorch's operators may run
// concurrently on shared read-only tensors. The ingest runner calls `encode` from its
// model workers' threads (one by default on one core, two on two or more), each on
// batches of its own.
unsafe impl Sync for ArticleAnalyzer {}

impl Analyzer for ArticleAnalyzer {
    /// One worker per core up to two, then one per two cores: two workers of one thread
    /// each wake no OpenMP team between operations and ran the whole French ingest 13-17%
    /// faster than one worker of two threads on 2-core machines (AMX Xeon, Zen 4), for
    /// 110-160 MB more; beyond two, each worker costs its memory again.
    fn workers(&self) -> usize {
        self.workers.unwrap_or_else(|| default_workers(cores()))
    }

    /// Shares the cores between the workers: libtorch's thread count is per calling
    /// thread (OpenMP and MKL keep it per thread).
    fn worker_init(&self, workers: usize) {
        crate::encoder::tch::set_num_threads((cores() / workers.max(1)).max(1) as i32);
        tracing::debug!(threads = crate::encoder::tch::get_num_threads(), "model worker");
    }

    fn encode(&self, docs: &[Prepared]) -> Encoded {
        let t = std::time::Instant::now();
        let full: Vec<String> = docs.iter().map(|p| format!("{}\n{}", p.doc.title, p.doc.body)).collect();
        // the encoder sees the start; catalogue and KB matching see everything
        let encoded: Vec<&str> =
            docs.iter().zip(&full).map(|(p, t)| &t[..p.doc.title.len() + 1 + cut(&p.doc.body, MAX_ENCODED_CHARS).len()]).collect();
        let outs = self.encoder.encode_mixed(&encoded, &self.mix);
        tracing::debug!(docs = docs.len(), ms = t.elapsed().as_millis() as u64, "model stage: encoder pass");
        Box::new(Pass { full, outs })
    }

    fn complete(&self, docs: &mut [Prepared], encoded: Encoded) {
        let t = std::time::Instant::now();
        let Pass { full, outs } = *encoded.downcast::<Pass>().expect("this analyser's own encoder pass");
        let inputs: Vec<Text<'_>> = docs
            .iter()
            .zip(&full)
            .zip(&outs)
            .map(|((p, full), enc)| {
                let encoded = &full[..p.doc.title.len() + 1 + cut(&p.doc.body, MAX_ENCODED_CHARS).len()];
                Text { encoded, full, title_len: p.doc.title.len(), enc }
            })
            .collect();
        let found = self.extractor.extract_many(&inputs);
        drop(inputs);
        for ((p, (entities, _mentions)), out) in docs.iter_mut().zip(found).zip(outs) {
            p.doc.entities = entities;
            // the index keeps f16: stories see the vector a later session reads back,
            // and `vigie enrich` lines (f16) give the stories a plain ingest gives
            p.embedding = Some(out.embedding.into_iter().map(|x| half::f16::from_f32(x).to_f32()).collect());
        }
        tracing::debug!(docs = docs.len(), ms = t.elapsed().as_millis() as u64, "model stage: entities");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::{CpuFeatures, EncoderOptions, Precision, PrecisionChoice};
    use std::collections::BTreeSet;
    use std::path::PathBuf;
    use vigie_schemas::EntityType;

    #[test]
    fn one_encoder_worker_per_core_up_to_two_then_one_per_two_cores() {
        let got: Vec<usize> = [0, 1, 2, 3, 4, 8, 16].into_iter().map(default_workers).collect();
        assert_eq!(got, vec![1, 1, 2, 2, 2, 4, 8]);
    }

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// The encoder as vigie finds it when `make` runs the tests (`VIGIE_MODELS`), else the
    /// checkout's `models/`, so that a bare `cargo test` after `make models` runs them too.
    fn models() -> Option<PathBuf> {
        let p = std::env::var_os("VIGIE_MODELS").map(PathBuf::from).unwrap_or_else(|| root().join("models"));
        if p.join("e5-small/model.safetensors").exists() {
            Some(p)
        } else {
            crate::testing::absent(&p, "run `make models`");
            None
        }
    }

    /// Real French and English news: the bundled samples and, when the shared data is
    /// beside the checkout, the first MasakhaNEWS dev articles of each language.
    fn articles() -> Vec<(String, String)> {
        let mut out = Vec::new();
        let samples = std::fs::read_to_string(root().join("data/samples/news-fr-en.jsonl")).expect("bundled samples");
        for line in samples.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("sample json");
            out.push((v["title"].as_str().unwrap_or("").to_string(), v["body"].as_str().unwrap_or("").to_string()));
        }
        for tsv in ["fra_dev.tsv", "eng_dev.tsv"] {
            let p = root().join("../shared/data/topics").join(tsv);
            let Ok(text) = std::fs::read_to_string(&p) else {
                crate::testing::absent(&p, "the shared data sets live beside the checkout; samples only");
                continue;
            };
            for line in text.lines().skip(1).take(4) {
                let cols: Vec<&str> = line.split('\t').collect();
                if cols.len() >= 3 {
                    out.push((cols[1].to_string(), cols[2].to_string()));
                }
            }
        }
        out
    }

    fn entities(an: &ArticleAnalyzer, docs: &[(String, String)]) -> (Vec<BTreeSet<String>>, Vec<Vec<f32>>) {
        let mut prepared: Vec<Prepared> = docs.iter().map(|(t, b)| Prepared::from_text("t", t, b)).collect();
        an.analyze(&mut prepared);
        let ids = prepared.iter().map(|p| p.doc.entities.iter().map(|e| e.id.0.clone()).collect()).collect();
        (ids, prepared.into_iter().map(|p| p.embedding.expect("embedding")).collect())
    }

    /// The precision `auto` picks on this CPU (and int8 where VNNI runs it natively)
    /// finds the entities fp32 finds on real articles: the same ids, article by article,
    /// but for at most one entity in all (bf16) or 2% of them, at least four (int8).
    #[test]
    fn each_precision_finds_the_fp32_entities() {
        let Some(models) = models() else { return };
        let docs = articles();
        let open = |p: Precision| {
            let opts = EncoderOptions { precision: PrecisionChoice::Fixed(p), ..Default::default() };
            ArticleAnalyzer::open(&models, None, &opts).unwrap()
        };
        let (want, want_emb) = entities(&open(Precision::Fp32), &docs);
        assert!(want.iter().map(|s| s.len()).sum::<usize>() > docs.len(), "fp32 finds entities: {want:?}");
        let cpu = CpuFeatures::detect();
        let mut precisions = vec![cpu.auto_precision()];
        if cpu.native_int8() && !precisions.contains(&Precision::Int8) {
            precisions.push(Precision::Int8);
        }
        for p in precisions.into_iter().filter(|&p| p != Precision::Fp32) {
            let (got, emb) = entities(&open(p), &docs);
            let differ: usize = want.iter().zip(&got).map(|(a, b)| a.symmetric_difference(b).count()).sum();
            let total: usize = want.iter().map(|s| s.len()).sum();
            // bf16 is lossless for this model; int8 may flip an entity at a boundary, and
            // one flipped boundary changes up to four ids ("Galip Dalay" split in two on an
            // AMX Xeon: the person, two pieces and a piece typed anew)
            let allowed = if p == Precision::Int8 { (total / 50).max(4) } else { 1 };
            assert!(differ <= allowed, "{p}: {differ} of {total} entities differ from fp32: {want:?} vs {got:?}");
            for (a, b) in want_emb.iter().zip(&emb) {
                let c: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                assert!(c > 0.99, "{p}: embedding cosine {c}");
            }
        }
    }

    /// The head built into the binary finds exactly the entities of the head directory
    /// it was built from, loaded from disk as `--ner-model data/models/ner` loads it.
    #[test]
    fn the_builtin_head_finds_the_entities_of_its_directory() {
        let Some(models) = models() else { return };
        let docs = articles();
        let opts = EncoderOptions { precision: PrecisionChoice::Fixed(Precision::Fp32), ..Default::default() };
        let builtin = entities(&ArticleAnalyzer::open(&models, None, &opts).unwrap(), &docs).0;
        let head = root().join("data/models/ner");
        let disk = entities(&ArticleAnalyzer::open(&models, Some(&head), &opts).unwrap(), &docs).0;
        assert!(builtin.iter().map(|s| s.len()).sum::<usize>() > docs.len(), "entities found: {builtin:?}");
        assert_eq!(builtin, disk);
    }

    /// The rust-bert reference and vigie's forward give the same entities in fp32.
    #[test]
    fn the_native_engine_finds_the_reference_entities() {
        let Some(models) = models() else { return };
        let docs: Vec<(String, String)> = articles().into_iter().take(6).collect();
        let fixed = PrecisionChoice::Fixed(Precision::Fp32);
        let native = ArticleAnalyzer::open(&models, None, &EncoderOptions { precision: fixed, ..Default::default() }).unwrap();
        let reference = ArticleAnalyzer::open(
            &models,
            None,
            &EncoderOptions { precision: fixed, engine: crate::encoder::Engine::RustBert, ..Default::default() },
        )
        .unwrap();
        assert_eq!(entities(&native, &docs).0, entities(&reference, &docs).0);
    }

    /// Realistic French and English articles through the real encoder and head: the
    /// short forms of names, company aliases, hyphenated places, initials, owners after
    /// "de"/"of", quantities and Reuters' legal forms end up as the issue asks.
    #[test]
    fn links_and_spans_on_realistic_articles() {
        let Some(models) = models() else { return };
        let an = ArticleAnalyzer::load(&models, None).unwrap();
        let docs = [
            (
                "SoftBank investit dans OpenAI",
                "Masayoshi Son a annoncé mardi un nouvel investissement dans OpenAI. Selon Masayoshi, le groupe japonais veut accélérer. \
                 Son a précisé que les centres de données seraient construits aux États-Unis avec une capacité de 200 MW.",
            ),
            (
                "Xi Jinping reçoit les patrons américains",
                "Le président chinois Xi Jinping a reçu jeudi à Pékin plusieurs dirigeants d'entreprises américaines. \
                 Xi a assuré que la Chine resterait ouverte aux investissements étrangers.",
            ),
            (
                "Ampere Computing lève des fonds",
                "Ampere Computing a annoncé une levée de fonds. Ampere veut concurrencer Intel et AMD dans les serveurs. \
                 La start-up Kyutai de Xavier Niel a dévoilé un modèle vocal. Le SSD de 1 To coûte 80 euros.",
            ),
            (
                "Kennedy archives released",
                "The National Archives released new files on John F. Kennedy on Tuesday. Kennedy was assassinated in Dallas in 1963. \
                 Researchers at the University of Texas said the files add little.",
            ),
            (
                "Nissan to raise output",
                "TOKYO, April 8 - Nissan Motor Co Ltd said it would raise output in the United States. \
                 The deal was delayed after Eon, British Gas and Scottish Power raised concerns, larger than BT and Virgin Media O2.",
            ),
        ];
        let mut prepared: Vec<Prepared> = docs.iter().map(|(t, b)| Prepared::from_text("t", t, b)).collect();
        an.analyze(&mut prepared);
        let ents: Vec<&Vec<vigie_schemas::Entity>> = prepared.iter().map(|p| &p.doc.entities).collect();
        let get = |d: usize, id: &str| ents[d].iter().find(|e| e.id.0 == id).unwrap_or_else(|| panic!("{id} in {:#?}", ents[d]));
        let surfaces = |d: usize| -> Vec<&str> { ents[d].iter().flat_map(|e| e.surface.iter().map(String::as_str)).collect() };
        // the given name alone is the person of the full name, not a person of its own
        let son = get(0, "person:masayoshi-son");
        assert!(son.surface.contains(&"Masayoshi".to_string()), "{son:?}");
        assert_eq!(ents[0].iter().filter(|e| e.kind == EntityType::Person).count(), 1, "{:#?}", ents[0]);
        // a hyphenated place whole, a quantity dropped
        assert_eq!(get(0, "location:united-states").surface, vec!["États-Unis"]);
        assert!(!surfaces(0).iter().any(|s| *s == "États" || s.contains("MW")), "{:#?}", ents[0]);
        // an East Asian name: family name first, alone later
        let xi = get(1, "person:xi-jinping");
        assert!(xi.surface.contains(&"Xi".to_string()) && xi.mentions == 3, "{xi:?}");
        // the company and its short name: one entity, one type; the owner split off
        let ampere: Vec<_> = ents[2].iter().filter(|e| e.name.contains("Ampere")).collect();
        assert_eq!(ampere.len(), 1, "{:#?}", ents[2]);
        assert_eq!((ampere[0].id.0.as_str(), ampere[0].kind, ampere[0].mentions), ("company:ampere-computing", EntityType::Company, 3));
        assert_eq!(get(2, "person:xavier-niel").surface, vec!["Xavier Niel"]);
        assert!(!surfaces(2).iter().any(|s| s.contains(" de ") || s.contains("To")), "{:#?}", ents[2]);
        // a name with an initial keeps its surname, and the surname alone links to it
        let jfk = get(3, "person:john-f-kennedy");
        assert!(jfk.surface.contains(&"John F. Kennedy".to_string()) && jfk.mentions == 3, "{jfk:?}");
        assert_eq!(ents[3].iter().filter(|e| e.kind == EntityType::Person).count(), 1, "{:#?}", ents[3]);
        // Reuters: the legal forms with their company, two companies joined at "and" apart
        let nissan = ents[4].iter().find(|e| e.surface.contains(&"Nissan Motor Co Ltd".to_string())).expect("nissan");
        // (the generated company lists may name "Nissan" alone as a company of its own)
        assert!(nissan.kind == EntityType::Company && !nissan.id.0.contains("ltd"), "{nissan:?}");
        let s4 = surfaces(4);
        for name in ["British Gas", "Scottish Power", "Virgin Media O2", "Eon", "BT"] {
            assert!(s4.contains(&name), "{name} in {s4:?}");
        }
        assert!(!s4.iter().any(|s| s.ends_with('.') || s.ends_with("and") || *s == "Ltd" || *s == "Co Ltd"), "{s4:?}");
    }
}
