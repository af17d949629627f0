"""English-language golden pages: one per common news layout."""

from __future__ import annotations

from _common import Golden, esc, expect, paras

# --- RFE/RL (Pangea CMS style), rebuilt from ../shared/seeds/rferl-russia-uzbekistan-accord.txt ----

RFERL_PARAGRAPHS = [
    ("Moscow, 14 November 2005 (RFE/RL) -- Russian President Vladimir Putin is meeting Uzbek President "
    "Islam Karimov today for talks set to culminate with the signing of a treaty between both countries."),
    ("The accord illustrates Russia's growing support for the authoritarian Uzbek leader, who has come under "
    "heavy fire in the West for the bloodshed in Andijon in May."),
    ("The talks will reportedly focus on ways to boost bilateral military and economic cooperation, and on the "
    "activities of the Shanghai Cooperation Organization, a regional security group including Russia, China, "
    "Uzbekistan, and three other Central Asian countries."),
    ("Putin and Karimov are also due to discuss Uzbekistan's possible admittance to the Eurasian Economic "
    "Community (Eurasec), a body seeking to establish a single economic zone comprising Russia, Kazakhstan, "
    "Kyrgyzstan, Tajikistan, and Belarus."),
    ("Sergei Luzyanin, the president of the Foundation for Eastern Studies at the Moscow State Institute for "
    "International Relations, tells RFE/RL's Russian Service that the growing rapprochement between both "
    "countries illustrates Russia's drive to strengthen its presence in Central Asia."),
    ("\"All this is linked to the strengthening of Russia's position in Central Asia through a rapprochement "
    "with its main player, Uzbekistan,\" Luzyanin says. \"I do not exclude that the opening of a Russian "
    "military base in Uzbekistan in the near future may even be discussed.\""),
    "New Accord",
    "The highlight of today's talks will be the planned signing of a treaty between Russia and Uzbekistan.",
    ("The Russian Foreign Ministry said in a statement today that the treaty -- which builds on the previous "
    "Strategic Partnership Treaty signed by both countries in June 2004 -- seeks to establish a \"long-term "
    "foundation\" for closer bilateral ties."),
    ("According to media reports, in this new treaty, Russia pledges to support Uzbekistan in the event of "
    "unrest such as the 13 May violence in the Uzbek city of Andijon."),
    ("Speaking to reporters ahead of talks, Karimov thanked Moscow for its support and said that \"Russia will "
    "not regret signing this treaty today.\""),
    "Putin, in turn, called the treaty a \"serious new step in the development of bilateral cooperation.\"",
    ("The Uzbek authorities blame Islamic militants for staging the uprising and say that 187 people were "
    "killed in the violence, mainly militants and government troops. Rights watchdogs, however, say over 700 "
    "unarmed civilians were killed by government forces."),
    ("Karimov's alleged heavy-handed response to the unrest and his subsequent refusal to allow an "
    "international probe into the violence has severely soured Uzbekistan's relations with the West."),
    ("Moscow has displayed growing support for the Uzbek leader since the Andijon events. China has also "
    "thrown its weight behind Karimov."),
    ("But Luzyanin says Russia's support for the authoritarian Uzbek president is unlikely to strain its ties "
    "with the West."),
    ("\"On the whole, if Russia will support Uzbekistan on the [question of] European sanctions], its position "
    "will not be significantly affected all the same. Of course, [such a position] will generate some "
    "additional criticism but it will not radically worsen Europe's relations with Russia because of "
    "Tashkent,\" Luzyanin says."),
    ("In early October, the European Union announced that it will ban weapons exports to Uzbekistan. It will "
    "also refuse visas to certain officials."),
    ("In July, the SCO urged the United States to set a timetable for pulling out its troops from bases in "
    "Uzbekistan. This call was swiftly followed by Uzbekistan's request that the United States withdraw its "
    "troops within six months."),
    ("As a further sign of growing military ties, Russia and Uzbekistan held their first joint military "
    "exercises in September."),
]

# the lines of the seed that are boilerplate, in the order the naive extractor produced them
RFERL_BOILERPLATE = [
    "Accessibility links",
    "Breaking News",
    "Uzbek President Islam Karimov (file photo) (AFP)",
    "Aftermath Of Andijon",
    ("A dedicated webpage bringing together all of RFE/RL's coverage of the events in Andijon, Uzbekistan, "
    "in May 2005 and their continuing repercussions."),
    "An annotated timeline of the Andijon events and their repercussions.",
    "RFE/RL has been declared an \"undesirable organization\" by the Russian government.",
    ("If you are in Russia or the Russia-controlled parts of Ukraine and hold a Russian passport or are a "
    "stateless person residing permanently in Russia or the Russia-controlled parts of Ukraine, please note "
    "that you could face fines or imprisonment for sharing, liking, commenting on, or saving our content, or "
    "for contacting us."),
    "To find out more, click here.",
]


def _rferl_body() -> str:
    out = []
    for p in RFERL_PARAGRAPHS:
        if p == "New Accord":
            out.append('<h3 class="wsw__h3">New Accord</h3>')
        else:
            out.append(f"<p>{esc(p)}</p>")
    return "\n".join(out)


def rferl() -> Golden:
    url = "https://www.rferl.org/a/russia-uzbekistan-to-sign-new-accord/1063010.html"
    title = "Russia, Uzbekistan To Sign New Accord"
    page = f"""<!DOCTYPE html>
<html lang="en" dir="ltr" class="no-js">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="description" content="Russian President Vladimir Putin is meeting Uzbek President Islam Karimov today for talks set to culminate with the signing of a treaty.">
<meta property="og:type" content="article">
<meta property="og:site_name" content="RFE/RL">
<meta property="og:title" content="{title}">
<meta property="og:url" content="{url}">
<meta property="og:image" content="https://gdb.rferl.org/karimov-file-photo_w1200_r1.jpg">
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/Content/responsive/RFE/en-US/RFE-en-US.css">
<script type="text/javascript">var analyticsData = {{"section":"uzbekistan","pub_year":"2005","content_type":"article"}};</script>
<script src="/Scripts/responsive/loader.bundle.js" defer></script>
</head>
<body class="pg-article pg-article--single-column">
<div id="page">
<aside>
  <div class="c-lightbox overlay-modal"><div class="c-lightbox__intro"><h2 class="c-lightbox__intro-title"></h2></div></div>
</aside>
<div class="hdr-20 hdr-20--big">
  <div class="skip">
    <h2 class="sr-only">Accessibility links</h2>
    <ul class="skip__list">
      <li><a href="#content" class="skip__link">Skip to main content</a></li>
      <li><a href="#navigation" class="skip__link">Skip to main Navigation</a></li>
      <li><a href="#txtHeaderSearch" class="skip__link">Skip to Search</a></li>
    </ul>
  </div>
  <div class="hdr-20__inner">
    <a href="/" class="hdr-20__logo"><img src="/Content/responsive/RFE/img/logo.svg" alt="RFE/RL"></a>
    <nav id="navigation" class="main-menu" role="navigation">
      <ul>
        <li><a href="/Russia">Russia</a></li><li><a href="/Ukraine">Ukraine</a></li>
        <li><a href="/CentralAsia">Central Asia</a></li><li><a href="/Caucasus">Caucasus</a></li>
        <li><a href="/Iran">Iran</a></li><li><a href="/Investigations">Investigations</a></li>
      </ul>
    </nav>
    <form id="txtHeaderSearch" class="srch-top" action="/s"><input type="text" name="k" placeholder="Search"><button type="submit">Search</button></form>
  </div>
</div>
<div class="breaking-news" id="breakingNews">
  <div class="container">
    <span class="breaking-news__title">Breaking News</span>
    <a href="/a/latest.html" class="breaking-news__link"></a>
  </div>
</div>
<div id="content">
<div class="container">
  <div class="col-title">
    <div class="category"><a href="/Uzbekistan">Uzbekistan</a></div>
    <h1 class="title pg-title">{title}</h1>
  </div>
  <div class="col-publishing-details">
    <div class="publishing-details">
      <div class="published"><span class="date"><time pubdate="pubdate" datetime="2005-11-14">November 14, 2005</time></span></div>
    </div>
    <div class="links">
      <ul class="links__list links__list--column share--article">
        <li class="links__item"><a class="btn btn--social btn--facebook" href="https://facebook.com/sharer.php?u={url}" title="Share on Facebook"><span class="btn__text">Share on Facebook</span></a></li>
        <li class="links__item"><a class="btn btn--social btn--twitter" href="https://twitter.com/share?url={url}" title="Share on X"><span class="btn__text">Share on X</span></a></li>
        <li class="links__item"><a class="btn btn--social btn--email" href="mailto:?body={url}" title="Send by email"><span class="btn__text">Send by email</span></a></li>
      </ul>
    </div>
  </div>
  <div class="cover-media">
    <figure class="media-image js-media-expand">
      <div class="img-wrap"><img src="https://gdb.rferl.org/karimov-file-photo_w1023_r1.jpg" alt="Uzbek President Islam Karimov (file photo)"></div>
      <figcaption><span class="caption">Uzbek President Islam Karimov (file photo)</span> <span class="credit">(AFP)</span></figcaption>
    </figure>
  </div>
  <div class="body-container">
    <div class="content-offset" id="article-content">
      <div class="wsw">
{_rferl_body()}
        <div class="wsw__embed wsw__embed--small">
          <div class="media-block-wrap related-content">
            <h2 class="section-head">Aftermath Of Andijon</h2>
            <div class="media-block">
              <a href="/p/andijon-aftermath.html" class="img-wrap"><img src="https://gdb.rferl.org/andijon_w250.jpg" alt=""></a>
              <div class="media-block__content">
                <a href="/p/andijon-aftermath.html"><h4 class="media-block__title">Aftermath Of Andijon</h4></a>
                <p class="perex">A dedicated webpage bringing together all of RFE/RL's coverage of the events in Andijon, Uzbekistan, in May 2005 and their continuing repercussions.</p>
              </div>
            </div>
            <p class="media-block__more"><br><a href="/a/andijon-timeline/1059103.html">An annotated timeline of the Andijon events and their repercussions.</a></p>
          </div>
        </div>
      </div>
      <div class="c-disclaimer undesirable-notice">
        <p>RFE/RL has been declared an "undesirable organization" by the Russian government.</p>
        <p>If you are in Russia or the Russia-controlled parts of Ukraine and hold a Russian passport or are a stateless person residing permanently in Russia or the Russia-controlled parts of Ukraine, please note that you could face fines or imprisonment for sharing, liking, commenting on, or saving our content, or for contacting us.</p>
        <p><a href="/a/undesirable-organization-faq/32547722.html">To find out more, click here.</a></p>
      </div>
    </div>
  </div>
  <div class="media-block-wrap">
    <h2 class="section-head">Latest</h2>
    <ul>
      <li><a href="/a/uzbekistan-karimov-moscow/1063001.html">Karimov Arrives In Moscow For Two-Day Visit</a></li>
      <li><a href="/a/eu-uzbekistan-sanctions/1062450.html">EU Imposes Arms Embargo On Uzbekistan</a></li>
      <li><a href="/a/sco-bases-timetable/1060011.html">SCO Calls For Timetable On U.S. Bases</a></li>
    </ul>
  </div>
</div>
</div>
<footer role="contentinfo">
  <div class="foot">
    <ul class="foot-menu"><li><a href="/p/5803.html">About RFE/RL</a></li><li><a href="/p/5794.html">Privacy Policy</a></li><li><a href="/p/5795.html">Terms Of Use</a></li><li><a href="/p/5800.html">Contact Us</a></li></ul>
    <p class="copyright">Copyright &copy; 2025 RFE/RL, Inc. All Rights Reserved.</p>
  </div>
</footer>
</div>
<script type="text/javascript">window.dataLayer = window.dataLayer || []; dataLayer.push({{"event":"pageview"}});</script>
</body>
</html>
"""
    return Golden(
        slug="rferl-russia-uzbekistan-accord",
        url=url,
        html=page,
        expected=expect(title, published="2005-11-14", language="en", site_name="RFE/RL", canonical_url=url),
        paragraphs=RFERL_PARAGRAPHS,
        headers=[["Content-Type", "text/html; charset=utf-8"]],
    )


# --- WordPress news theme (with a comment section: comments are not article text) ----------------

WP_PARAGRAPHS = [
    ("Riverside's city council voted 6-3 on Tuesday night to convert the long-vacant Mill Street depot into a "
    "covered market hall, ending a decade of arguments over what to do with the red-brick building beside the "
    "river."),
    ("The $4.2 million plan, drawn up by the city's planning department, keeps the depot's original iron trusses "
    "and adds space for 40 permanent stalls, a teaching kitchen and a small stage for weekend events."),
    ("Council member Denise Ortega, who proposed the conversion, said the vote was a turning point for the east "
    "side of town. \"For ten years this building has been a fence and a warning sign,\" she said. \"Now it "
    "will be a place where people actually want to spend a Saturday.\""),
    ("Opponents questioned the cost. Council member Frank Hale argued that the money would be better spent on "
    "road repairs and warned that similar market halls in neighbouring towns had struggled to fill their stalls "
    "after the first year."),
    ("City manager Alicia Burns said the market would be run by a non-profit trust and was expected to cover its "
    "operating costs within three years. Stall rents will be capped for the first two years to attract small "
    "growers and bakers."),
    ("Construction is scheduled to begin in March, with the hall expected to open in the spring of next year. "
    "Residents can comment on the detailed design at a public meeting at the library on 14 February."),
]


def wordpress() -> Golden:
    url = "https://riversidecourier.com/2024/01/24/council-approves-mill-street-market-hall/"
    title = "Council approves Mill Street market hall after decade of debate"
    comments = [
        ("OldTownRes", "Finally! Drove past that depot every day for years. Hope they keep the clock."),
        ("skeptical_taxpayer", "4.2 million for a market when the potholes on 5th Avenue are this bad? Unbelievable."),
        ("Marta K.", "The market in Hollis did just fine. Give it a chance, people."),
        ("riverwalker", "Will there be bike parking? The article doesn't say."),
    ]
    comment_html = "\n".join(
        f"""<li id="comment-{i}" class="comment even thread-even depth-1">
  <article id="div-comment-{i}" class="comment-body">
    <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">{esc(who)}</b> <span class="says">says:</span></div>
    <div class="comment-metadata"><a href="#comment-{i}"><time datetime="2024-01-25T08:1{i}:00+00:00">January 25, 2024 at 8:1{i} am</time></a></div></footer>
    <div class="comment-content"><p>{esc(what)}</p></div>
    <div class="reply"><a rel="nofollow" class="comment-reply-link" href="#respond">Reply</a></div>
  </article>
</li>""" for i, (who, what) in enumerate(comments, start=101))
    page = f"""<!doctype html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} &#8211; Riverside Courier</title>
<meta name='robots' content='index, follow, max-image-preview:large'>
<link rel="canonical" href="{url}">
<meta property="og:locale" content="en_US">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="Riverside Courier">
<meta property="article:published_time" content="2024-01-24T21:47:00+00:00">
<meta property="article:modified_time" content="2024-01-25T09:02:11+00:00">
<meta property="article:section" content="Local">
<meta property="og:image" content="https://riversidecourier.com/wp-content/uploads/2024/01/mill-street-depot.jpg">
<meta name="author" content="Tom Becker">
<script type="application/ld+json" class="yoast-schema-graph">{{"@context":"https://schema.org","@graph":[{{"@type":"NewsArticle","@id":"{url}#article","headline":"{title}","datePublished":"2024-01-24T21:47:00+00:00","dateModified":"2024-01-25T09:02:11+00:00","author":{{"@type":"Person","name":"Tom Becker"}},"publisher":{{"@id":"https://riversidecourier.com/#organization"}}}},{{"@type":"Organization","@id":"https://riversidecourier.com/#organization","name":"Riverside Courier"}},{{"@type":"WebSite","@id":"https://riversidecourier.com/#website","name":"Riverside Courier"}}]}}</script>
<link rel='stylesheet' id='newsup-style-css' href='https://riversidecourier.com/wp-content/themes/newsup/style.css?ver=6.4.2' media='all'>
<script src="https://riversidecourier.com/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
</head>
<body class="post-template-default single single-post postid-4821 single-format-standard wp-embed-responsive">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div id="page" class="site">
<header id="masthead" class="site-header">
  <div class="mg-head-detail hidden-xs"><div class="container-fluid"><div class="info-left"><span class="time">Wed. Jan 24th, 2024</span></div>
  <ul class="mg-social info-right"><li><a href="https://facebook.com/riversidecourier"><span class="icon-soci facebook">Facebook</span></a></li><li><a href="https://twitter.com/rivcourier"><span class="icon-soci twitter">Twitter</span></a></li></ul></div></div>
  <div class="site-branding"><p class="site-title"><a href="https://riversidecourier.com/" rel="home">Riverside Courier</a></p><p class="site-description">News from the river towns since 1911</p></div>
  <nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu"><li><a href="/category/local/">Local</a></li><li><a href="/category/schools/">Schools</a></li><li><a href="/category/business/">Business</a></li><li><a href="/category/sports/">Sports</a></li><li><a href="/category/opinion/">Opinion</a></li><li><a href="/obituaries/">Obituaries</a></li></ul></nav>
</header>
<div class="mg-latest-news-sec"><div class="mg-latest-news"><div class="bn_title"><h2 class="title">Latest Post</h2></div>
  <div class="mg-latest-news-slider marquee"><a href="/2024/01/24/snow-day/"><span>Schools closed Thursday as snow moves in</span></a><a href="/2024/01/23/bridge/"><span>Second Street bridge reopens</span></a></div></div></div>
<div id="content" class="site-content">
<main id="primary" class="site-main">
<article id="post-4821" class="post-4821 post type-post status-publish format-standard has-post-thumbnail hentry category-local tag-city-council tag-mill-street">
  <header class="entry-header">
    <div class="mg-blog-category"><a class="newsup-categories category-color-1" href="/category/local/" alt="View all posts in Local">Local</a></div>
    <h1 class="entry-title">{title}</h1>
    <div class="media mg-info-author-block"><div class="media-body"><h4 class="media-heading"><span>By</span> <a href="/author/tbecker/" rel="author">Tom Becker</a></h4>
    <span class="mg-blog-date"><i class="fas fa-clock"></i> <time class="entry-date published" datetime="2024-01-24T21:47:00+00:00">Jan 24, 2024</time></span></div></div>
  </header>
  <div class="post-thumbnail"><img width="1200" height="675" src="/wp-content/uploads/2024/01/mill-street-depot.jpg" class="attachment-full wp-post-image" alt="The Mill Street depot">
  <figure class="wp-caption"><figcaption class="wp-caption-text">The Mill Street depot has stood empty since 2013. Photo: Tom Becker</figcaption></figure></div>
  <div class="entry-content">
{paras(WP_PARAGRAPHS)}
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3><div class="sd-content"><ul><li class="share-twitter"><a class="share-twitter sd-button" href="?share=twitter"><span>Twitter</span></a></li><li class="share-facebook"><a class="share-facebook sd-button" href="?share=facebook"><span>Facebook</span></a></li><li class="share-end"></li></ul></div></div></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3>
<div class="jp-relatedposts-items"><p class="jp-relatedposts-post"><a href="/2023/11/02/depot-options/">Three options on the table for the old depot</a><span class="jp-relatedposts-post-context">In "Local"</span></p>
<p class="jp-relatedposts-post"><a href="/2023/06/19/farmers-market-moves/">Saturday farmers market moves to Elm Park</a><span class="jp-relatedposts-post-context">In "Business"</span></p></div></div>
  </div>
  <footer class="entry-footer"><span class="tags-links">Tagged <a href="/tag/city-council/" rel="tag">city council</a>, <a href="/tag/mill-street/" rel="tag">Mill Street</a></span></footer>
</article>
<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">Post navigation</h2><div class="nav-links"><div class="nav-previous"><a href="/2024/01/23/bridge/" rel="prev">Second Street bridge reopens</a></div><div class="nav-next"><a href="/2024/01/24/snow-day/" rel="next">Schools closed Thursday as snow moves in</a></div></div></nav>
<div id="comments" class="comments-area">
  <h2 class="comments-title">4 thoughts on &ldquo;{title}&rdquo;</h2>
  <ol class="comment-list">
{comment_html}
  </ol>
  <div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
  <form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form"><p class="comment-notes">Your email address will not be published.</p><p class="comment-form-comment"><label for="comment">Comment</label><textarea id="comment" name="comment"></textarea></p><p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p></form></div>
</div>
</main>
<aside id="secondary" class="widget-area"><section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul><li><a href="/2024/01/24/snow-day/">Schools closed Thursday as snow moves in</a></li><li><a href="/2024/01/23/bridge/">Second Street bridge reopens</a></li><li><a href="/2024/01/22/library-hours/">Library extends weekend hours</a></li></ul></section>
<section id="mc4wp_form_widget-2" class="widget widget_mc4wp_form_widget"><h2 class="widget-title">Newsletter</h2><form id="mc4wp-form-1" class="mc4wp-form"><p>Get the Courier in your inbox every morning.</p><input type="email" name="EMAIL" placeholder="Your email address"><input type="submit" value="Sign up"></form></section></aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">&copy; 2024 Riverside Courier. All rights reserved. | Proudly powered by <a href="https://wordpress.org/">WordPress</a></div></footer>
</div>
<script src="https://riversidecourier.com/wp-content/plugins/jetpack/_inc/build/sharedaddy/sharing.min.js" id="sharing-js-js"></script>
</body>
</html>
"""
    return Golden(
        slug="wordpress-council-market-hall",
        url=url,
        html=page,
        expected=expect(title, authors=["Tom Becker"], published="2024-01-24T21:47:00+00:00", language="en",
                        site_name="Riverside Courier", canonical_url=url),
        paragraphs=WP_PARAGRAPHS,
    )


# --- Drupal news theme ---------------------------------------------------------------------------

DRUPAL_PARAGRAPHS = [
    ("Emergency crews evacuated more than 300 homes in the lower Alder Valley on Sunday after two days of heavy "
    "rain pushed the Alder River over its banks at three points south of Greywater."),
    ("The county's flood gauge at Millbrook Bridge reached 5.8 metres shortly after midnight, the highest level "
    "recorded since the floods of 1998. Forecasters expect the river to peak on Monday afternoon."),
    "Flood response",
    ("The regional fire service said it had rescued 27 people from cars and ground-floor flats overnight, "
    "including an elderly couple who were carried out of their cottage by boat. No serious injuries have been "
    "reported."),
    ("Temporary shelters have opened at Greywater High School and the Millbrook community centre. Volunteers from "
    "the Red Cross were handing out blankets and hot meals on Sunday evening."),
    ("County executive Ruth Mensah urged residents not to drive through flooded roads. \"Half a metre of moving "
    "water is enough to float a car,\" she said. \"If you see water across the road, turn around.\""),
    ("Schools in the valley will remain closed on Monday. The county will publish updated road closures on its "
    "website every three hours until the water recedes."),
]


def drupal() -> Golden:
    url = "https://www.valleyherald.org/news/2024-02-11/hundreds-evacuated-alder-river-floods"
    title = "Hundreds evacuated as Alder River floods lower valley"
    body = "\n".join(
        f"<h2>{esc(p)}</h2>" if p == "Flood response" else f"<p>{esc(p)}</p>" for p in DRUPAL_PARAGRAPHS)
    page = f"""<!DOCTYPE html>
<html lang="en" dir="ltr" prefix="og: https://ogp.me/ns#">
  <head>
    <meta charset="utf-8" />
    <meta name="description" content="Emergency crews evacuated more than 300 homes in the lower Alder Valley after the river burst its banks." />
    <link rel="canonical" href="/news/2024-02-11/hundreds-evacuated-alder-river-floods" />
    <meta property="og:site_name" content="The Valley Herald" />
    <meta property="og:type" content="article" />
    <meta property="og:title" content="{title} | The Valley Herald" />
    <meta property="article:published_time" content="2024-02-11T18:30:00-05:00" />
    <meta name="Generator" content="Drupal 10 (https://www.drupal.org)" />
    <meta name="MobileOptimized" content="width" />
    <title>{title} | The Valley Herald</title>
    <link rel="stylesheet" media="all" href="/sites/default/files/css/css_x7Q2.css" />
    <script type="application/json" data-drupal-selector="drupal-settings-json">{{"path":{{"baseUrl":"\\/","currentPath":"node\\/18842"}},"ajaxPageState":{{"theme":"herald"}}}}</script>
  </head>
  <body class="path-node page-node-type-article">
    <a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
    <div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
    <div class="layout-container">
      <header role="banner">
        <div class="region region-header">
          <div id="block-herald-branding" class="block block-system block-system-branding-block"><a href="/" rel="home" class="site-logo"><img src="/themes/custom/herald/logo.svg" alt="Home" /></a><div class="site-name"><a href="/" rel="home">The Valley Herald</a></div></div>
          <div class="search-block-form block block-search" data-drupal-selector="search-block-form" id="block-herald-search" role="search"><form action="/search/node" method="get"><input type="search" name="keys" placeholder="Search" /></form></div>
        </div>
        <div class="region region-primary-menu"><nav role="navigation" aria-labelledby="block-herald-main-menu-menu" id="block-herald-main-menu" class="block block-menu navigation menu--main"><h2 class="visually-hidden" id="block-herald-main-menu-menu">Main navigation</h2>
          <ul class="menu"><li class="menu-item"><a href="/news">News</a></li><li class="menu-item"><a href="/weather">Weather</a></li><li class="menu-item"><a href="/business">Business</a></li><li class="menu-item"><a href="/community">Community</a></li></ul></nav></div>
      </header>
      <div class="region region-highlighted"><div data-drupal-messages-fallback class="hidden"></div></div>
      <div class="region region-breadcrumb"><div id="block-herald-breadcrumbs" class="block block-system block-system-breadcrumb-block"><nav class="breadcrumb" role="navigation" aria-labelledby="system-breadcrumb"><h2 id="system-breadcrumb" class="visually-hidden">Breadcrumb</h2><ol><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ol></nav></div></div>
      <main role="main">
        <a id="main-content" tabindex="-1"></a>
        <div class="layout-content">
          <div class="region region-content">
            <div id="block-herald-content" class="block block-system block-system-main-block">
<article role="article" about="/news/2024-02-11/hundreds-evacuated-alder-river-floods" class="node node--type-article node--promoted node--view-mode-full">
  <h1 class="page-title"><span class="field field--name-title field--type-string field--label-hidden">{title}</span></h1>
  <div class="node__meta">
    <span class="field field--name-uid field--type-entity-reference field--label-hidden"><span lang="" about="/user/57" typeof="schema:Person" property="schema:name" datatype="">Priya Natarajan</span></span>
    <div class="field field--name-field-byline field--type-string field--label-hidden field__item">By <span class="author-name">Priya Natarajan</span> and <span class="author-name">Owen Leclerc</span></div>
    <span class="field field--name-created field--type-created field--label-hidden"><time datetime="2024-02-11T18:30:00-05:00" title="Sunday, February 11, 2024 - 18:30" class="datetime">Sun, 02/11/2024 - 18:30</time></span>
  </div>
  <div class="node__content">
    <div class="field field--name-field-image field--type-image field--label-hidden field__item"><img loading="lazy" src="/sites/default/files/styles/wide/public/2024-02/alder-flood.jpg" alt="Flooded road near Millbrook" /></div>
    <div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field__item">
{body}
    </div>
    <div class="field field--name-field-tags field--type-entity-reference field--label-above"><div class="field__label">Tags</div><div class="field__items"><div class="field__item"><a href="/taxonomy/term/12" hreflang="en">Weather</a></div><div class="field__item"><a href="/taxonomy/term/88" hreflang="en">Alder Valley</a></div></div></div>
  </div>
</article>
            </div>
            <div class="views-element-container block block-views block-views-blockrelated-articles-block-1" id="block-views-block-related-articles"><h2>More on the Alder Valley</h2>
              <div class="view view-related-articles"><div class="views-row"><a href="/news/2024-02-10/rain-warning">Heavy rain warning issued for Alder Valley</a></div><div class="views-row"><a href="/news/2023-12-01/levee-funding">State approves levee funding</a></div><div class="views-row"><a href="/news/1998-flood-anniversary">Remembering the 1998 flood</a></div></div></div>
          </div>
        </div>
      </main>
      <footer role="contentinfo"><div class="region region-footer"><div class="block"><p>The Valley Herald, 12 Canal Street, Greywater. Tips: newsroom@valleyherald.org</p><ul class="menu"><li><a href="/about">About</a></li><li><a href="/privacy">Privacy</a></li></ul></div></div></footer>
    </div>
    </div>
    <script src="/core/assets/vendor/once/once.min.js?v=1.0.1"></script>
  </body>
</html>
"""
    return Golden(
        slug="drupal-alder-river-floods",
        url=url,
        html=page,
        expected=expect(title, authors=["Priya Natarajan", "Owen Leclerc"], published="2024-02-11T18:30:00-05:00",
                        language="en", site_name="The Valley Herald", canonical_url=url),
        paragraphs=DRUPAL_PARAGRAPHS,
    )


# --- live blog -----------------------------------------------------------------------------------

LIVE_ENTRIES = [
    ("23:52", "Mayor Adeyemi concedes",
     [("Incumbent mayor Grace Adeyemi has conceded in a short speech to supporters at the Corn Exchange, "
      "thanking her campaign volunteers and wishing her successor \"every success in a job that is harder "
      "than it looks\".")]),
    ("23:15", "Turnout highest since 2002",
     [("The returning officer has confirmed turnout of 48.6 per cent across the city, up from 39 per cent at "
      "the last election and the highest figure since 2002."),
      ("Officials said the new polling stations in the northern wards had helped, with queues reported at "
      "Hartley Road until the polls closed.")]),
    ("22:40", "First wards declared",
     [("The first two wards to declare, Eastgate and Bridgeford, have both swung towards challenger Daniel "
      "Okafor, who took Eastgate by 412 votes. Bridgeford stayed with the mayor's party, but with a much "
      "smaller majority than four years ago.")]),
    ("22:00", "Polls have closed",
     [("Polling stations across the city have now closed. Counting begins at the Leisure Centre, where staff "
      "expect the first results shortly before 11pm. Stay with us for every declaration.")]),
]


def liveblog() -> Golden:
    url = "https://www.northerndaily.co.uk/news/live-mayoral-election-results-2024"
    title = "Mayoral election results live: Okafor wins as Adeyemi concedes"
    paragraphs: list[str] = []
    entries_html = []
    for time_, head, texts in LIVE_ENTRIES:
        paragraphs.append(f"{time_} {head}")
        paragraphs.extend(texts)
        entries_html.append(f"""<div class="live-post" id="post-{time_.replace(':', '')}" data-timestamp="2024-05-02T{time_}:00+01:00">
  <div class="live-post__share"><button class="share-button" aria-label="Share this post">Share</button></div>
  <h3 class="live-post__title"><time datetime="2024-05-02T{time_}:00+01:00">{time_}</time> {esc(head)}</h3>
  <div class="live-post__body">{paras(texts)}</div>
</div>""")
    entries = "\n".join(entries_html)
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} | Northern Daily</title>
<meta property="og:title" content="{title}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Northern Daily">
<meta property="og:url" content="{url}">
<link rel="canonical" href="{url}">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"LiveBlogPosting","headline":"{title}","coverageStartTime":"2024-05-02T21:30:00+01:00","datePublished":"2024-05-02T21:30:00+01:00","dateModified":"2024-05-02T23:52:00+01:00","author":[{{"@type":"Person","name":"Hannah Wright"}},{{"@type":"Person","name":"Sam Iqbal"}}],"publisher":{{"@type":"NewsMediaOrganization","name":"Northern Daily"}}}}</script>
<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>
</head>
<body>
<div class="nd-header"><a class="nd-logo" href="/">Northern Daily</a>
<ul class="nd-nav"><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/whats-on">What's On</a></li><li><a href="/news/politics">Politics</a></li></ul></div>
<div class="ad-slot ad-slot--leaderboard"><div id="div-gpt-ad-top">Advertisement</div></div>
<div class="live-article">
  <span class="live-badge">LIVE</span>
  <h1 class="live-article__headline">{title}</h1>
  <div class="live-article__byline">By Hannah Wright and Sam Iqbal</div>
  <div class="live-article__updated">Last updated: <time datetime="2024-05-02T23:52:00+01:00">2 May 2024, 23:52</time></div>
  <div class="key-events" aria-label="Key events"><h2>Key events</h2><ul><li><a href="#post-2352">Mayor Adeyemi concedes</a></li><li><a href="#post-2240">First wards declared</a></li></ul></div>
  <div class="live-feed">
{entries}
  </div>
  <div class="live-feed__more"><button>Load earlier posts</button></div>
</div>
<div class="most-read"><h2>Most read</h2><ol><li><a href="/news/a">Ring road closure extended to June</a></li><li><a href="/news/b">New tram line plans unveiled</a></li><li><a href="/news/c">Hospital parking charges scrapped</a></li></ol></div>
<div class="nd-footer"><p>&copy; Northern Daily Media Ltd 2024</p><a href="/contact">Contact</a> <a href="/terms">Terms</a></div>
</body>
</html>
"""
    return Golden(
        slug="liveblog-mayoral-election",
        url=url,
        html=page,
        expected=expect(title, authors=["Hannah Wright", "Sam Iqbal"], published="2024-05-02T21:30:00+01:00",
                        language="en", site_name="Northern Daily", canonical_url=url),
        paragraphs=paragraphs,
    )


# --- AMP page ------------------------------------------------------------------------------------

AMP_PARAGRAPHS = [
    ("Dock workers at the Port of Easthaven walked off the job at dawn on Thursday, halting the loading of "
    "container ships in a dispute over automation and shift patterns."),
    ("The Eastern Dockworkers Union said about 1,800 members had joined the 48-hour strike, the first at the "
    "port in more than twenty years. Pickets gathered at all four terminal gates by 6 a.m."),
    ("The union objects to plans by the port operator to introduce remote-controlled cranes at the north "
    "terminal, which it says would cut around 300 jobs over five years. The operator says no compulsory "
    "redundancies are planned."),
    ("Shipping agents said at least nine vessels were waiting offshore by Thursday afternoon. Retailers warned "
    "that a longer stoppage could delay deliveries of furniture and electronics ahead of the holiday season."),
    ("Talks between the two sides are due to resume on Monday under the supervision of the national mediation "
    "service."),
]


def amp() -> Golden:
    url = "https://www.coastaltimes.com/amp/business/port-easthaven-strike"
    canonical = "https://www.coastaltimes.com/business/port-easthaven-strike"
    title = "Easthaven dock workers strike over automation plans"
    page = f"""<!doctype html>
<html ⚡ lang="en">
<head>
<meta charset="utf-8">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<script async custom-element="amp-ad" src="https://cdn.ampproject.org/v0/amp-ad-0.1.js"></script>
<script async custom-element="amp-social-share" src="https://cdn.ampproject.org/v0/amp-social-share-0.1.js"></script>
<title>{title} - Coastal Times</title>
<link rel="canonical" href="{canonical}">
<meta name="viewport" content="width=device-width">
<meta property="og:site_name" content="Coastal Times">
<script type="application/ld+json">{{"@context":"http://schema.org","@type":"NewsArticle","mainEntityOfPage":"{canonical}","headline":"{title}","datePublished":"2024-10-17T14:05:00Z","author":{{"@type":"Person","name":"Luis Moreno"}},"publisher":{{"@type":"Organization","name":"Coastal Times","logo":{{"@type":"ImageObject","url":"https://www.coastaltimes.com/logo.png"}}}},"image":["https://www.coastaltimes.com/img/easthaven-pickets.jpg"]}}</script>
<style amp-boilerplate>body{{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;animation:-amp-start 8s steps(1,end) 0s 1 normal both}}</style><noscript><style amp-boilerplate>body{{-webkit-animation:none;animation:none}}</style></noscript>
<style amp-custom>.ct-header{{background:#003049;color:#fff}}.ct-article p{{font-size:18px}}</style>
</head>
<body>
<header class="ct-header"><a href="/amp/">Coastal Times</a><amp-sidebar id="sidebar" layout="nodisplay"><ul><li><a href="/amp/news">News</a></li><li><a href="/amp/business">Business</a></li><li><a href="/amp/sport">Sport</a></li></ul></amp-sidebar></header>
<article class="ct-article">
  <h1>{title}</h1>
  <p class="ct-byline">By Luis Moreno | <time datetime="2024-10-17T14:05:00Z">October 17, 2024</time></p>
  <amp-img src="https://www.coastaltimes.com/img/easthaven-pickets.jpg" width="1200" height="675" layout="responsive" alt="Pickets at the north gate"></amp-img>
  <div class="ct-social"><amp-social-share type="twitter"></amp-social-share><amp-social-share type="facebook"></amp-social-share><amp-social-share type="email"></amp-social-share></div>
  <div class="ct-article-body">
{paras(AMP_PARAGRAPHS[:3])}
<amp-ad width="300" height="250" type="doubleclick" data-slot="/1234/ct/business"><div placeholder>Advertisement</div></amp-ad>
{paras(AMP_PARAGRAPHS[3:])}
  </div>
</article>
<div class="ct-related"><h3>More from Business</h3><ul><li><a href="/amp/business/ferry-fares">Ferry fares to rise 6% in January</a></li><li><a href="/amp/business/shipyard-order">Shipyard wins naval order</a></li></ul></div>
<footer><p>&copy; 2024 Coastal Times</p><a href="{canonical}">View full site</a></footer>
<amp-analytics type="googleanalytics"><script type="application/json">{{"vars":{{"account":"UA-000000-1"}}}}</script></amp-analytics>
</body>
</html>
"""
    return Golden(
        slug="amp-port-strike",
        url=url,
        html=page,
        expected=expect(title, authors=["Luis Moreno"], published="2024-10-17T14:05:00+00:00", language="en",
                        site_name="Coastal Times", canonical_url=canonical),
        paragraphs=AMP_PARAGRAPHS,
    )


# --- article with a reader-comment section (custom CMS) ------------------------------------------

COMMENTS_PARAGRAPHS = [
    ("The Metro Public Library will keep all eleven of its branches open after the county board restored "
    "$1.3 million that had been cut from its budget in the spring."),
    ("Library director Joan Whitfield had warned that without the money the system would have to close the "
    "Parkside and Linden branches and reduce opening hours at the central library to five days a week."),
    ("The board voted unanimously on Wednesday to move the money from a reserve fund set aside for building "
    "repairs. Board chair Victor Salas said the reserve would be topped up next year from higher than expected "
    "property tax receipts."),
    ("More than 2,000 residents signed a petition to save the two branches, and dozens spoke at a public "
    "hearing last month, many of them parents and retired people who rely on the libraries for internet access."),
    ("\"The libraries are the last free indoor public space in many of our neighbourhoods,\" Whitfield said after "
    "the vote. \"Tonight the board listened.\""),
]


def comments() -> Golden:
    url = "https://www.metrochronicle.com/local/library-branches-saved-after-board-restores-funding-20240313"
    title = "Library branches saved after board restores funding"
    reader_comments = [
        ("Linden Mom", "Our kids do their homework at Linden every afternoon. Thank you to everyone who spoke up!"),
        ("TaxWatch",
         ("Taking money from the repair reserve is just kicking the can down the road. What happens when the "
         "central library roof needs replacing?")),
        ("bookworm72", "Great news. Now restore the Sunday hours too."),
    ]
    items = "\n".join(f"""<div class="mc-comment" data-comment-id="{i}"><div class="mc-comment__author">{esc(who)}</div>
<div class="mc-comment__time">3 hours ago</div><div class="mc-comment__text"><p>{esc(what)}</p></div>
<div class="mc-comment__actions"><button>Reply</button> <button>Like</button> <button>Report</button></div></div>"""
                      for i, (who, what) in enumerate(reader_comments, start=1))
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - Metro Chronicle</title>
<meta name="description" content="The county board restored $1.3 million, keeping all eleven branches open.">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Metro Chronicle">
<meta property="og:title" content="{title}">
<meta property="og:url" content="{url}">
<meta name="author" content="Rebecca Liu">
<meta property="article:published_time" content="2024-03-13T22:10:00-04:00">
<meta property="article:section" content="Local">
<meta property="article:tag" content="Libraries">
<meta property="article:tag" content="County Board">
<link rel="canonical" href="{url}">
</head>
<body class="article-page">
<div id="mc-top"><a href="/" class="mc-logo">Metro Chronicle</a><div class="mc-menu"><a href="/local">Local</a> <a href="/politics">Politics</a> <a href="/sports">Sports</a> <a href="/weather">Weather</a></div>
<div class="mc-account"><a href="/login">Log in</a> <a href="/subscribe" class="mc-subscribe-link">Subscribe for $1</a></div></div>
<div id="mc-main">
  <div class="mc-story">
    <div class="mc-story__kicker"><a href="/local">Local</a></div>
    <h1 class="mc-story__headline">{title}</h1>
    <div class="mc-story__byline">By <a href="/staff/rebecca-liu" rel="author">Rebecca Liu</a></div>
    <div class="mc-story__date">Published March 13, 2024 at 10:10 p.m.</div>
    <div class="mc-story__text">
{paras(COMMENTS_PARAGRAPHS)}
    </div>
    <div class="mc-story__tags">Topics: <a href="/tag/libraries">Libraries</a> <a href="/tag/county-board">County Board</a></div>
  </div>
  <section class="mc-comments" id="comments">
    <h2>Comments (3)</h2>
    <p class="mc-comments__guidelines">Keep it civil. Comments are moderated and may take a few minutes to appear.</p>
{items}
    <div class="mc-comments__form"><textarea placeholder="Join the conversation"></textarea><button>Post</button></div>
  </section>
  <div class="mc-recirc"><h3>Trending in Local</h3><a href="/local/a">School bus routes change next week</a><a href="/local/b">Water main break floods downtown intersection</a></div>
</div>
<div id="mc-footer">Metro Chronicle &middot; 400 Harbor Blvd &middot; <a href="/privacy">Privacy</a> &middot; <a href="/contact">Contact</a></div>
</body>
</html>
"""
    return Golden(
        slug="comments-library-funding",
        url=url,
        html=page,
        expected=expect(title, authors=["Rebecca Liu"], published="2024-03-13T22:10:00-04:00", language="en",
                        site_name="Metro Chronicle", canonical_url=url),
        paragraphs=COMMENTS_PARAGRAPHS,
    )


# --- photo gallery: the captions are the story ----------------------------------------------------

GALLERY_INTRO = [
    ("Thousands of people filled the streets of the old town on Saturday for the first day of the Spring "
    "Lantern Festival, which returned this year after a two-year break."),
]
GALLERY_CAPTIONS = [
    ("Volunteers from the Harbour Street workshop carry a six-metre paper dragon past the town hall at the "
    "start of the evening parade."),
    ("Children from Westfield Primary School light candles inside the lanterns they made in art lessons over "
    "the past month."),
    "A drummer from the Northgate Taiko group performs on the steps of the cathedral as the sun goes down.",
    ("Stallholders on Market Row sold more than 3,000 portions of sweet rice cakes, according to the festival "
    "organisers."),
    ("The lanterns are released onto the river at the end of the night, drifting past the old stone bridge "
    "toward the harbour."),
]


def gallery() -> Golden:
    url = "https://www.harbourgazette.com/pictures/spring-lantern-festival-in-pictures"
    title = "In pictures: Spring Lantern Festival lights up the old town"
    figures = "\n".join(f"""<figure class="gallery__item" id="slide-{i}">
  <img src="/media/gallery/lanterns-{i}.jpg" alt="" loading="lazy">
  <figcaption class="gallery__caption">{esc(c)} <span class="gallery__credit">Photo: Mei Tanaka / Harbour Gazette</span></figcaption>
</figure>""" for i, c in enumerate(GALLERY_CAPTIONS, start=1))
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} | Harbour Gazette</title>
<meta property="og:site_name" content="Harbour Gazette">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<link rel="canonical" href="{url}">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"ImageGallery","headline":"{title}","datePublished":"2024-03-23T20:45:00+00:00","author":{{"@type":"Person","name":"Mei Tanaka"}}}}</script>
</head>
<body>
<header class="hg-masthead"><a href="/">Harbour Gazette</a><nav><a href="/news">News</a> <a href="/pictures">Pictures</a> <a href="/sport">Sport</a></nav></header>
<main class="hg-gallery-page">
  <h1>{title}</h1>
  <p class="hg-byline">Photographs by Mei Tanaka</p>
  <div class="hg-standfirst">{paras(GALLERY_INTRO)}</div>
  <div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
  <div class="gallery">
{figures}
  </div>
  <div class="gallery__counter">1 / 5</div>
</main>
<aside class="hg-more"><h2>More galleries</h2><a href="/pictures/winter-swim">New Year's Day swim</a> <a href="/pictures/regatta">Harbour regatta</a></aside>
<footer class="hg-footer">&copy; Harbour Gazette 2024</footer>
</body>
</html>
"""
    return Golden(
        slug="gallery-lantern-festival",
        url=url,
        html=page,
        expected=expect(title, authors=["Mei Tanaka"], published="2024-03-23T20:45:00+00:00", language="en",
                        site_name="Harbour Gazette", canonical_url=url),
        paragraphs=GALLERY_INTRO + GALLERY_CAPTIONS,
    )


# --- paywall teaser -------------------------------------------------------------------------------

PAYWALL_TEASER = [
    ("Government bond yields rose to their highest level in sixteen years on Tuesday as investors bet that "
    "central banks would keep interest rates higher for longer to bring down stubborn inflation."),
    ("The yield on the ten-year benchmark climbed 14 basis points to 4.91 per cent in late trading, while the "
    "two-year yield, which is more sensitive to expectations about policy rates, touched 5.2 per cent."),
]


def paywall() -> Golden:
    url = "https://www.financialledger.com/markets/bond-yields-hit-16-year-high-a7f3c2"
    title = "Bond yields hit 16-year high as rate bets shift"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} | Financial Ledger</title>
<meta property="og:site_name" content="Financial Ledger">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<link rel="canonical" href="{url}">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}","datePublished":"2024-10-01T16:20:00Z","author":{{"@type":"Person","name":"Karin Holm"}},"isAccessibleForFree":"False","hasPart":{{"@type":"WebPageElement","isAccessibleForFree":"False","cssSelector":".fl-paywalled"}},"publisher":{{"@type":"Organization","name":"Financial Ledger"}}}}</script>
<script src="https://cdn.tinypass.com/api/tinypass.min.js" async></script>
</head>
<body>
<div class="fl-header"><a href="/" class="fl-logo">Financial Ledger</a><a href="/markets">Markets</a> <a href="/companies">Companies</a> <a href="/opinion">Opinion</a>
<a class="fl-cta" href="/subscribe">Subscribe</a> <a href="/login">Sign in</a></div>
<div class="fl-ticker-bar"><span>S&amp;P 500 4,288.05 -1.4%</span> <span>FTSE 100 7,510.72 -0.9%</span> <span>Brent $90.71 +0.3%</span></div>
<article class="fl-article">
  <h1 class="fl-article__title">{title}</h1>
  <div class="fl-article__byline">Karin Holm in London</div>
  <time datetime="2024-10-01T16:20:00Z" class="fl-article__date">1 October 2024</time>
  <div class="fl-article__body">
{paras(PAYWALL_TEASER)}
    <div class="fl-paywalled" style="display:none"></div>
  </div>
  <div class="paywall-prompt" id="piano-offer">
    <h2>Subscribe to continue reading</h2>
    <p>Get unlimited access to Financial Ledger journalism for $1 for four weeks, then $69 per month. Cancel anytime.</p>
    <a class="paywall-prompt__button" href="/subscribe?offer=trial">Start your trial</a>
    <p>Already a subscriber? <a href="/login">Sign in</a></p>
  </div>
</article>
<footer class="fl-footer"><p>&copy; Financial Ledger Ltd 2024. All rights reserved.</p></footer>
</body>
</html>
"""
    return Golden(
        slug="paywall-bond-yields",
        url=url,
        html=page,
        expected=expect(title, authors=["Karin Holm"], published="2024-10-01T16:20:00+00:00", language="en",
                        site_name="Financial Ledger", canonical_url=url, flags=["paywall"]),
        paragraphs=PAYWALL_TEASER,
    )


# --- short news brief ----------------------------------------------------------------------------

BRIEF_PARAGRAPHS = [
    ("The Harlow Street bridge will close to all traffic from 7 p.m. on Friday until 6 a.m. on Monday while "
    "crews replace expansion joints, the city's transportation department said."),
    ("Buses on routes 12 and 40 will be diverted via Queen's Road. Pedestrians can still cross on the east "
    "walkway."),
]


def brief() -> Golden:
    url = "https://www.citywire-news.com/briefs/harlow-street-bridge-weekend-closure"
    title = "Harlow Street bridge to close for the weekend"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title} | CityWire News</title>
<meta property="og:site_name" content="CityWire News"><meta property="og:type" content="article">
<meta property="article:published_time" content="2024-06-05T09:12:00-07:00">
<link rel="canonical" href="{url}"></head>
<body>
<div class="cw-top"><a href="/">CityWire News</a> | <a href="/briefs">Briefs</a> | <a href="/traffic">Traffic</a> | <a href="/weather">Weather</a></div>
<div class="cw-alert-bar breaking-bar"><strong>Breaking:</strong> <a href="/news/fire-downtown">Crews battle warehouse fire downtown</a></div>
<article class="cw-brief">
  <h1>{title}</h1>
  <p class="cw-meta">CityWire staff &middot; June 5, 2024</p>
{paras(BRIEF_PARAGRAPHS)}
</article>
<div class="cw-more"><h2>More briefs</h2><ul><li><a href="/briefs/a">Farmers market opens Saturday</a></li><li><a href="/briefs/b">Pool hours extended</a></li><li><a href="/briefs/c">Road work on 9th Avenue</a></li></ul></div>
<div class="cw-foot">&copy; 2024 CityWire News</div>
</body></html>
"""
    return Golden(
        slug="brief-bridge-closure",
        url=url,
        html=page,
        expected=expect(title, published="2024-06-05T09:12:00-07:00", language="en", site_name="CityWire News",
                        canonical_url=url),
        paragraphs=BRIEF_PARAGRAPHS,
    )


# --- opinion piece with an author box ------------------------------------------------------------

OPINION_PARAGRAPHS = [
    ("Every summer the same ritual plays out in our valley. The reservoirs drop, the hosepipe ban arrives, and "
    "the water company tells us that the weather was unusually dry. It is time to stop pretending that this is "
    "bad luck."),
    ("The company loses almost a quarter of the water it treats through leaking pipes before it reaches a single "
    "tap. That is enough to supply every home in the county twice over during a drought month. Yet the budget "
    "for replacing old mains has fallen in real terms for six years running."),
    ("Meanwhile, shareholders have received dividends every year. I do not object to a company making a profit. "
    "I object to a monopoly making a profit while the basic job it exists to do gets worse."),
    ("There is a better model close to home. The neighbouring authority put leak reduction targets into its "
    "contract in 2015, with penalties that actually bite. Its losses have fallen by a third."),
    ("Our councillors will vote next month on whether to renew the current contract for another fifteen years. "
    "They should refuse to sign anything that does not include hard, enforceable targets for fixing the pipes. "
    "The rain will not save us. Repairs might."),
]


def opinion() -> Golden:
    url = "https://www.thecommonsreview.org/opinion/2024/07/stop-blaming-the-weather-for-our-water-shortages"
    title = "Stop blaming the weather for our water shortages"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Opinion | {title} | The Commons Review</title>
<meta property="og:title" content="Opinion | {title}">
<meta property="og:site_name" content="The Commons Review">
<meta property="og:type" content="article">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="2024-07-19T06:00:00+01:00">
<meta property="article:section" content="Opinion">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"OpinionNewsArticle","headline":"{title}","datePublished":"2024-07-19T06:00:00+01:00","author":{{"@type":"Person","name":"Dr. Eleanor Vance","url":"https://www.thecommonsreview.org/contributors/eleanor-vance"}}}}</script>
</head>
<body>
<div class="tcr-nav"><a href="/">The Commons Review</a> <a href="/news">News</a> <a href="/opinion">Opinion</a> <a href="/culture">Culture</a> <a href="/donate" class="tcr-donate">Donate</a></div>
<main>
<article class="tcr-article tcr-article--opinion">
  <p class="tcr-label">Opinion</p>
  <h1>{title}</h1>
  <p class="tcr-standfirst">Leaking pipes, not dry summers, are the real cause of our hosepipe bans.</p>
  <div class="tcr-byline"><a href="/contributors/eleanor-vance">Dr. Eleanor Vance</a> &middot; <time datetime="2024-07-19T06:00:00+01:00">19 July 2024</time></div>
  <div class="tcr-article__body article-body">
{paras(OPINION_PARAGRAPHS)}
  </div>
  <div class="author-box">
    <img src="/img/contributors/vance.jpg" alt="">
    <div class="author-box__text"><h3>About the author</h3>
    <p>Dr. Eleanor Vance is a hydrologist and a former adviser to the regional environment agency. She writes a monthly column on water and climate for The Commons Review.</p>
    <a href="/contributors/eleanor-vance">More from Eleanor Vance</a></div>
  </div>
  <p class="tcr-disclaimer"><em>The views expressed in opinion pieces are those of the author and do not necessarily reflect the views of The Commons Review.</em></p>
  <div class="newsletter-signup"><h3>Get our weekly opinion newsletter</h3><p>The best arguments of the week, every Friday.</p><input type="email" placeholder="Email address"><button>Subscribe</button></div>
</article>
</main>
<div class="tcr-footer"><p>The Commons Review is a registered charity. &copy; 2024</p></div>
</body>
</html>
"""
    return Golden(
        slug="opinion-water-shortages",
        url=url,
        html=page,
        expected=expect(title, authors=["Dr. Eleanor Vance"], published="2024-07-19T06:00:00+01:00", language="en",
                        site_name="The Commons Review", canonical_url=url),
        paragraphs=OPINION_PARAGRAPHS,
    )


# --- inline "READ MORE" links, a pull quote and an embedded post inside the body ------------------

INLINE_PARAGRAPHS = [
    ("The national weather service has issued its first ever red warning for extreme heat, with temperatures "
    "forecast to reach 41C in parts of the south on Tuesday."),
    ("The warning means there is a risk to life even for healthy people, and officials urged residents to avoid "
    "travel during the hottest part of the day and to check on elderly neighbours."),
    ("Rail operators said trains would run at reduced speeds on several lines because of the risk of tracks "
    "buckling, and some services would be cancelled altogether."),
    ("Hospitals have been told to prepare for a rise in admissions. Dr. Amara Singh, an emergency physician in "
    "Southport, said the first days of a heatwave were usually the most dangerous. \"People carry on as "
    "normal, and that is when we see collapses,\" she said."),
    "Forecasters expect the heat to ease from Thursday, when thunderstorms are likely to move in from the west.",
]


def inline_links() -> Golden:
    url = "https://www.dailyherald-news.com/weather/2024/07/15/red-warning-extreme-heat"
    title = "First red warning for extreme heat as 41C forecast"
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{title} - Daily Herald</title>
<meta property="og:site_name" content="Daily Herald">
<meta property="og:type" content="article">
<meta name="author" content="Jonah Fields">
<meta property="article:published_time" content="2024-07-15T07:30:00+01:00">
<link rel="canonical" href="{url}">
</head>
<body>
<div class="dh-bar"><a href="/">Daily Herald</a> <a href="/news">News</a> <a href="/weather">Weather</a> <a href="/sport">Sport</a></div>
<div class="dh-page">
 <div class="dh-story">
  <h1>{title}</h1>
  <div class="dh-byline">By Jonah Fields, Weather Correspondent</div>
  <div class="story-body">
<p>{esc(INLINE_PARAGRAPHS[0])}</p>
<p>{esc(INLINE_PARAGRAPHS[1])}</p>
<p><strong>READ MORE: <a href="/weather/how-to-keep-cool">How to keep your home cool in a heatwave</a></strong></p>
<p>{esc(INLINE_PARAGRAPHS[2])}</p>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Red warning issued. Please take this seriously. <a href="https://t.co/xyz">pic.twitter.com/xyz</a></p>&mdash; National Weather Service (@nws) <a href="https://twitter.com/nws/status/1">July 15, 2024</a></blockquote>
<p>{esc(INLINE_PARAGRAPHS[3])}</p>
<p><strong>RELATED: <a href="/news/heat-hospitals">Hospitals cancel routine operations as heat rises</a></strong></p>
<p>{esc(INLINE_PARAGRAPHS[4])}</p>
  </div>
  <div class="dh-share"><a href="#">Facebook</a> <a href="#">WhatsApp</a> <a href="#">Email</a></div>
 </div>
 <div class="dh-sidebar"><div class="dh-popular"><h3>Most popular</h3><ol><li><a href="/a">Beach car parks full by 9am</a></li><li><a href="/b">Ice cream sales soar</a></li></ol></div></div>
</div>
<div class="dh-footer">&copy; Daily Herald 2024</div>
</body>
</html>
"""
    return Golden(
        slug="inline-links-heat-warning",
        url=url,
        html=page,
        expected=expect(title, authors=["Jonah Fields"], published="2024-07-15T07:30:00+01:00", language="en",
                        site_name="Daily Herald", canonical_url=url),
        paragraphs=INLINE_PARAGRAPHS,
    )


# --- metadata only in JSON-LD (no <meta> tags at all) --------------------------------------------

JSONLD_PARAGRAPHS = [
    ("Researchers at the Lakeshore Institute of Technology have built a battery cell that keeps 90 per cent of "
    "its capacity after 5,000 charging cycles, roughly three times as many as the cells in most electric cars."),
    ("The cell uses a sodium-based chemistry instead of lithium, which the team says could cut the cost of grid "
    "storage because sodium is cheap and widely available."),
    ("Professor Ingrid Solberg, who led the work, said the next step was to build larger cells and test them "
    "outside the laboratory. \"Small cells in a controlled room are one thing,\" she said. \"A shipping "
    "container full of them in a Norwegian winter is another.\""),
    "The research was published in the journal Energy Materials on Wednesday.",
]


def jsonld_only() -> Golden:
    canonical = "https://technewsdaily.example.org/2024/09/sodium-battery-5000-cycles"
    url = canonical + "?utm_source=feed&utm_medium=rss"
    title = "Sodium battery survives 5,000 charging cycles"
    page = f"""<!DOCTYPE html>
<html>
<head>
<title>Tech News Daily</title>
<script type="application/ld+json">
{{
  "@context": "https://schema.org",
  "@graph": [
    {{"@type": "Organization", "@id": "#org", "name": "Tech News Daily"}},
    {{"@type": "NewsArticle",
      "headline": "{title}",
      "url": "{canonical}",
      "mainEntityOfPage": {{"@type": "WebPage", "@id": "{canonical}"}},
      "inLanguage": "en-US",
      "datePublished": "2024-09-04T11:00:00-05:00",
      "dateModified": "2024-09-04T15:30:00-05:00",
      "author": [{{"@type": "Person", "name": "Marcus Webb"}}, {{"@type": "Person", "name": "Aiko Suzuki"}}],
      "publisher": {{"@id": "#org", "name": "Tech News Daily"}},
      "articleSection": "Science",
      "keywords": ["batteries", "energy storage", "sodium"]
    }}
  ]
}}
</script>
</head>
<body>
<div id="app">
 <div class="topbar"><span class="brand">Tech News Daily</span> <span class="links"><a href="/science">Science</a> <a href="/gadgets">Gadgets</a></span></div>
 <div class="content-wrap">
  <div class="headline-block"><div class="h">{title}</div><div class="sub">Marcus Webb, Aiko Suzuki</div></div>
  <div class="text">
{paras(JSONLD_PARAGRAPHS)}
  </div>
 </div>
 <div class="bottom">Tech News Daily &copy; 2024</div>
</div>
</body>
</html>
"""
    return Golden(
        slug="jsonld-only-sodium-battery",
        url=url,
        html=page,
        expected=expect(title, authors=["Marcus Webb", "Aiko Suzuki"], published="2024-09-04T11:00:00-05:00",
                        language="en", site_name="Tech News Daily", canonical_url=canonical),
        paragraphs=JSONLD_PARAGRAPHS,
    )


PAGES_EN = [rferl, wordpress, drupal, liveblog, amp, comments, gallery, paywall, brief, opinion, inline_links,
            jsonld_only]
