/**
 * Rules for text the pipeline has to store and transport. Postgres `text` and `jsonb` cannot
 * hold U+0000, and a lone UTF-16 surrogate is not Unicode at all: the driver silently turns it
 * into U+FFFD (two different ids would become one) and `jsonb` refuses its `\ud800` escape.
 * An id also travels as the `Nats-Msg-Id` header: CR/LF cannot be sent there, and the server
 * trims surrounding white space, so " a" and "a" would be de-duplicated as one event.
 */

/** Where a string breaks storage or transport, as a sentence fragment; undefined when it is fine. */
export type TextProblem = { at: number; what: string };

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** NUL or a lone surrogate, the two things no Postgres text column can take. */
export function unstorable(text: string): TextProblem | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return { at: i, what: "a NUL character (U+0000)" };
    if (isHigh(unit)) {
      if (isLow(text.charCodeAt(i + 1))) i++;
      else return { at: i, what: `a lone UTF-16 surrogate (${codePoint(unit)})` };
    } else if (isLow(unit)) {
      return { at: i, what: `a lone UTF-16 surrogate (${codePoint(unit)})` };
    }
  }
  return undefined;
}

/** C0 controls (incl. CR, LF, TAB), DEL and C1 controls. */
export function isControl(unit: number): boolean {
  return unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f);
}

/** A storable string without control characters (ids, attr keys). */
export function unsafeIdentifier(text: string): TextProblem | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit !== 0 && isControl(unit)) return { at: i, what: `a control character (${codePoint(unit)})` };
  }
  return unstorable(text);
}

/** Everything an event id must satisfy beyond its length: it becomes a NATS header value. */
export function unsafeEventId(id: string): TextProblem | undefined {
  const problem = unsafeIdentifier(id);
  if (problem) return problem;
  if (/^\s/.test(id)) return { at: 0, what: "leading white space (JetStream trims it from Nats-Msg-Id)" };
  if (/\s$/.test(id))
    return { at: id.length - 1, what: "trailing white space (JetStream trims it from Nats-Msg-Id)" };
  return undefined;
}

function codePoint(unit: number): string {
  return `U+${unit.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * A readable, storable rendering of untrusted text for messages, paths and stored ids:
 * controls, NUL and lone surrogates become `\uXXXX`, and it is cut to about `max` characters.
 */
export function printable(text: string, max = 128): string {
  let out = "";
  let i = 0;
  for (; i < text.length && out.length < max; i++) {
    const unit = text.charCodeAt(i);
    if (isHigh(unit) && isLow(text.charCodeAt(i + 1))) {
      out += text.slice(i, i + 2);
      i++;
    } else if (isControl(unit) || isHigh(unit) || isLow(unit)) {
      out += `\\u${unit.toString(16).padStart(4, "0")}`;
    } else {
      out += text.charAt(i);
    }
  }
  return i < text.length ? `${out}…` : out;
}

/** Describes a problem for a reason message: `id contains a NUL character (U+0000) at index 3`. */
export function describeProblem(field: string, problem: TextProblem): string {
  return `${field} contains ${problem.what} at index ${problem.at}`;
}
