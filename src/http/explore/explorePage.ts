// The /explore page: the HTML frame, the model of every loss (exploreModel.ts) as JSON in the
// page, and the stories (the fixed comparisons of plots/comparisons.ts); explore.client.js does
// the rest in the browser.
import { comparisons } from '../../plots/comparisons.ts';
import { exploreModel } from './exploreModel.ts';

const escapeHtml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

// JSON inside <script>: "</" would end the element.
const modelJson = JSON.stringify(exploreModel).replace(/<\//g, '<\\/');

const stories = Object.entries(comparisons)
  .map(([name, c]) => `<figure id="story-${name}"><img src="/plots/${name}.svg" alt="${escapeHtml(c.title)}" width="640" height="400" loading="lazy"><figcaption><b>${escapeHtml(c.title)}</b>: ${escapeHtml(c.caption)}</figcaption></figure>`)
  .join('\n');

export const explorePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Loss service: explore</title><link rel="icon" href="data:,">
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#222}
header{display:flex;gap:1.5rem;align-items:baseline;padding:.8rem 1.5rem;border-bottom:1px solid #ddd;flex-wrap:wrap}
header h1{font-size:1.3rem;margin:0}
main{display:grid;grid-template-columns:17rem 1fr;min-height:calc(100vh - 4rem)}
nav{border-right:1px solid #ddd;padding:.8rem 1rem;overflow-y:auto;max-height:calc(100vh - 4rem);position:sticky;top:0}
nav input{width:100%;box-sizing:border-box;padding:.4rem;font-size:1rem}
nav h3{font-size:.85rem;text-transform:uppercase;color:#666;margin:1rem 0 .3rem}
nav ul{list-style:none;margin:0;padding:0}
nav li a{display:block;padding:.15rem .4rem;border-radius:4px;text-decoration:none;color:#1f4e8c;font-family:ui-monospace,monospace;font-size:.88rem}
nav li.current a{background:#1f4e8c;color:white}
#view{padding:1rem 2rem;max-width:1100px}
.controls{display:flex;flex-wrap:wrap;gap:.6rem 1.5rem;margin:1rem 0;padding:.8rem;background:#f6f7f9;border-radius:6px}
.control{display:grid;grid-template-columns:auto auto;gap:.2rem .5rem;align-items:center;max-width:22rem}
.control label{font-family:ui-monospace,monospace;font-weight:600}.control label.plain{font-family:inherit;font-weight:normal}
.control small{grid-column:1/-1;color:#555}
.control input[type=number]{width:7rem}
.chart{min-height:400px}.chart svg{max-width:100%;height:auto}
.chart[aria-busy=true]{opacity:.6}
.problem{color:#a00}
.note,.axis{color:#555}
figure{display:inline-block;margin:0 1rem 2rem 0;vertical-align:top;width:640px}
figcaption{font-size:.9rem;line-height:1.4}
code{background:#f3f3f3;padding:0 .2rem}
</style></head><body>
<header><h1>Explore the losses</h1>
<span>Every chart is computed by the service's own kernels: <code>GET /losses/{name}/plot.svg</code>, <code>GET /plots/compare.svg</code>.</span>
<a href="#" id="compare-link">Compare losses</a> <a href="/docs">Swagger UI</a> <a href="/losses">catalog (JSON)</a></header>
<main>
<nav aria-label="losses"><input id="search" type="search" placeholder="Search: huber, MSELoss, focal…" aria-label="search the losses"><div id="search-count"></div><div id="index"></div></nav>
<section id="view" aria-live="polite"></section>
</main>
<template id="stories-template"><h2>Stories</h2>
${stories}
</template>
<script type="application/json" id="explore-model">${modelJson}</script>
<script src="/explore/explore.js"></script>
</body></html>`;
