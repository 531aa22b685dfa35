//! `enriched.v1` lines: the stateless half of an ingest written out by `vigie enrich`
//! and read back by `vigie ingest --enriched`, which then runs the ordered stages
//! (existing ids, dedup, stories, topics, commit) with no model.
//!
//! A line depends on its record alone, so the work can be split anywhere (Spark
//! partitions) and the ordered stage gives the documents a plain ingest gives.

use crate::dedup::{Signature, NUM_HASHES};
use crate::ingest::lines::for_each_record;
use crate::ingest::{io_reason, list_files, Input, MAX_RECORD_BYTES};
use crate::lang::{to_lingua, LangDecision};
use crate::reject::Reject;
use crate::runner::Prepared;
use crate::stories::title_terms;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use std::io::BufRead;
use std::path::PathBuf;
use vigie_schemas::{
    DedupSignature, Document, EnrichedDocument, EnrichedLine, EnrichedReject, Lang, LanguageDecision, LanguageVote, Origin, ENRICHED_V1,
};

/// The length of a document embedding: the encoder's output (multilingual-e5-small),
/// the length of the committed language means that stories centre embeddings with.
pub const EMBEDDING_DIM: usize = 384;

/// The line of an enriched document.
pub fn document_line(p: &Prepared) -> EnrichedLine {
    let d = &p.doc;
    let doc = EnrichedDocument {
        id: d.id.clone(),
        title: d.title.clone(),
        body: d.body.clone(),
        url: d.url.clone(),
        source: d.source.clone(),
        published: d.published,
        published_raw: d.published_raw.clone(),
        author: d.author.clone(),
        lang_hint: d.lang_hint.clone(),
        origin: d.origin.clone(),
        language: LanguageDecision {
            lang: p.lang.lang.clone(),
            confidence: p.lang.confidence,
            method: p.lang.method.to_string(),
            sure: p.lang.sure,
            prose: p.lang.prose,
            votes: p.lang.votes.iter().map(|(l, w)| LanguageVote { lang: l.iso_code_639_1().to_string(), weight: *w }).collect(),
        },
        signature: DedupSignature {
            body_hash: format!("{:016x}", p.signature.body_hash),
            shingles: p.signature.shingles,
            mins: B64.encode(p.signature.mins.iter().flat_map(|m| m.to_le_bytes()).collect::<Vec<u8>>()),
        },
        entities: d.entities.clone(),
        embedding: p
            .embedding
            .as_ref()
            .map(|e| B64.encode(e.iter().flat_map(|x| half::f16::from_f32(*x).to_le_bytes()).collect::<Vec<u8>>())),
    };
    EnrichedLine { schema: ENRICHED_V1.into(), document: Some(Box::new(doc)), reject: None }
}

/// The line of a rejected record.
pub fn reject_line(r: &Reject) -> EnrichedLine {
    let reject = EnrichedReject { file: r.file.clone(), line: r.line, reason: r.reason.clone(), record: r.record.clone() };
    EnrichedLine { schema: ENRICHED_V1.into(), document: None, reject: Some(reject) }
}

/// The method names the detector uses (a decision keeps a `&'static str`).
fn method_name(m: &str) -> &'static str {
    const KNOWN: [&str; 9] =
        ["none", "too-short", "function-words", "whatlang", "lingua", "lingua+whatlang", "lingua+whatlang+hint", "votes+source", "hint"];
    KNOWN.into_iter().find(|k| *k == m).unwrap_or("enriched")
}

/// An enriched line read back: the document ready for the ordered stage, or the reject
/// it carries; a line that is not `enriched.v1` is rejected at `origin`.
pub fn decode(origin: &Origin, line: &str) -> Result<Prepared, Reject> {
    let bad = |reason: String| Reject::new(origin, reason, Some(line));
    let parsed: EnrichedLine = serde_json::from_str(line).map_err(|e| bad(format!("invalid enriched line: {e}")))?;
    if parsed.schema != ENRICHED_V1 {
        return Err(bad(format!("unsupported schema {:?} (this vigie reads {ENRICHED_V1})", parsed.schema)));
    }
    match (parsed.document, parsed.reject) {
        (Some(doc), None) => from_document(*doc).map_err(bad),
        (None, Some(r)) => Err(Reject { file: r.file, line: r.line, reason: r.reason, record: r.record }),
        _ => Err(bad("an enriched line holds exactly one of \"document\" and \"reject\"".into())),
    }
}

fn from_document(e: EnrichedDocument) -> Result<Prepared, String> {
    let mins_bytes = B64.decode(&e.signature.mins).map_err(|err| format!("signature.mins: {err}"))?;
    if mins_bytes.len() != NUM_HASHES * 4 {
        return Err(format!("signature.mins: {} bytes, expected {}", mins_bytes.len(), NUM_HASHES * 4));
    }
    let mut mins = [0u32; NUM_HASHES];
    for (m, c) in mins.iter_mut().zip(mins_bytes.chunks_exact(4)) {
        *m = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    let body_hash = u64::from_str_radix(&e.signature.body_hash, 16).map_err(|err| format!("signature.body_hash: {err}"))?;
    let embedding = match &e.embedding {
        None => None,
        Some(b) => {
            let bytes = B64.decode(b).map_err(|err| format!("embedding: {err}"))?;
            if bytes.len() % 2 != 0 || bytes.is_empty() {
                return Err(format!("embedding: {} bytes is not a vector of f16", bytes.len()));
            }
            // stories and topics compare it with the encoder's vectors: another length
            // would be silently cut short (or centred with no language mean)
            if bytes.len() != EMBEDDING_DIM * 2 {
                return Err(format!("embedding: {} values, expected {EMBEDDING_DIM} (the encoder's dimension)", bytes.len() / 2));
            }
            let v: Vec<f32> = bytes.chunks_exact(2).map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32()).collect();
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(format!("embedding: value {i} is not finite ({})", v[i]));
            }
            Some(v)
        }
    };
    let l = &e.language;
    let mut votes = Vec::with_capacity(l.votes.len());
    for v in &l.votes {
        let lang = to_lingua(&v.lang).ok_or_else(|| format!("language.votes: unsupported language {:?}", v.lang))?;
        votes.push((lang, v.weight));
    }
    let lang = LangDecision {
        lang: l.lang.clone(),
        confidence: l.confidence,
        method: method_name(&l.method),
        sure: l.sure,
        prose: l.prose,
        votes,
    };
    let doc = Document {
        id: e.id,
        title: e.title,
        body: e.body,
        url: e.url,
        source: e.source,
        published: e.published,
        published_raw: e.published_raw,
        author: e.author,
        lang: if l.lang.0.is_empty() { Lang::und() } else { l.lang.clone() },
        lang_confidence: l.confidence,
        lang_hint: e.lang_hint,
        dup_of: None,
        story_id: None,
        topic_id: None,
        entities: e.entities,
        ingested_at: chrono::Utc::now(),
        origin: e.origin,
    };
    let title_terms = title_terms(&doc.title);
    Ok(Prepared { doc, signature: Signature { body_hash, shingles: e.signature.shingles, mins }, lang, embedding, title_terms })
}

/// One line of an enriched input: where it is, and its text (or why it could not be
/// read).
pub type RawLine = (Origin, Result<String, String>);

/// Reads the lines of enriched inputs in order: files, directories (their files in
/// sorted order, hidden ones skipped: Spark's `part-*` files come in partition order)
/// and stdin; blank lines are skipped. `emit` returns false to stop.
pub fn read_lines(input: &Input, skip: &[PathBuf], emit: &mut dyn FnMut(RawLine) -> bool) -> bool {
    match input {
        Input::Stdin => {
            let stdin = std::io::stdin();
            read_stream("-", stdin.lock(), emit)
        }
        Input::Bytes { name, bytes } | Input::Lines { name, bytes, .. } => read_stream(name, &bytes[..], emit),
        Input::Path(p) => {
            if !p.exists() {
                return emit((Origin { file: p.display().to_string(), line: None }, Err("cannot read: no such file or directory".into())));
            }
            for file in list_files(std::slice::from_ref(p), skip) {
                let name = file.display().to_string();
                let go_on = match std::fs::File::open(&file) {
                    Ok(f) => read_stream(&name, std::io::BufReader::with_capacity(256 * 1024, f), emit),
                    Err(e) => emit((Origin { file: name, line: None }, Err(format!("cannot read: {}", io_reason(&e))))),
                };
                if !go_on {
                    return false;
                }
            }
            true
        }
    }
}

fn read_stream<R: BufRead>(name: &str, r: R, emit: &mut dyn FnMut(RawLine) -> bool) -> bool {
    let mut go_on = true;
    let read = for_each_record(r, MAX_RECORD_BYTES, &mut |n, rec| {
        go_on = emit((Origin { file: name.into(), line: Some(n) }, rec.map(str::to_string).map_err(|(reason, _)| reason)));
        go_on
    });
    match read {
        Ok(()) => go_on,
        Err(e) => emit((Origin { file: name.into(), line: None }, Err(format!("read error: {}", io_reason(&e))))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::{Dedup, DedupConfig};
    use crate::lang::{LangConfig, LangDetector};
    use crate::normalize::Normalizer;
    use crate::reject::RejectLog;
    use crate::runner::{run, Mode, RunConfig, Sink, Stages};
    use std::sync::atomic::AtomicBool;
    use vigie_schemas::{DocId, Entity, EntityType};

    fn detector() -> LangDetector {
        LangDetector::new(&LangConfig::default()).unwrap()
    }

    fn article(id: &str, title: &str, body: &str) -> String {
        serde_json::json!({"id": id, "title": title, "body": body, "source": "Le Fil", "published": "2025-02-10T06:30:00Z"}).to_string()
    }

    const BODY: &str = "Le groupe américain Nvidia a annoncé lundi la livraison de ses premiers processeurs Blackwell aux \
        centres de données du projet Stargate, au Texas, selon un communiqué publié par la société.";

    /// Every line the run handed over, documents and rejects, in order.
    #[derive(Default)]
    struct Lines(Vec<EnrichedLine>);

    impl Sink for Lines {
        fn contains(&mut self, _id: &DocId) -> crate::Result<bool> {
            Ok(false)
        }
        fn add(&mut self, p: &Prepared) -> crate::Result<()> {
            self.0.push(document_line(p));
            Ok(())
        }
        fn reject(&mut self, r: &Reject) -> crate::Result<bool> {
            self.0.push(reject_line(r));
            Ok(true)
        }
    }

    fn enrich(text: &str, workers: usize) -> Vec<EnrichedLine> {
        let normalizer = Normalizer::default();
        let lang = detector();
        let stages = Stages { normalizer: &normalizer, lang: &lang };
        let cfg = RunConfig { mode: Mode::Enrich, workers, channel_capacity: 4, ..RunConfig::default() };
        let dir = tempfile::tempdir().unwrap();
        let mut rejects = RejectLog::new(dir.path().join("rejects.jsonl"));
        let mut sink = Lines::default();
        let inputs = [Input::Bytes { name: "in.jsonl".into(), bytes: text.as_bytes().to_vec() }];
        let mut dedup = Dedup::new(DedupConfig::default());
        run(&inputs, &cfg, &stages, None, None, &mut dedup, &mut sink, &mut rejects, &mut (), &AtomicBool::new(false)).unwrap();
        assert!(!dir.path().join("rejects.jsonl").exists(), "rejects go in line");
        sink.0
    }

    /// One line per record in input order, rejects among the documents; copies are not
    /// marked (that is the ordered stage's work) and no line depends on another.
    #[test]
    fn enrich_writes_one_line_per_record_in_input_order() {
        let mut text = String::new();
        for i in 0..30 {
            if i == 11 {
                text.push_str("{\"title\": \"torn\n");
            }
            text.push_str(&article(&format!("a{i}"), &format!("Nvidia livre ses puces ({i})"), &format!("{BODY} Lot {i}.")));
            text.push('\n');
        }
        text.push_str(&article("copy", "Nvidia livre ses puces (0)", &format!("{BODY} Lot 0.")));
        let lines = enrich(&text, 4);
        assert_eq!(lines.len(), 32);
        let kinds: Vec<String> = lines
            .iter()
            .map(|l| match (&l.document, &l.reject) {
                (Some(d), None) => d.id.0.clone(),
                (None, Some(r)) => format!("reject@{}", r.line.unwrap()),
                _ => panic!("one of the two"),
            })
            .collect();
        let mut want: Vec<String> = (0..30).map(|i| format!("a{i}")).collect();
        want.insert(11, "reject@12".into());
        want.push("copy".into());
        assert_eq!(kinds, want);
        assert!(lines.iter().all(|l| l.schema == ENRICHED_V1));
        let copy = lines[31].document.as_ref().unwrap();
        assert_eq!(copy.language.lang.as_str(), "fr");
        assert!(copy.language.sure && !copy.language.votes.is_empty(), "{:?}", copy.language);
        // the same record alone gives the same line but for its origin
        let alone = enrich(&article("copy", "Nvidia livre ses puces (0)", &format!("{BODY} Lot 0.")), 1);
        let mut a = alone[0].document.clone().unwrap();
        a.origin = copy.origin.clone();
        assert_eq!(&a, copy);
    }

    /// A line read back is the document that was written, entities, embedding (to f16)
    /// and signature included; a reject line comes back as that reject.
    #[test]
    fn lines_read_back_as_written() {
        let normalizer = Normalizer::default();
        let lang = detector();
        let stages = Stages { normalizer: &normalizer, lang: &lang };
        let o = Origin { file: "in.jsonl".into(), line: Some(3) };
        let item = crate::ingest::RawItem::ok(o.clone(), serde_json::from_str(&article("a1", "Nvidia livre", BODY)).unwrap());
        let mut p = stages.prepare(item).unwrap();
        p.doc.entities.push(Entity {
            id: "company:nvidia".into(),
            kind: EntityType::Company,
            name: "Nvidia".into(),
            surface: vec!["Nvidia".into()],
            mentions: 1,
            in_title: true,
            wikidata: None,
        });
        let emb: Vec<f32> = (0..EMBEDDING_DIM).map(|i| [0.6, -0.8, 0.0, 0.001][i % 4]).collect();
        p.embedding = Some(emb.clone());
        let line = serde_json::to_string(&document_line(&p)).unwrap();
        let back = decode(&o, &line).unwrap();
        assert_eq!(back.doc.id, p.doc.id);
        assert_eq!(
            (back.doc.lang.clone(), back.doc.entities.clone(), back.doc.published),
            (p.lang.lang.clone(), p.doc.entities.clone(), p.doc.published)
        );
        assert_eq!(back.signature, p.signature);
        assert_eq!((back.lang.sure, back.lang.prose, back.lang.votes.clone()), (p.lang.sure, p.lang.prose, p.lang.votes.clone()));
        assert_eq!(back.title_terms, p.title_terms);
        let e = back.embedding.unwrap();
        assert_eq!(e.len(), EMBEDDING_DIM);
        assert!(e.iter().zip(&emb).all(|(a, b)| (a - b).abs() < 1e-3), "{e:?}");
        let r = Reject::new(&o, "invalid json: eof", Some("{\"title\""));
        let back =
            decode(&Origin { file: "part-00001".into(), line: Some(9) }, &serde_json::to_string(&reject_line(&r)).unwrap()).unwrap_err();
        assert_eq!((back.file.as_str(), back.line, back.reason.as_str()), ("in.jsonl", Some(3), "invalid json: eof"));
    }

    /// What is not an `enriched.v1` line is a reject naming the line and why.
    #[test]
    fn bad_lines_are_rejects_with_their_reason() {
        let o = Origin { file: "parts/part-00000".into(), line: Some(7) };
        let normalizer = Normalizer::default();
        let lang = detector();
        let stages = Stages { normalizer: &normalizer, lang: &lang };
        let item = crate::ingest::RawItem::ok(o.clone(), serde_json::from_str(&article("a1", "Nvidia livre", BODY)).unwrap());
        let good: serde_json::Value = serde_json::to_value(document_line(&stages.prepare(item).unwrap())).unwrap();
        let with = |path: &[&str], v: serde_json::Value| {
            let mut g = good.clone();
            let mut at = &mut g;
            for k in &path[..path.len() - 1] {
                at = &mut at[*k];
            }
            at[path[path.len() - 1]] = v;
            g.to_string()
        };
        // f16 vectors: 384 values but one, 383, 385, and one infinite or NaN value
        let f16s = |n: usize, bad: Option<u16>| {
            let mut b: Vec<u8> = (0..n).flat_map(|_| half::f16::from_f32(0.05).to_le_bytes()).collect();
            if let Some(x) = bad {
                b[20..22].copy_from_slice(&x.to_le_bytes());
            }
            serde_json::Value::from(B64.encode(b))
        };
        let cases = [
            ("{\"schema\":", "invalid enriched line"),
            (&with(&["schema"], "enriched.v9".into()), "unsupported schema \"enriched.v9\""),
            (&with(&["reject"], serde_json::json!({"file": "x", "reason": "r"})), "exactly one of"),
            (&with(&["document", "signature", "mins"], "AAAA".into()), "signature.mins: 3 bytes"),
            (&with(&["document", "signature", "body_hash"], "zz".into()), "signature.body_hash"),
            (&with(&["document", "embedding"], "!!".into()), "embedding:"),
            (&with(&["document", "embedding"], "AAAAfA==".into()), "embedding: 2 values, expected 384"),
            (&with(&["document", "embedding"], f16s(383, None)), "embedding: 383 values, expected 384"),
            (&with(&["document", "embedding"], f16s(385, None)), "embedding: 385 values, expected 384"),
            (&with(&["document", "embedding"], "AAAA".into()), "embedding: 3 bytes is not a vector of f16"),
            (&with(&["document", "embedding"], f16s(384, Some(0x7c00))), "embedding: value 10 is not finite (inf)"),
            (&with(&["document", "embedding"], f16s(384, Some(0xfc00))), "embedding: value 10 is not finite (-inf)"),
            (&with(&["document", "embedding"], f16s(384, Some(0x7e00))), "embedding: value 10 is not finite (NaN)"),
            (&with(&["document", "language", "votes"], serde_json::json!([{"lang": "xx", "weight": 1.0}])), "unsupported language"),
        ];
        for (line, want) in cases {
            let r = decode(&o, line).map(|_| ()).unwrap_err();
            assert!(r.reason.contains(want), "{want}: {}", r.reason);
            assert_eq!(r.location(), "parts/part-00000:7");
        }
    }

    /// The expected length is the one the story stage centres embeddings with.
    #[test]
    fn the_embedding_length_is_the_language_means_length() {
        let prior = crate::stories::default_prior();
        assert!(!prior.is_empty() && prior.values().all(|m| m.len() == EMBEDDING_DIM));
    }

    /// A directory of part files is read in file-name order, hidden files and blank
    /// lines skipped; a missing path is one error.
    #[test]
    fn part_files_are_read_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("part-00001"), "b1\n\nb2\n").unwrap();
        std::fs::write(dir.path().join("part-00000"), "a1\n").unwrap();
        std::fs::write(dir.path().join(".part-00000.crc"), "junk\n").unwrap();
        std::fs::write(dir.path().join("_SUCCESS"), "").unwrap();
        let mut got = Vec::new();
        assert!(read_lines(&Input::Path(dir.path().to_path_buf()), &[], &mut |(o, l)| {
            got.push((o.file.rsplit('/').next().unwrap().to_string(), o.line.unwrap(), l.unwrap()));
            true
        }));
        let want = [("part-00000", 1, "a1"), ("part-00001", 1, "b1"), ("part-00001", 3, "b2")];
        assert_eq!(got, want.map(|(f, n, l)| (f.to_string(), n, l.to_string())));
        let mut errs = Vec::new();
        read_lines(&Input::Path(dir.path().join("nope")), &[], &mut |(_, l)| {
            errs.push(l.unwrap_err());
            true
        });
        assert_eq!(errs, ["cannot read: no such file or directory"]);
    }
}
