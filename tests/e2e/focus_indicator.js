() => {
  // What the focused element shows, from its computed styles: the outline (when it is
  // drawn, opaque and at least 2 px thick) and each outer box-shadow ring (spread at
  // least 2 px), each with its WCAG contrast ratio against the first opaque background
  // behind the element. Returns the best of them, or null when nothing has focus.
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const rgba = (text) => {
    const m = /rgba?\(([^)]+)\)/.exec(text || "");
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = (c) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  let behind = {r: 255, g: 255, b: 255, a: 1};
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = rgba(getComputedStyle(node).backgroundColor);
    if (bg && bg.a >= 0.99) { behind = bg; break; }
  }
  const style = getComputedStyle(el);
  const parts = [];
  const width = parseFloat(style.outlineWidth);
  const outline = rgba(style.outlineColor);
  if (style.outlineStyle !== "none" && width >= 2 && outline && outline.a >= 0.99) {
    parts.push({what: "outline " + style.outlineColor, ratio: ratio(outline, behind)});
  }
  if (style.boxShadow && style.boxShadow !== "none") {
    for (const shadow of style.boxShadow.split(/,(?![^(]*\))/)) {
      const color = rgba(shadow);
      const lengths = shadow.replace(/rgba?\([^)]*\)/, "").trim().split(/\s+/).map(parseFloat);
      const spread = lengths.length >= 4 ? lengths[3] : 0;
      if (color && color.a >= 0.99 && spread >= 2 && !/inset/.test(shadow)) {
        parts.push({what: "ring " + shadow.trim(), ratio: ratio(color, behind)});
      }
    }
  }
  const best = parts.reduce((a, b) => (b.ratio > (a ? a.ratio : 0) ? b : a), null);
  const name = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || el.id || "").trim().slice(0, 50);
  return {
    element: el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().replace(/\s+/g, ".") : "") + " “" + name + "”",
    behind: `rgb(${behind.r}, ${behind.g}, ${behind.b})`,
    indicator: best ? best.what : "none",
    ratio: best ? Math.round(best.ratio * 100) / 100 : 0,
    key: el.outerHTML.slice(0, 200) + "@" + Array.from(document.querySelectorAll("*")).indexOf(el),
  };
}
