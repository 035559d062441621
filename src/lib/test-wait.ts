// Tests only: wait for something to have happened by polling for it, never by sleeping a fixed
// time, which a slow CI machine can overrun (and a fast one wastes). The condition may be async.
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
