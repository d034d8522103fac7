// The browser half of the locale and timezone ports (intl.rs, tz.rs): the browser's `Intl`
// objects, built once per locale and zone and cached. Written in JavaScript because each of
// these calls is one line here and many bytes of bindings in the wasm (measured: 2.6 KB gzipped
// less wasm for 0.8 KB more glue); every rule that uses the answers stays in Rust.
//
// Invariant: nothing here throws (a throw would unwind through the wasm). A locale the browser
// rejects means English; a zone it does not know, or an instant outside the Date range, gives
// `undefined` (Rust's `None`); an unknown zone is remembered so it is not built again.
// Lists cross the boundary as strings joined by U+001F (the unit separator), which no word,
// name or unit contains.

const US = '\u001f';

const safe = (make) => {
  try {
    return make();
  } catch {
    return undefined;
  }
};

// `build(key)` once per key, misses included.
const cached = (build) => {
  const made = new Map();
  return (key) => {
    if (!made.has(key)) made.set(key, safe(() => build(key)));
    return made.get(key);
  };
};

/** The browser's own timezone, `UTC` when it does not say. */
export function viewerZone() {
  return safe(() => new Intl.DateTimeFormat('en-US').resolvedOptions().timeZone) || 'UTC';
}

export class LocaleIntl {
  /** Formats for `locale` (a BCP 47 tag); one the browser rejects means English. */
  constructor(locale) {
    const l = safe(() => new Intl.PluralRules(locale)) ? locale : 'en';
    this.l = l;
    this.p = safe(() => new Intl.PluralRules(l));
    this.n = safe(() => new Intl.NumberFormat(l));
    this.u = cached((unit) => new Intl.NumberFormat(l, { style: 'unit', unit, unitDisplay: 'short' }));
    this.ul = safe(() => new Intl.ListFormat(l, { type: 'unit', style: 'short' }));
    this.ol = safe(() => new Intl.ListFormat(l, { type: 'disjunction' }));
    this.s = safe(() => new Intl.Segmenter(l, { granularity: 'word' }));
    this.z = cached((timeZone) => new Intl.DateTimeFormat(l, {
      timeZone, weekday: 'short', hour: 'numeric', minute: '2-digit', timeZoneName: 'shortOffset',
    }));
    // `longOffset` names the offset itself ("GMT+05:30"): no wall-clock arithmetic needed.
    this.o = cached((timeZone) => new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }));
  }

  // The parts of `ms` in `tz`: the time is the run from the first to the last hour, minute or
  // day-period part with the literals between them, so each locale keeps its own order and
  // separators ("14:03", "2:03 PM", "午後2:03").
  parts(ms, tz) {
    const f = this.z(tz);
    // An instant beyond the Date range (±8.64e15 ms) throws: nothing to show, not a throw.
    const parts = (f && safe(() => f.formatToParts(ms))) || [];
    const isTime = (p) => p.type === 'hour' || p.type === 'minute' || p.type === 'dayPeriod';
    const first = parts.findIndex(isTime);
    if (first < 0) return undefined;
    const last = parts.length - 1 - [...parts].reverse().findIndex(isTime);
    const find = (type) => (parts.find((p) => p.type === type) || { value: '' }).value;
    const time = parts.slice(first, last + 1).map((p) => p.value).join('').trim();
    return [time, find('weekday'), find('timeZoneName')];
  }

  time(ms, tz) {
    return (this.parts(ms, tz) || [])[0];
  }

  weekday(ms, tz) {
    return (this.parts(ms, tz) || [])[1];
  }

  offsetName(ms, tz) {
    return (this.parts(ms, tz) || [])[2];
  }

  // Rare (a ping recorded on another day), so a formatter made for the occasion.
  date(ms, tz) {
    return safe(() => new Intl.DateTimeFormat(this.l, { timeZone: tz, month: 'short', day: 'numeric' }).format(ms));
  }

  // Minutes east of UTC of `tz` at `ms`, from its `longOffset` name; undefined for an unknown zone.
  offsetMinutes(tz, ms) {
    const f = this.o(tz);
    const parts = (f && safe(() => f.formatToParts(ms))) || [];
    return parseGmtOffset((parts.find((p) => p.type === 'timeZoneName') || {}).value);
  }

  // `spec`: "<n> <unit>" items joined by US ("2 hour", "5 minute").
  duration(spec) {
    const words = spec.split(US).map((item) => {
      const [n, unit] = item.split(' ');
      const f = this.u(unit);
      return f ? f.format(+n) : this.number(+n);
    });
    return this.ul ? this.ul.format(words) : words.join(' ');
  }

  number(n) {
    return this.n ? this.n.format(n) : String(n);
  }

  plural(n) {
    return this.p ? this.p.select(n) : 'other';
  }

  orList(joined) {
    const items = joined.split(US);
    return this.ol ? this.ol.format(items) : items.join(', ');
  }

  lower(s) {
    return s.toLowerCase();
  }

  // The lowercased words of `s`, joined by US: with the browser's word dictionaries (so
  // Japanese "サーバー障害発生" holds "障害"), else runs of letters, digits and marks.
  words(s) {
    const text = s.toLowerCase();
    const words = this.s
      ? Array.from(this.s.segment(text)).filter((w) => w.isWordLike).map((w) => w.segment)
      : text.match(/[\p{L}\p{N}\p{M}]+/gu) || [];
    return words.join(US);
  }
}

/**
 * Minutes east of UTC in a `longOffset` name: `GMT`, `GMT+05:30`, `GMT-08:00` (the minus may be
 * U+2212) or `GMT+00:09:21` (a historical offset in seconds, rounded); undefined for anything else.
 */
export function parseGmtOffset(name) {
  const m = /^GMT(?:([+\-\u2212])(\d\d?)(?::(\d\d?))?(?::(\d\d?))?)?$/.exec(String(name).trim());
  if (!m) return undefined;
  const [h, min, s] = [m[2], m[3], m[4]].map((v) => +(v || 0));
  if (min > 59 || s > 59) return undefined;
  return (m[1] === '+' || !m[1] ? 1 : -1) * (h * 60 + min + (s >= 30 ? 1 : 0));
}
