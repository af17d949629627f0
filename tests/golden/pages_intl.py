"""Golden pages in other languages, scripts and encodings."""

from __future__ import annotations

from _common import Golden, esc, expect, paras

# --- Russian, windows-1251, charset in <meta> ----------------------------------------------------

RU_PARAGRAPHS = [
    ("Московская городская дума в среду приняла в окончательном чтении бюджет города на 2025 год и плановый "
    "период 2026–2027 годов. За документ проголосовали 38 депутатов, против — пятеро."),
    ("Доходы бюджета в следующем году составят около 4,9 трлн рублей, расходы — 5,3 трлн рублей. Дефицит "
    "планируется покрыть за счёт заимствований и остатков средств прошлых лет."),
    ("Больше всего денег, как и в прошлые годы, получат транспорт и социальная сфера. На строительство метро и "
    "развитие общественного транспорта предусмотрено более одного триллиона рублей."),
    ("«Мы сохраняем все социальные обязательства перед горожанами и продолжаем крупные инфраструктурные "
    "проекты», — заявил на заседании руководитель департамента финансов."),
    ("Оппозиционные депутаты раскритиковали сокращение расходов на капитальный ремонт поликлиник и предложили "
    "перераспределить часть средств, выделенных на благоустройство."),
]


def ru_cp1251() -> Golden:
    url = "https://gorodvesti.ru/politika/2024/11/20/mosgorduma-prinyala-byudzhet-2025"
    title = "Мосгордума приняла бюджет Москвы на 2025 год"
    page = f"""<!DOCTYPE html>
<html lang="ru">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">
<title>{title} — Городские вести</title>
<meta name="description" content="Депутаты утвердили главный финансовый документ столицы.">
<meta property="og:site_name" content="Городские вести">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2024-11-20T18:45:00+03:00">
<meta name="author" content="Анна Петрова">
<link rel="canonical" href="{url}">
<script>window.yaCounter = {{id: 12345678}};</script>
</head>
<body>
<div class="header"><a href="/" class="logo">Городские вести</a>
<ul class="menu"><li><a href="/politika/">Политика</a></li><li><a href="/ekonomika/">Экономика</a></li><li><a href="/obshchestvo/">Общество</a></li><li><a href="/sport/">Спорт</a></li></ul></div>
<div class="main">
<div class="article">
  <div class="article__rubric"><a href="/politika/">Политика</a></div>
  <h1 class="article__title">{title}</h1>
  <div class="article__info"><span class="article__author">Анна Петрова</span> <span class="article__date">20 ноября 2024, 18:45</span></div>
  <div class="article__text">
{paras(RU_PARAGRAPHS)}
  </div>
  <div class="article__share"><span>Поделиться:</span> <a href="https://vk.com/share.php">ВКонтакте</a> <a href="https://t.me/share">Telegram</a> <a href="https://connect.ok.ru/offer">Одноклассники</a></div>
  <div class="read-also"><h3>Читайте также</h3><ul><li><a href="/ekonomika/2024/11/19/tarify">Тарифы ЖКХ вырастут с 1 июля</a></li><li><a href="/obshchestvo/2024/11/18/metro">В метро откроют три новые станции</a></li></ul></div>
</div>
<div class="sidebar"><div class="popular"><h3>Популярное</h3><a href="/a">Пробки в пятницу достигли девяти баллов</a> <a href="/b">Синоптики пообещали снег к выходным</a></div></div>
</div>
<div class="footer"><p>© 2024 «Городские вести». Все права защищены. 18+</p></div>
</body>
</html>
"""
    return Golden(
        slug="ru-cp1251-moscow-budget",
        url=url,
        html=page,
        encoding="cp1251",
        headers=[["Content-Type", "text/html"]],
        expected=expect(title, authors=["Анна Петрова"], published="2024-11-20T18:45:00+03:00", language="ru",
                        site_name="Городские вести", canonical_url=url),
        paragraphs=RU_PARAGRAPHS,
    )


# --- Russian, KOI8-R, charset only in the HTTP header -------------------------------------------

KOI_PARAGRAPHS = [
    ("В Новосибирске в субботу открыли движение по новому мосту через Обь. Четырехполосный мост длиной почти "
    "полтора километра соединил Октябрьский и Кировский районы города."),
    ("По словам мэра, новый мост разгрузит два старых моста, на которых в часы пик скапливаются многокилометровые "
    "пробки. Ожидается, что по нему будут проезжать до шестидесяти тысяч автомобилей в сутки."),
    ("Строительство моста началось четыре года назад. Работы шли и зимой, несмотря на морозы ниже сорока "
    "градусов."),
    ("Жители левого берега уже оценили новинку. \"Раньше дорога до работы занимала час, сегодня я доехал за "
    "двадцать минут\", - рассказал один из первых водителей."),
]


def ru_koi8r() -> Golden:
    url = "http://sibnovosti.example.ru/news/2022/10/08/most-cherez-ob"
    title = "В Новосибирске открыли новый мост через Обь"
    page = f"""<html>
<head>
<meta http-equiv="Content-Language" content="ru">
<title>{title} | Сибирские новости</title>
<meta name="description" content="Мост соединил Октябрьский и Кировский районы.">
<meta name="date" content="2022-10-08">
</head>
<body bgcolor="#ffffff">
<table width="100%" cellpadding="0" cellspacing="0"><tr><td class="top"><a href="/">Сибирские новости</a></td>
<td class="topmenu"><a href="/news/">Новости</a> | <a href="/photo/">Фото</a> | <a href="/weather/">Погода</a></td></tr></table>
<table width="100%"><tr>
<td width="180" valign="top" class="left"><div class="lmenu"><a href="/news/city/">Город</a><br><a href="/news/region/">Область</a><br><a href="/news/sport/">Спорт</a></div></td>
<td valign="top" class="content">
<h1>{title}</h1>
<div class="date">08.10.2022</div>
{paras(KOI_PARAGRAPHS)}
<div class="source">Источник: Сибирские новости</div>
</td>
<td width="200" valign="top" class="right"><div class="banner"><a href="/ads/1"><img src="/b/240x400.gif" alt="Реклама"></a></div></td>
</tr></table>
<div class="bottom">Сибирские новости, 2022. При перепечатке ссылка обязательна.</div>
</body>
</html>
"""
    return Golden(
        slug="ru-koi8r-ob-bridge",
        url=url,
        html=page,
        encoding="koi8-r",
        headers=[["Content-Type", "text/html; charset=KOI8-R"]],
        expected=expect(title, published="2022-10-08", language="ru", canonical_url=url),
        paragraphs=KOI_PARAGRAPHS,
    )


# --- Russian, windows-1251, no charset declared anywhere: detection ------------------------------

DETECT_PARAGRAPHS = [
    ("В Екатеринбурге завершилась реконструкция набережной Городского пруда. Пешеходную зону расширили почти "
    "вдвое, вдоль воды высадили более трехсот деревьев и установили новые скамейки."),
    ("Работы продолжались два сезона и обошлись городскому бюджету в 640 миллионов рублей. Подрядчик обязан "
    "в течение пяти лет бесплатно устранять все недостатки."),
    ("Главной новинкой стал плавучий фонтан в центре пруда. Его подсветку будут включать каждый вечер с мая "
    "по сентябрь, а по выходным здесь пройдут музыкальные представления."),
    ("Горожане встретили обновленную набережную по-разному. Одни хвалят широкие дорожки и освещение, другие "
    "жалуются на нехватку тени и общественных туалетов."),
]


def ru_detect() -> Golden:
    url = "https://uralnovosti.example.ru/gorod/naberezhnaya-gorodskogo-pruda"
    title = "В Екатеринбурге открыли обновленную набережную Городского пруда"
    page = f"""<!DOCTYPE html>
<html lang="ru">
<head>
<title>{title}</title>
<meta property="og:site_name" content="Уральские новости">
<meta property="og:type" content="article">
</head>
<body>
<div class="top"><a href="/">Уральские новости</a> <a href="/gorod/">Город</a> <a href="/kultura/">Культура</a></div>
<div class="page">
<article>
<h1>{title}</h1>
<p class="meta">Опубликовано: <time datetime="2024-06-12">12 июня 2024</time></p>
{paras(DETECT_PARAGRAPHS)}
</article>
</div>
<div class="foot">Уральские новости, 2024</div>
</body>
</html>
"""
    return Golden(
        slug="ru-cp1251-undeclared-embankment",
        url=url,
        html=page,
        encoding="cp1251",
        expected=expect(title, published="2024-06-12", language="ru", site_name="Уральские новости",
                        canonical_url=url),
        paragraphs=DETECT_PARAGRAPHS,
    )


# --- Uzbek, Latin script -------------------------------------------------------------------------

UZ_LATN_PARAGRAPHS = [
    ("Oʻzbekistonda bu yil paxta yigʻim-terimi rejadagidan ikki hafta oldin yakunlandi. Qishloq xoʻjaligi "
    "vazirligi maʼlumotiga koʻra, respublika boʻyicha 3,4 million tonnadan ortiq paxta xomashyosi yigʻib olindi."),
    ("Vazirlik vakilining aytishicha, hosilning qariyb yarmi paxta terish mashinalari yordamida yigʻilgan. Bu "
    "koʻrsatkich oʻtgan yilga nisbatan sezilarli darajada yuqori."),
    ("Fermerlar ob-havo bu yil qulay kelganini taʼkidlamoqda. Sentabr va oktabr oylarida yogʻingarchilik kam "
    "boʻlgani terim ishlarini tezlashtirdi."),
    ("Mutaxassislar esa suv tanqisligi kelgusi yillarda asosiy muammo boʻlib qolishidan ogohlantirmoqda. Shu "
    "sababli tomchilatib sugʻorish tizimlarini joriy etish ishlari davom ettiriladi."),
]


def uz_latn() -> Golden:
    url = "https://xabarlar.example.uz/iqtisodiyot/paxta-yigim-terimi-yakunlandi"
    title = "Paxta yigʻim-terimi muddatidan oldin yakunlandi"
    page = f"""<!DOCTYPE html>
<html lang="uz-Latn">
<head>
<meta charset="utf-8">
<title>{title} | Xabarlar.uz</title>
<meta property="og:site_name" content="Xabarlar.uz">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2024-10-28T11:20:00+05:00">
<link rel="canonical" href="{url}">
</head>
<body>
<header class="site-header"><a class="logo" href="/">Xabarlar.uz</a>
<nav><a href="/siyosat">Siyosat</a> <a href="/iqtisodiyot">Iqtisodiyot</a> <a href="/jamiyat">Jamiyat</a> <a href="/sport">Sport</a> <a href="/oz/">Ўзбекча</a> <a href="/ru/">Русский</a></nav></header>
<main>
<article class="news-item">
  <h1>{title}</h1>
  <div class="news-item__meta"><span class="author">Jasur Rahimov</span> · <time datetime="2024-10-28T11:20:00+05:00">28.10.2024, 11:20</time></div>
  <div class="news-item__text article-body">
{paras(UZ_LATN_PARAGRAPHS)}
  </div>
  <div class="share-block">Ulashish: <a href="https://t.me/share/url">Telegram</a> <a href="https://facebook.com/sharer">Facebook</a></div>
</article>
<section class="related-news"><h2>Mavzuga oid</h2><a href="/iqtisodiyot/bugdoy-hosili">Bugʻdoy hosili haqida</a> <a href="/jamiyat/suv-tejash">Suvni tejash boʻyicha yangi qoidalar</a></section>
</main>
<footer class="site-footer"><p>© 2024 Xabarlar.uz. Barcha huquqlar himoyalangan.</p></footer>
</body>
</html>
"""
    return Golden(
        slug="uz-latn-cotton-harvest",
        url=url,
        html=page,
        expected=expect(title, authors=["Jasur Rahimov"], published="2024-10-28T11:20:00+05:00", language="uz",
                        site_name="Xabarlar.uz", canonical_url=url),
        paragraphs=UZ_LATN_PARAGRAPHS,
    )


# --- Uzbek, Cyrillic script ----------------------------------------------------------------------

UZ_CYRL_PARAGRAPHS = [
    ("Тошкент метрополитенининг Ер усти ҳалқа йўлида яна икки янги бекат йўловчиларга хизмат кўрсата бошлади. "
    "Очилиш маросими якшанба куни бўлиб ўтди."),
    ("Метрополитен маълумотига кўра, янги бекатлар кунига 20 мингдан ортиқ йўловчига хизмат кўрсатиши "
    "кутилмоқда. Поездлар ҳар етти дақиқада қатнайди."),
    ("Бекатлар атрофида автобус бекатлари ва велосипед қўйиш жойлари ҳам ташкил этилди. Шаҳар ҳокимлиги "
    "келгуси йилда ҳалқа йўлини тўлиқ туташтириш режасини маълум қилди."),
    ("Йўловчилар янги бекатлардан мамнун эканликларини айтишди. «Илгари ишга бориш учун бир соат кетарди, энди "
    "ярим соатда етиб бораман», — дейди Сергели туманида яшовчи Дилноза Каримова."),
]


def uz_cyrl() -> Golden:
    url = "https://xabarlar.example.uz/oz/jamiyat/metro-yangi-bekatlar"
    title = "Метронинг ҳалқа йўлида икки янги бекат очилди"
    page = f"""<!DOCTYPE html>
<html lang="uz-Cyrl">
<head>
<meta charset="utf-8">
<title>{title} | Xabarlar.uz</title>
<link rel="canonical" href="{url}">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}","datePublished":"2024-09-01T15:00:00+05:00","author":{{"@type":"Person","name":"Нодира Юсупова"}},"publisher":{{"@type":"Organization","name":"Xabarlar.uz"}},"inLanguage":"uz-Cyrl"}}</script>
</head>
<body>
<header class="site-header"><a class="logo" href="/oz/">Xabarlar.uz</a>
<nav><a href="/oz/siyosat">Сиёсат</a> <a href="/oz/iqtisodiyot">Иқтисодиёт</a> <a href="/oz/jamiyat">Жамият</a> <a href="/">Oʻzbekcha</a></nav></header>
<main>
<article class="news-item">
  <h1>{title}</h1>
  <div class="news-item__meta"><span class="author">Нодира Юсупова</span> · <time datetime="2024-09-01T15:00:00+05:00">01.09.2024</time></div>
  <figure class="news-item__photo"><img src="/img/metro.jpg" alt=""><figcaption>Янги бекатлардан бири. Сурат: Xabarlar.uz</figcaption></figure>
  <div class="news-item__text article-body">
{paras(UZ_CYRL_PARAGRAPHS)}
  </div>
  <div class="share-block">Улашиш: <a href="https://t.me/share/url">Telegram</a></div>
</article>
<section class="related-news"><h2>Мавзуга оид</h2><a href="/oz/a">Автобус йўналишлари ўзгарди</a></section>
</main>
<footer class="site-footer"><p>© 2024 Xabarlar.uz</p></footer>
</body>
</html>
"""
    return Golden(
        slug="uz-cyrl-metro-stations",
        url=url,
        html=page,
        expected=expect(title, authors=["Нодира Юсупова"], published="2024-09-01T15:00:00+05:00", language="uz",
                        site_name="Xabarlar.uz", canonical_url=url),
        paragraphs=UZ_CYRL_PARAGRAPHS,
    )


# --- Arabic, right to left -----------------------------------------------------------------------

AR_PARAGRAPHS = [
    ("افتتحت السلطات يوم الأحد أكبر محطة لتحلية مياه البحر في المنطقة الساحلية، بطاقة إنتاجية تصل إلى ثلاثمئة "
    "ألف متر مكعب يومياً."),
    ("وقال وزير المياه خلال حفل الافتتاح إن المحطة ستوفر مياه الشرب لأكثر من مليون نسمة، وستخفف الضغط على "
    "الآبار الجوفية التي تعاني من الاستنزاف منذ سنوات."),
    ("وتعمل المحطة جزئياً بالطاقة الشمسية، إذ أقيمت بجوارها حقول من الألواح الشمسية تغطي نحو ثلث احتياجاتها من "
    "الكهرباء."),
    ("ويرى خبراء أن تحلية المياه باتت خياراً لا مفر منه في ظل تراجع معدلات الأمطار وارتفاع درجات الحرارة، لكنهم "
    "يحذرون من ارتفاع كلفتها ومن تأثير المياه المالحة المرتجعة على البيئة البحرية."),
]


def arabic() -> Golden:
    url = "https://www.alakhbar-alyawm.example/economy/2024/08/desalination-plant-opens"
    title = "افتتاح أكبر محطة لتحلية مياه البحر في المنطقة الساحلية"
    page = f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<title>{title} | الأخبار اليومية</title>
<meta property="og:site_name" content="الأخبار اليومية">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta name="author" content="ليلى حداد">
<link rel="canonical" href="{url}">
</head>
<body>
<div class="masthead"><a href="/">الأخبار اليومية</a>
<ul class="nav"><li><a href="/politics">سياسة</a></li><li><a href="/economy">اقتصاد</a></li><li><a href="/sports">رياضة</a></li><li><a href="/culture">ثقافة</a></li></ul></div>
<div class="container">
<article class="story">
  <h1 class="story__title">{title}</h1>
  <div class="story__meta"><span class="story__author">ليلى حداد</span> — <time datetime="2024-08-18T10:30:00+03:00">18 أغسطس 2024</time></div>
  <div class="story__body">
{paras(AR_PARAGRAPHS)}
  </div>
  <div class="social-share"><span>شارك</span> <a href="#">فيسبوك</a> <a href="#">إكس</a> <a href="#">واتساب</a></div>
</article>
<div class="related"><h3>اقرأ أيضاً</h3><ul><li><a href="/economy/a">ارتفاع أسعار الكهرباء في الصيف</a></li><li><a href="/economy/b">مشروع جديد للطاقة الشمسية</a></li></ul></div>
</div>
<div class="footer">جميع الحقوق محفوظة © 2024 الأخبار اليومية</div>
</body>
</html>
"""
    return Golden(
        slug="ar-desalination-plant",
        url=url,
        html=page,
        expected=expect(title, authors=["ليلى حداد"], published="2024-08-18T10:30:00+03:00", language="ar",
                        site_name="الأخبار اليومية", canonical_url=url),
        paragraphs=AR_PARAGRAPHS,
    )


# --- Chinese (simplified) ------------------------------------------------------------------------

ZH_PARAGRAPHS = [
    "连接南江市与北山县的城际铁路于本周六正式开通运营，两地之间的通行时间由原来的两个半小时缩短至四十分钟。",
    "据铁路部门介绍，该线路全长一百二十六公里，设计时速二百五十公里，沿线共设八座车站。开通初期每天将开行动车组列车三十二对。",
    "不少市民在开通首日专程体验。家住北山县的退休教师王女士说：“以前去市里看病要坐一上午的大巴，现在吃完早饭出发，上午就能回来。”",
    "当地政府表示，城际铁路的开通将进一步促进沿线旅游和农产品销售，并计划在明年启动延伸段的前期工作。",
]


def chinese() -> Golden:
    url = "https://news.nanjiang-daily.example.cn/2024/12/28/intercity-rail-opens.html"
    title = "南江至北山城际铁路正式开通"
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}_南江日报</title>
<meta name="keywords" content="城际铁路,南江,北山">
<meta name="publishdate" content="2024-12-28 09:30:00">
<meta name="author" content="李明">
<meta property="og:site_name" content="南江日报">
<link rel="canonical" href="{url}">
</head>
<body>
<div class="top-nav"><a href="/">南江日报</a> <a href="/local/">本地</a> <a href="/finance/">财经</a> <a href="/culture/">文化</a> <a href="/app/">下载客户端</a></div>
<div class="main-wrap">
 <div class="article">
  <h1>{title}</h1>
  <div class="info">来源：南江日报　作者：李明　2024-12-28 09:30</div>
  <div class="article-content">
{paras(ZH_PARAGRAPHS)}
  </div>
  <div class="editor">责任编辑：张华</div>
  <div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
 </div>
 <div class="related-news"><h3>相关新闻</h3><ul><li><a href="/a">南江地铁三号线年底通车</a></li><li><a href="/b">北山县旅游收入创新高</a></li></ul></div>
</div>
<div class="footer">南江日报社版权所有</div>
</body>
</html>
"""
    return Golden(
        slug="zh-intercity-rail",
        url=url,
        html=page,
        expected=expect(title, authors=["李明"], published="2024-12-28T09:30:00", language="zh", site_name="南江日报",
                        canonical_url=url),
        paragraphs=ZH_PARAGRAPHS,
    )


# --- Ukrainian, UTF-16 LE with a byte-order mark -------------------------------------------------

UK_PARAGRAPHS = [
    ("У Києві після двох років реконструкції знову відкрилася бібліотека на Подолі. Читачі отримали оновлені "
    "зали, дитячий простір і коворкінг із безкоштовним інтернетом."),
    ("За словами директорки бібліотеки, фонд поповнили майже десятьма тисячами нових книжок, значну частину яких "
    "передали видавництва та меценати."),
    ("Бібліотека працюватиме щодня, окрім понеділка. У вихідні тут проводитимуть читання для дітей і зустрічі з "
    "письменниками."),
    ("Перші відвідувачі прийшли ще до відкриття дверей. Студентка Олена розповіла, що тепер готуватиметься до "
    "іспитів саме тут, бо вдома немає тиші."),
]


def uk_utf16() -> Golden:
    url = "https://kyivnews.example.ua/kultura/biblioteka-na-podoli-vidkrylasia"
    title = "На Подолі після реконструкції відкрилася бібліотека"
    page = f"""<!DOCTYPE html>
<html lang="uk">
<head>
<meta charset="utf-16">
<title>{title} — Київські новини</title>
<meta property="og:site_name" content="Київські новини">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-04-06T12:00:00+03:00">
<link rel="canonical" href="{url}">
</head>
<body>
<div class="nav"><a href="/">Київські новини</a> <a href="/kultura/">Культура</a> <a href="/misto/">Місто</a></div>
<article>
<h1>{title}</h1>
{paras(UK_PARAGRAPHS)}
</article>
<div class="footer">© Київські новини, 2024</div>
</body>
</html>
"""
    return Golden(
        slug="uk-utf16-library",
        url=url,
        html=page,
        encoding="utf-16-le",
        headers=[["Content-Type", "text/html"]],
        expected=expect(title, published="2024-04-06T12:00:00+03:00", language="uk", site_name="Київські новини",
                        canonical_url=url),
        paragraphs=UK_PARAGRAPHS,
    )


# --- French, ISO-8859-1 declared with http-equiv --------------------------------------------------

FR_PARAGRAPHS = [
    ("La nouvelle ligne de tramway reliant la gare de Villeneuve au quartier des Tilleuls a été inaugurée samedi "
    "matin en présence du maire et de plusieurs centaines d'habitants."),
    ("Longue de 7,5 kilomètres, la ligne compte quatorze stations. Les rames circuleront toutes les six minutes "
    "aux heures de pointe, de 5 h 30 à minuit et demi."),
    ("Le chantier, commencé il y a trois ans, a coûté 182 millions d'euros, financés en grande partie par la "
    "métropole et par l'État. Les commerçants de l'avenue Jean-Jaurès, longtemps pénalisés par les travaux, "
    "espèrent désormais voir revenir leurs clients."),
    ("« Le tramway, c'est un quartier qui se reconnecte au reste de la ville », a déclaré le maire lors de la "
    "cérémonie."),
    "Le réseau sera gratuit tout le week-end pour permettre aux habitants de découvrir la ligne.",
]


def fr_latin1() -> Golden:
    url = "https://www.courrier-villeneuve.example.fr/actualite/2024/09/14/tramway-ligne-inauguree"
    title = "Villeneuve inaugure sa nouvelle ligne de tramway"
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="fr" xml:lang="fr">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1" />
<title>{title} - Le Courrier de Villeneuve</title>
<meta property="og:site_name" content="Le Courrier de Villeneuve" />
<meta property="og:type" content="article" />
<meta name="author" content="Claire Dubois" />
<meta property="article:published_time" content="2024-09-14T17:05:00+02:00" />
<link rel="canonical" href="{url}" />
</head>
<body>
<div id="bandeau"><a href="/">Le Courrier de Villeneuve</a></div>
<div id="menu"><a href="/actualite/">Actualité</a> | <a href="/sports/">Sports</a> | <a href="/loisirs/">Loisirs</a> | <a href="/annonces/">Petites annonces</a></div>
<div id="contenu">
<div class="article">
<h1>{title}</h1>
<p class="signature">Par Claire Dubois, le 14 septembre 2024 à 17h05</p>
<div class="texte">
{paras(FR_PARAGRAPHS)}
</div>
<div class="partage">Partager : <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Courriel</a></div>
<div class="a-lire-aussi"><h3>À lire aussi</h3><a href="/actualite/bus">Le réseau de bus réorganisé</a></div>
</div>
</div>
<div id="pied">© Le Courrier de Villeneuve - Mentions légales - Contact</div>
</body>
</html>
"""
    return Golden(
        slug="fr-latin1-tramway",
        url=url,
        html=page,
        encoding="iso-8859-1",
        expected=expect(title, authors=["Claire Dubois"], published="2024-09-14T17:05:00+02:00", language="fr",
                        site_name="Le Courrier de Villeneuve", canonical_url=url),
        paragraphs=FR_PARAGRAPHS,
    )


# --- German, with a cookie banner over a real article (no flag: the article is there) -----------

DE_PARAGRAPHS = [
    ("Der Stadtrat hat am Donnerstagabend mit großer Mehrheit beschlossen, die Innenstadt ab dem kommenden "
    "Frühjahr weitgehend autofrei zu machen."),
    ("Künftig dürfen nur noch Anwohner, Lieferverkehr und Taxis in den Bereich innerhalb des Altstadtrings "
    "fahren. Für Besucher sollen am Rand der Innenstadt drei neue Parkhäuser mit insgesamt 1.200 Stellplätzen "
    "entstehen."),
    ("Oberbürgermeisterin Katrin Vogel sprach von einer „historischen Entscheidung“. Die Innenstadt werde "
    "ruhiger, sauberer und für Familien attraktiver, sagte sie."),
    ("Der Einzelhandelsverband zeigte sich dagegen skeptisch. Viele Geschäfte lebten von Kunden aus dem Umland, "
    "die mit dem Auto kämen, warnte dessen Vorsitzender."),
    "Die Umsetzung soll schrittweise erfolgen. Zunächst startet im März ein sechsmonatiger Probebetrieb.",
]


def de_cookie_banner() -> Golden:
    url = "https://www.rheinische-rundschau.example.de/lokales/innenstadt-wird-autofrei-id4471"
    title = "Stadtrat beschließt autofreie Innenstadt"
    page = f"""<!DOCTYPE html>
<html lang="de-DE">
<head>
<meta charset="utf-8">
<title>{title} | Rheinische Rundschau</title>
<meta property="og:site_name" content="Rheinische Rundschau">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta name="author" content="Thomas Berger">
<meta property="article:published_time" content="2024-05-23T21:15:00+02:00">
<link rel="canonical" href="{url}">
</head>
<body>
<div id="cmp-banner" class="cookie-consent-overlay" role="dialog" aria-label="Cookie-Einstellungen">
  <div class="cmp-box"><h2>Wir respektieren Ihre Privatsphäre</h2>
  <p>Wir und unsere Partner verwenden Cookies und ähnliche Technologien, um Inhalte und Anzeigen zu personalisieren und die Zugriffe zu analysieren. Mit einem Klick auf „Alle akzeptieren“ stimmen Sie der Verarbeitung zu. Ihre Einwilligung können Sie jederzeit widerrufen.</p>
  <button class="cmp-accept">Alle akzeptieren</button> <button class="cmp-settings">Einstellungen</button></div>
</div>
<header class="rr-header"><a href="/">Rheinische Rundschau</a><nav><a href="/lokales">Lokales</a> <a href="/politik">Politik</a> <a href="/sport">Sport</a> <a href="/kultur">Kultur</a></nav></header>
<main>
<article class="rr-article">
  <p class="rr-article__kicker">Verkehrswende</p>
  <h1>{title}</h1>
  <p class="rr-article__meta">Von Thomas Berger · <time datetime="2024-05-23T21:15:00+02:00">23.05.2024, 21:15 Uhr</time></p>
  <div class="rr-article__body">
{paras(DE_PARAGRAPHS)}
  </div>
  <div class="rr-lesen-sie-auch"><strong>Lesen Sie auch</strong> <a href="/lokales/parkhaus">Neues Parkhaus am Bahnhof</a></div>
</article>
</main>
<footer class="rr-footer">© Rheinische Rundschau 2024 · <a href="/impressum">Impressum</a> · <a href="/datenschutz">Datenschutz</a></footer>
</body>
</html>
"""
    return Golden(
        slug="de-cookie-banner-car-free",
        url=url,
        html=page,
        expected=expect(title, authors=["Thomas Berger"], published="2024-05-23T21:15:00+02:00", language="de",
                        site_name="Rheinische Rundschau", canonical_url=url),
        paragraphs=DE_PARAGRAPHS,
    )


# --- Spanish, an old table layout with <br><br> between paragraphs --------------------------------

ES_PARAGRAPHS = [
    ("El ayuntamiento de San Esteban del Valle aprobó este lunes un plan de restricciones de agua que entrará en "
    "vigor el próximo 1 de agosto, ante el bajo nivel del embalse que abastece al municipio."),
    ("Según el plan, quedará prohibido regar jardines y llenar piscinas privadas entre las 10.00 y las 20.00 "
    "horas. Las fuentes ornamentales permanecerán apagadas hasta nuevo aviso."),
    ("El alcalde, Tomás Herrera, pidió a los vecinos «responsabilidad y paciencia» y recordó que el embalse se "
    "encuentra al 23 por ciento de su capacidad, el nivel más bajo en una década."),
    ("Los agricultores de la comarca, por su parte, reclaman ayudas para compensar las pérdidas en los cultivos "
    "de regadío."),
]


def es_table_layout() -> Golden:
    url = "http://www.diariodelvalle.example.es/noticias/2024/07/22/restricciones-agua.html"
    title = "San Esteban aprueba restricciones de agua desde agosto"
    body = "<br><br>\n".join(esc(p) for p in ES_PARAGRAPHS)
    page = f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta property="og:locale" content="es_ES">
<meta name="date" content="2024-07-22">
<title>Diario del Valle - {title}</title>
</head>
<body>
<table width="960" align="center" border="0">
<tr><td colspan="2" class="cabecera"><a href="/">Diario del Valle</a> &middot; <a href="/noticias/">Noticias</a> &middot; <a href="/deportes/">Deportes</a> &middot; <a href="/agenda/">Agenda</a></td></tr>
<tr>
<td width="680" valign="top" class="cuerpo">
<h1 class="titular">{title}</h1>
<span class="fecha">22/07/2024</span><br><br>
{body}
<br><br>
<span class="firma">Redacción</span>
</td>
<td width="280" valign="top" class="lateral"><b>Lo más leído</b><br><a href="/noticias/a">Fiestas patronales: programa completo</a><br><a href="/noticias/b">Cortes de tráfico por obras</a><br><a href="/noticias/c">Nueva piscina municipal</a></td>
</tr>
<tr><td colspan="2" class="pie">Diario del Valle &copy; 2024 &middot; Aviso legal</td></tr>
</table>
</body>
</html>
"""
    return Golden(
        slug="es-table-layout-water",
        url=url,
        html=page,
        expected=expect(title, published="2024-07-22", language="es", canonical_url=url),
        paragraphs=ES_PARAGRAPHS,
    )


PAGES_INTL = [ru_cp1251, ru_koi8r, ru_detect, uz_latn, uz_cyrl, arabic, chinese, uk_utf16, fr_latin1,
              de_cookie_banner, es_table_layout]
