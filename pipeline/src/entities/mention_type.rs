//! Company or organization? Types the organization names the hand-written knowledge base
//! does not know: the generated company lists first, then what the text says of the
//! name (a legal form, "la start-up X", "shares of X", "le PDG de X", a ticker; or
//! "le régulateur X", a ministry, a university), then a linear classifier over the
//! encoder states of the mention and its context, trained by distant supervision from
//! the lists (`vigie train mention-type`, weights in `data/models/mention-type`).
//! Decisions are taken per name and article: one cue types every mention of the name.

use super::companies::{key_words, CompanyKb, ListedEntity};
use crate::encoder::Encoding;
use crate::{Error, Result};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use tch::{Kind, Tensor};
use vigie_schemas::EntityType;

/// Tokens on each side of a mention pooled as its context.
pub const CONTEXT_TOKENS: usize = 6;
/// Bytes of text before and after a mention where cues are looked for.
const CUE_WINDOW: usize = 90;

const BUILTIN_CLASSIFIER: &str = include_str!("../../../data/models/mention-type/classifier.json");

/// What the text says about a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// a word of the name makes it an institution ("Ministry", "Université", "Central Bank")
    OrgName,
    /// a legal form in or after the name, or a stock ticker
    LegalForm,
    /// the words around it call it a company ("la start-up X", "X's shares", "CEO of X")
    CompanyContext,
    /// the words around it call it an institution ("le régulateur X", "the agency X")
    OrgContext,
    /// its sentence is about sport: clubs, leagues and federations are organizations
    Sport,
    /// the name ends as media and exchanges are named ("Los Angeles Times", "Phoenix TV",
    /// "New York Mercantile Exchange"): businesses by the annotation guidelines
    CompanyName,
    /// a company word right before the name, with at most a few adjectives between ("le
    /// groupe Bolloré", "la société d'État chinoise Sinopharm"): strong enough to type a
    /// name NER called a person, a place or a product
    CompanyAdjacent,
    /// the words before it call it a product or a programme ("l'émission Newsday", "the app
    /// Zorblax"): the classifier alone types no company
    Product,
    /// its executives or shares follow it ("Hobbycraft's chief executive", "Deliveroo's
    /// London-listed shares"): a company even where NER called it MISC
    Executive,
    /// a one-word name one writes, posts, meets or streams on ("a écrit Mme Zakharova sur
    /// Telegram", "une réunion sur Zoom", "nos photos Instagram", "posted on Threads", "his
    /// TikTok account"): a platform, a business by the annotation guidelines
    Platform,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

/// Words that make a name an institution's, whatever follows.
fn org_name_words() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)\b(?:minist(?:ry|[èe]re|erio|erium)|department|d[ée]partement|agency|agence|authority|autorit[ée]|commission|committee|comit[ée]|council|conseil|court|cour|tribunal|parliament|parlement|senate|s[ée]nat|assembl(?:y|[ée]e)|congress|congr[èe]s|government|gouvernement|university|universit[ée]|universit[äa]t|universidad|universit[àa]|college|coll[èe]ge|[ée]cole|school|institute|institut|institution|cent(?:re|er)\s+(?:for|of|on)|academy|acad[ée]mie|party|parti|partei|federation|f[ée]d[ée]ration|association|foundation|fondation|central bank|banque centrale|banco central|central committee|comit[ée] central|bureau central|federal|f[ée]d[ée]ral(?:e)?|reserve|r[ée]serve|mondiale|monetary|mon[ée]taire|police|army|arm[ée]e|navy|marine nationale|nations|united nations|hospital|h[ôo]pital|church|[ée]glise|municipality|mairie|pr[ée]fecture|r[ée]gion|city of|ville de|ngo|ong|red cross|croix-rouge|office|bureau|directorate|direction g[ée]n[ée]rale|inspection|regulator|r[ée]gulateur|observatoire|observatory|tr[ée]sor|treasury|syndicat|trade union|unions?|union europ[ée]enne|european union|eurosystem|gendarmerie|parquet|CHU|mouvement|movement|forces arm[ée]es|forces de d[ée]fense|forces de s[ée]curit[ée])\b|\.(?:gov|gouv|edu|int)\b|^(?:[ÉE]lys[ée]e|Matignon|Quai d['’]Orsay|Beauvau)$|^(?:(?:Reserve|National|People['’]s)\s+)?Bank\s+of\s+\p{Lu}\p{L}+$|^Banque\s+(?:de|d['’]|du)\s*\p{Lu}\p{L}+$",
    )
}

/// Last words of the names of newspapers, broadcasters and exchanges.
fn company_name_words() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"\b(?:Times|Gazette|Journal|Post|Tribune|Herald|Telegraph|Chronicle|Courier|Observer|Express|Mirror|News|Magazine|Newspapers?|TV|T[ée]l[ée]vision|Television|Broadcasting|Exchange|Airlines|Airways|Pharmaceuticals?|Motors|Entertainment|Studios|Records|Pictures)$",
    )
}

/// First words of broadcasters' names ("Radio France Internationale", "Radio-Canada",
/// "Télé-Québec"): broadcasters are businesses by the annotation guidelines.
fn media_name_start() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"^(?:Radio|R[ée]seau|T[ée]l[ée]|TV\d*)[\s-]\p{Lu}")
}

/// Words of a sentence about a sports match: the clubs it names are organizations.
fn sport_words() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)\b(?:football(?:eur|eurs|er|ers)?|soccer|rugby|basket-?ball|club|clubs|entra[îi]neur|coach|joueurs?|players?|matchs?|matches|ligue|league|championnat|championship|stade|stadium|milieu de terrain|midfielder|d[ée]fenseur|defender|striker|attaquant|buteur|goalkeeper|gardien de but|penalty|huiti[èe]mes? de finale|quarts? de finale|quarter-finals?|semi-finals?|demi-finales?|\d-\d)\b",
    )
}

/// Whether a sentence is about sport (a match, a club, a league) or is a results line
/// ("Feyenoord 4 Utrecht 0"): its organizations are clubs and federations.
pub fn sport_sentence(words: &[String]) -> bool {
    let text = words.join(" ");
    if sport_words().is_match(&text) {
        return true;
    }
    static RESULTS: OnceLock<Regex> = OnceLock::new();
    re(&RESULTS, r"^\p{Lu}[\p{L}.' -]* \d{1,2} \p{Lu}[\p{L}.' -]* \d{1,2}\b").is_match(&text)
}

/// A news medium quoted as a source or read ("a indiqué à la BBC", "dit-elle à BBC
/// Culture", "told Reuters", "à lire aussi sur BBC Afrique", "le quotidien La Stampa"):
/// media are businesses.
fn media_left() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)(?:\b(?:told|interview (?:with|to)|a dit (?:au|à)|(?:a-t-(?:il|elle|on)\s+(?:dit|d[ée]clar[ée]|expliqu[ée]|confi[ée]|racont[ée]|affirm[ée]|pr[ée]cis[ée]|indiqu[ée]|ajout[ée])|(?:dit|d[ée]clare|explique|confie|raconte|affirme|pr[ée]cise|indique|ajoute)-(?:t-)?(?:il|elle|ils|elles|on))\s+(?:au|à)|(?:d[ée]clar[ée]|indiqu[ée]|confi[ée]|soulign[ée]|expliqu[ée]|affirm[ée]|racont[ée]|pr[ée]cis[ée]|r[ée]pondu)(?:\s+(?:M\.\s*|Mme\s+)?\p{Lu}[\p{L}'’-]*){0,3}\s+(?:au|à)|a appris|(?:[àa]\s+)?(?:une\s+)?questions?\s+(?:de|du|d['’])|(?:joint|jointe|contact[ée]e?|sollicit[ée]e?)\s+par|(?:d[ée]clar[ée]|affirm[ée]|expliqu[ée]|indiqu[ée]|confi[ée]|a dit|estim[ée])\s+sur|indique (?:au|à)|entretien (?:au|à|avec)|interview (?:au|à)|(?:lire|voir|regarder|[ée]couter) aussi sur|[àa] (?:ne pas (?:manquer|rater)|regarder|lire|[ée]couter) sur|antenne(?:\s+\p{Ll}+)?\s+(?:de|du|d['’]))\s*(?:the\s+|la\s+|le\s+|l['’]\s*)?$|\b(?:quotidien|journal|hebdomadaire|magazine|newspaper|daily|tabloid|agence de presse|news agency|radio|t[ée]l[ée]vision)\s+(?:\p{Ll}+\s+){0,2}$)",
    )
}

/// A newspaper, an agency or a channel named right after its kind ("le quotidien Le Monde",
/// "le journal sud-africain TimeLive"), or the medium of a journalist or of its columns
/// ("le correspondant économique de la BBC", "les colonnes du Monde", "a reporter for the
/// Daily Mail"): a medium, whatever NER called the name.
fn press_left(left: &str) -> bool {
    static KIND: OnceLock<Regex> = OnceLock::new();
    static STAFF: OnceLock<Regex> = OnceLock::new();
    let kind = re(
        &KIND,
        r"(?i)\b(?:quotidien|journal|hebdomadaire|mensuel|magazine|newspaper|tabloid|agence de presse|news agency|cha[îi]ne de t[ée]l[ée]vision|station de radio|site d['’]information|site d['’]actualit[ée]s|news site|news website)((?:\s+\p{Ll}[\p{Ll}'’-]*){0,2})\s+$",
    );
    let staff = re(
        &STAFF,
        r"(?i)\b(?:journalistes?|correspondant(?:e|s|es)?|r[ée]daction|colonnes|[ée]ditorialistes?|chroniqueu(?:r|se)s?|reporters?)(?:\s+\p{Ll}[\p{Ll}'’-]*)?\s+(?:de\s+la|du|de\s+l['’]|d['’]|de)\s*$|\b(?:correspondent|reporter|editor|journalist|columnist)s?\s+(?:for|at|with)\s+(?:the\s+)?$",
    );
    const NOT_BETWEEN: &[&str] = &[
        "de", "du", "des", "à", "au", "aux", "en", "sur", "dans", "par", "pour", "avec", "et", "ou", "of", "in", "at", "for", "by", "on",
        "and", "or", "d'", "l'",
    ];
    staff.is_match(left)
        || kind
            .captures(left)
            .is_some_and(|c| c[1].split_whitespace().all(|w| !NOT_BETWEEN.contains(&w.to_lowercase().replace('’', "'").as_str())))
}

/// A newspaper quoted by its title, article included, after a speech verb or "selon"
/// ("» explique Le Dauphiné", "selon Le Monde", "», écrit La Croix"): a medium.
fn press_title(left: &str, surface: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r#"(?:\b(?i:selon|d['’]apr[èe]s)|(?:[»"”]\s*,?\s*|,\s*)(?:a\s+)?(?i:[ée]crit|rapporte|r[ée]v[èe]le|explique|indique|affirme|pr[ée]cise|souligne|ajoute|note|relate|raconte|titre|annonce))\s+(?:Le|La|L['’])\s*\p{Lu}[\p{L}-]+$"#,
    )
    .is_match(&format!("{left}{surface}"))
}

/// Agencies that are businesses ("l'agence de notation Moody's", "l'agence de publicité X",
/// "the rating agency X"): a company word, not an institution's.
fn business_agency(left: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)\b(?:agences? (?:de (?:notation|publicit[ée]|voyages?|communication|marketing|relations publiques|mannequins|design|presse)|immobili[èe]res?|bancaires?)|(?:rating|advertising|travel|marketing|model(?:l?ing)?|news) agenc(?:y|ies))(?:\s+\p{Ll}[\p{Ll}'’-]*){0,2}\s+$",
    )
    .is_match(left)
}

/// A medium that asked someone for comment ("La BBC a contacté Maiden Pharmaceuticals pour
/// commentaires", "the BBC has approached the firm for comment").
fn media_right() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)^\s+(?:a|avait|has|had)\s+(?:contact[ée]|sollicit[ée]|joint|contacted|approached|asked)\b[^.;]{0,80}\b(?:pour (?:un |des )?(?:commentaires?|r[ée]agir|r[ée]action)|for (?:a )?comment)",
    )
}

/// A market index or a reference rate ("l'indice Topix", "the FTSE tracks", "Libor (...),
/// the index"): no company.
fn index_context(left: &str, right: &str) -> bool {
    static L: OnceLock<Regex> = OnceLock::new();
    static R: OnceLock<Regex> = OnceLock::new();
    static P: OnceLock<Regex> = OnceLock::new();
    re(&L, r"(?i)\b(?:indice|index|taux|benchmark)\s+(?:\p{L}+\s+){0,2}$").is_match(left)
        || re(&R, r"(?i)^\s*(?:\([^)]*\)\s*)?,?\s*(?:\d[\d.,]*\s+)?(?:the\s+|l['’])?(?:index|indice|tracks)\b").is_match(right)
        || re(&P, r"(?i)^\s+(?:a\s+|has\s+)?(?:c[ée]d[ée]|perdu|gagn[ée]|pris|recul[ée]|avanc[ée]|grimp[ée]|chut[ée]|lost|gained|fell|rose|shed|added|dropped|climbed)\s+(?:de\s+|by\s+)?[\d\s.,]+\s*(?:points?|pts)\b").is_match(right)
}

fn company_left() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)(?:\b(?:start-?up|jeune pousse|licorne|cabinet|soci[ée]t[ée]|entreprise|firme|compagnie|multinationale|filiale|groupe|g[ée]ant|constructeur|[ée]quipementier|fabricant|op[ée]rateur|[ée]diteur|fournisseur|distributeur|enseigne|plate-?forme|n[ée]obanque|fintech|assureur|courtier|fonds|studio|d[ée]veloppeur|cha[îi]ne|h[ée]bergeur|laboratoire|transporteur|conglom[ée]rat|sp[ée]cialiste|concurrent|rival|scale-?up|maison m[èe]re)(?:\s+(?:[a-zà-ÿ][a-zà-ÿ'’-]*|d['’][a-zà-ÿ-]+)){0,4}\s+$|\b(?:company|firm|startup|start-up|maker|chipmaker|carmaker|automaker|drugmaker|manufacturer|retailer|airline|carrier|operator|lender|insurer|broker|brokerage|fund|investor|investment firm|venture firm|asset manager|studio|publisher|developer|exchange|platform|conglomerate|giant|supplier|provider|subsidiary|rival|competitor|unicorn|fintech|streamer|brand|chain|foundry|telco|broadcaster|owner|parent)\s+$|\b(?:pdg|p\.-?d\.?g\.?|patron(?:ne)?|directeur g[ée]n[ée]ral|directrice g[ée]n[ée]rale|pr[ée]sident-directeur g[ée]n[ée]ral|(?:co-?)?fondat(?:eur|rice)|actionnaires?|actions?|titre|capitalisation|valorisation|rachat|chiffre d['’]affaires|b[ée]n[ée]fices?|salari[ée]s|filiale)\s+(?:de\s+la\s+|de\s+l['’]|du\s+|des\s+|de\s+|d['’])$|\b(?:ceo|chief executive(?: officer)?|cfo|chief financial officer|cto|(?:co-?)?founder|shares|stock|stake|shareholders|ipo|valuation|acquisition|takeover|buyout|subsidiary|employees)\s+(?:of|in|at)\s+(?:the\s+)?$|\b(?:fabriqu|d[ée]velopp|commercialis|vendu|distribu)[ée]?e?s?\s+par\s+(?:la\s+|le\s+|l['’]\s*)?$|\b(?:made|developed|manufactured|sold|marketed)\s+by\s+(?:the\s+)?$|\b(?:le|la|l['’]|un|une|the|a|an)\s*(?:(?:plus|premier|premi[èe]re|deuxi[èe]me|second|troisi[èe]me|grand|grande|biggest|largest|leading)\s+){0,2}(?:op[ée]rateur|constructeur|fabricant|[ée]quipementier|distributeur|assureur|enseigne|soci[ée]t[ée]|entreprise|groupe|firme|start-?up|g[ée]ant|leader|num[ée]ro un|operator|carrier|maker|manufacturer|retailer|company|firm|group|insurer|lender|airline|chipmaker|carmaker)\b[^,.;:()«»]{0,70},\s*$)",
    )
}

fn company_right() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"^(?:\s*,?\s*(?:Inc\.?|Corp\.?|Corporation|Ltd\.?|Limited|LLC|L\.L\.C\.|plc|PLC|GmbH|AG|SA|S\.A\.|SAS|S\.A\.S\.|SE|NV|N\.V\.|BV|B\.V\.|S\.p\.A\.|SpA|Co\.|KK|K\.K\.|Oyj|ASA|AB|A/S|SARL|LLP|Pty)(?:\s|,|\.|$)|\s*\(\s*(?:NASDAQ|Nasdaq|NYSE|Euronext(?: Paris| Amsterdam| Brussels)?|EPA|LSE|LON|TSE|TYO|ETR|XETRA|FRA|OTC|TSX|HKEX|HKG|SIX|ASX|KRX|SSE|SZSE|BIT|BME)\s*:\s*[A-Z0-9.\-]{1,8}\s*\))",
    )
}

fn company_right_context() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)^(?:(?:['’]s)?\s+(?:shares|stock|share price|market value|market cap(?:italization)?|valuation|revenue|sales|quarterly (?:results|earnings|revenue)|earnings|profits?|net income|chief executive|ceo|cfo|board of directors|shareholders|ipo|subscribers)\b|['’]s\s+(?:[\w-]+\s+){0,2}(?:shares|stock|chief executive|chief operating officer|chief financial officer|ceo|coo|cfo|cto|boss|founder|co-founder)\b|\s*,\s*(?:the|a|an|une?|le|la|l['’])\s*(?:[\w-]+\s+){0,3}?(?:maker|company|firm|startup|start-up|group|groupe|soci[ée]t[ée]|entreprise|sp[ée]cialiste|fabricant|[ée]diteur|op[ée]rateur|constructeur|g[ée]ant|subsidiary|filiale|retailer|airline|lender|insurer|studio|publisher|chipmaker|carmaker|automaker|provider|exchange|licorne|unicorn|num[ée]ro (?:un|1|deux|2)|journal|quotidien|hebdomadaire|mensuel|magazine|newspaper|daily|weekly|tabloid|cha[îi]ne|radio|broadcaster|agence de presse|news agency|publication|site d['’]information|news site)\b|\s+(?:est|[ée]tait|reste|devient|demeure|is|was|remains|becomes)\s+(?:aussi\s+|also\s+|d[ée]sormais\s+|now\s+)?(?:le|la|l['’]|un|une|the|a|an)\s*(?:[\w'’-]+\s+){0,3}?(?:company|firm|startup|start-up|soci[ée]t[ée]|entreprise|firme|fabricant|[ée]diteur|op[ée]rateur|constructeur|[ée]quipementier|distributeur|assureur|enseigne|filiale|subsidiary|maker|manufacturer|retailer|airline|lender|insurer|carrier|operator|chipmaker|carmaker|automaker|num[ée]ro (?:un|1))\b|\s*,?\s*(?:qui\s+est\s+|est\s+)?cot[ée]e?s?\s+(?:en|à la|sur le)\s+(?:Bourse|Nasdaq|NYSE|Euronext)|\s+(?:(?:a lev[ée]|l[èe]ve|avait lev[ée])\s+(?:plus de\s+|pr[èe]s de\s+|environ\s+|quelque\s+)?(?:\d|des fonds)|est valoris[ée]e?|est cot[ée]e?|a [ée]t[ée] rachet[ée]e?|a rachet[ée]|rach[èe]te|emploie|raised|has raised|is valued|was valued|is listed|went public|has acquired|agreed to (?:buy|acquire)|employs|reported (?:revenue|sales|earnings|a (?:net )?(?:profit|loss)))\b)",
    )
}

/// Institution words before a name ("le régulateur X", "la fondation de soutien X"); `{N}`
/// is how many small words may come between.
const ORG_LEFT: &str = r"(?i)(?:\b(?:r[ée]gulateur|gendarme|autorit[ée]|agence|minist[èe]re|gouvernement|administration|parti|syndicat|ong|association|fondation|universit[ée]|institut|organisation|organisme|banque centrale|commission|juridiction|cour|ong|mouvement|pr[ée]fecture|mairie|municipalit[ée]|gendarmerie|parquet|police|arm[ée]e|club|f[ée]d[ée]ration|conf[ée]d[ée]ration|h[ôo]pital|chu|[ée]cole|lyc[ée]e|coll[èe]ge|think tank|centre de recherche|laboratoire public|milice|r[ée]bellion|guérilla)(?:\s+(?:[a-zà-ÿ][a-zà-ÿ'’-]*|d['’][a-zà-ÿ-]+)){N}\s+$|\b(?:regulator|watchdog|agency|ministry|department|government|administration|party|union|charity|nonprofit|non-profit|ngo|foundation|university|institute|organization|organisation|think tank|central bank|commission|council|court|authority)\s+$|\bgroupes?\s+(?:arm[ée]s?|terroristes?|(?:dj|j)ihadistes?|rebelles?|islamistes?|extr[ée]mistes?|militants?|paramilitaires?|insurg[ée]s?|(?:affili[ée]s?|li[ée]s?)\s+(?:[àa]|au)|de\s+(?:plaidoyer|pression|r[ée]flexion|d[ée]fense|travail|contact|experts?|campagne|soutien|lobbying))\b[^,.;:()]{0,60}$|\b(?:rebelles?|milices?|miliciens?|insurg[ée]s|(?:dj|j)ihadistes|terroristes|combattants)\b[^,.;:()]{0,40}\b(?:du|le|au)\s+groupe\s+$|\b(?:armed|militant|terrorist|jihadist|rebel|advocacy|pressure|campaign)\s+groups?\s+$)";

fn org_left() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(&ORG_LEFT.replace("{N}", "{0,4}")).expect("static regex"))
}

/// [`org_left`] with at most one word between ("le gouvernement X", "l'agence américaine X"):
/// stronger than a source verb right before the name.
fn org_left_direct() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(&ORG_LEFT.replace("{N}", "{0,1}")).expect("static regex"))
}

/// An apposition or a copula that calls the name an institution ("Global Witness, une ONG
/// britannique", "X est une association", "X, the UN agency", after its acronym in brackets
/// too: "Basic Income Earth Network (BIEN), une organisation à but non lucratif"), or
/// campaigning ("Resolution, qui milite pour..."): the counterpart of the company
/// appositions of [`company_right_context`].
fn org_right_context() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)^(?:\s*\([^()]{1,20}\))?(?:\s*,?\s*(?:qui\s+|which\s+|that\s+)?(?:milite|militent|fait campagne|font campagne|campaigns?|lobbies)\b|(?:\s*,\s*|\s+(?:est|[ée]tait|is|was)\s+)(?:une?|le|la|l['’]|the|a|an)\s*(?:[\w'’-]+\s+){0,2}?(?:ong|ngo|association|organisation|organization|organisme|fondation|foundation|charity|institution|agence|agency|r[ée]gulateur|regulator|watchdog|syndicat|union|parti|party|think tank|groupe (?:de (?:r[ée]flexion|pression|plaidoyer|campagne))|(?:campaign|advocacy|pressure) group|universit[ée]|university|groupe (?:arm[ée]|rebelle|terroriste|(?:dj|j)ihadiste|islamiste|militant|paramilitaire)|(?:armed|rebel|militant|terrorist|jihadist) group)\b)",
    )
}

/// A company word right before the name, the words between (at most three) neither a
/// preposition nor a role ("l'entreprise basée à Paris", "le groupe de Jean", "the firm's
/// chairman John" are no such cue).
fn company_adjacent(left: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &R,
        r"(?i)\b(?:groupe|soci[ée]t[ée]|entreprise|firme|cabinet|start-?up|constructeur|fabricant|op[ée]rateur|enseigne|[ée]quipementier|distributeur|compagnie|assureur|g[ée]ant|laboratoire|multinationale|conglom[ée]rat|startup)((?:\s+(?:\p{Ll}[\p{Ll}'’-]*|d['’]\p{L}[\p{L}-]*)){0,3})\s+$|\b(?:company|firm|maker|retailer|carrier|operator|group|chipmaker|carmaker|automaker|drugmaker|conglomerate)()\s+$",
    );
    const NOT_BETWEEN: &str = concat!(
        "de du des à au aux en sur dans par pour avec chez et ou que qui la le les l' d' of in at for from by on with the a an and or ",
        "président directeur fondateur patron pdg porte-parole analyste chairman president founder ceo spokesman spokeswoman analyst ",
        "head chief boss dirigeant employé salarié avocat lawyer"
    );
    // English puts adjectives before the noun: "firm quits Australia" has a verb between
    r.captures(left).is_some_and(|c| {
        c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str()).split_whitespace().all(|w| {
            let w = w.to_lowercase().replace('’', "'");
            !NOT_BETWEEN.split(' ').any(|n| n == w)
        })
    })
}

/// A product, programme or work named after its kind ("l'émission Newsday", "le logiciel
/// Exchange", "the app Zorblax"); not a vaccine, often named by its maker ("le vaccin Pfizer").
fn product_left() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)\b(?:[ée]mission|programme|s[ée]rie|feuilleton|application|appli|logiciel|film|jeu vid[ée]o|show|app|software|video game|smartphone|produit|product)(?:\s+\p{Ll}+)?\s+$",
    )
}

/// Words of party politics around a name ("les députés LFI", "les élus du RN", "Labour
/// MPs", "the Tory leader"): parties are organizations.
fn party_context(left: &str, right: &str) -> bool {
    static L: OnceLock<Regex> = OnceLock::new();
    static R: OnceLock<Regex> = OnceLock::new();
    re(&L, r"(?i)\b(?:d[ée]put[ée]e?s?|s[ée]nat(?:eur|rice)s?|militant(?:e|s|es)?|[ée]lu(?:e|s|es)?|candidat(?:e|s|es)?|[ée]lecteurs|eurod[ée]put[ée]e?s?|lawmakers?|senators?|voters)\s+(?:(?:de|du|des|of|from)\s+(?:la\s+|l['’]\s*|the\s+)?|d['’]\s*)?$")
        .is_match(left)
        || re(&R, r"(?i)^\s+(?:MPs?|MEPs?|lawmakers?|senators?|voters|leader|candidate|d[ée]put[ée]e?s?|[ée]lus?|militants?)\b").is_match(right)
}

fn char_floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The sentence's text before `start` (at most [`CUE_WINDOW`] bytes).
fn left_of(text: &str, start: usize) -> &str {
    let from = char_floor(text, start.saturating_sub(CUE_WINDOW));
    let left = &text[from..start];
    match left.rfind(['\n', '.', '!', '?', ';']) {
        // a dot inside an abbreviation ("p.-d.g.", "Inc.") is no sentence end
        Some(i) if left[i..].starts_with(". ") || !left[i..].starts_with('.') => &left[i + 1..],
        _ => left,
    }
}

fn right_of(text: &str, end: usize) -> &str {
    let to = char_floor(text, (end + CUE_WINDOW).min(text.len()));
    let right = &text[end..to];
    match right.find('\n') {
        Some(i) => &right[..i],
        None => right,
    }
}

/// The text of `right` up to the end of its sentence.
fn sentence_right(right: &str) -> &str {
    match right.find(['.', '!', '?', ';']) {
        Some(i) => &right[..i],
        None => right,
    }
}

/// The cues of one mention `text[start..end]` whose name (articles taken off) is `name`.
pub fn cues(text: &str, start: usize, end: usize, name: &str, companies: &CompanyKb) -> Vec<Cue> {
    let mut out = Vec::new();
    if org_name_words().is_match(name) {
        out.push(Cue::OrgName);
    }
    let (left, right) = (left_of(text, start), right_of(text, end));
    if companies.has_legal_form(name) || company_right().is_match(right) {
        out.push(Cue::LegalForm);
    }
    // "Microsoft Exchange" is a product of a listed company, "Exchange" alone no name
    let maker = name
        .split_whitespace()
        .next()
        .is_some_and(|w| companies.lookup(w).is_some_and(|(e, common)| !common && e.kind == EntityType::Company));
    if ((company_name_words().is_match(name) && name.contains(' ')) || media_name_start().is_match(name)) && !maker {
        out.push(Cue::CompanyName);
    }
    // the surface may hold the descriptor itself ("la start-up Poolside")
    let lead = &text[start..end];
    let lead = lead.strip_suffix(name).unwrap_or("");
    // a name in quotes after its kind ("le journal régional \"East Hampton Star\"", "la
    // start-up « Alivo »") reads as the name right after it
    let left_full = format!("{left}{lead}");
    let left_full = match left_full.trim_end().strip_suffix(['"', '«', '“']) {
        Some(open) if quoted(&left_full, right) => format!("{} ", open.trim_end()),
        _ => left_full,
    };
    // a medium quoted in a sentence about a match is still a medium
    let press = press_left(&left_full);
    let media = press || media_left().is_match(&left_full) || media_right().is_match(right) || press_title(left, &text[start..end]);
    // "la société d'investissement Abu Dhabi United" in a sentence about a club: the
    // company word right before the name is the closer evidence
    let adjacent = company_adjacent(&left_full);
    if !media && !adjacent && (sport_words().is_match(left) || sport_words().is_match(sentence_right(right))) {
        out.push(Cue::Sport);
    }
    if product_left().is_match(&left_full) || quoted(left, right) {
        out.push(Cue::Product);
    }
    let org_ctx = index_context(left, right) || party_context(&left_full, right) || org_right_context().is_match(right);
    // "le porte-parole du gouvernement a déclaré à la BBC": the source verb is closer; so
    // is a company word right before the name ("le rachat du club par la société X")
    let org_word = !business_agency(&left_full)
        && if media || adjacent { org_left_direct().is_match(&left_full) } else { org_left().is_match(&left_full) };
    if org_word || org_ctx {
        out.push(Cue::OrgContext);
    } else if adjacent || press || business_agency(&left_full) {
        out.push(Cue::CompanyAdjacent);
        out.push(Cue::CompanyContext);
    } else if media || company_left().is_match(&left_full) || company_right_context().is_match(right.trim_start_matches(['"', '»', '”']))
    {
        out.push(Cue::CompanyContext);
    }
    if executive_right().is_match(right) {
        out.push(Cue::Executive);
    }
    if !name.contains(char::is_whitespace) && platform_context(&left_full, right) {
        out.push(Cue::Platform);
    }
    out
}

/// The words around a platform's name: posting, writing, meeting or streaming on it, or
/// an account, a page or photos on it (see [`Cue::Platform`]).
fn platform_context(left: &str, right: &str) -> bool {
    static L: OnceLock<Regex> = OnceLock::new();
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &L,
        r"(?i)(?:\b(?:publi[ée]e?s?|post[ée]e?s?|[ée]crit|tweet[ée]e?s?|partag[ée]e?s?|diffus[ée]e?s?|r[ée]unions?|visioconf[ée]rences?|vid[ée]os?|messages?|en direct|en ligne|comptes?|pages?|profils?|cha[îi]nes?|abonn[ée]e?s)(?:\s+(?:M\.|Mme|\p{L}[\p{L}'’-]*)){0,3}\s+sur\s+$|\b(?:(?:posted|wrote|tweeted|shared|streamed|broadcast|live|video|meeting|call|account|page|channel|followers)\s+on|(?:son|sa|ses|leur|leurs|nos|notre|vos|votre|mes|mon|ma|les|des)\s+(?:comptes?|pages?|profils?|photos?|vid[ée]os?|stories|publications?|abonn[ée]s|cha[îi]nes?))\s+$)",
    )
    .is_match(left)
        || re(&R, r"(?i)^\s+(?:account|page|post|posts|feed|channel|followers|live|video|videos|stories)\b").is_match(right)
}

/// A logistic regression over `[mean of the mention's token states, mean of the states
/// of the tokens around it]` (the NER head's layer mix), standardized.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TypeClassifier {
    pub context_tokens: usize,
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
    pub weights: Vec<f32>,
    pub bias: f32,
    /// P(company) at or above this: a company
    pub company_at: f32,
    /// P(company) at or below this: an organization
    pub organization_at: f32,
    /// the company threshold for acronyms ("BT", "DOJ"), which it reads less well
    #[serde(default = "never")]
    pub acronym_company_at: f32,
}

fn never() -> f32 {
    1.1
}

impl TypeClassifier {
    pub fn builtin() -> Result<Self> {
        serde_json::from_str(BUILTIN_CLASSIFIER).map_err(|e| Error::builtin("mention-type classifier", Error::model("classifier.json", e)))
    }

    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join("classifier.json");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let c: Self = serde_json::from_str(&text).map_err(|e| Error::model(&path, e))?;
        if c.weights.len() != c.mean.len() || c.std.len() != c.mean.len() {
            return Err(Error::model(&path, "weights, mean and std differ in length"));
        }
        Ok(c)
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join("classifier.json");
        let text = serde_json::to_string(self).map_err(|e| Error::model(&path, e))?;
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
    }

    /// P(company) of one mention's features.
    pub fn prob(&self, x: &[f32]) -> Option<f32> {
        if x.len() != self.weights.len() {
            return None;
        }
        let z: f32 =
            x.iter().zip(&self.mean).zip(&self.std).zip(&self.weights).map(|(((x, m), s), w)| (x - m) / s * w).sum::<f32>() + self.bias;
        Some(1.0 / (1.0 + (-z).exp()))
    }
}

/// Features of the mention `[start, end)` (bytes of the encoded text) from `[tokens, H]`
/// or `[1, tokens, H]` states: the mean state of its tokens, then the mean of up to
/// `context` tokens on each side; `None` when no token covers it.
pub fn span_features(states: &Tensor, enc: &Encoding, start: usize, end: usize, context: usize) -> Option<Vec<f32>> {
    let states = if states.dim() == 3 { states.get(0) } else { states.shallow_clone() };
    let n = enc.offsets.len().min(states.size()[0] as usize);
    let inside: Vec<usize> =
        (0..n).filter(|&i| enc.offsets[i].0 < enc.offsets[i].1 && enc.offsets[i].0 < end && enc.offsets[i].1 > start).collect();
    let (&first, &last) = (inside.first()?, inside.last()?);
    let before = first.saturating_sub(context)..first;
    let after = (last + 1)..(last + 1 + context).min(n);
    let mean = |idx: Vec<i64>| -> Tensor {
        if idx.is_empty() {
            Tensor::zeros([states.size()[1]], (Kind::Float, states.device()))
        } else {
            states.index_select(0, &Tensor::from_slice(&idx)).to_kind(Kind::Float).mean_dim(0, false, Kind::Float)
        }
    };
    let span = mean(inside.iter().map(|&i| i as i64).collect());
    let ctx = mean(before.chain(after).map(|i| i as i64).collect());
    Vec::<f32>::try_from(Tensor::cat(&[span, ctx], 0)).ok()
}

/// Stock tickers ("BUD.N"), single letters, and legal forms or descriptors alone ("Corp",
/// "Industries Inc"): pieces of names, never a company's name.
fn not_a_name(name: &str, companies: &CompanyKb) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    if re(&R, r"^[A-Z0-9]{1,6}\.[A-Z]{1,2}$").is_match(name) {
        return true;
    }
    if !name.chars().any(char::is_uppercase) {
        return true;
    }
    let words = key_words(name);
    let generic = ["industries", "division", "group", "groupe", "holding", "holdings", "company", "companies", "co", "and"];
    words.chars().count() <= 1 || words.split(' ').all(|w| generic.contains(&w) || companies.is_legal_form(w))
}

/// What the classifier alone may call a company: a name, not a fragment of a sentence
/// ("Rival chains"), a list ("Next, Boots and Waterstones") or an adjective made of a
/// name ("EU-wide", "Guernsey-based").
fn looks_like_a_company_name(name: &str) -> bool {
    const SMALL: &[&str] = &["of", "and", "the", "for", "on", "de", "du", "des", "la", "le", "les", "et", "pour", "à", "en", "&"];
    let lower_word = name.split_whitespace().skip(1).any(|w| w.chars().next().is_some_and(char::is_lowercase) && !SMALL.contains(&w));
    let adjective = name.split_whitespace().any(|w| {
        let w = w.to_lowercase();
        w.ends_with("-based") || w.ends_with("-wide") || w.ends_with("-owned") || w.ends_with("-led")
    });
    !lower_word && !adjective && !name.contains(", ") && !product_code(name)
}

/// A name that reads as a product's: it ends in a version number ("Alivo 2.0", "Web 3.0")
/// or is a model code in the plural ("PS5s", "A320s").
fn product_code(name: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"(?:^|\s)v?\d+(?:\.\d+)+$|^\p{Lu}{1,4}-?\d+s$").is_match(name)
}

/// How a name of unknown type comes out.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    /// a listed company or organization
    Listed(ListedEntity),
    Kind(EntityType),
}

/// The generated lists, the cues and the classifier.
pub struct MentionTyper {
    pub companies: CompanyKb,
    pub classifier: Option<TypeClassifier>,
}

/// One NER mention handed to [`MentionTyper::hints`].
pub struct MentionIn<'a> {
    pub start: usize,
    pub end: usize,
    pub label: &'a str,
    /// classifier features (from [`span_features`]) when the encoder saw the mention
    pub features: Option<Vec<f32>>,
    /// a company of the hand-written knowledge base (label `KB` for its own matches)
    pub known_company: bool,
    /// an organization of the hand-written knowledge base (label `KB-ORG` for its own
    /// matches)
    pub known_organization: bool,
}

/// The article-level decisions, by the name's key.
#[derive(Default)]
pub struct SpanHints<'a> {
    typer: Option<&'a MentionTyper>,
    by_name: HashMap<String, NameVotes>,
    /// an acronym's key -> the article's long name it stands for ("NSA" -> "National
    /// Security Agency"): the acronym is typed as the long name is
    long_forms: HashMap<String, String>,
    /// a sports article (three names or more in sentences about sport): the classifier
    /// alone types no club a company
    sport: bool,
}

#[derive(Default, Debug, Clone)]
struct NameVotes {
    org_name: bool,
    legal: bool,
    company_name: bool,
    sport: bool,
    /// a one-word name also written in small letters ("Fonds" and "fonds")
    lowercase_too: bool,
    company_ctx: usize,
    org_ctx: usize,
    /// mentions with a company word right before them
    adjacent: usize,
    /// mentions named as a product or a programme
    product: usize,
    /// mentions after a plural article or a number ("les Blancs", "des Talibans", "Huit
    /// Nigérians")
    plural: usize,
    /// mentions followed by the company's executives or shares ("X's chief executive")
    executive: usize,
    /// mentions of a platform one posts, writes or meets on ("sur Telegram")
    platform: usize,
    /// mentions written as a product with an indefinite article ("une Mercedes Benz")
    indefinite: usize,
    /// mentions next to a listed company in an enumeration ("Amazon, eBay, Instagram et
    /// Facebook")
    listed_neighbour: usize,
    /// mentions next to a known institution in an enumeration ("le FBI et Interpol")
    org_neighbour: usize,
    /// person mentions after a title ("M. Bolloré") or a word of a longer person's name
    /// of the article ("Vincent Bolloré"): a person, not the company named after them
    person: bool,
    probs: Vec<f32>,
    /// mentions that look like a piece of a longer name or a ticker
    pieces: usize,
    mentions: usize,
}

/// A mention followed by another capitalized word ("Nord" of "Nord Stream") or written
/// as a Reuters ticker ("<BNR>").
fn looks_like_a_piece(text: &str, start: usize, end: usize) -> bool {
    static NEXT: OnceLock<Regex> = OnceLock::new();
    let next = re(&NEXT, r"^[ \t]+\p{Lu}");
    static PREV: OnceLock<Regex> = OnceLock::new();
    // "Los Angeles": a capitalized word before it that does not open its sentence
    let prev = re(&PREV, r"[\p{Ll},]\s+\p{Lu}[\p{L}.]*\s+$");
    let right = right_of(text, end);
    next.is_match(right) || prev.is_match(left_of(text, start)) || (text[..start].ends_with('<') && right.starts_with('>'))
}

/// A possessive followed by the company's executives or shares.
fn executive_right() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)^['’]s\s+(?:[\w-]+\s+){0,2}?(?:shares|chief executive|chief operating officer|chief financial officer|ceo|coo|cfo|board of directors|shareholders)\b",
    )
}

/// A car or another product written with an indefinite article ("une Mercedes Benz 2021",
/// "une Tesla", "a Tesla and a Jeep"; not "a Google spokesman"): the brand's product, not
/// the company.
fn indefinite_product(left: &str, right: &str) -> bool {
    static L: OnceLock<Regex> = OnceLock::new();
    static EN: OnceLock<Regex> = OnceLock::new();
    static R: OnceLock<Regex> = OnceLock::new();
    let end = re(&R, r"^(?:\s*(?:[,.;:)!?]|$)|\s+(?:and|or|et|ou|de|d['’]|\d))");
    re(&L, r"(?:^|\s)une\s+$").is_match(left) || (re(&EN, r"(?:^|\s)(?:a|an)\s+$").is_match(left) && end.is_match(right))
}

/// Words before a list of names that call them companies ("des sociétés comme", "des
/// entreprises technologiques telles que", "chaînes de télévision, comme", "companies such
/// as"): every name of the list is named as a business.
fn company_list_left(left: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?i)\b(?:soci[ée]t[ée]s|entreprises|compagnies|groupes|firmes|start-?ups|op[ée]rateurs|constructeurs|fabricants|marques|enseignes|cha[îi]nes|plate-?formes|assureurs|m[ée]dias|journaux|concurrents|rivaux|companies|firms|groups|startups|brands|operators|makers|carriers|retailers|platforms|broadcasters|channels|networks|airlines|insurers|lenders|rivals|competitors|newspapers)(?:\s+(?:[\p{Ll}'’-]+)){0,4}\s*,?\s*(?:comme|tel(?:le)?s? que|dont|notamment|parmi lesquel(?:le)?s|such as|like|including|among them)\s+(?:la\s+|le\s+|les\s+|l['’]\s*|the\s+)?$",
    )
    .is_match(left)
        && !org_left().is_match(left)
}

/// Words before a list of a company's own brands ("Unilever, which owns brands including",
/// "le groupe possède des marques comme") or of a maker's models ("electric versions of the",
/// "les nouvelles générations de"): the names are its products, not companies.
fn product_list_left(left: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    static M: OnceLock<Regex> = OnceLock::new();
    let models = re(
        &M,
        r"(?i)\b(?:versions?|generations?|variants?|g[ée]n[ée]rations?|variantes?)\s+(?:\p{Ll}+\s+)?(?:of|de|du|des|d['’])\s*(?:the\s+|la\s+|le\s+|les\s+|l['’]\s*|its\s+|their\s+|sa\s+|son\s+|ses\s+|leurs?\s+)?$",
    )
    .is_match(left);
    let brands = re(
        &R,
        r"(?i)\b(?:owns?|owning|owned|sells?|makes?|possèdent|possède|poss[ée]dant|d[ée]tient|d[ée]tenant|commercialise|vend)\s+(?:[\p{L}'’-]+\s+){0,3}(?:brands|marques|products|produits)(?:\s+(?:[\p{Ll}'’-]+)){0,3}\s*,?\s*(?:comme|tel(?:le)?s? que|dont|notamment|such as|like|including)\s+(?:la\s+|le\s+|les\s+|l['’]\s*|the\s+)?$",
    )
    .is_match(left);
    models || brands
}

/// The name before a trailing "du Brésil", "d'Italie", "of America" (one or two capitalized
/// words), unless the head is an institution's.
fn country_suffix_head(name: &str) -> Option<&str> {
    static R: OnceLock<Regex> = OnceLock::new();
    let c = re(&R, r"^(\p{Lu}.*?)\s+(?:du|des|de la|de|d['’]\s*|of)\s*\p{Lu}[\p{L}-]+(?:\s+\p{Lu}[\p{L}-]+)?$").captures(name)?;
    let head = c.get(1)?.as_str();
    (head.chars().count() >= 3 && !org_name_words().is_match(head) && !org_name_words().is_match(name)).then_some(head)
}

/// A listed medium's service, edition or channel named after it ("BBC Culture", "BBC News
/// Mundo", "BBC Isle of Man", "BBC Radio 4"): by the annotation guidelines a form
/// of the medium, which monitoring users follow as one. Only media: a listed maker's name
/// before other words is often its product ("Microsoft Exchange", "Google Glass").
fn media_unit<'a>(name: &str, companies: &'a CompanyKb) -> Option<(&'a ListedEntity, bool)> {
    const JOINS: &[&str] = &["of", "de", "du", "des", "la", "le", "d'", "d’", "&"];
    let words: Vec<&str> = name.split_whitespace().collect();
    if org_name_words().is_match(name) {
        return None;
    }
    (1..words.len()).rev().find_map(|k| {
        let rest = &words[k..];
        let unit = rest.iter().all(|w| w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()) || JOINS.contains(w))
            && rest.first().is_some_and(|w| !JOINS.contains(w));
        let (e, common) = companies.lookup(&words[..k].join(" "))?;
        (unit && !common && e.kind == EntityType::Company && e.sector == "media").then_some((e, false))
    })
}

/// A title or a name written in quotes ("comme « Disco » ou « Life and Times »"): a work or
/// a show, which the classifier alone does not type.
fn quoted(left: &str, right: &str) -> bool {
    static L: OnceLock<Regex> = OnceLock::new();
    static R: OnceLock<Regex> = OnceLock::new();
    re(&L, r#"["«“]\s*$"#).is_match(left) && re(&R, r#"^\s*["»”]"#).is_match(right)
}

/// An acronym: two to six capitals (digits and `&` allowed), as "NSA", "CWU", "AT&T".
fn is_acronym(name: &str) -> bool {
    let n = name.chars().count();
    (2..=6).contains(&n)
        && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '&')
        && name.chars().filter(char::is_ascii_uppercase).count() >= 2
}

/// The initials of a long name, with and without its small words ("Securities and
/// Exchange Commission": "SAEC", "SEC"; "Organisation mondiale de la santé": "OMDLS", "OMS").
fn initials(name: &str) -> [String; 3] {
    const SMALL: &[&str] =
        &["of", "and", "the", "for", "on", "in", "de", "du", "des", "la", "le", "les", "et", "pour", "à", "a", "en", "sur", "d", "l", "&"];
    let words: Vec<&str> = name
        .split(|c: char| c.is_whitespace() || c == '-' || c == '\'' || c == '’')
        .filter(|w| w.chars().next().is_some_and(char::is_alphanumeric))
        .collect();
    let first = |w: &&str| w.chars().next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    let all: String = words.iter().map(first).collect();
    let content: String = words.iter().filter(|w| !SMALL.contains(&w.to_lowercase().as_str())).map(first).collect();
    // the name before a trailing "des États-Unis" / "of America" the acronym leaves out
    let head: String = words.iter().take_while(|w| !SMALL.contains(&w.to_lowercase().as_str())).map(first).collect();
    [all, content, head]
}

/// The article's acronyms and the long names they stand for: an acronym in brackets
/// right after a name ("Communication Workers Union (CWU)"), or one whose letters are
/// the initials of another organization mention of the article.
fn long_forms(text: &str, mentions: &[MentionIn<'_>], companies: &CompanyKb) -> HashMap<String, String> {
    let orgs: Vec<(&str, usize, bool)> = mentions
        .iter()
        .filter(|m| matches!(m.label, "ORG" | "MISC" | "LOC"))
        .map(|m| (strip_articles(&text[m.start..m.end]), m.end, m.label == "ORG"))
        .collect();
    // an acronym, or one capitalized word NER calls an organization in brackets right
    // after an organization's long name ("Autorité kenyane des fournitures médicales
    // (Kemsa)"), whose letters need not be the initials
    let word = |n: &str, org: bool| org && !n.contains(' ') && n.chars().next().is_some_and(char::is_uppercase);
    let mut out = HashMap::new();
    for &(name, _, _) in orgs.iter().filter(|(n, _, org)| is_acronym(n) || word(n, *org)) {
        let key = companies.key(name);
        if out.contains_key(&key) {
            continue;
        }
        let acronym = is_acronym(name);
        let bracketed = orgs.iter().find(|(long, end, long_org)| {
            !is_acronym(long)
                && long.contains(' ')
                && (acronym || *long_org)
                && text[*end..].trim_start().strip_prefix('(').is_some_and(|r| {
                    let r = r.trim_start();
                    if acronym {
                        r.starts_with(name)
                    } else {
                        r.strip_prefix(name).is_some_and(|rest| rest.trim_start().starts_with(')'))
                    }
                })
        });
        let spelled = || {
            if !acronym {
                return None;
            }
            let letters: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
            orgs.iter().find(|(long, _, _)| !is_acronym(long) && long.contains(' ') && initials(long).contains(&letters))
        };
        if let Some((long, _, _)) = bracketed.or_else(spelled) {
            out.insert(key, long.to_string());
        }
    }
    out
}

/// Articles and titles that open a name but are not part of it (as the linker strips them).
fn strip_articles(s: &str) -> &str {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(&R, r"(?i)^(?:(?:le|la|les|the|du|des|de)\s+|[ld]['’]\s*)+");
    let out = r.find(s).map_or(s, |m| &s[m.end()..]).trim();
    if out.is_empty() {
        s.trim()
    } else {
        out
    }
}

/// The NER mentions of an article's candidates, with classifier features for the
/// organization ones the encoder saw, and the knowledge base's companies (label `KB`).
pub fn mentions_of<'a>(
    cands: &'a [super::link::Candidate],
    t: &super::extract::Text<'_>,
    c: Option<&TypeClassifier>,
    kb: &super::kb::Kb,
) -> Vec<MentionIn<'a>> {
    use super::link::Source;
    cands
        .iter()
        .filter_map(|cand| {
            let label = match &cand.source {
                Source::Ner(label) => label.as_str(),
                Source::Kb(i) if kb.entities[*i].kind == EntityType::Company => {
                    return Some(MentionIn {
                        start: cand.start,
                        end: cand.end,
                        label: "KB",
                        features: None,
                        known_company: true,
                        known_organization: false,
                    })
                }
                Source::Kb(i) if kb.entities[*i].kind == EntityType::Organization => {
                    return Some(MentionIn {
                        start: cand.start,
                        end: cand.end,
                        label: "KB-ORG",
                        features: None,
                        known_company: false,
                        known_organization: true,
                    })
                }
                _ => return None,
            };
            let features = match (c, &t.enc.token_states) {
                (Some(c), Some(states)) if label == "ORG" => span_features(states, &t.enc.encoding, cand.start, cand.end, c.context_tokens),
                _ => None,
            };
            let known = kb.lookup(&super::link::clean(&t.full[cand.start..cand.end])).map(|e| e.kind);
            let (known_company, known_organization) = (known == Some(EntityType::Company), known == Some(EntityType::Organization));
            Some(MentionIn { start: cand.start, end: cand.end, label, features, known_company, known_organization })
        })
        .collect()
}

impl MentionTyper {
    /// No lists and no classifier: cues only.
    pub fn empty() -> Self {
        MentionTyper { companies: CompanyKb::parse(&[], "").expect("no lists"), classifier: None }
    }

    /// The built-in lists and classifier; `VIGIE_MENTION_TYPE_MODEL` names another
    /// classifier directory (as `vigie train mention-type --out` writes it).
    pub fn builtin() -> Result<Self> {
        let classifier = match std::env::var_os("VIGIE_MENTION_TYPE_MODEL") {
            Some(dir) => TypeClassifier::load(Path::new(&dir))?,
            None => TypeClassifier::builtin()?,
        };
        Ok(MentionTyper { companies: CompanyKb::try_builtin()?, classifier: Some(classifier) })
    }

    /// The decisions for one article's NER mentions (`text` is the text the offsets
    /// point into).
    pub fn hints<'a>(&'a self, text: &str, mentions: &[MentionIn<'_>]) -> SpanHints<'a> {
        let mut by_name: HashMap<String, NameVotes> = HashMap::new();
        static PLURAL: OnceLock<Regex> = OnceLock::new();
        let plural = re(
            &PLURAL,
            r"(?i)\b(?:les|des|aux|ces|leurs|\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|plusieurs|quelques|nombreux|certains)\s+$",
        );
        static TITLE: OnceLock<Regex> = OnceLock::new();
        let title = re(
            &TITLE,
            r"(?i)\b(?:M\.|Mme|Mlle|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Me|pr[ée]sident(?:e)?|ministre|s[ée]nateur|d[ée]put[ée]e?|minister|senator|sir|lord)\s+$",
        );
        let people: Vec<String> = mentions
            .iter()
            .filter(|m| m.label == "PER" && text[m.start..m.end].contains(' '))
            .flat_map(|m| text[m.start..m.end].split_whitespace().map(|w| self.companies.key(w)).collect::<Vec<_>>())
            .collect();
        for m in mentions.iter().filter(|m| m.label == "PER") {
            // a person's name only counts what is right before it ("le groupe Bolloré")
            let name = strip_articles(&text[m.start..m.end]);
            if name.contains(' ') {
                continue;
            }
            let v = by_name.entry(self.companies.key(name)).or_default();
            v.person |= title.is_match(left_of(text, m.start)) || people.contains(&self.companies.key(name));
            if cues(text, m.start, m.end, name, &self.companies).contains(&Cue::CompanyAdjacent) {
                v.adjacent += 1;
            }
        }
        // enumerations: a name written next to a listed company ("Amazon, eBay, Instagram et
        // Facebook") is named as one of its kind
        let mut orgs: Vec<&MentionIn<'_>> = mentions.iter().filter(|m| matches!(m.label, "ORG" | "MISC" | "KB" | "KB-ORG")).collect();
        orgs.sort_by_key(|m| m.start);
        let listed = |m: &MentionIn<'_>| {
            m.known_company
                || self
                    .companies
                    .lookup(strip_articles(&text[m.start..m.end]))
                    .is_some_and(|(e, common)| !common && e.kind == EntityType::Company)
        };
        static SEP: OnceLock<Regex> = OnceLock::new();
        let sep = re(&SEP, r"^(?:['’]s)?(?:\s*,\s*|\s+(?:et|and|ou|or)\s+|\s*,\s*(?:et|and|ou|or)\s+)$");
        // chains of names joined by commas and a last "et"/"and": three names or more, or
        // two joined by a conjunction ("In the first year of Covid, Rolls-Royce" is none)
        let mut chains: Vec<Vec<&MentionIn<'_>>> = Vec::new();
        for (i, &m) in orgs.iter().enumerate() {
            let joined = i > 0 && orgs[i - 1].end <= m.start && sep.is_match(&text[orgs[i - 1].end..m.start]);
            match chains.last_mut() {
                Some(c) if joined => c.push(m),
                _ => chains.push(vec![m]),
            }
        }
        // an institution of the knowledge base or named as one ("le FBI et Interpol")
        // (organizations.tsv's bodies count: "Europol, Interpol et la NSA")
        let institution = |m: &MentionIn<'_>| {
            let name = strip_articles(&text[m.start..m.end]);
            m.known_organization
                || org_name_words().is_match(name)
                || self.companies.lookup(name).is_some_and(|(e, common)| !common && e.kind == EntityType::Organization)
        };
        for c in chains.iter().filter(|c| c.len() >= 3 || (c.len() == 2 && !text[c[0].end..c[1].start].contains(','))) {
            let (companies, institutions) = (c.iter().any(|m| listed(m)), c.iter().any(|m| institution(m)));
            if institutions && !companies {
                for m in c.iter().filter(|m| !institution(m)) {
                    by_name.entry(self.companies.key(strip_articles(&text[m.start..m.end]))).or_default().org_neighbour += 1;
                }
            }
            if companies && !institutions {
                // "BioNTech/Pfizer": two names NER joined, no one name of the list
                for m in c.iter().filter(|m| !listed(m) && !text[m.start..m.end].contains('/')) {
                    by_name.entry(self.companies.key(strip_articles(&text[m.start..m.end]))).or_default().listed_neighbour += 1;
                }
            }
        }
        // a list of names after words that call them companies ("des sociétés comme Rio
        // Tinto, Vale et Eni"), places NER saw in it included
        let mut listing: Vec<&MentionIn<'_>> = mentions.iter().filter(|m| matches!(m.label, "ORG" | "MISC" | "KB" | "LOC")).collect();
        listing.sort_by_key(|m| m.start);
        let mut first = 0;
        for i in 0..=listing.len() {
            let joined = i > 0
                && i < listing.len()
                && listing[i - 1].end <= listing[i].start
                && sep.is_match(&text[listing[i - 1].end..listing[i].start]);
            if joined {
                continue;
            }
            if i > first {
                let left = left_of(text, listing[first].start);
                // a maker's own brands or models first: "brands including" also reads as a
                // list of companies
                let products = product_list_left(left);
                let companies = !products && company_list_left(left);
                for m in listing[first..i].iter().filter(|m| (products || companies) && m.label != "KB") {
                    let v = by_name.entry(self.companies.key(strip_articles(&text[m.start..m.end]))).or_default();
                    if products {
                        v.product += 1;
                    } else {
                        v.adjacent += 1;
                        v.company_ctx += 1;
                    }
                }
            }
            first = i;
        }
        for m in mentions.iter().filter(|m| matches!(m.label, "ORG" | "MISC" | "LOC")) {
            let name = strip_articles(&text[m.start..m.end]);
            let v = by_name.entry(self.companies.key(name)).or_default();
            v.plural += plural.is_match(left_of(text, m.start)) as usize;
            v.indefinite += indefinite_product(left_of(text, m.start), right_of(text, m.end)) as usize;
            v.mentions += 1;
            v.pieces += looks_like_a_piece(text, m.start, m.end) as usize;
            for c in cues(text, m.start, m.end, name, &self.companies) {
                match c {
                    Cue::OrgName => v.org_name = true,
                    Cue::LegalForm => v.legal = true,
                    Cue::CompanyName => v.company_name = true,
                    Cue::CompanyAdjacent => v.adjacent += 1,
                    Cue::Product => v.product += 1,
                    Cue::Executive => v.executive += 1,
                    Cue::Platform => v.platform += 1,
                    Cue::CompanyContext => v.company_ctx += 1,
                    Cue::OrgContext => v.org_ctx += 1,
                    Cue::Sport => {
                        v.org_ctx += 1;
                        v.sport = true;
                    }
                }
            }
            if let (Some(c), Some(x)) = (&self.classifier, &m.features) {
                if m.label == "ORG" {
                    v.probs.extend(c.prob(x));
                }
            }
        }
        // a one-word name the article also writes in small letters is an ordinary word
        for (key, v) in by_name.iter_mut() {
            if !key.contains(' ') && !key.is_empty() {
                v.lowercase_too = text.split(|c: char| !c.is_alphanumeric()).any(|w| w == key.as_str());
            }
        }
        let long_forms = long_forms(text, mentions, &self.companies);
        let sport = by_name.values().filter(|v| v.sport).count() >= 3;
        SpanHints { typer: Some(self), by_name, long_forms, sport }
    }
}

impl SpanHints<'_> {
    /// No lists, no cues: the linker's own typing.
    pub fn none() -> Self {
        SpanHints::default()
    }

    /// The type of the unknown name `name` that NER labelled `label`; `default` is the
    /// linker's own guess.
    pub fn type_mention(&self, name: &str, label: &str, default: EntityType) -> Typed {
        let Some(typer) = self.typer else { return Typed::Kind(default) };
        let name = strip_articles(name);
        if not_a_name(name, &typer.companies) {
            return Typed::Kind(if default == EntityType::Company { EntityType::Other } else { default });
        }
        let key = typer.companies.key(name);
        if let Some(long) = self.long_forms.get(&key) {
            if let Typed::Kind(kind @ (EntityType::Organization | EntityType::Company)) | Typed::Listed(ListedEntity { kind, .. }) =
                self.type_mention(long, "ORG", default)
            {
                tracing::debug!(name, long, ?kind, "mention type: acronym of a long name");
                return Typed::Kind(kind);
            }
        }
        let votes = self.by_name.get(&key).cloned().unwrap_or_default();
        // the classifier's mean P(company)
        let acronym = name.chars().all(|c| c.is_uppercase() || !c.is_alphabetic()) && name.chars().count() <= 5;
        let p = (!votes.probs.is_empty()).then(|| votes.probs.iter().sum::<f32>() / votes.probs.len() as f32);
        // "Vale du Brésil", "Eni d'Italie": a listed company and its country, when the head
        // is no ordinary word or the text calls it a company
        let listed = typer
            .companies
            .lookup(name)
            .or_else(|| {
                let head = country_suffix_head(name)?;
                typer.companies.lookup(head).filter(|(_, common)| !common || votes.company_ctx > 0 || votes.legal)
            })
            .or_else(|| media_unit(name, &typer.companies));
        if let Some((e, common)) = listed {
            // an ordinary word is a company only where NER says it is an organization
            // and the context agrees (a cue, or the classifier leaning to company); a
            // person or place name only when the name is long or carries a legal form
            let multiword = key_words(name).contains(' ');
            let context = votes.legal || votes.company_ctx > 0 || (!acronym && p.is_some_and(|p| p >= 0.5));
            let ok = match label {
                "ORG" => !common || context,
                "MISC" => !common,
                // a family name alone, no title and no first name in the article ("Bolloré
                // mis en cause"), is the company named after the family
                // (never an organization's: "Victoria" and "Rita" are people, not a
                // school or an agency of the lists)
                "PER" => e.kind == EntityType::Company && !common && (multiword || votes.legal || !votes.person),
                _ => !common && (multiword || votes.legal),
            };
            // "une Mercedes Benz 2021": every mention a product of the brand
            let product = votes.mentions > 0 && votes.indefinite == votes.mentions && !votes.legal && votes.company_ctx == 0;
            // a listed football club (Juventus, Benfica, Ajax) named in a match report: clubs
            // are organizations unless the text speaks of the business
            let club = self.sport && votes.sport && votes.company_ctx == 0 && !votes.legal;
            if ok && club {
                return Typed::Kind(EntityType::Organization);
            }
            if ok && !product {
                tracing::debug!(name, label, id = %e.id, "mention type: listed");
                return Typed::Listed(e.clone());
            }
        }
        // a platform: a one-word name NER calls an organization or a product
        if matches!(label, "ORG" | "MISC")
            && votes.platform > 0
            && votes.org_ctx == 0
            && !votes.org_name
            && votes.product == 0
            && !votes.lowercase_too
            && !name.contains(char::is_whitespace)
        {
            tracing::debug!(name, label, "mention type: company by a platform's context");
            return Typed::Kind(EntityType::Company);
        }
        if label != "ORG"
            && (votes.adjacent > 0 || (label == "MISC" && (votes.listed_neighbour > 0 || votes.executive > 0)))
            && votes.org_ctx == 0
            && !votes.org_name
            && (label != "PER" || !name.contains(' '))
        {
            tracing::debug!(name, label, "mention type: company by a company word right before it");
            return Typed::Kind(EntityType::Company);
        }
        if !matches!(label, "ORG" | "MISC" | "LOC") {
            return Typed::Kind(default);
        }
        if votes.org_name && !votes.legal && !votes.company_name {
            return Typed::Kind(if label == "ORG" { EntityType::Organization } else { default });
        }
        if votes.legal || votes.company_name {
            tracing::debug!(name, label, "mention type: company by legal form");
            return Typed::Kind(EntityType::Company);
        }
        // the words around a name, and the classifier, type organization mentions only:
        // a demonym or a product NER calls MISC ("Australian", "Glass") is no company
        if label != "ORG" {
            return Typed::Kind(default);
        }
        if votes.company_ctx + votes.listed_neighbour > votes.org_ctx + votes.org_neighbour {
            tracing::debug!(name, label, "mention type: company by context");
            return Typed::Kind(EntityType::Company);
        }
        if votes.org_ctx + votes.org_neighbour > 0 {
            return Typed::Kind(if label == "ORG" { EntityType::Organization } else { default });
        }
        if let (Some(c), Some(p)) = (&typer.classifier, p) {
            // the classifier alone types a one-word name named once only when it does not
            // look like a piece of a longer name or a ticker
            let seen = key_words(name).contains(' ') || votes.probs.len() >= 2 || votes.pieces < votes.mentions;
            // a plural group of people ("les Blancs", "des Talibans") or a programme is no company
            let people = !name.contains(' ') && name.ends_with('s') && votes.plural == votes.mentions && votes.mentions > 0;
            if seen
                && !self.sport
                && !people
                && votes.product == 0
                && votes.indefinite == 0
                && !votes.lowercase_too
                && looks_like_a_company_name(name)
                && p >= if acronym { c.acronym_company_at } else { c.company_at }
            {
                tracing::debug!(name, label, p, "mention type: company by classifier");
                return Typed::Kind(EntityType::Company);
            }
            if p <= c.organization_at && default == EntityType::Company {
                return Typed::Kind(EntityType::Organization);
            }
        }
        Typed::Kind(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typer() -> MentionTyper {
        MentionTyper { companies: CompanyKb::builtin(), classifier: None }
    }

    /// Types every ORG mention of `name` in `text` as the hints decide.
    fn type_in(t: &MentionTyper, text: &str, name: &str, label: &str) -> Typed {
        let ms = mentions_at(text, &[(name, label)]);
        assert!(!ms.is_empty(), "{name} in {text}");
        t.hints(text, &ms).type_mention(name, label, EntityType::Organization)
    }

    /// Every `(text, name, label)` of `company` types the name a company, none of
    /// `not_company` does.
    fn assert_companies(t: &MentionTyper, company: &[(&str, &str, &str)], not_company: &[(&str, &str, &str)]) {
        for &(text, name, label) in company {
            assert_eq!(kind(&type_in(t, text, name, label)), EntityType::Company, "{text}");
        }
        for &(text, name, label) in not_company {
            assert_ne!(kind(&type_in(t, text, name, label)), EntityType::Company, "{text}");
        }
    }

    fn kind(t: &Typed) -> EntityType {
        match t {
            Typed::Listed(e) => e.kind,
            Typed::Kind(k) => *k,
        }
    }

    /// Every occurrence of each `(name, label)` in `text`, as NER mentions.
    fn mentions_at<'a>(text: &str, names: &[(&str, &'a str)]) -> Vec<MentionIn<'a>> {
        names
            .iter()
            .flat_map(|&(name, label)| {
                text.match_indices(name)
                    .map(|(i, s)| MentionIn {
                        start: i,
                        end: i + s.len(),
                        label,
                        features: None,
                        known_company: false,
                        known_organization: false,
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn a_bracketed_short_name_takes_its_long_names_type() {
        let t = typer();
        let text = "Les responsables de l'Autorité kenyane des fournitures médicales (Kemsa) sont accusés. Kemsa dément.";
        let ms = mentions_at(text, &[("Autorité kenyane des fournitures médicales", "ORG"), ("Kemsa", "ORG")]);
        let hints = t.hints(text, &ms);
        assert_eq!(kind(&hints.type_mention("Kemsa", "ORG", EntityType::Company)), EntityType::Organization);
        // a place in brackets, or a short name after a place, is no alias
        let text = "NEW YORK (Zorblax) - Shares rose. Zorblax said. Nissan Motor (Japan) grew.";
        let ms = mentions_at(text, &[("NEW YORK", "LOC"), ("Zorblax", "ORG"), ("Nissan Motor", "ORG"), ("Japan", "LOC")]);
        let forms = long_forms(text, &ms, &t.companies);
        assert!(forms.is_empty(), "{forms:?}");
    }

    #[test]
    fn media_units_quoted_media_and_research_centres() {
        let t = typer();
        let company = [
            // a listed medium's service or edition is a form of the medium
            ("Le reportage de BBC Culture a été vu des millions de fois.", "BBC Culture", "ORG"),
            ("Selon BBC Isle of Man, le vote est reporté.", "BBC Isle of Man", "ORG"),
            // a speech verb with its subject after it names the medium spoken to
            ("« Nous avons tout perdu », dit-elle à Zorblax Hebdo.", "Zorblax Hebdo", "ORG"),
            ("« Rien n'est décidé », a-t-il déclaré au Zorblax.", "Zorblax", "ORG"),
        ];
        let not_company = [
            (
                "Selon le Woodrow Zorblax International Centre for Scholars, la crise dure.",
                "Woodrow Zorblax International Centre for Scholars",
                "ORG",
            ),
            ("La Zorblax Institution publie un rapport.", "Zorblax Institution", "ORG"),
            ("« Nous partons », dit-il à Zorblax.", "Zorblax", "PER"),
            // campaigners and armed groups called a "groupe"
            ("Une enquête pour le compte du groupe Zorblax, qui milite pour l'accès au droit.", "Zorblax", "ORG"),
            ("En 2013, des rebelles majoritairement musulmans du groupe Zorblax ont pris le pouvoir.", "Zorblax", "ORG"),
            ("Il a fondé le Zorblax Earth Network (ZEN), une organisation à but non lucratif.", "Zorblax Earth Network", "ORG"),
        ];
        assert_companies(&t, &company, &not_company);
        // platforms one writes, meets or posts on
        let platforms = [
            ("« Nous sommes prêts », a ensuite écrit Mme Zorblaxa sur Zorgram.", "Zorgram", "MISC"),
            ("Il a commencé à participer à une réunion sur Zorblax.", "Zorblax", "MISC"),
            ("Les déguisements figureront parmi nos photos Zorgram cette année.", "Zorgram", "ORG"),
            ("The minister posted on Zorgram that talks had failed.", "Zorgram", "MISC"),
            ("Her Zorgram account has two million followers.", "Zorgram", "MISC"),
        ];
        let not_platforms = [
            // a place, a name of several words, an institution's name
            ("Le ministre a écrit sur Zorbville un livre.", "Zorbville", "LOC"),
            ("Une vidéo publiée sur Zorblax Santé montre la scène.", "Zorblax Santé", "MISC"),
            ("Il a écrit sur l'agence Zorblax un rapport.", "Zorblax", "ORG"),
        ];
        assert_companies(&t, &platforms, &not_platforms);
        // a person's first name is no organization of the lists (a school named Victoria)
        let text = "Victoria a quitté son poste. Victoria est partie.";
        let got = t.hints(text, &mentions_at(text, &[("Victoria", "PER")])).type_mention("Victoria", "PER", EntityType::Person);
        assert_eq!(got, Typed::Kind(EntityType::Person));
        let hints = t.hints("BBC Culture et BBC Afrique", &mentions_at("BBC Culture et BBC Afrique", &[("BBC Culture", "ORG")]));
        match hints.type_mention("BBC Culture", "ORG", EntityType::Organization) {
            Typed::Listed(e) => assert_eq!(e.id, "company:bbc"),
            other => panic!("BBC Culture: {other:?}"),
        }
    }

    #[test]
    fn version_numbers_and_plural_model_codes_read_as_products() {
        for name in ["Alivo 2.0", "Web 3.0", "PS5s", "A320s", "Zorblax v2.1"] {
            assert!(product_code(name) && !looks_like_a_company_name(name), "{name}");
        }
        for name in ["Zorblax", "3M", "France 24", "Channel 4", "7-Eleven", "Boeing"] {
            assert!(!product_code(name) && looks_like_a_company_name(name), "{name}");
        }
    }

    #[test]
    fn a_companys_own_brands_are_no_companies() {
        let t = typer();
        assert_companies(
            &t,
            &[("Le marché est dominé par des constructeurs comme Zorblax et Quimbo.", "Zorblax", "ORG")],
            &[
                ("Zorbco, which owns brands including Hellmann's and Quimbo, said it was disappointed.", "Hellmann's", "ORG"),
                ("Zorbco, qui possède des marques comme Zorblax et Quimbo, se dit déçu.", "Zorblax", "ORG"),
            ],
        );
        // the whole list, a possessive between two names included, is the company's products
        // (which keeps the classifier from calling them companies)
        let text = "Zorbco, which owns brands including Hellmann's and Quimbo, said it was disappointed.";
        let ms = mentions_at(text, &[("Hellmann", "ORG"), ("Quimbo", "ORG")]);
        let hints = t.hints(text, &ms);
        for name in ["Hellmann", "Quimbo"] {
            assert!(hints.by_name[&t.companies.key(name)].product > 0, "{name}");
        }
        let text = "Electric versions of the Qashqai and Juke are built in Sunderland.";
        let ms = mentions_at(text, &[("Qashqai", "ORG"), ("Juke", "ORG")]);
        let hints = t.hints(text, &ms);
        for name in ["Qashqai", "Juke"] {
            assert!(hints.by_name[&t.companies.key(name)].product > 0, "{name}");
        }
    }

    #[test]
    fn cues_type_unknown_names() {
        let t = typer();
        let company = [
            ("La start-up française Zorblax a levé 20 millions d'euros.", "Zorblax"),
            ("Selon le PDG de Zorblax, la demande explose.", "Zorblax"),
            ("Le groupe Zorblax prévoit des suppressions de postes.", "Zorblax"),
            ("Shares of Zorblax fell 4% on Tuesday.", "Zorblax"),
            ("Zorblax's shares fell 4% on Tuesday.", "Zorblax"),
            ("Zorblax Inc. said on Monday it would cut jobs.", "Zorblax"),
            ("Zorblax (NASDAQ: ZRBX) reported a loss.", "Zorblax"),
            ("Zorblax, the maker of the Zeta headset, said sales rose.", "Zorblax"),
            ("Zorblax's chief executive said the deal would close.", "Zorblax"),
            ("AI startup Zorblax raised $40 million.", "Zorblax"),
            // one cue types the other mentions of the name too
            ("Le fonds Zorblax Partners investit. Zorblax Partners vise 1 milliard.", "Zorblax Partners"),
        ];
        for (text, name) in company {
            assert_eq!(kind(&type_in(&t, text, name, "ORG")), EntityType::Company, "{text}");
        }
        let organization = [
            ("Le régulateur Zorblax a infligé une amende.", "Zorblax"),
            ("The regulator Zorblax fined the bank.", "Zorblax"),
            ("The Zorblax Central Bank raised rates.", "Zorblax Central Bank"),
            ("La Banque centrale de Zorblax a relevé ses taux.", "Banque centrale de Zorblax"),
            ("L'Université de Zorblax publie une étude.", "Université de Zorblax"),
            ("Le ministère zorblaxien de l'Économie, Zorblax Finance Ministry, dément.", "Zorblax Finance Ministry"),
            // no cue: the linker's own guess stays
            ("Zorblax a publié un rapport.", "Zorblax"),
        ];
        for (text, name) in organization {
            assert_eq!(kind(&type_in(&t, text, name, "ORG")), EntityType::Organization, "{text}");
        }
    }

    /// Listed companies come out as companies under their canonical id; an ordinary word
    /// only when NER calls it an organization.
    #[test]
    fn listed_names_and_ordinary_words() {
        let t = typer();
        let listed = type_in(&t, "Ubisoft a annoncé un nouveau jeu.", "Ubisoft", "ORG");
        assert!(matches!(&listed, Typed::Listed(e) if e.id == "company:ubisoft"), "{listed:?}");
        assert!(matches!(type_in(&t, "Air France-KLM a transporté 90 millions de passagers.", "Air France-KLM", "ORG"), Typed::Listed(_)));
        assert!(matches!(type_in(&t, "Target's shares fell.", "Target", "ORG"), Typed::Listed(_)));
        // an ordinary word without context stays what the linker says
        assert_eq!(type_in(&t, "Target cut its forecast.", "Target", "ORG"), Typed::Kind(EntityType::Organization));
        assert_eq!(type_in(&t, "Profits at Acme Corp rose. Corp said", "Corp", "ORG"), Typed::Kind(EntityType::Organization));
        assert_eq!(type_in(&t, "<BUD.N> rose", "BUD.N", "ORG"), Typed::Kind(EntityType::Organization));
        assert_eq!(type_in(&t, "Target practice began.", "Target", "MISC"), Typed::Kind(EntityType::Organization));
        assert_eq!(type_in(&t, "He met Lincoln in Washington.", "Lincoln", "PER"), Typed::Kind(EntityType::Organization));
        assert_eq!(SpanHints::none().type_mention("Ubisoft", "ORG", EntityType::Organization), Typed::Kind(EntityType::Organization));
    }

    /// The bodies of organizations.tsv (agencies, intergovernmental bodies) are organizations,
    /// and count as institutions, not companies, for the names listed beside them.
    #[test]
    fn listed_bodies_are_organizations() {
        let t = typer();
        for (text, name) in [
            ("La NSA et le FBI ont enquêté.", "NSA"),
            ("Interpol a émis une notice rouge.", "Interpol"),
            ("L'OCDE prévoit une croissance de 1 %.", "OCDE"),
            ("The Federal Bureau of Investigation said on Monday it was investigating.", "Federal Bureau of Investigation"),
        ] {
            let typed = type_in(&t, text, name, "ORG");
            assert!(matches!(&typed, Typed::Listed(e) if e.kind == EntityType::Organization), "{text}: {typed:?}");
        }
        // "Zorblax" named beside two listed bodies is one of their kind (it was a company's
        // neighbour while every listed name counted as a company), beside companies a company
        let among = |text: &str| {
            let ms: Vec<MentionIn> = text
                .split([',', ' '])
                .filter(|w| w.starts_with(char::is_uppercase))
                .map(|w| {
                    let i = text.find(w).unwrap();
                    MentionIn { start: i, end: i + w.len(), label: "ORG", features: None, known_company: false, known_organization: false }
                })
                .collect();
            kind(&t.hints(text, &ms).type_mention("Zorblax", "ORG", EntityType::Organization))
        };
        assert_eq!(among("Europol, Interpol et Zorblax coopèrent."), EntityType::Organization);
        assert_eq!(among("Ubisoft, Vivendi et Zorblax recrutent."), EntityType::Company);
    }

    /// Issue 16's organizations that read like companies: an acronym takes its long name's
    /// type, clubs in sentences about sport, central banks, unions, indices; media quoted
    /// as a source are companies.
    #[test]
    fn acronyms_sport_media_and_institutions() {
        let t = typer();
        let org = [
            ("The Communication Workers Union (CWU) rejected the offer. CWU said it would strike.", "CWU"),
            ("La National Security Agency des États-Unis dément. Selon la NSA, rien n'a fui.", "NSA"),
            ("Zorblax a battu Glorbium 4-0 en Ligue 1.", "Zorblax"),
            ("The Bank of Zorblax raised rates.", "Bank of Zorblax"),
            ("The Zorblax Workers Union called a strike.", "Zorblax Workers Union"),
            ("The Zorblax tracks the prices of shares.", "Zorblax"),
            ("Les députés Zorblax ont voté contre le texte.", "Zorblax"),
            ("Zorblax MPs voted against the bill.", "Zorblax"),
        ];
        for (text, name) in org {
            assert_eq!(kind(&type_in(&t, text, name, "ORG")), EntityType::Organization, "{text}");
        }
        let company = [
            ("Le porte-parole a indiqué à Zorblax Radio que l'enquête avançait.", "Zorblax Radio"),
            ("He told Zorblax the deal was off.", "Zorblax"),
            ("The Zorblax Gazette reported the deal.", "Zorblax Gazette"),
        ];
        for (text, name) in company {
            assert_eq!(kind(&type_in(&t, text, name, "ORG")), EntityType::Company, "{text}");
        }
        assert_eq!(initials("Organisation mondiale de la santé")[1], "OMS");
        assert!(is_acronym("AT&T") && !is_acronym("Nasa") && !is_acronym("A"));
        assert!(!looks_like_a_company_name("Rival chains") && !looks_like_a_company_name("Next, Boots and Waterstones"));
        assert!(!looks_like_a_company_name("EU-wide") && looks_like_a_company_name("Lick Me I'm Delicious"));
    }

    /// French cues of the third issue-16 round: appositions and copulas that call a name a
    /// business, a company word right before a name NER called a person or a place, armed
    /// and advocacy groups, public bodies, indices that lose points, programmes.
    #[test]
    fn french_company_and_organization_cues() {
        let t = typer();
        let company = [
            ("Le plus grand opérateur de téléphonie mobile d'Afrique, Zorblax, dément.", "Zorblax", "ORG"),
            ("Zorblax est le premier fabricant de puces du pays.", "Zorblax", "ORG"),
            ("Zorblax, coté en Bourse depuis 2010, recule.", "Zorblax", "ORG"),
            ("L'antenne locale d'Zorblax montrait les images.", "Zorblax", "ORG"),
            ("Un vaccin fabriqué par la société d'État chinoise Zorblax.", "Zorblax", "LOC"),
            ("Le groupe Zorblax a racheté le port.", "Zorblax", "PER"),
            ("Zorblax a publié un rapport selon Radio Zorblax Internationale.", "Radio Zorblax Internationale", "ORG"),
            ("Un vaccin développé par Zorblax arrive.", "Zorblax", "ORG"),
        ];
        let not_company = [
            ("Un groupe affilié à Zorblax a revendiqué l'attaque.", "Zorblax", "ORG"),
            ("Le groupe armé Zorblax contrôle la région.", "Zorblax", "ORG"),
            ("L'indice Nikkei a perdu 12 points et le Zorblax a cédé 11,23 points (0,94%).", "Zorblax", "ORG"),
            ("La gendarmerie de Zorblax enquête.", "gendarmerie de Zorblax", "ORG"),
            ("Le document est sur Zorblax.gov depuis lundi.", "Zorblax.gov", "ORG"),
            // a preposition or a role between the company word and the name
            ("L'entreprise basée à Zorblax recrute.", "Zorblax", "LOC"),
            ("Le groupe de Zorblax chante.", "Zorblax", "PER"),
        ];
        assert_companies(&t, &company, &not_company);
        assert!(company_adjacent("la société d'État chinoise ") && !company_adjacent("the firm chairman "));
    }

    /// Cues of the fourth issue-16 round, found on French articles annotated after the
    /// third: media quoted in sport sentences and named by their journalists, lists after
    /// company words, consultancies, products with an indefinite article, possessive
    /// executives, a listed company and its country, quoted titles.
    #[test]
    fn media_lists_products_and_executives() {
        let t = typer();
        let company = [
            ("Le club reprendra l'entraînement lundi, a appris Zorblax Info.", "Zorblax Info", "ORG"),
            ("Le match a été reporté, a déclaré l'entraîneur à Zorblax.", "Zorblax", "ORG"),
            ("Joint par Zorblax, le chef de mission dément.", "Zorblax", "ORG"),
            ("Zorblax a contacté le laboratoire pour commentaires.", "Zorblax", "ORG"),
            ("Le responsable a affirmé sur Zorblax que rien ne changerait.", "Zorblax", "ORG"),
            ("L'agence de notation Zorblax a abaissé la note de la France.", "Zorblax", "ORG"),
            ("Selon le site d'information Zorblax, le projet est abandonné.", "Zorblax", "ORG"),
            ("La lettre a été publiée par le journal régional \"Zorblax Star\" jeudi.", "Zorblax Star", "MISC"),
            ("Le porte-parole du gouvernement a déclaré à Zorblax que le rapport serait lu.", "Zorblax", "ORG"),
            ("Selon le correspondant économique de Zorblax, le port est saturé.", "Zorblax", "MISC"),
            ("On lit dans les colonnes du Zorblax que la loi passera.", "Zorblax", "MISC"),
            ("Selon le journal sud-africain Zorblax, un neuvième homme est recherché.", "Zorblax", "LOC"),
            ("Les prix montent, explique Lars Jensen du cabinet Zorblax.", "Zorblax", "PER"),
            ("Dominic Smith, Zorblax's chief executive, said sales rose.", "Zorblax", "MISC"),
            ("Zorblax's London-listed shares have lost half their value.", "Zorblax", "ORG"),
        ];
        let not_company = [
            // a verb between an English company word and the name
            ("UK-based delivery firm quits Zorblax after seven years.", "Zorblax", "LOC"),
            // a campaign group, and "lève le voile" raises no money
            ("Le groupe de campagne Zorblax Farming a écrit aux gouvernements.", "Zorblax Farming", "ORG"),
            ("Lorsque Zorblax lève le voile sur la diplomatie, le débat s'ouvre.", "Zorblax", "ORG"),
            // a car of a listed maker, a number before a plural group
            ("Les voisins ont vu une Mercedes-Benz 2021 devant la maison.", "Mercedes-Benz", "ORG"),
            ("Huit Zorblaxiens ont comparu devant le tribunal.", "Zorblaxiens", "ORG"),
            // an apposition that calls it an institution
            ("Zorblax Watch, une ONG britannique, a publié un rapport.", "Zorblax Watch", "ORG"),
            ("Zorblax Media est une association de parents.", "Zorblax Media", "ORG"),
            ("Elle pourchasse les Forces zorblaxiennes, un groupe rebelle venu du nord.", "Forces zorblaxiennes", "ORG"),
            // "central" alone is no institution word, but a central bank is one
            ("La Banque centrale de Zorblax a relevé ses taux.", "Banque centrale de Zorblax", "ORG"),
        ];
        assert_companies(&t, &company, &not_company);
        // every name of a list after a company word, places NER saw in it too; not a plain list
        let list = |text: &str, names: &[(&str, &str)], name: &str| {
            let ms: Vec<MentionIn> = names
                .iter()
                .map(|(n, label)| {
                    let i = text.find(n).expect("name in text");
                    MentionIn { start: i, end: i + n.len(), label, features: None, known_company: false, known_organization: false }
                })
                .collect();
            let label = names.iter().find(|(n, _)| *n == name).map(|(_, l)| *l).unwrap_or("ORG");
            kind(&t.hints(text, &ms).type_mention(name, label, EntityType::Organization))
        };
        let text = "Des entreprises technologiques telles que Zorblax, Glorbium et Quuxly aident les parents.";
        let names = [("Zorblax", "ORG"), ("Glorbium", "MISC"), ("Quuxly", "MISC")];
        assert!(names.iter().all(|(n, _)| list(text, &names, n) == EntityType::Company), "{text}");
        let text = "Des sociétés comme Acmeon, Zorblax et Glorbium investissent au Mozambique.";
        let names = [("Acmeon", "ORG"), ("Zorblax", "LOC"), ("Glorbium", "ORG")];
        assert_eq!(list(text, &names, "Zorblax"), EntityType::Company);
        let text = "Des groupes armés tels que Zorblax, Glorbium et Quuxly contrôlent la région.";
        let names = [("Zorblax", "ORG"), ("Glorbium", "ORG"), ("Quuxly", "ORG")];
        assert!(names.iter().all(|(n, _)| list(text, &names, n) != EntityType::Company), "{text}");
        // a name joined to an institution is counted as one of its kind, not beside a company
        let votes = |text: &str, names: &[&str]| {
            let ms: Vec<MentionIn> = names
                .iter()
                .map(|n| {
                    let i = text.find(n).expect("name in text");
                    MentionIn { start: i, end: i + n.len(), label: "ORG", features: None, known_company: false, known_organization: false }
                })
                .collect();
            t.hints(text, &ms).by_name.get("zorblax").map(|v| (v.org_neighbour, v.listed_neighbour))
        };
        assert_eq!(
            votes("Le ministère de la Justice et Zorblax ont mené l'enquête.", &["ministère de la Justice", "Zorblax"]),
            Some((1, 0))
        );
        assert_eq!(
            votes("Le ministère de la Justice, Ubisoft et Zorblax ont signé.", &["ministère de la Justice", "Ubisoft", "Zorblax"]),
            Some((0, 0))
        );
        let text = "Il a vécu à Paris, Zorblax et Lyon.";
        assert_eq!(list(text, &[("Paris", "LOC"), ("Zorblax", "LOC"), ("Lyon", "LOC")], "Zorblax"), EntityType::Organization);
        assert!(org_name_words().is_match("Banque centrale européenne") && !org_name_words().is_match("Comedy Central"));
        assert!(media_name_start().is_match("TV Land") && company_name_words().is_match("Stage Entertainment"));
        assert_eq!(country_suffix_head("Vale du Brésil"), Some("Vale"));
        assert_eq!(country_suffix_head("Eni d'Italie"), Some("Eni"));
        assert_eq!(country_suffix_head("Banque de France"), None);
        assert_eq!(country_suffix_head("Université de Bristol"), None);
        assert!(quoted("comme « ", " » ou") && !quoted("comme ", " ou"));
        assert!(
            indefinite_product("une ", " 2021,") && indefinite_product("drove a ", " and") && !indefinite_product("a ", " spokesman said")
        );
        // a listed club in a sports article is a club; its shares make it a company
        let names = [("Benfica", "ORG"), ("Porto", "ORG"), ("Sporting", "ORG"), ("Braga", "ORG")];
        let report = "Benfica a battu Porto 2-1 samedi. Le Sporting a fait match nul 1-1. Braga a gagné 3-0 à domicile.";
        assert_eq!(list(report, &names, "Benfica"), EntityType::Organization);
        let shares = "Les actions de Benfica montent. Porto a battu Braga 2-1 et le Sporting a fait nul 1-1.";
        assert_eq!(list(shares, &names, "Benfica"), EntityType::Company);
        // a listed company and its country: the company
        let listed = type_in(&t, "Le groupe Eni d'Italie investit.", "Eni d'Italie", "ORG");
        assert!(matches!(&listed, Typed::Listed(e) if e.id == "company:eni"), "{listed:?}");
    }

    /// Cues of the fifth issue-16 round (38 articles annotated blind in session 11): a
    /// quoted newspaper with its apposition, a title quoted after a speech verb, a medium
    /// asking a question in a sentence about a club, a company word that beats a sport
    /// sentence.
    #[test]
    fn quoted_titles_questions_and_company_words_in_sport() {
        let t = typer();
        let company = [
            ("La nouvelle a été rapportée par le \"Zorblax Reporter\", un journal catholique.", "Zorblax Reporter", "ORG"),
            ("\"Ils vont bien\" explique Le Zorblax.", "Le Zorblax", "ORG"),
            ("Selon Le Zorblax, le projet est abandonné.", "Le Zorblax", "ORG"),
            ("Le club a répondu à une question de la Zorblax sur le match.", "Zorblax", "ORG"),
            ("Après le rachat du club par la société d'investissement Zorblax United, il signe.", "Zorblax United", "ORG"),
            ("A ne pas rater sur Zorblax Afrique : le match de la saison.", "Zorblax Afrique", "ORG"),
        ];
        let not_company = [
            // a capital article after a speech verb: only a title of one word
            ("\"Il faut agir\", explique Le Parti Zorblax.", "Le Parti Zorblax", "ORG"),
            ("Le club Zorblax United a gagné le match.", "Zorblax United", "ORG"),
        ];
        assert_companies(&t, &company, &not_company);
    }

    #[test]
    fn builtin_classifier_loads() {
        let c = TypeClassifier::builtin().expect("classifier.json parses");
        assert_eq!(c.weights.len(), c.mean.len());
        assert!(c.organization_at < c.company_at);
    }
}
