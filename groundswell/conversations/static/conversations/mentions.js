// Progressive enhancement for a thread's reply box: type "@" and the start of a name to pick
// someone from "People in this conversation", the list already on the page. Nobody else is
// offered and nothing is fetched. Without JavaScript, members copy a line from that list.
(() => {
  "use strict";

  const MAX = 8;
  const people = document.querySelector("[data-mention-people]");
  const box = people && document.getElementById(people.dataset.mentionFor);
  if (!box || typeof box.setRangeText !== "function") return;

  // Folded for matching: no accents, one case ("Émile" and "emile" match; so do "Łucja" and "lucja").
  const EXTRA = { "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i" };
  const fold = (text) =>
    text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[ßæœøłđðþı]/g, (c) => EXTRA[c]);
  const letters = (text) => fold(text).replace(/[^\p{L}\p{N}]/gu, "");

  // Each word of a name, and each part of a hyphenated one ("Jean-Luc" answers to "jean" and "luc").
  const wordsOf = (name) => {
    const words = [];
    for (const word of name.split(/\s+/)) {
      for (const part of [word, ...word.split(/[-‐‑]/)]) {
        const plain = letters(part);
        if (plain && !words.includes(plain)) words.push(plain);
      }
    }
    return words;
  };

  const everyone = [...people.querySelectorAll("li[data-name][data-mention]")].map((item) => ({
    name: item.dataset.name,
    mention: item.dataset.mention,
    words: wordsOf(item.dataset.name),
  }));
  if (!everyone.length) return;

  // "@" then letters, just before the caret, not inside a word or an address ("ana@example.org").
  const QUERY = /(?:^|[^\p{L}\p{M}\p{N}_@/.])@(\p{L}[\p{L}\p{M}'’-]{0,39})$/u;

  const uid = `mention-${box.id}`;
  const list = document.createElement("ul");
  list.id = `${uid}-list`;
  list.className = "mention-suggest";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "People in this conversation");
  list.hidden = true;
  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  box.parentElement.classList.add("mention-field");
  box.after(list, status);

  // The box keeps its own role: ARIA in HTML gives a textarea no other (not "combobox"), and
  // a textbox takes no aria-expanded. What a textbox may carry says the rest; the live region
  // tells when the list opens, and how many are in it.
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);

  const hint = document.getElementById(people.dataset.mentionHint);
  if (hint) {
    box.before(hint); // with the field's help, above the box: the list opens under it
    hint.hidden = false;
    const described = (box.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    box.setAttribute("aria-describedby", [...described, hint.id].join(" "));
  }

  let shown = []; // the people in the list
  let active = -1; // which of them the arrows are on
  let at = -1; // where the "@" being completed is
  let dismissed = -1; // the "@" that Escape closed the list for

  const say = (words) => {
    if (status.textContent !== words) status.textContent = words;
  };

  const matching = (query) => {
    const wanted = letters(query);
    if (!wanted) return [];
    const first = [];
    const later = [];
    for (const person of everyone) {
      const hit = person.words.findIndex((word) => word.startsWith(wanted));
      if (hit === 0) first.push(person);
      else if (hit > 0) later.push(person);
    }
    return [...first, ...later].slice(0, MAX);
  };

  const close = (announce) => {
    const wasOpen = !list.hidden;
    list.hidden = true;
    list.replaceChildren();
    shown = [];
    active = -1;
    box.removeAttribute("aria-activedescendant");
    if (wasOpen) say(announce || "");
  };

  const highlight = (index) => {
    active = index;
    list.querySelectorAll("[role=option]").forEach((option, n) => {
      option.setAttribute("aria-selected", n === index ? "true" : "false");
    });
    const option = document.getElementById(`${uid}-${index}`);
    if (option) {
      box.setAttribute("aria-activedescendant", option.id);
      const top = option.offsetTop;
      const bottom = top + option.offsetHeight;
      if (top < list.scrollTop) list.scrollTop = top;
      else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
    }
  };

  const open = (found) => {
    const same =
      !list.hidden && found.length === shown.length && found.every((person, n) => person === shown[n]);
    if (same) return;
    const keep = shown[active];
    shown = found;
    list.replaceChildren(
      ...found.map((person, n) => {
        const option = document.createElement("li");
        option.id = `${uid}-${n}`;
        option.setAttribute("role", "option");
        option.className = "mention-option";
        option.textContent = person.name;
        return option;
      }),
    );
    const wasHidden = list.hidden;
    list.hidden = false;
    highlight(Math.max(0, found.indexOf(keep)));
    const count = found.length === 1 ? "1 suggestion" : `${found.length} suggestions`;
    say(`${count}. Up and down arrows to move, Enter to choose.`);
    if (wasHidden && list.scrollIntoView) list.scrollIntoView({ block: "nearest" });
  };

  const update = () => {
    const caret = box.selectionStart;
    const typed = box.selectionEnd === caret ? QUERY.exec(box.value.slice(0, caret)) : null;
    if (!typed) {
      at = -1;
      dismissed = -1;
      close();
      return;
    }
    at = caret - typed[1].length - 1;
    if (at === dismissed) return;
    dismissed = -1;
    const found = matching(typed[1]);
    if (found.length) open(found);
    else close("No suggestions.");
  };

  const choose = (index) => {
    const person = shown[index];
    if (!person || at < 0) return;
    const text = `${person.mention} `;
    box.focus();
    box.setRangeText(text, at, box.selectionStart, "end");
    close(`${person.name} mentioned.`);
    at = -1;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };

  box.addEventListener("input", update);
  box.addEventListener("click", update);
  box.addEventListener("keyup", (event) => {
    if (/^(Arrow|Home|End|Page)/.test(event.key)) update();
  });
  box.addEventListener("blur", () => close());

  box.addEventListener("keydown", (event) => {
    if (list.hidden || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    const last = shown.length - 1;
    if (event.key === "ArrowDown") highlight(active >= last ? 0 : active + 1);
    else if (event.key === "ArrowUp") highlight(active <= 0 ? last : active - 1);
    else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey) choose(active);
    else if (event.key === "Escape") {
      dismissed = at;
      close();
    } else return;
    event.preventDefault();
  });

  // Keep the caret (and a phone's keyboard) in the box while a name is tapped.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) choose([...list.children].indexOf(option));
  });
})();
