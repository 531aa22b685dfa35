//! A real data directory for the handler tests: small JSON lines ingested through a real
//! engine Session, with a stand-in model stage (entities by keyword, one embedding per
//! event) so that entities, stories and topics exist without the encoder.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::OnceLock;
use tower::ServiceExt;
use vigie_engine::{DataDir, IngestOptions, Session};
use vigie_pipeline::ingest::{FormatChoice, Input};
use vigie_pipeline::lang::{LangConfig, LangDetector};
use vigie_pipeline::runner::{Analyzer, Encoded, Prepared};
use vigie_schemas::{Entity, EntityType};
use vigie_server::{router, ServeConfig, Token};

/// The articles: two events about chips and two about aircraft, in English and French,
/// with one copy (same text under another id) and dates over two weeks.
pub const ARTICLES: &[(&str, &str, &str, &str, &str, &str)] = &[
    // (id, lang, source, published, title, body)
    ("en-h200", "en", "Reuters", "2025-01-20T09:00:00Z", "Nvidia ships H200 accelerators to cloud providers",
     "Nvidia said on Monday that its H200 accelerators are shipping to the largest cloud providers this quarter, and that OpenAI will be among the first customers to run the new chips in its data centers."),
    ("fr-h200", "fr", "Le Monde", "2025-01-20T11:00:00Z", "Nvidia livre ses accélérateurs H200 aux géants du cloud",
     "Nvidia a annoncé lundi que ses accélérateurs H200 sont livrés aux principaux fournisseurs de cloud ce trimestre, et qu'OpenAI sera parmi les premiers clients à utiliser ces nouvelles puces."),
    ("en-h200-copy", "en", "Wire", "2025-01-20T12:00:00Z", "Nvidia ships H200 accelerators to cloud providers",
     "Nvidia said on Monday that its H200 accelerators are shipping to the largest cloud providers this quarter, and that OpenAI will be among the first customers to run the new chips in its data centers."),
    ("en-stargate", "en", "Reuters", "2025-01-27T09:00:00Z", "OpenAI and Nvidia plan Stargate data centers in Texas",
     "OpenAI and Nvidia detailed plans on Monday for the Stargate data centers in Texas, where thousands of Nvidia chips will train the next models, according to executives of both companies."),
    ("fr-stargate", "fr", "Le Monde", "2025-01-27T10:00:00Z", "OpenAI et Nvidia préparent les centres Stargate au Texas",
     "OpenAI et Nvidia ont détaillé lundi leurs projets de centres de données Stargate au Texas, où des milliers de puces Nvidia entraîneront les prochains modèles, selon les dirigeants des deux groupes."),
    ("en-a350", "en", "Reuters", "2025-01-22T09:00:00Z", "Airbus delivers A350 jets to Air France",
     "Airbus delivered three A350 jets to Air France on Wednesday, the airline said, as the planemaker works through a backlog of orders for its long-haul aircraft after supply chain delays."),
    ("fr-a350", "fr", "Les Echos", "2025-01-22T10:00:00Z", "Airbus livre trois A350 à Air France",
     "Airbus a livré mercredi trois A350 à Air France, a indiqué la compagnie, alors que l'avionneur écoule son carnet de commandes d'avions long-courriers après des retards de ses fournisseurs."),
    ("en-airbus-rate", "en", "Reuters", "2025-01-28T09:00:00Z", "Airbus raises its production targets for next year",
     "Airbus raised its aircraft production targets for next year on Tuesday, saying suppliers had caught up and that airlines such as Air France kept ordering long-haul jets."),
];

/// Entities by keyword, and one embedding per event (the articles of an event in both
/// languages share it), standing in for the encoder.
pub struct KeywordAnalyzer;

const KEYWORDS: &[(&str, &str, EntityType, &str)] = &[
    ("Nvidia", "company:nvidia", EntityType::Company, "Nvidia"),
    ("OpenAI", "company:openai", EntityType::Company, "OpenAI"),
    ("H200", "gpu:nvidia-h200", EntityType::Gpu, "Nvidia H200"),
    ("Airbus", "company:airbus", EntityType::Company, "Airbus"),
    ("Air France", "company:air-france", EntityType::Company, "Air France"),
];

/// A subject axis (chips or aircraft) plus an event axis, so that the events of a subject
/// make one topic and each event its own story.
fn embedding(title: &str) -> Vec<f32> {
    let (subject, event) = if title.contains("H200") {
        (0, 2)
    } else if title.contains("Stargate") {
        (0, 3)
    } else if title.contains("A350") {
        (1, 4)
    } else {
        (1, 5)
    };
    let norm = 1.25f32.sqrt();
    (0..8)
        .map(|i| {
            if i == subject {
                1.0 / norm
            } else if i == event {
                0.5 / norm
            } else {
                0.0
            }
        })
        .collect()
}

impl Analyzer for KeywordAnalyzer {
    fn encode(&self, _docs: &[Prepared]) -> Encoded {
        Box::new(())
    }

    fn complete(&self, docs: &mut [Prepared], _encoded: Encoded) {
        for p in docs {
            for (word, id, kind, name) in KEYWORDS {
                let mentions = p.doc.title.matches(word).count() + p.doc.body.matches(word).count();
                if mentions > 0 {
                    p.doc.entities.push(Entity {
                        id: (*id).into(),
                        kind: *kind,
                        name: (*name).into(),
                        surface: vec![(*word).into()],
                        mentions: mentions as u32,
                        in_title: p.doc.title.contains(word),
                        wikidata: None,
                    });
                }
            }
            p.embedding = Some(embedding(&p.doc.title));
        }
    }
}

pub fn lang() -> &'static LangDetector {
    static LANG: OnceLock<LangDetector> = OnceLock::new();
    LANG.get_or_init(|| LangDetector::new(&LangConfig::default()).expect("language detector"))
}

/// JSON lines of articles.
pub fn jsonl(dir: &Path, name: &str, articles: &[(&str, &str, &str, &str, &str, &str)]) -> Input {
    let lines: Vec<String> = articles
        .iter()
        .map(|(id, lang, source, published, title, body)| {
            json!({"id": id, "lang": lang, "source": source, "published": published, "title": title, "body": body}).to_string()
        })
        .collect();
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n")).expect("write the articles");
    Input::Path(p)
}

/// Ingests a batch through a session.
pub fn ingest(session: &mut Session, input: Input, commit_every: usize) -> vigie_pipeline::runner::Summary {
    let mut opts = IngestOptions::new(FormatChoice::Auto, lang(), Some(&KeywordAnalyzer));
    opts.commit_every = commit_every;
    session.ingest(&[input], &opts, &mut (), &AtomicBool::new(false)).expect("ingest")
}

/// A data directory holding [`ARTICLES`].
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub data: DataDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("temp dir");
        let data = DataDir::new(tmp.path().join("data"));
        let mut session = Session::open(data.clone()).expect("session");
        let summary = ingest(&mut session, jsonl(tmp.path(), "articles.jsonl", ARTICLES), 5000);
        assert_eq!((summary.indexed, summary.duplicates, summary.rejected), (8, 1, 0), "{summary:?}");
        session.close().expect("close");
        Fixture { tmp, data }
    }

    pub fn config(&self, token: Option<&str>) -> ServeConfig {
        let addr = if token.is_some() { "0.0.0.0:0" } else { "127.0.0.1:0" };
        ServeConfig::new(self.data.clone(), addr.parse().unwrap(), token.map(|t| Token::new(t).unwrap())).unwrap()
    }

    pub fn app(&self) -> Api {
        Api { app: router(&self.config(None)) }
    }
}

/// One fixture shared by the tests that only read.
pub fn shared() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(Fixture::new)
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime"))
}

/// The router, called in process (no socket).
#[derive(Clone)]
pub struct Api {
    pub app: axum::Router,
}

/// A response read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
    }

    /// The error message of an error response (which must be JSON).
    pub fn error(&self) -> String {
        assert!(self.header("content-type").starts_with("application/json"), "{}", self.header("content-type"));
        let v = self.json();
        assert_eq!(v.as_object().map(|o| o.len()), Some(1), "{v}");
        v["error"].as_str().expect("an error message").to_string()
    }
}

impl Api {
    pub fn call(&self, req: Request<Body>) -> Answer {
        let app = self.app.clone();
        runtime().block_on(async move {
            let res = app.oneshot(req).await.expect("infallible");
            let status = res.status();
            let headers = res.headers().clone();
            let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("body").to_vec();
            Answer { status, headers, body }
        })
    }

    pub fn get(&self, uri: &str) -> Answer {
        self.call(Request::get(uri).body(Body::empty()).unwrap())
    }

    pub fn post(&self, uri: &str, body: impl Into<Body>) -> Answer {
        self.call(Request::post(uri).body(body.into()).unwrap())
    }

    pub fn delete(&self, uri: &str) -> Answer {
        self.call(Request::delete(uri).body(Body::empty()).unwrap())
    }

    /// GET that must answer 200 with JSON.
    pub fn ok(&self, uri: &str) -> Value {
        let a = self.get(uri);
        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&a.body));
        assert!(a.header("content-type").starts_with("application/json"), "{uri}: {}", a.header("content-type"));
        a.json()
    }
}
