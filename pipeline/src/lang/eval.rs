//! `vigie eval lang`: accuracy per language and kind of sample on a directory laid out
//! as `<lang>/{sentences,single-words,word-pairs}.txt` (lingua's test data).

use super::LangDetector;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct LangEvalRow {
    pub lang: String,
    pub kind: String,
    pub samples: usize,
    pub correct: usize,
    pub undetermined: usize,
    pub accuracy: f64,
    /// false for languages outside the allowlist (they can only be wrong or `und`).
    pub in_allowlist: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LangEvalReport {
    pub rows: Vec<LangEvalRow>,
    /// Misclassified samples (lang, kind, text, answer, method), when asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<(String, String, String, String, String)>,
    pub seconds: f64,
}

/// Scores the detector on every `<lang>/<kind>.txt` under `dir`.
pub fn eval_langid(dir: &Path, det: &LangDetector, allow: &[String], keep_errors: bool) -> std::io::Result<LangEvalReport> {
    let t = std::time::Instant::now();
    let mut langs: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok()).filter(|e| e.path().is_dir()).collect();
    langs.sort_by_key(|e| e.file_name());
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for l in langs {
        let lang = l.file_name().to_string_lossy().to_string();
        for kind in ["sentences", "word-pairs", "single-words"] {
            let p = l.path().join(format!("{kind}.txt"));
            let Ok(text) = std::fs::read_to_string(&p) else { continue };
            let (mut n, mut ok, mut und) = (0, 0, 0);
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                n += 1;
                let d = det.detect_text(line, None);
                if d.lang.as_str() == lang {
                    ok += 1;
                } else {
                    if d.lang.is_und() {
                        und += 1;
                    }
                    if keep_errors && allow.contains(&lang) {
                        errors.push((lang.clone(), kind.to_string(), line.to_string(), d.lang.0.clone(), d.method.to_string()));
                    }
                }
            }
            rows.push(LangEvalRow {
                in_allowlist: allow.contains(&lang),
                accuracy: if n == 0 { 0.0 } else { ok as f64 / n as f64 },
                lang: lang.clone(),
                kind: kind.to_string(),
                samples: n,
                correct: ok,
                undetermined: und,
            });
        }
    }
    Ok(LangEvalReport { rows, errors, seconds: t.elapsed().as_secs_f64() })
}
