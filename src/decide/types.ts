// Decide stage: the shapes a loaded policy bundle and the engine share with their callers.
import type { EntityJson, PolicyJson } from './cedar.js';
import type { BundlePins } from './pins-file.js';
import type { CedarRecord } from '../model/entity.js';
import type { ActionRequest } from '../model/action-request.js';
import type { Decision } from '../model/decision.js';
import type { Principal } from '../model/principal.js';

/** Obligations one permit carries, parsed from its annotations at load time. */
export interface PolicyObligations {
  readonly approvalGroups?: readonly string[];
  readonly quorum?: number;
  readonly mfa?: boolean;
  readonly mfaMaxAge?: number;
}

/** Which actions a policy's scope can match: every action, or these ids and their members. */
export type ActionScope = { readonly all: true } | { readonly all: false; readonly ids: readonly string[] };

/**
 * The `Resource::"<id>"` a policy's resource scope pins: the resource itself (`eq`) or the
 * resource or one of its ancestors (`in`); `any` when the scope names no Resource entity.
 */
export type ResourceScope = { readonly any: true } | { readonly any: false; readonly op: 'eq' | 'in'; readonly id: string };

/**
 * The entity a policy's principal scope pins (`principal == E`, `principal in E`, `principal is T
 * in E`), as `Type::"id"`; `any` for `principal`, `principal is T` and template slots.
 */
export type PrincipalScope = { readonly any: true } | { readonly any: false; readonly uid: string };

/** The context keys a policy reads; `all` when it uses `context` as a whole value. */
export type ContextKeys = 'all' | readonly string[];

export interface BundlePolicy {
  /** `@id("...")`, else `<file>#<index>`. */
  readonly id: string;
  /** Path relative to the bundle directory. */
  readonly file: string;
  /** Position of the policy within its file, from 0. */
  readonly index: number;
  readonly effect: 'permit' | 'forbid';
  /** The policy's source text, exactly as written (annotations included). */
  readonly text: string;
  /** Hex SHA-256 of `text`: lets a later tool diff two bundle versions policy by policy. */
  readonly digest: string;
  readonly json: PolicyJson;
  readonly obligations: PolicyObligations;
  readonly actionScope: ActionScope;
  readonly resourceScope: ResourceScope;
  readonly principalScope: PrincipalScope;
  readonly contextKeys: ContextKeys;
}

export interface PolicyBundle {
  readonly dir: string;
  /** Hex SHA-256 over every bundle file (path and content, in sorted order). */
  readonly version: string;
  /** Relative paths of the files the version covers, sorted. */
  readonly files: readonly string[];
  readonly policies: readonly BundlePolicy[];
  /** The policies' ids, in bundle order (file by file, then position). */
  readonly policyIds: readonly string[];
  /** Static entities from `entities.json` (uids normalised to `{type, id}`). */
  readonly entities: readonly EntityJson[];
  /** Direct parents of each action id, from `entities.json` and the schema. */
  readonly actionParents: ReadonlyMap<string, readonly string[]>;
  readonly schema?: string;
  /** Relative paths of `tests/*.yaml`, sorted. */
  readonly tests: readonly string[];
  /** `pins.json`: the MCP tool definitions the bundle trusts (empty without the file). */
  readonly pins: BundlePins;
}

export interface BundleSummary {
  readonly version: string;
  readonly policies: readonly { readonly id: string; readonly file: string; readonly digest: string }[];
}

export interface DecideInput {
  readonly principal: Principal;
  readonly request: ActionRequest;
  /** The full context: the common keys plus the resource type's own. */
  readonly context: CedarRecord;
  /** Attributes of `Resource::"<resourceName>"` from the gateway config. */
  readonly resourceAttributes?: CedarRecord;
}

export interface PolicyEngine {
  readonly version: string;
  decide(input: DecideInput): Decision;
  /** Frees the engine's pre-parsed policy sets; every later decision is deny. */
  dispose(): void;
}
