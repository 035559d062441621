// The zod type of an http(s) URL in configuration, with the message the contract shows.
import { z } from 'zod';

export const httpUrl = z
  .string()
  .refine((s) => /^https?:\/\/[^/\s]+/i.test(s) && URL.canParse(s), { message: 'must be an http(s) URL' });
