import type { ToolCallDelta } from '../types.ts';
import { StreamTextGuard } from './stream-guard.ts';
import type { TextRule } from './text-rules.ts';
import { applyRulesToArguments } from './tool-arguments.ts';

/**
 * Text rules on the tool calls of one streamed choice. Each call's arguments are scanned as they arrive
 * (the delta against the last characters of that call's arguments, as streamed text is), so a blocking
 * rule cuts the stream at the delta that completes a match. When the choice finishes, each call's whole
 * arguments are checked once more as JSON: decoded strings and expanded numbers, what the raw scan
 * cannot see (`jane\u0040example.com` is an email to the client that decodes it, `4.111111111111111e15`
 * a card number).
 *
 * So with any text rule in force the arguments are held back until that check has passed (the call's id
 * and name still go out at once) and sent, checked and redacted, in one delta per call with the finish:
 * arguments released as they come would hand the client what a rule forbids before the check that sees
 * it has run. Redaction needs the same hold, as it rewrites values inside the JSON, which cannot be done
 * on fragments of it. Holding is the simplest sure way: the check that runs is the one non-streamed
 * answers get, with no second decoder of JSON fragments to keep in step with it. Callers act on a tool
 * call once its arguments are complete, so holding them delays nothing they can use.
 */
export class StreamToolCallGuard {
  private readonly calls = new Map<number, { scan: StreamTextGuard; args: string }>();
  private readonly holding: boolean;
  private readonly blocking: TextRule[];
  readonly redacted = new Map<TextRule, number>();
  blocked: TextRule | null = null;

  constructor(private readonly rules: readonly TextRule[]) {
    const usable = rules.filter((rule) => !rule.broken);
    this.holding = usable.length > 0;
    this.blocking = usable.filter((rule) => rule.action === 'block');
  }

  /** The deltas that may be sent now (arguments held back under any rule), or null when a rule blocks. */
  push(deltas: readonly ToolCallDelta[]): ToolCallDelta[] | null {
    if (this.blocked) return null;
    const out: ToolCallDelta[] = [];
    for (const delta of deltas) {
      const args = delta.function?.arguments;
      if (args) {
        const call = this.callOf(delta.index);
        call.args += args;
        if (call.scan.push(args) === null) {
          this.blocked = call.scan.blocked;
          return null;
        }
      }
      if (!this.holding || !args) {
        out.push(delta);
        continue;
      }
      // the call's id and name go out now; its arguments with the finish
      if (delta.id !== undefined || delta.function?.name !== undefined) {
        out.push({ ...delta, function: { ...delta.function, arguments: '' } });
      }
    }
    return out;
  }

  /**
   * At the choice's finish: every call's whole arguments checked as JSON. The held arguments, redacted,
   * as deltas to send with the finish (none when nothing was held), or null when a rule blocks.
   */
  finish(): ToolCallDelta[] | null {
    if (this.blocked) return null;
    const out: ToolCallDelta[] = [];
    for (const [index, call] of this.calls) {
      const verdict = applyRulesToArguments(call.args, this.rules);
      if (verdict.blocked) {
        this.blocked = verdict.blocked;
        return null;
      }
      for (const [rule, count] of verdict.redacted) {
        this.redacted.set(rule, (this.redacted.get(rule) ?? 0) + count);
      }
      if (this.holding) out.push({ index, function: { arguments: verdict.text } });
    }
    this.calls.clear();
    return out;
  }

  private callOf(index: number): { scan: StreamTextGuard; args: string } {
    let call = this.calls.get(index);
    if (!call) {
      call = { scan: new StreamTextGuard(this.blocking), args: '' };
      this.calls.set(index, call);
    }
    return call;
  }
}
