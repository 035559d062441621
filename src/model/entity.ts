// Cedar entity references and values as they cross stage boundaries (Cedar's JSON forms).

export interface EntityRef {
  readonly type: string;
  readonly id: string;
}

/** A Cedar value in its JSON form: `{__extn: {fn: "ip", arg: "10.0.0.1"}}` for an ip, and so on. */
export type CedarValue =
  | boolean
  | number
  | string
  | CedarValue[]
  | { __entity: { type: string; id: string } }
  | { __extn: { fn: string; arg: CedarValue } }
  | { [key: string]: CedarValue };

export type CedarRecord = Record<string, CedarValue>;

export function formatEntity(e: EntityRef): string {
  return `${e.type}::${JSON.stringify(e.id)}`;
}

/** Parses `Type::"id"` (the form used on the command line and in policy tests). */
export function parseEntity(text: string): EntityRef | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)::("(?:[^"\\]|\\.)*")\s*$/.exec(text);
  if (!m) return undefined;
  try {
    return { type: m[1]!, id: JSON.parse(m[2]!) as string };
  } catch {
    return undefined;
  }
}
