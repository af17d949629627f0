"""Golden pages that are not (only) an article: walls, challenges, listings, errors, structure."""

from __future__ import annotations

from _common import Golden, esc, expect, not_article, paras

PLANET_NAV = """<header class="dp-header"><a href="/" class="dp-logo">The Daily Planet</a>
<nav class="dp-nav"><a href="/world">World</a> <a href="/politics">Politics</a> <a href="/business">Business</a> <a href="/science">Science</a> <a href="/sport">Sport</a> <a href="/culture">Culture</a></nav></header>"""
PLANET_FOOTER = """<footer class="dp-footer"><a href="/about">About us</a> <a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <p>&copy; 2024 The Daily Planet</p></footer>"""


# --- a consent wall instead of the article -------------------------------------------------------

CONSENT_TEXT = [
    "Before you continue to The Daily Planet",
    ("We and our 847 partners use cookies and similar technologies to store and access information on your "
    "device, to show you personalised ads and content, to measure ads and content, and to develop and improve "
    "our products."),
    ("Click Accept all to consent to this use, or Reject all to refuse. You can change your choices at any time "
    "under Privacy settings at the bottom of every page. Some partners process your data on the basis of "
    "legitimate interest, which you can object to by selecting Manage options."),
]


def consent_wall() -> Golden:
    url = "https://www.dailyplanet.example.com/world/2024/03/05/summit-ends-without-deal"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>The Daily Planet</title>
<meta name="robots" content="noindex">
<script src="https://cmp.dailyplanet.example.com/consent/v2/loader.js"></script>
</head>
<body class="consent-page">
<div id="sp_message_container_771" class="sp-message-container consent-wall">
  <div class="message-component message-row">
    <h1 class="consent-title">{esc(CONSENT_TEXT[0])}</h1>
    {paras(CONSENT_TEXT[1:], "consent-text")}
    <div class="consent-buttons"><button title="Accept all" class="btn-accept">Accept all</button> <button title="Reject all" class="btn-reject">Reject all</button> <button title="Manage options" class="btn-manage">Manage options</button></div>
  </div>
</div>
</body>
</html>
"""
    return Golden(
        slug="consent-wall-only",
        url=url,
        html=page,
        expected=expect("The Daily Planet", language="en", canonical_url=url, flags=["consent_wall"]),
        paragraphs=CONSENT_TEXT,
    )


# --- a bot challenge served with 200 -------------------------------------------------------------

CHALLENGE_TEXT = [
    "www.dailyplanet.example.com",
    "Checking if the site connection is secure",
    "www.dailyplanet.example.com needs to review the security of your connection before proceeding.",
]


def bot_challenge() -> Golden:
    url = "https://www.dailyplanet.example.com/politics/2024/03/06/budget-vote-delayed"
    page = f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta http-equiv="X-UA-Compatible" content="IE=Edge">
<meta name="robots" content="noindex,nofollow">
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>*{{box-sizing:border-box;margin:0;padding:0}}html{{line-height:1.15}}</style>
</head>
<body class="no-js">
<div class="main-wrapper" role="main">
<div class="main-content">
  <h1 class="zone-name-title h1">{CHALLENGE_TEXT[0]}</h1>
  <h2 id="challenge-running" class="h2">{CHALLENGE_TEXT[1]}</h2>
  <noscript><div id="challenge-error-title"><div class="h2"><span class="icon-wrapper"></span><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></div></noscript>
  <div id="challenge-body-text" class="core-msg spacer">{CHALLENGE_TEXT[2]}</div>
  <form id="challenge-form" action="/politics/2024/03/06/budget-vote-delayed?__cf_chl_f_tk=abc123" method="POST" enctype="application/x-www-form-urlencoded"><input type="hidden" name="md" value="x"></form>
</div>
</div>
<script>(function(){{window._cf_chl_opt={{cvId: '3',cZone: "www.dailyplanet.example.com",cType: 'managed',cRay: '8601f2c1ab'}};var cpo = document.createElement('script');cpo.src = '/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8601f2c1ab';document.getElementsByTagName('head')[0].appendChild(cpo);}}());</script>
<div class="footer" role="contentinfo"><div class="footer-inner"><div class="clearfix diagnostic-wrapper"><div class="ray-id">Ray ID: <code>8601f2c1ab</code></div></div><div class="text-center" id="footer-text">Performance &amp; security by Cloudflare</div></div></div>
</body>
</html>
"""
    return Golden(
        slug="bot-challenge",
        url=url,
        html=page,
        expected=expect("Just a moment...", language="en", canonical_url=url, flags=["bot_challenge"]),
        paragraphs=CHALLENGE_TEXT,
    )


# --- a JavaScript application shell ----------------------------------------------------------------

JS_TEXT = ["You need to enable JavaScript to run this app."]


def js_required() -> Golden:
    url = "https://app.dailyplanet.example.com/story/ocean-heat-record"
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<link rel="icon" href="/favicon.ico"/>
<meta name="viewport" content="width=device-width,initial-scale=1"/>
<meta name="theme-color" content="#000000"/>
<title>The Daily Planet</title>
<script defer="defer" src="/static/js/main.8f3a2c1e.js"></script>
<link href="/static/css/main.4b1d2e3f.css" rel="stylesheet">
</head>
<body>
<noscript>{JS_TEXT[0]}</noscript>
<div id="root"></div>
</body>
</html>
"""
    return Golden(
        slug="js-required-shell",
        url=url,
        html=page,
        expected=expect("The Daily Planet", language="en", canonical_url=url, flags=["js_required"]),
        paragraphs=JS_TEXT,
    )


# --- a section front: not an article ---------------------------------------------------------------

TEASERS = [
    ("Summit ends without deal on fishing quotas", "Ministers failed to agree on catch limits after two days of talks."),
    ("Flooding forces thousands from homes in delta region", "Rescue teams are using boats to reach villages."),
    ("Election commission confirms date for vote", "The ballot will take place on the first Sunday of June."),
    ("Rail strike called off after last-minute offer", "Unions say members will vote on the new pay deal."),
    ("Wildfire contained after burning 4,000 hectares", "Firefighters expect to stay on site until the weekend."),
    ("Central bank holds rates for a third month", "Policymakers signalled cuts could come later this year."),
    ("Museum returns looted bronzes", "The objects were taken from the royal palace in 1897."),
    ("Drought threatens wheat harvest", "Farmers warn yields could fall by a quarter."),
    ("New bridge links island to mainland", "The crossing cuts the journey from an hour to ten minutes."),
    ("Court blocks mining project", "Judges said the environmental review was incomplete."),
]


def section_front() -> Golden:
    url = "https://www.dailyplanet.example.com/world"
    cards = "\n".join(f"""<article class="dp-card">
  <a href="/world/2024/03/0{i % 9 + 1}/story-{i}"><img src="/img/thumb-{i}.jpg" alt=""></a>
  <h3 class="dp-card__title"><a href="/world/2024/03/0{i % 9 + 1}/story-{i}">{esc(head)}</a></h3>
  <p class="dp-card__summary">{esc(summary)}</p>
  <time datetime="2024-03-0{i % 9 + 1}T10:00:00Z">{i + 1} hours ago</time>
</article>""" for i, (head, summary) in enumerate(TEASERS))
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>World news | The Daily Planet</title>
<meta property="og:type" content="website">
<meta property="og:site_name" content="The Daily Planet">
<link rel="canonical" href="{url}">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"CollectionPage","name":"World news","url":"{url}"}}</script>
</head>
<body>
{PLANET_NAV}
<main class="dp-section">
<h1 class="dp-section__title">World</h1>
<div class="dp-section__grid">
{cards}
</div>
<div class="dp-pagination"><a href="/world?page=2">Next page</a></div>
</main>
{PLANET_FOOTER}
</body>
</html>
"""
    return Golden(slug="section-front-world", url=url, html=page, expected=not_article("not an article"))


# --- a "soft 404": an error page served with 200 ---------------------------------------------------


def soft_404() -> Golden:
    url = "https://www.dailyplanet.example.com/world/2019/01/01/removed-story"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Page not found | The Daily Planet</title></head>
<body>
{PLANET_NAV}
<main class="dp-error">
<h1>Sorry, we can't find that page</h1>
<p>The page you were looking for may have been moved or deleted. Try searching, or go back to the home page.</p>
<form action="/search"><input name="q"><button>Search</button></form>
<h2>Most read</h2>
<ul><li><a href="/world/a">Summit ends without deal on fishing quotas</a></li><li><a href="/world/b">Drought threatens wheat harvest</a></li></ul>
</main>
{PLANET_FOOTER}
</body>
</html>
"""
    return Golden(slug="soft-404", url=url, html=page, expected=not_article("error page"))


# --- an explainer with a standfirst, bullet points and a data table ---------------------------------

EXPLAINER_BODY = [
    ("p", ("The count is complete in all 120 constituencies, and no party has won a majority. Here is what the "
          "result means and what happens next.")),
    ("h2", "The result"),
    ("table", [["Party", "Seats", "Change"], ["Green Alliance", "48", "+11"], ["People's Party", "41", "-6"],
               ["Liberal Union", "19", "-3"], ["Others", "12", "-2"]]),
    ("h2", "What happens next"),
    ("p", ("Parliament must meet within 30 days. The president will first ask the leader of the largest party to "
          "try to form a government. Three options are being discussed:")),
    ("ul", ["A coalition between the Green Alliance and the Liberal Union, which would have 67 seats.",
            "A minority Green Alliance government supported vote by vote.",
            "A grand coalition of the two largest parties, which both have ruled out."]),
    ("p", "If no government is formed within 60 days of the first sitting, a new election must be called."),
]


def explainer() -> Golden:
    url = "https://www.dailyplanet.example.com/politics/2024/04/15/election-result-explained"
    title = "Hung parliament: what the election result means"
    blocks, expected = [], []
    for kind, content in EXPLAINER_BODY:
        if kind == "p":
            blocks.append(f"<p>{esc(content)}</p>")
            expected.append(content)
        elif kind == "h2":
            blocks.append(f"<h2>{esc(content)}</h2>")
            expected.append(content)
        elif kind == "ul":
            blocks.append("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in content) + "</ul>")
            expected.extend(content)
        else:
            head, *rows = content
            blocks.append("<table class=\"results\"><thead><tr>" + "".join(f"<th>{esc(c)}</th>" for c in head)
                          + "</tr></thead><tbody>" + "".join(
                              "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
                          + "</tbody></table>")
            expected.extend(" | ".join(row) for row in content)
    body = "\n".join(blocks)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} | The Daily Planet</title>
<meta property="og:type" content="article">
<meta property="og:site_name" content="The Daily Planet">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2024-04-15T08:00:00Z">
<meta name="author" content="Nadia Rahman">
<link rel="canonical" href="{url}">
</head>
<body>
{PLANET_NAV}
<main>
<article class="dp-article">
  <h1>{title}</h1>
  <div class="dp-article__byline">By Nadia Rahman</div>
  <div class="article-body">
{body}
  </div>
  <div class="dp-article__newsletter newsletter-box"><p>Sign up for our politics newsletter: the week in Parliament, every Friday.</p><a href="/newsletters">Sign up</a></div>
</article>
</main>
{PLANET_FOOTER}
</body>
</html>
"""
    return Golden(
        slug="explainer-list-and-table",
        url=url,
        html=page,
        expected=expect(title, authors=["Nadia Rahman"], published="2024-04-15T08:00:00+00:00", language="en",
                        site_name="The Daily Planet", canonical_url=url),
        paragraphs=expected,
    )


PAGES_SPECIAL = [consent_wall, bot_challenge, js_required, section_front, soft_404, explainer]
