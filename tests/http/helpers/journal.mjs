// How a case system recomputes a journal entry's hash, as the README describes it: the
// SHA-256 of prev_hash, seq, at, kind, actor, the citizen's id, the enrolment's id and data,
// joined by "\n", where data is the entry's "data" text exactly as it stands in what was
// received (the journal API's answer, or a webhook delivery's body), never parsed and
// printed again.
import crypto from 'node:crypto';

/**
 * The raw text of every entry's "data" in a JSON text, in order: a small scanner over the
 * text that keeps strings and depth, so nothing is parsed and printed again.  depth is the
 * nesting of an entry's members: 3 in a journal answer ({"entries": [{…}]}), 1 in a webhook
 * delivery (the entry itself).
 */
export function rawData(text, depth = 3) {
  const out = [];
  let level = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const key = text.slice(i + 1, j);
      i = j + 1;
      if (level === depth && text[i] === ':' && key === 'data') {
        // the value: an object from i + 1 to its matching brace
        let k = i + 1;
        let d = 0;
        const start = k;
        do {
          if (text[k] === '"') {
            k++;
            while (text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
          } else if (text[k] === '{' || text[k] === '[') d++;
          else if (text[k] === '}' || text[k] === ']') d--;
          k++;
        } while (d > 0);
        out.push(text.slice(start, k));
        i = k;
      }
      continue;
    }
    if (ch === '{' || ch === '[') level++;
    else if (ch === '}' || ch === ']') level--;
    i++;
  }
  return out;
}

/** The hash of entry (its seq, at, kind, actor, enrolment_id, prev_hash) for the citizen
 * citizenId, with data its raw text (rawData). */
export function journalHash(entry, citizenId, data) {
  const input = [entry.prev_hash, entry.seq, entry.at, entry.kind, entry.actor, citizenId || '',
    entry.enrolment_id || '', data].join('\n');
  return crypto.createHash('sha256').update(input, 'utf8').digest('hex');
}
