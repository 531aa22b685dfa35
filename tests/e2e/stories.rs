//! Stories and topics through the real encoder: cross-lingual pairs share a story,
//! copies join their original's story, new articles are assigned to existing topics
//! incrementally and a rebuild keeps the ids of stable topics.

use crate::common::{samples, shared_data, Vigie};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

fn story(v: &Vigie, id: &str) -> String {
    v.json(&["show", id, "--json"])["story_id"].as_str().unwrap_or_else(|| panic!("{id} has no story")).to_string()
}

#[test]
fn french_and_english_versions_share_a_story_and_copies_join_their_original() {
    let v = Vigie::new();
    v.ingest(&[&samples()]);
    assert_eq!(story(&v, "sample-stargate-fr"), story(&v, "sample-stargate-en"));
    // the syndicated copy in the samples
    let copies = v.json_lines(&["search", "*", "--json", "--limit", "100"]);
    let copy = copies.iter().find(|h| !h["dup_of"].is_null()).expect("the samples hold one copy");
    assert_eq!(copy["story_id"], Value::from(story(&v, copy["dup_of"].as_str().unwrap())));
    // the story report
    let s = v.json(&["story", "sample-stargate-fr", "--json"]);
    assert_eq!(s["id"], Value::from(story(&v, "sample-stargate-fr")));
    // the French article, the English one and the English syndicated copy
    assert_eq!(s["languages"]["fr"], 1);
    assert_eq!(s["languages"]["en"], 2);
    assert_eq!(s["documents"], 3);
    assert_eq!(s["originals"], 2);
    let ents: Vec<&str> = s["top_entities"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ents.contains(&"company:openai"), "{s:#}");
    assert!(s["first"].is_string() && s["last"].is_string());
    // every stored article has a story; topics were built on the first ingest
    assert!(copies.iter().all(|h| h["story_id"].is_string()));
    let topics = v.json_lines(&["topics", "--json"]);
    assert!(!topics.is_empty());
    for t in &topics {
        assert!(!t["label"].as_str().unwrap().is_empty() && t["size"].as_u64().unwrap() >= 1, "{t:#}");
    }
    let err = v.run(&["story", "no-such-story"]);
    assert_eq!(err.status.code(), Some(1));
}

/// The first `n` lines of the WMT14 FR/EN set after `skip`, as a file in `v`'s directory.
fn wmt_part(v: &Vigie, skip: usize, n: usize) -> Option<PathBuf> {
    let gold = shared_data("crosslingual/wmt14_fren_dev.jsonl")?;
    let text = std::fs::read_to_string(gold).unwrap();
    let part: Vec<&str> = text.lines().skip(skip).take(n).collect();
    let p = v.dir.path().join(format!("wmt-{skip}-{n}.jsonl"));
    std::fs::write(&p, part.join("\n") + "\n").unwrap();
    Some(p)
}

fn pair_of(id: &str) -> &str {
    id.trim_start_matches("wmt14-").trim_end_matches("-fr").trim_end_matches("-en")
}

#[test]
fn translations_pair_up_and_topics_grow_incrementally_then_rebuild_with_stable_ids() {
    let v = Vigie::new();
    let Some(first) = wmt_part(&v, 0, 60) else { return };
    let second = wmt_part(&v, 60, 10).unwrap();
    v.ingest(&[&first]);
    let hits = v.json_lines(&["search", "*", "--json", "--limit", "1000"]);
    assert_eq!(hits.len(), 60);
    let mut by_pair: HashMap<&str, HashSet<&str>> = HashMap::new();
    for h in &hits {
        by_pair.entry(pair_of(h["id"].as_str().unwrap())).or_default().insert(h["story_id"].as_str().unwrap());
    }
    // every translation shares its original's story
    for (pair, stories) in &by_pair {
        assert_eq!(stories.len(), 1, "pair {pair} split over {stories:?}");
    }
    // and different articles mostly do not (a few WMT documents report the same event)
    let stories: HashSet<&str> = hits.iter().map(|h| h["story_id"].as_str().unwrap()).collect();
    assert!(stories.len() >= 26, "30 pairs in {} stories", stories.len());

    let state_path = v.data().join("state/topics.json");
    let state: Value = serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    let built = state["built"].clone();
    let topics: HashSet<String> = state["topics"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
    assert!(topics.len() >= 3, "{} topics", topics.len());

    // a few more articles: assigned to the existing topics, no re-clustering
    v.ingest(&[&second]);
    let state: Value = serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    assert_eq!(state["built"], built, "10 more articles re-clustered the topics");
    let new_hits: Vec<Value> = v
        .json_lines(&["search", "*", "--json", "--limit", "1000"])
        .into_iter()
        .filter(|h| hits.iter().all(|o| o["id"] != h["id"]))
        .collect();
    assert_eq!(new_hits.len(), 10);
    let assigned = new_hits.iter().filter(|h| h["topic_id"].is_string()).count();
    assert!(assigned >= 7, "{assigned} of 10 new articles in a topic");
    assert!(new_hits.iter().filter_map(|h| h["topic_id"].as_str()).all(|t| topics.contains(t)));

    // --topic: the documents of a topic's stories, resolved from the topic state
    let all = v.json_lines(&["search", "*", "--json", "--limit", "1000"]);
    let t = all.iter().filter_map(|h| h["topic_id"].as_str()).next().expect("a document in a topic").to_string();
    let want = all.iter().filter(|h| h["topic_id"] == t.as_str()).count();
    let got = v.json_lines(&["search", "*", "--topic", &t, "--json", "--limit", "1000"]);
    assert_eq!(got.len(), want, "--topic {t}");
    assert!(got.iter().all(|h| h["topic_id"] == t.as_str()));
    // topics are not a query field (a topic_id: query used to find nothing, silently)
    let o = v.run(&["search", &format!("topic_id:{t}")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--topic"), "{}", String::from_utf8_lossy(&o.stderr));
    let o = v.run(&["search", "*", "--topic", "t999999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown topic"), "{}", String::from_utf8_lossy(&o.stderr));

    // a rebuild from the stored embeddings keeps the ids of the topics that kept their stories
    let r = v.json(&["topics", "rebuild", "--json"]);
    assert!(r["topics"].as_u64().unwrap() >= 3);
    assert!(r["kept_ids"].as_u64().unwrap() * 10 >= r["topics"].as_u64().unwrap() * 7, "{r}");
    let listed = v.json_lines(&["topics", "--json"]);
    assert_eq!(listed.len() as u64, r["topics"].as_u64().unwrap());
    // topics of a bilingual set carry keywords in both languages
    let bilingual = listed.iter().filter(|t| t["keywords"]["fr"].is_array() && t["keywords"]["en"].is_array()).count();
    assert!(bilingual * 2 >= listed.len(), "{listed:#?}");

    // a lost topic state is rebuilt by the next ingest
    std::fs::remove_file(&state_path).unwrap();
    let third = wmt_part(&v, 70, 2).unwrap();
    v.ingest(&[&third]);
    assert!(state_path.exists());
}

/// A focused monitoring stream (issue 16): every article names Mistral AI and Nvidia.
/// Monday: a capacity announcement (`a`), a French rewrite of it by another outlet
/// (`b`) and a syndicated copy of it (`d`); Tuesday: another development, the first
/// customers (`e`). The second file holds Wednesday's first delivery (`c`), two days
/// after the announcement.
pub fn focused_stream(v: &Vigie) -> (PathBuf, PathBuf) {
    let announcement = "Mistral AI and Nvidia said on Monday they will build one of Europe's largest artificial intelligence campuses at \
        Bruyères-le-Châtel, south of Paris, with a planned capacity of 1.4 gigawatts. The first phase, financed with 8.5 billion euros \
        from the French start-up and its partners, will house 18,000 Nvidia Grace Blackwell superchips when it opens. Arthur Mensch, \
        Mistral's chief executive, said the site would let European companies train and run their models without relying on American \
        clouds. Jensen Huang, Nvidia's chief executive, called it a cornerstone of sovereign AI in Europe.";
    let monday = [
        json!({"id": "mistral-a", "source": "Tech Wire", "lang": "en", "published": "2025-06-09T08:30:00Z",
            "title": "Mistral AI and Nvidia to build 1.4-gigawatt AI campus south of Paris", "body": announcement}),
        json!({"id": "mistral-d", "source": "Newswire Europe", "lang": "en", "published": "2025-06-09T10:05:00Z",
            "title": "Mistral AI and Nvidia to build 1.4-gigawatt AI campus south of Paris", "body": announcement}),
        json!({"id": "mistral-b", "source": "Le Journal du Net", "lang": "fr", "published": "2025-06-09T15:10:00Z",
            "title": "Mistral AI et Nvidia vont construire un campus d'IA de 1,4 gigawatt au sud de Paris",
            "body": "La start-up française Mistral AI et Nvidia ont annoncé lundi la construction d'un campus consacré à l'intelligence \
                artificielle à Bruyères-le-Châtel, dans l'Essonne, d'une capacité prévue de 1,4 gigawatt. La première tranche, financée \
                à hauteur de 8,5 milliards d'euros par Mistral AI et ses partenaires, accueillera 18 000 puces Grace Blackwell de Nvidia. \
                Pour Arthur Mensch, directeur général de Mistral AI, le site permettra aux entreprises européennes d'entraîner leurs \
                modèles sans dépendre des clouds américains. Jensen Huang, patron de Nvidia, y voit une pierre angulaire de l'IA \
                souveraine en Europe."}),
        json!({"id": "mistral-e", "source": "Tech Wire", "lang": "en", "published": "2025-06-10T09:00:00Z",
            "title": "BNP Paribas and Orange sign up as first customers of Mistral AI's Nvidia-powered cloud",
            "body": "Mistral AI said on Tuesday that BNP Paribas and Orange had signed multi-year contracts as the first customers of \
                Mistral Compute, the cloud platform the French start-up is building on Nvidia hardware. The bank will move 300 internal \
                assistants to the service and the telecom operator plans to offer it to its business clients in 26 countries. Arthur \
                Mensch said more than 40 companies had asked to test the platform; Nvidia will supply the software stack."}),
    ];
    let wednesday = [json!({"id": "mistral-c", "source": "Data Center Weekly", "lang": "en", "published": "2025-06-11T13:00:00Z",
        "title": "Mistral AI takes delivery of first Nvidia systems for its Paris campus",
        "body": "Mistral AI said on Wednesday it had received the first 1,024 Nvidia Grace Blackwell systems for its campus at \
            Bruyères-le-Châtel, south of Paris. Technicians began installing the racks in a first 40-megawatt hall, and the French \
            start-up expects to run its first training jobs on the machines next month. Arthur Mensch thanked Nvidia's engineers \
            for shipping the hardware weeks ahead of the schedule."})];
    let file = |name: &str, rows: &[Value]| {
        crate::common::write(v.dir.path(), name, (rows.iter().map(Value::to_string).collect::<Vec<_>>().join("\n") + "\n").as_bytes())
    };
    (file("monday.jsonl", &monday), file("wednesday.jsonl", &wednesday))
}

#[test]
fn developments_of_one_project_are_separate_stories_and_rewrites_join_theirs() {
    let v = Vigie::new();
    let (monday, wednesday) = focused_stream(&v);
    v.ingest(&[&monday]);
    // the first delivery arrives in a later run: the story state is rebuilt from the index
    v.ingest(&[&wednesday]);
    let a = story(&v, "mistral-a");
    assert_eq!(story(&v, "mistral-d"), a, "the syndicated copy joins the announcement");
    assert_eq!(story(&v, "mistral-b"), a, "the French rewrite joins the announcement");
    let (c, e) = (story(&v, "mistral-c"), story(&v, "mistral-e"));
    assert_ne!(c, a, "the first delivery, two days later, is a development of its own");
    assert_ne!(e, a, "the first customers are a development of their own");
    assert_ne!(c, e);
    let show = v.json(&["show", "mistral-d", "--json"]);
    assert_eq!(show["dup_of"], "mistral-a", "{show}");
}
