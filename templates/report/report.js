// The decompose report: one graph (modules by default, symbols on demand), a details panel, tables.
// All text from the analysed code goes in through textContent, never as HTML.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  // 30 colours told apart at a glance: Kelly's maximum-contrast set first, then distinct darker hues.
  const PALETTE = ["#0067a5", "#f38400", "#008856", "#be0032", "#875692", "#f3c300", "#a1caf1", "#e68fac",
    "#882d17", "#8db600", "#604e97", "#f99379", "#c2b280", "#b3446c", "#dcd300", "#2b3d26", "#e25822",
    "#654522", "#f6a600", "#17becf", "#393b79", "#31a354", "#7b4173", "#d62728", "#1f77b4", "#637939",
    "#e377c2", "#8c564b", "#9467bd", "#bcbd22"];
  const NEUTRAL = { shared: "#9aa5b1", "(unplanned)": "#d9e2ec" };
  const SYMBOL_LIMIT = 1500;
  const COSE_LIMIT = 200;
  const services = [...new Set(data.nodes.map((n) => n.service).concat(data.services.map((s) => s.name)))].sort();
  const colour = {};
  services.filter((s) => !NEUTRAL[s]).forEach((s, i) => { colour[s] = PALETTE[i % PALETTE.length]; });
  Object.assign(colour, NEUTRAL);
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const state = { view: "modules", scope: "" };

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function short(id) { const parts = id.split(/[.:]/); return parts.slice(-2).join("."); }

  // --- the graph ------------------------------------------------------------------------------
  function moduleElements() {
    const nodes = data.nodes.map((n) => ({
      group: "nodes",
      data: { id: n.id, label: short(n.id), colour: colour[n.service], size: 12 + Math.sqrt(n.lines) * 1.6, kind: "module" },
      position: { x: n.x, y: n.y },
    }));
    const edges = data.edges.map((e, i) => ({
      group: "edges",
      data: { id: "m" + i, source: e.source, target: e.target, weight: e.weight, kind: e.kind, cross: e.cross ? 1 : 0,
              width: Math.min(1 + Math.log2(1 + e.weight), 8) },
    }));
    return nodes.concat(edges);
  }

  function symbolElements(scope) {
    const s = data.symbols;
    const keep = [];
    s.rows.forEach((row, i) => {
      const module = s.modules[row[1]];
      if (row[4] === scope || module === scope) keep.push(i);
    });
    const shown = new Set(keep.slice(0, SYMBOL_LIMIT));
    const nodes = [...shown].map((i) => {
      const row = s.rows[i];
      return { group: "nodes", data: { id: row[0], label: short(row[0]), colour: colour[row[4]] || "#7b8794",
        size: 8 + Math.sqrt(row[3]), kind: "symbol", index: i } };
    });
    const edges = [];
    s.edges.forEach((e, i) => {
      if (shown.has(e[0]) && shown.has(e[1])) {
        const cross = s.rows[e[0]][4] !== s.rows[e[1]][4] ? 1 : 0;
        edges.push({ group: "edges", data: { id: "s" + i, source: s.rows[e[0]][0], target: s.rows[e[1]][0],
          weight: e[3], kind: s.kinds[e[2]], cross, width: Math.min(1 + Math.log2(1 + e[3]), 6) } });
      }
    });
    return { elements: nodes.concat(edges), total: keep.length };
  }

  // On large graphs the intra-service edges hide the structure: start with the cross-service ones only.
  const CROSS_ONLY_ABOVE = 5000;
  document.getElementById("cross-only").checked = data.planned && data.edges.length > CROSS_ONLY_ABOVE;

  const cy = cytoscape({
    container: document.getElementById("graph"),
    elements: moduleElements(),
    layout: { name: "preset", fit: true, padding: 20 },
    minZoom: 0.02, maxZoom: 6, wheelSensitivity: 0.25,
    textureOnViewport: data.nodes.length > 800, hideEdgesOnViewport: data.edges.length > 3000,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", width: "data(size)", height: "data(size)",
        label: "data(label)", "font-size": 11, color: "#323f4b", "text-valign": "bottom", "text-margin-y": 2,
        "min-zoomed-font-size": 10, "text-background-color": "#ffffff", "text-background-opacity": 0.7,
        "text-background-padding": 1 } },
      { selector: "edge", style: { width: "data(width)", "line-color": "#bcccdc", "curve-style": "haystack",
        opacity: 0.55 } },
      { selector: "edge[cross = 1]", style: { "line-color": "#c62828", opacity: 0.8 } },
      { selector: "edge[kind = 'inherit']", style: { "line-style": "dashed" } },
      { selector: "edge[kind ^= 'import']", style: { "line-color": "#9fb3c8" } },
      { selector: "edge[cross = 1][kind ^= 'import']", style: { "line-color": "#e57373" } },
      { selector: ".faded", style: { opacity: 0.08 } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#102a43" } },
      { selector: ".hidden", style: { display: "none" } },
    ],
  });

  function showModules() {
    state.view = "modules";
    cy.elements().remove();
    cy.add(moduleElements());
    cy.layout({ name: "preset", fit: true, padding: 20 }).run();
    applyCrossFilter();
    setPressed();
  }

  function showSymbols() {
    if (!state.scope) {
      details([el("p", "Choose a service or a module in the list first: symbols are drawn for one at a time.", "muted")]);
      return;
    }
    const { elements, total } = symbolElements(state.scope);
    state.view = "symbols";
    cy.elements().remove();
    cy.add(elements);
    const n = cy.nodes().length;
    // cose is quadratic per iteration: beyond a couple of hundred symbols a grid, module by module, stays responsive
    cy.layout(n <= COSE_LIMIT ? { name: "cose", animate: false, randomize: false, nodeRepulsion: 40000, idealEdgeLength: 90,
                                  nodeDimensionsIncludeLabels: true, numIter: 500 }
                              : { name: "grid", fit: true, avoidOverlap: true,
                                  sort: (a, b) => (a.id() < b.id() ? -1 : a.id() > b.id() ? 1 : 0) }).run();
    applyCrossFilter();
    setPressed();
    if (total > n) details([el("p", `Showing ${n} of ${total} symbols of ${state.scope}.`, "muted")]);
  }

  function setPressed() {
    document.getElementById("view-modules").setAttribute("aria-pressed", String(state.view === "modules"));
    document.getElementById("view-symbols").setAttribute("aria-pressed", String(state.view === "symbols"));
  }

  function applyCrossFilter() {
    const only = document.getElementById("cross-only").checked;
    cy.edges().forEach((e) => e.toggleClass("hidden", only && !e.data("cross")));
  }

  // --- details --------------------------------------------------------------------------------
  function details(children) {
    const panel = document.getElementById("details");
    panel.replaceChildren(...children);
  }

  function list(title, items, render) {
    const out = [el("h3", `${title} (${items.length})`)];
    if (!items.length) return out.concat(el("p", "none", "muted"));
    const ul = el("ul");
    items.forEach((item) => ul.appendChild(render ? render(item) : el("li", item)));
    return out.concat(ul);
  }

  function serviceLine(service) {
    const p = el("p");
    const sw = el("span", "", "swatch");
    sw.style.background = colour[service] || "#7b8794";
    p.append(sw, document.createTextNode(data.planned ? `service ${service}` : `package ${service}`));
    return p;
  }

  function showModule(id) {
    const n = byId.get(id);
    if (!n) return;
    const parts = [el("h2", n.id), serviceLine(n.service),
      el("p", `${n.path} · ${n.lines} lines · ${n.role}`, "muted")];
    if (n.reason) parts.push(el("h3", "Why here"), el("p", n.reason));
    parts.push(...list("Routes", n.routes), ...list("Tables (models defined)", n.tables), ...list("Hazards", n.hazards));
    parts.push(...list("Strongest ties", n.ties, (t) => {
      const li = el("li");
      const link = el("span", t.module, "tie");
      link.addEventListener("click", () => select(t.module));
      const other = byId.get(t.module);
      li.append(link, document.createTextNode(` ×${t.weight}`));
      if (other && other.service === "shared") li.appendChild(el("span", " (shared kernel)", "muted"));
      else if (other && other.service !== n.service) li.appendChild(el("span", ` (service ${other.service})`, "cross"));
      return li;
    }));
    details(parts);
  }

  function showSymbol(id) {
    const s = data.symbols;
    const node = cy.getElementById(id);
    const row = s.rows[node.data("index")];
    if (!row) return;
    const uses = [], usedBy = [];
    node.connectedEdges().forEach((e) => {
      if (e.source().id() === id) uses.push(`${e.target().id()} (${e.data("kind")} ×${e.data("weight")})`);
      else usedBy.push(`${e.source().id()} (${e.data("kind")} ×${e.data("weight")})`);
    });
    details([el("h2", row[0]), serviceLine(row[4]), el("p", `${row[2]} · ${row[3]} lines · module ${s.modules[row[1]]}`, "muted"),
      ...list("Uses", uses), ...list("Used by", usedBy)]);
  }

  function select(id) {
    const node = cy.getElementById(id);
    if (!node.length) return false;
    cy.elements().unselect();
    node.select();
    cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1) }, { duration: 200 });
    if (node.data("kind") === "module") showModule(id); else showSymbol(id);
    return true;
  }

  applyCrossFilter();
  cy.on("tap", "node", (evt) => select(evt.target.id()));
  cy.on("tap", (evt) => { if (evt.target === cy) cy.elements().removeClass("faded"); });

  // --- header controls ------------------------------------------------------------------------
  const c = data.counts;
  document.getElementById("counts").textContent =
    `${c.modules} modules · ${c.symbols} symbols · ${c.edges} edges · ${c.routes} routes · ${c.tables} tables · ${c.hazards} hazards`;

  const scope = document.getElementById("scope");
  scope.appendChild(el("option", "symbols of…"));
  scope.firstChild.value = "";
  const group = (label, values) => {
    const g = document.createElement("optgroup");
    g.label = label;
    values.forEach((v) => { const o = el("option", v); o.value = v; g.appendChild(o); });
    scope.appendChild(g);
  };
  group(data.planned ? "services" : "packages", data.planned ? services : []);
  group("modules", data.nodes.map((n) => n.id));
  scope.addEventListener("change", () => { state.scope = scope.value; if (state.scope) showSymbols(); });

  document.getElementById("view-modules").addEventListener("click", showModules);
  document.getElementById("view-symbols").addEventListener("click", showSymbols);
  document.getElementById("cross-only").addEventListener("change", applyCrossFilter);
  document.getElementById("search").addEventListener("keydown", (evt) => {
    if (evt.key !== "Enter") return;
    const text = evt.target.value.trim().toLowerCase();
    if (!text) { cy.elements().removeClass("faded"); return; }
    const hits = cy.nodes().filter((n) => n.id().toLowerCase().includes(text));
    cy.elements().addClass("faded");
    hits.removeClass("faded");
    if (hits.length === 1) select(hits[0].id());
    else if (hits.length) cy.fit(hits, 40);
  });

  const legend = document.getElementById("legend");
  services.forEach((s) => {
    const item = el("span");
    const sw = el("span", "", "swatch");
    sw.style.background = colour[s];
    item.append(sw, document.createTextNode(s));
    item.title = "highlight";
    item.addEventListener("click", () => {
      cy.elements().addClass("faded");
      cy.nodes().filter((n) => (byId.get(n.id()) || {}).service === s).removeClass("faded");
    });
    legend.appendChild(item);
  });

  // --- tables ---------------------------------------------------------------------------------
  function table(headers, rows, numeric) {
    const t = el("table");
    const head = el("tr");
    headers.forEach((h, i) => head.appendChild(el("th", h, numeric && numeric.includes(i) ? "num" : "")));
    t.appendChild(head);
    rows.forEach((r) => {
      const tr = el("tr");
      r.forEach((v, i) => tr.appendChild(el("td", v, numeric && numeric.includes(i) ? "num" : "")));
      t.appendChild(tr);
    });
    return t;
  }
  const MAX_ROWS = 500;
  function capped(rows) { return rows.length > MAX_ROWS ? rows.slice(0, MAX_ROWS) : rows; }
  function note(rows) { return rows.length > MAX_ROWS ? el("p", `First ${MAX_ROWS} of ${rows.length}; analysis.json has them all.`, "muted") : el("span"); }

  const tabServices = document.getElementById("tab-services");
  if (!data.planned) {
    tabServices.appendChild(el("p", "No plan: run 'decompose plan' and report again to see services, metrics and migration work. Colours show packages.", "muted"));
  } else {
    const METRICS = [["sm", "SM (higher is better)"], ["icp", "ICP (lower)"], ["ifn", "IFN (lower)"],
      ["ned_python", "NED (higher)"], ["turbomq_normalised", "MQ/K (higher)"], ["db_purity", "DB purity (higher)"],
      ["services", "services"]];
    tabServices.appendChild(el("h3", "Metrics: this plan against the baseline (Louvain on module imports)"));
    tabServices.appendChild(table(["metric", "plan", "baseline"],
      METRICS.map(([k, label]) => [label, data.scores.plan[k], data.scores.baseline[k]]), [1, 2]));
    tabServices.appendChild(el("h3", "Services"));
    tabServices.appendChild(table(["service", "routes", "tables owned", "modules", "symbols", "cohesion", "interface"],
      data.services.map((s) => [s.name, s.routes.length, s.tables.join(", "), s.modules, s.symbols, s.cohesion, s.interface]),
      [1, 3, 4, 5, 6]));
  }

  const tabMigration = document.getElementById("tab-migration");
  const shared = data.migration.shared_tables.map((t) => [t.table, t.services.join(", ")]);
  tabMigration.appendChild(el("h3", `Tables used by more than one service (${shared.length})`));
  tabMigration.appendChild(table(["table", "services"], capped(shared)));
  tabMigration.appendChild(note(shared));
  const calls = data.migration.cross_calls.map((x) => [x.from, x.to, x.caller, x.callee, x.weight]);
  tabMigration.appendChild(el("h3", `Calls across services (${calls.length})`));
  tabMigration.appendChild(table(["from", "to", "caller", "callee", "calls"], capped(calls), [4]));
  tabMigration.appendChild(note(calls));

  const hazards = data.hazards.map((h) => [h.kind, `${h.path}:${h.line}`, h.symbol, h.service || "", h.in_request_path ? "yes" : "no", h.why, h.resolution]);
  const tabHazards = document.getElementById("tab-hazards");
  tabHazards.appendChild(table(["hazard", "where", "symbol", "service", "in a request", "why it matters on Lambda", "AWS service that resolves it"], capped(hazards)));
  tabHazards.appendChild(note(hazards));

  const tabUnseen = document.getElementById("tab-unseen");
  tabUnseen.appendChild(el("h3", `Files that could not be parsed (${data.failures.length})`));
  tabUnseen.appendChild(table(["file", "kind", "message"], capped(data.failures.map((f) => [f.line ? `${f.path}:${f.line}` : f.path, f.kind, f.message]))));
  tabUnseen.appendChild(el("h3", `Dynamic imports the analysis could not resolve (${data.unresolved.length})`));
  tabUnseen.appendChild(table(["where", "what"], capped(data.unresolved.map((u) => [`${u.path}:${u.line}`, u.what]))));

  document.querySelectorAll("nav.tabs button").forEach((button) => button.addEventListener("click", () => {
    document.querySelectorAll("nav.tabs button").forEach((b) => b.setAttribute("aria-selected", String(b === button)));
    document.querySelectorAll("section.tab").forEach((s) => s.classList.toggle("active", s.id === "tab-" + button.dataset.tab));
  }));


  // --- the service map (first on the page) ------------------------------------------------------
  const sm = data.service_map;
  const mapNodes = sm ? sm.nodes : [];
  const mapById = new Map(mapNodes.map((n) => [n.id, n]));
  const waveOf = {};
  (data.waves || []).forEach((w) => w.services.forEach((s) => { waveOf[s.service] = w.wave; }));
  function plural(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }

  function mapElements() {
    const ring = mapNodes.filter((n) => n.kind === "service");
    const W = 1000, H = 560, radius = H * 0.46;
    const nodes = ring.map((n, i) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(ring.length, 1);
      return { group: "nodes", position: { x: W / 2 + radius * 1.6 * Math.cos(angle), y: H / 2 + radius * Math.sin(angle) },
        data: { id: n.id, kind: "service", colour: colour[n.id] || "#7b8794",
          size: Math.min(26 + Math.sqrt(n.lines) * 1.6, 90),
          label: `${n.name}\n${plural(n.routes.length, "route")} · ${plural(n.tables.length, "table")}` } };
    });
    mapNodes.filter((n) => n.kind !== "service").forEach((n) => {
      const shared = n.kind === "shared";
      nodes.push({ group: "nodes", position: shared ? { x: W / 2, y: H / 2 } : { x: -120, y: H / 2 },
        data: { id: n.id, kind: n.kind, colour: shared ? "#9aa5b1" : "#52606d", size: shared ? 60 : 70,
          label: shared ? `shared kernel (layer)\n${n.lines} lines` : `monolith\n${plural(n.routes.length, "remaining route")}` } });
    });
    const edges = sm ? sm.edges.map((e, i) => ({ group: "edges", data: { id: "c" + i, source: e.source, target: e.target,
      calls: e.calls, writes: e.writes ? 1 : 0, toShared: e.target === "shared" ? 1 : 0,
      width: Math.min(1.5 + Math.log2(1 + e.calls) * 1.5, 10) } })) : [];
    return nodes.concat(edges);
  }

  const map = cytoscape({
    container: document.getElementById("service-map"),
    elements: mapElements(),
    layout: { name: "preset", fit: true, padding: 50 },
    minZoom: 0.2, maxZoom: 4, wheelSensitivity: 0.25,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", width: "data(size)", height: "data(size)",
        label: "data(label)", "text-wrap": "wrap", "font-size": 14, "font-weight": 600, color: "#102a43",
        "text-valign": "bottom", "text-margin-y": 4, "text-background-color": "#ffffff", "text-background-opacity": 0.85,
        "text-background-padding": 2, "min-zoomed-font-size": 6 } },
      { selector: "node[kind = 'monolith']", style: { shape: "round-rectangle" } },
      { selector: "node[kind = 'shared']", style: { shape: "hexagon", "text-valign": "center", color: "#102a43" } },
      { selector: "edge", style: { width: "data(width)", "line-color": "#829ab1", "target-arrow-color": "#829ab1",
        "target-arrow-shape": "triangle", "curve-style": "bezier", opacity: 0.75, label: "data(calls)", "font-size": 11,
        color: "#334e68", "text-background-color": "#ffffff", "text-background-opacity": 0.8 } },
      { selector: "edge[writes = 1]", style: { "line-color": "#c62828", "target-arrow-color": "#c62828" } },
      { selector: "edge[toShared = 1]", style: { "line-style": "dashed", opacity: 0.3, label: "" } },
      { selector: ".faded", style: { opacity: 0.12 } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#102a43" } },
    ],
  });

  function card(children) { document.getElementById("card").replaceChildren(...children); }

  function openCard(id) {
    const n = mapById.get(id);
    if (!n) return false;
    map.elements().unselect();
    map.getElementById(id).select();
    const near = map.getElementById(id).closedNeighborhood();
    map.elements().addClass("faded");
    near.removeClass("faded");
    const parts = [el("h2", n.name)];
    if (n.kind !== "service") {
      parts.push(el("p", n.kind === "shared" ? "Code every service needs, delivered as a library (a Lambda layer)."
        : "Routes no service owns: the gateway keeps sending them to the monolith.", "muted"));
      parts.push(...list("Routes", n.routes));
      card(parts);
      return true;
    }
    parts.push(serviceLine(n.id), el("p", `${n.lines} lines of code` + (waveOf[n.id] ? ` · migration wave ${waveOf[n.id]}` : ""), "muted"));
    parts.push(...list("Routes", n.routes));
    parts.push(...list("Tables owned", n.tables));
    parts.push(...list("Tables touched", n.touched, (t) => el("li", `${t.table} (${t.access})`)));
    const call = (dir) => (c) => el("li", `${dir} ${c.service} ×${c.calls}` + (c.writes ? " (writes)" : ""), c.writes ? "cross" : "");
    parts.push(...list("Calls out", n.calls_out, call("→")));
    parts.push(...list("Calls in", n.calls_in, call("←")));
    parts.push(...list("Hazards", n.hazards, (h) => {
      const li = el("li");
      li.append(el("strong", h.kind), document.createTextNode(` ${h.where}: `), el("span", `→ ${h.resolution}`));
      return li;
    }));
    parts.push(...list("Manual work", n.manual || []));
    parts.push(el("h3", "Contract"), el("p", n.contract === "recorded" ? "recorded (contracts/" + n.id + ".json): run 'decompose contracts verify' to judge the service against it"
      : n.contract ? n.contract : "none yet: run 'decompose contracts record'", n.contract ? "" : "muted"));
    parts.push(...list("Why these elements are here (plan)", n.reasons, (r) => {
      const li = el("li");
      li.append(el("code", r.element), document.createTextNode(`: ${r.why}`));
      return li;
    }));
    card(parts);
    return true;
  }

  map.on("tap", "node", (evt) => openCard(evt.target.id()));
  map.on("tap", (evt) => { if (evt.target === map) map.elements().removeClass("faded"); });
  if (!sm) {
    document.getElementById("map-area").style.display = "none";
  }

  const wavesBox = document.getElementById("waves");
  if (data.waves && data.waves.length) {
    wavesBox.appendChild(el("h2", "Migration order: move these services first"));
    const ol = el("ol");
    data.waves.forEach((w) => {
      const li = el("li");
      const note = w.blocked ? " (blocked: contracts fail)" : w.cycle ? " (breaks a cycle of calls)" : "";
      li.appendChild(el("strong", `Wave ${w.wave}${note}: ` + w.services.map((s) => s.service).join(", ")));
      const ul = el("ul");
      w.services.forEach((s, i) => {
        const item = el("li", `${s.service}: ${s.why} `);
        item.appendChild(el("code", w.commands[i]));
        ul.appendChild(item);
      });
      li.appendChild(ul);
      ol.appendChild(li);
    });
    wavesBox.appendChild(ol);
  } else {
    wavesBox.style.display = "none";
  }

  // Cytoscape caches where its canvas is on the page: the page scrolls now (map above, graph below),
  // so tell both graphs after a scroll, once per frame, or a click lands beside the node.
  let moved = false;
  window.addEventListener("scroll", () => {
    if (moved) return;
    moved = true;
    requestAnimationFrame(() => { moved = false; cy.resize(); map.resize(); });
  }, { passive: true });

  window.decomposeReport = { cy, map, data, select, openCard, showModules, showSymbols, ready: true };
})();
