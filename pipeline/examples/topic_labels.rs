//! Development tool: keywords of gold groups of articles, as topic labels would show
//! them, with and without the background of general news. Reads JSON lines with
//! `title`, `body`, `lang` and a `category` (else the `id` up to its first `-`).
//!
//! ```text
//! cargo run --release -p vigie-pipeline --example topic_labels -- FILE.jsonl [N]
//! ```

use std::collections::{BTreeMap, HashMap};
use vigie_pipeline::normalize::first_chars;
use vigie_pipeline::stories::content_words_with_forms;
use vigie_pipeline::topics::{Keywords, LabelDoc};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a JSON lines file");
    let n: usize = args.next().map_or(6, |s| s.parse().expect("a number"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    let mut docs = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let label = v["category"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| v["id"].as_str().unwrap_or("?").split('-').next().unwrap_or("?").to_string());
        let next = groups.len();
        let topic = *groups.entry(label).or_insert(next);
        let body = format!("{}\n{}", v["title"].as_str().unwrap_or(""), first_chars(v["body"].as_str().unwrap_or(""), 3000));
        docs.push(LabelDoc { topic, lang: v["lang"].as_str().unwrap_or("und").to_string(), words: content_words_with_forms(&body) });
    }
    let mut with = Keywords::new(groups.len());
    let mut without = Keywords::new(groups.len()).with_backgrounds(HashMap::new());
    for d in &docs {
        with.add(d);
        without.add(d);
    }
    let (w, wo) = (with.ranked(n), without.top(n));
    for (name, &t) in &groups {
        for (lang, ks) in &w[t] {
            let shown: Vec<String> = ks.iter().map(|k| format!("{}{}", k.word, if k.distinctive { "" } else { "*" })).collect();
            println!("{name}\t{lang}\tbackground: {}", shown.join(", "));
            println!("{name}\t{lang}\tcorpus only: {}", wo[t].get(lang).map(|v| v.join(", ")).unwrap_or_default());
        }
    }
}
