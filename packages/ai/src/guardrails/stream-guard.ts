import { countRedaction, matchesIn, redactions, type TextRule } from './text-rules.ts';

/**
 * How much text a streamed answer's checks look back at, and, with redacting rules, hold back before
 * sending: a pattern split across chunks is still found when it is shorter than this. Longer matches
 * (a PEM key body, say) are found from their first part on, but only what is still held is redacted.
 */
const STREAM_WINDOW = 256;

/**
 * Incremental checks on one streamed text (one choice of a stream). `push` takes each delta and answers
 * what may be sent now, or null when a blocking rule matched (the delta is then not sent). Without
 * redacting rules nothing is held back: a delta is sent as soon as it has been checked.
 */
export class StreamTextGuard {
  /** the last STREAM_WINDOW characters already sent, unredacted: where a split match starts */
  private tail = '';
  /** text checked but not sent yet (only with redacting rules) */
  private held = '';
  private readonly redacting: TextRule[];
  private readonly blocking: TextRule[];
  readonly redacted = new Map<TextRule, number>();
  blocked: TextRule | null = null;

  constructor(
    rules: readonly TextRule[],
    private readonly window = STREAM_WINDOW,
  ) {
    const usable = rules.filter((rule) => !rule.broken);
    this.redacting = usable.filter((rule) => rule.action === 'redact');
    this.blocking = usable.filter((rule) => rule.action === 'block');
  }

  push(delta: string): string | null {
    if (this.blocked) return null;
    const pending = this.held + delta;
    const scan = this.tail + pending;
    for (const rule of this.blocking) {
      if (matchesIn(rule, scan)) {
        this.blocked = rule;
        return null;
      }
    }
    if (this.redacting.length === 0) {
      this.sent(pending);
      return pending;
    }
    return this.release(pending, Math.max(0, pending.length - this.window));
  }

  /** The end of the text: everything still held, redacted. */
  flush(): string {
    if (this.blocked || this.held === '') return '';
    const pending = this.held;
    this.held = '';
    return this.release(pending, pending.length);
  }

  /**
   * Sends the pending text up to `cut`, redacted, and holds the rest. The redactions are read in order
   * and written out as they come (any number of them, none listed); reading stops at the first one past
   * the cut, which the next delta finds again in the held text.
   */
  private release(pending: string, cut: number): string {
    let out = '';
    let at = 0;
    for (const redaction of redactions(pending, this.redacting)) {
      if (redaction.start >= cut) break;
      if (redaction.end > cut) {
        // never cut through a match: hold it back whole, or (when it starts the held text) send it whole
        if (redaction.start > 0) {
          cut = redaction.start;
          break;
        }
        cut = redaction.end;
      }
      out += pending.slice(at, redaction.start) + redaction.label;
      at = redaction.end;
      countRedaction(this.redacted, redaction);
    }
    this.held = pending.slice(cut);
    this.sent(pending.slice(0, cut));
    return out + pending.slice(at, cut);
  }

  private sent(text: string): void {
    const joined = this.tail + text;
    this.tail = joined.length > this.window ? joined.slice(-this.window) : joined;
  }
}
