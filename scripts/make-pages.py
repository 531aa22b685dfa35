#!/usr/bin/env python3
"""Article pages for the main-text extraction benchmark (issue 16, item 7).

Wraps real article texts read at run time from ../shared/data (MasakhaNEWS dev, WMT
newstest2014 dev, Reuters-21578 bodies; HuffPost headlines and descriptions for the
teasers around them) into varied page templates: CMS-like layouts with navigation,
breadcrumbs, related links, "read also" boxes, comments, cookie banners, newsletter
boxes, share bars, ads, author bios and footers. Nothing of the texts is copied into
the repository: the pages go to --out.

Writes --out/pages/NNN-template.html and --out/gold.jsonl, one line a page:
  {"file", "template", "split": "tune"|"heldout", "lang", "source",
   "with": [snippets that must be in the main text],
   "without": [boilerplate snippets that must not]}
scored the way trafilatura scores its own benchmark (per page TP/FN over "with",
FP over "without"; precision, recall and F1 over all pages).

Half the templates are for tuning the extractor, the other half are held out (see
TEMPLATES). Deterministic for a given --seed. Python standard library only.
"""

import argparse
import csv
import glob
import html
import json
import os
import random
import re
import sys

csv.field_size_limit(1 << 30)

# ---------------------------------------------------------------- texts


def sentences(text):
    parts = re.split(r"(?<=[.!?…])\s+(?=[«\"“A-ZÀÂÇÉÈÊËÎÏÔÛÙÜŸ0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def group_paragraphs(sents, rng):
    paras, cur, want = [], [], rng.randint(1, 4)
    for s in sents:
        cur.append(s)
        if len(cur) >= want:
            paras.append(" ".join(cur))
            cur, want = [], rng.randint(1, 4)
    if cur:
        paras.append(" ".join(cur))
    return paras


def load_articles(shared, rng):
    """Articles: dicts with lang, title, paras, source, date."""
    out = []
    for lang, fname in (("fr", "fra_dev.tsv"), ("en", "eng_dev.tsv")):
        path = os.path.join(shared, "topics", fname)
        with open(path, encoding="utf-8") as f:
            for i, row in enumerate(csv.DictReader(f, delimiter="\t")):
                text = row["text"]
                if "\n" in text:
                    paras = [p.strip() for p in text.split("\n") if len(p.strip()) > 0]
                else:
                    paras = group_paragraphs(sentences(text), rng)
                # MasakhaNEWS keeps BBC's inline promos ("A ne pas manquer sur BBC Afrique :")
                paras = [p for p in paras if "BBC Afrique" not in p and "ne pas manquer" not in p.lower()]
                out.append({"lang": lang, "title": row["headline"].strip(), "paras": paras, "source": f"masakhanews-{lang}-dev:{i}"})
    with open(os.path.join(shared, "crosslingual", "wmt14_fren_dev.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            paras = [p.strip() for p in d["body"].split("\n") if p.strip()]
            if len(paras) < 5:
                continue
            out.append({"lang": d["lang"], "title": d["title"].strip(), "paras": paras, "source": "wmt14-dev:" + d["id"]})
    for path in sorted(glob.glob(os.path.join(shared, "corpus", "reuters21578", "reut2-*.sgm"))):
        with open(path, encoding="latin-1") as f:
            t = f.read()
        for m in re.finditer(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", t, re.S):
            r = m.group(2)
            b = re.search(r"<BODY>(.*?)</BODY>", r, re.S)
            ti = re.search(r"<TITLE>(.*?)</TITLE>", r, re.S)
            if not b or not ti or len(b.group(1)) < 2500:
                continue
            body = html.unescape(b.group(1)).replace("\x03", "")
            body = re.sub(r"\s*Reuter\s*$", "", body.strip())
            paras = [" ".join(p.split()) for p in re.split(r"\n {3,}", body) if p.strip()]
            if len(paras) < 6:
                continue
            title = html.unescape(ti.group(1)).strip().title()
            out.append({"lang": "en", "title": title, "paras": paras, "source": f"reuters21578:{m.group(1)}"})
    return out


def load_teasers(shared):
    """Headlines and descriptions of other articles (related links, most read, promos)."""
    fr, en = [], []
    with open(os.path.join(shared, "corpus", "huffpost_news_category_v3.first10k.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("headline") and d.get("short_description"):
                en.append((d["headline"].strip(), d["short_description"].strip(), d.get("authors", "").strip()))
    with open(os.path.join(shared, "topics", "fra_dev.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            s = sentences(row["text"])
            fr.append((row["headline"].strip(), s[0] if s else "", ""))
    with open(os.path.join(shared, "crosslingual", "wmt14_fren_dev.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["lang"] == "fr":
                fr.append((d["title"].strip(), d["body"].split("\n")[0].strip(), ""))
    return {"fr": fr, "en": en}


# ---------------------------------------------------------------- boilerplate text

L = {
    "fr": {
        "sections": ["International", "Politique", "Économie", "Société", "Culture", "Sport", "Sciences", "Planète", "Idées",
                     "Vidéos", "Podcasts", "Santé", "Tech", "Éducation", "Régions", "Météo"],
        "home": "Accueil",
        "related": ["Sur le même sujet", "À lire aussi", "Nos articles sur le sujet", "Dans la même rubrique", "Vous aimerez aussi"],
        "readalso": ["Lire aussi", "À lire aussi", "Lire aussi :", "LIRE AUSSI", "Sur le même sujet :"],
        "mostread": ["Les plus lus", "Les articles les plus lus", "Populaires", "Tendances"],
        "comments": ["Réactions", "Commentaires", "Vos commentaires", "Les contributions"],
        "reply": "Répondre",
        "cookie": [
            "Nous utilisons des cookies pour améliorer votre expérience de navigation, mesurer l'audience du site et vous proposer des publicités personnalisées.",
            "Avec votre accord, nos partenaires et nous utilisons des cookies ou technologies similaires pour stocker et accéder à des informations personnelles comme votre visite sur ce site.",
            "Ce site utilise des traceurs afin de vous offrir une meilleure expérience et de réaliser des statistiques de visite.",
        ],
        "cookie_buttons": ["Tout accepter", "Continuer sans accepter", "Paramétrer les cookies", "J'accepte"],
        "newsletter": [
            "Inscrivez-vous à notre newsletter quotidienne et recevez chaque matin l'essentiel de l'actualité.",
            "Recevez gratuitement notre lettre d'information avec une sélection des meilleurs articles de la semaine.",
            "Chaque soir, retrouvez le récapitulatif de l'actualité du jour dans votre boîte mail.",
        ],
        "newsletter_button": ["Je m'inscris", "S'inscrire", "Valider"],
        "email": "Votre adresse e-mail",
        "share": ["Partager sur Facebook", "Partager sur X", "Partager sur LinkedIn", "Envoyer par e-mail", "Copier le lien", "Partager sur WhatsApp"],
        "footer": ["Mentions légales", "Politique de confidentialité", "Conditions générales d'utilisation", "Gestion des cookies",
                   "Plan du site", "Nous contacter", "Publicité", "Charte de déontologie", "Recrutement", "Aide"],
        "rights": "Tous droits réservés",
        "ad": ["Publicité", "PUBLICITÉ", "Contenu sponsorisé"],
        "sponsored": [
            "Ce placement méconnu séduit de plus en plus d'épargnants français",
            "Isolation des combles : les aides de l'État que peu de propriétaires connaissent",
            "Les meilleures offres de mutuelle santé comparées en deux minutes",
            "Cette méthode permet de réduire sa facture d'électricité de moitié",
        ],
        "bio": [
            "{name} est journaliste au service {section} depuis {year}. Auparavant correspondant à l'étranger, il suit notamment les questions de {topic}.",
            "Journaliste à la rubrique {section}, {name} a rejoint la rédaction en {year} après plusieurs années en presse régionale.",
        ],
        "topics": ["énergie", "diplomatie", "santé publique", "numérique", "climat", "justice"],
        "by": "Par",
        "published": "Publié le",
        "updated": "Mis à jour le",
        "subscribe": [
            "Cet article est réservé aux abonnés. Il vous reste 75% à découvrir.",
            "La suite de cet article est réservée à nos abonnés. Abonnez-vous dès 1 € le premier mois.",
        ],
        "subscribe_button": "Je m'abonne",
        "login": "Se connecter",
        "search": "Rechercher",
        "tags": "Mots-clés",
        "live": ["EN DIRECT", "Direct"],
        "live_more": ["Voir plus de publications", "Charger les messages précédents"],
        "keyevents": "Les moments clés",
        "comment_cta": "Connectez-vous pour réagir à cet article.",
        "more_from": "Plus d'articles de",
        "follow": "Suivre",
        "reading_time": "Temps de lecture : {n} min",
        "app": "Téléchargez notre application pour suivre l'actualité en temps réel, où que vous soyez.",
        "appeal": [
            "Notre rédaction est indépendante : elle ne vit que grâce à ses lecteurs. Soutenez un journalisme libre en vous abonnant.",
            "Vous avez aimé cet article ? Soutenez notre travail et aidez-nous à enquêter en toute indépendance.",
        ],
        "cta": [
            "Suivez toute l'actualité en temps réel sur notre chaîne WhatsApp.",
            "Cet article vous a été utile ? Ajoutez-nous à vos sources préférées dans Google Actualités.",
            "Pour ne rien manquer de l'actualité, téléchargez notre application gratuite.",
        ],
        "profile": "Passionné d'histoire et de voyages, j'écris ici sur ce qui m'étonne depuis une dizaine d'années.",
        "archive": "Archives du blog",
        "explore": "Explorer les sujets",
        "essentials": "Ce qu'il faut retenir",
        "press": "Service de presse : +33 1 40 00 00 00, du lundi au vendredi de 9 h à 18 h.",
        "standards": "Nos engagements éditoriaux : la charte de la rédaction",
        "latest": "Dernières actualités",
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    },
    "en": {
        "sections": ["World", "Politics", "Business", "Tech", "Science", "Health", "Culture", "Sport", "Opinion", "Video", "Podcasts",
                     "Climate", "Markets", "Travel", "Education", "Weather"],
        "home": "Home",
        "related": ["Related stories", "More on this story", "Read more", "You may also like", "Related coverage"],
        "readalso": ["Read more:", "Related:", "READ MORE", "See also:", "Also read:"],
        "mostread": ["Most read", "Most popular", "Trending now", "Top stories"],
        "comments": ["Comments", "Join the conversation", "Reader comments", "Responses"],
        "reply": "Reply",
        "cookie": [
            "We use cookies and similar technologies to personalise content and ads, to provide social media features and to analyse our traffic.",
            "This website stores cookies on your computer to improve your browsing experience and for analytics about our visitors.",
            "By clicking Accept all, you agree to the storing of cookies on your device to enhance site navigation and assist in our marketing efforts.",
        ],
        "cookie_buttons": ["Accept all", "Reject all", "Manage preferences", "I agree"],
        "newsletter": [
            "Sign up for our morning briefing and get the day's top stories delivered straight to your inbox.",
            "Get the best of our journalism every weekday with our free newsletter, curated by our editors.",
            "Subscribe to our weekly newsletter for in-depth analysis of the stories that matter.",
        ],
        "newsletter_button": ["Sign up", "Subscribe", "Submit"],
        "email": "Your email address",
        "share": ["Share on Facebook", "Share on X", "Share on LinkedIn", "Share via email", "Copy link", "Share on WhatsApp"],
        "footer": ["Terms of Use", "Privacy Policy", "Cookie Settings", "Accessibility", "Contact us", "Advertise with us",
                   "Work for us", "Site map", "Help centre", "Editorial standards"],
        "rights": "All rights reserved",
        "ad": ["Advertisement", "ADVERTISEMENT", "Sponsored content"],
        "sponsored": [
            "Homeowners are switching to this simple trick to lower their energy bills",
            "Doctors stunned by this easy morning routine for better sleep",
            "The five best credit cards of the year, ranked by our partners",
            "This little-known savings account pays five times the national average",
        ],
        "bio": [
            "{name} is a senior correspondent covering {section} for the paper since {year}, with a focus on {topic}.",
            "{name} joined the {section} desk in {year} after reporting from three continents. Follow her coverage of {topic}.",
        ],
        "topics": ["energy policy", "diplomacy", "public health", "technology", "climate", "the courts"],
        "by": "By",
        "published": "Published",
        "updated": "Updated",
        "subscribe": [
            "This article is for subscribers only. Subscribe now to keep reading.",
            "You have reached your limit of free articles this month. Subscribe for unlimited access.",
        ],
        "subscribe_button": "Subscribe",
        "login": "Sign in",
        "search": "Search",
        "tags": "Topics",
        "live": ["LIVE", "Live updates"],
        "live_more": ["Load more posts", "Show older updates"],
        "keyevents": "Key events",
        "comment_cta": "Sign in to join the conversation on this story.",
        "more_from": "More from",
        "follow": "Follow",
        "reading_time": "{n} min read",
        "app": "Download our app to get breaking news alerts and the latest stories wherever you are.",
        "appeal": [
            "Unlike many others, our journalism is free for everyone to read because it is funded by readers like you.",
            "If you value independent reporting, please consider supporting us with a monthly contribution today.",
        ],
        "cta": [
            "Follow our live coverage and breaking news alerts on our WhatsApp channel.",
            "Get the latest headlines sent straight to your phone by enabling notifications in our app.",
            "Have a news tip? Contact our reporters securely through our confidential tips page.",
        ],
        "profile": "Writer, traveller and occasional photographer sharing notes on whatever catches my eye since 2011.",
        "archive": "Blog Archive",
        "explore": "Explore more on these topics",
        "essentials": "Key points",
        "press": "Press office: +44 20 7000 0000, Monday to Friday from 9am to 6pm.",
        "standards": "Our Standards: The Trust Principles.",
        "latest": "Latest news",
        "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
                   "December"],
    },
}

SITES = {
    "fr": ["Le Courrier du Matin", "La Dépêche de l'Ouest", "Le Journal des Nations", "L'Observateur Continental", "Info Plein Sud",
           "Le Quotidien Numérique"],
    "en": ["The Daily Ledger", "Northern Chronicle", "The Morning Dispatch", "Global Herald", "Capital Review", "The Evening Standard Post"],
}
FIRST = ["Claire", "Julien", "Amina", "Thomas", "Sarah", "Karim", "Léa", "David", "Nadia", "Paul", "Emma", "Omar", "Lucy", "Marc"]
LAST = ["Martin", "Diallo", "Bernard", "Okafor", "Petit", "Nguyen", "Moreau", "Mensah", "Laurent", "Fischer", "Kowalski", "Haddad"]
NICKS = ["jdupont75", "citoyen_libre", "marie.l", "Observer42", "kwame_a", "NoName", "lecteur_assidu", "skeptic_99", "anna-b",
         "ProvenceSun", "tom_h", "realist"]


# ---------------------------------------------------------------- page model


def esc(s):
    return html.escape(s, quote=True)


def attr(s):
    return html.escape(s, quote=True)


class Page:
    """One page under construction: its article blocks and the boilerplate strings it shows."""

    def __init__(self, rng, art, teasers, pool_sents, template, split):
        self.rng = rng
        self.art = art
        self.lang = art["lang"]
        self.t = L[self.lang]
        self.teasers = teasers
        self.pool_sents = pool_sents
        self.template = template
        self.split = split
        self.site = rng.choice(SITES[self.lang])
        self.slug = re.sub(r"[^a-z0-9]+", "-", art["title"].lower())[:60].strip("-") or "article"
        self.author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        y, m, d = rng.randint(2021, 2024), rng.randint(1, 12), rng.randint(1, 28)
        self.date_iso = f"{y:04d}-{m:02d}-{d:02d}T{rng.randint(6, 21):02d}:{rng.randint(0, 59):02d}:00+01:00"
        self.date_text = f"{d} {self.t['months'][m - 1]} {y}" if self.lang == "fr" else f"{self.t['months'][m - 1]} {d}, {y}"
        self.section = rng.choice(self.t["sections"][:8])
        self.boiler = []  # (kind, text) shown on the page, never article text
        self.hidden_article = []  # article texts present only in JSON-LD (not visible)
        self.blocks = build_blocks(rng, art)
        self.used_teasers = set()

    # -- boilerplate pieces (each registers the strings it shows)

    def b(self, kind, text):
        self.boiler.append((kind, text))
        return esc(text)

    def teaser(self):
        for _ in range(50):
            t = self.rng.choice(self.teasers[self.lang])
            if t[0] not in self.used_teasers and t[0] != self.art["title"]:
                self.used_teasers.add(t[0])
                return t
        return self.rng.choice(self.teasers[self.lang])

    def href(self, text):
        return "/" + re.sub(r"[^a-z0-9]+", "-", text.lower())[:50].strip("-") + ".html"

    def other_sentence(self):
        return self.rng.choice(self.pool_sents[self.lang])

    def sections(self, n):
        return self.rng.sample(self.t["sections"], n)

    def nav_links(self, n, cls=None, li=True):
        c = f' class="{cls}"' if cls else ""
        items = [f'<a href="/{s.lower()}/"{c}>{self.b("nav", s)}</a>' for s in self.sections(n)]
        return "".join(f"<li>{i}</li>" for i in items) if li else "\n".join(items)

    def mega_menu(self):
        cols = []
        for s in self.sections(self.rng.randint(4, 6)):
            h, desc, _ = self.teaser()
            subs = "".join(f'<li><a href="/{s.lower()}/{x.lower()}/">{self.b("nav", x)}</a></li>' for x in self.sections(3))
            cols.append(
                f'<div class="menu-col"><a class="menu-title" href="/{s.lower()}/">{self.b("nav", s)}</a><ul>{subs}</ul>'
                f'<div class="menu-featured"><a href="{self.href(h)}"><img src="/img/{self.rng.randint(1000, 9999)}.jpg" alt="">'
                f"<span>{self.b('menu-teaser', h)}</span></a></div></div>"
            )
        return "".join(cols)

    def breadcrumbs(self, sep="›"):
        return f'<a href="/">{self.b("crumb", self.t["home"])}</a> {sep} <a href="/{self.section.lower()}/">{esc(self.section)}</a> {sep} <span>{esc(self.art["title"][:40])}</span>'

    def related_items(self, n, with_desc=False, tag="li"):
        out = []
        for _ in range(n):
            h, desc, _ = self.teaser()
            d = f"<p>{self.b('related-desc', desc)}</p>" if with_desc and desc else ""
            out.append(f'<{tag}><a href="{self.href(h)}">{self.b("related", h)}</a>{d}</{tag}>')
        return "".join(out)

    def comments(self, n, style="wp"):
        out = []
        for i in range(n):
            nick = self.rng.choice(NICKS)
            text = self.other_sentence()
            if self.rng.random() < 0.5:
                text += " " + self.other_sentence()
            if style == "wp":
                out.append(
                    f'<li class="comment" id="comment-{i + 100}"><article class="comment-body"><footer class="comment-meta">'
                    f'<b class="fn">{esc(nick)}</b> <time>{esc(self.date_text)}</time></footer>'
                    f'<div class="comment-content"><p>{self.b("comment", text)}</p></div>'
                    f'<div class="reply"><a class="comment-reply-link" href="#">{esc(self.t["reply"])}</a></div></article></li>'
                )
            else:
                out.append(
                    f'<div class="{style}"><div><span>{esc(nick)}</span> · <span>{self.rng.randint(1, 23)} h</span></div>'
                    f"<div><p>{self.b('comment', text)}</p></div><div><button>{esc(self.t['reply'])}</button> "
                    f"<span>{self.rng.randint(0, 40)}</span></div></div>"
                )
        return "".join(out)

    def cookie_text(self):
        return self.b("cookie", self.rng.choice(self.t["cookie"]))

    def newsletter_text(self):
        return self.b("newsletter", self.rng.choice(self.t["newsletter"]))

    def share_links(self, n=4, sep=""):
        return sep.join(f'<a href="#" rel="nofollow">{self.b("share", s)}</a>' for s in self.rng.sample(self.t["share"], n))

    def footer_links(self, n=6):
        return "".join(f'<li><a href="/{i}">{self.b("footer", s)}</a></li>' for i, s in enumerate(self.rng.sample(self.t["footer"], n)))

    def rights(self):
        return self.b("footer", f"© {self.rng.randint(2022, 2025)} {self.site}. {self.t['rights']}.")

    def ad(self, cls="ad"):
        label = self.b("ad-label", self.rng.choice(self.t["ad"]))
        text = self.b("ad", self.rng.choice(self.t["sponsored"]))
        return f'<div class="{cls}"><span class="ad-label">{label}</span><a href="https://ads.example.net/c?{self.rng.randint(1, 10**6)}">{text}</a></div>'

    def bio(self):
        tpl = self.rng.choice(self.t["bio"])
        return self.b(
            "bio", tpl.format(name=self.author, section=self.section.lower(), year=self.rng.randint(2008, 2020), topic=self.rng.choice(self.t["topics"]))
        )

    def jsonld(self, body=None):
        d = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.art["title"],
            "datePublished": self.date_iso,
            "author": {"@type": "Person", "name": self.author},
            "publisher": {"@type": "Organization", "name": self.site},
            "inLanguage": self.lang,
        }
        if body is not None:
            d["articleBody"] = body
        return '<script type="application/ld+json">' + json.dumps(d, ensure_ascii=False).replace("</", "<\\/") + "</script>"

    def head(self, extra=""):
        a = self.art
        desc = a["paras"][0][:200]
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8"><title>{esc(a["title"])} - {esc(self.site)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="description" content="{attr(desc)}"><meta property="og:title" content="{attr(a["title"])}">'
            f'<meta property="og:description" content="{attr(desc)}"><meta property="og:site_name" content="{attr(self.site)}">'
            f'<meta property="article:published_time" content="{self.date_iso}">'
            f'<link rel="canonical" href="https://www.example-{self.lang}.com/{self.section.lower()}/{self.slug}.html">'
            f'<link rel="stylesheet" href="/static/main.{self.rng.randint(10**5, 10**6)}.css">{extra}</head>'
        )

    # -- the article itself

    def article_html(self, style):
        """The article blocks as HTML in one of several styles:
        p: <p> paragraphs, <h2> headings; div: <div class=..> paragraphs;
        br: text separated by <br><br> inside one element (legacy); medium: deep classes."""
        out = []
        for kind, val in self.blocks:
            if kind == "lead":
                if style == "br":
                    out.append(f"<b>{esc(val)}</b><br><br>")
                else:
                    out.append(f'<p class="{self.rng.choice(["lead", "chapo", "standfirst", "intro"])}"><strong>{esc(val)}</strong></p>')
            elif kind == "p":
                if style == "div":
                    out.append(f'<div class="{self.div_p}">{esc(val)}</div>')
                elif style == "br":
                    out.append(f"{esc(val)}<br><br>")
                elif style == "medium":
                    out.append(f'<p class="pw-post-body-paragraph {self.hash()} {self.hash()}" data-selectable-paragraph="">{esc(val)}</p>')
                else:
                    out.append(f"<p>{esc(val)}</p>")
            elif kind == "h":
                if style == "br":
                    out.append(f"<font size=\"3\"><b>{esc(val)}</b></font><br><br>")
                elif style == "medium":
                    out.append(f'<h2 class="pw-post-body-paragraph {self.hash()}">{esc(val)}</h2>')
                else:
                    out.append(f"<{self.h_tag}>{esc(val)}</{self.h_tag}>")
            elif kind == "ul":
                items = "".join(f"<li>{esc(x)}</li>" for x in val)
                tag = "ol" if self.rng.random() < 0.25 else "ul"
                out.append(f"<{tag}>{items}</{tag}>")
            elif kind == "table":
                rows = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in val[1:])
                head = "<tr>" + "".join(f"<th>{esc(c)}</th>" for c in val[0]) + "</tr>"
                out.append(f'<table class="{self.rng.choice(["data", "table", "facts"])}"><thead>{head}</thead><tbody>{rows}</tbody></table>')
            elif kind == "quote":
                if style == "br":
                    out.append(f"<i>{esc(val)}</i><br><br>")
                else:
                    out.append(f"<blockquote><p>{esc(val)}</p></blockquote>")
            elif kind == "img":
                cap = self.b("caption", val)
                out.append(f'<figure><img src="/img/{self.rng.randint(10**4, 10**5)}.jpg" alt=""><figcaption>{cap}</figcaption></figure>')
        return out

    def hash(self):
        return "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(self.rng.randint(2, 6)))

    @property
    def div_p(self):
        return getattr(self, "_div_p", "paragraph")

    @property
    def h_tag(self):
        return getattr(self, "_h_tag", "h2")


def block_text(k, v):
    if k == "ul":
        return "\n".join(v)
    if k == "table":
        return "\n".join(" ".join(row) for row in v)
    return v


def build_blocks(rng, art):
    """Article blocks: an optional lead, paragraphs, and, taken out of the text itself,
    subheadings (a short sentence), a list (consecutive sentences), a quote (a sentence
    with quotation marks), a table (sentences holding figures), a photo caption."""
    paras = [p for p in art["paras"][:28]]
    blocks = []
    if rng.random() < 0.4 and len(paras) > 6:
        blocks.append(("lead", paras.pop(0)))
    used_list = used_table = used_quote = False
    since_h = 0
    for i, p in enumerate(paras):
        sents = sentences(p)
        # a subheading every few paragraphs, taken from this paragraph's short sentence
        if since_h >= rng.randint(3, 6) and i < len(paras) - 1:
            short = [s for s in sents if 3 <= len(s.split()) <= 12 and not re.search(r"[«»\"“”]", s)]
            if short and len(sents) > 1:
                h = short[0]
                blocks.append(("h", h.rstrip(".")))
                sents = [s for s in sents if s != h]
                since_h = 0
        if not used_quote and rng.random() < 0.5:
            q = [s for s in sents if re.search(r"[«\"“]", s) and len(s.split()) >= 8]
            if q and len(sents) > 1:
                blocks.append(("p", " ".join(s for s in sents if s != q[0])))
                blocks.append(("quote", q[0]))
                used_quote = True
                since_h += 1
                continue
        if not used_list and i > 1 and len(sents) >= 3 and rng.random() < 0.35:
            blocks.append(("ul", sents[:5]))
            used_list = True
            since_h += 1
            continue
        if not used_table and i > 2 and rng.random() < 0.3:
            nums = [s for s in sents if re.search(r"\d", s) and 5 <= len(s.split()) <= 40]
            if len(nums) >= 2:
                rows = [["Chiffre" if art["lang"] == "fr" else "Figure", "Détail" if art["lang"] == "fr" else "Detail"]]
                for s in nums[:4]:
                    m = re.search(r"[\d][\d.,]*\s?(%|[a-zA-Zéû€$£]+)?", s)
                    rows.append([m.group(0).strip() if m else "-", s])
                blocks.append(("table", rows))
                rest = [s for s in sents if s not in nums[:4]]
                if rest:
                    blocks.append(("p", " ".join(rest)))
                used_table = True
                since_h += 1
                continue
        if sents:
            blocks.append(("p", " ".join(sents)))
        since_h += 1
    return blocks


# ---------------------------------------------------------------- templates


def t_wordpress(pg):
    r, t = pg.rng, pg.t
    body = pg.article_html("p")
    if r.random() < 0.6:
        body.insert(r.randint(2, max(2, len(body) - 2)), pg.ad("wp-block-ad"))
    share = f'<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">{pg.b("share", "Partager :" if pg.lang == "fr" else "Share this:")}</h3><ul><li>{pg.share_links(4, "</li><li>")}</li></ul></div>'
    related = f'<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>{esc(r.choice(t["related"]))}</em></h3>{pg.related_items(3, tag="div")}</div>'
    comments = ""
    if r.random() < 0.8:
        n = r.randint(2, 5)
        comments = (
            f'<div id="comments" class="comments-area"><h2 class="comments-title">{n} {esc(r.choice(t["comments"]).lower())}</h2>'
            f'<ol class="comment-list">{pg.comments(n)}</ol><div id="respond" class="comment-respond"><h3>{esc(t["reply"])}</h3>'
            f'<form><textarea name="comment"></textarea><input type="submit" value="Post"></form></div></div>'
        )
    sidebar = (
        f'<aside id="secondary" class="widget-area"><section class="widget widget_search"><form><input type="search" placeholder="{esc(t["search"])}"></form></section>'
        f'<section class="widget widget_recent_entries"><h2 class="widget-title">{esc(r.choice(t["mostread"]))}</h2><ul>{pg.related_items(5)}</ul></section>'
        f'<section class="widget widget_text"><div class="textwidget"><p>{pg.newsletter_text()}</p></div></section></aside>'
    )
    return (
        pg.head()
        + f'<body class="post-template-default single single-post"><div id="page" class="site"><a class="skip-link screen-reader-text" href="#content">Skip to content</a>'
        f'<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="/">{esc(pg.site)}</a></p></div>'
        f'<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{pg.nav_links(7)}</ul></nav></header>'
        f'<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">'
        f'<article id="post-{r.randint(100, 9999)}" class="post type-post status-publish format-standard hentry">'
        f'<header class="entry-header"><h1 class="entry-title">{esc(pg.art["title"])}</h1><div class="entry-meta"><span class="posted-on">{esc(t["published"])} <time class="entry-date published" datetime="{pg.date_iso}">{esc(pg.date_text)}</time></span> <span class="byline">{esc(t["by"])} <span class="author vcard"><a class="url fn n" href="/author/">{esc(pg.author)}</a></span></span></div></header>'
        f'<div class="entry-content">{"".join(body)}{share}{related}</div>'
        f'<footer class="entry-footer"><span class="cat-links">{esc(pg.section)}</span></footer></article>'
        f'<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-previous"><a href="#">{pg.b("related", pg.teaser()[0])}</a></div></div></nav>'
        f"{comments}</main></div>{sidebar}</div>"
        f'<footer id="colophon" class="site-footer"><div class="site-info"><ul>{pg.footer_links(5)}</ul>{pg.rights()}</div></footer></div></body></html>'
    )


def t_news_megamenu(pg):
    r, t = pg.rng, pg.t
    body = pg.article_html("p")
    # inline "read also" boxes and an ad between paragraphs
    for _ in range(r.randint(1, 2)):
        h, _, _ = pg.teaser()
        box = f'<div class="{r.choice(["inline-link", "read-also", "related-inline", "box-link"])}"><span>{esc(r.choice(t["readalso"]))}</span> <a href="{pg.href(h)}">{pg.b("readalso", h)}</a></div>'
        body.insert(r.randint(2, max(2, len(body) - 1)), box)
    if r.random() < 0.7:
        body.insert(r.randint(3, max(3, len(body))), pg.ad(r.choice(["ad-slot", "advert", "dfp-ad"])))
    most = "".join(f'<li><span class="rank">{i + 1}</span>{pg.related_items(1, tag="span")}</li>' for i in range(5))
    cookie = (
        f'<div id="cookie-banner" class="{r.choice(["cookie-consent", "cmp-banner", "gdpr-notice"])}" role="dialog"><p>{pg.cookie_text()}</p>'
        + "".join(f"<button>{esc(b)}</button>" for b in t["cookie_buttons"][:3])
        + "</div>"
    )
    newsletter = f'<section class="newsletter-signup"><h3>Newsletter</h3><p>{pg.newsletter_text()}</p><form><input type="email" placeholder="{esc(t["email"])}"><button>{esc(r.choice(t["newsletter_button"]))}</button></form></section>'
    more = f'<section class="more-on-this"><h2>{esc(r.choice(t["related"]))}</h2><ul>{pg.related_items(r.randint(3, 5), with_desc=r.random() < 0.5)}</ul></section>'
    wrap_article = r.random() < 0.5
    story = f'<div class="story-body">{"".join(body)}</div>'
    if wrap_article:
        story = f"<article>{story}</article>"
    return (
        pg.head()
        + f'<body><div class="top-bar"><a href="/">{esc(pg.site)}</a> <a href="/login">{pg.b("nav", t["login"])}</a> <a href="/abo">{pg.b("nav", t["subscribe_button"])}</a></div>'
        f'<header class="masthead"><nav class="{r.choice(["mega-menu", "main-nav", "primary-nav"])}">{pg.mega_menu()}</nav></header>'
        f'<div class="breadcrumbs">{pg.breadcrumbs()}</div>'
        f'<div class="layout"><div class="col-main"><h1 class="headline">{esc(pg.art["title"])}</h1>'
        f'<div class="byline">{esc(t["by"])} <a href="/auteur/">{esc(pg.author)}</a> · <time datetime="{pg.date_iso}">{esc(pg.date_text)}</time></div>'
        f'<div class="share-tools">{pg.share_links(3)}</div>'
        f"{story}"
        f'<div class="tags">{esc(t["tags"])}: <a href="#">{esc(pg.section)}</a></div>{more}</div>'
        f'<div class="col-side"><div class="most-read"><h2>{esc(r.choice(t["mostread"]))}</h2><ol>{most}</ol></div>{pg.ad("ad-slot sidebar-ad")}</div></div>'
        f"{newsletter}"
        f'<footer class="site-footer"><ul>{pg.footer_links(7)}</ul><p>{pg.rights()}</p></footer>{cookie}</body></html>'
    )


def t_amp(pg):
    r, t = pg.rng, pg.t
    body = pg.article_html("p")
    body = [b.replace("<img ", '<amp-img layout="responsive" width="800" height="450" ').replace("<figure><amp-img", "<figure><amp-img") for b in body]
    if r.random() < 0.8:
        ad = f'<amp-ad width="300" height="250" type="doubleclick" data-slot="/123/amp"><div placeholder>{pg.b("ad-label", r.choice(t["ad"]))}</div></amp-ad>'
        body.insert(r.randint(2, max(2, len(body) - 1)), ad)
    related = f'<section class="amp-related"><h2>{esc(r.choice(t["related"]))}</h2><ul>{pg.related_items(4)}</ul></section>'
    return (
        pg.head('<script async src="https://cdn.ampproject.org/v0.js"></script><style amp-custom>body{font-family:sans-serif}</style>').replace("<html ", "<html amp ")
        + f'<body><amp-consent id="consent" layout="nodisplay"><div class="consent-ui"><p>{pg.cookie_text()}</p><button on="tap:consent.accept">{esc(t["cookie_buttons"][0])}</button></div></amp-consent>'
        f'<amp-sidebar id="sidebar" layout="nodisplay" side="left"><ul>{pg.nav_links(8)}</ul></amp-sidebar>'
        f'<header class="amp-header"><button on="tap:sidebar.toggle">☰</button><a href="/">{esc(pg.site)}</a></header>'
        f'<main><article class="amp-article"><h1>{esc(pg.art["title"])}</h1><p class="amp-byline">{esc(t["by"])} {esc(pg.author)} — <time datetime="{pg.date_iso}">{esc(pg.date_text)}</time></p>'
        f'<amp-social-share type="facebook"></amp-social-share><amp-social-share type="twitter"></amp-social-share>'
        f'{"".join(body)}</article>{related}</main>'
        f'<footer class="amp-footer"><ul>{pg.footer_links(4)}</ul><p>{pg.rights()}</p></footer></body></html>'
    )


def t_jsonld(pg):
    """JSON-LD articleBody beside: the whole text (most sites), the first paragraphs then
    a paywall, or nothing but an application shell that renders it with JavaScript."""
    r, t = pg.rng, pg.t
    full_text = "\n\n".join(block_text(k, v) for k, v in pg.blocks if k != "img")
    mode = r.choices(["full", "paywall", "shell"], weights=[4, 4, 2])[0]
    pg.mode = mode
    body = pg.article_html("p")
    nav = f'<nav class="site-nav"><ul>{pg.nav_links(8)}</ul></nav>'
    footer = f'<footer><ul>{pg.footer_links(6)}</ul><p>{pg.rights()}</p></footer>'
    if mode == "full":
        main = f'<main><article><h1>{esc(pg.art["title"])}</h1><div class="article-body">{"".join(body)}</div></article><div class="related"><h2>{esc(r.choice(t["related"]))}</h2><ul>{pg.related_items(4)}</ul></div></main>'
    elif mode == "paywall":
        keep = r.randint(2, 3)
        visible, hidden = body[:keep], pg.blocks[keep:]
        pg.hidden_article = [v for k, v in hidden]
        wall = f'<div class="paywall"><p>{pg.b("paywall", r.choice(t["subscribe"]))}</p><a class="button" href="/abo">{esc(t["subscribe_button"])}</a> <a href="/login">{esc(t["login"])}</a></div>'
        main = f'<main><article><h1>{esc(pg.art["title"])}</h1><div class="article-body">{"".join(visible)}</div>{wall}</article><div class="related"><h2>{esc(r.choice(t["related"]))}</h2><ul>{pg.related_items(4, with_desc=True)}</ul></div></main>'
    else:
        pg.hidden_article = [v for k, v in pg.blocks]
        state = json.dumps({"page": {"type": "article", "id": r.randint(10**6, 10**7)}, "ads": {"slots": 3}})
        main = f'<div id="__app"><div class="loading">…</div></div><script>window.__STATE__={state};</script><script src="/static/app.{r.randint(10**5, 10**6)}.js" defer></script>'
    return pg.head(pg.jsonld(full_text)) + f"<body>{nav}{main}{footer}<div class=\"cookies\"><p>{pg.cookie_text()}</p><button>OK</button></div></body></html>"


def t_liveblog(pg):
    r, t = pg.rng, pg.t
    # the article's blocks become timestamped posts, newest first
    posts, cur = [], []
    for k, v in pg.blocks:
        cur.append((k, v))
        if k in ("p", "ul", "table", "quote") and len(cur) >= r.randint(1, 3):
            posts.append(cur)
            cur = []
    if cur:
        posts.append(cur)
    saved = pg.blocks
    out = []
    h, m = r.randint(15, 22), r.randint(0, 59)
    for i, post in enumerate(posts):
        pg.blocks = post
        inner = "".join(pg.article_html("p"))
        stamp = f"{h:02d}:{m:02d}"
        share = f'<div class="post-share"><a href="#">{pg.b("share", r.choice(t["share"]))}</a></div>' if r.random() < 0.5 else ""
        out.append(f'<div class="live-post" id="post-{i}"><div class="post-meta"><time>{stamp}</time></div><div class="post-body">{inner}</div>{share}</div>')
        m -= r.randint(3, 25)
        while m < 0:
            m += 60
            h -= 1
    pg.blocks = saved
    titles = [s for k, v in saved if k == "h" for s in [v]]
    keyev = "".join(f'<li><a href="#post-{i}">{esc(x)}</a></li>' for i, x in enumerate(titles[:4]))
    return (
        pg.head()
        + f'<body><header><nav class="nav"><ul>{pg.nav_links(9)}</ul></nav></header>'
        f'<div class="live-header"><span class="badge">{esc(r.choice(t["live"]))}</span><h1>{esc(pg.art["title"])}</h1><p class="live-meta">{esc(t["updated"])} {esc(pg.date_text)}</p></div>'
        f'<div class="container"><aside class="key-events"><h2>{esc(t["keyevents"])}</h2><ul>{keyev}</ul></aside>'
        f'<div class="live-feed">{"".join(out)}<button class="load-more">{pg.b("live", r.choice(t["live_more"]))}</button></div>'
        f'<div class="rail">{pg.ad("rail-ad")}<div class="popular"><h3>{esc(r.choice(t["mostread"]))}</h3><ol>{pg.related_items(5)}</ol></div></div></div>'
        f'<div class="newsletter"><p>{pg.newsletter_text()}</p><input type="email"><button>OK</button></div>'
        f'<footer><div>{pg.footer_links(5)}</div><small>{pg.rights()}</small></footer></body></html>'
    )


def t_table_legacy(pg):
    r, t = pg.rng, pg.t
    body = pg.article_html("br")
    nav = "".join(f'<tr><td><a href="/{s.lower()}.php"><font size="2">{pg.b("nav", s)}</font></a></td></tr>' for s in pg.sections(9))
    related = "".join(f'<tr><td><font size="2">» {pg.related_items(1, tag="span")}</font></td></tr>' for _ in range(r.randint(3, 5)))
    comments = ""
    if r.random() < 0.6:
        rows = []
        for _ in range(r.randint(2, 4)):
            rows.append(f'<tr><td bgcolor="#eeeeee"><font size="1"><b>{esc(r.choice(NICKS))}</b> - {esc(pg.date_text)}</font><br><font size="2">{pg.b("comment", pg.other_sentence())}</font></td></tr>')
        comments = f'<table width="100%" cellpadding="4"><tr><td><b>{esc(r.choice(t["comments"]))}</b></td></tr>{"".join(rows)}</table>'
    return (
        pg.head().replace("<!DOCTYPE html>", '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">')
        + f'<body bgcolor="#ffffff"><table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td colspan="2" bgcolor="#003366"><font color="#ffffff" size="5">{esc(pg.site)}</font></td></tr>'
        f'<tr><td width="160" valign="top" bgcolor="#dddddd"><table>{nav}</table><br><font size="1">{pg.b("ad-label", r.choice(t["ad"]))}</font><br><a href="https://ads.example.net/x"><font size="2">{pg.b("ad", r.choice(t["sponsored"]))}</font></a></td>'
        f'<td valign="top"><font face="Arial" size="2">{pg.breadcrumbs("&gt;")}</font><br><h1><font face="Arial">{esc(pg.art["title"])}</font></h1>'
        f'<font size="1">{esc(pg.date_text)} - {esc(pg.author)}</font><br><br><font face="Arial" size="2">{"".join(body)}</font>'
        f'<br><table width="100%"><tr><td><b>{esc(r.choice(t["related"]))}</b></td></tr>{related}</table>{comments}</td></tr>'
        f'<tr><td colspan="2" align="center"><font size="1">{pg.footer_links(4).replace("<li>", "").replace("</li>", " | ")} {pg.rights()}</font></td></tr></table></body></html>'
    )


def t_medium(pg):
    r, t = pg.rng, pg.t
    h = pg.hash
    body = pg.article_html("medium")
    claps = f'<div class="{h()} {h()}"><button aria-label="clap"><span>{r.randint(10, 4000)}</span></button><button aria-label="responses">{r.randint(1, 90)}</button><div class="{h()}"><button aria-label="Share">{pg.b("share", r.choice(t["share"]))}</button></div></div>'
    more = "".join(
        f'<div class="{h()} {h()}"><div class="{h()}"><h2 class="{h()}">{pg.b("related", pg.teaser()[0])}</h2></div><div class="{h()}"><p>{pg.b("related-desc", pg.teaser()[1])}</p></div></div>'
        for _ in range(r.randint(2, 4))
    )
    responses = f'<div class="{h()}"><h2>{esc(r.choice(t["comments"]))} ({r.randint(2, 40)})</h2>{pg.comments(r.randint(1, 3), style=h())}</div>' if r.random() < 0.6 else ""
    return (
        pg.head()
        + f'<body><div id="root"><div class="{h()} {h()}"><div class="{h()}"><nav class="{h()}"><a href="/">{esc(pg.site)}</a> <a href="/search">{esc(t["search"])}</a> <a href="/m/signin">{pg.b("nav", t["login"])}</a></nav></div>'
        f'<div class="{h()}"><article><div class="{h()}"><section><div class="{h()} {h()}"><div class="{h()}"><div class="{h()} {h()}">'
        f'<h1 class="pw-post-title {h()}" data-testid="storyTitle">{esc(pg.art["title"])}</h1>'
        f'<div class="{h()}"><div class="{h()}"><a href="/@user">{esc(pg.author)}</a> · <button>{esc(t["follow"])}</button></div><div><span>{esc(t["reading_time"].format(n=r.randint(3, 12)))}</span> · <span>{esc(pg.date_text)}</span></div></div>'
        f'{claps}{"".join(body)}</div></div></div></section></div></article></div>'
        f'<div class="{h()}"><div class="{h()}"><h2>{pg.b("bio-title", t["more_from"] + " " + pg.author)}</h2><p class="{h()}">{pg.bio()}</p></div>{more}</div>'
        f"{responses}"
        f'<div class="{h()}" role="dialog"><p>{pg.newsletter_text()}</p><button>{esc(r.choice(t["newsletter_button"]))}</button></div>'
        f'<footer class="{h()}"><div class="{h()}">{pg.footer_links(5).replace("<li>", "<span>").replace("</li>", "</span>")}</div></footer></div></div></body></html>'
    )


def t_split_divs(pg):
    """A regional-news layout: the article in several <div>s of text (no <p>), separated
    by an ad, a newsletter box and "read also" teasers; a second text container after a
    video block."""
    r, t = pg.rng, pg.t
    pg._div_p = r.choice(["txt", "article-paragraph", "paragraph", "texte"])
    pg._h_tag = r.choice(["h2", "h3"])
    body = pg.article_html(r.choice(["div", "p"]))
    cut = max(2, len(body) // 2)
    first, second = body[:cut], body[cut:]
    h, desc, _ = pg.teaser()
    readalso = f'<div class="{r.choice(["encadre", "lire-aussi", "bloc-lien"])}"><strong>{esc(r.choice(t["readalso"]))}</strong> <a href="{pg.href(h)}">{pg.b("readalso", h)}</a></div>'
    mid = f'<div class="ligne"><div class="video-player" data-id="{r.randint(10**5, 10**6)}"></div>{pg.ad("pub")}</div><div class="bloc-newsletter"><p>{pg.newsletter_text()}</p><form><input type="email"></form></div>'
    first.insert(r.randint(1, len(first)), readalso)
    bio = f'<div class="auteur-box"><img src="/a.jpg" alt=""><p>{pg.bio()}</p></div>' if r.random() < 0.6 else ""
    return (
        pg.head()
        + f'<body><div id="header"><div class="logo"><a href="/">{esc(pg.site)}</a></div><ul class="rubriques">{pg.nav_links(10)}</ul></div>'
        f'<div id="fil-ariane">{pg.breadcrumbs("/")}</div>'
        f'<div id="contenu"><div class="col-gauche"><h1>{esc(pg.art["title"])}</h1><div class="infos">{esc(t["by"])} {esc(pg.author)} - {esc(pg.date_text)}</div>'
        f'<div class="corps-article part-1">{"".join(first)}</div>{mid}<div class="corps-article part-2">{"".join(second)}</div>{bio}'
        f'<div class="partage">{pg.share_links(4)}</div>'
        f'<div class="memes-sujets"><div class="titre">{esc(r.choice(t["related"]))}</div>{pg.related_items(r.randint(3, 5), with_desc=True, tag="div")}</div></div>'
        f'<div class="col-droite"><div class="bloc-pub">{pg.ad("pub")}</div><div class="bloc-plus-lus"><div class="titre">{esc(r.choice(t["mostread"]))}</div>{pg.related_items(5, tag="div")}</div></div></div>'
        f'<div id="footer"><div>{pg.footer_links(8).replace("li>", "span>")}</div><div>{pg.rights()}</div></div>'
        f'<div class="rgpd-bandeau"><div>{pg.cookie_text()}</div><a href="#">{esc(t["cookie_buttons"][0])}</a> <a href="#">{esc(t["cookie_buttons"][1])}</a></div></body></html>'
    )


def t_react_hashed(pg):
    """A client framework's server render: generated class names only, data-testid
    attributes, cards for related stories and comments, JSON-LD with the body half the time."""
    r, t = pg.rng, pg.t

    def c():
        return "css-" + "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))

    blocks = []
    for k, v in pg.blocks:
        if k == "p":
            blocks.append(f'<p class="{c()} e{r.randint(1, 9)}{c()[4:]}">{esc(v)}</p>')
        elif k == "h":
            blocks.append(f'<h2 class="{c()}">{esc(v)}</h2>')
        elif k == "lead":
            blocks.append(f'<p class="{c()}" data-testid="standfirst">{esc(v)}</p>')
        else:
            pg_blocks = pg.blocks
            pg.blocks = [(k, v)]
            blocks.extend(pg.article_html("p"))
            pg.blocks = pg_blocks
    chunks, i = [], 0
    while i < len(blocks):
        n = r.randint(2, 5)
        chunks.append(f'<div class="{c()}" data-component="text-block">{"".join(blocks[i:i + n])}</div>')
        i += n
        if i < len(blocks) and r.random() < 0.4:
            chunks.append(f'<div class="{c()}" data-component="ad-slot">{pg.ad(c())}</div>')
    cards = "".join(
        f'<li class="{c()}"><div class="{c()}"><a class="{c()}" href="{pg.href(x[0])}"><span class="{c()}">{pg.b("related", x[0])}</span></a></div></li>'
        for x in [pg.teaser() for _ in range(r.randint(3, 6))]
    )
    comments = f'<section class="{c()}" data-testid="comments"><h2 class="{c()}">{esc(r.choice(t["comments"]))}</h2>{pg.comments(r.randint(2, 4), style=c())}</section>' if r.random() < 0.5 else ""
    ld = pg.jsonld("\n\n".join(v for k, v in pg.blocks if k in ("p", "lead", "h", "quote"))) if r.random() < 0.5 else ""
    return (
        pg.head(ld)
        + f'<body><div id="__next"><div class="{c()}"><header class="{c()}"><div class="{c()}"><a class="{c()}" href="/">{esc(pg.site)}</a></div>'
        f'<div class="{c()}">{pg.nav_links(9, cls=c(), li=False)}</div></header>'
        f'<main class="{c()}"><div class="{c()}"><div class="{c()}" data-testid="headline"><h1 class="{c()}">{esc(pg.art["title"])}</h1></div>'
        f'<div class="{c()}"><span class="{c()}">{esc(pg.author)}</span><time class="{c()}" datetime="{pg.date_iso}">{esc(pg.date_text)}</time></div>'
        f'<div class="{c()}">{"".join(chunks)}</div>'
        f'<div class="{c()}"><h2 class="{c()}">{esc(r.choice(t["related"]))}</h2><ul class="{c()}">{cards}</ul></div>{comments}</div>'
        f'<div class="{c()}"><div class="{c()}"><p class="{c()}">{pg.newsletter_text()}</p><button class="{c()}">{esc(r.choice(t["newsletter_button"]))}</button></div></div></main>'
        f'<footer class="{c()}"><div class="{c()}">{pg.footer_links(6).replace("li>", "div>")}</div><p class="{c()}">{pg.rights()}</p></footer>'
        f'<div class="{c()}"><p class="{c()}">{pg.cookie_text()}</p><button class="{c()}">{esc(t["cookie_buttons"][0])}</button></div></div></div></body></html>'
    )


def t_drupal(pg):
    r, t = pg.rng, pg.t
    body = pg.article_html("p")
    if r.random() < 0.5:
        body.insert(r.randint(1, len(body)), f'<div class="embedded-entity"><div class="field--name-field-related">{esc(r.choice(t["readalso"]))} <a href="#">{pg.b("readalso", pg.teaser()[0])}</a></div></div>')
    views = f'<div class="block block-views block-views-blockrelated-content-block-1"><h2 class="block-title">{esc(r.choice(t["related"]))}</h2><div class="view-content"><div class="item-list"><ul>{pg.related_items(r.randint(3, 5))}</ul></div></div></div>'
    comments = ""
    if r.random() < 0.5:
        comments = f'<section class="field field--name-comment field--type-comment"><h2>{esc(r.choice(t["comments"]))}</h2>{pg.comments(r.randint(1, 3), style="comment js-comment")}</section>'
    return (
        pg.head()
        + f'<body class="path-node page-node-type-article"><div class="dialog-off-canvas-main-canvas"><div class="layout-container">'
        f'<header role="banner"><div class="region region-header"><div class="site-branding">{esc(pg.site)}</div></div>'
        f'<div class="region region-primary-menu"><nav role="navigation" id="block-mainnavigation"><ul class="menu">{pg.nav_links(8)}</ul></nav></div></header>'
        f'<div class="region region-breadcrumb"><nav class="breadcrumb" role="navigation"><ol><li>{pg.breadcrumbs()}</li></ol></nav></div>'
        f'<main role="main"><div class="layout-content"><div class="region region-content"><article role="article" class="node node--type-article node--view-mode-full">'
        f'<h1 class="page-title"><span class="field field--name-title">{esc(pg.art["title"])}</span></h1>'
        f'<div class="node__meta"><span class="field field--name-uid">{esc(pg.author)}</span> <span class="field field--name-created">{esc(pg.date_text)}</span></div>'
        f'<div class="node__content"><div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field__item">{"".join(body)}</div>'
        f'<div class="field field--name-field-tags"><div class="field__label">{esc(t["tags"])}</div><div class="field__items"><div class="field__item"><a href="#">{esc(pg.section)}</a></div></div></div>'
        f'<ul class="links inline"><li class="node-readmore">{pg.share_links(2, "</li><li>")}</li></ul>{comments}</div></article></div></div>'
        f'<aside class="layout-sidebar-first" role="complementary"><div class="region region-sidebar-first">{views}<div class="block block-block-content"><p>{pg.newsletter_text()}</p></div></div></aside></main>'
        f'<footer role="contentinfo"><div class="region region-footer"><nav><ul class="menu">{pg.footer_links(6)}</ul></nav><div>{pg.rights()}</div></div></footer></div></div>'
        f'<div id="sliding-popup" class="sliding-popup-bottom"><div class="eu-cookie-compliance-message"><p>{pg.cookie_text()}</p></div><button class="agree-button">{esc(t["cookie_buttons"][0])}</button></div></body></html>'
    )


def t_ghost(pg):
    r, t = pg.rng, pg.t
    body = pg.article_html("p")
    if r.random() < 0.6:
        body.insert(r.randint(2, max(2, len(body) - 1)), f'<div class="kg-card kg-signup-card"><h2 class="kg-signup-card-heading">Newsletter</h2><p>{pg.newsletter_text()}</p><form><input type="email" placeholder="{esc(t["email"])}"><button>{esc(r.choice(t["newsletter_button"]))}</button></form></div>')
    cta = f'<section class="footer-cta"><div class="inner"><h2>{pg.b("newsletter", pg.site + (" : la lettre" if pg.lang == "fr" else " weekly"))}</h2><p>{pg.newsletter_text()}</p></div></section>'
    readnext = f'<aside class="read-more-wrap"><div class="read-more inner"><h3>{esc(r.choice(t["related"]))}</h3>{pg.related_items(3, with_desc=True, tag="article")}</div></aside>'
    author = f'<section class="article-author"><div class="author-card"><h4>{esc(pg.author)}</h4><p>{pg.bio()}</p></div></section>' if r.random() < 0.7 else ""
    comments = f'<section class="article-comments gh-canvas"><h2>Discussion</h2>{pg.comments(r.randint(1, 3), style="comment-item")}</section>' if r.random() < 0.4 else ""
    return (
        pg.head()
        + f'<body class="post-template"><div class="site-wrapper"><header id="gh-head" class="gh-head outer"><div class="gh-head-inner inner"><a class="gh-head-logo" href="/">{esc(pg.site)}</a>'
        f'<nav class="gh-head-menu"><ul class="nav">{pg.nav_links(6)}</ul></nav><div class="gh-head-actions"><a href="#/portal/signin">{pg.b("nav", t["login"])}</a> <a class="gh-head-button" href="#/portal/signup">{esc(t["subscribe_button"])}</a></div></div></header>'
        f'<main id="site-main" class="site-main"><article class="article post"><header class="article-header gh-canvas"><h1 class="article-title">{esc(pg.art["title"])}</h1>'
        f'<div class="article-byline"><a href="/author/">{esc(pg.author)}</a> <time datetime="{pg.date_iso}">{esc(pg.date_text)}</time></div></header>'
        f'<section class="gh-content gh-canvas">{"".join(body)}</section>{author}{comments}</article></main>'
        f"{readnext}{cta}"
        f'<footer class="site-footer outer"><div class="inner"><section class="copyright">{pg.rights()}</section><nav class="site-footer-nav"><ul>{pg.footer_links(4)}</ul></nav></div></footer></div></body></html>'
    )


def t_magazine(pg):
    """Long-form magazine layout: pull quotes, photos with captions, an author box and
    "most popular" rails inside the article column, sections per chapter."""
    r, t = pg.rng, pg.t
    body = pg.article_html("p")
    out, chapter = [], []
    for i, b in enumerate(body):
        chapter.append(b)
        if b.startswith("<h") or i == len(body) - 1:
            out.append(f'<section class="chapter">{"".join(chapter)}</section>')
            chapter = []
            if r.random() < 0.3:
                out.append(f'<div class="rail-inline"><h4>{esc(r.choice(t["mostread"]))}</h4><ul>{pg.related_items(3)}</ul></div>')
    return (
        pg.head(pg.jsonld() if r.random() < 0.5 else "")
        + f'<body class="longform"><div class="promo-bar"><p>{pg.b("app", t["app"])}</p></div>'
        f'<header class="mag-header"><a class="logo" href="/">{esc(pg.site)}</a><ul class="mag-sections">{pg.nav_links(7)}</ul></header>'
        f'<div class="hero"><h1>{esc(pg.art["title"])}</h1><div class="credits">{esc(t["by"])} {esc(pg.author)} | {esc(pg.date_text)}</div></div>'
        f'<div class="article-wrapper"><div class="social-rail">{pg.share_links(3)}</div><div class="article-text">{"".join(out)}</div></div>'
        f'<div class="author-box"><p>{pg.bio()}</p></div>'
        f'<div class="outbrain-widget"><h3>{esc(r.choice(t["related"]))}</h3>{pg.related_items(4, with_desc=True, tag="div")}{pg.ad("ob-ad")}</div>'
        f'<footer class="mag-footer"><ul>{pg.footer_links(6)}</ul><p>{pg.rights()}</p></footer>'
        f'<div class="consent-overlay"><div class="consent-box"><p>{pg.cookie_text()}</p><button>{esc(t["cookie_buttons"][0])}</button><button>{esc(t["cookie_buttons"][2])}</button></div></div></body></html>'
    )


# ---------------------------------------------------------------- second tuning group
# Written after the extractor was first frozen (commit a4cbc2a) and measured then
# (vigie 0.840, trafilatura 0.893); their failures were fixed afterwards, so they are a
# second tuning group ("tune2"), not a held-out one.


def t_guardian(pg):
    """A large English-language news site's markup: generated `dcr-` classes, supporting
    asides inside the text, a reader-revenue appeal, onward journeys and comments."""
    r, t = pg.rng, pg.t

    def d():
        return "dcr-" + "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))

    paras = []
    for k, v in pg.blocks:
        if k == "p":
            paras.append(f'<p class="{d()}">{esc(v)}</p>')
        elif k == "h":
            paras.append(f'<h2 id="{re.sub(r"[^a-z]+", "-", v.lower())[:20]}" class="{d()}">{esc(v)}</h2>')
        elif k == "lead":
            paras.append(f'<p class="{d()}"><strong>{esc(v)}</strong></p>')
        else:
            saved = pg.blocks
            pg.blocks = [(k, v)]
            paras.extend(pg.article_html("p"))
            pg.blocks = saved
    h, _, _ = pg.teaser()
    paras.insert(r.randint(2, max(2, len(paras) - 1)), f'<aside data-spacefinder-role="supporting" class="{d()}"><a href="{pg.href(h)}"><span>{pg.b("readalso", h)}</span></a></aside>')
    if r.random() < 0.5:
        paras.insert(r.randint(3, max(3, len(paras))), f'<p class="{d()}"><em>{pg.b("cta", r.choice(t["cta"]))}</em></p>')
    epic = f'<div data-gu-name="epic" class="{d()}"><h2 class="{d()}">{esc("… " + ("we have a small favour to ask" if pg.lang == "en" else "une petite faveur"))}</h2><p class="{d()}">{pg.b("appeal", r.choice(t["appeal"]))}</p><div class="{d()}"><a href="/contribute">{esc(t["subscribe_button"])}</a></div></div>'
    explore = "".join(f'<li class="{d()}"><a href="/{x.lower()}">{pg.b("nav", x)}</a></li>' for x in pg.sections(4))
    onward = "".join(f'<li class="{d()}"><a href="{pg.href(x[0])}"><h3 class="{d()}">{pg.b("related", x[0])}</h3></a><div class="{d()}">{esc(pg.date_text)}</div></li>' for x in [pg.teaser() for _ in range(4)])
    most = "".join(f'<li class="{d()}"><span>{i + 1}</span><a href="{pg.href(x[0])}"><h4 class="{d()}">{pg.b("related", x[0])}</h4></a></li>' for i, x in enumerate([pg.teaser() for _ in range(5)]))
    comments = ""
    if r.random() < 0.6:
        cs = "".join(f'<li class="{d()}"><div class="{d()}"><a href="/profile/{r.randint(1, 10**6)}">{esc(r.choice(NICKS))}</a></div><div class="{d()}"><p>{pg.b("comment", pg.other_sentence())}</p></div><div class="{d()}">{esc(t["reply"])}</div></li>' for _ in range(r.randint(2, 4)))
        comments = f'<section id="comments" data-component="discussion" class="{d()}"><h2 class="{d()}">{esc(r.choice(t["comments"]))} ({r.randint(20, 900)})</h2><ul class="{d()}">{cs}</ul></section>'
    return (
        pg.head(pg.jsonld() if r.random() < 0.5 else "")
        + f'<body><div id="bannerandheader"><header data-component="header" class="{d()}"><a href="/">{esc(pg.site)}</a><div class="{d()}"><a href="/contribute">{pg.b("appeal", t["subscribe_button"])}</a></div></header>'
        f'<div data-component="nav2" class="{d()}"><ul class="{d()}">{pg.nav_links(6, cls=d())}</ul></div></div>'
        f'<main data-layout="StandardLayout"><article class="{d()}"><div class="{d()}"><div data-gu-name="headline" class="{d()}"><h1 class="{d()}">{esc(pg.art["title"])}</h1></div>'
        f'<div data-gu-name="meta" class="{d()}"><address aria-label="Contributor info"><a rel="author" href="/profile/">{esc(pg.author)}</a></address><details class="{d()}"><summary>{esc(pg.date_text)}</summary></details></div>'
        f'<div data-gu-name="body" class="{d()}"><div id="maincontent" class="article-body-commercial-selector article-body-viewer-selector {d()}">{"".join(paras)}</div>'
        f'{epic}<div class="{d()}"><h2 class="{d()}">{esc(t["explore"])}</h2><ul class="{d()}">{explore}</ul></div></div></div></article>'
        f'<section data-component="more-on-this-story" class="{d()}"><h2 class="{d()}">{esc(r.choice(t["related"]))}</h2><ul class="{d()}">{onward}</ul></section>'
        f'<section data-component="most-popular" class="{d()}"><h2 class="{d()}">{esc(r.choice(t["mostread"]))}</h2><ol class="{d()}">{most}</ol></section>{comments}</main>'
        f'<footer data-component="footer" class="{d()}"><ul>{pg.footer_links(6)}</ul><p>{pg.rights()}</p></footer></body></html>'
    )


def t_lemonde(pg):
    """A French daily's markup: the standfirst above the text, "Lire aussi" catchers
    between paragraphs, the subscriber wall, services and comments below."""
    r, t = pg.rng, pg.t
    lead = ""
    blocks = list(pg.blocks)
    if blocks and blocks[0][0] == "lead":
        lead = f'<p class="article__desc">{esc(blocks[0][1])}</p>'
        blocks = blocks[1:]
    saved = pg.blocks
    pg.blocks = blocks
    body = pg.article_html("p")
    pg.blocks = saved
    body = [b.replace("<p>", '<p class="article__paragraph">', 1) if b.startswith("<p>") else b.replace("<h2>", '<h2 class="article__sub-title">') for b in body]
    for _ in range(r.randint(1, 2)):
        h, _, _ = pg.teaser()
        body.insert(r.randint(1, max(1, len(body) - 1)), f'<section class="catcher catcher--inline"><span class="catcher__title">{esc(r.choice(t["readalso"]))}</span><a class="catcher__link" href="{pg.href(h)}"><p class="catcher__desc">{pg.b("readalso", h)}</p></a></section>')
    if r.random() < 0.4:
        body.append(f'<p class="article__paragraph article__paragraph--italic">{pg.b("cta", r.choice(t["cta"]))}</p>')
    services = "".join(f'<li class="services__item"><a href="/services/{i}"><span>{pg.b("ad", x)}</span></a></li>' for i, x in enumerate(r.sample(t["sponsored"], 2)))
    comments = f'<section class="comments" id="comments"><h2 class="comments__title">{esc(r.choice(t["comments"]))}</h2><p>{pg.b("comment-cta", t["comment_cta"])}</p>{pg.comments(r.randint(1, 3), style="comment__content")}</section>' if r.random() < 0.6 else ""
    return (
        pg.head(pg.jsonld())
        + f'<body class="article article--content"><header class="Header"><div class="Header__logo"><a href="/">{esc(pg.site)}</a></div>'
        f'<ul class="Nav__list">{pg.nav_links(10)}</ul><a class="Header__subscribe" href="/abo">{pg.b("nav", t["subscribe_button"])}</a></header>'
        f'<main id="habillagepub" class="zone zone--article"><section class="article__wrapper"><header class="article__header">'
        f'<ul class="breadcrumb"><li>{pg.breadcrumbs()}</li></ul><h1 class="article__title">{esc(pg.art["title"])}</h1>{lead}</header>'
        f'<section class="article__content"><p class="meta meta__publisher"><span class="meta__author">{esc(pg.author)}</span> <span class="meta__date">{esc(t["published"])} {esc(pg.date_text)}</span> <span class="meta__reading-time">{esc(t["reading_time"].format(n=r.randint(3, 9)))}</span></p>'
        f'{"".join(body)}</section>'
        f'<section class="article__reactions"><div class="services"><h3 class="services__title">Services</h3><ul>{services}</ul></div></section>{comments}'
        f'</section><aside class="aside__iso"><section class="inread"><h3>{esc(r.choice(t["mostread"]))}</h3><ul>{pg.related_items(5)}</ul></section></aside></main>'
        f'<footer class="Footer"><ul>{pg.footer_links(8)}</ul><p>{pg.rights()}</p></footer></body></html>'
    )


def t_bbc(pg):
    """A public broadcaster's markup: each paragraph in its own text block component,
    generated `ssrcss-` classes, topic and related blocks after the text, top stories."""
    r, t = pg.rng, pg.t

    def c(kind):
        return f"ssrcss-{''.join(r.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(6))}-{kind}"

    comps = []
    for k, v in pg.blocks:
        if k in ("p", "lead"):
            inner = f'<p class="{c("Paragraph")}">{"<b>" + esc(v) + "</b>" if k == "lead" else esc(v)}</p>'
            comps.append(f'<div data-component="text-block" class="{c("StyledTextBlock")}"><div class="{c("RichTextContainer")}">{inner}</div></div>')
        elif k == "h":
            comps.append(f'<div data-component="subheadline-block" class="{c("Subheadline")}"><h2 class="{c("StyledHeading")}">{esc(v)}</h2></div>')
        else:
            saved = pg.blocks
            pg.blocks = [(k, v)]
            comps.append(f'<div data-component="text-block" class="{c("StyledTextBlock")}">{"".join(pg.article_html("p"))}</div>')
            pg.blocks = saved
    if r.random() < 0.5:
        comps.insert(r.randint(2, max(2, len(comps) - 1)), f'<div data-component="image-block" class="{c("Figure")}"><figure><img src="/i.jpg" alt=""><figcaption class="{c("Caption")}">{pg.b("caption", "Getty Images" if pg.lang == "en" else "AFP")}</figcaption></figure></div>')
    topics = "".join(f'<li class="{c("TopicListItem")}"><a href="/topics/{x.lower()}">{pg.b("nav", x)}</a></li>' for x in pg.sections(3))
    more = "".join(f'<li class="{c("StyledListItem")}"><a href="{pg.href(x[0])}"><span>{pg.b("related", x[0])}</span></a></li>' for x in [pg.teaser() for _ in range(3)])
    top = "".join(f'<div class="{c("Promo")}"><a href="{pg.href(x[0])}"><p class="{c("PromoHeadline")}">{pg.b("related", x[0])}</p></a><p class="{c("PromoSummary")}">{pg.b("related-desc", x[1])}</p></div>' for x in [pg.teaser() for _ in range(3)])
    return (
        pg.head()
        + f'<body><div id="main-wrapper"><header data-testid="header" class="{c("Header")}"><a href="/">{esc(pg.site)}</a><nav class="{c("Nav")}"><ul>{pg.nav_links(8)}</ul></nav></header>'
        f'<main id="main-content" data-testid="main-content" class="{c("Main")}"><article class="{c("Article")}">'
        f'<header class="{c("ArticleHeader")}"><h1 id="main-heading" class="{c("StyledHeading")}">{esc(pg.art["title"])}</h1></header>'
        f'<div data-component="byline-block" class="{c("Byline")}"><time datetime="{pg.date_iso}">{esc(pg.date_text)}</time><div><span>{esc(pg.author)}</span></div></div>'
        f'{"".join(comps)}'
        f'<div data-component="tag-list" class="{c("TopicList")}"><h2>{esc(t["explore"])}</h2><ul>{topics}</ul></div>'
        f'<div data-component="links-block" class="{c("LinksBlock")}"><h2 class="{c("LinksTitle")}">{esc(r.choice(t["related"]))}</h2><ul>{more}</ul></div></article>'
        f'<section data-e2e="top-stories" class="{c("Section")}"><h2>{esc(r.choice(t["mostread"]))}</h2>{top}</section></main>'
        f'<footer class="{c("Footer")}"><ul>{pg.footer_links(7)}</ul><p>{pg.rights()}</p></footer></div></body></html>'
    )


def t_blogger(pg):
    """A hosted blog of the 2010s: text as <div> lines and line breaks inside the post
    body, widgets (popular posts, archive, the author's profile) beside it, comments."""
    r, t = pg.rng, pg.t
    lines = []
    for k, v in pg.blocks:
        if k in ("p", "lead"):
            lines.append(f"<div>{esc(v)}</div><div><br></div>" if r.random() < 0.6 else f"{esc(v)}<br><br>")
        elif k == "h":
            lines.append(f'<h3 style="text-align: left;">{esc(v)}</h3>')
        elif k == "ul":
            lines.append("<ul>" + "".join(f"<li>{esc(x)}</li>" for x in v) + "</ul>")
        elif k == "quote":
            lines.append(f'<blockquote class="tr_bq">{esc(v)}</blockquote>')
        elif k == "table":
            rows = "".join("<tr>" + "".join(f"<td>{esc(x)}</td>" for x in row) + "</tr>" for row in v)
            lines.append(f'<table border="1" cellpadding="3"><tbody>{rows}</tbody></table>')
    popular = "".join(f'<li><div class="item-title"><a href="{pg.href(x[0])}">{pg.b("related", x[0])}</a></div><div class="item-snippet">{pg.b("related-desc", x[1])}</div></li>' for x in [pg.teaser() for _ in range(3)])
    archive = "".join(f'<li><a class="post-count-link" href="/{y}/">{y}</a> <span class="post-count">({r.randint(3, 60)})</span></li>' for y in range(2024, 2016, -1))
    comments = ""
    if r.random() < 0.7:
        cs = "".join(f'<li class="comment"><div class="comment-block"><div class="comment-header"><cite class="user">{esc(r.choice(NICKS))}</cite> <span class="datetime">{esc(pg.date_text)}</span></div><p class="comment-content">{pg.b("comment", pg.other_sentence())}</p></div></li>' for _ in range(r.randint(1, 4)))
        comments = f'<div class="comments" id="comments"><h4>{r.randint(1, 9)} {esc(r.choice(t["comments"]).lower())}:</h4><div class="comments-content"><ol>{cs}</ol></div></div>'
    return (
        pg.head()
        + f'<body class="variant-simple"><div class="content-outer"><header><div class="header-outer"><div class="Header"><h1 class="title"><a href="/">{esc(pg.site)}</a></h1><p class="description"><span>{pg.b("profile", t["profile"])}</span></p></div></div></header>'
        f'<div class="columns-inner"><div class="column-center-inner"><div class="main section" id="main"><div class="widget Blog" id="Blog1"><div class="blog-posts hfeed">'
        f'<h2 class="date-header"><span>{esc(pg.date_text)}</span></h2><div class="post-outer"><div class="post hentry">'
        f'<h3 class="post-title entry-title">{esc(pg.art["title"])}</h3>'
        f'<div class="post-body entry-content" id="post-body-{r.randint(10**8, 10**9)}">{"".join(lines)}</div>'
        f'<div class="post-footer"><span class="post-author vcard">Posted by {esc(pg.author)}</span> <span class="post-labels">Labels: <a href="#">{esc(pg.section)}</a></span><div class="post-share-buttons">{pg.share_links(3)}</div></div></div>'
        f"{comments}</div></div></div></div></div>"
        f'<div class="column-right-inner"><div class="sidebar section" id="sidebar-right-1"><div class="widget PopularPosts"><h2>{esc(r.choice(t["mostread"]))}</h2><div class="widget-content popular-posts"><ul>{popular}</ul></div></div>'
        f'<div class="widget BlogArchive"><h2>{esc(t["archive"])}</h2><ul class="hierarchy">{archive}</ul></div>'
        f'<div class="widget Profile"><h2>About me</h2><dl class="profile-datablock"><dd class="profile-textblock">{pg.b("bio", t["profile"][:40] + " " + pg.author)}</dd></dl></div></div></div></div>'
        f'<footer><div class="footer-outer">{pg.rights()} <a href="https://www.blogger.com">Blogger</a></div></footer></div></body></html>'
    )


def t_substack(pg):
    """A newsletter platform's post page: subscription widgets inside the text, the
    share and like bar, the discussion, "ready for more?" and the platform footer."""
    r, t = pg.rng, pg.t
    body = pg.article_html("p")
    widget = f'<div class="subscription-widget-wrap"><div class="subscription-widget show-subscribe"><div class="preamble"><p class="cta-caption">{pg.newsletter_text()}</p></div><form class="subscription-widget-subscribe"><input type="email"><input type="submit" value="{esc(r.choice(t["newsletter_button"]))}"></form></div></div>'
    body.insert(r.randint(2, max(2, len(body) - 1)), widget)
    if r.random() < 0.5:
        body.append(f'<p><em>{pg.b("cta", r.choice(t["cta"]))}</em></p>')
    bar = f'<div class="post-ufi"><a class="post-ufi-button like-button"><span>{r.randint(3, 500)}</span></a><a class="post-ufi-button post-ufi-comment-button" href="#comments"><span>{r.randint(1, 90)}</span></a><a class="post-ufi-button share">{pg.b("share", r.choice(t["share"]))}</a></div>'
    comments = ""
    if r.random() < 0.7:
        cs = "".join(f'<div class="comment"><div class="comment-content"><div class="comment-meta"><a class="comment-user">{esc(r.choice(NICKS))}</a> <span>{r.randint(1, 20)} h</span></div><div class="comment-body"><p>{pg.b("comment", pg.other_sentence())}</p></div></div></div>' for _ in range(r.randint(1, 4)))
        comments = f'<div class="comments-page"><h4 class="comments-heading">Discussion about this post</h4><div class="comment-list">{cs}</div></div>'
    return (
        pg.head()
        + f'<body><div id="entry"><div class="main-menu"><div class="topbar"><a class="navbar-title-link" href="/">{esc(pg.site)}</a><button>{esc(t["subscribe_button"])}</button> <a href="/account/login">{pg.b("nav", t["login"])}</a></div></div>'
        f'<div class="container"><div class="single-post-container"><div class="single-post"><article class="typography newsletter-post post"><div class="post-header">'
        f'<h1 class="post-title published">{esc(pg.art["title"])}</h1><div class="post-meta"><a href="/@author">{esc(pg.author)}</a> <div class="post-date">{esc(pg.date_text)}</div></div>{bar}</div>'
        f'<div class="available-content"><div dir="auto" class="body markup">{"".join(body)}</div></div></article>{bar}'
        f'<div class="single-post-section"><div class="container"><h3>{esc(pg.site)}</h3><p>{pg.newsletter_text()}</p><form><input type="email"></form></div></div>'
        f"{comments}"
        f'<div class="post-footer-section"><h3>Ready for more?</h3><p>{pg.b("newsletter", "Subscribe to " + pg.site if pg.lang == "en" else "Abonnez-vous à " + pg.site)}</p></div></div></div></div>'
        f'<div class="footer-wrap"><div class="footer">{pg.rights()} · {pg.footer_links(3).replace("<li>", "").replace("</li>", " · ")}</div></div></div></body></html>'
    )


# ---------------------------------------------------------------- unseen templates
# Written after the extractor's last change (commit 1d24423) and never tuned on.


def t_nyt(pg):
    """A large US daily's markup: the body split into companion columns with ads between
    them (their "Advertisement" labels are plain text), a comments button, related
    content and a site index."""
    r, t = pg.rng, pg.t

    def c():
        return "css-" + "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))

    cols, cur = [], []
    for k, v in pg.blocks:
        if k in ("p", "lead"):
            cur.append(f'<p class="{c()} evys1bk0">{esc(v)}</p>')
        elif k == "h":
            cur.append(f'<h2 class="{c()} eoo0vm40">{esc(v)}</h2>')
        else:
            saved = pg.blocks
            pg.blocks = [(k, v)]
            cur.extend(pg.article_html("p"))
            pg.blocks = saved
        if len(cur) >= r.randint(3, 6):
            cols.append(cur)
            cur = []
    if cur:
        cols.append(cur)
    body = []
    for i, col in enumerate(cols):
        body.append(f'<div class="{c()} StoryBodyCompanionColumn"><div class="{c()}">{"".join(col)}</div></div>')
        if i < len(cols) - 1 and r.random() < 0.6:
            body.append(f'<div id="story-ad-{i + 1}-wrapper" class="{c()}"><div class="{c()}"><p class="{c()}">{pg.b("ad-label", "Advertisement" if pg.lang == "en" else "Publicité")}</p><a href="#after-story-ad-{i + 1}">{esc("SKIP ADVERTISEMENT" if pg.lang == "en" else "PASSER LA PUBLICITÉ")}</a></div></div>')
    related = "".join(f'<li class="{c()}"><a href="{pg.href(x[0])}"><h3 class="{c()}">{pg.b("related", x[0])}</h3><p class="{c()}">{pg.b("related-desc", x[1])}</p></a></li>' for x in [pg.teaser() for _ in range(r.randint(2, 4))])
    index = "".join(f'<li><a href="/section/{x.lower()}">{pg.b("nav", x)}</a></li>' for x in pg.sections(12))
    return (
        pg.head(pg.jsonld() if r.random() < 0.5 else "")
        + f'<body><div id="app"><div><header class="{c()}"><a href="/">{esc(pg.site)}</a><nav><ul>{pg.nav_links(7)}</ul></nav></header>'
        f'<main id="site-content"><div><article id="story" class="{c()}"><header class="{c()}"><h1 data-testid="headline" class="{c()}">{esc(pg.art["title"])}</h1>'
        f'<p class="{c()}">{esc(t["by"])} <span class="{c()}">{esc(pg.author)}</span></p><time datetime="{pg.date_iso}">{esc(pg.date_text)}</time></header>'
        f'<section name="articleBody" class="meteredContent {c()}">{"".join(body)}</section>'
        f'<div class="{c()}"><button class="{c()}">{pg.b("comment-cta", ("Read " if pg.lang == "en" else "Lire les ") + str(r.randint(50, 900)) + (" comments" if pg.lang == "en" else " commentaires"))}</button></div>'
        f'<div class="{c()}"><h2 class="{c()}">{esc(r.choice(t["related"]))}</h2><ul class="{c()}">{related}</ul></div></article></div></main>'
        f'<nav class="{c()}" aria-label="Site Index"><h2>Site Index</h2><ul>{index}</ul></nav>'
        f'<footer class="{c()}"><ul>{pg.footer_links(6)}</ul><p>{pg.rights()}</p></footer></div></div></body></html>'
    )


def t_fr_mobile(pg):
    """A French news site's mobile-first markup: the key points list above the text (part
    of the article), an inline "à lire aussi" card, a signature, a theme carousel."""
    r, t = pg.rng, pg.t
    blocks = list(pg.blocks)
    essentials = ""
    lists = [v for k, v in blocks if k == "ul"]
    if lists and r.random() < 0.7:
        essentials = f'<div class="c-essentials"><h2 class="c-essentials__title">{esc(t["essentials"])}</h2><ul>{"".join(f"<li>{esc(x)}</li>" for x in lists[0])}</ul></div>'
        blocks = [(k, v) for k, v in blocks if not (k == "ul" and v is lists[0])]
    saved = pg.blocks
    pg.blocks = blocks
    body = pg.article_html("p")
    pg.blocks = saved
    h, _, _ = pg.teaser()
    body.insert(r.randint(2, max(2, len(body) - 1)), f'<div class="c-related-card"><strong>{esc(r.choice(t["readalso"]).upper())}</strong><a href="{pg.href(h)}"><span>{pg.b("readalso", h)}</span></a></div>')
    theme = "".join(f'<li class="c-carousel__item"><a href="{pg.href(x[0])}"><p>{pg.b("related", x[0])}</p></a></li>' for x in [pg.teaser() for _ in range(4)])
    return (
        pg.head()
        + f'<body class="l-mobile"><div class="c-burger"><ul>{pg.nav_links(9)}</ul></div><header class="c-header"><a class="c-logo" href="/">{esc(pg.site)}</a></header>'
        f'<main class="l-main"><article class="c-article"><h1 class="c-title">{esc(pg.art["title"])}</h1>'
        f'<div class="c-signature"><span class="c-signature__names">{esc(pg.author)}</span><time>{esc(pg.date_text)}</time></div>'
        f'{essentials}<div class="c-body qiota_reserve">{"".join(body)}</div>'
        f'<ul class="c-tags"><li><a href="#">{esc(pg.section)}</a></li></ul></article>'
        f'<section class="c-carousel"><h2>{esc(r.choice(t["related"]))}</h2><ul>{theme}</ul></section>'
        f'<div class="c-app-promo"><p>{pg.b("app", t["app"])}</p></div></main>'
        f'<footer class="c-footer"><ul>{pg.footer_links(6)}</ul><p>{pg.rights()}</p></footer></body></html>'
    )


def t_institutional(pg):
    """An institution's news page on a grid framework: no telling class names at all, a
    latest-news column and a press-office box of plain text beside the article."""
    r, t = pg.rng, pg.t
    body = pg.article_html("p")
    latest = "".join(f'<li class="list-group-item"><a href="{pg.href(x[0])}">{pg.b("related", x[0])}</a><br><small>{esc(pg.date_text)}</small></li>' for x in [pg.teaser() for _ in range(5)])
    return (
        pg.head()
        + f'<body><div class="navbar navbar-expand-lg"><div class="container"><a class="navbar-brand" href="/">{esc(pg.site)}</a><ul class="navbar-nav">{pg.nav_links(6, cls="nav-link")}</ul></div></div>'
        f'<div class="container mt-4"><div class="row"><div class="col-lg-8"><h1 class="display-5">{esc(pg.art["title"])}</h1><p class="text-muted">{esc(pg.date_text)}</p>'
        f'{"".join(body)}</div>'
        f'<div class="col-lg-4"><div class="card mb-3"><div class="card-header">{esc(t["latest"])}</div><ul class="list-group list-group-flush">{latest}</ul></div>'
        f'<div class="card"><div class="card-body"><p class="card-text">{pg.b("press", t["press"])}</p></div></div></div></div></div>'
        f'<div class="bg-dark text-white mt-5 py-4"><div class="container"><div class="row"><div class="col">{pg.footer_links(5).replace("<li>", "<p>").replace("</li>", "</p>")}</div><div class="col"><p>{pg.rights()}</p></div></div></div></div></body></html>'
    )


def t_wire(pg):
    """A news agency's article page: numbered paragraph test ids, an inline sign-up line,
    the standards line, read-next and more-from lists."""
    r, t = pg.rng, pg.t

    def c(kind):
        return f"{kind}__{''.join(r.choice('abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789') for _ in range(5))}"

    body, i = [], 0
    for k, v in pg.blocks:
        if k in ("p", "lead"):
            body.append(f'<p data-testid="paragraph-{i}" class="{c("text")} {c("body")}">{esc(v)}</p>')
            i += 1
        elif k == "h":
            body.append(f'<h2 data-testid="Heading" class="{c("text")}">{esc(v)}</h2>')
        else:
            saved = pg.blocks
            pg.blocks = [(k, v)]
            body.extend(pg.article_html("p"))
            pg.blocks = saved
    if r.random() < 0.6:
        body.insert(r.randint(2, max(2, len(body) - 1)), f'<p class="{c("text")}"><a href="/newsletters">{pg.b("newsletter", "Sign up here." if pg.lang == "en" else "Inscrivez-vous ici.")}</a></p>')
    nxt = "".join(f'<li><a data-testid="Heading" href="{pg.href(x[0])}">{pg.b("related", x[0])}</a></li>' for x in [pg.teaser() for _ in range(4)])
    more = "".join(f'<li><a href="{pg.href(x[0])}"><span>{pg.b("related", x[0])}</span></a><time>{esc(pg.date_text)}</time></li>' for x in [pg.teaser() for _ in range(4)])
    return (
        pg.head(pg.jsonld() if r.random() < 0.5 else "")
        + f'<body><div id="fusion-app"><header class="{c("site-header")}"><a href="/">{esc(pg.site)}</a><ul>{pg.nav_links(8)}</ul></header>'
        f'<main id="main-content"><article class="{c("article")}"><div class="{c("article-header")}"><h1 data-testid="Heading">{esc(pg.art["title"])}</h1>'
        f'<div class="{c("article-byline")}">{esc(t["by"])} <a href="/authors/">{esc(pg.author)}</a></div><time>{esc(pg.date_text)}</time></div>'
        f'<div class="{c("article-body")}"><div class="{c("article-body-content")}">{"".join(body)}'
        f'<p class="{c("sign-off")}">{esc(("Reporting by " if pg.lang == "en" else "Reportage ") + pg.author)}</p></div>'
        f'<p class="{c("trust")}"><a href="/about/standards">{pg.b("standards", t["standards"])}</a></p></div></article>'
        f'<div class="{c("read-next")}"><h2>{esc(r.choice(t["related"]))}</h2><ul>{nxt}</ul></div>'
        f'<div class="{c("more-from")}"><h2>{esc(t["latest"])}</h2><ul>{more}</ul></div></main>'
        f'<footer class="{c("site-footer")}"><ul>{pg.footer_links(8)}</ul><p>{pg.rights()}</p></footer></div></body></html>'
    )


# name -> (function, split). Tuning uses only the "tune" half; "heldout" is reported;
# "tune2" were written after a first freeze and then tuned on; "unseen" were written
# after the last change to the extractor and never tuned on.
TEMPLATES = {
    "wordpress": (t_wordpress, "tune"),
    "news-megamenu": (t_news_megamenu, "tune"),
    "amp": (t_amp, "tune"),
    "jsonld": (t_jsonld, "tune"),
    "liveblog": (t_liveblog, "tune"),
    "table-legacy": (t_table_legacy, "tune"),
    "medium": (t_medium, "heldout"),
    "split-divs": (t_split_divs, "heldout"),
    "react-hashed": (t_react_hashed, "heldout"),
    "drupal": (t_drupal, "heldout"),
    "ghost": (t_ghost, "heldout"),
    "magazine": (t_magazine, "heldout"),
    "guardian-like": (t_guardian, "tune2"),
    "lemonde-like": (t_lemonde, "tune2"),
    "bbc-like": (t_bbc, "tune2"),
    "blogger": (t_blogger, "tune2"),
    "substack-like": (t_substack, "tune2"),
    "nyt-like": (t_nyt, "unseen"),
    "fr-mobile": (t_fr_mobile, "unseen"),
    "institutional": (t_institutional, "unseen"),
    "wire-like": (t_wire, "unseen"),
}


# ---------------------------------------------------------------- gold


def words_window(rng, text, lo=5, hi=9):
    """A run of 5-9 words from one sentence of `text`, as written."""
    cands = [s for s in sentences(text) if len(s.split()) >= lo]
    if not cands:
        return None
    s = rng.choice(cands)
    w = s.split()
    n = min(len(w), rng.randint(lo, hi))
    start = rng.randint(0, len(w) - n)
    return " ".join(w[start:start + n]).strip(" ,;:")


def gold(pg, rng):
    """Up to six snippets of the article (from its beginning, middle and end, and its
    headings, lists, tables and quotes) and up to six of the boilerplate it shows, each
    found in one side only."""
    art_texts = []
    for k, v in pg.blocks:
        if k == "ul":
            art_texts.extend(v)
        elif k == "table":
            art_texts.extend(c for row in v for c in row)
        elif k != "img":
            art_texts.append(v)
    boiler_texts = [x for _, x in pg.boiler]
    article_all = "\n".join(art_texts)
    boiler_all = "\n".join(boiler_texts)

    def ok_with(s):
        return s and len(s.split()) >= 4 and s not in boiler_all and article_all.count(s) == 1

    def ok_without(s):
        return s and len(s.split()) >= 3 and s not in article_all and s not in pg.art["title"]

    special, plain = [], []
    for k, v in pg.blocks:
        if k == "h":
            special.append(v if 4 <= len(v.split()) <= 12 else words_window(rng, v, 4, 8))
        elif k == "ul":
            special.append(words_window(rng, rng.choice(v), 4, 8))
        elif k == "table":
            special.append(words_window(rng, rng.choice(v[1:])[1], 4, 8))
        elif k == "quote":
            special.append(words_window(rng, v, 4, 8))
    paras = [v for k, v in pg.blocks if k in ("p", "lead")]
    if paras:
        picks = [paras[0], paras[len(paras) // 2], paras[-1]]
        if len(paras) > 6:
            picks.append(paras[len(paras) // 4])
        plain = [words_window(rng, v) for v in picks]
    special = [s for s in special if ok_with(s)]
    rng.shuffle(special)
    chosen = []
    # headings, lists, tables and quotes first, then paragraphs from across the text
    for s in special[:3] + [s for s in plain if ok_with(s)] + special[3:]:
        if s not in chosen and len(chosen) < 6:
            chosen.append(s)
    # boilerplate: one of each kind present, then more of them
    by_kind = {}
    for k, x in pg.boiler:
        if k in ("nav", "crumb"):
            continue
        by_kind.setdefault(k, []).append(x)
    kinds = sorted(by_kind)
    rng.shuffle(kinds)
    without = []
    for k in kinds:
        x = rng.choice(by_kind[k])
        s = x if len(x.split()) <= 10 else words_window(rng, x, 4, 8) or x
        if ok_without(s) and s not in without:
            without.append(s)
        if len(without) == 6:
            break
    return chosen, without


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-template", type=int, default=20)
    ap.add_argument("--seed", type=int, default=16)
    a = ap.parse_args()
    if not os.path.isdir(a.shared):
        sys.exit(f"make-pages: {a.shared}: no shared data here (../shared/data beside the checkout)")
    rng = random.Random(a.seed)
    arts = load_articles(a.shared, rng)
    teasers = load_teasers(a.shared)
    arts = [x for x in arts if len(x["paras"]) >= 5 and sum(len(p) for p in x["paras"]) >= 1200]
    pool_sents = {"fr": [], "en": []}
    for x in arts:
        pool_sents[x["lang"]].extend(s for p in x["paras"] for s in sentences(p) if 8 <= len(s.split()) <= 30)
    by_lang = {lang: [x for x in arts if x["lang"] == lang] for lang in ("fr", "en")}
    for lang in by_lang:
        rng.shuffle(by_lang[lang])
    os.makedirs(os.path.join(a.out, "pages"), exist_ok=True)
    n = 0
    with open(os.path.join(a.out, "gold.jsonl"), "w", encoding="utf-8") as g:
        for name, (fn, split) in TEMPLATES.items():
            for k in range(a.per_template):
                lang = "fr" if k % 2 == 0 else "en"
                art = by_lang[lang].pop()
                # the comment pool excludes the page's own article
                pg = Page(rng, art, teasers, pool_sents, name, split)
                page = fn(pg)
                with_s, without_s = gold(pg, rng)
                n += 1
                fname = f"{n:03d}-{name}.html"
                with open(os.path.join(a.out, "pages", fname), "w", encoding="utf-8") as f:
                    f.write(page)
                rec = {"file": fname, "template": name, "split": split, "lang": lang, "source": art["source"], "with": with_s, "without": without_s}
                if getattr(pg, "mode", None):
                    rec["mode"] = pg.mode
                g.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"make-pages: {n} pages in {a.out}/pages, gold in {a.out}/gold.jsonl (seed {a.seed})", file=sys.stderr)


if __name__ == "__main__":
    main()
