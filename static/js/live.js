// Live updates: see the map change while others work on it, and open comment threads in the tree.
//
// The page's poller (templates/maps/_live.html, every 2 s) fires `argmap-changed` when the map changed, its
// detail saying which nodes changed (argmap/live.py). In the map's trees only the rows showing
// them are fetched (`data-live-rows-url`) and their cards swapped, keeping what is open inside them;
// another region (`data-live-region`) is fetched again whole (from `data-live-url`, else this
// page's address) if it shows a changed node (`data-live-nodes`) or does not say which it shows.
// A region in which the reader is typing is left alone: a "New changes — Refresh" notice appears
// instead, and its button refreshes everything while carrying what was typed over into the new forms.
// A comment thread being typed in is the exception: new comments are merged in around the writing.
(function () {
  "use strict";

  const TYPING_INPUTS = ["text", "search", "url", "email", "number", "tel", "password", ""];

  function isTypingField(el) {
    if (el.tagName === "TEXTAREA") return true;
    return el.tagName === "INPUT" && TYPING_INPUTS.includes((el.getAttribute("type") || "").toLowerCase());
  }

  function typedFields(scope) {
    return Array.from(scope.querySelectorAll("textarea, input")).filter(
      (el) => isTypingField(el) && el.value !== el.defaultValue
    );
  }

  // Busy: something typed in the region, a form opened in it on demand (an edit form htmx loaded
  // into a row), or the focus in one of its forms that has fields to type in.
  function busy(region) {
    if (typedFields(region).length || region.querySelector("[data-live-opened]")) return true;
    const active = document.activeElement;
    const form = active && region.contains(active) ? active.closest("form") : null;
    return Boolean(form && Array.from(form.elements).some(isTypingField));
  }

  function liveRegions() {
    return Array.from(document.querySelectorAll("[data-live-region][id]")).filter(
      (el) => !el.parentElement.closest("[data-live-region]")
    );
  }

  // The tree's state as the reader sees it now: same filter, every branch they opened.
  function treeParams(region) {
    const params = new URLSearchParams(location.search);
    params.delete("open");
    const filter = document.querySelector(".tree-controls input[name=filter]:checked");
    if (filter) params.set("filter", filter.value);
    region.querySelectorAll("li[data-path]").forEach((row) => {
      const toggle = row.querySelector(":scope > .node-card .toggle button[aria-expanded]");
      if (toggle && toggle.getAttribute("aria-expanded") === "true") params.append("open", row.dataset.path);
    });
    return params;
  }

  function treeUrl(region) {
    const query = treeParams(region).toString();
    return region.dataset.liveUrl + (query ? "?" + query : "");
  }

  function urlOf(region) {
    if ("liveTree" in region.dataset) return treeUrl(region);
    return region.dataset.liveUrl || location.pathname + location.search;
  }

  // What must survive a swap: typed text, open disclosures, open comment panels, focus, scroll.
  function remember(region, keepTyped) {
    const active = document.activeElement;
    return {
      typed: keepTyped ? typedFields(region).filter((el) => el.id).map((el) => [el.id, el.value]) : [],
      openDetails: Array.from(region.querySelectorAll("details[open]"))
        .map((d) => d.querySelector("[id]"))
        .filter(Boolean)
        .map((el) => el.id),
      panels: Array.from(region.querySelectorAll(".row-comments:not([hidden])")).map((p) => p.id),
      focusId: active && region.contains(active) ? active.id : "",
      scroll: [window.scrollX, window.scrollY],
    };
  }

  function putBack(state) {
    state.openDetails.forEach((id) => {
      const details = document.getElementById(id)?.closest("details");
      if (details) details.open = true;
    });
    state.typed.forEach(([id, value]) => {
      const field = document.getElementById(id);
      if (field) {
        field.value = value;
        const details = field.closest("details");
        if (details) details.open = true;
      }
    });
    const focus = state.focusId && document.getElementById(state.focusId);
    if (focus && document.activeElement !== focus) focus.focus({ preventScroll: true });
    window.scrollTo(state.scroll[0], state.scroll[1]);
  }

  function swapIn(region, fresh, keepTyped) {
    const state = remember(region, keepTyped);
    htmx.swap(region, fresh.outerHTML, { swapStyle: "outerHTML", swapDelay: 0, settleDelay: 0, ignoreTitle: true });
    putBack(state);
    // Comment panels that were open in the tree are fetched again, with what was typed in them.
    state.panels.forEach((id) => {
      const toggle = document.querySelector(`.comments-toggle[data-panel="${CSS.escape(id)}"]`);
      if (toggle) openPanel(toggle).then(() => putBack({ ...state, focusId: "" }));
    });
  }

  async function refresh(force, regions = liveRegions()) {
    if (!regions.length) {
      if (force) location.reload();
      else showNotice();
      return;
    }
    // A comment thread being written in is fetched too: what came is merged in around the writing.
    const ready = force ? regions : regions.filter((r) => !busy(r) || isThread(r));
    if (ready.length < regions.length) showNotice();
    else hideNotice();
    // Every region of a page sharing its address: fetched once, as the whole page; some of them:
    // each asks for just itself (the page may cost more than the regions it holds).
    const byUrl = new Map();
    ready.forEach((region) => {
      const url = urlOf(region);
      byUrl.set(url, [...(byUrl.get(url) || []), region]);
    });
    const fetches = [];
    for (const [url, group] of byUrl) {
      const whole = liveRegions().filter((region) => urlOf(region) === url).length === group.length;
      if (whole) fetches.push([url, group]);
      else group.forEach((region) => fetches.push([url, [region]]));
    }
    for (const [url, group] of fetches) {
      const headers = group.length === 1 ? { "HX-Request": "true", "HX-Target": group[0].id } : {};
      const response = await fetch(url, { headers, credentials: "same-origin", cache: "no-store" });
      if (!response.ok) continue;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      group.forEach((region) => {
        const fresh = doc.getElementById(region.id);
        if (!fresh || !document.body.contains(region)) return;
        // Asked again: a form may have opened while the fetch was on its way.
        if (force || !busy(region)) swapIn(region, fresh, force);
        else if (isThread(region)) mergeThread(region, fresh);
        else showNotice();
      });
    }
  }

  const isThread = (region) => region.matches(".comment-thread");

  // A comment thread someone is writing in: new and changed comments come in around what they
  // write. The thread's own form stays, and so does every comment they have a form open in (its
  // text and its replies are brought up to date around it).
  function mergeThread(thread, fresh) {
    const heading = thread.querySelector(":scope > h2, :scope > h3");
    const freshHeading = fresh.querySelector(":scope > h2, :scope > h3");
    if (heading && freshHeading) heading.textContent = freshHeading.textContent;
    const theirs = fresh.querySelector(":scope > ul.comments");
    if (!theirs) return;
    let mine = thread.querySelector(":scope > ul.comments");
    if (!mine) {  // the first comment: it takes the place of "No comments yet."
      mine = document.createElement("ul");
      mine.className = theirs.className;
      const empty = heading?.nextElementSibling;
      if (empty && empty.matches("p.muted")) empty.replaceWith(mine);
      else heading?.after(mine);
    }
    mergeComments(mine, theirs);
  }

  function inUse(comment) {
    const active = document.activeElement;
    return typedFields(comment).length > 0 || Boolean(comment.querySelector("details[open]")) ||
      Boolean(active && active !== document.body && comment.contains(active));
  }

  function mergeComments(list, fresh) {
    const wanted = Array.from(fresh.children).map((item) => {
      const mine = item.id ? document.getElementById(item.id) : null;
      if (!mine || mine.parentElement !== list || !inUse(mine)) {
        const node = document.importNode(item, true);
        htmx.process(node);
        return node;
      }
      mine.querySelectorAll(":scope > .comment-meta, :scope > .comment-text").forEach((part) => {
        const now = item.querySelector(`:scope > .${part.classList[0]}`);
        if (now) part.replaceWith(document.importNode(now, true));
      });
      const replies = item.querySelector(":scope > ul.replies");
      if (replies) {
        let own = mine.querySelector(":scope > ul.replies");
        if (!own) {
          own = document.createElement("ul");
          own.className = replies.className;
          mine.append(own);
        }
        mergeComments(own, replies);
      }
      return mine;
    });
    wanted.forEach((item, index) => {
      if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
    });
    while (list.children.length > wanted.length) list.lastElementChild.remove();
  }

  // The notice: a polite status line with a button, inside <main> so it stays in a landmark.
  function showNotice() {
    if (document.getElementById("live-notice")) return;
    const notice = document.createElement("p");
    notice.id = "live-notice";
    notice.className = "live-notice";
    notice.setAttribute("role", "status");
    notice.append("New changes — ");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Refresh";
    button.addEventListener("click", () => {
      hideNotice();
      refresh(true);
    });
    notice.append(button);
    (document.querySelector("main") || document.body).append(notice);
  }

  function hideNotice() {
    document.getElementById("live-notice")?.remove();
  }

  // Comment panels in the tree: "Discuss here" opens the node's thread under its row (fetched
  // once, then shown and hidden); without JavaScript the same link leads to the focus view.
  function panelOf(toggle) {
    return document.getElementById(toggle.dataset.panel);
  }

  function setOpen(toggle, open) {
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide discussion" : "Discuss here";
    if (open) toggle.setAttribute("aria-controls", toggle.dataset.panel);
  }

  function openPanel(toggle) {
    if (toggle.dataset.loading) return Promise.resolve();  // a second click while the first loads
    toggle.dataset.loading = "yes";
    const meta = toggle.closest(".node-meta");
    return htmx.ajax("GET", toggle.dataset.commentsUrl, { source: toggle, target: meta, swap: "afterend" })
      .finally(() => {
        delete toggle.dataset.loading;
        setOpen(toggle, Boolean(panelOf(toggle)));
      });
  }

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest(".comments-toggle[data-comments-url]");
    if (!toggle || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const panel = panelOf(toggle);
    if (panel) {
      panel.hidden = !panel.hidden;
      setOpen(toggle, !panel.hidden);
    } else {
      openPanel(toggle);
    }
  });

  function setUp(root) {
    root.querySelectorAll(".comments-toggle[data-comments-url]").forEach((toggle) => {
      toggle.dataset.panel = new URL(toggle.dataset.commentsUrl, location.href).searchParams.get("panel");
      setOpen(toggle, Boolean(panelOf(toggle)) && !panelOf(toggle).hidden);
    });
  }

  // What changed, by node ids: refresh only what shows one of them.
  function update(detail) {
    if (detail && Array.isArray(detail.regions)) {  // the dashboard's poll names its regions that changed
      const named = liveRegions().filter((region) => detail.regions.includes(region.id));
      return named.length ? refresh(false, named) : undefined;
    }
    if (!detail || !Array.isArray(detail.nodes)) return refresh(false);  // anything may have changed
    const regions = liveRegions();
    if (!regions.length) {
      const reader = document.querySelector("[data-live-source]");
      if (!reader || detail.sources.includes(Number(reader.dataset.liveSource))) showNotice();
      return;
    }
    const rows = new Set(detail.rows);
    const stale = regions.filter((region) => !("liveTree" in region.dataset) && (
      region.dataset.liveNodes === undefined || region.dataset.liveNodes.split(" ").some((id) => rows.has(Number(id)))));
    if (stale.length) refresh(false, stale);
    regions.filter((region) => "liveTree" in region.dataset).forEach((tree) => updateTree(tree, detail));
  }

  const lastId = (path) => Number(path.slice(path.lastIndexOf(".") + 1));

  // The trees: ask for the cards of the shown rows that changed (and the children of open rows
  // whose children changed), then swap them in place. Anything unexpected refreshes the trees whole.
  async function updateTree(tree, detail) {
    const rows = new Set(detail.rows);
    if (detail.theses.some((id) => !document.getElementById("node-" + id))) return refresh(false, [tree]);
    const shown = Array.from(tree.querySelectorAll("[data-path]")).filter((el) => rows.has(lastId(el.dataset.path)));
    const scores = detail.scores && tree.querySelector("#scoreboard");
    if (shown.length || scores) {
      if (shown.length > 200) return refresh(false, [tree]);
      const params = treeParams(tree);
      shown.forEach((el) => {
        params.append("path", el.dataset.path);
        // A level shown whole ("Show all", or short) stays whole: no "Show N more" instead of rows it had.
        const list = el.querySelector(":scope > ul.tree");
        if (list && !list.querySelector(":scope > li.more-children")) params.append("whole", el.dataset.path);
      });
      params.set("changed", detail.nodes.join(","));
      if (scores) params.set("scores", "1");
      const response = await fetch(tree.dataset.liveRowsUrl + "?" + params, {
        headers: { "HX-Request": "true" }, credentials: "same-origin", cache: "no-store",
      });
      // 205: a row the page asked for is gone (deleted, moved): the trees come whole.
      if (!response.ok || response.status === 205) return refresh(false, [tree]);
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const lists = doc.body.querySelectorAll(":scope > [data-live-children]");
      if (!Array.from(lists).every(mergeChildren)) return refresh(false, [tree]);
      doc.body.querySelectorAll(":scope > .node-card, :scope > .thesis-card").forEach(swapCard);
      const board = doc.getElementById("scoreboard");
      if (board) replace(document.getElementById("scoreboard"), board);
    }
    // Comment threads open in the tree come again if their node changed (unless typed in).
    const panels = Array.from(tree.querySelectorAll(".row-comments[data-live-nodes]:not([hidden])"))
      .filter((panel) => detail.nodes.includes(Number(panel.dataset.liveNodes)));
    if (panels.length) refresh(false, panels);
  }

  function replace(old, fresh) {
    if (!old) return;
    const node = document.importNode(fresh, true);
    old.replaceWith(node);
    htmx.process(node);
    setUp(node);
  }

  // An open row's children as they are now: the page keeps its own row wherever the answer holds
  // a placeholder (or a row it already shows), adds new rows, drops the rows that went. Rows
  // already in their place are not moved, so nothing inside them is disturbed. False if the page
  // lacks a row it should have (it is behind): the caller refreshes.
  function mergeChildren(fresh) {
    const list = document.getElementById(fresh.id);
    if (!list) return false;
    const wanted = [];
    const added = new Set();
    for (const item of Array.from(fresh.children)) {
      const mine = item.id ? document.getElementById(item.id) : null;
      if (mine && mine.parentElement === list) wanted.push(mine);
      else if (item.hasAttribute("data-live-keep")) return false;
      else {
        const node = document.importNode(item, true);
        added.add(node);
        wanted.push(node);
      }
    }
    wanted.forEach((item, index) => {
      if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
    });
    added.forEach((item) => {
      htmx.process(item);
      setUp(item);
    });
    while (list.children.length > wanted.length) list.lastElementChild.remove();
    return true;
  }

  // What the reader has open inside a card survives its swap: the edit slot (a reply or edit form),
  // the comment panel, open disclosures, the focus and the caret. Changed vote choices (not yet
  // sent) keep the old card, with the notice.
  function swapCard(fresh) {
    const card = document.getElementById(fresh.id);
    if (!card) return;
    const kept = Array.from(card.querySelectorAll(":scope > .edit-slot, :scope > .row-comments"));
    const own = Array.from(card.querySelectorAll("input, textarea")).filter((el) => !kept.some((k) => k.contains(el)));
    if (own.some((el) => (el.type === "radio" || el.type === "checkbox") ? el.checked !== el.defaultChecked : isTypingField(el) && el.value !== el.defaultValue)) {
      showNotice();
      return;
    }
    const active = document.activeElement;
    const caret = active && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
    const node = document.importNode(fresh, true);
    const opened = Array.from(card.querySelectorAll("details[open]")).map((d) => d.className);
    node.querySelectorAll("details").forEach((d) => { if (opened.includes(d.className)) d.open = true; });
    kept.forEach((element) => {
      const place = element.id && node.querySelector("#" + CSS.escape(element.id));
      if (place) place.replaceWith(element);
      else node.querySelector(".node-meta")?.after(element);
    });
    card.replaceWith(node);
    htmx.process(node);
    setUp(node);
    // A thesis's section is bordered by its status, which its card's badge names.
    const section = node.matches(".thesis-card") ? node.closest("section.thesis-tree") : null;
    if (section) {
      const status = node.querySelector(".kind-label .badge")?.className.match(/badge--(pending|rejected)/);
      section.classList.remove("thesis-tree--pending", "thesis-tree--rejected");
      if (status) section.classList.add("thesis-tree--" + status[1]);
    }
    const focus = active && (active.isConnected ? active : active.id && document.getElementById(active.id));
    if (focus && document.activeElement !== focus) {
      focus.focus({ preventScroll: true });
      if (caret && "setSelectionRange" in focus) try { focus.setSelectionRange(caret[0], caret[1]); } catch (e) {}
    }
  }

  document.addEventListener("argmap-changed", (event) => update(event.detail));

  // A page in a background tab skips its polls (each costs the server a request, and nobody
  // would see the change); shown again, it asks at once.
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (document.hidden && event.detail.elt.matches("[data-live-poller]")) event.preventDefault();
  });
  document.addEventListener("visibilitychange", () => {
    const poller = document.querySelector("[data-live-poller]");
    if (!document.hidden && poller) htmx.trigger(poller, "argmap-poll");
  });

  // htmx leaves error responses alone; one that says how to swap (HX-Reswap) is meant to be shown:
  // a form returned with its error, or the poller telling why it stopped.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.getResponseHeader("HX-Reswap")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A form htmx loaded into a live region (not the region itself coming back) is being worked in:
  // it would vanish if the region were fetched again.
  function markOpened(elt) {
    if (elt.matches("[data-live-region]") || !elt.parentElement?.closest("[data-live-region]")) return;
    const fields = elt.matches("textarea, input") ? [elt] : Array.from(elt.querySelectorAll("textarea, input"));
    if (fields.some(isTypingField)) elt.dataset.liveOpened = "yes";
  }

  // htmx announces every piece of content it loads, the first page included.
  document.addEventListener("htmx:load", (event) => {
    if (!event.target.querySelectorAll) return;
    setUp(event.target);
    markOpened(event.target);
  });
})();
