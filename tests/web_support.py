"""Support for the reader tests: a hostile and an Arabic archived page, request recorders, Chromium.

The recorders stand for "the network": the canary is a loopback server that the hostile page's
scripts, handlers and links try to reach; the proxy is where Chromium sends every request for a
non-loopback address (loopback bypasses a proxy by default). Both logs must stay empty.
"""

from __future__ import annotations

import gzip
import html
import io
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from warc_factory import paragraphs_for
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchiver.sample_site.assets import make_png

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
HOSTILE_SITE = "http://hostile.example"
HOSTILE_URL = f"{HOSTILE_SITE}/news/2024/evil-page.html"
HOSTILE_TITLE = "</title><script>window.name='pwned-title'</script> Ministers meet over border pact"
ARABIC_URL = "http://arabic.example/ar/news/2024/water-talks.html"
ARABIC_TITLE = "وزراء المياه يتفقون على خطة جديدة لتقاسم مياه النهر"
ARABIC_PARAGRAPHS = [
    ("اتفق وزراء المياه في دول المنطقة يوم الثلاثاء على خطة جديدة لتقاسم مياه النهر بعد محادثات استمرت ثلاثة أيام "
     "في العاصمة، وقال المشاركون إن الاتفاق يضع حدا لخلاف طويل حول حصص الري في موسم الصيف."),
    ("وأوضح المتحدث باسم الوزارة أن الخطة تنص على إنشاء لجنة فنية مشتركة تراقب منسوب المياه في السدود الكبرى "
     "وتنشر تقريرا شهريا عن الكميات المتاحة للمزارعين في القرى الواقعة على ضفتي النهر."),
    ("ورحب ممثلو المزارعين بالاتفاق، لكنهم طالبوا بضمانات مكتوبة تحمي حقوقهم في سنوات الجفاف، مشيرين إلى أن "
     "المحاصيل تضررت كثيرا خلال العامين الماضيين بسبب نقص المياه وارتفاع درجات الحرارة."),
    ("ومن المقرر أن يعرض الاتفاق على البرلمانات الوطنية للمصادقة عليه خلال الشهر المقبل، على أن يبدأ تنفيذه "
     "مع بداية الموسم الزراعي الجديد في الخريف، وفق ما ذكرته مصادر رسمية."),
    ("وقال خبراء في شؤون المياه إن نجاح الخطة يعتمد على تبادل البيانات بشفافية بين الدول، وعلى الاستثمار في "
     "شبكات الري الحديثة التي تقلل الهدر وتزيد كفاءة استخدام كل قطرة ماء."),
]
SITE_CSS = b"body{background:#fdf6e3}.lead{color:#123456}.banner{background:url(/static/photo.png);height:40px}"


def hostile_page(canary: str) -> bytes:
    """An article page that tries everything: scripts, handlers, javascript: links, refreshes, beacons."""
    e = html.escape
    body = "\n".join(f"<p>{e(p)}</p>" for p in paragraphs_for("hostile", 6))
    probe = (f"fetch('{canary}/script');document.title='pwned';window.name='pwned';"
             f"console.log('pwned');alert('pwned');top.location='{canary}/top'")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(HOSTILE_TITLE)}</title>
<meta property="og:title" content="{e(HOSTILE_TITLE)}">
<meta property="og:type" content="article">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-05-01T08:00:00Z">
<meta http-equiv="refresh" content="1;url={canary}/meta-refresh">
<base href="{HOSTILE_SITE}/news/2024/">
<link rel="stylesheet" href="/static/site.css">
<link rel="stylesheet" href="http://198.51.100.7/evil.css">
<link rel="preload" as="image" href="{canary}/preload">
<link rel="dns-prefetch" href="//tracker.invalid">
<script>{probe}</script>
<script src="{canary}/external.js"></script>
</head><body onload="fetch('{canary}/onload')">
<div class="banner"></div>
<main><article>
<h1>{e(HOSTILE_TITLE)}</h1>
<p class="lead">By Jane Doe</p>
<img id="photo" src="/static/photo.png" alt="archived photo">
<img id="missing" src="/static/never-archived.png" alt="not archived" onerror="fetch('{canary}/onerror')">
<img src="http://198.51.100.7/pixel.gif" alt="">
{body}
<p><a id="jslink" href="javascript:fetch('{canary}/jslink')">Read more</a>
<a id="jslink2" href=" JaVaScRiPt:alert(1)">Also</a>
<a id="pinged" href="other.html" ping="{canary}/ping">Next story</a>
<a id="datalink" href="data:text/html,<script>alert(1)</script>">data</a></p>
<div style="background-image:url({canary}/css-bg);height:10px"></div>
<iframe src="{canary}/frame" title="embedded"></iframe>
<object data="{canary}/object"></object>
<svg width="10" height="10"><script>fetch('{canary}/svg')</script></svg>
<form action="{canary}/form" method="post"><input name="q"><button id="submit">Go</button></form>
</article></main>
</body></html>""".encode()


def arabic_page() -> bytes:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in ARABIC_PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{ARABIC_TITLE} | أخبار المنطقة</title>
<meta property="og:title" content="{ARABIC_TITLE}">
<meta property="og:type" content="article">
<meta name="author" content="سارة أحمد">
<meta property="article:published_time" content="2024-05-02T09:30:00Z">
</head><body><main><article><h1>{ARABIC_TITLE}</h1>
<p class="byline">سارة أحمد</p>
{body}
</article></main></body></html>""".encode()


def write_special_warc(path: Path, canary: str) -> Path:
    """The hostile page (gzip-encoded, with headers that must not be replayed), its archived
    stylesheet and photo, and the Arabic article, as one WARC file."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test/1.0", "isPartOf": "special"}))

    def response(url: str, body: bytes, date: str, headers: list[tuple[str, str]]) -> None:
        http = StatusAndHeaders("200 OK", headers + [("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                           warc_headers_dict={"WARC-Date": date})
        writer.write_record(record)

    response(HOSTILE_URL, gzip.compress(hostile_page(canary)), "2024-05-01T10:00:00Z", [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
        ("Set-Cookie", "tracker=1; Path=/"), ("Content-Security-Policy", "script-src * 'unsafe-inline'"),
        ("Strict-Transport-Security", "max-age=31536000"), ("Refresh", f"0;url={canary}/refresh-header"),
        ("Link", f"<{canary}/link-preload>; rel=preload; as=image"), ("Clear-Site-Data", '"*"'),
    ])
    response(f"{HOSTILE_SITE}/static/site.css", SITE_CSS, "2024-05-01T10:00:01Z", [("Content-Type", "text/css")])
    response(f"{HOSTILE_SITE}/static/photo.png", make_png(64, 36, (200, 40, 40)), "2024-05-01T10:00:02Z",
             [("Content-Type", "image/png")])
    response(ARABIC_URL, arabic_page(), "2024-05-02T10:00:00Z", [("Content-Type", "text/html; charset=utf-8")])
    path.write_bytes(buffer.getvalue())
    return path


class Recorder:
    """A loopback HTTP server that records every request line (any method, CONNECT included)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _record(self) -> None:
                recorder.requests.append(f"{self.command} {self.path}")
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = do_CONNECT = do_OPTIONS = do_PUT = _record

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


QUIET_FEATURES = ("AutofillServerCommunication", "OptimizationHints", "OptimizationGuideModelDownloading",
                  "MediaRouter", "DialMediaRouteProvider", "Translate", "CertificateTransparencyComponentUpdater",
                  "LensOverlay", "NetworkTimeServiceQuerying")
# What Chromium itself still contacts with the flags above (sign-in, its updater, the default
# search engine): no page of the reader or of the archive names these hosts.
BROWSER_SERVICE_HOSTS = ("accounts.google.com", "update.googleapis.com", "clients2.google.com",
                         "start.duckduckgo.com", "content-autofill.googleapis.com",
                         "optimizationguide-pa.googleapis.com")


def page_requests(recorded: list[str]) -> list[str]:
    """The recorded requests that are not the browser's own service calls."""
    def host(line: str) -> str:
        target = line.split(" ", 1)[1]
        return target.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]

    return [line for line in recorded if host(line) not in BROWSER_SERVICE_HOSTS]


def chromium_available() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists() and shutil.which(str(CHROMIUM)) is not None


def start_chromium(profile: Path, proxy: Recorder) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000", f"--user-data-dir={profile}",
                 # Every non-loopback request goes to the recorder, which must see none from the pages.
                 f"--proxy-server={proxy.url}",
                 # Quieten the browser's own calls home, so what remains is easy to tell apart.
                 "--disable-features=" + ",".join(QUIET_FEATURES), "--disable-client-side-phishing-detection",
                 "--disable-default-apps", "--disable-domain-reliability", "--disable-extensions", "--no-pings",
                 "--metrics-recording-only", "--password-store=basic", "--disable-search-engine-choice-screen",
                 "--disable-breakpad"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"net.network_prediction_options": 2,
                                              "default_search_provider.enabled": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
