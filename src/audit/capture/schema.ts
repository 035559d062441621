// Audit stage, body capture: the `audit.capture` configuration section.
// Promises: a parsed section is complete (every default written out), every JSON path is in the
// supported subset and every pattern compiles; a bad one is refused with its own message.
//
// Per resource type, a rule says what of a request body enters the audit record:
//   none    nothing, not even a digest
//   digest  the SHA-256 of the body only: evidence can be matched later without storing content
//   full    the body, after redaction (json_paths, patterns, and the built-in secret shapes),
//           cut to max_bytes
// A type without its own rule uses `default`. `openai` is the exception: its bodies are prompts,
// so it is `digest` unless configured itself, whatever `default` says.

import { z } from 'zod';
import { parseJsonPath } from './json-path.js';

export const DEFAULT_MAX_BYTES = 64 * 1024;

const jsonPath = z.string().superRefine((path, ctx) => {
  try {
    parseJsonPath(path);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `JSON path "${path}" ${(err as Error).message}` });
  }
});

// Sources of JavaScript regular expressions, compiled with the `g` flag only.
const pattern = z
  .string()
  .min(1, { message: 'a pattern must not be empty' })
  .superRefine((source, ctx) => {
    try {
      new RegExp(source, 'g');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `pattern "${source}" does not compile: ${(err as Error).message}` });
    }
  });

const captureRule = z.strictObject({
  mode: z.enum(['none', 'digest', 'full']),
  redact: z
    .strictObject({
      json_paths: z.array(jsonPath).default([]),
      patterns: z.array(pattern).default([]),
    })
    .prefault({}),
  max_bytes: z.number().int().positive().max(16 * 1024 * 1024).default(DEFAULT_MAX_BYTES),
});

export const captureConfigSchema = z
  .strictObject({
    default: captureRule.prefault({ mode: 'digest' }),
    openai: captureRule.prefault({ mode: 'digest' }),
    http: captureRule.optional(),
    mcp: captureRule.optional(),
  })
  .prefault({});

export type CaptureConfig = z.output<typeof captureConfigSchema>;
export type CaptureRule = z.output<typeof captureRule>;
export type CaptureMode = CaptureRule['mode'];
