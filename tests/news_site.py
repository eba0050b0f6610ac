"""A small news website on 127.0.0.1 for the feed tests: RSS and Atom feeds, article pages with
real-looking markup (navigation, ads, scripts, cookie banners, JSON-LD dates), ETag'd and
Last-Modified'd responses answering conditional requests with 304, a 404, a page slower than
the fetch timeout, a page over the size cap and a robots.txt.

Everything is written here (neutral, invented stories); the server records every request.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAV = """<header><nav class="site-nav"><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a>
<a href="/sport">Sport</a> <a href="/subscribe">Subscribe now</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>"""
ADS = """<aside class="ad"><div class="advert">ADVERTISEMENT Discount flights to sunny places, book today</div></aside>
<script>window.dataLayer = window.dataLayer || []; function track(){ dataLayer.push({event: 'view'}); }</script>"""
FOOTER = """<aside class="related"><h3>Most read</h3><ul><li><a href="/x">Celebrity chef opens diner</a></li>
<li><a href="/y">Ten gadgets for the kitchen</a></li></ul></aside>
<footer><p>Copyright 2024 Harbor Gazette Media. All rights reserved.</p><a href="/privacy">Privacy</a></footer>"""


def article_html(title: str, paragraphs: list[str], *, published: str | None, site: str = "Harbor Gazette",
                 author: str = "Dana Reed", canonical: str | None = None, ld_json: bool = True) -> str:
    ld = ""
    if ld_json and published:
        ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
              f'"headline": "{title}", "datePublished": "{published}", '
              f'"author": {{"@type": "Person", "name": "{author}"}}, '
              f'"publisher": {{"@type": "Organization", "name": "{site}"}}}}</script>')
    canon = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | {site}</title>
<meta property="og:site_name" content="{site}"><meta property="og:title" content="{title}">{canon}{ld}
<script src="/static/app.js"></script><style>.ad{{color:red}}</style></head>
<body>{NAV}{ADS}<main><article><h1>{title}</h1><p class="byline">By {author}</p>
{body}</article></main>{ADS}{FOOTER}</body></html>"""


def rss(title: str, items: list[dict]) -> str:
    entries = "".join(
        f"<item><title>{i['title']}</title><link>{i['link']}</link><guid>{i['link']}</guid>"
        f"<pubDate>{i['pubDate']}</pubDate><description>{i.get('summary', '')}</description></item>"
        for i in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.invalid/</link><description>News</description>{entries}</channel></rss>")


def atom(title: str, entries: list[dict]) -> str:
    body = "".join(
        f"<entry><title>{e['title']}</title><link href=\"{e['link']}\"/><id>{e['link']}</id>"
        f"<updated>{e['updated']}</updated><published>{e['updated']}</published>"
        f"<content type=\"html\"><![CDATA[{e['content']}]]></content></entry>"
        for e in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{title}</title><id>urn:test:{title}</id><updated>2024-03-06T00:00:00Z</updated>{body}</feed>")


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: bool = True  # send an ETag and answer If-None-Match
    last_modified: str | None = None  # send Last-Modified and answer If-Modified-Since
    delay_s: float = 0.0


@dataclass
class Hit:
    path: str
    user_agent: str
    conditional: bool
    status: int


class NewsSite:
    """``site.routes[path] = Route(...)``; ``site.url(path)``; ``site.hits`` lists requests."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0  # concurrent requests being served (per-host politeness)
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                site._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, text: str | bytes, **kw) -> None:
        self.routes[path] = Route(text.encode() if isinstance(text, str) else text, **kw)

    def hits_for(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path == path]

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(h.path.split("?")[0])
        conditional = bool(h.headers.get("If-None-Match") or h.headers.get("If-Modified-Since"))
        status = 404 if route is None else route.status
        tag = f'"{hashlib.sha1(route.body).hexdigest()[:12]}"' if route is not None and route.etag else None
        if route is not None and status == 200 and (
                (tag and h.headers.get("If-None-Match") == tag)
                or (route.last_modified and h.headers.get("If-Modified-Since") == route.last_modified)):
            status = 304
        with self.lock:
            self.hits.append(Hit(h.path, h.headers.get("User-Agent", ""), conditional, status))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if route is not None and route.delay_s:
                time.sleep(route.delay_s)
            self._reply(h, route, status, tag)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _reply(self, h: BaseHTTPRequestHandler, route: Route | None, status: int, tag: str | None) -> None:
        body = b"not found" if route is None else (b"" if status == 304 else route.body)
        try:
            h.send_response(status)
            h.send_header("Content-Type", "text/plain" if route is None else route.content_type)
            h.send_header("Content-Length", str(len(body)))
            h.send_header("Date", formatdate(usegmt=True))
            if tag:
                h.send_header("ETag", tag)
            if route is not None and route.last_modified:
                h.send_header("Last-Modified", route.last_modified)
            h.end_headers()
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
