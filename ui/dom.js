// Building the page from data without ever parsing data as markup: every string becomes a text node (group
// names and member names come from the cloud and may contain anything): no HTML string is ever parsed.

/** An element: props set attributes (`on` adds listeners, `class` the class), children are nodes or text. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'on') for (const [type, listener] of Object.entries(value)) el.addEventListener(type, listener);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  return append(el, children);
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's content, by the same rules as h(). */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A data table with a caption and column headers: columns = [{ label, cell(row) -> node or text }]. */
export function table({ caption, columns, rows, rowClass }) {
  return h(
    'table',
    null,
    h('caption', null, caption),
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
    h('tbody', null, rows.map((row) => h('tr', { class: rowClass?.(row) }, columns.map((c) => h('td', null, c.cell(row)))))),
  );
}

/** A definition list from [term, value] pairs. */
export function details(pairs) {
  return h('dl', { class: 'details' }, pairs.map(([term, value]) => [h('dt', null, term), h('dd', null, value)]));
}

export function dash(value) {
  return value === undefined || value === null || value === '' ? '—' : value;
}

/** An ISO time as `2026-12-01 10:00 UTC` (the same for every reader), the exact value in `datetime`. */
export function time(iso) {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return '—';
  const [date, clock] = new Date(iso).toISOString().slice(0, 16).split('T');
  return h('time', { datetime: iso }, `${date} ${clock}\u00a0UTC`); // wraps after the date at most
}

export function yesNo(value) {
  return value === true ? 'Yes' : value === false ? 'No' : '—';
}

export function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '—';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return `${Math.max(0, Math.round(seconds))} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} days`;
}

/** A view's heading: focused when the view opens, so keyboard and screen reader users start there. */
export function heading(text) {
  return h('h2', { id: 'view-title', tabindex: '-1' }, text);
}
