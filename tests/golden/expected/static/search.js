// Full-text search in the reader's browser over the index flashnews writes under search/data/
// (see flashnews/search.py for the files). A word is looked up in the one term file named by its
// first two letters; every word of the query must match the start of a word of the article.
// Results are the newest first among those matching the most words exactly; each shows its
// headline, section and date, and an excerpt with the words marked, read from the article page.
const form = document.querySelector(".search-form");
if (form) {
  const input = form.querySelector(".search-input");
  const summary = document.querySelector(".search-summary");
  const list = document.querySelector(".search-results");
  const more = document.querySelector(".search-more");
  const base = form.dataset.index;
  const root = form.dataset.root;
  const PAGE = 10;
  const WORD = /[\p{L}\p{N}_]+/gu;
  const cache = new Map();
  let manifest = null;
  let current = 0;
  let shown = [];
  let words = [];

  const fold = (word) => word.normalize("NFKD").replace(/\p{M}/gu, "");
  const wordsOf = (text) => [...new Set((text.normalize("NFC").toLowerCase().match(WORD) || []).map(fold))];
  const bucketOf = (term) => [...term].slice(0, 2).map((c) => (/^[a-z0-9]$/.test(c) ? c : "_" + c.codePointAt(0).toString(16))).join("");

  function fetchOnce(url, read) {
    if (!cache.has(url)) {
      cache.set(url, fetch(url).then((response) => {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return read(response);
      }));
    }
    return cache.get(url);
  }

  async function idsFor(word) {
    // id -> 2 when the article has the word itself, 1 when only a longer word starting with it
    const found = new Map();
    const bucket = bucketOf(word);
    if (!manifest.buckets.includes(bucket)) return found;
    const text = await fetchOnce(base + "t/" + bucket + ".txt", (r) => r.text());
    for (const line of text.split("\n")) {
      const space = line.indexOf(" ");
      const term = line.slice(0, space);
      if (space < 0 || !term.startsWith(word)) continue;
      const weight = term === word ? 2 : 1;
      let id = 0;
      for (const gap of line.slice(space + 1).split(",")) {
        id += Number(gap);
        if ((found.get(id) || 0) < weight) found.set(id, weight);
      }
    }
    return found;
  }

  async function search(query) {
    manifest = manifest || (await fetchOnce(base + "index.json", (r) => r.json()));
    words = wordsOf(query).slice(0, 8);
    if (!words.length) return [];
    const sets = await Promise.all(words.map(idsFor));
    sets.sort((a, b) => a.size - b.size);
    const scores = new Map();
    for (const [id, weight] of sets[0]) {
      let score = weight;
      for (const other of sets.slice(1)) {
        const w = other.get(id);
        if (!w) { score = 0; break; }
        score += w;
      }
      if (score) scores.set(id, score);
    }
    return [...scores.keys()].sort((a, b) => scores.get(b) - scores.get(a) || b - a);
  }

  function row(id) {
    const per = manifest.docs_per_file;
    const number = Math.floor(id / per);
    return fetchOnce(base + "d/" + number + ".json", (r) => r.json()).then((rows) => rows[id - number * per]);
  }

  // The article's text folded letter by letter, with where each folded letter came from.
  function foldedWithPlaces(text) {
    let folded = "";
    const places = [];
    let index = 0;
    for (const c of text) {
      const f = fold(c.toLowerCase());
      for (let k = 0; k < f.length; k++) places.push(index);
      folded += f;
      index += c.length;
    }
    places.push(index);
    return [folded, places];
  }

  function excerpt(text) {
    const [folded, places] = foldedWithPlaces(text);
    const hits = [];
    for (const word of words) {
      const pattern = new RegExp("(?<![\\p{L}\\p{N}_])" + word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "[\\p{L}\\p{N}_]*", "gu");
      for (const match of folded.matchAll(pattern)) hits.push([places[match.index], places[match.index + match[0].length]]);
    }
    hits.sort((a, b) => a[0] - b[0]);
    const first = hits.length ? hits[0][0] : 0;
    let start = Math.max(0, first - 120);
    let stop = Math.min(text.length, first + 200);
    if (start > 0) start = text.indexOf(" ", start) + 1 || start;
    if (stop < text.length) stop = text.lastIndexOf(" ", stop) > first ? text.lastIndexOf(" ", stop) : stop;
    const paragraph = document.createElement("p");
    paragraph.className = "card-summary";
    if (start > 0) paragraph.append("… ");
    let at = start;
    for (const [from, to] of hits) {
      if (from < at || to > stop) continue;
      const mark = document.createElement("mark");
      mark.textContent = text.slice(from, to);
      paragraph.append(text.slice(at, from), mark);
      at = to;
    }
    paragraph.append(text.slice(at, stop));
    if (stop < text.length) paragraph.append(" …");
    return paragraph;
  }

  async function articleText(url) {
    const html = await fetchOnce(url, (r) => r.text());
    const page = new DOMParser().parseFromString(html, "text/html");
    const body = page.querySelector(".story-body");
    return body ? body.textContent.replace(/\s+/g, " ").trim() : "";
  }

  async function show(id, run) {
    const [url, title, section, dateShown, dateIso] = await row(id);
    if (run !== current) return;
    const item = document.createElement("li");
    item.className = "search-result";
    const kicker = document.createElement("p");
    kicker.className = "kicker";
    const time = document.createElement("time");
    time.dateTime = dateIso;
    time.textContent = dateShown;
    kicker.append(section + " ", time);
    const heading = document.createElement("h2");
    heading.className = "card-title";
    const link = document.createElement("a");
    link.href = root + url;
    link.textContent = title;
    heading.append(link);
    item.append(kicker, heading);
    list.append(item);
    const text = await articleText(root + url).catch(() => "");
    if (text && run === current) item.append(excerpt(text));
  }

  async function showMore(run) {
    const next = shown.splice(0, PAGE);
    more.hidden = shown.length === 0;
    for (const id of next) await show(id, run);
  }

  function say(template, query, count) {
    summary.textContent = template.replace("[COUNT]", String(count)).replace("[SEARCH_TERM]", query);
  }

  async function run(query) {
    const ticket = ++current;
    list.replaceChildren();
    more.hidden = true;
    query = query.trim();
    if (!query) { summary.textContent = ""; return; }
    try {
      const ids = await search(query);
      if (ticket !== current) return;
      shown = ids;
      say(ids.length === 0 ? form.dataset.none : ids.length === 1 ? form.dataset.one : form.dataset.many, query, ids.length);
      await showMore(ticket);
    } catch (error) {
      if (ticket === current) summary.textContent = form.dataset.error;
    }
  }

  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    clearTimeout(timer);
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    run(input.value);
  });
  more.addEventListener("click", () => showMore(current));
  const asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    input.value = asked;
    run(asked);
  }
}
