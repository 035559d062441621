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
import { errorMessage } from '../../lib/errors.js';
import { renderAlert, type Alert } from './alert-message.js';

export interface NotifyOutcome {
  /** `type:url-host`, e.g. `slack:hooks.slack.com`. */
  readonly channel: string;
  readonly event: ApprovalEvent | 'alert';
  /** The approval it was about; an alert's name for alerts. */
  readonly approvalId?: string;
  readonly alert?: string;
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
  /** An alert to every channel; never throws and never waits for the network. */
  notifyAlert(alert: Alert): void;
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
    if (!o.ok) opts.log.warn({ channel: o.channel, event: o.event, approval_id: o.approvalId, alert: o.alert, attempts: o.attempts, error: o.error }, 'notification failed');
    try {
      opts.onOutcome?.(o);
    } catch (err) {
      opts.log.error({ err, channel: o.channel }, 'approval notification outcome handler threw');
    }
  };

  function deliver(i: number, channel: ChannelConfig, about: Pick<NotifyOutcome, 'event' | 'approvalId' | 'alert'>, render: () => RenderedMessage): void {
    const label = channelLabel(channel);
    const base = { channel: label, ...about };
    const event = about.event;
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
          onRetry: (n, error, delayMs) => opts.log.debug({ channel: label, event, approval_id: about.approvalId, attempt: n, error, delay_ms: Math.round(delayMs) }, 'notification retry'),
        }),
      )
      .then((r) => report({ ...base, ...r }))
      .finally(() => {
        pending[i]!--;
        inflight.delete(p);
      });
    inflight.add(p);
  }

  function each(fn: (channel: ChannelConfig, i: number) => void, event: string): void {
    channels.forEach((channel, i) => {
      try {
        fn(channel, i);
      } catch (err) {
        // Nothing above should throw; if it does, the data plane still must not see it.
        opts.log.error({ err, event }, 'notification could not be queued');
      }
    });
  }

  return {
    notify(event, approval) {
      each((channel, i) => deliver(i, channel, { event, approvalId: approval.id }, () => renderFor(channel, event, approval, opts.consoleUrl)), event);
    },
    notifyAlert(alert) {
      each((channel, i) => deliver(i, channel, { event: 'alert', alert: alert.name }, () => renderAlert(channel, alert)), 'alert');
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
