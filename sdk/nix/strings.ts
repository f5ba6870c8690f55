/**
 * How a JS string becomes a Nix string literal that evaluates to exactly the same string. Two
 * forms: the double-quoted one, which can hold anything but NUL, and the indented `'' ... ''`
 * form, used for multi-line text only where its indentation stripping cannot change the text.
 */
import { NixBuildError } from "./expr";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Refuses what no Nix string can hold (NUL) or what is not text (a lone UTF-16 surrogate). */
export function checkNixText(text: string, what = "string"): void {
  if (text.includes("\0")) {
    throw new NixBuildError(
      `${what} ${JSON.stringify(text)} contains a NUL byte, which Nix strings cannot hold`,
    );
  }
  if (LONE_SURROGATE.test(text)) {
    throw new NixBuildError(`${what} ${JSON.stringify(text)} is not valid Unicode (a lone surrogate)`);
  }
}

const QUOTED_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  '"': '\\"',
  "${": "\\${",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** `"..."`: backslash, quote and `${` are escaped; newline, CR and tab as \n \r \t. */
export function quoteString(text: string): string {
  checkNixText(text);
  return `"${text.replace(/\\|"|\$\{|\n|\r|\t/g, (m) => QUOTED_ESCAPES[m])}"`;
}

/**
 * Whether `text` survives the indented form unchanged: no control characters but newline and tab,
 * no line made only of spaces/tabs (Nix strips those), and at least one line that starts with
 * something other than a space (else Nix would strip the text's own indentation too).
 */
export function fitsIndentedString(text: string): boolean {
  if (!text.includes("\n")) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return false;
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.some((l) => l.length > 0 && /^[ \t]+$/.test(l))) return false;
  return lines.some((l) => l.length > 0 && !l.startsWith(" "));
}

/** Encodes one line's content for `'' ''`: `''` as `'''`, `${` as `''${`, a lone `'` before either as `''\'`. */
function encodeIndentedLine(line: string, lastLine: boolean): string {
  return line.replace(
    /('+)(\$\{)?|\$\{/g,
    (match: string, quotes: string | undefined, dollar: string | undefined, offset: number) => {
      if (quotes === undefined) return "''${";
      const pairs = "'''".repeat(Math.floor(quotes.length / 2));
      const atEnd = lastLine && offset + match.length === line.length;
      const odd = quotes.length % 2 === 1 ? (dollar !== undefined || atEnd ? "''\\'" : "'") : "";
      return pairs + odd + (dollar !== undefined ? "''${" : "");
    },
  );
}

/**
 * The indented form, with every line at `indent + 2` spaces and the closing `''` at `indent`.
 * Only call it when fitsIndentedString(text).
 */
export function indentedString(text: string, indent: string): string {
  checkNixText(text);
  const endsWithNewline = text.endsWith("\n");
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split("\n");
  const body = lines
    .map((line, i) => {
      const encoded = encodeIndentedLine(line, !endsWithNewline && i === lines.length - 1);
      return encoded.length === 0 ? "" : `${indent}  ${encoded}`;
    })
    .join("\n");
  return endsWithNewline ? `''\n${body}\n${indent}''` : `''\n${body}''`;
}
