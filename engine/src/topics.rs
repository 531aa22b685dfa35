//! Wiring stories and topics to the index: the story state rebuilt from the stored
//! embeddings, topic re-clustering with labels from the stored documents, and the
//! incremental topic assignment that follows each ingest.

use crate::{DataDir, Error, Result, TopicSource};
use std::collections::{BTreeMap, HashMap};
use vigie_index::{StoredVector, VigieIndex};
use vigie_pipeline::normalize::first_chars as cut;
use vigie_pipeline::stories::{content_words_with_forms, fold_key, Stories, StoryInput};
use vigie_pipeline::topics::{
    cluster, match_ids, nearest, Keyword, Keywords, LabelDoc, StoryPoint, TopicConfig, TopicInfo, TopicState, STATE_VERSION,
};

/// A rebuild is due when the stories have grown by this factor since the last one.
const REBUILD_GROWTH: f64 = 1.25;
/// Characters of a body read for topic keywords (the lead carries the subject).
const LABEL_CHARS: usize = 3000;

/// The story state of the stored documents, in ingest order.
pub fn load_stories(vectors: &[StoredVector]) -> Stories {
    let t = std::time::Instant::now();
    let mut st = Stories::with_defaults();
    for v in vectors {
        st.assign(&StoryInput {
            id: &v.id,
            when: v.when,
            lang: &v.lang,
            embedding: v.embedding.as_deref(),
            entities: v.entities.iter().map(String::as_str).collect(),
            terms: &v.title_terms,
            body: "",
            dup_of: v.dup_of.as_ref(),
            story: v.story_id.as_deref(),
        });
    }
    tracing::info!(documents = vectors.len(), stories = st.len(), ms = t.elapsed().as_millis() as u64, "story state loaded");
    st
}

/// Re-clusters the topics from the story centroids (no re-encoding) and labels them from
/// the stored documents; topic ids of `old` survive where a topic kept its stories.
pub fn rebuild_topics(index: &VigieIndex, stories: &Stories, old: Option<&TopicState>, cfg: &TopicConfig) -> Result<TopicState> {
    let t = std::time::Instant::now();
    let centroids: Vec<Vec<f32>> =
        stories.stories().iter().map(|s| if s.size > 0 { stories.centred_centroid(s) } else { Vec::new() }).collect();
    let points: Vec<StoryPoint<'_>> =
        stories.stories().iter().zip(&centroids).map(|(s, c)| StoryPoint { centroid: c, size: s.size }).collect();
    let c = cluster(&points, cfg);
    let k = c.centroids.len();
    let mut members: Vec<Vec<&str>> = vec![Vec::new(); k];
    for (s, a) in stories.stories().iter().zip(&c.assignment) {
        if let Some(t) = a {
            members[*t].push(s.id.as_str());
        }
    }
    let empty = BTreeMap::new();
    let inherited = match_ids(&members, old.map_or(&empty, |o| &o.story_topic));
    let mut next_id = old.map_or(1, |o| o.next_id);
    let ids: Vec<String> = inherited
        .into_iter()
        .map(|x| {
            x.unwrap_or_else(|| {
                next_id += 1;
                format!("t{}", next_id - 1)
            })
        })
        .collect();
    let story_topic: BTreeMap<String, String> =
        members.iter().zip(&ids).flat_map(|(m, id)| m.iter().map(move |s| (s.to_string(), id.clone()))).collect();
    let topic_index: HashMap<&str, usize> = members.iter().enumerate().flat_map(|(i, m)| m.iter().map(move |s| (*s, i))).collect();

    // keywords and entities from the originals' text
    let mut kw = Keywords::new(k);
    let mut kw_docs = 0u32;
    let mut ents: Vec<HashMap<String, (String, u32)>> = vec![HashMap::new(); k];
    index.for_each_doc(|d| {
        if d.dup_of.is_some() {
            return;
        }
        let Some(&topic) = d.story_id.as_deref().and_then(|s| topic_index.get(s)) else { return };
        let text = format!("{}\n{}", d.title, cut(&d.body, LABEL_CHARS));
        kw.add(&LabelDoc { topic, lang: d.lang.0.clone(), words: content_words_with_forms(&text) });
        kw_docs += 1;
        let mut seen = std::collections::HashSet::new();
        for e in &d.entities {
            if seen.insert(e.id.as_str()) {
                let slot = ents[topic].entry(e.id.0.clone()).or_insert_with(|| (e.name.clone(), 0));
                slot.1 += 1;
            }
        }
    })?;
    let ranked = kw.ranked(8);
    let keywords: Vec<BTreeMap<String, Vec<String>>> =
        ranked.iter().map(|m| m.iter().map(|(l, ks)| (l.clone(), ks.iter().map(|k| k.word.clone()).collect())).collect()).collect();
    let mut entity_df: HashMap<&str, u32> = HashMap::new();
    for m in &ents {
        for (id, (_, c)) in m {
            *entity_df.entry(id.as_str()).or_insert(0) += c;
        }
    }
    let originals: u32 = entity_df.values().copied().max().unwrap_or(1).max(kw_docs);
    let topics: Vec<TopicInfo> = (0..k)
        .map(|i| {
            // entities frequent in this topic and rare elsewhere ("United States" is in every topic)
            let score = |id: &str, c: u32| c as f64 * (1.0 + originals as f64 / entity_df[id] as f64).ln();
            let mut top: Vec<(String, String, f64)> = ents[i]
                .iter()
                .filter(|(_, (_, c))| *c >= 2 || members[i].len() == 1)
                .map(|(id, (n, c))| (id.clone(), n.clone(), score(id, *c)))
                .collect();
            top.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
            top.truncate(5);
            let entities: Vec<(String, String)> = top.iter().map(|(id, n, _)| (id.clone(), n.clone())).collect();
            TopicInfo {
                id: ids[i].clone(),
                label: label(&entities, &ranked[i]),
                keywords: keywords[i].clone(),
                entities,
                centroid: c.centroids[i].clone(),
            }
        })
        .collect();
    tracing::info!(stories = stories.len(), topics = k, ms = t.elapsed().as_millis() as u64, "topics rebuilt");
    Ok(TopicState {
        version: STATE_VERSION,
        built: chrono::Utc::now(),
        threshold: cfg.threshold,
        assign_threshold: cfg.assign_threshold,
        stories_at_build: stories.len(),
        next_id,
        topics,
        story_topic,
    })
}

/// "Nvidia, OpenAI: chips, gpus, data / puces, serveurs": the two most distinctive
/// entities, then three keywords per language (English first), without repeating an
/// entity name; a language's keywords as common in general news as in the topic only
/// show when it has no distinctive one.
fn label(entities: &[(String, String)], keywords: &BTreeMap<String, Vec<Keyword>>) -> String {
    let names: Vec<&str> = entities.iter().take(2).map(|(_, n)| n.as_str()).collect();
    let taken: std::collections::HashSet<String> = names.iter().flat_map(|n| n.split_whitespace()).map(fold_key).collect();
    let mut langs: Vec<&String> = keywords.keys().collect();
    langs.sort_by_key(|l| (l.as_str() != "en", l.as_str() != "fr", l.as_str().to_string()));
    let parts: Vec<String> = langs
        .iter()
        .map(|l| {
            let ks: Vec<&Keyword> = keywords[*l].iter().filter(|k| !taken.contains(&fold_key(&k.word))).collect();
            let distinctive = ks.iter().any(|k| k.distinctive);
            ks.iter().filter(|k| k.distinctive || !distinctive).take(3).map(|k| k.word.as_str()).collect::<Vec<_>>().join(", ")
        })
        .filter(|s| !s.is_empty())
        .collect();
    match (names.is_empty(), parts.is_empty()) {
        (true, true) => "(no keywords)".to_string(),
        (true, false) => parts.join(" / "),
        (false, true) => names.join(", "),
        (false, false) => format!("{}: {}", names.join(", "), parts.join(" / ")),
    }
}

/// The clustering configuration a state was built with (its thresholds), else the default.
pub fn topic_config(state: Option<&TopicState>) -> TopicConfig {
    state.map_or_else(TopicConfig::default, |s| TopicConfig {
        threshold: s.threshold,
        assign_threshold: s.assign_threshold,
        ..Default::default()
    })
}

/// Assigns stories the state does not know to their nearest topic; returns how many.
pub fn assign_new(state: &mut TopicState, stories: &Stories) -> usize {
    let centroids: Vec<Vec<f32>> = state.topics.iter().map(|t| t.centroid.clone()).collect();
    let mut n = 0;
    for s in stories.stories() {
        if s.size == 0 || state.story_topic.contains_key(&s.id) {
            continue;
        }
        let c = stories.centred_centroid(s);
        if let Some((t, _)) = nearest(&c, &centroids).filter(|(_, sim)| *sim >= state.assign_threshold) {
            state.story_topic.insert(s.id.clone(), state.topics[t].id.clone());
            n += 1;
        }
    }
    n
}

/// After an ingest: re-clusters when no topics exist yet or the stories grew by a
/// quarter since the last re-clustering (amortized linear), else assigns new stories.
pub fn update_topics(data: &DataDir, index: &VigieIndex, stories: &Stories) -> Result<()> {
    if stories.is_empty() {
        return Ok(());
    }
    let state = load_state(data)?;
    let due = state
        .as_ref()
        .is_none_or(|s| stories.len() as f64 >= REBUILD_GROWTH * s.stories_at_build as f64 && stories.len() > s.stories_at_build);
    let new_state = if due {
        let cfg = topic_config(state.as_ref());
        rebuild_topics(index, stories, state.as_ref(), &cfg)?
    } else {
        let mut s = state.expect("not due means a state exists");
        if assign_new(&mut s, stories) == 0 {
            return Ok(());
        }
        s
    };
    Ok(new_state.save(&data.topics_path())?)
}

/// Threshold overrides for [`rebuild`] (`None`: the data directory's current ones).
#[derive(Debug, Clone, Copy, Default)]
pub struct RebuildOptions {
    /// Average centred cosine two groups of stories need to merge.
    pub threshold: Option<f32>,
    /// Cosine to a topic centroid a story needs to join it.
    pub assign_threshold: Option<f32>,
}

/// What a [`rebuild`] made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RebuildReport {
    pub stories: usize,
    pub topics: usize,
    /// stories in no topic
    pub outlier_stories: usize,
    /// topics that kept their id
    pub kept_ids: usize,
    pub seconds: f64,
}

/// Re-clusters every story of the data directory into topics from the stored
/// embeddings (no re-encoding) and saves the new state; topic ids survive where a topic
/// kept most of its stories. Holds the ingest lock meanwhile, so that a rebuild never
/// interleaves with an ingest's topic update. `progress` hears what it is doing.
pub fn rebuild(data: &DataDir, opts: RebuildOptions, progress: &mut dyn FnMut(&str)) -> Result<RebuildReport> {
    let t = std::time::Instant::now();
    let index = VigieIndex::open(&data.index_dir())?;
    let old = load_state(data)?;
    let mut cfg = topic_config(old.as_ref());
    cfg.threshold = opts.threshold.unwrap_or(cfg.threshold);
    cfg.assign_threshold = opts.assign_threshold.unwrap_or(cfg.assign_threshold);
    let _lock = index.writer()?;
    progress("reading stories");
    let stories = load_stories(&index.vectors()?);
    progress(&format!("clustering {} stories", stories.len()));
    let state = rebuild_topics(&index, &stories, old.as_ref(), &cfg)?;
    let path = data.topics_path();
    state.save(&path).map_err(|e| Error::state(&path, format!("saving the topic state: {e}")))?;
    let old_ids: std::collections::HashSet<&str> =
        old.as_ref().map(|o| o.topics.iter().map(|t| t.id.as_str()).collect()).unwrap_or_default();
    Ok(RebuildReport {
        stories: stories.len(),
        topics: state.topics.len(),
        outlier_stories: stories.stories().iter().filter(|s| !state.story_topic.contains_key(&s.id)).count(),
        kept_ids: state.topics.iter().filter(|t| old_ids.contains(t.id.as_str())).count(),
        seconds: t.elapsed().as_secs_f64(),
    })
}

/// The topic state of a data directory (`None` before the first topics are built).
pub fn load_state(data: &DataDir) -> Result<Option<TopicState>> {
    Ok(TopicState::load(&data.topics_path())?)
}

/// The stories of a topic of the current state (a topic is resolved here, once: the
/// index stores stories, not topics, which change when they are re-clustered).
pub fn stories_of(topics: &(impl TopicSource + ?Sized), topic: &str) -> Result<Vec<String>> {
    let state = topics.topic_state()?;
    let Some(state) = state.filter(|s| s.topic(topic).is_some()) else {
        return Err(Error::Config(format!("unknown topic {topic:?} (vigie topics lists them)")));
    };
    Ok(state.story_topic.iter().filter(|(_, t)| *t == topic).map(|(story, _)| story.clone()).collect())
}

/// story id -> topic id of the current state (empty when there is none).
pub fn topic_map(topics: &(impl TopicSource + ?Sized)) -> Result<BTreeMap<String, String>> {
    Ok(topics.topic_state()?.map(|s| s.story_topic.clone()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(word: &str, distinctive: bool) -> Keyword {
        Keyword { word: word.into(), term: fold_key(word), weight: 1.0, distinctive }
    }

    #[test]
    fn labels_lead_with_entity_names_then_distinctive_keywords() {
        let entities = vec![("company:nvidia".to_string(), "Nvidia".to_string()), ("company:tsmc".to_string(), "TSMC".to_string())];
        let mut keywords = BTreeMap::new();
        keywords.insert("en".to_string(), vec![kw("Nvidia", true), kw("wafers", true), kw("foundry", true), kw("announced", false)]);
        keywords.insert("fr".to_string(), vec![kw("annoncé", false), kw("selon", false)]);
        // entity names lead, are not repeated, and "announced" (as common in all news) is
        // left out while English has distinctive keywords; French has none, so its
        // generic keywords still show
        assert_eq!(label(&entities, &keywords), "Nvidia, TSMC: wafers, foundry / annoncé, selon");
        assert_eq!(label(&[], &BTreeMap::new()), "(no keywords)");
    }

    /// Keywords from real text through the embedded backgrounds: the words every tech
    /// article says do not reach the label.
    #[test]
    fn background_frequent_words_stay_out_of_labels_of_a_focused_topic() {
        let mut k = Keywords::new(1);
        let texts = [
            "Nvidia announced on Tuesday that its chief executive said the company would ship Blackwell GPUs",
            "The company announced that chief executive Jensen Huang said Blackwell GPUs sold out",
            "Analysts said the company announced record GPUs revenue, its chief executive said",
            "The chief executive announced the company would build Blackwell systems",
        ];
        for t in texts {
            k.add(&LabelDoc { topic: 0, lang: "en".into(), words: content_words_with_forms(t) });
        }
        let entities = vec![("company:nvidia".to_string(), "Nvidia".to_string())];
        let l = label(&entities, &k.ranked(8)[0]);
        assert!(l.starts_with("Nvidia: Blackwell, GPUs") || l.starts_with("Nvidia: GPUs, Blackwell"), "{l}");
        for generic in ["company", "chief", "announced", "said"] {
            assert!(!l.contains(generic), "{generic} in {l}");
        }
    }
}
