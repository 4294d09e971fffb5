<?xml version="1.0" encoding="UTF-8"?>
<!-- feeder: shows an RSS 2.0 or Atom 1.0 feed as a readable page when it is opened in a web
     browser. Feed readers ignore it. The feed itself is unchanged; this only styles it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" version="1.0" encoding="UTF-8" indent="yes"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="self"
      select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>

  <xsl:template match="/">
    <html lang="{/rss/channel/language | /atom:feed/@xml:lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto;
                 padding: 0 1rem; color: #222; }
          .hint { background: #fff8dc; border: 1px solid #e6d9a8; border-radius: 6px;
                  padding: .8rem 1rem; }
          .hint code { user-select: all; word-break: break-all; background: #fff;
                       padding: .1rem .3rem; }
          article { border-bottom: 1px solid #eee; padding: .8rem 0; }
          article h2 { font-size: 1.1rem; margin: 0 0 .2rem; }
          time { color: #777; font-size: .9rem; }
          p.summary { margin: .3rem 0 0; color: #444; }
        </style>
      </head>
      <body>
        <p class="hint">This is a <strong>web feed</strong>. To follow it, copy its address
          into your feed reader: <code id="feed-url"><xsl:value-of select="$self"/></code></p>
        <p class="home"><a href="http://127.0.0.1:8080/">feeder demo</a>: all feeds</p>
        <h1 id="feed-title"><xsl:value-of select="$title"/></h1>
        <p><xsl:value-of select="/rss/channel/description | /atom:feed/atom:subtitle"/></p>
        <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <article>
      <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
      <time><xsl:value-of select="pubDate"/></time>
      <p class="summary"><xsl:value-of select="description"/></p>
    </article>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article>
      <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
      <time><xsl:value-of select="substring(atom:published | atom:updated[not(../atom:published)], 1, 10)"/></time>
      <p class="summary"><xsl:value-of select="atom:summary"/></p>
    </article>
  </xsl:template>
</xsl:stylesheet>
