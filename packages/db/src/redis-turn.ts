/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

/** Adds exactly one command to the pipeline it is given. */
export type PipelineCommand = (pipeline: ChainableCommander) => void;

/** What `send` may be told besides the command. */
export interface TurnSendOptions {
  /** Runs once the pipeline holding the command has been written to the connection. */
  written?: (() => void) | undefined;
  /**
   * Reject when no reply came this long after the batch was written (a hung Redis must not hang its
   * callers). One timer per batch and timeout, not one per command.
   */
  timeoutMs?: number | undefined;
}

interface Waiter {
  resolve(reply: unknown): void;
  reject(error: Error): void;
  options: TurnSendOptions | undefined;
  settled: boolean;
}

interface Batch {
  pipeline: ChainableCommander;
  waiters: Waiter[];
}

/**
 * Sends what one process issues to Redis during an event-loop turn as one pipeline: one socket write per
 * server (per slot group on a Cluster) carrying, in the gateway, the turn's rate-limit scripts and usage
 * XADDs together.
 *
 * Unlike ioredis' auto-pipelining, a batch never waits for the replies of the one before it, so a command
 * is on the connection by the end of the turn after it was issued; `written` reports that moment (the
 * usage stream ends a response only then).
 */
export class RedisTurnWriter {
  private batches = new Map<string, Batch>();
  private scheduled = false;

  constructor(readonly client: Redis | Cluster) {}

  /**
   * Queues `command` for this turn's pipeline. `routeKey` is its first key (a Cluster routes by it).
   * Resolves with the reply; rejects with the command's error, a timeout or a connection failure.
   */
  send<T>(routeKey: string, command: PipelineCommand, options?: TurnSendOptions): Promise<T> {
    const group = this.groupOf(routeKey);
    let batch = this.batches.get(group);
    if (!batch) {
      batch = { pipeline: this.client.pipeline(), waiters: [] };
      this.batches.set(group, batch);
    }
    command(batch.pipeline);
    const waiters = batch.waiters;
    const promise = new Promise<T>((resolve, reject) => {
      waiters.push({ resolve: resolve as (reply: unknown) => void, reject, options, settled: false });
    });
    if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate, not a microtask: everything issued in this poll phase joins the batch.
      setImmediate(() => this.flush());
    }
    return promise;
  }

  private groupOf(routeKey: string): string {
    if (!this.client.isCluster) return '';
    const cluster = this.client as Cluster;
    const prefix = cluster.options.keyPrefix ?? '';
    const slot = calculateSlot(`${prefix}${routeKey}`);
    // Slots served by the same nodes share a pipeline, as ioredis groups them.
    return cluster.slots[slot]?.join(',') ?? `slot:${slot}`;
  }

  private flush(): void {
    const batches = this.batches;
    this.batches = new Map();
    this.scheduled = false;
    for (const batch of batches.values()) this.exec(batch);
  }

  private exec(batch: Batch): void {
    const { waiters } = batch;
    const replies = batch.pipeline.exec();
    // exec() has written the batch to the socket (or failed it: the rejections follow).
    const timers = new Map<number, NodeJS.Timeout>();
    for (const waiter of waiters) {
      waiter.options?.written?.();
      const timeoutMs = waiter.options?.timeoutMs;
      if (timeoutMs !== undefined && !timers.has(timeoutMs))
        timers.set(
          timeoutMs,
          setTimeout(() => expire(waiters, timeoutMs), timeoutMs),
        );
    }
    const answer = (waiter: Waiter, error: Error | null, reply?: unknown) => {
      if (waiter.settled) return;
      waiter.settled = true;
      if (error) waiter.reject(error);
      else waiter.resolve(reply);
    };
    replies.then(
      (results) => {
        for (const timer of timers.values()) clearTimeout(timer);
        for (let i = 0; i < waiters.length; i++) {
          const waiter = waiters[i] as Waiter;
          const result = results?.[i];
          if (!result) answer(waiter, new Error('Redis pipeline: no reply'));
          else answer(waiter, result[0], result[1]);
        }
      },
      (error: unknown) => {
        for (const timer of timers.values()) clearTimeout(timer);
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const waiter of waiters) answer(waiter, failure);
      },
    );
  }
}

function expire(waiters: Waiter[], timeoutMs: number): void {
  const error = new Error(`Redis: no reply within ${timeoutMs} ms`);
  for (const waiter of waiters) {
    if (waiter.settled || waiter.options?.timeoutMs !== timeoutMs) continue;
    waiter.settled = true;
    waiter.reject(error);
  }
}
