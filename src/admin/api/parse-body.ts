// Request bodies of the control-plane API are validated with zod; a bad one is a 400 naming the
// first bad key.
import type { z } from 'zod';
import { formatPath } from '../../config/load.js';
import { AirlockError } from '../../lib/errors.js';

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = formatPath(issue.path);
  throw new AirlockError('bad_request', where ? `${where}: ${issue.message}` : issue.message);
}
