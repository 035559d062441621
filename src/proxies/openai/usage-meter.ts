// Reads the tokens an OpenAI-compatible answer reports, from the bytes relayed to the client:
// `usage.total_tokens` in a JSON answer (chat, completions, embeddings, responses) or in the last
// server-sent event that carries it (streams with `stream_options.include_usage`). Only the tail
// of the answer is kept (usage comes last), so a long answer costs no more memory than this.
// The key is matched as the raw text `"total_tokens"`: inside a JSON string value a quote is
// always escaped, so model output cannot forge it.
const TAIL_BYTES = 16 * 1024;
const TOTAL_TOKENS = /"total_tokens"\s*:\s*(\d{1,15})/g;

export class UsageMeter {
  private chunks: Buffer[] = [];
  private size = 0;

  data(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= TAIL_BYTES) this.size -= this.chunks.shift()!.length;
  }

  /** The last reported total, or 0 when the answer reported none. */
  totalTokens(): number {
    const tail = Buffer.concat(this.chunks).toString('utf8');
    let total = 0;
    for (const m of tail.matchAll(TOTAL_TOKENS)) total = Number(m[1]);
    return total;
  }
}
