/*
 * The site's own search (lawreports/site/search.py builds the index it reads). No framework, no
 * network but this site: works from `python -m http.server`, `mkdocs serve` and GitHub Pages.
 *
 * A query is split on whitespace into terms; each term into overlapping pairs of characters
 * (the same tokeniser as search.py: tests/test_search.py runs both). Reports holding every
 * pair of every term are the candidates; a result is shown only after its text (the open-data
 * file data/reports/{year}/{slug}.json) is checked to contain each term as it was typed, so
 * pairs that are present but not adjacent never show. Results link to the sections that match.
 *
 * window.LawSearch is the API: tokenize/terms/fold (the tokeniser), search(params) → state,
 * more(state) → further results, last (the UI's latest state).
 */
(function () {
  "use strict";

  var FORMAT = 1;
  var TOKENIZER_VERSION = 2;
  var PAGE = 10; // results verified and shown at a time
  var SNIPPET_BEFORE = 30;
  var SNIPPET_AFTER = 70;
  var DEBOUNCE_MS = 80;
  var FACET_FIRST = 30; // filters leaving at most this many reports: verify them directly

  var script = document.currentScript;
  var ROOT = new URL("../../", script && script.src ? script.src : location.href); // the site root
  var SEARCH_DIR = new URL("search/", ROOT);

  // ---------------------------------------------------------------------------------------------
  // The tokeniser: keep in step with search.py (fold, terms, tokens, shard_of)

  var WORD = /[0-9a-z%\u2030\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{323af}]+/gu;
  var SPACE = /[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/u;

  function lowerAscii(s) {
    return s.replace(/[A-Z]+/g, function (m) { return m.toLowerCase(); });
  }

  var foldCache = new Map();
  function foldChar(c) {
    var f = foldCache.get(c);
    if (f === undefined) {
      f = lowerAscii(c.normalize("NFKC"));
      foldCache.set(c, f);
    }
    return f;
  }

  /** Per code point: NFKC, then A-Z lower-cased (the ideographs U+4E00-U+9FFF are left as they are). */
  function fold(s) {
    return s.replace(/[^\u4e00-\u9fff]/gu, foldChar);
  }

  /** fold() with, for each UTF-16 unit of the result, the offset in `s` it came from. */
  function foldMap(s) {
    var text = "", map = [], i = 0;
    for (var c of s) {
      var f = foldChar(c);
      for (var k = 0; k < f.length; k++) map.push(i);
      text += f;
      i += c.length;
    }
    map.push(s.length);
    return { text: text, map: map };
  }

  function terms(query) {
    var out = [];
    fold(query).split(SPACE).forEach(function (t) {
      if (t && out.indexOf(t) < 0) out.push(t);
    });
    return out;
  }

  var MAX_NUMBER_DIGITS = 8;

  function isDigit(c) {
    return c >= "0" && c <= "9";
  }

  /** [start, end) of each run of two or more digits followed by another word character (its unit). */
  function numberSpans(cs) {
    var out = [], p = 0;
    while (p < cs.length) {
      if (!isDigit(cs[p])) { p++; continue; }
      var i = p;
      while (p < cs.length && isDigit(cs[p])) p++;
      if (p < cs.length && p - i >= 2) out.push([i, p]);
    }
    return out;
  }

  /** The tokens a term is looked up by (search.py tokens): a number with its unit whole, else pairs. */
  function tokenize(term) {
    var out = [], seen = new Set();
    function add(t) {
      if (!seen.has(t)) { seen.add(t); out.push(t); }
    }
    (fold(term).match(WORD) || []).forEach(function (run) {
      var cs = Array.from(run), covered = new Set();
      numberSpans(cs).forEach(function (span) {
        var k = Math.max(span[0], span[1] - MAX_NUMBER_DIGITS);
        add(cs.slice(k, span[1]).join("") + cs[span[1]]);
        for (var q = k; q < span[1]; q++) covered.add(q);
      });
      for (var p = 0; p + 1 < cs.length; p++) {
        if (!covered.has(p)) add(cs[p] + cs[p + 1]);
      }
    });
    return out;
  }

  var encoder = new TextEncoder();
  function shardOf(token, shards) {
    var h = 0x811c9dc5;
    var bytes = encoder.encode(token);
    for (var i = 0; i < bytes.length; i++) {
      h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    }
    return h & (shards - 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Fetching (each file once per page; ?v= the build, so two builds never mix)

  var cache = new Map();
  var stats = { requests: 0, bytes: 0 };
  var manifestPromise = null;

  function getJSON(url) {
    if (!cache.has(url)) {
      cache.set(url, fetch(url).then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + url);
        return r.text();
      }).then(function (text) {
        stats.requests += 1;
        stats.bytes += text.length;
        return JSON.parse(text);
      }).catch(function (err) {
        cache.delete(url);
        throw err;
      }));
    }
    return cache.get(url);
  }

  function manifest() {
    if (!manifestPromise) {
      manifestPromise = fetch(new URL("manifest.json", SEARCH_DIR), { cache: "no-cache" })
        .then(function (r) {
          if (!r.ok) throw new Error("manifest " + r.status);
          return r.json();
        })
        .then(function (m) {
          if (m.format !== FORMAT || m.tokenizer !== TOKENIZER_VERSION) {
            throw new Error("搜索索引与页面版本不一致，请刷新页面");
          }
          m.partKeys = m.parts.map(function (p) { return p[0]; });
          return m;
        })
        .catch(function (err) {
          manifestPromise = null;
          throw err;
        });
    }
    return manifestPromise;
  }

  function dataURL(m, path) {
    return new URL(path + "?v=" + m.build, SEARCH_DIR).href;
  }

  function shardFile(m, h) {
    var name = h.toString(16);
    while (name.length < m.shard_width) name = "0" + name;
    return dataURL(m, "index/" + name + ".json");
  }

  /** Decoded postings of a token: {ids, payloads}; empty when the token is in no report. */
  function postings(m, token) {
    return getJSON(shardFile(m, shardOf(token, m.shards))).then(function (shard) {
      var code = shard[token];
      var ids = [], payloads = [];
      if (!code) return { ids: ids, payloads: payloads };
      var alphabet = m.alphabet, value = 0, mul = 1, id = 0, first = true;
      var unit = Math.pow(2, m.payload_bits);
      for (var i = 0; i < code.length; i++) {
        var d = alphabet.indexOf(code[i]);
        value += (d & 31) * mul;
        if (d & 32) {
          mul *= 32;
        } else {
          var delta = Math.floor(value / unit);
          id = first ? delta : id + delta;
          first = false;
          ids.push(id);
          payloads.push(value % unit);
          value = 0;
          mul = 1;
        }
      }
      return { ids: ids, payloads: payloads };
    });
  }

  var agenciesPromise = null;
  function agencies() {
    if (!agenciesPromise) {
      agenciesPromise = manifest().then(function (m) { return getJSON(dataURL(m, "agencies.json")); });
      agenciesPromise.catch(function () { agenciesPromise = null; });
    }
    return agenciesPromise;
  }

  /** The agency_key a typed or chosen 单位 stands for: itself when it is one (one shard, not the
   * whole list of agencies), else the one agency whose name is or contains it. */
  function agencyKey(m, value) {
    value = (value || "").trim();
    if (!value) return Promise.resolve(null);
    return postings(m, "a:" + value).then(function (list) {
      return list.ids.length ? value : agencyByName(value);
    });
  }

  function agencyByName(value) {
    return agencies().then(function (list) {
      var byKey = list.filter(function (a) { return a[0] === value; });
      if (byKey.length) return byKey[0][0];
      var byName = list.filter(function (a) { return a[1] === value; });
      if (byName.length === 1) return byName[0][0];
      var partial = list.filter(function (a) { return a[1].indexOf(value) >= 0 || a[0].indexOf(value) >= 0; });
      if (partial.length === 1) return partial[0][0];
      return { ambiguous: value, count: partial.length };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Candidates: reports holding every token (and facet value), ranked

  function intersect(cands, list, termIndex, partBit) {
    var out = [], i = 0, j = 0, ids = list.ids, pay = list.payloads;
    while (i < cands.length && j < ids.length) {
      var c = cands[i];
      if (c.id < ids[j]) { i++; continue; }
      if (c.id > ids[j]) { j++; continue; }
      var p = pay[j];
      if (termIndex >= 0) {
        if (partBit && !(p & partBit)) { i++; j++; continue; }
        c.tf[termIndex] = Math.min(c.tf[termIndex], (p >> 5) & 3);
        c.head[termIndex] = c.head[termIndex] && (p & 128) !== 0;
      }
      out.push(c);
      i++;
      j++;
    }
    return out;
  }

  function fromList(list, nTerms) {
    return list.ids.map(function (id) {
      return { id: id, tf: new Array(nTerms).fill(3), head: new Array(nTerms).fill(true) };
    });
  }

  /**
   * With words and filters: the reports the filters leave, when there are at most FACET_FIRST of
   * them (the words' own lists, often long, are then not needed); else null.
   */
  function facetsFirst(m, facets, words) {
    if (!facets.length || !words) return Promise.resolve(null);
    return Promise.all(facets.map(function (f) { return postings(m, f); })).then(function (lists) {
      lists.sort(function (a, b) { return a.ids.length - b.ids.length; });
      var ids = lists[0].ids;
      lists.slice(1).forEach(function (l) {
        var other = new Set(l.ids);
        ids = ids.filter(function (id) { return other.has(id); });
      });
      return ids.length <= FACET_FIRST ? ids.slice() : null;
    });
  }

  /**
   * params: {q, year, region, agency, part, sort}. Resolves to a state: the terms, the ranked
   * candidate ids (every report that can match), and the first verified results.
   */
  function search(params) {
    var started = performance.now();
    var before = { requests: stats.requests, bytes: stats.bytes };
    return manifest().then(function (m) {
      var state = {
        params: params, terms: terms(params.q || ""), candidates: [], results: [], next: 0,
        rejected: 0, notice: "", error: "", shortTerms: [], manifest: m,
      };
      var part = params.part && m.partKeys.indexOf(params.part) >= 0 ? params.part : "";
      state.part = part;
      var partBit = part ? 1 << m.partKeys.indexOf(part) : 0;
      var searchable = [];
      state.terms.forEach(function (t) {
        var toks = tokenize(t);
        if (toks.length) searchable.push({ term: t, tokens: toks });
        else state.shortTerms.push(t);
      });
      var facets = [];
      if (params.year) facets.push("y:" + params.year);
      if (params.region) facets.push("r:" + params.region);
      return agencyKey(m, params.agency).then(function (key) {
        if (key && key.ambiguous) {
          state.error = key.count ? "有 " + key.count + " 个单位名称包含“" + key.ambiguous + "”，请从列表中选择一个单位"
                                  : "没有名为“" + key.ambiguous + "”的单位";
          return state;
        }
        if (key) facets.push("a:" + key);
        if (!searchable.length && !facets.length) {
          if (state.shortTerms.length) state.error = "请至少输入两个字：单个汉字、字母或数字无法检索";
          return state;
        }
        var jobs = [];
        searchable.forEach(function (s, ti) {
          s.tokens.forEach(function (tok) { jobs.push({ token: tok, term: ti }); });
        });
        facets.forEach(function (f) { jobs.push({ token: f, term: -1 }); });
        return facetsFirst(m, facets, searchable.length).then(function (few) {
          if (few) {  // a filter that leaves a handful of reports: check those, skip the words' lists
            state.searchable = searchable;
            state.candidates = few;
            return state;
          }
          return Promise.all(jobs.map(function (job) { return postings(m, job.token); }));
        }).then(function (lists) {
          if (lists === state) return state;
          jobs.forEach(function (job, k) { job.list = lists[k]; });
          var df = searchable.map(function () { return Infinity; });
          jobs.forEach(function (job) {
            if (job.term >= 0) df[job.term] = Math.min(df[job.term], job.list.ids.length);
          });
          jobs.sort(function (a, b) { return a.list.ids.length - b.list.ids.length; });
          var cands = null;
          jobs.forEach(function (job) {
            if (cands === null) {
              cands = fromList(job.list, searchable.length);
              cands = intersect(cands, job.list, job.term, partBit);
            } else if (cands.length) {
              cands = intersect(cands, job.list, job.term, partBit);
            }
          });
          cands = cands || [];
          var N = m.reports || 1;
          cands.forEach(function (c) {
            var score = 0;
            for (var t = 0; t < searchable.length; t++) {
              score += Math.log(1 + N / Math.max(1, df[t])) * (1 + c.tf[t] + (c.head[t] ? 3 : 0));
            }
            c.score = score;
          });
          if (params.sort !== "year" && searchable.length) {
            cands.sort(function (a, b) { return b.score - a.score || a.id - b.id; });
          }
          state.searchable = searchable;
          state.candidates = cands.map(function (c) { return c.id; });
          return state;
        });
      });
    }).then(function (state) {
      return more(state);
    }).then(function (state) {
      if (!state.results.length && !state.error && !state.notice && state.searchable && state.searchable.length) {
        return splitRetry(state, params);
      }
      return state;
    }).then(function (state) {
      state.ms = performance.now() - started;
      state.requests = stats.requests - before.requests;
      state.bytes = stats.bytes - before.bytes;
      return state;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Verification and snippets

  function metaFile(m, id) {
    return dataURL(m, "meta/" + Math.floor(id / m.meta_block) + ".json");
  }

  function loadDoc(m, id) {
    return getJSON(metaFile(m, id)).then(function (ids) {
      var rid = ids[id % m.meta_block];
      return getJSON(new URL(m.docs + rid + ".json", SEARCH_DIR).href).then(function (doc) {
        doc._rid = rid;
        return doc;
      });
    });
  }

  /** The records search.py indexed for this report (records_of there). */
  function recordsOf(m, doc) {
    var recs = [{
      anchor: "title", part: null, heading: doc.display_title || "",
      text: [doc.addressee, doc.preamble].filter(function (t) { return t; }).join("\n"),
    }];
    (doc.sections || []).forEach(function (s) {
      recs.push({
        anchor: s.anchor, part: m.partKeys.indexOf(s.part) >= 0 ? s.part : null,
        heading: s.title || "", text: s.text || "",
      });
    });
    var sig = doc.signature && doc.signature.lines;
    if (sig && sig.length) recs.push({ anchor: "", part: null, heading: "", text: sig.join("\n") });
    return recs;
  }

  /** A result for a report, or null when some term is not in it (a bigram false positive). */
  function verify(state, doc) {
    var m = state.manifest;
    var recs = recordsOf(m, doc).filter(function (r) { return !state.part || r.part === state.part; });
    var ts = state.terms;
    var found = ts.map(function () { return false; });
    var hits = [];
    recs.forEach(function (r, order) {
      var fh = fold(r.heading), ft = fold(r.text), n = 0, inText = 0;
      ts.forEach(function (t, i) {
        var h = fh.indexOf(t) >= 0, x = ft.indexOf(t) >= 0;
        if (h || x) { found[i] = true; n++; }
        if (x) inText++;
      });
      // the title is the result's own heading: listed as a section only for its opening text
      if (r.anchor === "title") n = inText;
      if (n) hits.push({ rec: r, n: n, order: order });
    });
    if (!found.every(Boolean)) return null;
    if (state.part && !ts.length && !recs.length) return null;
    hits.sort(function (a, b) { return b.n - a.n || a.order - b.order; });
    var url = new URL(doc.url, ROOT).href;
    var sections = hits.slice(0, 3).map(function (h) {
      return {
        anchor: h.rec.anchor, part: h.rec.part,
        href: h.rec.anchor ? url + "#" + h.rec.anchor : url,
        heading: h.rec.anchor === "title" ? "开头" : h.rec.heading ? highlight(h.rec.heading, ts, 0, h.rec.heading.length) : "落款",
        snippet: snippet(h.rec.text, ts),
      };
    });
    var partOf = sections.length ? sections[0].part : (state.part || null);
    return {
      rid: doc._rid, url: url, title: doc.display_title, agency: doc.agency_key || doc.agency, year: doc.year,
      region: doc.region, part: partOf, sections: sections,
      href: sections.length ? sections[0].href : url, more: Math.max(0, hits.length - 3),
    };
  }

  function escapeHTML(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /** Where each term occurs in `text`, as [start, end) offsets of the original, merged. */
  function ranges(text, ts) {
    var f = foldMap(text), out = [];
    ts.forEach(function (t) {
      if (!t) return;
      var at = f.text.indexOf(t);
      while (at >= 0) {
        out.push([f.map[at], f.map[at + t.length]]);
        at = f.text.indexOf(t, at + t.length);
      }
    });
    out.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    out.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] < last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  }

  function highlight(text, ts, from, to) {
    var out = "", at = from;
    ranges(text, ts).forEach(function (r) {
      var s = Math.max(r[0], from), e = Math.min(r[1], to);
      if (e <= s) return;
      out += escapeHTML(text.slice(at, s)) + "<mark>" + escapeHTML(text.slice(s, e)) + "</mark>";
      at = e;
    });
    return out + escapeHTML(text.slice(at, to));
  }

  function snippet(text, ts) {
    if (!text) return "";
    var rs = ranges(text, ts);
    var start = rs.length ? rs[0][0] : 0;
    var from = Math.max(0, start - SNIPPET_BEFORE);
    var to = Math.min(text.length, start + SNIPPET_AFTER);
    var html = highlight(text, ts, from, to).replace(/\n/g, " ");
    return (from > 0 ? "…" : "") + html + (to < text.length ? "…" : "");
  }

  /** Verify and add the next page of results (fetching the candidates' report files). */
  function more(state) {
    if (state.error) return Promise.resolve(state);
    var m = state.manifest;
    var target = state.results.length + PAGE;
    function step() {
      if (state.results.length >= target || state.next >= state.candidates.length) {
        return Promise.resolve(state);
      }
      var want = target - state.results.length;
      var batch = state.candidates.slice(state.next, state.next + want);
      state.next += batch.length;
      return Promise.all(batch.map(function (id) {
        return loadDoc(m, id).then(function (doc) {
          return state.terms.length ? verify(state, doc) : listing(state, doc);
        }, function () { return null; });
      })).then(function (found) {
        found.forEach(function (r) {
          if (r) state.results.push(r);
          else state.rejected += 1;
        });
        return step();
      });
    }
    return step();
  }

  /** A result without terms (filters only): the report itself. */
  function listing(state, doc) {
    var url = new URL(doc.url, ROOT).href;
    var part = state.part;
    var sections = [];
    if (part) {
      recordsOf(state.manifest, doc).filter(function (r) { return r.part === part; }).slice(0, 1).forEach(function (r) {
        sections.push({ anchor: r.anchor, part: part, href: url + "#" + r.anchor, heading: escapeHTML(r.heading), snippet: snippet(r.text, []) });
      });
      if (!sections.length) return null;
    }
    return {
      rid: doc._rid, url: url, title: doc.display_title, agency: doc.agency_key || doc.agency, year: doc.year,
      region: doc.region, part: part || null, sections: sections, href: sections.length ? sections[0].href : url, more: 0,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Words typed together: split at the dictionary's words and search for the pieces

  var termsPromise = null;
  function dictionary() {
    if (!termsPromise) {
      termsPromise = manifest().then(function (m) { return getJSON(dataURL(m, "terms.json")); }).then(function (list) {
        var set = new Set(list), max = 2;
        list.forEach(function (w) { max = Math.max(max, Array.from(w).length); });
        return { set: set, max: max };
      });
      termsPromise.catch(function () { termsPromise = null; });
    }
    return termsPromise;
  }

  var NUMBER = /^[0-9]+(?:\.[0-9]+)?(?:%|[年件次项个名人家条场期篇份万亿元分天日月])?/u;

  function segment(term, dict) {
    var cs = Array.from(term), out = [], pending = "";
    function flush() {
      if (Array.from(pending).length >= 2) out.push(pending);
      pending = "";
    }
    var i = 0;
    while (i < cs.length) {
      var rest = cs.slice(i).join("");
      var num = NUMBER.exec(rest);
      if (num && Array.from(num[0]).length >= 2) {
        flush();
        out.push(num[0]);
        i += Array.from(num[0]).length;
        continue;
      }
      var hit = null;
      for (var len = Math.min(dict.max, cs.length - i); len >= 2; len--) {
        var w = cs.slice(i, i + len).join("");
        if (dict.set.has(w)) { hit = w; break; }
      }
      if (hit) {
        flush();
        out.push(hit);
        i += len;
      } else {
        pending += cs[i];
        i += 1;
      }
    }
    flush();
    return out;
  }

  function splitRetry(state, params) {
    var long = state.terms.some(function (t) { return Array.from(t).length >= 4; });
    if (!long) return state;
    return dictionary().then(function (dict) {
      var pieces = [];
      var changed = false;
      state.terms.forEach(function (t) {
        var parts = Array.from(t).length >= 4 ? segment(t, dict) : [t];
        if (parts.length > 1) changed = true;
        else parts = [t];
        parts.forEach(function (p) { if (pieces.indexOf(p) < 0) pieces.push(p); });
      });
      if (!changed) return state;
      var retry = Object.assign({}, params, { q: pieces.join(" ") });
      return search(retry).then(function (s2) {
        if (!s2.results.length) return state;
        s2.notice = "没有找到含“" + state.terms.join(" ") + "”的报告；以下结果分别含有" +
          pieces.map(function (p) { return "“" + p + "”"; }).join("");
        s2.original = state.terms;
        return s2;
      });
    }, function () { return state; });
  }

  // ---------------------------------------------------------------------------------------------
  // The search page

  var api = {
    fold: fold, terms: terms, tokenize: tokenize, shardOf: shardOf, segment: segment,
    search: search, more: more, manifest: manifest, stats: stats, last: null, root: ROOT.href,
  };
  window.LawSearch = api;

  function $(id) { return document.getElementById(id); }

  function partLabel(m, key) {
    var p = m.parts.filter(function (x) { return x[0] === key; })[0];
    return p ? p[1] : "";
  }

  function render(state, append) {
    var list = $("lr-results"), status = $("lr-status"), moreButton = $("lr-more"), notice = $("lr-notice");
    var m = state.manifest;
    if (!append) list.innerHTML = "";
    notice.textContent = state.notice || "";
    notice.hidden = !state.notice;
    if (state.error) {
      status.textContent = state.error;
    } else if (!state.terms.length && !state.candidates.length && !hasFilters(state.params)) {
      status.textContent = "";
    } else if (!state.results.length) {
      status.textContent = "没有找到符合条件的报告。" + (state.shortTerms.length ? "单个汉字无法检索，请至少输入两个字。" : "");
    } else {
      var remaining = state.candidates.length - state.next;
      var total = state.candidates.length - state.rejected;
      var exact = remaining === 0;
      status.textContent = (exact ? "找到 " + total + " 份报告" : "找到约 " + total + " 份报告") +
        "，显示前 " + state.results.length + " 份" +
        (state.shortTerms.length ? "（单个字“" + state.shortTerms.join("”“") + "”只用于核对，不能单独检索）" : "") + "。";
    }
    var start = append ? list.children.length : 0;
    state.results.slice(start).forEach(function (r) {
      var li = document.createElement("li");
      li.className = "lr-result";
      var facts = [r.agency || "", r.year ? r.year + "年" : "年度不详"];
      if (r.part) facts.push(partLabel(m, r.part));
      var html = '<a class="lr-result__title" href="' + escapeHTML(r.href) + '">' +
        (state.terms.length ? highlight(r.title || "", state.terms, 0, (r.title || "").length) : escapeHTML(r.title || "")) + "</a>" +
        '<div class="lr-result__meta">' + facts.filter(Boolean).map(escapeHTML).join(" · ") + "</div>";
      if (r.sections.length) {
        html += '<ul class="lr-result__sections">' + r.sections.map(function (s) {
          return '<li><a class="lr-result__section" href="' + escapeHTML(s.href) + '">' + s.heading + "</a>" +
            (s.part && s.part !== r.part ? ' <span class="lr-result__part">' + escapeHTML(partLabel(m, s.part)) + "</span>" : "") +
            (s.snippet ? '<p class="lr-result__snippet">' + s.snippet + "</p>" : "") + "</li>";
        }).join("") + "</ul>";
        if (r.more) html += '<div class="lr-result__more">另有 ' + r.more + " 处</div>";
      }
      li.innerHTML = html;
      list.appendChild(li);
    });
    moreButton.hidden = !(state.next < state.candidates.length && !state.error);
    list.dataset.state = "done";
  }

  function hasFilters(p) {
    return !!(p.year || p.region || p.agency || p.part);
  }

  function initPage() {
    var form = $("lr-search-form");
    if (!form) return;
    var q = $("lr-q"), year = $("lr-year"), region = $("lr-region"), part = $("lr-part"),
      agency = $("lr-agency"), sort = $("lr-sort"), list = $("lr-results");
    var header = document.getElementById("lr-header-q");
    var url = new URL(location.href);
    var p = url.searchParams;
    q.value = p.get("q") || "";
    if (header) header.value = q.value;
    agency.value = p.get("agency") || "";
    sort.value = p.get("sort") === "year" ? "year" : "";
    var generation = 0, timer = null, lastKey = null, current = null;

    function params() {
      return { q: q.value, year: year.value, region: region.value, part: part.value, agency: agency.value, sort: sort.value };
    }

    function run(force) {
      var ps = params();
      var key = JSON.stringify(ps);
      if (key === lastKey && !force) return;
      lastKey = key;
      var mine = ++generation;
      var started = performance.now();
      list.dataset.state = "busy";
      var next = new URL(location.href);
      ["q", "year", "region", "part", "agency", "sort"].forEach(function (k) {
        if (ps[k]) next.searchParams.set(k, ps[k]);
        else next.searchParams.delete(k);
      });
      history.replaceState(null, "", next.href);
      search(ps).then(function (state) {
        if (mine !== generation) return;
        current = state;
        api.last = state;
        render(state, false);
        document.dispatchEvent(new CustomEvent("lawsearch:done", {
          detail: { ms: performance.now() - started, total: state.candidates.length, shown: state.results.length },
        }));
      }, function (err) {
        if (mine !== generation) return;
        $("lr-status").textContent = "搜索出错：" + err.message;
        list.dataset.state = "done";
        document.dispatchEvent(new CustomEvent("lawsearch:done", { detail: { error: String(err) } }));
      });
    }

    // The first change after a pause runs at once (a word from an input method arrives as one
    // event); changes following it within DEBOUNCE_MS wait until they stop.
    var lastRun = -Infinity;
    function schedule(e) {
      if (e && e.isComposing) return;
      clearTimeout(timer);
      var now = performance.now();
      if (now - lastRun > DEBOUNCE_MS) {
        lastRun = now;
        run();
      } else {
        timer = setTimeout(function () { lastRun = performance.now(); run(); }, DEBOUNCE_MS);
      }
    }

    function mirror(from, to) {
      if (to && to.value !== from.value) to.value = from.value;
    }

    q.addEventListener("input", function (e) { mirror(q, header); schedule(e); });
    q.addEventListener("keyup", schedule);
    q.addEventListener("compositionend", schedule);
    if (header) {
      header.addEventListener("input", function (e) { mirror(header, q); schedule(e); });
      header.addEventListener("keyup", schedule);
      header.addEventListener("compositionend", schedule);
      header.form.addEventListener("submit", function (e) { e.preventDefault(); mirror(header, q); run(true); });
    }
    [year, region, part, sort].forEach(function (el) { el.addEventListener("change", function () { run(); }); });
    agency.addEventListener("change", function () { run(); });
    agency.addEventListener("focus", fillAgencies, { once: true });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(true); });
    $("lr-more").addEventListener("click", function () {
      if (!current) return;
      var mine = generation;
      list.dataset.state = "busy";
      more(current).then(function (state) {
        if (mine !== generation) return;
        render(state, true);
        document.dispatchEvent(new CustomEvent("lawsearch:done", { detail: { more: true } }));
      });
    });

    manifest().then(function (m) {
      m.years.forEach(function (y) { year.add(new Option(y === "none" ? "年度不详" : y + "年", y)); });
      m.parts.forEach(function (x) { part.add(new Option(x[1], x[0])); });
      m.regions.forEach(function (r) {
        var parent = m.regions.filter(function (o) { return o !== r && r.indexOf(o) === 0; });
        var depth = parent.length;
        var label = depth ? r.slice(parent.reduce(function (a, b) { return b.length > a.length ? b : a; }, "").length) : r;
        region.add(new Option("\u3000".repeat(depth) + label, r));
      });
      year.value = p.get("year") || "";
      part.value = p.get("part") || "";
      region.value = p.get("region") || "";
      if (agency.value) fillAgencies();
      form.dataset.ready = "true";
      if (q.value || hasFilters(params())) run(true);
    }, function (err) {
      $("lr-status").textContent = "搜索索引未能加载（" + err.message + "）。请用 python build_site.py 或 mkdocs serve 生成网站后再试。";
    });

    function fillAgencies() {
      agencies().then(function (listData) {
        var dl = $("lr-agency-list");
        if (dl.options.length) return;
        var frag = document.createDocumentFragment();
        listData.forEach(function (a) {
          var o = document.createElement("option");
          o.value = a[0];  // the agency_key: looked up directly
          o.label = (a[1] !== a[0] ? a[1] + " · " : "") + (a[2] || "") + "（" + a[3] + " 份）";
          frag.appendChild(o);
        });
        dl.appendChild(frag);
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initPage);
  else initPage();
})();
