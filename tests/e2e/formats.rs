//! Every input format, from the bundled samples and from files written here.

use crate::common::{samples, write, Vigie};
use std::io::Write;
use std::process::Stdio;

fn titles(v: &Vigie, query: &str) -> Vec<String> {
    v.json_lines(&["search", query, "--json", "--limit", "100"]).iter().map(|h| h["title"].as_str().unwrap().to_string()).collect()
}

#[test]
fn every_sample_format_is_ingested_with_its_fields() {
    let v = Vigie::new();
    let s = v.ingest(&[&samples()]);
    assert_eq!(s["rejected"], 0, "{s}");
    // 6 jsonl + 3 rss + 2 atom + 2 rdf + 3 digest + 1 html + 1 text
    assert_eq!(s["read"], 18, "{s}");
    assert_eq!(s["indexed"], 18);
    assert_eq!(s["duplicates"], 1, "the syndicated Stargate copy");
    assert_eq!(s["by_lang"]["fr"], 11);
    assert_eq!(s["by_lang"]["en"], 7);

    // RSS 2.0: HTML description to text, entities decoded, tracking params dropped from the id
    let hits = v.json_lines(&["search", "renégocient", "--json"]);
    assert_eq!(hits.len(), 1);
    let doc = v.json(&["show", hits[0]["id"].as_str().unwrap(), "--json"]);
    assert_eq!(doc["source"], "Exemple Tech");
    assert_eq!(doc["lang"], "fr");
    assert_eq!(doc["published"], "2025-10-28T13:05:00Z");
    assert!(doc["body"].as_str().unwrap().contains("27 % de la nouvelle société"), "{doc}");
    assert!(!doc["body"].as_str().unwrap().contains("Lire la suite"), "boilerplate dropped");
    assert!(!doc["body"].as_str().unwrap().contains('<'), "no markup left");

    // Atom (type="html" title) and RSS 1.0/RDF
    assert_eq!(titles(&v, "vera rubin"), vec!["Nvidia\u{2019}s GTC: Blackwell Ultra and Vera Rubin roadmap"]);
    assert_eq!(titles(&v, "hbm4"), vec!["SK Hynix ships first HBM4 samples to Nvidia"]);

    // digest: header lines read as metadata, a bullet inside a word is not a separator
    let hits = v.json_lines(&["search", "deepseek", "--json"]);
    let doc = v.json(&["show", hits[0]["id"].as_str().unwrap(), "--json"]);
    assert_eq!(doc["source"], "Exemple Actu");
    assert_eq!(doc["published"], "2025-01-27T00:00:00Z");
    assert_eq!(doc["url"], "https://exemple-actu.fr/tech/deepseek-r1");
    assert!(doc["body"].as_str().unwrap().contains("abonné•e•s"));
    let colossus = v.json_lines(&["search", "colossus", "--json"]);
    let doc = v.json(&["show", colossus[0]["id"].as_str().unwrap(), "--json"]);
    assert!(!doc["body"].as_str().unwrap().contains("Il reste 88%"), "paywall line dropped");

    // HTML page: title from og:title, navigation, share bar, aside and footer dropped
    let hits = v.json_lines(&["search", "fouju", "--json"]);
    let doc = v.json(&["show", hits[0]["id"].as_str().unwrap(), "--json"]);
    assert_eq!(doc["title"], "Le campus IA de Fouju : les détails du projet");
    assert_eq!(doc["url"], "https://exemple-actu.fr/tech/campus-ia-fouju");
    let body = doc["body"].as_str().unwrap();
    for gone in ["Accueil", "Partager", "cookies", "À lire aussi", "Tous droits"] {
        assert!(!body.contains(gone), "{gone:?} left in {body}");
    }
    assert!(body.starts_with("À la veille du sommet"), "{body}");

    // plain text: first line is the title
    assert_eq!(titles(&v, "ampere"), vec!["SoftBank prend le contrôle d'Ampere Computing pour 6,5 milliards de dollars"]);

    // jsonl: the input id is the document id, French written dates parse
    let doc = v.json(&["show", "sample-stargate-fr", "--json"]);
    assert_eq!(doc["published"], "2025-01-22T00:00:00Z");
    assert_eq!(doc["author"], "Claire Martin");
    let amd = v.json_lines(&["search", "MI355X", "--json"]);
    assert_eq!(amd[0]["published"], "2025-06-12T19:45:00Z");
    let syn = v.json(&["show", "sample-stargate-en-syndicated", "--json"]);
    assert_eq!(syn["dup_of"], "sample-stargate-en");
}

#[test]
fn reingesting_stores_each_article_once() {
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    let again = v.ingest(&[&samples()]);
    assert_eq!(again["indexed"], 0, "{again}");
    assert_eq!(again["existing"], 18);
    let stats = v.json(&["stats", "--json"]);
    assert_eq!(stats["documents"], 18);
    assert_eq!(stats["duplicates"], 1);
}

#[test]
fn stdin_and_forced_formats() {
    let v = Vigie::new();
    let digest = std::fs::read(samples().join("lecteur-export.txt")).unwrap();
    let mut child = v.cmd().args(["ingest", "-", "--json", "--quiet"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(&digest).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["indexed"], 3, "digest sniffed on stdin: {s}");

    // --format text on a digest file: one article, not three
    let v2 = Vigie::new();
    let s = v2.json(&["ingest", "--format", "text", "--json", "--quiet", samples().join("lecteur-export.txt").to_str().unwrap()]);
    assert_eq!(s["indexed"], 1);
}

#[test]
fn directories_are_walked_recursively_and_hidden_files_skipped() {
    let v = Vigie::new();
    let root = v.dir.path().join("in");
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    write(&root.join("a/b"), "one.jsonl", br#"{"title":"Arm prepares its own server chip","body":"Arm Holdings plans to sell its own data center processor, with Meta as a first customer."}"#);
    write(
        &root.join("a"),
        "two.txt",
        "Qualcomm rachète Alphawave\n\nQualcomm a annoncé le rachat du britannique Alphawave pour 2,4 milliards de dollars.".as_bytes(),
    );
    write(&root, ".hidden.jsonl", b"not json at all");
    let s = v.ingest(&[&root]);
    assert_eq!(s["indexed"], 2, "{s}");
    assert_eq!(s["rejected"], 0);
}

#[test]
fn hostile_inputs_in_a_folder_holding_the_data_directory() {
    let v = Vigie::new();
    let root = v.dir.path();
    let first = write(root, "first.jsonl", br#"{"title":"Arm prepares its own server chip","body":"Arm Holdings plans to sell its own data center processor, with Meta as a first customer."}"#);
    assert_eq!(v.ingest(&[&first])["indexed"], 1);
    std::fs::remove_file(&first).unwrap();
    assert!(v.data().join("index/meta.json").exists(), "the data directory lies inside the input folder");
    let dir = root.join("in");
    std::fs::create_dir_all(&dir).unwrap();
    // a UTF-16 feed without BOM whose declaration says so
    let feed = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<rss version=\"2.0\"><channel><title>Flux</title><item><title>L’été des puces</title><link>https://ex.fr/ete</link><pubDate>Wed, 29 Jan 2025 10:15:00 CET</pubDate><description>Les fondeurs préparent l’été.</description></item></channel></rss>";
    let utf16: Vec<u8> = feed.encode_utf16().flat_map(u16::to_le_bytes).collect();
    write(&dir, "feed.xml", &utf16);
    // a NewsAPI export: a pretty-printed JSON array
    write(&dir, "newsapi.json", "[\n  {\n    \"source\": {\"id\": null, \"name\": \"Le Monde\"},\n    \"author\": \"A. Auteur\",\n    \"title\": \"Mistral lève des fonds\",\n    \"description\": \"La start-up parisienne lève 600 millions.\",\n    \"url\": \"https://ex.fr/mistral\",\n    \"urlToImage\": null,\n    \"publishedAt\": 1738145700,\n    \"content\": \"La start-up parisienne a levé 600 millions d’euros… [+2345 chars]\"\n  },\n  {\n    \"title\": 5\n  }\n]\n".as_bytes());
    write(&dir, "photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
    #[cfg(unix)]
    std::os::unix::fs::symlink(".", dir.join("loop")).unwrap();
    let s = v.ingest(&[root]);
    assert_eq!(s["indexed"], 2, "{s}");
    assert_eq!(s["rejected"], 2, "{s}");
    let rejects = v.rejects();
    let reasons: Vec<String> = rejects.iter().map(|r| r.to_string()).collect();
    assert!(reasons.iter().any(|r| r.contains("binary file")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("newsapi.json") && r.contains("invalid")), "{reasons:?}");
    let hits = v.json_lines(&["search", "mistral", "--json"]);
    let doc = v.json(&["show", hits[0]["id"].as_str().unwrap(), "--json"]);
    assert_eq!(doc["source"], "Le Monde");
    assert_eq!(doc["published"], "2025-01-29T10:15:00Z");
    assert!(!doc["body"].as_str().unwrap().contains("chars]"), "{doc}");
    let hits = v.json_lines(&["search", "fondeurs", "--json"]);
    let doc = v.json(&["show", hits[0]["id"].as_str().unwrap(), "--json"]);
    assert_eq!(doc["title"], "L’été des puces");
    assert_eq!(doc["published"], "2025-01-29T09:15:00Z");
}
