// Reads the tokens an OpenAI-compatible answer reports, from the bytes relayed to the client:
// `usage.total_tokens` in a JSON answer (chat, completions, embeddings, responses) or in the last
// server-sent event that carries it (streams with `stream_options.include_usage`). Only the tail
// of the answer is kept (usage comes last), so a long answer costs no more memory than this.
// The key is matched as the raw text `"total_tokens"`: inside a JSON string value a quote is
// always escaped, so model output cannot forge it.
//
// An answer that reports no usage is estimated instead: streams do not, unless the client asked
// (`stream_options.include_usage`, which the openai client does not send by default), so without
// an estimate streaming would spend nothing of a budget. The estimate is a token per four bytes
// of the request (the prompt, with its JSON around it) and one per server-sent event (servers
// send about one token per event); it errs high, and the outcome record says it is an estimate.
const TAIL_BYTES = 16 * 1024;
const TOTAL_TOKENS = /"total_tokens"\s*:\s*(\d{1,15})/g;
const EVENT = 'data:';

export interface MeteredTokens {
  readonly tokens: number;
  /** True when the answer reported no usage and `tokens` is the estimate. */
  readonly estimated: boolean;
}

export class UsageMeter {
  private chunks: Buffer[] = [];
  private size = 0;
  private events = 0;
  /** The last bytes of the previous chunk, to see an event marker split between two chunks. */
  private edge: Buffer = Buffer.alloc(0);

  data(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= TAIL_BYTES) this.size -= this.chunks.shift()!.length;
    for (let i = chunk.indexOf(EVENT); i !== -1; i = chunk.indexOf(EVENT, i + EVENT.length)) this.events++;
    // A marker within these few bytes spans the boundary: each side is shorter than the marker.
    if (this.edge.length && Buffer.concat([this.edge, chunk.subarray(0, EVENT.length - 1)]).includes(EVENT)) this.events++;
    this.edge = chunk.subarray(Math.max(0, chunk.length - (EVENT.length - 1)));
  }

  /** The reported total, or else the estimate for a request of `requestBytes`. */
  tokens(requestBytes: number): MeteredTokens {
    const reported = this.totalTokens();
    if (reported > 0) return { tokens: reported, estimated: false };
    return { tokens: Math.ceil(requestBytes / 4) + this.events, estimated: true };
  }

  /** The last reported total, or 0 when the answer reported none. */
  totalTokens(): number {
    const tail = Buffer.concat(this.chunks).toString('utf8');
    let total = 0;
    for (const m of tail.matchAll(TOTAL_TOKENS)) total = Number(m[1]);
    return total;
  }
}
