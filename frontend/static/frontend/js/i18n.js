// Translation: every string a page shows goes through t(), backed by Django's JavaScript
// catalogue (/jsi18n/, loaded before the modules). Without it (Node tests) strings pass
// through unchanged.
const catalogue = globalThis.gettext ? globalThis : null;

export function t(text, values) {
  const translated = catalogue ? catalogue.gettext(text) : text;
  return values ? fill(translated, values) : translated;
}

export function tn(singular, plural, count, values) {
  const translated = catalogue
    ? catalogue.ngettext(singular, plural, count)
    : count === 1
      ? singular
      : plural;
  return fill(translated, { count, ...(values || {}) });
}

// "%(name)s" placeholders, as Django's interpolate() with named=true.
export function fill(text, values) {
  return text.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? String(values[key]) : match));
}
