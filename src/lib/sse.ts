// Server-sent events (the WHATWG `text/event-stream` format), read incrementally and written back.
// The MCP surface and the stdio bridge read each event of a stream to see the JSON-RPC message in
// it; an event larger than the limit is an error rather than a buffer that grows without bound.
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  readonly data: string;
  readonly event?: string;
  readonly id?: string;
  readonly retry?: number;
}

export class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private data: string[] = [];
  private dataBytes = 0;
  private event: string | undefined;
  private id: string | undefined;
  private retry: number | undefined;

  /** `maxEventBytes` bounds one event (and one unfinished line). */
  constructor(private readonly maxEventBytes: number) {}

  /** The events this chunk completes; throws RangeError when one grows past the limit. */
  push(chunk: Buffer | string): SseEvent[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = lineEnd(this.pending, start);
      if (end === -1) break;
      // A CR at the very end may be the first half of CRLF: wait for the next chunk.
      if (this.pending.charCodeAt(end) === 0x0d && end + 1 === this.pending.length) break;
      const line = this.pending.slice(start, end);
      start = end + (this.pending.charCodeAt(end) === 0x0d && this.pending.charCodeAt(end + 1) === 0x0a ? 2 : 1);
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    this.pending = this.pending.slice(start);
    if (this.pending.length + this.dataBytes > this.maxEventBytes) throw new RangeError(`an event exceeds ${this.maxEventBytes} bytes`);
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.dataBytes += value.length + 1;
    } else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const hasData = this.data.length > 0;
    const ev: SseEvent = {
      data: this.data.join('\n'),
      ...(this.event !== undefined ? { event: this.event } : {}),
      ...(this.id !== undefined ? { id: this.id } : {}),
      ...(this.retry !== undefined ? { retry: this.retry } : {}),
    };
    const meaningful = hasData || this.id !== undefined || this.retry !== undefined;
    this.data = [];
    this.dataBytes = 0;
    this.event = undefined;
    this.id = undefined;
    this.retry = undefined;
    // Each event carries only the id it set: a relay writes back what it read, and the client's
    // last-event-id buffer keeps the resume point across events by itself.
    return meaningful ? ev : undefined;
  }
}

function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) return i;
  }
  return -1;
}

/** One event as stream text, ending with its blank line. */
export function formatSseEvent(ev: SseEvent): string {
  let text = '';
  if (ev.event !== undefined) text += `event: ${ev.event}\n`;
  if (ev.id !== undefined) text += `id: ${ev.id}\n`;
  if (ev.retry !== undefined) text += `retry: ${ev.retry}\n`;
  for (const line of ev.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}
