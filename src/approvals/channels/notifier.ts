// Approval notifications: fan one approval event out to every configured channel, off the
// caller's path. `notify` renders the messages (cheap, and it snapshots the approval) and returns;
// sending starts on a later turn of the event loop, each channel and each message on its own, so
// a channel that is down delays nothing but its own retries. Every delivery ends in exactly one
// outcome, which the caller turns into an audit record and a metric.
import type { Logger } from '../../lib/logger.js';
import type { Approval } from '../types.js';
import { type Backoff, DEFAULT_BACKOFF, SEND_TIMEOUT_MS, sendWithRetry } from './deliver.js';
import type { ChannelConfig } from './schema.js';
import { slackMessage } from './slack-message.js';
import { type ApprovalEvent, channelLabel } from './summary.js';
import { teamsMessage } from './teams-card.js';
import { type RenderedMessage, plainJson, renderWebhook } from './webhook-payload.js';
import { type Alert, renderAlert } from './alert-message.js';
import { errorMessage } from '../../lib/errors.js';

export interface NotifyOutcome {
  /** `type:url-host`, e.g. `slack:hooks.slack.com`. */
  readonly channel: string;
  /** An approval event, or an alert's `alert.<what>`. */
  readonly event: ApprovalEvent | `alert.${string}`;
  /** Empty for alerts. */
  readonly approvalId: string;
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
}

export interface NotifierOptions {
  /** The console's base URL; approval links are `<consoleUrl>/approvals/<id>`. */
  readonly consoleUrl: string;
  readonly log: Logger;
  readonly onOutcome?: (o: NotifyOutcome) => void;
  readonly backoff?: Partial<Backoff>;
  readonly timeoutMs?: number;
  /** Deliveries still retrying per channel before new ones are dropped (and reported). */
  readonly maxPendingPerChannel?: number;
  readonly now?: () => number;
}

export interface Notifier {
  /** Never throws and never waits for the network. */
  notify(event: ApprovalEvent, approval: Approval): void;
  /** The same, for an alert (tool definition changes); never throws. */
  alert(alert: Alert): void;
  /** Stops taking events, waits up to `graceMs` for deliveries in flight, then abandons the rest. */
  close(graceMs?: number): Promise<void>;
}

export function renderFor(channel: ChannelConfig, event: ApprovalEvent, approval: Approval, consoleUrl: string): RenderedMessage {
  switch (channel.type) {
    case 'webhook':
      return renderWebhook(channel, event, approval, consoleUrl);
    case 'slack':
      return plainJson(slackMessage(event, approval, consoleUrl));
    case 'teams':
      return plainJson(teamsMessage(event, approval, consoleUrl));
  }
}

export function createNotifier(channels: readonly ChannelConfig[], opts: NotifierOptions): Notifier {
  const backoff: Backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
  const maxPending = opts.maxPendingPerChannel ?? 1000;
  const stop = new AbortController();
  const inflight = new Set<Promise<void>>();
  const pending = channels.map(() => 0);
  let closed = false;

  const report = (o: NotifyOutcome) => {
    if (!o.ok) opts.log.warn({ channel: o.channel, event: o.event, approval_id: o.approvalId, attempts: o.attempts, error: o.error }, 'notification failed');
    try {
      opts.onOutcome?.(o);
    } catch (err) {
      opts.log.error({ err, channel: o.channel }, 'approval notification outcome handler threw');
    }
  };

  function deliver(i: number, channel: ChannelConfig, event: NotifyOutcome['event'], approvalId: string, render: () => RenderedMessage): void {
    const label = channelLabel(channel);
    const base = { channel: label, event, approvalId };
    if (closed) return report({ ...base, ok: false, attempts: 0, error: 'notifier closed' });
    if (pending[i]! >= maxPending) return report({ ...base, ok: false, attempts: 0, error: 'too many deliveries pending for this channel' });
    let message: RenderedMessage;
    try {
      message = render();
    } catch (err) {
      return report({ ...base, ok: false, attempts: 0, error: `render failed: ${errorMessage(err)}` });
    }
    pending[i]!++;
    const p = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        sendWithRetry(channel.url, message, {
          backoff,
          timeoutMs: opts.timeoutMs ?? SEND_TIMEOUT_MS,
          stop: stop.signal,
          now: opts.now ?? Date.now,
          onRetry: (n, error, delayMs) => opts.log.debug({ channel: label, event, approval_id: approvalId, attempt: n, error, delay_ms: Math.round(delayMs) }, 'approval notification retry'),
        }),
      )
      .then((r) => report({ ...base, ...r }))
      .finally(() => {
        pending[i]!--;
        inflight.delete(p);
      });
    inflight.add(p);
  }

  function fanOut(event: NotifyOutcome['event'], approvalId: string, render: (channel: ChannelConfig) => RenderedMessage): void {
    channels.forEach((channel, i) => {
      try {
        deliver(i, channel, event, approvalId, () => render(channel));
      } catch (err) {
        // Nothing above should throw; if it does, the data plane still must not see it.
        opts.log.error({ err, event }, 'approval notification could not be queued');
      }
    });
  }

  return {
    notify(event, approval) {
      fanOut(event, approval.id, (channel) => renderFor(channel, event, approval, opts.consoleUrl));
    },
    alert(alert) {
      fanOut(alert.event as NotifyOutcome['event'], '', (channel) => renderAlert(channel, alert));
    },
    async close(graceMs = 2_000) {
      closed = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      stop.abort();
      await Promise.allSettled([...inflight]);
    },
  };
}
