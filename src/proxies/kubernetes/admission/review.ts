// AdmissionReview v1 as the API server sends and reads it (admission.k8s.io/v1). The request is
// checked for the fields a decision needs; others the API server may add are ignored. The answer
// echoes the request's uid, says allowed or not, and for a refusal carries a Status whose message
// the API server shows the user (`admission webhook "..." denied the request: <message>`).
import { z } from 'zod';

const groupVersionKind = z.object({ group: z.string(), version: z.string().min(1), kind: z.string().min(1) });
const groupVersionResource = z.object({ group: z.string(), version: z.string().min(1), resource: z.string().min(1) });
const kubeObject = z.record(z.string(), z.unknown());

export const admissionReviewSchema = z.object({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: z.object({
    uid: z.string().min(1).max(128),
    kind: groupVersionKind,
    resource: groupVersionResource,
    subResource: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
    userInfo: z.object({
      username: z.string().min(1),
      uid: z.string().optional(),
      groups: z.array(z.string()).default([]),
    }),
    object: kubeObject.nullable().optional(),
    oldObject: kubeObject.nullable().optional(),
    dryRun: z.boolean().default(false),
  }),
});

export type AdmissionReview = z.infer<typeof admissionReviewSchema>;
export type AdmissionRequest = AdmissionReview['request'];

export interface AdmissionAnswer {
  readonly allowed: boolean;
  /** For a refusal: the HTTP-like code and the line the user sees. */
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
}

export function admissionResponse(uid: string, a: AdmissionAnswer): unknown {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: {
      uid,
      allowed: a.allowed,
      ...(a.allowed ? {} : { status: { status: 'Failure', code: a.code ?? 403, reason: a.reason ?? 'Forbidden', message: a.message ?? 'denied' } }),
    },
  };
}

/** The uid of a review that is otherwise unreadable, so its refusal can still be answered. */
export function uidOf(value: unknown): string | undefined {
  const uid = (value as { request?: { uid?: unknown } } | null)?.request?.uid;
  return typeof uid === 'string' && uid.length > 0 && uid.length <= 128 ? uid : undefined;
}

/** One line naming the first problem of a review that does not parse: `request.uid: Required`. */
export function reviewProblem(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `the AdmissionReview is not one: ${issue.path.join('.') || '(top)'}: ${issue.message}`;
}
