// Secret names: the one grammar every edge checks (CLI, config references, the broker's URL), so a
// name is always safe to print, to put in a URL path segment, in a Cedar entity id
// (`Secret::"<name>"`) and in the GCM additional data that binds a ciphertext to it.

/** A letter, then letters, digits, `_`, `-` or `.`; at most 128 characters. */
const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;

export const SECRET_NAME_RULE = 'a letter, then letters, digits, "_", "-" or "." (at most 128)';

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}
