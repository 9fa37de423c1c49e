import { XMLParser } from 'fast-xml-parser';

/** Element names that are lists in TCX and GPX even when a file has only one. */
const listElements = new Set(['Activity', 'Lap', 'Track', 'Trackpoint', 'trk', 'trkseg', 'trkpt']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Namespace prefixes differ between writers (ns3:TPX, gpxtpx:hr); the local name is what matters.
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  isArray: (name) => listElements.has(name),
});

export interface ParsedXml {
  document: Record<string, unknown>;
  /** Set when the file ended early and was closed after its last complete `recordTag`. */
  truncated: boolean;
}

/**
 * Parses TCX or GPX. A file cut short (an interrupted download or write) is cut back to its last
 * complete record element and its open elements are closed, so everything before the damage is kept.
 */
export function parseActivityXml(text: string, recordTag: string): ParsedXml {
  try {
    return { document: parser.parse(text) as Record<string, unknown>, truncated: false };
  } catch (error) {
    const repaired = closeAfterLastRecord(text, recordTag);
    if (repaired === null) throw error;
    return { document: parser.parse(repaired) as Record<string, unknown>, truncated: true };
  }
}

/** The text up to the last `</recordTag>` (any prefix), followed by closing tags for what is still open. */
function closeAfterLastRecord(text: string, recordTag: string): string | null {
  const closing = new RegExp(`</(?:[\\w.-]+:)?${recordTag}\\s*>`, 'g');
  let end = -1;
  for (let match = closing.exec(text); match; match = closing.exec(text)) {
    end = match.index + match[0].length;
  }
  if (end < 0) return null;
  const head = text.slice(0, end);
  const open: string[] = [];
  const tag =
    /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w:.-]*)[^>]*?(\/?)>/g;
  for (let match = tag.exec(head); match; match = tag.exec(head)) {
    const [, slash, name, selfClosing] = match;
    if (!name || selfClosing) continue;
    if (slash) {
      const at = open.lastIndexOf(name);
      if (at >= 0) open.length = at;
    } else open.push(name);
  }
  return (
    head +
    open
      .reverse()
      .map((name) => `</${name}>`)
      .join('')
  );
}

/** The value of an element that may be text, a number or an object with `#text`. */
export function textOf(value: unknown): string | null {
  // Postgres text cannot hold NUL (a `&#0;` is not decoded, a raw one may be there): dropped.
  if (typeof value === 'string') return value.replaceAll('\u0000', '').trim();
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && '#text' in value)
    return textOf((value as { '#text': unknown })['#text']);
  return null;
}

/**
 * Epoch ms of an xsd:dateTime (NaN when unreadable). GPX and TCX times are UTC; a time written without a
 * zone is read as UTC too, never in the server's own zone.
 */
export function timeOf(value: unknown): number {
  const text = textOf(value);
  if (!text) return Number.NaN;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) || !/T\d/.test(text) ? text : `${text}Z`;
  return Date.parse(zoned);
}

export function numberOf(value: unknown): number | null {
  const text = textOf(value);
  if (text === null || text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function child(value: unknown, name: string): unknown {
  return value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}
